// Billing contracts shared by the checkout function and @domus/client.
import { z } from "zod";
import { text } from "./errors.ts";

export const provider = z.enum(["stripe", "payfast"]);

/** The Tools payment methods that go through Stripe: a card, or a US bank account (ACH). */
export const toolsStripeMethod = z.enum(["CREDIT_CARD", "ACH"]);
export type ToolsStripeMethod = z.infer<typeof toolsStripeMethod>;

export const checkoutItem = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("plan"),
    planCode: text().regex(/^[a-z][a-z0-9_]{2,40}$/, "not a plan code"),
    interval: z.enum(["month", "year"]).default("month"),
  }),
  z.object({
    type: z.literal("credit_pack"),
    packCode: text().regex(/^[a-z][a-z0-9_]{2,40}$/, "not a credit pack code"),
  }),
  // The caller's Tools cart in the account (issue 10), paid through Stripe
  // Checkout. Credits and invoices are paid without a provider (tools RPCs).
  z.object({
    type: z.literal("tools_cart"),
    method: toolsStripeMethod,
    /** Optional repeat of the top-level accountId (the tools client sends it); must match. */
    accountId: text().uuid().optional(),
  }),
]);

export const checkoutInput = z.object({
  accountId: text().uuid(),
  item: checkoutItem,
  provider,
  successUrl: text().url().optional(),
  cancelUrl: text().url().optional(),
});
export type CheckoutInput = z.input<typeof checkoutInput>;

export const checkoutResponse = z.discriminatedUnion("mode", [
  // A real provider: send the user to `url` (Stripe) or post `fields` to `action` (PayFast).
  z.object({
    mode: z.literal("live"),
    provider,
    paymentId: text().uuid(),
    url: text().url().optional(),
    action: text().url().optional(),
    fields: z.record(text(), text()).optional(),
  }),
  // No provider keys: the flow was completed offline by a signed event to our own webhook.
  z.object({
    mode: z.literal("local"),
    provider,
    paymentId: text().uuid(),
    paymentStatus: z.enum(["pending", "succeeded", "failed", "refunded", "partially_refunded", "canceled"]),
    events: z.array(text()),
  }),
]);
export type CheckoutResponse = z.infer<typeof checkoutResponse>;

/** tools.payment_status, as a purchase made at checkout reports it. */
export const toolsPaymentStatus = z.enum(["PENDING", "PROCESSING", "COMPLETED", "FAILED", "REFUNDED", "CANCELLED"]);

/** What checkout answers for a `tools_cart` item: one pending purchase per cart line, priced by the database. */
export const toolsCheckoutResponse = z.object({
  mode: z.enum(["live", "local"]),
  provider: z.literal("stripe"),
  method: toolsStripeMethod,
  /** Our reference for this checkout; the Stripe session carries it in its metadata. */
  checkoutRef: text(),
  purchases: z.array(z.object({
    id: text().uuid(),
    itemType: z.enum(["TOOL", "BUNDLE"]),
    itemId: text().uuid(),
    name: text(),
    amount: text(),
    currency: text(),
    /** Where the purchase stands now (live mode: PENDING until Stripe's webhook). */
    paymentStatus: toolsPaymentStatus,
  })),
  total: text(),
  currency: text(),
  /** Live mode: Stripe Checkout's page to send the user to. */
  url: text().url().optional(),
  /** Local mode: the signed events sent to our own stripe-webhook. */
  events: z.array(text()).optional(),
});
export type ToolsCheckoutResponse = z.infer<typeof toolsCheckoutResponse>;

export const entitlementDecision = z.object({
  allowed: z.boolean(),
  billable: z.boolean(),
  plan: text().optional(),
  quota: z.number().int().nullable().optional(),
  used: z.number().int().optional(),
  remaining: z.number().int().nullable().optional(),
  period_start: text().optional(),
  overage_units: z.number().int().optional(),
  overage_unit_price: z.number().optional(),
  overage_amount: z.number().optional(),
  currency: text().optional(),
  reason: text().optional(),
});
export type EntitlementDecision = z.infer<typeof entitlementDecision>;
