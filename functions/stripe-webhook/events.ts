// Stripe events into billing state: the schemas of what we read, and one
// apply function per event type. Each returns an Outcome (functions/_shared/webhook.ts):
// processed, or ignored with the reason (not ours, not handled, genuine but
// malformed: a retry would bring the same bytes). A database refusal or a
// dependency not there yet (an invoice for a subscription we have not seen)
// throws, so the event is failed and Stripe retries; every effect is
// idempotent, so a retry is safe.
import { z } from "zod";
import type { BillingStore, SubscriptionStatus } from "../_shared/billing/store.ts";
import type { ToolsStore } from "../_shared/tools/store.ts";
import { fromMinorUnits } from "../_shared/stripe.ts";
import { type Claim, ignored, type Outcome, STORED_PREFIX_CHARS, storable } from "../_shared/webhook.ts";
import { applyToolsAction, isToolsObject, toolsAction } from "./tools-events.ts";

/** The event is genuine but we do not act on it; finished as 'ignored' with this reason. */
class Ignored extends Error {}

type Applied = Extract<Outcome, { outcome: "processed" }>;

// ------------------------------------------------------------ schemas (only what we read)

const id = z.string().min(1);
/** An expandable field: an id, or the expanded object with its id. */
const ref = z.union([id, z.object({ id })]).nullish().transform((v) => (v == null ? null : typeof v === "string" ? v : v.id));
const metadata = z.record(z.string(), z.string()).nullish().transform((m) => m ?? {});
const minor = z.number().int().nonnegative();
const epoch = z.number().int().nullish().transform((s) => (s == null ? null : new Date(s * 1000)));
const uuid = z.string().uuid();

const envelope = z.object({
  id,
  type: z.string().min(1),
  created: z.number().int(),
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});

const checkoutSession = z.object({
  id,
  mode: z.enum(["payment", "subscription", "setup"]),
  payment_intent: ref,
  subscription: ref,
  customer: ref,
  amount_total: minor.nullish(),
  currency: z.string().length(3).nullish(),
  payment_status: z.string(),
  metadata,
});

const subscription = z.object({
  id,
  status: z.string(),
  customer: ref,
  metadata,
  cancel_at_period_end: z.boolean().nullish(),
  trial_end: epoch,
  current_period_start: epoch,
  current_period_end: epoch,
  items: z.object({
    data: z.array(z.object({
      price: z.object({ id, recurring: z.object({ interval: z.string() }).nullish() }).nullish(),
      current_period_start: epoch,
      current_period_end: epoch,
    })),
  }).nullish(),
});

const invoice = z.object({
  id,
  subscription: ref,
  billing_reason: z.string().nullish(),
  subscription_details: z.object({ metadata }).nullish(),
  parent: z.object({
    subscription_details: z.object({ subscription: ref, metadata }).nullish(),
  }).nullish(),
  amount_paid: minor,
  amount_due: minor,
  currency: z.string().length(3),
  last_finalization_error: z.object({ message: z.string().nullish() }).nullish(),
});

const charge = z.object({
  id,
  payment_intent: ref,
  invoice: ref,
  amount: minor,
  amount_refunded: minor,
  currency: z.string().length(3),
  metadata,
  refunds: z.object({
    data: z.array(z.object({
      id,
      amount: minor,
      reason: z.string().nullish(),
      status: z.string().nullish(),
    })),
  }).nullish(),
});

function parse<T extends z.ZodTypeAny>(schema: T, value: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Ignored(`malformed ${what}: ${issue.path.join(".") || "object"}: ${issue.message}`);
  }
  return parsed.data;
}

// ------------------------------------------------------------ applying events

type Event = z.output<typeof envelope>;

const SUBSCRIPTION_STATUS: Record<string, SubscriptionStatus> = {
  trialing: "trialing",
  active: "active",
  past_due: "past_due",
  paused: "paused",
  canceled: "canceled",
  unpaid: "past_due",
  incomplete: "past_due",
  incomplete_expired: "expired",
};

function optionalUuid(value: string | undefined, field: string): string | null {
  if (!value) return null;
  if (!uuid.safeParse(value).success) throw new Ignored(`malformed metadata.${field}: not a uuid`);
  return value;
}

async function applyCheckoutSession(store: BillingStore, event: Event): Promise<Applied> {
  const session = parse(checkoutSession, event.data.object, "checkout session");
  const meta = session.metadata;
  const accountId = optionalUuid(meta.account_id, "account_id");
  if (!accountId) throw new Ignored("not a Domus checkout: no metadata.account_id");

  if (session.mode === "payment") {
    if (meta.purpose !== "credit_pack") throw new Ignored(`payment checkout for "${meta.purpose ?? ""}": not handled`);
    // Without our order reference the amount could not be checked against the catalogue.
    if (!meta.checkout_ref) throw new Ignored("credit pack checkout without metadata.checkout_ref");
    if (session.amount_total == null || !session.currency) throw new Ignored("malformed checkout session: no amount_total or currency");
    const status = event.type === "checkout.session.async_payment_failed"
      ? "failed"
      : session.payment_status === "paid" || event.type === "checkout.session.async_payment_succeeded"
      ? "succeeded"
      : "pending";
    const payment = await store.recordPayment({
      provider: "stripe",
      providerRef: session.payment_intent,
      checkoutRef: meta.checkout_ref,
      accountId,
      purpose: "credit_pack",
      amount: fromMinorUnits(session.amount_total, session.currency),
      currency: session.currency.toUpperCase(),
      status,
      creditPackId: optionalUuid(meta.credit_pack_id, "credit_pack_id"),
      failureReason: status === "failed" ? "async_payment_failed" : null,
    });
    return { outcome: "processed", accountId: payment.account_id };
  }

  if (session.mode === "subscription") {
    if (event.type !== "checkout.session.completed") throw new Ignored("subscription checkouts are settled by invoice events");
    if (!session.subscription) throw new Ignored("malformed checkout session: subscription mode without a subscription");
    // customer.subscription.* events carry Stripe's own state (trialing,
    // periods, interval); when one already created the row, the session,
    // which only implies 'active', must not overwrite it.
    const known = await store.subscriptionByProviderId("stripe", session.subscription);
    if (known) return { outcome: "processed", accountId: known.account_id };
    // Our order (from checkout) says which plan and interval were bought.
    const order = meta.checkout_ref ? await store.paymentByCheckoutRef(meta.checkout_ref) : null;
    const { subscription: sub } = await store.upsertSubscription({
      provider: "stripe",
      providerSubscriptionId: session.subscription,
      accountId,
      planId: optionalUuid(meta.plan_id, "plan_id") ?? order?.plan_id ?? null,
      status: "active",
      stateAt: new Date(event.created * 1000),
      interval: order?.billing_interval ?? (meta.billing_interval === "year" ? "year" : "month"),
      customerRef: session.customer,
    });
    return { outcome: "processed", accountId: sub.account_id };
  }

  throw new Ignored(`checkout mode ${session.mode}: not handled`);
}

async function applySubscription(store: BillingStore, event: Event): Promise<Applied> {
  const sub = parse(subscription, event.data.object, "subscription");
  const status = event.type === "customer.subscription.deleted" ? "canceled" : SUBSCRIPTION_STATUS[sub.status];
  if (!status) throw new Ignored(`unknown subscription status "${sub.status}"`);

  const item = sub.items?.data[0];
  const byPrice = item?.price ? await store.planByStripePrice(item.price.id) : null;
  const planId = byPrice?.id ?? optionalUuid(sub.metadata.plan_id, "plan_id");
  const recurring = item?.price?.recurring?.interval;
  const interval = byPrice?.interval ?? (recurring === "year" ? "year" : recurring === "month" ? "month" : undefined);
  const accountId = optionalUuid(sub.metadata.account_id, "account_id") ??
    (sub.customer ? await store.accountByCustomer("stripe", sub.customer) : null);

  const known = await store.subscriptionByProviderId("stripe", sub.id);
  if (!known && !planId && !accountId) {
    throw new Ignored(`not a Domus subscription: price ${item?.price?.id ?? "none"} and customer ${sub.customer} are unknown`);
  }
  // A known plan but an unknown account can be an ordering problem (the
  // checkout that links the customer has not arrived yet): the database
  // refuses it, the event fails and Stripe retries.
  const { subscription: row } = await store.upsertSubscription({
    provider: "stripe",
    providerSubscriptionId: sub.id,
    accountId,
    planId,
    status,
    // The database keeps the newest state: an older event delivered late
    // (smaller event.created) changes nothing.
    stateAt: new Date(event.created * 1000),
    // Stripe prices always carry recurring.interval; 'month' only if a price has none.
    interval: interval ?? "month",
    // API versions from 2025-03 moved the period onto the items.
    periodStart: sub.current_period_start ?? item?.current_period_start ?? null,
    periodEnd: sub.current_period_end ?? item?.current_period_end ?? null,
    cancelAtPeriodEnd: sub.cancel_at_period_end ?? false,
    customerRef: sub.customer,
    trialEnd: sub.trial_end,
  });
  return { outcome: "processed", accountId: row.account_id };
}

async function applyInvoice(store: BillingStore, event: Event): Promise<Applied> {
  const inv = parse(invoice, event.data.object, "invoice");
  // API versions from 2025-03 moved the subscription under parent.subscription_details.
  const subscriptionId = inv.subscription ?? inv.parent?.subscription_details?.subscription ?? null;
  if (!subscriptionId) throw new Ignored("invoice without a subscription: not handled");
  const failed = event.type === "invoice.payment_failed";
  const amount = failed ? inv.amount_due : inv.amount_paid;
  if (amount === 0) throw new Ignored("zero-amount invoice: nothing was paid");

  const sub = await store.subscriptionByProviderId("stripe", subscriptionId);
  // Invoice events can arrive before the subscription events (or the
  // checkout) that create the subscription here. Failing makes Stripe
  // retry later, when the subscription exists.
  if (!sub) throw new Error(`subscription: ${subscriptionId} is not known yet`);

  // The first invoice settles the order our checkout opened (its ref rides in
  // the subscription's metadata); renewals are payments of their own.
  const subMeta = inv.parent?.subscription_details?.metadata ?? inv.subscription_details?.metadata ?? {};
  const checkoutRef = inv.billing_reason === "subscription_create" && typeof subMeta?.checkout_ref === "string"
    ? subMeta.checkout_ref
    : null;

  const payment = await store.recordPayment({
    provider: "stripe",
    providerRef: inv.id,
    checkoutRef,
    accountId: sub.account_id,
    purpose: "subscription",
    amount: fromMinorUnits(amount, inv.currency),
    currency: inv.currency.toUpperCase(),
    status: failed ? "failed" : "succeeded",
    planId: sub.plan_id,
    subscriptionId: sub.id,
    failureReason: failed ? inv.last_finalization_error?.message || "payment_failed" : null,
  });
  return { outcome: "processed", accountId: payment.account_id };
}

async function applyChargeRefunded(store: BillingStore, event: Event): Promise<Applied> {
  const ch = parse(charge, event.data.object, "charge");
  const refs = [ch.payment_intent, ch.invoice, ch.id].filter((r): r is string => !!r);
  const payment = await store.paymentByProviderRef("stripe", refs);
  if (!payment) {
    // A charge made through our checkout carries our metadata: its payment
    // may not be recorded yet (events out of order), so retry. Others are
    // not ours.
    if (ch.metadata.account_id) throw new Error(`payment: no payment for charge ${ch.id} yet`);
    throw new Ignored(`no Domus payment for charge ${ch.id} (${refs.join(", ")})`);
  }
  const currency = ch.currency.toUpperCase();
  if (currency !== payment.currency) {
    throw new Error(`currency: refund in ${currency} for a payment in ${payment.currency}`);
  }

  if (ch.refunds) {
    for (const refund of ch.refunds.data) {
      if (refund.status === "failed" || refund.status === "canceled") continue;
      await store.recordRefund("stripe", refund.id, payment.id, fromMinorUnits(refund.amount, currency), refund.reason ?? null);
    }
  } else {
    // Newer API versions do not include the refunds list, only the charge's
    // running total. The database records the part not yet recorded while it
    // holds the payment's lock, so two such events delivered at once both
    // apply exactly (the later total records only the difference, an older
    // or repeated total nothing). Keyed by the total, so a redelivery records nothing.
    await store.recordRefundedTotal("stripe", `${ch.id}:${ch.amount_refunded}`, payment.id, fromMinorUnits(ch.amount_refunded, currency), null);
  }
  return { outcome: "processed", accountId: payment.account_id };
}

async function applyTools(tools: ToolsStore | null, event: Event): Promise<Outcome> {
  let action;
  try {
    action = toolsAction(event.type, event.data.object);
  } catch (error) {
    throw new Ignored((error as Error).message);
  }
  // Failing (not ignoring) keeps the event replayable once the store is wired.
  if (!tools) throw new Error("tools: this webhook has no tools store; the event is kept for replay");
  const applied = await applyToolsAction(tools, action);
  return applied.outcome === "ignored" ? ignored(applied.reason, applied.accountId) : applied;
}

/** Events a Tools cart checkout produces; any other object with Tools metadata is not ours to apply. */
const TOOLS_EVENTS = new Set([
  "checkout.session.completed",
  "checkout.session.async_payment_succeeded",
  "checkout.session.async_payment_failed",
  "checkout.session.expired",
  "charge.refunded",
]);

const HANDLERS: Record<string, (store: BillingStore, event: Event) => Promise<Applied>> = {
  "checkout.session.completed": applyCheckoutSession,
  "checkout.session.async_payment_succeeded": applyCheckoutSession,
  "checkout.session.async_payment_failed": applyCheckoutSession,
  "customer.subscription.created": applySubscription,
  "customer.subscription.updated": applySubscription,
  "customer.subscription.deleted": applySubscription,
  "invoice.paid": applyInvoice,
  "invoice.payment_succeeded": applyInvoice,
  "invoice.payment_failed": applyInvoice,
  "charge.refunded": applyChargeRefunded,
};

/**
 * Applies a genuine event: processed or ignored; throws when it failed (Stripe
 * retries). Tools cart checkouts (metadata.purpose "tools_cart") go to the
 * Tools store, everything else to billing.
 */
export async function applyEvent(store: BillingStore, event: Event, tools: ToolsStore | null = null): Promise<Outcome> {
  try {
    if (TOOLS_EVENTS.has(event.type) && isToolsObject(event.data.object)) return await applyTools(tools, event);
    // A refund of a Tools payment whose charge lacks our metadata: the purchases know the payment.
    if (event.type === "charge.refunded" && tools) {
      const pi = ref.safeParse(event.data.object.payment_intent);
      if (pi.success && pi.data && (await tools.purchasesPaidBy(pi.data)) > 0) return await applyTools(tools, event);
    }
    const handler = HANDLERS[event.type];
    if (!handler) return ignored(`event type ${event.type}: not handled`);
    return await handler(store, event);
  } catch (error) {
    if (error instanceof Ignored) return ignored(error.message);
    throw error;
  }
}

export { envelope };
export type { Event };

const MAX_PARSED_REJECTED = 64 * 1024;

/** What a refused or unreadable body claims to be: kept for the log, never trusted. */
export function claimOf(raw: string, tooLarge: boolean): Claim {
  let payload: unknown;
  try {
    payload = !tooLarge && raw.length <= MAX_PARSED_REJECTED ? JSON.parse(raw) : { truncated: true, raw: raw.slice(0, STORED_PREFIX_CHARS) };
  } catch {
    payload = { raw: raw.slice(0, STORED_PREFIX_CHARS) };
  }
  const obj = payload && typeof payload === "object" && !Array.isArray(payload) ? payload as Record<string, unknown> : {};
  const text = (v: unknown) => (typeof v === "string" && v.length > 0 && v.length <= 255 ? v : null);
  return { payload: storable(payload), eventId: text(obj.id), eventType: text(obj.type) ?? "unknown" };
}
