// Paying for the caller's Tools cart in an account by card or ACH through
// Stripe Checkout (issue 10). The database opens one PENDING purchase per cart
// line, priced from the catalogue (private.tools_checkout_begin: it checks
// membership, the cart's rules and prices again); we make a Checkout Session
// with one line per purchase and our checkout reference in its metadata, and
// the Stripe webhook completes the purchases (stripe-webhook/tools-events.ts).
// Without Stripe keys, local mode sends our own webhook the signed events
// Stripe would send, so the whole path runs offline.
import type { ToolsCheckoutResponse, ToolsStripeMethod } from "@domus/contracts/billing.ts";
import type { Caller } from "../_shared/auth.ts";
import { HttpError } from "../_shared/http.ts";
import { pgCall } from "../_shared/pg-errors.ts";
import { toMinorUnits } from "../_shared/stripe.ts";
import type { CheckoutLine } from "../_shared/tools/store.ts";
import { completeToolsWithStripe } from "./local-provider.ts";
import type { CheckoutDeps } from "./purchase.ts";

export interface ToolsCartInput {
  accountId: string;
  provider: "stripe" | "payfast";
  method: ToolsStripeMethod;
  successUrl?: string;
  cancelUrl?: string;
}

/** Roles that may buy with the account's money; affiliates may not. */
const BUYERS = new Set(["owner", "admin", "member"]);

function sumMinor(lines: CheckoutLine[], currency: string): number {
  return lines.reduce((n, l) => n + toMinorUnits(l.amount, currency), 0);
}

function formatMajor(minor: number): string {
  return (minor / 100).toFixed(2);
}

export async function startToolsCheckout(deps: CheckoutDeps, caller: Caller, input: ToolsCartInput): Promise<ToolsCheckoutResponse> {
  if (input.provider !== "stripe") {
    throw new HttpError(400, "invalid_request", `provider: a tools cart is paid by ${input.method} through stripe only`, "provider");
  }
  const role = await deps.tools.memberRole(input.accountId, caller.userId);
  if (!role || !BUYERS.has(role)) {
    throw new HttpError(403, "forbidden", "account_id: only the account's owners, admins and members check out its cart", "account_id");
  }

  const checkoutRef = `tools_${crypto.randomUUID()}`;
  const lines = await pgCall(() => deps.tools.beginCheckout(input.accountId, caller.userId, input.method, checkoutRef));
  if (lines.length === 0) throw new HttpError(400, "invalid_request", "cart: the cart is empty", "cart");

  // From here the purchases exist: any refusal fails them, so nothing stays PENDING for a session never made.
  try {
    const currencies = [...new Set(lines.map((l) => l.currency.toUpperCase()))];
    if (currencies.length > 1) {
      throw new HttpError(400, "invalid_request", `cart: items priced in ${currencies.join(" and ")}; check out one currency at a time`, "cart");
    }
    const currency = currencies[0]!;
    if (input.method === "ACH" && currency !== "USD") {
      throw new HttpError(400, "invalid_request", `item.method: ACH takes USD only; this cart is priced in ${currency}`, "item.method");
    }
    const total = sumMinor(lines, currency);
    // Free lines (included tools) are not sold; Stripe refuses a payment of nothing.
    if (total === 0) throw new HttpError(400, "invalid_request", "cart: nothing in it has a price to pay by card or ACH", "cart");

    const metadata: Record<string, string> = {
      purpose: "tools_cart",
      account_id: input.accountId,
      checkout_ref: checkoutRef,
      method: input.method,
    };
    const successUrl = input.successUrl ?? `${deps.siteUrl}/tools/checkout/success`;
    const cancelUrl = input.cancelUrl ?? `${deps.siteUrl}/tools/cart`;
    const email = typeof caller.claims.email === "string" ? caller.claims.email : null;
    const base = {
      provider: "stripe" as const,
      method: input.method,
      checkoutRef,
      total: formatMajor(total),
      currency,
    };
    const purchases = (status: ToolsCheckoutResponse["purchases"][number]["paymentStatus"], states?: Map<string, string>) =>
      lines.map((l) => ({
        id: l.purchase_id,
        itemType: l.item_type,
        itemId: l.item_id,
        name: l.name,
        amount: l.amount,
        currency: l.currency,
        paymentStatus: (states?.get(l.purchase_id) ?? status) as typeof status,
      }));

    if (deps.stripe) {
      const session = await deps.stripe.checkout.sessions.create({
        mode: "payment",
        // The SDK's API version replaced payment_method_types with this filter on the eligible methods.
        allowed_payment_method_types: input.method === "ACH" ? ["us_bank_account"] : ["card"],
        line_items: lines.filter((l) => toMinorUnits(l.amount, currency) > 0).map((l) => ({
          quantity: 1,
          price_data: {
            currency: currency.toLowerCase(),
            unit_amount: toMinorUnits(l.amount, currency),
            product_data: { name: l.name, metadata: { purchase_id: l.purchase_id, item_type: l.item_type, item_id: l.item_id } },
          },
        })),
        client_reference_id: input.accountId,
        customer_email: email ?? undefined,
        metadata,
        // The charge, and so charge.refunded, carries the payment intent's metadata.
        payment_intent_data: { metadata },
        // A receipt invoice for the purchases' stripe_invoice_id.
        invoice_creation: { enabled: true, invoice_data: { metadata } },
        success_url: successUrl,
        cancel_url: cancelUrl,
      });
      return { ...base, mode: "live", purchases: purchases("PENDING"), url: session.url ?? undefined };
    }

    const events = await completeToolsWithStripe(
      { functionsUrl: deps.functionsUrl, fetch: deps.fetch, now: deps.now ?? (() => new Date()) },
      { checkoutRef, accountId: input.accountId, method: input.method, currency, amountMinor: total, metadata },
      deps.stripeWebhookSecret,
    );
    const states = new Map((await deps.tools.purchases(lines.map((l) => l.purchase_id))).map((p) => [p.id, p.payment_status]));
    return { ...base, mode: "local", purchases: purchases("PENDING", states), events };
  } catch (error) {
    await deps.tools.failCheckout(checkoutRef).catch((e) => console.error(`tools checkout ${checkoutRef}: failing it failed`, e));
    throw error;
  }
}
