// Local mode: with no provider keys set, a purchase completes offline. We
// send our own webhooks exactly the signed messages the provider would send
// after a successful payment, so the whole real path (signature check, event
// log, idempotent apply, credits) runs on a newcomer's machine.
import { itnFields } from "../_shared/payfast.ts";
import { signLocalEvent, toMinorUnits } from "../_shared/stripe.ts";
import type { CatalogueItem, PaymentRow } from "../_shared/billing/store.ts";

export interface LocalOrder {
  payment: PaymentRow;
  item: CatalogueItem;
  itemType: "plan" | "credit_pack";
  itemCode: string;
  accountId: string;
  interval: "month" | "year";
  email: string | null;
}

export interface LocalSender {
  functionsUrl: string;
  fetch: typeof fetch;
  now: () => Date;
}

const rid = () => crypto.randomUUID().replaceAll("-", "").slice(0, 24);

async function post(sender: LocalSender, name: string, body: string, headers: Record<string, string>): Promise<void> {
  const res = await sender.fetch(`${sender.functionsUrl}/${name}`, { method: "POST", body, headers });
  if (!res.ok) {
    throw new Error(`local ${name} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  }
  await res.body?.cancel();
}

/** Sends the Stripe events of a successful Checkout; returns their types. */
export async function completeWithStripe(sender: LocalSender, order: LocalOrder, webhookSecret: string): Promise<string[]> {
  const created = Math.floor(sender.now().getTime() / 1000);
  const currency = order.payment.currency.toLowerCase();
  const amountMinor = toMinorUnits(order.payment.amount, currency);
  const metadata: Record<string, string> = {
    account_id: order.accountId,
    purpose: order.payment.purpose,
    checkout_ref: order.payment.checkout_ref!,
    [order.itemType === "plan" ? "plan_id" : "credit_pack_id"]: order.item.id,
  };
  const objects: Array<[string, Record<string, unknown>]> = [];
  if (order.itemType === "credit_pack") {
    objects.push(["checkout.session.completed", {
      id: `cs_local_${rid()}`, object: "checkout.session", mode: "payment", payment_status: "paid",
      amount_total: amountMinor, currency, payment_intent: `pi_local_${rid()}`, customer: null,
      client_reference_id: order.accountId, metadata,
    }]);
  } else {
    const subscription = `sub_local_${rid()}`;
    const customer = `cus_local_${order.accountId.replaceAll("-", "").slice(0, 20)}`;
    const priceId = order.interval === "year" ? order.item.stripe_price_id_annual : order.item.stripe_price_id_monthly;
    const periodEnd = new Date(sender.now());
    if (order.interval === "year") periodEnd.setUTCFullYear(periodEnd.getUTCFullYear() + 1);
    else periodEnd.setUTCMonth(periodEnd.getUTCMonth() + 1);
    const end = Math.floor(periodEnd.getTime() / 1000);
    objects.push(
      ["checkout.session.completed", {
        id: `cs_local_${rid()}`, object: "checkout.session", mode: "subscription", payment_status: "paid",
        amount_total: amountMinor, currency, subscription, customer, client_reference_id: order.accountId, metadata,
      }],
      ["customer.subscription.created", {
        id: subscription, object: "subscription", status: "active", customer, metadata,
        cancel_at_period_end: false, current_period_start: created, current_period_end: end, trial_end: null,
        items: { data: [{ price: { id: priceId }, current_period_start: created, current_period_end: end }] },
      }],
      ["invoice.paid", {
        id: `in_local_${rid()}`, object: "invoice", subscription, billing_reason: "subscription_create",
        subscription_details: { metadata }, amount_paid: amountMinor, amount_due: amountMinor, currency,
      }],
    );
  }
  return sendStripe(sender, webhookSecret, objects, created);
}

export interface LocalToolsOrder {
  checkoutRef: string;
  accountId: string;
  method: "CREDIT_CARD" | "ACH";
  currency: string;
  amountMinor: number;
  metadata: Record<string, string>;
}

async function sendStripe(
  sender: LocalSender,
  webhookSecret: string,
  objects: Array<[string, Record<string, unknown>]>,
  created = Math.floor(sender.now().getTime() / 1000),
): Promise<string[]> {
  for (const [type, object] of objects) {
    const payload = JSON.stringify({
      id: `evt_local_${rid()}`, object: "event", type, created, livemode: false, api_version: "2025-01-27",
      data: { object },
    });
    await post(sender, "stripe-webhook", payload, {
      "content-type": "application/json",
      "stripe-signature": await signLocalEvent(payload, webhookSecret),
    });
  }
  return objects.map(([type]) => type);
}

/**
 * Sends the Stripe events of a paid Tools cart Checkout: a card is paid when
 * the session completes; an ACH debit completes the session unpaid and
 * clears later (async_payment_succeeded), as Stripe does.
 */
export async function completeToolsWithStripe(sender: LocalSender, order: LocalToolsOrder, webhookSecret: string): Promise<string[]> {
  const session = {
    id: `cs_local_${rid()}`, object: "checkout.session", mode: "payment",
    amount_total: order.amountMinor, currency: order.currency.toLowerCase(),
    payment_intent: `pi_local_${rid()}`, invoice: `in_local_${rid()}`, customer: null,
    payment_method_types: [order.method === "ACH" ? "us_bank_account" : "card"],
    client_reference_id: order.accountId, metadata: order.metadata,
  };
  return await sendStripe(sender, webhookSecret, order.method === "ACH"
    ? [
      ["checkout.session.completed", { ...session, payment_status: "unpaid" }],
      ["checkout.session.async_payment_succeeded", { ...session, payment_status: "paid" }],
    ]
    : [["checkout.session.completed", { ...session, payment_status: "paid" }]]);
}

/** Sends the ITN PayFast would post after a successful payment; returns its type. */
export async function completeWithPayfast(
  sender: LocalSender,
  order: LocalOrder,
  merchantId: string,
  passphrase: string | null,
): Promise<string[]> {
  const plan = order.itemType === "plan";
  const fields = itnFields({
    mPaymentId: order.payment.checkout_ref!,
    pfPaymentId: String(Math.floor(1_000_000 + Math.random() * 8_999_999)),
    paymentStatus: "COMPLETE",
    amountGross: Number(order.payment.amount).toFixed(2),
    itemName: order.item.name,
    accountId: order.accountId,
    purpose: order.payment.purpose,
    itemCode: order.itemCode,
    email: order.email ?? undefined,
    merchantId,
    token: plan ? crypto.randomUUID() : undefined,
    billingDate: plan ? sender.now().toISOString().slice(0, 10) : undefined,
  }, passphrase);
  // The local source validator accepts loopback only, as PayFast's would accept only its hosts; the
  // gateway sets the trusted client-address header from this loopback connection.
  await post(sender, "payfast-itn", new URLSearchParams(fields).toString(), {
    "content-type": "application/x-www-form-urlencoded",
  });
  return ["itn.COMPLETE"];
}
