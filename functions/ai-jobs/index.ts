// POST /functions/v1/ai-jobs — Studio's AI job pipeline (seed 002), two callers:
//   * a signed-in user (their access token) starts a project (start.ts):
//       {type: "photo_edit" | "video" | "template", name, input, service?, model?,
//        accountId?, idempotencyKey?, templateId?, listingId?, contactId?}
//   * the job worker (the service-role key, body {"queue": "studio.ai_job"})
//     drains the queue (work.ts; each job in run-job.ts).
// Providers: replicate, qwen and nano_banana behind one interface; without a
// provider's key the local provider does the work offline and says so.
import { providersFromEnv } from "../_shared/ai-providers/index.ts";
import { connect, revocationReason } from "../_shared/db.ts";
import { requireEnv } from "../_shared/env.ts";
import { errorResponse, withErrors } from "../_shared/http.ts";
import { supabaseStorage } from "../_shared/storage.ts";
import { studioStore } from "../_shared/studio/store.ts";
import { serviceRole } from "../_shared/worker.ts";
import { type AiJobsDeps, objectExistsIn } from "./deps.ts";
import { startProject } from "./start.ts";
import { work } from "./work.ts";

export { type AiJobsDeps, BUCKET } from "./deps.ts";

export function createHandler(deps: AiJobsDeps) {
  return withErrors(async (req) => {
    if (req.method !== "POST") return errorResponse(405, "method_not_allowed", "method: use POST");
    if (await serviceRole(req, deps.jwtSecret)) return await work(deps, req);
    return await startProject(deps, req);
  });
}

export function build() {
  const sql = connect(requireEnv("SUPABASE_DB_URL"), 10);
  return createHandler({
    jwtSecret: requireEnv("SUPABASE_JWT_SECRET"),
    revocationReason: (claims) => revocationReason(sql, claims),
    store: studioStore(sql),
    storage: supabaseStorage({ url: requireEnv("SUPABASE_URL"), serviceRoleKey: requireEnv("SUPABASE_SERVICE_ROLE_KEY") }),
    providers: providersFromEnv(),
    objectExists: objectExistsIn(sql),
    fetch,
    timeoutMs: Number(Deno.env.get("STUDIO_JOB_TIMEOUT_MS") ?? "90000"),
    maxMs: Number(Deno.env.get("STUDIO_WORKER_MAX_MS") ?? "45000"),
    batchSize: Number(Deno.env.get("STUDIO_WORKER_BATCH") ?? "4"),
  });
}

if (import.meta.main) Deno.serve(build());
