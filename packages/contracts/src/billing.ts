// Billing contracts shared by the checkout function and @domus/client.
import { z } from "zod";
import { text } from "./errors.ts";

export const provider = z.enum(["stripe", "payfast"]);

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
