// Audit: tokens a caller can send without knowing the secret, and the
// Stripe webhook secret on hosted Supabase.
//   * A token whose header or payload segment is valid JSON but not an
//     object (`null`, `1`, `[]`) made verifyJwt throw a TypeError; the
//     workers' service-role check (valuation, ai-jobs) rethrew it, so the
//     function answered 500 instead of 401.
//   * Without STRIPE_WEBHOOK_SECRET the webhook falls back to the public
//     local secret; on hosted Supabase (SB_REGION / DENO_DEPLOYMENT_ID set)
//     that would accept events anyone can sign, so it refuses to start.
import { createHandler as valuationHandler } from "../valuation/index.ts";
import type { ValuationDeps } from "../valuation/deps.ts";
import { JwtError, verifyJwt } from "./jwt.ts";
import { LOCAL_STRIPE_WEBHOOK_SECRET, onHostedSupabase, stripeWebhookSecret } from "./stripe.ts";
import { assert, assertEquals } from "./testing.ts";

const b64 = (s: string) => btoa(s).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
const SECRET = "audit-secret-audit-secret-audit-secret";
const notObjects = ["null", "1", "[]", '"x"'];

Deno.test("verifyJwt refuses a header or payload that is JSON but not an object as malformed", async () => {
  for (const bad of notObjects) {
    for (const token of [`${b64(bad)}.${b64("{}")}.x`, `${b64('{"alg":"HS256"}')}.${b64(bad)}.x`]) {
      let error: unknown = null;
      try {
        await verifyJwt(token, SECRET);
      } catch (e) {
        error = e;
      }
      assert(error instanceof JwtError, `${token}: expected a JwtError, got ${error}`);
      assertEquals((error as Error).message, "malformed token");
    }
  }
});

Deno.test("a worker function answers such a token 401, not 500", async () => {
  const deps = {
    jwtSecret: SECRET,
    revocationReason: () => Promise.resolve(null),
    store: {} as ValuationDeps["store"],
    workerId: "audit",
  } satisfies ValuationDeps;
  const handler = valuationHandler(deps);
  for (const bad of notObjects) {
    const res = await handler(new Request("http://x/valuation", {
      method: "POST",
      headers: { authorization: `Bearer ${b64(bad)}.${b64('{"role":"service_role"}')}.x`, "content-type": "application/json" },
      body: "{}",
    }));
    const body = await res.json();
    assertEquals([res.status, body.error?.field], [401, "authorization"], `header ${bad}`);
  }
});

Deno.test("on hosted Supabase the Stripe webhook secret must be set; the public local one is never used there", () => {
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  const refused = (vars: Record<string, string>) => {
    try {
      stripeWebhookSecret(env(vars));
      return false;
    } catch (error) {
      return /STRIPE_WEBHOOK_SECRET/.test(String(error));
    }
  };
  assert(refused({ SB_REGION: "eu-west-1" }), "hosted (SB_REGION) without a secret is refused");
  assert(refused({ DENO_DEPLOYMENT_ID: "ref_fn_1", STRIPE_SECRET_KEY: "sk_test_abc" }), "hosted with a test key is refused too");
  assertEquals(stripeWebhookSecret(env({ SB_REGION: "eu-west-1", STRIPE_WEBHOOK_SECRET: "whsec_real" })), "whsec_real");
  assertEquals(stripeWebhookSecret(env({})), LOCAL_STRIPE_WEBHOOK_SECRET, "locally the fallback stays");
  assertEquals([onHostedSupabase(env({})), onHostedSupabase(env({ SB_REGION: "x" }))], [false, true]);
});
