// POST /functions/v1/stripe-webhook — Stripe events into billing state.
// Public (verify_jwt = false): the Stripe-Signature header is the
// authentication. Every request is recorded in public.billing_events, refused
// ones (oversize, bad signature) as 'rejected' with a capped payload and the
// body's hash; a genuine event is applied once (functions/stripe-webhook/events.ts) through the
// private.billing_* functions (functions/_shared/billing/store.ts), or for a
// Tools cart checkout the private.tools_checkout_* functions
// (functions/_shared/tools/store.ts, stripe-webhook/tools-events.ts); all are
// idempotent and keep the newest subscription state, so redeliveries and
// out-of-order deliveries are safe.
//
// Outcomes (billing_events.status / HTTP):
//   body over 512 KiB                                             → rejected / 413
//   bad or missing signature, expired timestamp, unparseable body → rejected / 400
//   redelivery of an event already processed or ignored          → duplicate / 200
//   redelivery while another delivery is still applying it       → duplicate / 409 (Stripe retries)
//   applied                                                       → processed / 200
//   not ours or not handled (unknown type, no Domus metadata),
//   or genuine but malformed (fails our schema: a retry would
//   bring the same bytes)                                         → ignored (with the reason) / 200
//   applying threw (database refused, e.g. an amount that does
//   not match the order; or a dependency not there yet, e.g. an
//   invoice for a subscription we have not seen)                  → failed (with the error) / 500,
//     so Stripe retries; the effects are idempotent, a retry is safe.
import { type BillingStore, billingStore } from "../_shared/billing/store.ts";
import { connect } from "../_shared/db.ts";
import { requireEnv } from "../_shared/env.ts";
import { errorResponse, json, withErrors } from "../_shared/http.ts";
import { createStripe, cryptoProvider, Stripe, stripeWebhookSecret } from "../_shared/stripe.ts";
import { type ToolsStore, toolsStore } from "../_shared/tools/store.ts";
import { applyAndFinish, clientAddress, readBody, recordGenuine, reject } from "../_shared/webhook.ts";
import { applyEvent, claimOf, envelope } from "./events.ts";

export interface StripeWebhookDeps {
  store: BillingStore;
  /** Tools cart checkouts (metadata.purpose "tools_cart"); without it their events fail, kept for replay. */
  tools?: ToolsStore | null;
  webhookSecret: string;
  /** Used for constructEventAsync only; no network calls. */
  stripe: Stripe;
  now?: () => Date;
  /** The header holding the client address (default: TRUSTED_CLIENT_IP_HEADER or cf-connecting-ip). */
  clientIpHeader?: string;
}

const MAX_BODY_BYTES = 512 * 1024;

export function createHandler(deps: StripeWebhookDeps) {
  const now = deps.now ?? (() => new Date());
  const { store } = deps;

  return withErrors(async (req) => {
    if (req.method !== "POST") return errorResponse(405, "method_not_allowed", "method: use POST");
    const received = { provider: "stripe" as const, body: await readBody(req, MAX_BODY_BYTES), sourceIp: clientAddress(req, deps.clientIpHeader) };
    const raw = received.body.text;
    if (received.body.tooLarge) {
      return reject(store, received, { status: 413, code: "payload_too_large", field: "body", message: "body: larger than 512 KiB" },
        claimOf(raw, true));
    }
    const header = req.headers.get("stripe-signature");

    let event: Stripe.Event;
    try {
      if (!header) throw new Error("stripe-signature: header missing");
      event = await deps.stripe.webhooks.constructEventAsync(raw, header, deps.webhookSecret, undefined, cryptoProvider, now().getTime());
    } catch (error) {
      const message = (error instanceof Error ? error.message.split("\n")[0].trim() : String(error)).replace(/^stripe-signature: /, "");
      return reject(store, received, { status: 400, code: "invalid_signature", field: "stripe-signature", message: `stripe-signature: ${message}` },
        claimOf(raw, false));
    }

    // Genuine from here on. A body that is signed but not an event we can
    // read is stored and ignored: a redelivery would bring the same bytes.
    const env = envelope.safeParse(event);
    if (!env.success) {
      const claim = claimOf(raw, false);
      const issue = env.error.issues[0];
      const recorded = await recordGenuine(store, received, { eventId: claim.eventId ?? null, eventType: claim.eventType ?? "unknown", payload: claim.payload });
      if (recorded.shouldApply) {
        await store.finishEvent(recorded.id, "ignored", `malformed event: ${issue.path.join(".") || "event"}: ${issue.message}`);
      }
      return json({ received: true, ignored: true });
    }
    const e = env.data;

    const recorded = await recordGenuine(store, received, {
      eventId: e.id, eventType: e.type, payload: event, eventCreatedAt: new Date(e.created * 1000),
    });
    if (recorded.outcome === "in_progress") {
      // Another delivery of this event is being applied right now; ask Stripe to retry later.
      return errorResponse(409, "in_progress", "event: this event is being processed; retry later");
    }
    if (!recorded.shouldApply) return json({ received: true, duplicate: true });

    const result = await applyAndFinish(store, recorded.id, () => applyEvent(store, e, deps.tools ?? null), `stripe-webhook: ${e.type} ${e.id}`);
    if (result.outcome === "failed") {
      return errorResponse(500, "event_failed", `event ${e.id} (${e.type}) failed: ${result.error}; Stripe will retry`);
    }
    return json(result.outcome === "ignored" ? { received: true, ignored: true } : { received: true });
  });
}

export function build() {
  const sql = connect(requireEnv("SUPABASE_DB_URL"));
  return createHandler({
    store: billingStore(sql),
    tools: toolsStore(sql),
    webhookSecret: stripeWebhookSecret(),
    stripe: createStripe(Deno.env.get("STRIPE_SECRET_KEY")),
  });
}

if (import.meta.main) Deno.serve(build());
