// Starting a purchase: the catalogue item, the pending order the database
// prices, then the provider's part (a Stripe Checkout Session, PayFast's
// signed form fields, or, in local mode, the signed events our own webhooks
// receive). A Tools cart goes to tools-cart.ts. functions/checkout/index.ts
// authenticates and parses; this does the rest.
import type { CheckoutInput, CheckoutResponse, ToolsCheckoutResponse } from "@domus/contracts/billing.ts";
import type { AuthDeps, Caller } from "../_shared/auth.ts";
import type { BillingStore, CatalogueItem, PaymentRow } from "../_shared/billing/store.ts";
import { HttpError } from "../_shared/http.ts";
import { checkoutFormFields, type PayfastConfig } from "../_shared/payfast.ts";
import { pgCall } from "../_shared/pg-errors.ts";
import type { Stripe } from "../_shared/stripe.ts";
import type { ToolsStore } from "../_shared/tools/store.ts";
import { completeWithPayfast, completeWithStripe, type LocalOrder } from "./local-provider.ts";
import { startToolsCheckout } from "./tools-cart.ts";

export interface CheckoutDeps extends AuthDeps {
  store: BillingStore;
  tools: ToolsStore;
  /** A Stripe client with a real (test or live) key, or null for local mode. */
  stripe: Stripe | null;
  payfast: PayfastConfig;
  /** Where our functions are served, for notify URLs and local-mode webhooks. */
  functionsUrl: string;
  siteUrl: string;
  stripeWebhookSecret: string;
  fetch: typeof fetch;
  now?: () => Date;
  /** How long local mode waits for an asynchronous webhook to settle the payment. */
  settleTimeoutMs?: number;
}

async function waitForSettlement(store: BillingStore, checkoutRef: string, timeoutMs: number): Promise<PaymentRow | null> {
  const deadline = Date.now() + timeoutMs;
  let payment = await store.paymentByCheckoutRef(checkoutRef);
  while (payment?.status === "pending" && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    payment = await store.paymentByCheckoutRef(checkoutRef);
  }
  return payment;
}

export async function startPurchase(deps: CheckoutDeps, caller: Caller, input: CheckoutInput): Promise<CheckoutResponse | ToolsCheckoutResponse> {
  if (input.item.type === "tools_cart") {
    if (input.item.accountId && input.item.accountId !== input.accountId) {
      throw new HttpError(400, "invalid_request", "item.accountId: must be the same account as accountId", "item.accountId");
    }
    return await startToolsCheckout(deps, caller, { ...input, method: input.item.method });
  }
  return await startBillingPurchase(deps, caller, input as BillingCheckoutInput);
}

type BillingCheckoutInput = CheckoutInput & { item: Exclude<CheckoutInput["item"], { type: "tools_cart" }> };

async function startBillingPurchase(deps: CheckoutDeps, caller: Caller, input: BillingCheckoutInput): Promise<CheckoutResponse> {
  const now = deps.now ?? (() => new Date());
  const itemType = input.item.type;
  const code = input.item.type === "plan" ? input.item.planCode : input.item.packCode;
  const codeField = input.item.type === "plan" ? "item.planCode" : "item.packCode";
  const interval = (input.item.type === "plan" ? input.item.interval : undefined) ?? "month";

  const item = await deps.store.catalogueItem(itemType, code);
  if (!item || !item.is_active) throw new HttpError(400, "invalid_request", `${codeField}: no active ${itemType.replace("_", " ")} "${code}"`, codeField);
  const stripePrice = interval === "year" ? item.stripe_price_id_annual : item.stripe_price_id_monthly;
  if (input.provider === "stripe" && !stripePrice) {
    throw new HttpError(400, "invalid_request", `${codeField}: "${code}" is not sold through Stripe${interval === "year" ? " yearly" : ""}; use payfast`, codeField);
  }
  if (input.provider === "payfast" && item.currency !== "ZAR") {
    throw new HttpError(400, "invalid_request", `provider: PayFast takes ZAR only; "${code}" is priced in ${item.currency}`, "provider");
  }

  const payment = await pgCall(() =>
    deps.store.beginCheckout(input.accountId, caller.userId, itemType, code, input.provider, interval)
  );
  // The database always opens an order with its reference; without one nothing could settle it.
  const checkoutRef = payment.checkout_ref;
  if (!checkoutRef) throw new Error("billing_begin_checkout returned an order without checkout_ref");
  const successUrl = input.successUrl ?? `${deps.siteUrl}/billing/success`;
  const cancelUrl = input.cancelUrl ?? `${deps.siteUrl}/billing/cancel`;
  const email = typeof caller.claims.email === "string" ? caller.claims.email : null;

  if (input.provider === "stripe" && deps.stripe && stripePrice) {
    const metadata = {
      account_id: input.accountId,
      purpose: payment.purpose,
      checkout_ref: checkoutRef,
      [itemType === "plan" ? "plan_id" : "credit_pack_id"]: item.id,
    };
    const session = await deps.stripe.checkout.sessions.create({
      mode: itemType === "plan" ? "subscription" : "payment",
      line_items: [{ price: stripePrice, quantity: 1 }],
      client_reference_id: input.accountId,
      customer_email: email ?? undefined,
      metadata,
      ...(itemType === "plan" ? { subscription_data: { metadata } } : { payment_intent_data: { metadata } }),
      success_url: successUrl,
      cancel_url: cancelUrl,
    });
    const body: CheckoutResponse = { mode: "live", provider: "stripe", paymentId: payment.id, url: session.url ?? undefined };
    return body;
  }

  if (input.provider === "payfast" && deps.payfast.mode !== "local") {
    const fields = checkoutFormFields({
      merchantId: deps.payfast.merchantId,
      merchantKey: deps.payfast.merchantKey,
      returnUrl: successUrl,
      cancelUrl,
      notifyUrl: `${deps.functionsUrl}/payfast-itn`,
      paymentId: checkoutRef,
      amount: payment.amount,
      itemName: item.name,
      accountId: input.accountId,
      purpose: payment.purpose,
      itemCode: code,
      email,
      subscription: itemType === "plan"
        ? { frequency: interval === "year" ? 6 : 3, cycles: 0, recurringAmount: payment.amount }
        : null,
    }, deps.payfast.passphrase);
    const body: CheckoutResponse = {
      mode: "live",
      provider: "payfast",
      paymentId: payment.id,
      action: deps.payfast.processUrl,
      fields: Object.fromEntries(fields),
    };
    return body;
  }

  // Local mode.
  const order: LocalOrder = { payment, item: item as CatalogueItem, itemType, itemCode: code, accountId: input.accountId, interval, email };
  const sender = { functionsUrl: deps.functionsUrl, fetch: deps.fetch, now };
  const events = input.provider === "stripe"
    ? await completeWithStripe(sender, order, deps.stripeWebhookSecret)
    : await completeWithPayfast(sender, order, deps.payfast.merchantId, deps.payfast.passphrase);
  const settled = await waitForSettlement(deps.store, checkoutRef, deps.settleTimeoutMs ?? 5_000);
  const body: CheckoutResponse = {
    mode: "local",
    provider: input.provider,
    paymentId: payment.id,
    paymentStatus: settled?.status ?? payment.status,
    events,
  };
  return body;
}
