// Stripe events of a Tools cart checkout (issue 10) through the real
// stripe-webhook handler and the real database: the purchases a checkout
// opened are activated exactly once however often and in whatever order the
// events arrive, a forged signature changes nothing, an expired session fails
// the purchases it leaves unpaid, and a full refund refunds them.
import { billingStore } from "../_shared/billing/store.ts";
import { createStripe, signLocalEvent } from "../_shared/stripe.ts";
import { toolsStore } from "../_shared/tools/store.ts";
import { addToCart, newBundle, newTool, purchasesOf, teamFixture } from "../_shared/tools/testing.ts";
import { LOCAL_PAYFAST, localConfirmation } from "../_shared/payfast.ts";
import { assert, assertEquals, closeTestSql, dbTest, newUser, testSql, userToken } from "../_shared/testing.ts";
import { createHandler as replayHandler } from "../billing-replay/index.ts";
import { createHandler } from "./index.ts";
import { toolsAction } from "./tools-events.ts";

const SECRET = `whsec_test_${crypto.randomUUID().replaceAll("-", "")}`;
const handler = () => createHandler({ store: billingStore(testSql()), tools: toolsStore(testSql()), webhookSecret: SECRET, stripe: createStripe() });
const rand = () => crypto.randomUUID().replaceAll("-", "").slice(0, 16);

interface Checkout {
  ref: string;
  toolId: string;
  accountId: string;
  paymentIntent: string;
  invoice: string;
  metadata: Record<string, string>;
}

/** A team member's cart (a tool and a bundle) opened by the database as PENDING purchases. */
async function openCheckout(method: "CREDIT_CARD" | "ACH" | "INVOICE" = "CREDIT_CARD"): Promise<Checkout> {
  const f = await teamFixture();
  const tool = await newTool("49.00");
  await addToCart(f.accountId, f.member.id, { tool: tool.id });
  await addToCart(f.accountId, f.member.id, { bundle: (await newBundle([(await newTool("98.75")).id], "79.00")).id });
  const ref = `tools_${crypto.randomUUID()}`;
  const lines = await toolsStore(testSql()).beginCheckout(f.accountId, f.member.id, method, ref);
  assertEquals(lines.length, 2);
  return {
    ref,
    toolId: tool.id,
    accountId: f.accountId,
    paymentIntent: `pi_${rand()}`,
    invoice: `in_${rand()}`,
    metadata: { purpose: "tools_cart", account_id: f.accountId, checkout_ref: ref, method },
  };
}

function sessionEvent(c: Checkout, type: string, paymentStatus: "paid" | "unpaid") {
  return {
    id: `evt_${rand()}`, object: "event", type, created: Math.floor(Date.now() / 1000), livemode: false, api_version: "2025-09-30.clover",
    data: {
      object: {
        id: `cs_${rand()}`, object: "checkout.session", mode: "payment", payment_status: paymentStatus, amount_total: 12800, currency: "usd",
        payment_intent: c.paymentIntent, invoice: c.invoice, customer: null, client_reference_id: c.accountId, metadata: c.metadata,
      },
    },
  };
}

function refundEvent(c: Checkout, refunded = 12800, metadata: Record<string, string> = c.metadata) {
  return {
    id: `evt_${rand()}`, object: "event", type: "charge.refunded", created: Math.floor(Date.now() / 1000), livemode: false, api_version: "2025-09-30.clover",
    data: {
      object: {
        id: `ch_${rand()}`, object: "charge", payment_intent: c.paymentIntent, invoice: null, amount: 12800, amount_refunded: refunded,
        currency: "usd", metadata,
      },
    },
  };
}

async function deliver(event: unknown, secret = SECRET) {
  const payload = JSON.stringify(event);
  const res = await handler()(new Request("http://functions.test/functions/v1/stripe-webhook", {
    method: "POST",
    headers: { "content-type": "application/json", "stripe-signature": await signLocalEvent(payload, secret) },
    body: payload,
  }));
  return { status: res.status, body: await res.json() };
}

const states = async (c: Checkout) => (await purchasesOf(c.accountId)).map((p) => [p.payment_status, p.status]);
const paymentStates = async (c: Checkout) => (await purchasesOf(c.accountId)).map((p) => p.payment_status);
const eventStatus = async (eventId: string) =>
  (await testSql()`select status from public.billing_events where event_id = ${eventId} order by received_at`).map((r) => r.status);

dbTest("tools card checkout: completed delivered twice, then a second success and a late expiry: activated exactly once", async () => {
  const c = await openCheckout();
  const completed = sessionEvent(c, "checkout.session.completed", "paid");
  assertEquals((await deliver(completed)).status, 200);
  const first = await purchasesOf(c.accountId);
  assertEquals(first.map((p) => [p.payment_status, p.status, p.stripe_invoice_id]), [
    ["COMPLETED", "ACTIVE", c.invoice], ["COMPLETED", "ACTIVE", c.invoice],
  ]);
  assertEquals(first.map((p) => p.stripe_payment_id?.split(":")[0]), [c.paymentIntent, c.paymentIntent], "each line records the payment intent");

  const again = await deliver(completed);
  assertEquals([again.status, again.body.duplicate], [200, true]);
  // Stripe can send a success twice under different event ids (async_payment_succeeded after completed).
  assertEquals((await deliver(sessionEvent(c, "checkout.session.async_payment_succeeded", "paid"))).status, 200);
  assertEquals((await deliver(sessionEvent(c, "checkout.session.expired", "unpaid"))).status, 200);

  const after = await purchasesOf(c.accountId);
  assertEquals(after.map((p) => [p.payment_status, p.status, String(p.activated_at)]), first.map((p) => ["COMPLETED", "ACTIVE", String(p.activated_at)]),
    "nothing re-activated or failed after the first success");
  assertEquals(await eventStatus(completed.id), ["processed", "duplicate"]);
  const [{ purchase_count }] = await testSql()`select purchase_count from tools.marketplace_tools where id = ${c.toolId}`;
  assertEquals(purchase_count, 1, "one activation counted");
});

dbTest("tools ACH checkout out of order: the cleared debit before the unpaid completion still activates once", async () => {
  const c = await openCheckout("ACH");
  const succeeded = sessionEvent(c, "checkout.session.async_payment_succeeded", "paid");
  const completed = sessionEvent(c, "checkout.session.completed", "unpaid");
  assertEquals((await deliver(succeeded)).status, 200);
  assertEquals(await states(c), [["COMPLETED", "ACTIVE"], ["COMPLETED", "ACTIVE"]]);
  const late = await deliver(completed);
  assertEquals([late.status, late.body.ignored], [200, true], JSON.stringify(late.body));
  assertEquals(await states(c), [["COMPLETED", "ACTIVE"], ["COMPLETED", "ACTIVE"]]);
  assertEquals(await eventStatus(completed.id), ["ignored"]);
});

dbTest("tools ACH checkout: the unpaid completion activates nothing; the failed debit fails the purchases", async () => {
  const c = await openCheckout("ACH");
  assertEquals((await deliver(sessionEvent(c, "checkout.session.completed", "unpaid"))).status, 200);
  assertEquals(await paymentStates(c), ["PENDING", "PENDING"]);
  assertEquals((await deliver(sessionEvent(c, "checkout.session.async_payment_failed", "unpaid"))).status, 200);
  const rows = await purchasesOf(c.accountId);
  assertEquals(rows.map((p) => [p.payment_status, p.activated_at]), [["FAILED", null], ["FAILED", null]]);
});

dbTest("tools checkout: an expired session fails its purchases; a success after that activates nothing", async () => {
  const c = await openCheckout();
  assertEquals((await deliver(sessionEvent(c, "checkout.session.expired", "unpaid"))).status, 200);
  assertEquals((await purchasesOf(c.accountId)).map((p) => p.payment_status), ["FAILED", "FAILED"]);
  await deliver(sessionEvent(c, "checkout.session.completed", "paid"));
  const rows = await purchasesOf(c.accountId);
  assertEquals(rows.map((p) => [p.payment_status, p.activated_at]), [["FAILED", null], ["FAILED", null]]);
});

dbTest("tools checkout: a session that collected less than the purchases cost activates nothing (failed, kept for replay)", async () => {
  const c = await openCheckout();
  const short = sessionEvent(c, "checkout.session.completed", "paid");
  (short.data.object as Record<string, unknown>).amount_total = 100;
  const res = await deliver(short);
  assertEquals(res.status, 500);
  assertEquals(await paymentStates(c), ["PENDING", "PENDING"]);
  const [event] = await testSql()`select status, error from public.billing_events where event_id = ${short.id}`;
  assertEquals(event.status, "failed");
  assert(String(event.error).startsWith("amount_total: "), String(event.error));
});

// Audit: before the owner check a session's metadata could name any checkout ref.
dbTest("tools checkout: a session naming another account's checkout_ref settles nothing (failed, kept for replay)", async () => {
  const c = await openCheckout();
  const rival = (await teamFixture()).accountId;
  const foreign = { ...c, metadata: { ...c.metadata, account_id: rival } };
  const paid = sessionEvent(foreign, "checkout.session.completed", "paid");
  assertEquals((await deliver(paid)).status, 500);
  const expired = sessionEvent(foreign, "checkout.session.expired", "unpaid");
  assertEquals((await deliver(expired)).status, 500);
  const noAccount = sessionEvent({ ...c, metadata: { purpose: "tools_cart", checkout_ref: c.ref } }, "checkout.session.completed", "paid");
  assertEquals((await deliver(noAccount)).status, 500);
  assertEquals(await paymentStates(c), ["PENDING", "PENDING"]);
  for (const e of [paid, expired, noAccount]) {
    const [event] = await testSql()`select status, error from public.billing_events where event_id = ${e.id}`;
    assertEquals(event.status, "failed");
    assert(String(event.error).startsWith("checkout_ref: "), String(event.error));
  }
  // The genuine session still completes it.
  assertEquals((await deliver(sessionEvent(c, "checkout.session.completed", "paid"))).status, 200);
  assertEquals(await paymentStates(c), ["COMPLETED", "COMPLETED"]);
});

dbTest("tools checkout: a paid session naming an invoice order's checkout_ref does not mark the invoice paid", async () => {
  const c = await openCheckout("INVOICE");
  assertEquals((await deliver(sessionEvent(c, "checkout.session.completed", "paid"))).status, 500);
  assertEquals(await paymentStates(c), ["PENDING", "PENDING"]);
});

dbTest("tools checkout: a forged signature is rejected and changes nothing", async () => {
  const c = await openCheckout();
  const forged = sessionEvent(c, "checkout.session.completed", "paid");
  const res = await deliver(forged, "whsec_not_the_real_secret");
  assertEquals([res.status, res.body.error.field], [400, "stripe-signature"]);
  assertEquals(await paymentStates(c), ["PENDING", "PENDING"]);
  assertEquals(await eventStatus(forged.id), ["rejected"]);
});

dbTest("tools checkout refund: a partial refund keeps access; a full one refunds every purchase of the payment, once", async () => {
  const c = await openCheckout();
  // Out of order: the refund of a payment whose completion has not arrived fails, so Stripe retries it.
  const early = refundEvent(c);
  assertEquals((await deliver(early)).status, 500);
  assertEquals(await eventStatus(early.id), ["failed"]);
  await deliver(sessionEvent(c, "checkout.session.completed", "paid"));

  const partial = await deliver(refundEvent(c, 4900));
  assertEquals([partial.status, partial.body.ignored], [200, true]);
  assertEquals(await states(c), [["COMPLETED", "ACTIVE"], ["COMPLETED", "ACTIVE"]]);

  assertEquals((await deliver(early)).status, 200, "Stripe's retry of the failed refund applies now");
  const rows = await purchasesOf(c.accountId);
  assertEquals(rows.map((p) => [p.payment_status, p.status]), [["REFUNDED", "REFUNDED"], ["REFUNDED", "REFUNDED"]]);
  assert(rows.every((p) => p.refunded_at), "refunded_at is set");
  assertEquals(await eventStatus(early.id), ["processed"]);
  assertEquals((await deliver(early)).body.duplicate, true);
});

dbTest("tools checkout refund: a charge without our metadata is found by its payment intent", async () => {
  const c = await openCheckout();
  await deliver(sessionEvent(c, "checkout.session.completed", "paid"));
  assertEquals((await deliver(refundEvent(c, 12800, {}))).status, 200);
  assertEquals(await states(c), [["REFUNDED", "REFUNDED"], ["REFUNDED", "REFUNDED"]]);
});

dbTest("tools events: a webhook without the tools store fails them (kept for replay) instead of dropping them", async () => {
  const c = await openCheckout();
  const completed = sessionEvent(c, "checkout.session.completed", "paid");
  const payload = JSON.stringify(completed);
  const res = await createHandler({ store: billingStore(testSql()), webhookSecret: SECRET, stripe: createStripe() })(
    new Request("http://functions.test/functions/v1/stripe-webhook", {
      method: "POST",
      headers: { "content-type": "application/json", "stripe-signature": await signLocalEvent(payload, SECRET) },
      body: payload,
    }),
  );
  assertEquals(res.status, 500);
  await res.body?.cancel();
  assertEquals(await eventStatus(completed.id), ["failed"]);
  assertEquals((await deliver(completed)).status, 200, "the redelivery to a wired webhook applies it");
  assertEquals(await states(c), [["COMPLETED", "ACTIVE"], ["COMPLETED", "ACTIVE"]]);
});

dbTest("tools events: a failed one is replayed by billing-replay through the tools store", async () => {
  const c = await openCheckout();
  const completed = sessionEvent(c, "checkout.session.completed", "paid");
  const payload = JSON.stringify(completed);
  const unwired = createHandler({ store: billingStore(testSql()), webhookSecret: SECRET, stripe: createStripe() });
  const res = await unwired(new Request("http://functions.test/functions/v1/stripe-webhook", {
    method: "POST",
    headers: { "content-type": "application/json", "stripe-signature": await signLocalEvent(payload, SECRET) },
    body: payload,
  }));
  await res.body?.cancel();
  const [{ id }] = await testSql()`select id from public.billing_events where event_id = ${completed.id}`;
  const admin = await newUser("tools-replay-admin");
  await testSql()`insert into public.platform_admins (user_id, note) values (${admin.id}, 'tools replay test')`;
  const jwtSecret = "tools-replay-test-secret-with-at-least-32-characters";
  const replayed = await replayHandler({
    jwtSecret, revocationReason: () => Promise.resolve(null), store: billingStore(testSql()), tools: toolsStore(testSql()),
    payfast: { merchantId: LOCAL_PAYFAST.merchantId, confirmation: localConfirmation(LOCAL_PAYFAST.passphrase) },
  })(new Request("http://functions.test/functions/v1/billing-replay", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${await userToken(admin, jwtSecret)}` },
    body: JSON.stringify({ id }),
  }));
  assertEquals([replayed.status, (await replayed.json()).outcome], [200, "processed"]);
  assertEquals(await states(c), [["COMPLETED", "ACTIVE"], ["COMPLETED", "ACTIVE"]]);
});

Deno.test("toolsAction maps each session and charge event to one action", () => {
  const meta = { purpose: "tools_cart", checkout_ref: "tools_x", account_id: "00000000-0000-4000-8000-000000000001" };
  const session = (payment_status: string) => ({ id: "cs_1", payment_status, payment_intent: "pi_1", invoice: { id: "in_1" }, metadata: meta });
  assertEquals(toolsAction("checkout.session.completed", session("paid")).kind, "complete");
  assertEquals(toolsAction("checkout.session.completed", session("no_payment_required")).kind, "none");
  assertEquals(toolsAction("checkout.session.async_payment_succeeded", session("paid")), {
    kind: "complete", checkoutRef: "tools_x", paymentIntent: "pi_1", invoice: "in_1", accountId: meta.account_id, amountTotal: null, currency: null,
  });
  assertEquals(toolsAction("checkout.session.async_payment_failed", session("unpaid")).kind, "fail");
  assertEquals(toolsAction("checkout.session.expired", session("unpaid")).kind, "fail");
  assertEquals(toolsAction("checkout.session.completed", { ...session("paid"), metadata: { purpose: "tools_cart" } }).kind, "none");
  const charge = (amount_refunded: number) => ({ id: "ch_1", payment_intent: "pi_1", amount: 100, amount_refunded, metadata: meta });
  assertEquals(toolsAction("charge.refunded", charge(100)).kind, "refund");
  assertEquals(toolsAction("charge.refunded", charge(40)).kind, "none");
});

dbTest("close the pool", async () => {
  await closeTestSql();
});
