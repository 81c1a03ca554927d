// Checkout of a Tools cart by card or ACH (issue 10), against the real
// database. Local mode sends its signed Stripe events, through an injected
// fetch, to the real stripe-webhook handler in-process; live mode is checked
// with a recording Stripe client.
import type { Stripe } from "../_shared/stripe.ts";
import { addToCart, newBundle, newTool, purchasesOf, teamFixture } from "../_shared/tools/testing.ts";
import { assert, assertEquals, closeTestSql, dbTest, testSql } from "../_shared/testing.ts";
import { checkout, deps } from "./test-support.ts";

const cart = (accountId: string, method: "CREDIT_CARD" | "ACH") => ({ accountId, provider: "stripe", item: { type: "tools_cart", method } });

dbTest("tools cart by card, local mode: one purchase per line, activated by the signed webhook, Stripe ids recorded", async () => {
  const f = await teamFixture();
  const tool = await newTool("49.00");
  const bundle = await newBundle([(await newTool("98.75")).id], "79.00");
  await addToCart(f.accountId, f.member.id, { tool: tool.id });
  await addToCart(f.accountId, f.member.id, { bundle: bundle.id });

  const { status, body } = await checkout(deps(), f.member, cart(f.accountId, "CREDIT_CARD"));
  assertEquals(status, 200, JSON.stringify(body));
  assertEquals([body.mode, body.method, body.total, body.currency, body.events], ["local", "CREDIT_CARD", "128.00", "USD", ["checkout.session.completed"]]);
  assertEquals(body.purchases.map((p: { paymentStatus: string }) => p.paymentStatus), ["COMPLETED", "COMPLETED"]);

  const rows = await purchasesOf(f.accountId);
  assertEquals(rows.map((p) => [p.tool_id ?? p.bundle_id, p.amount, p.payment_method, p.payment_status, p.status]), [
    [tool.id, "49.00", "CREDIT_CARD", "COMPLETED", "ACTIVE"],
    [bundle.id, "79.00", "CREDIT_CARD", "COMPLETED", "ACTIVE"],
  ]);
  assert(rows.every((p) => p.activated_at && p.stripe_invoice_id?.startsWith("in_local_")), "activated, with the session's invoice");
  assert(rows.every((p) => p.stripe_payment_id?.startsWith("pi_local_")), "each line records the payment intent");
  const [event] = await testSql()`select status from public.billing_events where payload->'data'->'object'->'metadata'->>'checkout_ref' = ${body.checkoutRef}`;
  assertEquals(event.status, "processed");
});

dbTest("tools cart by ACH, local mode: the session completes unpaid, the cleared debit activates", async () => {
  const f = await teamFixture();
  const tool = await newTool("120.00");
  await addToCart(f.accountId, f.owner.id, { tool: tool.id });
  // As @domus/client's tools.checkout sends it: the item repeats the account.
  const { status, body } = await checkout(deps(), f.owner, { ...cart(f.accountId, "ACH"), item: { type: "tools_cart", method: "ACH", accountId: f.accountId } });
  assertEquals(status, 200, JSON.stringify(body));
  assertEquals(body.events, ["checkout.session.completed", "checkout.session.async_payment_succeeded"]);
  const [row] = await purchasesOf(f.accountId);
  assertEquals([row.payment_method, row.payment_status, row.status], ["ACH", "COMPLETED", "ACTIVE"]);
  const events = await testSql()`
    select event_type, status from public.billing_events
    where payload->'data'->'object'->'metadata'->>'checkout_ref' = ${body.checkoutRef} order by received_at, event_type`;
  assertEquals(events.map((e) => [e.event_type, e.status]), [
    ["checkout.session.completed", "ignored"],
    ["checkout.session.async_payment_succeeded", "processed"],
  ]);
});

dbTest("tools cart, live Stripe: a payment-mode session, one line per purchase at the catalogue price, our ref in the metadata", async () => {
  const f = await teamFixture();
  const a = await newTool("49.00");
  const b = await newTool("19.99");
  await addToCart(f.accountId, f.owner.id, { tool: a.id });
  await addToCart(f.accountId, f.owner.id, { tool: b.id });
  const calls: Stripe.Checkout.SessionCreateParams[] = [];
  const fakeStripe = {
    checkout: { sessions: { create: (params: Stripe.Checkout.SessionCreateParams) => {
      calls.push(params);
      return Promise.resolve({ url: "https://checkout.stripe.com/c/pay/cs_test_tools" });
    } } },
  } as unknown as Stripe;

  const { status, body } = await checkout(deps({ stripe: fakeStripe }), f.owner, { ...cart(f.accountId, "ACH"), successUrl: "https://app.test/ok" });
  assertEquals([status, body.mode, body.url, body.total], [200, "live", "https://checkout.stripe.com/c/pay/cs_test_tools", "68.99"], JSON.stringify(body));
  const params = calls[0]!;
  assertEquals([params.mode, params.allowed_payment_method_types, params.success_url], ["payment", ["us_bank_account"], "https://app.test/ok"]);
  const lines = (params.line_items ?? []).map((l) => [l.quantity, l.price_data?.currency, l.price_data?.unit_amount, l.price_data?.product_data?.name]);
  lines.sort((x, y) => Number(x[2]) - Number(y[2]));
  assertEquals(lines, [[1, "usd", 1999, b.name], [1, "usd", 4900, a.name]]);
  assertEquals([params.metadata?.purpose, params.metadata?.checkout_ref, params.metadata?.account_id], ["tools_cart", body.checkoutRef, f.accountId]);
  assertEquals(params.payment_intent_data?.metadata?.checkout_ref, body.checkoutRef);
  const rows = await purchasesOf(f.accountId);
  assertEquals(rows.map((p) => p.payment_status), ["PENDING", "PENDING"], "paid only when Stripe's webhook says so");
});

dbTest("tools cart, live Stripe refusing the session: the checkout's purchases are failed, none left pending", async () => {
  const f = await teamFixture();
  await addToCart(f.accountId, f.owner.id, { tool: (await newTool()).id });
  const failing = { checkout: { sessions: { create: () => Promise.reject(new Error("stripe is down")) } } } as unknown as Stripe;
  const { status } = await checkout(deps({ stripe: failing }), f.owner, cart(f.accountId, "CREDIT_CARD"));
  assertEquals(status, 500);
  const rows = await purchasesOf(f.accountId);
  assertEquals(rows.map((p) => [p.payment_status, p.activated_at]), [["FAILED", null]]);
});

dbTest("tools cart refusals: another account's member 403, an affiliate 403, an empty cart 400 naming the cart, payfast 400", async () => {
  const f = await teamFixture();
  await addToCart(f.accountId, f.member.id, { tool: (await newTool()).id });
  const d = deps();

  const rival = await checkout(d, f.rival, cart(f.accountId, "CREDIT_CARD"));
  assertEquals([rival.status, rival.body.error.field], [403, "account_id"], JSON.stringify(rival.body));
  const affiliate = await checkout(d, f.affiliate, cart(f.accountId, "CREDIT_CARD"));
  assertEquals([affiliate.status, affiliate.body.error.field], [403, "account_id"]);
  const empty = await checkout(d, f.owner, cart(f.accountId, "CREDIT_CARD"));
  assertEquals([empty.status, empty.body.error.field], [400, "cart"], JSON.stringify(empty.body));
  const payfast = await checkout(d, f.member, { ...cart(f.accountId, "CREDIT_CARD"), provider: "payfast" });
  assertEquals([payfast.status, payfast.body.error.field], [400, "provider"]);
  const badMethod = await checkout(d, f.member, { ...cart(f.accountId, "CREDIT_CARD"), item: { type: "tools_cart", method: "PLATFORM_CREDITS" } });
  assertEquals([badMethod.status, badMethod.body.error.field], [400, "item.method"]);
  const otherAccount = await checkout(d, f.member, { ...cart(f.accountId, "CREDIT_CARD"), item: { type: "tools_cart", method: "ACH", accountId: f.rivalAccountId } });
  assertEquals([otherAccount.status, otherAccount.body.error.field], [400, "item.accountId"]);

  assertEquals(await purchasesOf(f.accountId), [], "a refused checkout opens no purchase");
  const [{ n }] = await testSql()`select count(*)::int as n from tools.marketplace_cart where organization_id = ${f.accountId}`;
  assertEquals(n, 1, "and leaves the member's cart as it was");
});

dbTest("close the pool", async () => {
  await closeTestSql();
});
