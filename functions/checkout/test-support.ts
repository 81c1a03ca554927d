// What the checkout tests share: the handler's dependencies against the real
// database, with provider messages sent in-process to the real stripe-webhook
// (billing and Tools) and payfast-itn handlers, so the whole purchase path runs
// without a server; and a call as a signed-in user.
import { billingStore } from "../_shared/billing/store.ts";
import { withSocketAddress } from "../_shared/client-address.ts";
import { LOCAL_PAYFAST, localConfirmation, localSourceValidator, payfastConfig } from "../_shared/payfast.ts";
import { createStripe, LOCAL_STRIPE_WEBHOOK_SECRET } from "../_shared/stripe.ts";
import { testSql, userToken } from "../_shared/testing.ts";
import { toolsStore } from "../_shared/tools/store.ts";
import { createHandler as payfastItn } from "../payfast-itn/index.ts";
import { createHandler as stripeWebhook } from "../stripe-webhook/index.ts";
import { createHandler } from "./index.ts";
import type { CheckoutDeps } from "./purchase.ts";

export const JWT_SECRET = "checkout-test-secret-with-32-characters!!";
export const FUNCTIONS = "http://functions.test/functions/v1";

export function inProcessFetch(): typeof fetch {
  const store = billingStore(testSql());
  const stripe = stripeWebhook({
    store, tools: toolsStore(testSql()), webhookSecret: LOCAL_STRIPE_WEBHOOK_SECRET, stripe: createStripe(),
  });
  const payfast = payfastItn({
    store,
    passphrase: LOCAL_PAYFAST.passphrase,
    sourceValidator: localSourceValidator,
    confirmation: localConfirmation(LOCAL_PAYFAST.passphrase),
    waitUntil: (p) => void p.catch((e) => console.error(e)),
  });
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = new Request(input, init);
    const path = new URL(req.url).pathname;
    if (path.endsWith("/stripe-webhook")) return await stripe(req);
    // As the gateway does: the trusted client address is the (loopback) socket's.
    if (path.endsWith("/payfast-itn")) return await payfast(withSocketAddress(req, { hostname: "127.0.0.1" }));
    return new Response("not found", { status: 404 });
  }) as typeof fetch;
}

export function deps(overrides: Partial<CheckoutDeps> = {}): CheckoutDeps {
  return {
    jwtSecret: JWT_SECRET,
    revocationReason: () => Promise.resolve(null),
    store: billingStore(testSql()),
    tools: toolsStore(testSql()),
    stripe: null,
    payfast: payfastConfig(() => undefined),
    functionsUrl: FUNCTIONS,
    siteUrl: "http://app.test",
    stripeWebhookSecret: LOCAL_STRIPE_WEBHOOK_SECRET,
    fetch: inProcessFetch(),
    ...overrides,
  };
}

export async function checkout(d: CheckoutDeps, user: { id: string; email: string }, body: unknown) {
  const res = await createHandler(d)(new Request(`${FUNCTIONS}/checkout`, {
    method: "POST",
    headers: { authorization: `Bearer ${await userToken(user, JWT_SECRET)}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  }));
  return { status: res.status, body: await res.json() };
}
