// POST /functions/v1/payfast-itn — PayFast's Instant Transaction
// Notifications (form-urlencoded). Public (verify_jwt = false): PayFast signs
// the fields instead. Every request is recorded in public.billing_events.
//
// Before answering (PayFast wants a quick 200 and retries anything else),
// each refusal recorded as 'rejected' (payload capped, body hash kept):
//   1. a body over 64 KiB: 413; not a form (JSON, garbage): 400;
//   2. a key posted twice or any field after `signature`: 400 (functions/payfast-itn/itn.ts);
//   3. required fields of the signed part: 400 naming the field;
//   4. signature (MD5, passphrase) and source address (a PayFast host, read
//      only from the trusted client-address header): 400;
//   5. record the event once per `${pf_payment_id}:${payment_status}`; a
//      redelivery of an applied ITN is recorded as 'duplicate' and answered 200.
// Then, after answering (waitUntil): server confirmation of exactly the signed
// string, the amount against our order, apply, finish (processed, ignored or
// failed with the reason). A failure after the 200 stays 'failed' and can be
// replayed by a platform admin (billing-replay).
import { billingStore } from "../_shared/billing/store.ts";
import { connect } from "../_shared/db.ts";
import { requireEnv } from "../_shared/env.ts";
import { errorResponse, json, withErrors } from "../_shared/http.ts";
import {
  localConfirmation,
  localSourceValidator,
  payfastConfig,
  payfastServerConfirmation,
  payfastSourceValidator,
  PAYFAST_VALIDATE_HOST,
  sameSignature,
  signatureOf,
} from "../_shared/payfast.ts";
import { clientAddress, defaultWaitUntil, readBody, recordGenuine, reject } from "../_shared/webhook.ts";
import { itnEventId, itnSchema, parseSignedForm, type PayfastItnDeps, processItn, storedItn } from "./itn.ts";

const MAX_BODY_BYTES = 64 * 1024;

export function createHandler(deps: PayfastItnDeps) {
  return withErrors(async (req) => {
    if (req.method !== "POST") return errorResponse(405, "method_not_allowed", "method: use POST");
    const received = {
      provider: "payfast" as const,
      body: await readBody(req, MAX_BODY_BYTES),
      sourceIp: clientAddress(req, deps.clientIpHeader),
    };
    const text = received.body.text;
    // What a refused body claims to be, only to find it in the log.
    const first = new URLSearchParams(received.body.tooLarge ? "" : text);
    const [pf, status] = [first.get("pf_payment_id"), first.get("payment_status")];
    const claimed = pf && status ? { eventId: `${pf}:${status.toUpperCase()}`.slice(0, 255), eventType: `itn.${status.toUpperCase()}`.slice(0, 255) } : {};
    const refuse = (status: number, code: string, field: string, message: string) =>
      reject(deps.store, received, { status, code, field, message }, claimed);

    if (received.body.tooLarge) return refuse(413, "payload_too_large", "body", "body: larger than 64 KiB");
    const type = (req.headers.get("content-type") ?? "").toLowerCase();
    if (!type.startsWith("application/x-www-form-urlencoded") || /^\s*[[{]/.test(text)) {
      return refuse(400, "invalid_request", "body", "body: PayFast posts application/x-www-form-urlencoded fields");
    }
    const form = parseSignedForm(text);
    if (!form.ok) return refuse(400, "invalid_request", form.field, form.message);
    const parsed = itnSchema.safeParse(Object.fromEntries(form.signed));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue.path.length ? issue.path.join(".") : "body";
      return refuse(400, "invalid_request", field, `${field}: ${issue.message}`);
    }
    const itn = parsed.data;
    if (!sameSignature(form.signature.trim(), signatureOf(form.signed, deps.passphrase))) {
      return refuse(400, "invalid_signature", "signature", "signature: does not match the posted fields");
    }
    if (!(await deps.sourceValidator.isPayfastSource(received.sourceIp))) {
      return refuse(400, "invalid_source", "source", `source: ${received.sourceIp ?? "unknown address"} is not a PayFast host`);
    }

    const recorded = await recordGenuine(deps.store, received, { ...itnEventId(itn), payload: storedItn(form.signed, form.signature) });
    if (!recorded.shouldApply) return json({ received: true, status: recorded.outcome });
    deps.waitUntil(processItn(deps, recorded.id, itn, form.signed, form.signature));
    return json({ received: true, status: "accepted" });
  });
}

/**
 * PAYFAST_MODE local (default): LOCAL_PAYFAST passphrase, loopback senders
 * only, confirmation by recomputing the signature. sandbox / live: PayFast's
 * hosts by DNS and the real server confirmation on sandbox / www.
 */
export function build() {
  const config = payfastConfig();
  const sql = connect(requireEnv("SUPABASE_DB_URL"), 3);
  const local = config.mode === "local";
  return createHandler({
    store: billingStore(sql),
    passphrase: config.passphrase,
    merchantId: config.merchantId,
    sourceValidator: local ? localSourceValidator : payfastSourceValidator(),
    confirmation: local ? localConfirmation(config.passphrase) : payfastServerConfirmation(PAYFAST_VALIDATE_HOST[config.mode as "live" | "sandbox"]),
    waitUntil: defaultWaitUntil(),
  });
}

if (import.meta.main) Deno.serve(build());
