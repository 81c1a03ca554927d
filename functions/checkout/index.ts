// POST /functions/v1/checkout — starts a purchase of a plan or a credit
// pack for an account the caller owns or administers, or pays the caller's
// Tools cart in an account they belong to (item type "tools_cart", by
// CREDIT_CARD or ACH through Stripe; functions/checkout/tools-cart.ts):
//   * Stripe with STRIPE_SECRET_KEY: a Checkout Session (answer: its url);
//   * PayFast in sandbox/live mode: the signed form fields to post;
//   * no provider keys (local mode): the purchase completes offline by
//     sending correctly signed events to our own webhooks (answer says
//     mode "local" and the payment's final status).
// The price always comes from the catalogue via the pending payment the
// database opens (private.billing_begin_checkout), never from the request.
import { checkoutInput } from "@domus/contracts/billing.ts";
import { requireUser } from "../_shared/auth.ts";
import { billingStore } from "../_shared/billing/store.ts";
import { connect, revocationReason } from "../_shared/db.ts";
import { requireEnv } from "../_shared/env.ts";
import { errorResponse, json, parseBody, withErrors } from "../_shared/http.ts";
import { payfastConfig } from "../_shared/payfast.ts";
import { createStripe, stripeWebhookSecret } from "../_shared/stripe.ts";
import { toolsStore } from "../_shared/tools/store.ts";
import { type CheckoutDeps, startPurchase } from "./purchase.ts";

export function createHandler(deps: CheckoutDeps) {
  return withErrors(async (req) => {
    if (req.method !== "POST") return errorResponse(405, "method_not_allowed", "method: use POST");
    const caller = await requireUser(req, deps);
    const input = await parseBody(req, checkoutInput);
    return json(await startPurchase(deps, caller, input));
  });
}

export function build() {
  const sql = connect(requireEnv("SUPABASE_DB_URL"));
  const stripeKey = Deno.env.get("STRIPE_SECRET_KEY");
  return createHandler({
    jwtSecret: requireEnv("SUPABASE_JWT_SECRET"),
    revocationReason: (claims) => revocationReason(sql, claims),
    store: billingStore(sql),
    tools: toolsStore(sql),
    stripe: stripeKey ? createStripe(stripeKey) : null,
    payfast: payfastConfig(),
    functionsUrl: `${requireEnv("SUPABASE_URL").replace(/\/$/, "")}/functions/v1`,
    siteUrl: Deno.env.get("SITE_URL") ?? "http://127.0.0.1:3000",
    stripeWebhookSecret: stripeWebhookSecret(),
    fetch,
  });
}

if (import.meta.main) Deno.serve(build());
