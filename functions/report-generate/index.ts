// /functions/v1/report-generate — Reports rendering (seed 004), two callers:
//   * POST with the service-role key and {"queue": "reports.render"}: the worker
//     (work.ts) renders market, property (CMA) and consumer reports from
//     queue `reports.render` into the private Storage bucket `reports`;
//   * GET ?id=<report id> with a member's token (files.ts): signed URLs of
//     the report's stored files, valid for a few minutes.
import { connect, revocationReason } from "../_shared/db.ts";
import { requireEnv } from "../_shared/env.ts";
import { errorResponse, withErrors } from "../_shared/http.ts";
import { reportsStore } from "../_shared/reports/store.ts";
import { supabaseStorage } from "../_shared/storage.ts";
import { serviceRole } from "../_shared/worker.ts";
import type { ReportGenerateDeps } from "./deps.ts";
import { reportFiles } from "./files.ts";
import { work } from "./work.ts";

export { BUCKET, type ReportGenerateDeps } from "./deps.ts";

export function createHandler(deps: ReportGenerateDeps) {
  return withErrors(async (req) => {
    if (req.method === "GET") return await reportFiles(deps, req);
    if (req.method !== "POST") return errorResponse(405, "method_not_allowed", "method: GET ?id= for files; POST is the worker's");
    if (await serviceRole(req, deps.jwtSecret)) return await work(deps, req);
    return errorResponse(403, "forbidden", "authorization: only the service role runs the report worker; members request reports through reports.request_market_report");
  });
}

/** Where a property report's QR code points: REPORTS_LANDING_URL + short code (default {SUPABASE_URL}/r/). */
export function landingUrlFrom(base: string) {
  const prefix = base.endsWith("/") ? base : `${base}/`;
  return (shortCode: string) => `${prefix}${encodeURIComponent(shortCode)}`;
}

export function build() {
  const sql = connect(requireEnv("SUPABASE_DB_URL"), 6);
  const url = requireEnv("SUPABASE_URL").replace(/\/$/, "");
  return createHandler({
    jwtSecret: requireEnv("SUPABASE_JWT_SECRET"),
    revocationReason: (claims) => revocationReason(sql, claims),
    store: reportsStore(sql),
    storage: supabaseStorage({ url, serviceRoleKey: requireEnv("SUPABASE_SERVICE_ROLE_KEY") }),
    landingUrl: landingUrlFrom(Deno.env.get("REPORTS_LANDING_URL") ?? `${url}/r/`),
    signedUrlSeconds: Number(Deno.env.get("REPORTS_SIGNED_URL_SECONDS") ?? "300"),
    maxMs: Number(Deno.env.get("REPORTS_WORKER_MAX_MS") ?? "60000"),
    batchSize: Number(Deno.env.get("REPORTS_WORKER_BATCH") ?? "4"),
  });
}

if (import.meta.main) Deno.serve(build());
