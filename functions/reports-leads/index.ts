// POST /functions/v1/reports-leads — the lead form of a property report's
// public landing page (verify_jwt = false: visitors are not signed in), and,
// with the service-role key and body {"queue": "reports.leads"}, the worker
// that notifies agents (work.ts).
//
// A visitor's lead (packages/contracts/src/reports-leads.ts): a body over
// 16 KiB is 413; bad JSON or a bad field 400 naming it (consent must be
// true, an email or an E.164 phone, sizes); an unknown, switched-off or
// expired report 404. The sender's address comes ONLY from the trusted
// client-address header (functions/_shared/client-address.ts; the edge, or
// the local gateway, overwrites it), never from X-Forwarded-For. Then
// private.reports_submit_lead decides: accepted (stored, a notification job
// queued), blocked (the address is in reports.blocked_ips) or rate_limited
// (reports.lead_rate_limits). All three get the same 202 {"received": true}:
// a blocked or throttled sender learns nothing it could work around.
import { submitLeadInput, type SubmitLeadResponse } from "@domus/contracts/reports-leads.ts";
import { clientAddress } from "../_shared/client-address.ts";
import { connect } from "../_shared/db.ts";
import { requireEnv } from "../_shared/env.ts";
import { errorResponse, HttpError, json, parseBody, withErrors } from "../_shared/http.ts";
import { pgCall } from "../_shared/pg-errors.ts";
import { leadMessagingFromEnv } from "../_shared/reports/leads/messaging.ts";
import { leadsStore } from "../_shared/reports/leads/store.ts";
import { serviceRole } from "../_shared/worker.ts";
import { type ReportsLeadsDeps, work } from "./work.ts";

export type { ReportsLeadsDeps } from "./work.ts";

const MAX_BODY_BYTES = 16 * 1024;

export function createHandler(deps: ReportsLeadsDeps) {
  return withErrors(async (req) => {
    if (req.method !== "POST") return errorResponse(405, "method_not_allowed", "method: use POST");
    if (await serviceRole(req, deps.jwtSecret)) return await work(deps, req);
    const declared = Number(req.headers.get("content-length") ?? "0");
    if (declared > MAX_BODY_BYTES) throw new HttpError(413, "invalid_request", "body: larger than 16 KiB", "body");
    const raw = await req.text();
    if (new TextEncoder().encode(raw).byteLength > MAX_BODY_BYTES) throw new HttpError(413, "invalid_request", "body: larger than 16 KiB", "body");
    const input = await parseBody(new Request(req.url, { method: "POST", body: raw }), submitLeadInput);
    await pgCall(() => deps.store.submit({ ...input, ip: clientAddress(req, deps.clientIpHeader) }));
    const answer: SubmitLeadResponse = { received: true };
    return json(answer, 202);
  });
}

export function build() {
  const sql = connect(requireEnv("SUPABASE_DB_URL"), 5);
  const store = leadsStore(sql);
  return createHandler({
    jwtSecret: requireEnv("SUPABASE_JWT_SECRET"),
    store,
    ...leadMessagingFromEnv(sql),
    appUrl: Deno.env.get("DOMUS_APP_URL") ?? undefined,
    batchSize: Number(Deno.env.get("REPORTS_LEADS_WORKER_BATCH") ?? "10"),
    maxMs: Number(Deno.env.get("REPORTS_LEADS_WORKER_MAX_MS") ?? "30000"),
  });
}

if (import.meta.main) Deno.serve(build());
