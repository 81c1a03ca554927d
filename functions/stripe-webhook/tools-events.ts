// Stripe events for a Tools cart checkout (issue 10). Checkout marks its
// session with metadata.purpose = "tools_cart" and our checkout reference;
// each event becomes one ToolsAction, applied by one SQL function that is
// idempotent by itself (the webhook kit also drops redelivered event ids):
//   checkout.session.completed, paid                 -> complete (card; activates once, if the
//                                                       amount collected is what the purchases cost)
//   checkout.session.completed, unpaid               -> nothing yet (ACH: the debit is processing)
//   checkout.session.async_payment_succeeded         -> complete (ACH cleared)
//   checkout.session.async_payment_failed / expired  -> fail (purchases not paid stay unpaid)
//   charge.refunded, fully refunded                  -> refund (purchases REFUNDED, access ends)
// A card declined inside Checkout is no event of ours: the customer may try
// another card on the same page, and the session's expiry ends it if not.
import { z } from "zod";
import { toMinorUnits } from "../_shared/stripe.ts";
import type { ToolsStore } from "../_shared/tools/store.ts";

export const TOOLS_PURPOSE = "tools_cart";

export type ToolsAction =
  | {
    kind: "complete";
    checkoutRef: string;
    paymentIntent: string | null;
    invoice: string | null;
    accountId: string | null;
    /** What Stripe collected, in minor units, to be checked against the purchases' prices. */
    amountTotal: number | null;
    currency: string | null;
  }
  | { kind: "fail"; checkoutRef: string; accountId: string | null }
  | { kind: "refund"; paymentIntent: string; accountId: string | null }
  | { kind: "none"; reason: string };

const id = z.string().min(1);
const ref = z.union([id, z.object({ id })]).nullish().transform((v) => (v == null ? null : typeof v === "string" ? v : v.id));
const metadata = z.record(z.string(), z.string()).nullish().transform((m) => m ?? {});

const session = z.object({
  id,
  payment_status: z.string(),
  payment_intent: ref,
  invoice: ref,
  amount_total: z.number().int().nonnegative().nullish(),
  currency: z.string().length(3).nullish(),
  metadata,
});
const charge = z.object({ id, payment_intent: ref, amount: z.number().int(), amount_refunded: z.number().int(), metadata });

/** True when a session or charge object is one of our Tools checkouts. */
export function isToolsObject(object: Record<string, unknown>): boolean {
  const meta = object.metadata;
  return !!meta && typeof meta === "object" && (meta as Record<string, unknown>).purpose === TOOLS_PURPOSE;
}

const uuidOrNull = (v: string | undefined) => (v && z.string().uuid().safeParse(v).success ? v : null);

/** What a Tools event asks of the database; throws a message for a malformed object. */
export function toolsAction(type: string, object: unknown): ToolsAction {
  if (type.startsWith("checkout.session.")) {
    const parsed = session.safeParse(object);
    if (!parsed.success) throw new Error(`malformed checkout session: ${parsed.error.issues[0].path.join(".") || "object"}: ${parsed.error.issues[0].message}`);
    const s = parsed.data;
    const checkoutRef = s.metadata.checkout_ref;
    if (!checkoutRef) return { kind: "none", reason: "tools checkout without metadata.checkout_ref" };
    const accountId = uuidOrNull(s.metadata.account_id);
    const complete: ToolsAction = {
      kind: "complete", checkoutRef, paymentIntent: s.payment_intent, invoice: s.invoice, accountId,
      amountTotal: s.amount_total ?? null, currency: s.currency?.toUpperCase() ?? null,
    };
    switch (type) {
      case "checkout.session.completed":
        if (s.payment_status !== "paid") return { kind: "none", reason: `tools checkout ${checkoutRef}: payment ${s.payment_status}; settled by the async payment event` };
        return complete;
      case "checkout.session.async_payment_succeeded":
        return complete;
      case "checkout.session.async_payment_failed":
      case "checkout.session.expired":
        return { kind: "fail", checkoutRef, accountId };
    }
    return { kind: "none", reason: `${type}: not handled for tools checkouts` };
  }
  if (type === "charge.refunded") {
    const parsed = charge.safeParse(object);
    if (!parsed.success) throw new Error(`malformed charge: ${parsed.error.issues[0].path.join(".") || "object"}: ${parsed.error.issues[0].message}`);
    const c = parsed.data;
    if (!c.payment_intent) return { kind: "none", reason: `charge ${c.id} without a payment_intent` };
    // A purchase is refunded whole or not at all: a partial refund is a
    // goodwill credit on the payment and leaves every licence it paid for.
    if (c.amount_refunded < c.amount) {
      return { kind: "none", reason: `charge ${c.id}: partial refund (${c.amount_refunded} of ${c.amount}); purchases stay active` };
    }
    return { kind: "refund", paymentIntent: c.payment_intent, accountId: uuidOrNull(c.metadata.account_id) };
  }
  return { kind: "none", reason: `${type}: not handled for tools checkouts` };
}

/**
 * The session must have collected what the purchases cost: our session is
 * made from the database's prices, so a difference means something else made
 * or changed it. Refused loudly (the event fails and is kept for replay).
 */
async function checkAmount(tools: ToolsStore, action: Extract<ToolsAction, { kind: "complete" }>): Promise<void> {
  if (action.amountTotal == null || !action.currency) throw new Error(`amount_total: tools checkout ${action.checkoutRef} session without an amount`);
  const totals = await tools.checkoutTotals(action.checkoutRef);
  const expected = totals.length === 1 && totals[0]!.currency.toUpperCase() === action.currency
    ? toMinorUnits(totals[0]!.total, action.currency)
    : null;
  if (expected !== action.amountTotal) {
    const owed = totals.map((t) => `${t.total} ${t.currency}`).join(" + ") || "nothing";
    throw new Error(`amount_total: tools checkout ${action.checkoutRef} collected ${action.amountTotal} minor units of ${action.currency}; its purchases cost ${owed}`);
  }
}

/**
 * The session must be one checkout's own: its metadata.account_id is the
 * account whose purchases the ref names, and those were opened for Stripe (card
 * or ACH). Otherwise a session of one account, paid or expiring, would settle
 * another account's checkout, or an invoice or credits order. Refused loudly
 * (the event fails and is kept for replay). An unknown ref is left to the
 * database (PT404).
 */
async function checkOwner(tools: ToolsStore, action: Extract<ToolsAction, { kind: "complete" | "fail" }>): Promise<void> {
  const owners = await tools.checkoutOwners(action.checkoutRef);
  if (owners.length === 0) return;
  const foreign = owners.find((o) => o.account_id !== action.accountId || !STRIPE_METHODS.has(o.payment_method));
  if (foreign) {
    throw new Error(
      `checkout_ref: tools checkout ${action.checkoutRef} (${foreign.payment_method}, account ${foreign.account_id}) is not this session's (account ${action.accountId ?? "none"})`,
    );
  }
}
const STRIPE_METHODS = new Set(["CREDIT_CARD", "ACH"]);

export type ToolsApplied = { outcome: "processed"; accountId: string | null } | { outcome: "ignored"; reason: string; accountId: string | null };

/** Applies an action; throws when the database refused or the payment is not known yet (Stripe retries). */
export async function applyToolsAction(tools: ToolsStore, action: ToolsAction): Promise<ToolsApplied> {
  switch (action.kind) {
    case "none":
      return { outcome: "ignored", reason: action.reason, accountId: null };
    case "complete":
      await checkOwner(tools, action);
      await checkAmount(tools, action);
      // 0 when already completed (a second success event): nothing is activated twice.
      await tools.completeCheckout(action.checkoutRef, action.paymentIntent, action.invoice);
      return { outcome: "processed", accountId: action.accountId };
    case "fail":
      await checkOwner(tools, action);
      // 0 when the checkout was paid already: a late expiry changes nothing.
      await tools.failCheckout(action.checkoutRef);
      return { outcome: "processed", accountId: action.accountId };
    case "refund": {
      const refunded = await tools.refundPayment(action.paymentIntent);
      if (refunded > 0) return { outcome: "processed", accountId: action.accountId };
      // Nothing refunded: either already refunded, or the payment's purchases
      // are not completed yet (events out of order): then retry later.
      if ((await tools.purchasesPaidBy(action.paymentIntent)) === 0) {
        throw new Error(`payment: no tools purchases paid by ${action.paymentIntent} yet`);
      }
      return { outcome: "processed", accountId: action.accountId };
    }
  }
}
