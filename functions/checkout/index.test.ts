// The checkout handler against the real database. In local mode its
// provider messages go, through an injected fetch, to the real
// stripe-webhook and payfast-itn handlers in-process: the whole purchase
// path runs without a server. Live modes are checked with a recording
// Stripe client and PayFast's form signature.
import { formSignature, payfastConfig } from "../_shared/payfast.ts";
import type { Stripe } from "../_shared/stripe.ts";
import {
  assert,
  assertEquals,
  closeTestSql,
  dbTest,
  ledgerViolations,
  newUser,
  testSql,
} from "../_shared/testing.ts";
import { createHandler } from "./index.ts";
import { checkout, deps, FUNCTIONS } from "./test-support.ts";

async function credits(accountId: string): Promise<number> {
  const [row] = await testSql()`select coalesce(sum(amount), 0)::int as n from public.credit_transactions where account_id = ${accountId} and pool = 'credits'`;
  return row.n;
}

dbTest("local Stripe credit pack: signed event to our webhook, 1,000 credits, payment settled", async () => {
  const user = await newUser("checkout");
  const { status, body } = await checkout(deps(), user, {
    accountId: user.id, provider: "stripe", item: { type: "credit_pack", packCode: "tools_credits_1000" },
  });
  assertEquals(status, 200, JSON.stringify(body));
  assertEquals([body.mode, body.provider, body.paymentStatus], ["local", "stripe", "succeeded"]);
  assertEquals(body.events, ["checkout.session.completed"]);
  assertEquals(await credits(user.id), 1000);
  assertEquals(await ledgerViolations(), 0);
});

dbTest("local Stripe plan: subscription active, period credits granted, the order itself settled", async () => {
  const user = await newUser("checkout");
  const { body } = await checkout(deps(), user, {
    accountId: user.id, provider: "stripe", item: { type: "plan", planCode: "tools_growth" },
  });
  assertEquals(body.paymentStatus, "succeeded", JSON.stringify(body));
  assertEquals(body.events, ["checkout.session.completed", "customer.subscription.created", "invoice.paid"]);
  const subs = await testSql()`select s.status, p.code from public.subscriptions s join public.plans p on p.id = s.plan_id where s.account_id = ${user.id}`;
  assertEquals(subs.map((s) => [s.status, s.code]), [["active", "tools_growth"]]);
  const payments = await testSql()`select status, amount::text from public.payments where account_id = ${user.id}`;
  assertEquals(payments.map((p) => [p.status, p.amount]), [["succeeded", "149.00"]], "one payment: the order, settled by the first invoice");
  assertEquals(await credits(user.id), 5000);
});

dbTest("local PayFast credit pack and plan: ITNs signed with the passphrase, credits granted once each", async () => {
  const user = await newUser("checkout");
  const pack = await checkout(deps(), user, {
    accountId: user.id, provider: "payfast", item: { type: "credit_pack", packCode: "studio_credits_100" },
  });
  assertEquals([pack.body.mode, pack.body.paymentStatus], ["local", "succeeded"], JSON.stringify(pack.body));
  const plan = await checkout(deps(), user, {
    accountId: user.id, provider: "payfast", item: { type: "plan", planCode: "studio_basic" },
  });
  assertEquals(plan.body.paymentStatus, "succeeded", JSON.stringify(plan.body));
  const [sub] = await testSql()`select provider, status from public.subscriptions where account_id = ${user.id}`;
  assertEquals([sub.provider, sub.status], ["payfast", "active"]);
  assertEquals(await credits(user.id), 200);
  assertEquals(await ledgerViolations(), 0);
});

dbTest("live Stripe: a Checkout Session for the catalogue price, carrying our order ref", async () => {
  const user = await newUser("checkout");
  const calls: Stripe.Checkout.SessionCreateParams[] = [];
  const fakeStripe = {
    checkout: { sessions: { create: (params: Stripe.Checkout.SessionCreateParams) => {
      calls.push(params);
      return Promise.resolve({ url: "https://checkout.stripe.com/c/pay/cs_test_1" });
    } } },
  } as unknown as Stripe;
  const { status, body } = await checkout(deps({ stripe: fakeStripe }), user, {
    accountId: user.id, provider: "stripe", item: { type: "plan", planCode: "reports_solo", interval: "year" },
    successUrl: "https://app.test/ok",
  });
  assertEquals([status, body.mode, body.url], [200, "live", "https://checkout.stripe.com/c/pay/cs_test_1"]);
  const [order] = await testSql()`select checkout_ref, amount::text, status from public.payments where id = ${body.paymentId}`;
  assertEquals([order.amount, order.status], ["290.00", "pending"]);
  assertEquals(calls[0]!.mode, "subscription");
  assertEquals(calls[0]!.line_items, [{ price: "price_reports_solo_annual", quantity: 1 }]);
  assertEquals(calls[0]!.metadata?.checkout_ref, order.checkout_ref);
  assertEquals(calls[0]!.subscription_data?.metadata?.checkout_ref, order.checkout_ref);
  assertEquals(calls[0]!.success_url, "https://app.test/ok");
});

dbTest("live PayFast: signed form fields with our notify URL and the order's amount", async () => {
  const user = await newUser("checkout");
  const payfast = payfastConfig((n) => ({ PAYFAST_MODE: "sandbox", PAYFAST_PASSPHRASE: "sandbox-pass" } as Record<string, string>)[n]);
  const { body } = await checkout(deps({ payfast }), user, {
    accountId: user.id, provider: "payfast", item: { type: "plan", planCode: "studio_pro" },
  });
  assertEquals([body.mode, body.action], ["live", "https://sandbox.payfast.co.za/eng/process"], JSON.stringify(body));
  const fields = Object.entries(body.fields as Record<string, string>);
  const get = (k: string) => fields.find(([key]) => key === k)?.[1];
  assertEquals([get("amount"), get("recurring_amount"), get("frequency"), get("notify_url")], ["799.00", "799.00", "3", `${FUNCTIONS}/payfast-itn`]);
  assertEquals(get("signature"), formSignature(fields, "sandbox-pass"));
});

dbTest("refusals name the field: not an admin, unknown plan, wrong provider, bad body, no token, wrong method", async () => {
  const owner = await newUser("owner");
  const member = await newUser("member");
  const [team] = await testSql()`
    insert into public.accounts (name, slug, account_type, primary_owner_user_id)
    values ('Checkout Team', ${"checkout-" + owner.id.slice(0, 8)}, 'team', ${owner.id}) returning id`;
  await testSql()`insert into public.account_memberships (account_id, user_id, role) values
    (${team.id}, ${owner.id}, 'owner'), (${team.id}, ${member.id}, 'member')`;
  const d = deps();
  const pack = { type: "credit_pack", packCode: "tools_credits_1000" };

  const notAdmin = await checkout(d, member, { accountId: team.id, provider: "stripe", item: pack });
  assertEquals([notAdmin.status, notAdmin.body.error.field], [403, "account_id"]);
  const unknown = await checkout(d, owner, { accountId: team.id, provider: "stripe", item: { type: "plan", planCode: "gold_plan" } });
  assertEquals([unknown.status, unknown.body.error.field], [400, "item.planCode"]);
  const zarOnly = await checkout(d, owner, { accountId: team.id, provider: "payfast", item: pack });
  assertEquals([zarOnly.status, zarOnly.body.error.field], [400, "provider"]);
  const bad = await checkout(d, owner, { accountId: team.id, provider: "stripe", item: { type: "credit_pack" } });
  assertEquals([bad.status, bad.body.error.field], [400, "item.packCode"]);

  const anonymous = await createHandler(d)(new Request(`${FUNCTIONS}/checkout`, { method: "POST", body: "{}" }));
  assertEquals(anonymous.status, 401);
  const get = await createHandler(d)(new Request(`${FUNCTIONS}/checkout`));
  assertEquals(get.status, 405);
  const [{ n }] = await testSql()`select count(*)::int as n from public.payments where account_id = ${team.id}`;
  assert(n === 0, "a refused checkout opens no order");
});

dbTest("close the pool", async () => {
  await closeTestSql();
});
