// PayFast ITNs: reading one from the form body (only what the signature
// covers), and applying a verified, confirmed one to billing state.
//
// The signature covers the posted fields up to `signature`. A body with a
// field after `signature`, or a key posted twice, is refused outright: any
// value outside the signed string could otherwise be read instead of the
// signed one (an appended pf_payment_id made a second renewal; an appended
// payment_status=CANCELLED cancelled; an appended m_payment_id paid another
// order). What is applied, and what the server confirmation posts, is built
// from the signed fields only.
import { z } from "zod";
import type { BillingStore, PaymentRow, SubscriptionRow } from "../_shared/billing/store.ts";
import { type Fields, itnParamString, type ServerConfirmation, type SourceValidator } from "../_shared/payfast.ts";
import { applyAndFinish, failed, ignored, type Outcome, processed } from "../_shared/webhook.ts";

// ------------------------------------------------------------------ the signed form

export type SignedForm =
  | { ok: true; /** the fields before `signature`, in the order received */ signed: Fields; signature: string }
  | { ok: false; field: string; message: string };

/** The form body split into its signed fields and signature; refuses repeats and anything after `signature`. */
export function parseSignedForm(body: string): SignedForm {
  const signed: Fields = [];
  const seen = new Set<string>();
  let signature: string | null = null;
  for (const [key, value] of new URLSearchParams(body)) {
    if (signature !== null) return { ok: false, field: key, message: `${key}: posted after signature, so not signed` };
    if (seen.has(key)) return { ok: false, field: key, message: `${key}: posted more than once` };
    seen.add(key);
    if (key === "signature") signature = value;
    else signed.push([key, value]);
  }
  if (signature === null) return { ok: false, field: "signature", message: "signature: required" };
  return { ok: true, signed, signature };
}

/** The exact string the signature covers (without passphrase): what the server confirmation posts. */
export const signedString = (signed: Fields) => itnParamString(signed);

// ------------------------------------------------------------------ the ITN

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optional = z.preprocess(blankToUndefined, z.string().trim().optional());
const required = z.string({ required_error: "required" }).trim().min(1, "required");
const amount = z.preprocess(blankToUndefined, z.string().trim().regex(/^\d+(\.\d{1,2})?$/, "a Rand amount like 149.00").optional());

const fieldsSchema = z.object({
  m_payment_id: optional,
  pf_payment_id: required,
  payment_status: required.transform((s) => s.toUpperCase()),
  amount_gross: amount,
  token: optional,
  billing_date: optional,
  merchant_id: optional,
  custom_str1: optional,
});

interface ItnCommon {
  pfPaymentId: string;
  merchantId: string | null;
  /** custom_str1: the account the checkout was for. */
  accountId: string | null;
  billingDate: string | null;
}

/** Which of our records an ITN is about: an order (m_payment_id, perhaps with a subscription token) or, for a cancellation, only a subscription. */
export type ItnRef =
  | { kind: "order"; mPaymentId: string; token: string | null }
  | { kind: "subscription"; token: string };

export type Itn = ItnCommon & (
  | { status: "CANCELLED"; ref: ItnRef }
  | { status: "COMPLETE" | "FAILED" | "PENDING"; amountGross: string; ref: { kind: "order"; mPaymentId: string; token: string | null } }
  | { status: "UNHANDLED"; reported: string }
);

export const itnSchema = fieldsSchema.transform((v, ctx): Itn => {
  const common: ItnCommon = {
    pfPaymentId: v.pf_payment_id,
    merchantId: v.merchant_id ?? null,
    accountId: v.custom_str1 ?? null,
    billingDate: v.billing_date ?? null,
  };
  const token = v.token ?? null;
  const status = v.payment_status;
  if (status === "CANCELLED") {
    if (v.m_payment_id) return { ...common, status, ref: { kind: "order", mPaymentId: v.m_payment_id, token } };
    if (token) return { ...common, status, ref: { kind: "subscription", token } };
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["m_payment_id"], message: "required" });
    return z.NEVER;
  }
  if (status !== "COMPLETE" && status !== "FAILED" && status !== "PENDING") return { ...common, status: "UNHANDLED", reported: status };
  if (!v.amount_gross) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["amount_gross"], message: "required" });
    return z.NEVER;
  }
  if (!v.m_payment_id) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["m_payment_id"], message: "required" });
    return z.NEVER;
  }
  return { ...common, status, amountGross: v.amount_gross, ref: { kind: "order", mPaymentId: v.m_payment_id, token } };
});

/** How the event is recorded: one per pf_payment_id and status, as PayFast reports it. */
export function itnEventId(itn: Itn): { eventId: string; eventType: string } {
  const status = itn.status === "UNHANDLED" ? itn.reported : itn.status;
  return { eventId: `${itn.pfPaymentId}:${status}`, eventType: `itn.${status}` };
}

// ------------------------------------------------------------------ applying

function toCents(value: string): number {
  const [whole, frac = ""] = value.trim().split(".");
  return Number(whole) * 100 + Number((frac + "00").slice(0, 2));
}

function addInterval(date: Date, interval: "month" | "year", times = 1): Date {
  const d = new Date(date.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  if (interval === "year") d.setUTCFullYear(d.getUTCFullYear() + times);
  else d.setUTCMonth(d.getUTCMonth() + times);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

function parseBillingDate(value: string | null): Date | null {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const d = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

const SETTLED = new Set(["succeeded", "refunded", "partially_refunded"]);
const ENDED = new Set(["canceled", "expired"]);

type Sub = SubscriptionRow & { billing_interval?: "month" | "year"; price?: string };
type Order = PaymentRow & { provider?: string };

export interface ApplyDeps {
  store: BillingStore;
  /** When set, an ITN for another merchant_id fails. */
  merchantId?: string | null;
  now?: () => Date;
}

/**
 * What a subscription payment is: the first payment of the order checkout
 * opened, or a renewal (the subscription exists and its first order is
 * already paid under another pf_payment_id; m_payment_id stays the first one's).
 */
type SubscriptionPayment =
  | { kind: "first"; order: Order; sub: Sub | null; token: string }
  | { kind: "renewal"; sub: Sub; token: string };

/** Applies a verified, confirmed ITN. Throws on database errors (the caller records them as failed). */
export async function applyItn(deps: ApplyDeps, itn: Itn): Promise<Outcome> {
  const { store } = deps;
  const now = deps.now?.() ?? new Date();

  if (deps.merchantId && itn.merchantId && itn.merchantId !== deps.merchantId) {
    return failed(`merchant_id: ${itn.merchantId} is not our merchant`);
  }
  if (itn.status === "UNHANDLED") return ignored(`payment_status: ${itn.reported} is not handled`);

  const ref = itn.ref;
  const token = ref.token;
  const order = ref.kind === "order" ? await store.paymentByCheckoutRef(ref.mPaymentId) as Order | null : null;
  const sub = token ? await store.subscriptionByProviderId("payfast", token) as Sub | null : null;

  if (itn.status === "CANCELLED") {
    if (token) {
      if (order) {
        const checked = checkOrder(order, itn);
        if (checked) return checked;
      }
      if (!sub) return ignored(`token: unknown subscription ${token}`, order?.account_id ?? null);
      await store.upsertSubscription({
        provider: "payfast", providerSubscriptionId: token, accountId: sub.account_id, planId: sub.plan_id,
        status: "canceled", stateAt: now, interval: sub.billing_interval ?? order?.billing_interval ?? "month",
      });
      return processed(sub.account_id);
    }
    if (!order) return failed(`m_payment_id: no order ${ref.kind === "order" ? ref.mPaymentId : ""}`);
    const checked = checkOrder(order, itn);
    if (checked) return checked;
    if (order.status !== "pending") return ignored(`order is already ${order.status}`, order.account_id);
    await store.recordPayment({
      provider: "payfast", providerRef: itn.pfPaymentId, checkoutRef: order.checkout_ref, accountId: order.account_id,
      purpose: order.purpose as "credit_pack" | "subscription", amount: null, currency: "ZAR", status: "canceled",
      planId: order.plan_id, creditPackId: order.credit_pack_id,
    });
    return processed(order.account_id);
  }

  // COMPLETE, FAILED or PENDING: always about an order.
  if (!order) return failed(`m_payment_id: no order ${itn.ref.mPaymentId}`);
  const checked = checkOrder(order, itn);
  if (checked) return checked;
  const accountId = sub?.account_id ?? order.account_id;
  const status = itn.status;

  const renewal = !!(sub && SETTLED.has(order.status) && order.provider_ref && order.provider_ref !== itn.pfPaymentId);
  // A renewal costs what the order it renews cost (the plan price for its interval).
  const expected = order.amount;
  if ((order.currency ?? "ZAR").trim() !== "ZAR") return failed(`currency: the order is in ${order.currency}, PayFast pays ZAR`, accountId);
  if (!expected || toCents(itn.amountGross) !== toCents(String(expected))) {
    return failed(`amount_gross: ${itn.amountGross} does not match the order's ${expected ?? "unknown"} ZAR`, accountId);
  }
  const paid = itn.amountGross;

  if (order.purpose === "credit_pack") {
    await store.recordPayment({
      provider: "payfast", providerRef: itn.pfPaymentId, checkoutRef: order.checkout_ref, accountId, purpose: "credit_pack",
      amount: paid, currency: "ZAR", creditPackId: order.credit_pack_id,
      status: status === "COMPLETE" ? "succeeded" : status === "FAILED" ? "failed" : "pending",
      failureReason: status === "FAILED" ? "PayFast reported the payment as FAILED" : null,
    });
    return processed(accountId);
  }

  if (!token) return failed("token: a subscription payment must carry the subscription token", accountId);
  const payment: SubscriptionPayment = renewal && sub ? { kind: "renewal", sub, token } : { kind: "first", order, sub, token };
  const interval = order.billing_interval ?? sub?.billing_interval ?? "month";
  return await applySubscriptionPayment(store, itn.pfPaymentId, status, paid, itn.billingDate, payment, interval, now);
}

/** An order that is not a PayFast order, or not the account the ITN names, fails. */
function checkOrder(order: Order, itn: Itn): Outcome | null {
  if (order.provider && order.provider !== "payfast") return failed(`m_payment_id: order ${order.checkout_ref} is not a PayFast order`, order.account_id);
  if (itn.accountId && itn.accountId !== order.account_id) return failed(`custom_str1: ${itn.accountId} is not the order's account`, order.account_id);
  return null;
}

async function applySubscriptionPayment(
  store: BillingStore,
  pfRef: string,
  status: "COMPLETE" | "FAILED" | "PENDING",
  paid: string,
  billingDate: string | null,
  p: SubscriptionPayment,
  interval: "month" | "year",
  now: Date,
): Promise<Outcome> {
  const sub = p.sub;
  const accountId = sub?.account_id ?? (p.kind === "first" ? p.order.account_id : null);
  const planId = sub?.plan_id ?? (p.kind === "first" ? p.order.plan_id : null);
  // A renewal is a payment of its own: m_payment_id belongs to the first payment.
  const refs = { providerRef: pfRef, checkoutRef: p.kind === "first" ? p.order.checkout_ref : null };
  const base = { provider: "payfast" as const, ...refs, accountId, purpose: "subscription" as const, amount: paid, currency: "ZAR", planId };

  if (status === "PENDING") {
    await store.recordPayment({ ...base, status: "pending", subscriptionId: sub?.id ?? null });
    return processed(accountId);
  }

  if (status === "FAILED") {
    await store.recordPayment({
      ...base, status: "failed", subscriptionId: sub?.id ?? null, failureReason: "PayFast reported the payment as FAILED",
    });
    if (sub && !ENDED.has(sub.status)) {
      await store.upsertSubscription({
        provider: "payfast", providerSubscriptionId: p.token, accountId: sub.account_id, planId: sub.plan_id,
        status: "past_due", stateAt: now, interval,
      });
    }
    return processed(accountId);
  }

  if (p.kind === "first") {
    let subscriptionId = sub?.id ?? null;
    const alreadyApplied = sub && p.order.status === "succeeded" && p.order.provider_ref === pfRef;
    if (!alreadyApplied) {
      const periodStart = parseBillingDate(billingDate) ?? now;
      const { subscription } = await store.upsertSubscription({
        provider: "payfast", providerSubscriptionId: p.token, accountId, planId: p.order.plan_id,
        status: "active", stateAt: now, interval, periodStart, periodEnd: addInterval(periodStart, interval),
      });
      subscriptionId = subscription.id;
    }
    await store.recordPayment({ ...base, planId: p.order.plan_id, status: "succeeded", subscriptionId });
    return processed(accountId);
  }

  // Renewal: record the payment (credits for the period, renewal notice), then
  // extend the period. The new end is max(current end, first recording of
  // this payment + one interval), so applying the same ITN twice extends once.
  const payment = await store.recordPayment({
    ...base, status: "succeeded", subscriptionId: p.sub.id, description: "PayFast subscription renewal",
  }) as PaymentRow & { created_at?: Date | string };
  const chargedAt = payment.created_at ? new Date(payment.created_at) : now;
  const currentEnd = p.sub.current_period_end ? new Date(p.sub.current_period_end) : null;
  const candidateEnd = addInterval(chargedAt, interval);
  const periodEnd = currentEnd && currentEnd > candidateEnd ? currentEnd : candidateEnd;
  await store.upsertSubscription({
    provider: "payfast", providerSubscriptionId: p.token, accountId: p.sub.account_id, planId: p.sub.plan_id,
    status: ENDED.has(p.sub.status) ? p.sub.status : "active", stateAt: now, interval,
    periodStart: addInterval(periodEnd, interval, -1), periodEnd,
  });
  return processed(accountId);
}

// ------------------------------------------------------------------ after the 200

export interface PayfastItnDeps extends ApplyDeps {
  /** The merchant passphrase (null: the merchant has none). */
  passphrase: string | null;
  sourceValidator: SourceValidator;
  confirmation: ServerConfirmation;
  /** Keeps the post-answer processing alive (EdgeRuntime.waitUntil on Supabase). */
  waitUntil: (promise: Promise<unknown>) => void;
  /** The header holding the client address (default: TRUSTED_CLIENT_IP_HEADER or cf-connecting-ip). */
  clientIpHeader?: string;
}

/** How a genuine ITN is stored: the signed fields in the order received (jsonb would not keep object key order), and the signature. */
export interface StoredItn {
  fields: Fields;
  signature: string;
}

export function storedItn(signed: Fields, signature: string): StoredItn {
  return { fields: signed, signature };
}

/** A stored ITN back as its signed fields, or null if the payload is not one. */
export function itnFromStored(payload: unknown): { signed: Fields; signature: string; itn: Itn } | null {
  const p = payload as Partial<StoredItn> | null;
  if (!p || !Array.isArray(p.fields) || typeof p.signature !== "string") return null;
  if (!p.fields.every((f) => Array.isArray(f) && f.length === 2 && f.every((x) => typeof x === "string"))) return null;
  const parsed = itnSchema.safeParse(Object.fromEntries(p.fields));
  return parsed.success ? { signed: p.fields as Fields, signature: p.signature, itn: parsed.data } : null;
}

/**
 * Server confirmation (PayFast must answer VALID for exactly the signed
 * string), then apply, then finish the event. Used after the 200 and by a replay.
 */
export function processItn(deps: PayfastItnDeps, billingEventId: string, itn: Itn, signed: Fields, signature: string): Promise<Outcome> {
  const label = `payfast-itn: ${itnEventId(itn).eventId}`;
  return applyAndFinish(deps.store, billingEventId, async () => {
    const confirmed = await deps.confirmation.confirm([...signed, ["signature", signature]]).catch((error) => {
      console.error("payfast-itn: server confirmation:", error);
      return false;
    });
    return confirmed ? await applyItn(deps, itn) : failed("server confirmation failed");
  }, label);
}
