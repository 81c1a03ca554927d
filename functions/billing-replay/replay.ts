// Applying a recorded billing event again, by provider. The event is claimed
// first (private.billing_begin_replay: platform admins only, genuine events
// whose processing failed or died), then applied exactly as its webhook
// would, and finished. Every effect is idempotent in the database, so a
// replay never repeats what an earlier attempt already did.
import type { BillingStore, StoredEvent } from "../_shared/billing/store.ts";
import type { ToolsStore } from "../_shared/tools/store.ts";
import { pgCall } from "../_shared/pg-errors.ts";
import { applyAndFinish, failed, type Outcome } from "../_shared/webhook.ts";
import { itnFromStored, type PayfastItnDeps, processItn } from "../payfast-itn/itn.ts";
import { applyEvent, envelope } from "../stripe-webhook/events.ts";

export interface ReplayDeps {
  store: BillingStore;
  /** Tools cart checkouts' Stripe events are applied through it. */
  tools?: ToolsStore | null;
  /** What PayFast processing needs: server confirmation (asked again) and the merchant. */
  payfast: Pick<PayfastItnDeps, "confirmation" | "merchantId" | "now">;
}

/** Claims the event for this admin; refusals are 403 / 404 / 409. */
export function claim(store: BillingStore, billingEventId: string, userId: string): Promise<StoredEvent> {
  return pgCall(() => store.beginReplay(billingEventId, userId));
}

/** Applies a claimed event as its provider's webhook would, and finishes it. */
export function replay(deps: ReplayDeps, event: StoredEvent): Promise<Outcome> {
  const { store } = deps;
  if (event.provider === "payfast") {
    const stored = itnFromStored(event.payload);
    if (!stored) return finishFailed(store, event, "payload: not a stored ITN (recorded before ITNs kept their signed fields)");
    return processItn({ ...deps.payfast, store } as PayfastItnDeps, event.id, stored.itn, stored.signed, stored.signature);
  }
  if (event.provider === "stripe") {
    const parsed = envelope.safeParse(event.payload);
    if (!parsed.success) return finishFailed(store, event, "payload: not a Stripe event");
    return applyAndFinish(store, event.id, () => applyEvent(store, parsed.data, deps.tools ?? null), `billing-replay: stripe ${parsed.data.id}`);
  }
  return finishFailed(store, event, `provider: ${event.provider} events are not replayed`);
}

async function finishFailed(store: BillingStore, event: StoredEvent, error: string): Promise<Outcome> {
  await store.finishEvent(event.id, "failed", error);
  return failed(error);
}
