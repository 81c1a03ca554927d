// POST /functions/v1/payfast-itn — PayFast's Instant Transaction
// Notifications (form-urlencoded). Public (verify_jwt = false): PayFast signs
// the fields instead.
//
// Before answering (PayFast wants a quick 200 and retries anything else):
//   1. parse the body keeping the field order (the signature depends on it);
//   2. required fields (400 naming the field);
//   3. signature (MD5, passphrase) and source address (a PayFast host);
//      either failing is recorded as a 'rejected' event and answered 400;
//   4. record the event once per `${pf_payment_id}:${payment_status}`; a
//      redelivery of an applied ITN is recorded as 'duplicate' and answered 200.
// Then, after answering (waitUntil):
//   5. server confirmation: PayFast must answer VALID for exactly these fields;
//   6. the amount must equal our order's (a renewal: the plan price the
//      original order was for);
//   7. apply through functions/_shared/billing/store.ts (each call atomic and
//      idempotent in Postgres) and finish the event: processed, ignored or
//      failed with the reason. A failure after the 200 stays in
//      billing_events as 'failed' with its error; replaying the same ITN is
//      safe (record_event lets a failed event apply again).
import { z } from "zod";
import { type BillingStore, billingStore, type EventOutcome, type PaymentRow, type SubscriptionRow } from "../_shared/billing/store.ts";
import { connect } from "../_shared/db.ts";
import { requireEnv } from "../_shared/env.ts";
import { errorResponse, HttpError, json, withErrors } from "../_shared/http.ts";
import {
  type Fields,
  localConfirmation,
  localSourceValidator,
  payfastConfig,
  payfastServerConfirmation,
  payfastSourceValidator,
  PAYFAST_VALIDATE_HOST,
  type ServerConfirmation,
  type SourceValidator,
  verifyItnSignature,
} from "../_shared/payfast.ts";

export interface PayfastItnDeps {
  store: BillingStore;
  /** The merchant passphrase (null: the merchant has none). */
  passphrase: string | null;
  sourceValidator: SourceValidator;
  confirmation: ServerConfirmation;
  /** Keeps the post-answer processing alive (EdgeRuntime.waitUntil on Supabase). */
  waitUntil: (promise: Promise<unknown>) => void;
  /** When set, an ITN for another merchant_id is refused during processing. */
  merchantId?: string | null;
  now?: () => Date;
}

/** What Deno.serve passes as the handler's second argument (only remoteAddr is used). */
export interface ServeInfo {
  remoteAddr?: { hostname?: string };
}

const optional = z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), z.string().trim().optional());
const amount = /^\d+(\.\d{1,2})?$/;

const itnSchema = z
  .object({
    m_payment_id: optional,
    pf_payment_id: z.string({ required_error: "required" }).trim().min(1, "required"),
    payment_status: z.string({ required_error: "required" }).trim().min(1, "required").transform((s) => s.toUpperCase()),
    amount_gross: z.preprocess(
      (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
      z.string().trim().regex(amount, "a Rand amount like 149.00").optional(),
    ),
    signature: z.string({ required_error: "required" }).trim().regex(/^[0-9a-fA-F]{32}$/, "an MD5 hex signature"),
    token: optional,
    billing_date: optional,
    merchant_id: optional,
    custom_str1: optional,
    custom_str2: optional,
    custom_str3: optional,
    item_name: optional,
  })
  .superRefine((v, ctx) => {
    if (v.payment_status !== "CANCELLED" && !v.amount_gross) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["amount_gross"], message: "required" });
    }
    if (!v.m_payment_id && !(v.payment_status === "CANCELLED" && v.token)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["m_payment_id"], message: "required" });
    }
  });

export type Itn = z.infer<typeof itnSchema>;

/** The form body as ordered [key, value] pairs (URLSearchParams keeps order and decodes + as space). */
export function parseForm(body: string): Fields {
  return [...new URLSearchParams(body).entries()];
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const IPV6 = /^[0-9a-fA-F:.]*:[0-9a-fA-F:.]*$/;

/**
 * The sender's address: the first x-forwarded-for entry (set by Supabase's
 * gateway, as private.request_ip() reads it), else the socket's peer.
 */
export function sourceIpOf(req: Request, info?: ServeInfo): string | null {
  const forwarded = req.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  const candidate = forwarded || info?.remoteAddr?.hostname || "";
  const ip = candidate.replace(/^\[|\]$/g, "");
  return IPV4.test(ip) || IPV6.test(ip) ? ip : null;
}

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

function parseBillingDate(value: string | undefined): Date | null {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const d = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

const SETTLED = new Set(["succeeded", "refunded", "partially_refunded"]);
const ENDED = new Set(["canceled", "expired"]);

interface Outcome {
  outcome: EventOutcome;
  error?: string | null;
  accountId?: string | null;
}

type Sub = SubscriptionRow & { billing_interval?: "month" | "year"; price?: string };
type Order = PaymentRow & { provider?: string };

/** Applies a verified, confirmed ITN. Throws on database errors (the caller records them). */
export async function applyItn(deps: PayfastItnDeps, itn: Itn): Promise<Outcome> {
  const { store } = deps;
  const now = deps.now?.() ?? new Date();
  const pfRef = itn.pf_payment_id;
  const status = itn.payment_status;
  const token = itn.token ?? null;

  if (deps.merchantId && itn.merchant_id && itn.merchant_id !== deps.merchantId) {
    return { outcome: "failed", error: `merchant_id: ${itn.merchant_id} is not our merchant` };
  }

  const order = (itn.m_payment_id ? await store.paymentByCheckoutRef(itn.m_payment_id) : null) as Order | null;
  const sub = (token ? await store.subscriptionByProviderId("payfast", token) : null) as Sub | null;
  if (!order && !sub) {
    return { outcome: "failed", error: itn.m_payment_id ? `m_payment_id: no order ${itn.m_payment_id}` : `token: unknown subscription ${token}` };
  }
  if (order && order.provider && order.provider !== "payfast") {
    return { outcome: "failed", error: `m_payment_id: order ${itn.m_payment_id} is not a PayFast order`, accountId: order.account_id };
  }
  const accountId = sub?.account_id ?? order!.account_id;
  if (order && itn.custom_str1 && itn.custom_str1 !== order.account_id) {
    return { outcome: "failed", error: `custom_str1: ${itn.custom_str1} is not the order's account`, accountId };
  }
  const interval: "month" | "year" = order?.billing_interval ?? sub?.billing_interval ?? "month";

  // A renewal: the subscription exists and the order it started from is
  // already paid under another pf_payment_id (m_payment_id stays the first one's).
  const renewal = !!(token && sub && (!order || (SETTLED.has(order.status) && order.provider_ref && order.provider_ref !== pfRef)));

  if (status === "CANCELLED") {
    if (token) {
      if (!sub) return { outcome: "ignored", error: `token: unknown subscription ${token}`, accountId };
      await store.upsertSubscription({
        provider: "payfast", providerSubscriptionId: token, accountId: sub.account_id, planId: sub.plan_id,
        status: "canceled", stateAt: now, interval,
      });
      return { outcome: "processed", accountId };
    }
    if (order!.status !== "pending") return { outcome: "ignored", error: `order is already ${order!.status}`, accountId };
    await store.recordPayment({
      provider: "payfast", providerRef: pfRef, checkoutRef: itn.m_payment_id, accountId, purpose: order!.purpose as "credit_pack",
      amount: null, currency: "ZAR", status: "canceled", planId: order!.plan_id, creditPackId: order!.credit_pack_id,
    });
    return { outcome: "processed", accountId };
  }

  if (!["COMPLETE", "FAILED", "PENDING"].includes(status)) {
    return { outcome: "ignored", error: `payment_status: ${status} is not handled`, accountId };
  }

  // Amount: what the order (or, for a renewal, the plan price it was for) costs.
  const expected = order?.amount ?? sub?.price ?? null;
  const currency = order?.currency ?? "ZAR";
  if (currency.trim() !== "ZAR") return { outcome: "failed", error: `currency: the order is in ${currency}, PayFast pays ZAR`, accountId };
  if (!expected || toCents(itn.amount_gross!) !== toCents(String(expected))) {
    return { outcome: "failed", error: `amount_gross: ${itn.amount_gross} does not match the order's ${expected ?? "unknown"} ZAR`, accountId };
  }
  const paid = itn.amount_gross!;
  const purpose = (order?.purpose ?? "subscription") as "subscription" | "credit_pack";

  if (purpose === "subscription" && !token) {
    return { outcome: "failed", error: "token: a subscription payment must carry the subscription token", accountId };
  }

  if (purpose === "credit_pack") {
    await store.recordPayment({
      provider: "payfast", providerRef: pfRef, checkoutRef: itn.m_payment_id, accountId, purpose: "credit_pack",
      amount: paid, currency: "ZAR", creditPackId: order!.credit_pack_id,
      status: status === "COMPLETE" ? "succeeded" : status === "FAILED" ? "failed" : "pending",
      failureReason: status === "FAILED" ? "PayFast reported the payment as FAILED" : null,
    });
    return { outcome: "processed", accountId };
  }

  // ---- subscriptions (token present)
  const planId = sub?.plan_id ?? order!.plan_id;
  const refs = renewal
    ? { providerRef: pfRef, checkoutRef: null } // m_payment_id belongs to the first payment
    : { providerRef: pfRef, checkoutRef: itn.m_payment_id ?? null };

  if (status === "PENDING") {
    await store.recordPayment({
      provider: "payfast", ...refs, accountId, purpose: "subscription", amount: paid, currency: "ZAR",
      status: "pending", planId, subscriptionId: sub?.id ?? null,
    });
    return { outcome: "processed", accountId };
  }

  if (status === "FAILED") {
    await store.recordPayment({
      provider: "payfast", ...refs, accountId, purpose: "subscription", amount: paid, currency: "ZAR",
      status: "failed", planId, subscriptionId: sub?.id ?? null, failureReason: "PayFast reported the payment as FAILED",
    });
    if (sub && !ENDED.has(sub.status)) {
      await store.upsertSubscription({
        provider: "payfast", providerSubscriptionId: token!, accountId: sub.account_id, planId: sub.plan_id,
        status: "past_due", stateAt: now, interval,
      });
    }
    return { outcome: "processed", accountId };
  }

  // COMPLETE
  if (!renewal) {
    let subscriptionId = sub?.id ?? null;
    const alreadyApplied = sub && order!.status === "succeeded" && order!.provider_ref === pfRef;
    if (!alreadyApplied) {
      const periodStart = parseBillingDate(itn.billing_date) ?? now;
      const { subscription } = await store.upsertSubscription({
        provider: "payfast", providerSubscriptionId: token!, accountId, planId: order!.plan_id,
        status: "active", stateAt: now, interval, periodStart, periodEnd: addInterval(periodStart, interval),
      });
      subscriptionId = subscription.id;
    }
    await store.recordPayment({
      provider: "payfast", ...refs, accountId, purpose: "subscription", amount: paid, currency: "ZAR",
      status: "succeeded", planId: order!.plan_id, subscriptionId,
    });
    return { outcome: "processed", accountId };
  }

  // Renewal: record the payment (credits for the period, renewal notice), then
  // extend the period. The new end is max(current end, first recording of
  // this payment + one interval), so applying the same ITN twice extends once.
  const payment = await store.recordPayment({
    provider: "payfast", ...refs, accountId, purpose: "subscription", amount: paid, currency: "ZAR",
    status: "succeeded", planId, subscriptionId: sub!.id, description: "PayFast subscription renewal",
  }) as PaymentRow & { created_at?: Date | string };
  const chargedAt = payment.created_at ? new Date(payment.created_at) : now;
  const currentEnd = sub!.current_period_end ? new Date(sub!.current_period_end) : null;
  const candidateEnd = addInterval(chargedAt, interval);
  const periodEnd = currentEnd && currentEnd > candidateEnd ? currentEnd : candidateEnd;
  await store.upsertSubscription({
    provider: "payfast", providerSubscriptionId: token!, accountId: sub!.account_id, planId: sub!.plan_id,
    status: ENDED.has(sub!.status) ? sub!.status : "active", stateAt: now, interval,
    periodStart: addInterval(periodEnd, interval, -1), periodEnd,
  });
  return { outcome: "processed", accountId };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Step 5 onwards, after the 200: confirm, check, apply, finish the event. Never rejects unless finishing fails. */
export async function processItn(deps: PayfastItnDeps, eventId: string, itn: Itn, fields: Fields): Promise<void> {
  let result: Outcome;
  try {
    const confirmed = await deps.confirmation.confirm(fields).catch((error) => {
      console.error("payfast-itn: server confirmation:", error);
      return false;
    });
    result = confirmed ? await applyItn(deps, itn) : { outcome: "failed", error: "server confirmation failed" };
  } catch (error) {
    result = { outcome: "failed", error: message(error) };
  }
  if (result.outcome === "failed") console.error(`payfast-itn: ${itn.pf_payment_id}:${itn.payment_status} failed: ${result.error}`);
  await deps.store.finishEvent(eventId, result.outcome, result.error ?? null, result.accountId ?? null);
}

export function createHandler(deps: PayfastItnDeps) {
  const handle = async (req: Request, sourceIp: string | null): Promise<Response> => {
    if (req.method !== "POST") return errorResponse(405, "method_not_allowed", "method: use POST");
    const body = await req.text();
    if (body.length > 64 * 1024) throw new HttpError(413, "payload_too_large", "body: larger than 64 KiB", "body");
    const fields = parseForm(body);
    const parsed = itnSchema.safeParse(Object.fromEntries(fields));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue.path.length ? issue.path.join(".") : "body";
      throw new HttpError(400, "invalid_request", `${field}: ${issue.message}`, field);
    }
    const itn = parsed.data;
    const payload = Object.fromEntries(fields);
    const event = {
      provider: "payfast" as const,
      eventId: `${itn.pf_payment_id}:${itn.payment_status}`,
      eventType: `itn.${itn.payment_status}`,
      payload,
      sourceIp,
    };

    const signatureValid = verifyItnSignature(fields, deps.passphrase);
    const sourceValid = signatureValid && (await deps.sourceValidator.isPayfastSource(sourceIp));
    if (!signatureValid || !sourceValid) {
      const [field, why] = !signatureValid
        ? ["signature", "signature: does not match the posted fields"]
        : ["source", `source: ${sourceIp ?? "unknown address"} is not a PayFast host`];
      await deps.store.recordEvent({ ...event, signatureValid: false, error: why });
      return errorResponse(400, field === "signature" ? "invalid_signature" : "invalid_source", why, field);
    }

    const recorded = await deps.store.recordEvent({ ...event, signatureValid: true });
    if (!recorded.shouldApply) return json({ received: true, status: recorded.outcome });
    deps.waitUntil(processItn(deps, recorded.id, itn, fields));
    return json({ received: true, status: "accepted" });
  };

  return (req: Request, info?: ServeInfo): Promise<Response> => withErrors((r) => handle(r, sourceIpOf(r, info)))(req);
}

type WaitUntil = (promise: Promise<unknown>) => void;

/**
 * Supabase's edge runtime exposes EdgeRuntime.waitUntil, which keeps the
 * worker alive until the promise settles. Elsewhere (the local gateway, plain
 * Deno) the process outlives the response anyway: the promise just runs, and
 * a rejection (only possible if finishing the event fails) is logged.
 */
export function defaultWaitUntil(): WaitUntil {
  const runtime = (globalThis as { EdgeRuntime?: { waitUntil?: WaitUntil } }).EdgeRuntime;
  if (runtime?.waitUntil) return (promise) => runtime.waitUntil!(promise);
  return (promise) => {
    promise.catch((error) => console.error("payfast-itn: background processing failed:", error));
  };
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
