// Typed calls to the billing functions in Postgres (migration
// 20261122001300). Webhooks record an event, apply it through these, then
// finish it; every effect is idempotent in the database, so a retry after a
// crash repeats nothing that already happened.
import type { Sql } from "../db.ts";

export type Provider = "stripe" | "payfast" | "manual";
export type SubscriptionStatus = "trialing" | "active" | "past_due" | "paused" | "canceled" | "expired";
export type PaymentStatus = "pending" | "succeeded" | "failed" | "refunded" | "partially_refunded" | "canceled";
export type EventOutcome = "processed" | "ignored" | "failed";

export interface RecordedEvent {
  id: string;
  shouldApply: boolean;
  outcome: string;
}

export interface EventInput {
  provider: Provider;
  eventId: string | null;
  eventType: string;
  payload: unknown;
  signatureValid: boolean;
  eventCreatedAt?: Date | null;
  sourceIp?: string | null;
  error?: string | null;
  /** sha256 hex and size of the body as received. */
  payloadSha256?: string | null;
  payloadBytes?: number | null;
}

export interface SubscriptionInput {
  provider: Provider;
  providerSubscriptionId: string;
  accountId: string | null;
  planId: string | null;
  status: SubscriptionStatus;
  stateAt: Date;
  interval?: "month" | "year";
  periodStart?: Date | null;
  periodEnd?: Date | null;
  cancelAtPeriodEnd?: boolean;
  customerRef?: string | null;
  trialEnd?: Date | null;
}

export interface PaymentInput {
  provider: Provider;
  providerRef: string | null;
  accountId: string | null;
  purpose: "subscription" | "credit_pack" | "marketplace";
  amount: string | null;
  currency: string;
  status: PaymentStatus;
  planId?: string | null;
  creditPackId?: string | null;
  subscriptionId?: string | null;
  checkoutRef?: string | null;
  description?: string | null;
  failureReason?: string | null;
}

export interface SubscriptionRow {
  id: string;
  account_id: string;
  plan_id: string;
  status: SubscriptionStatus;
  provider_subscription_id: string;
  current_period_end: Date | null;
}

export interface PaymentRow {
  id: string;
  account_id: string;
  subscription_id: string | null;
  purpose: string;
  plan_id: string | null;
  credit_pack_id: string | null;
  amount: string;
  currency: string;
  status: PaymentStatus;
  provider_ref: string | null;
  checkout_ref: string | null;
  billing_interval: "month" | "year" | null;
}

export interface StoredEvent {
  id: string;
  provider: Provider;
  event_id: string | null;
  event_type: string;
  payload: unknown;
  status: string;
  source_ip: string | null;
}

export interface CatalogueItem {
  id: string;
  name: string;
  currency: string;
  monthly_price: string;
  annual_price: string | null;
  stripe_price_id_monthly: string | null;
  stripe_price_id_annual: string | null;
  credits: number;
  is_active: boolean;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function billingStore(sql: Sql) {
  return {
    async recordEvent(e: EventInput): Promise<RecordedEvent> {
      const [row] = await sql`
        select * from private.billing_record_event(
          ${e.provider}::public.billing_provider, ${e.eventId}, ${e.eventType},
          ${JSON.stringify(e.payload ?? {})}::text::jsonb, ${e.signatureValid},
          ${iso(e.eventCreatedAt)}::timestamptz, ${e.sourceIp ?? null}::inet, ${e.error ?? null},
          ${e.payloadSha256 ?? null}, ${e.payloadBytes ?? null}::int)`;
      return { id: row.billing_event_id, shouldApply: row.should_apply, outcome: row.outcome };
    },

    async finishEvent(id: string, outcome: EventOutcome, error: string | null = null, accountId: string | null = null) {
      await sql`select private.billing_finish_event(${id}, ${outcome}, ${error}, ${accountId}::uuid)`;
    },

    async upsertSubscription(s: SubscriptionInput): Promise<{ subscription: SubscriptionRow; applied: boolean }> {
      const [row] = await sql`
        select (r.subscription).*, r.applied from private.billing_upsert_subscription(
          ${s.provider}::public.billing_provider, ${s.providerSubscriptionId}, ${s.accountId}::uuid, ${s.planId}::uuid,
          ${s.status}::public.subscription_status, ${iso(s.stateAt)}::timestamptz,
          ${s.interval ?? null}::public.billing_interval, ${iso(s.periodStart)}::timestamptz,
          ${iso(s.periodEnd)}::timestamptz, ${s.cancelAtPeriodEnd ?? false}, ${s.customerRef ?? null},
          ${iso(s.trialEnd)}::timestamptz) r`;
      const { applied, ...subscription } = row;
      return { subscription: subscription as SubscriptionRow, applied };
    },

    async recordPayment(p: PaymentInput): Promise<PaymentRow> {
      const [row] = await sql`
        select * from private.billing_record_payment(
          ${p.provider}::public.billing_provider, ${p.providerRef}, ${p.accountId}::uuid, ${p.purpose},
          ${p.amount}::numeric, ${p.currency}, ${p.status}::public.payment_status, ${p.planId ?? null}::uuid,
          ${p.creditPackId ?? null}::uuid, ${p.subscriptionId ?? null}::uuid, ${p.checkoutRef ?? null},
          ${p.description ?? null}, ${p.failureReason ?? null})`;
      return row as PaymentRow;
    },

    async recordRefund(provider: Provider, refundRef: string, paymentId: string, amount: string, reason: string | null) {
      const [row] = await sql`
        select * from private.billing_record_refund(${provider}::public.billing_provider, ${refundRef},
          ${paymentId}::uuid, ${amount}::numeric, ${reason})`;
      return row as { id: string; amount: string };
    },

    /** Records what of a running refunded total is not yet recorded, under the payment's lock; null when nothing was new. */
    async recordRefundedTotal(provider: Provider, refundRef: string, paymentId: string, totalRefunded: string, reason: string | null) {
      const [row] = await sql`
        select r.id, r.amount from private.billing_record_refunded_total(${provider}::public.billing_provider, ${refundRef},
          ${paymentId}::uuid, ${totalRefunded}::numeric, ${reason}) r`;
      return row?.id ? (row as { id: string; amount: string }) : null;
    },

    /** Claims a recorded event for replay (platform admins only, checked in the database). */
    async beginReplay(billingEventId: string, userId: string): Promise<StoredEvent> {
      const [row] = await sql`select * from private.billing_begin_replay(${billingEventId}::uuid, ${userId}::uuid)`;
      return row as StoredEvent;
    },

    async beginCheckout(accountId: string, userId: string, itemType: "plan" | "credit_pack", code: string, provider: Provider, interval: "month" | "year" = "month"): Promise<PaymentRow> {
      const [row] = await sql`
        select * from private.billing_begin_checkout(${accountId}::uuid, ${userId}::uuid, ${itemType}, ${code},
          ${provider}::public.billing_provider, ${interval}::public.billing_interval)`;
      return row as PaymentRow;
    },

    async paymentByCheckoutRef(checkoutRef: string): Promise<PaymentRow | null> {
      const [row] = await sql`select * from public.payments where checkout_ref = ${checkoutRef}`;
      return (row as PaymentRow) ?? null;
    },

    async paymentByProviderRef(provider: Provider, refs: string[]): Promise<PaymentRow | null> {
      const [row] = await sql`select * from public.payments where provider = ${provider}::public.billing_provider and provider_ref = any(${refs})`;
      return (row as PaymentRow) ?? null;
    },

    async subscriptionByProviderId(provider: Provider, id: string): Promise<SubscriptionRow | null> {
      const [row] = await sql`select * from public.subscriptions where provider = ${provider}::public.billing_provider and provider_subscription_id = ${id}`;
      return (row as SubscriptionRow) ?? null;
    },

    async planByStripePrice(priceId: string): Promise<{ id: string; interval: "month" | "year" } | null> {
      const [row] = await sql`
        select id, case when stripe_price_id_annual = ${priceId} then 'year' else 'month' end as interval
        from public.plans where stripe_price_id_monthly = ${priceId} or stripe_price_id_annual = ${priceId}`;
      return (row as { id: string; interval: "month" | "year" }) ?? null;
    },

    async planByCode(code: string): Promise<{ id: string; monthly_price: string; annual_price: string | null; currency: string; name: string } | null> {
      const [row] = await sql`select id, monthly_price, annual_price, currency, name from public.plans where code = ${code}`;
      return (row as { id: string; monthly_price: string; annual_price: string | null; currency: string; name: string }) ?? null;
    },

    /** A plan or credit pack by code, with what checkout needs to sell it. */
    async catalogueItem(type: "plan" | "credit_pack", code: string): Promise<CatalogueItem | null> {
      const [row] = type === "plan"
        ? await sql`
            select id, name, currency, monthly_price, annual_price, stripe_price_id_monthly, stripe_price_id_annual,
                   credits_per_period as credits, is_active
            from public.plans where code = ${code}`
        : await sql`
            select id, name, currency, price as monthly_price, null as annual_price, stripe_price_id as stripe_price_id_monthly,
                   null as stripe_price_id_annual, credits, is_active
            from public.credit_packs where code = ${code}`;
      return (row as CatalogueItem) ?? null;
    },

    async accountByCustomer(provider: Provider, customerRef: string): Promise<string | null> {
      const [row] = await sql`select account_id from public.billing_customers where provider = ${provider}::public.billing_provider and customer_ref = ${customerRef}`;
      return row?.account_id ?? null;
    },
  };
}

export type BillingStore = ReturnType<typeof billingStore>;
