// POST /functions/v1/reports-email-events/resend   — Resend (Standard Webhooks signature)
// POST /functions/v1/reports-email-events/postmark — Postmark (basic auth in the webhook URL)
// Public (verify_jwt = false): the signature or the credentials are the
// authentication. Every request is recorded in reports.email_events through
// the shared kit (functions/_shared/webhook.ts): refused ones as 'rejected'
// with a capped payload and the body's hash; a genuine event once per
// provider event id. Hard bounces and complaints add the address to
// reports.email_suppressions (below); adding is
// idempotent, so redeliveries and reordered deliveries change nothing more.
// The address is suppressed for every account (account_id null: the
// provider account is the platform's, it will not deliver there for anyone)
// and for the account whose message bounced, where its members see it.
//
//   body over 256 KiB                                    → rejected / 413
//   bad signature, stale timestamp, wrong credentials    → rejected / 400 (Resend) or 401 (Postmark)
//   genuine but unreadable, or not a bounce/complaint    → ignored / 200
//   redelivery of a finished event                       → duplicate / 200
//   redelivery while another delivery applies it         → duplicate / 409 (the provider retries)
//   applied                                              → processed / 200
//   applying failed (database)                           → failed / 500 (the provider retries)
import { timingSafeEqual } from "node:crypto";
import { connect } from "../_shared/db.ts";
import { requireEnv } from "../_shared/env.ts";
import { errorResponse, json, withErrors } from "../_shared/http.ts";
import { secretBytes, SignatureError, verifyStandardWebhook } from "../_shared/messaging/standard-webhooks.ts";
import { type EmailEventProvider, type MessagingStore, messagingStore } from "../_shared/messaging/store.ts";
import { applyAndFinish, clientAddress, ignored, processed, readBody, type Received, recordGenuine, reject } from "../_shared/webhook.ts";
import { parsePostmark, parseResend, type ProviderEvent } from "./events.ts";

export interface EmailEventsDeps {
  store: Pick<MessagingStore, "events" | "suppressFromEvent">;
  /** whsec_... (RESEND_WEBHOOK_SECRET); without it every Resend request is refused. */
  resendSecret?: string | null;
  /** user:password Postmark puts in the webhook URL (POSTMARK_WEBHOOK_USER / POSTMARK_WEBHOOK_PASSWORD). */
  postmarkCredentials?: { user: string; password: string } | null;
  now?: () => Date;
  clientIpHeader?: string;
}

const MAX_BODY_BYTES = 256 * 1024;

function claimOf(raw: string): { eventId?: string | null; eventType?: string | null } {
  try {
    const v = JSON.parse(raw);
    return { eventType: typeof v?.type === "string" ? v.type : typeof v?.RecordType === "string" ? v.RecordType : null };
  } catch {
    return {};
  }
}

function basicAuthMatches(req: Request, expected: { user: string; password: string }): boolean {
  const header = req.headers.get("authorization") ?? "";
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
  if (!m) return false;
  let given: string;
  try {
    given = atob(m[1]);
  } catch {
    return false;
  }
  const a = new TextEncoder().encode(given);
  const b = new TextEncoder().encode(`${expected.user}:${expected.password}`);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function createHandler(deps: EmailEventsDeps) {
  const now = deps.now ?? (() => new Date());
  const log = deps.store.events;
  const secret = deps.resendSecret ? secretBytes(deps.resendSecret) : null;

  return withErrors(async (req) => {
    if (req.method !== "POST") return errorResponse(405, "method_not_allowed", "method: use POST");
    const which = /\/reports-email-events\/(resend|postmark)\/?$/.exec(new URL(req.url).pathname)?.[1] as EmailEventProvider | undefined;
    if (!which) return errorResponse(404, "not_found", "provider: POST to /reports-email-events/resend or /reports-email-events/postmark", "provider");

    const received: Received<EmailEventProvider> = { provider: which, body: await readBody(req, MAX_BODY_BYTES), sourceIp: clientAddress(req, deps.clientIpHeader) };
    const raw = received.body.text;
    if (received.body.tooLarge) {
      return reject(log, received, { status: 413, code: "payload_too_large", field: "body", message: "body: larger than 256 KiB" }, claimOf(raw));
    }

    let webhookId: string | null = null;
    if (which === "resend") {
      try {
        if (!secret) throw new SignatureError("webhook-signature", "RESEND_WEBHOOK_SECRET is not configured");
        webhookId = verifyStandardWebhook(secret, req.headers, raw, Math.floor(now().getTime() / 1000)).id;
      } catch (error) {
        if (!(error instanceof SignatureError)) throw error;
        return reject(log, received, { status: 400, code: "invalid_signature", field: error.field, message: error.message },
          { ...claimOf(raw), eventId: req.headers.get("webhook-id") ?? req.headers.get("svix-id") });
      }
    } else if (!deps.postmarkCredentials || !basicAuthMatches(req, deps.postmarkCredentials)) {
      return reject(log, received, {
        status: 401, code: "unauthorized", field: "authorization",
        message: deps.postmarkCredentials ? "authorization: wrong or missing credentials" : "authorization: POSTMARK_WEBHOOK_USER/PASSWORD are not configured",
      }, claimOf(raw));
    }

    // Genuine from here on.
    let body: unknown = null;
    try {
      body = JSON.parse(raw);
    } catch { /* handled as malformed below */ }
    const event: ProviderEvent | { malformed: string } = body === null
      ? { malformed: "body" }
      : which === "resend" ? parseResend(body, webhookId!) : parsePostmark(body);

    if ("malformed" in event) {
      const recorded = await recordGenuine(log, received, { eventId: webhookId, eventType: claimOf(raw).eventType ?? "unknown", payload: body ?? { raw: raw.slice(0, 4096) } });
      if (recorded.shouldApply) await log.finishEvent(recorded.id, "ignored", `malformed event: ${event.malformed}`);
      return json({ received: true, ignored: true });
    }

    const recorded = await recordGenuine(log, received, { eventId: event.eventId, eventType: event.eventType, payload: body, eventCreatedAt: event.createdAt });
    if (recorded.outcome === "in_progress") return errorResponse(409, "in_progress", "event: this event is being processed; retry later");
    if (!recorded.shouldApply) return json({ received: true, duplicate: true });

    const result = await applyAndFinish(log, recorded.id, async () => {
      if (!event.kind) return ignored(event.why ?? "not acted on");
      if (event.emails.length === 0) return ignored("no recipient address in the event");
      const accounts = new Set<string>();
      for (const email of event.emails) {
        for (const a of await deps.store.suppressFromEvent(which, event.kind, email, event.messageId)) accounts.add(a);
      }
      // Suppressed everywhere in any case; the account is named when the message was one of ours.
      return processed(accounts.size === 1 ? [...accounts][0] : null);
    }, `reports-email-events: ${which} ${event.eventId}`);
    if (result.outcome === "failed") return errorResponse(500, "event_failed", `event ${event.eventId} failed: ${result.error}; the provider will retry`);
    return json(result.outcome === "ignored" ? { received: true, ignored: true } : { received: true });
  });
}

export function build() {
  const sql = connect(requireEnv("SUPABASE_DB_URL"));
  const user = Deno.env.get("POSTMARK_WEBHOOK_USER");
  const password = Deno.env.get("POSTMARK_WEBHOOK_PASSWORD");
  return createHandler({
    store: messagingStore(sql),
    resendSecret: Deno.env.get("RESEND_WEBHOOK_SECRET") || null,
    postmarkCredentials: user && password ? { user, password } : null,
  });
}

if (import.meta.main) Deno.serve(build());
