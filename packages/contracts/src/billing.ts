// Billing contracts shared by the checkout function and @domus/client.
import { z } from "zod";

export const provider = z.enum(["stripe", "payfast"]);

export const checkoutItem = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("plan"),
    planCode: z.string().regex(/^[a-z][a-z0-9_]{2,40}$/, "not a plan code"),
    interval: z.enum(["month", "year"]).default("month"),
  }),
  z.object({
    type: z.literal("credit_pack"),
    packCode: z.string().regex(/^[a-z][a-z0-9_]{2,40}$/, "not a credit pack code"),
  }),
]);

export const checkoutInput = z.object({
  accountId: z.string().uuid(),
  item: checkoutItem,
  provider,
  successUrl: z.string().url().optional(),
  cancelUrl: z.string().url().optional(),
});
export type CheckoutInput = z.input<typeof checkoutInput>;

export const checkoutResponse = z.discriminatedUnion("mode", [
  // A real provider: send the user to `url` (Stripe) or post `fields` to `action` (PayFast).
  z.object({
    mode: z.literal("live"),
    provider,
    paymentId: z.string().uuid(),
    url: z.string().url().optional(),
    action: z.string().url().optional(),
    fields: z.record(z.string()).optional(),
  }),
  // No provider keys: the flow was completed offline by a signed event to our own webhook.
  z.object({
    mode: z.literal("local"),
    provider,
    paymentId: z.string().uuid(),
    paymentStatus: z.enum(["pending", "succeeded", "failed", "refunded", "partially_refunded", "canceled"]),
    events: z.array(z.string()),
  }),
]);
export type CheckoutResponse = z.infer<typeof checkoutResponse>;

export const entitlementDecision = z.object({
  allowed: z.boolean(),
  billable: z.boolean(),
  plan: z.string().optional(),
  quota: z.number().int().nullable().optional(),
  used: z.number().int().optional(),
  remaining: z.number().int().nullable().optional(),
  period_start: z.string().optional(),
  overage_units: z.number().int().optional(),
  overage_unit_price: z.number().optional(),
  overage_amount: z.number().optional(),
  currency: z.string().optional(),
  reason: z.string().optional(),
});
export type EntitlementDecision = z.infer<typeof entitlementDecision>;
