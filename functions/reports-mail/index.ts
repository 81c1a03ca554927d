// POST /functions/v1/reports-mail — the scheduled-report mail worker.
// Only the service role drives it (pg_cron / the local scheduler wake it for
// queue 'reports.mail'; tests call it directly); everyone else gets 401.
// Email goes through functions/_shared/messaging/email.ts: Resend or
// Postmark with their keys, else the local outbox (.eml files), and every
// answer says which.
import { connect } from "../_shared/db.ts";
import { requireEnv } from "../_shared/env.ts";
import { errorResponse, withErrors } from "../_shared/http.ts";
import { emailSenderFromEnv, mailFrom } from "../_shared/messaging/email.ts";
import { messagingStore } from "../_shared/messaging/store.ts";
import { assertKey } from "../_shared/messaging/unsubscribe.ts";
import { supabaseStorage } from "../_shared/storage.ts";
import { serviceRole } from "../_shared/worker.ts";
import { type MailWorkerDeps, work } from "./work.ts";

export function createHandler(deps: MailWorkerDeps & { jwtSecret: string }) {
  return withErrors(async (req) => {
    if (req.method !== "POST") return errorResponse(405, "method_not_allowed", "method: use POST");
    if (!(await serviceRole(req, deps.jwtSecret))) return errorResponse(401, "unauthorized", "authorization: the service-role key drives this worker");
    return await work(deps, req);
  });
}

export function build() {
  const sql = connect(requireEnv("SUPABASE_DB_URL"), 4);
  const url = requireEnv("SUPABASE_URL");
  return createHandler({
    jwtSecret: requireEnv("SUPABASE_JWT_SECRET"),
    store: messagingStore(sql),
    sender: emailSenderFromEnv(),
    files: supabaseStorage({ url, serviceRoleKey: requireEnv("SUPABASE_SERVICE_ROLE_KEY") }),
    from: mailFrom(),
    functionsUrl: `${url.replace(/\/$/, "")}/functions/v1`,
    unsubscribeKey: assertKey(Deno.env.get("REPORTS_UNSUBSCRIBE_KEY")),
  });
}

if (import.meta.main) Deno.serve(build());
