// POST /functions/v1/reports-webhooks — Reports outgoing webhooks
// (Standard Webhooks 1.0), two callers:
//   * a signed-in owner or admin (their access token):
//       {"action": "create", "accountId", "url", "events": [...]}  -> 201 {webhook, secret}
//       {"action": "rotate", "webhookId"}                          -> 200 {webhook, secret}
//     the secret (whsec_...) is in this answer only (manage.ts);
//   * the job worker (the service-role key, body {"queue": "reports.webhooks"})
//     delivers due attempts (work.ts; each in run-attempt.ts).
// Outside the local stack only https URLs resolving to public addresses are
// accepted and called; on the local stack a receiver on 127.0.0.1 works.
import { connect, revocationReason } from "../_shared/db.ts";
import { requireEnv } from "../_shared/env.ts";
import { errorResponse, withErrors } from "../_shared/http.ts";
import { webhooksStore } from "../_shared/reports/webhooks/store.ts";
import { pinnedFetch } from "../_shared/reports/webhooks/pinned-fetch.ts";
import { denoResolve } from "../_shared/reports/webhooks/ssrf.ts";
import { secretBoxFromEnv } from "../_shared/secret-box.ts";
import { serviceRole } from "../_shared/worker.ts";
import { isLocalProject, type WebhooksDeps } from "./deps.ts";
import { manage } from "./manage.ts";
import { work } from "./work.ts";

export { isLocalProject, secretContext, type WebhooksDeps } from "./deps.ts";

export function createHandler(deps: WebhooksDeps) {
  return withErrors(async (req) => {
    if (req.method !== "POST") return errorResponse(405, "method_not_allowed", "method: use POST");
    if (await serviceRole(req, deps.jwtSecret)) return await work(deps, req);
    return await manage(deps, req);
  });
}

export function build() {
  const sql = connect(requireEnv("SUPABASE_DB_URL"), 10);
  const local = isLocalProject(requireEnv("SUPABASE_URL"));
  return createHandler({
    jwtSecret: requireEnv("SUPABASE_JWT_SECRET"),
    revocationReason: (claims) => revocationReason(sql, claims),
    store: webhooksStore(sql),
    box: secretBoxFromEnv("REPORTS_WEBHOOK_KEY"),
    // Hosted: connect only to the addresses the connection's own lookup judged (no DNS rebinding).
    fetch: local ? fetch : pinnedFetch({ resolve: denoResolve }),
    resolve: denoResolve,
    allowPrivate: local,
    timeoutMs: Number(Deno.env.get("REPORTS_WEBHOOK_TIMEOUT_MS") ?? "15000"),
    maxMs: Number(Deno.env.get("REPORTS_WEBHOOK_WORKER_MAX_MS") ?? "60000"),
    batchSize: Number(Deno.env.get("REPORTS_WEBHOOK_WORKER_BATCH") ?? "20"),
    nowSeconds: () => Math.floor(Date.now() / 1000),
  });
}

if (import.meta.main) Deno.serve(build());
