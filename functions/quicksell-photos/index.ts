// POST /functions/v1/quicksell-photos — QuickSell photo processing, two callers:
//   * the seller (access token), {"photoId"}: process one of your photos now
//     (renditions, real type/size/dimensions) and get the result; someone
//     else's photo is 404, as if it did not exist;
//   * the service role: {"queue": "quicksell.photo"} drains the photo queue,
//     {"retention": true, "now"?} sweeps unattached photos (work.ts).
// Width, height, size and type always come from the file's bytes; the
// photos table's column grants keep clients from writing them at all.
import { processPhotoInput } from "@domus/contracts/quicksell-media.ts";
import { requireUser } from "../_shared/auth.ts";
import { connect, revocationReason } from "../_shared/db.ts";
import { requireEnv } from "../_shared/env.ts";
import { errorResponse, HttpError, json, parseBody, withErrors } from "../_shared/http.ts";
import { PhotoRefused, processPhoto } from "../_shared/quicksell/photo-process.ts";
import { mediaStore } from "../_shared/quicksell/store-media.ts";
import { supabaseStorage } from "../_shared/storage.ts";
import { serviceRole } from "../_shared/worker.ts";
import type { PhotosDeps } from "./deps.ts";
import { work } from "./work.ts";

export type { PhotosDeps } from "./deps.ts";

async function processNow(deps: PhotosDeps, req: Request): Promise<Response> {
  const caller = await requireUser(req, deps);
  const body = await parseBody(req, processPhotoInput);
  const photo = await deps.store.photo(body.photoId);
  if (!photo || photo.user_id !== caller.userId) throw new HttpError(404, "not_found", "photoId: no such photo of yours", "photoId");
  try {
    const done = await processPhoto(deps, photo.id, { analyze: false });
    if (!done) throw new HttpError(404, "not_found", "photoId: no such photo of yours", "photoId");
    return json(done);
  } catch (error) {
    if (error instanceof PhotoRefused) throw new HttpError(error.status === 404 ? 404 : 422, error.status === 404 ? "not_found" : "invalid_request", error.message);
    throw error;
  }
}

export function createHandler(deps: PhotosDeps) {
  return withErrors(async (req) => {
    if (req.method !== "POST") return errorResponse(405, "method_not_allowed", "method: use POST");
    if (await serviceRole(req, deps.jwtSecret)) return await work(deps, req);
    return await processNow(deps, req);
  });
}

export function build() {
  const sql = connect(requireEnv("SUPABASE_DB_URL"), 5);
  return createHandler({
    jwtSecret: requireEnv("SUPABASE_JWT_SECRET"),
    revocationReason: (claims) => revocationReason(sql, claims),
    store: mediaStore(sql),
    storage: supabaseStorage({ url: requireEnv("SUPABASE_URL"), serviceRoleKey: requireEnv("SUPABASE_SERVICE_ROLE_KEY") }),
    maxMs: Number(Deno.env.get("QUICKSELL_PHOTOS_MAX_MS") ?? "45000"),
    batchSize: Number(Deno.env.get("QUICKSELL_PHOTOS_BATCH") ?? "4"),
    retentionDays: 30,
  });
}

if (import.meta.main) Deno.serve(build());
