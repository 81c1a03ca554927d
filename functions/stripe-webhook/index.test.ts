// The stripe-webhook handler without a server, against the real database
// (SUPABASE_DB_URL: migrations, seed and demo data applied) and real Stripe
// signatures. Each test makes its own user (whose personal account has the
// user's id), so tests never share billing state.
//
// Signatures come from the SDK's generateTestHeaderStringAsync: under Deno
// the SDK's crypto provider is Web Crypto, which has no synchronous HMAC, so
// the synchronous generateTestHeaderString throws here.
import { createHash } from "node:crypto";
import { billingStore } from "../_shared/billing/store.ts";
import {
  createStripe,
  fromMinorUnits,
  LOCAL_STRIPE_WEBHOOK_SECRET,
  signLocalEvent,
  stripeWebhookSecret,
  toMinorUnits,
} from "../_shared/stripe.ts";
import { createHandler } from "./index.ts";
import { connect } from "../_shared/db.ts";
import { assert, assertEquals, closeTestSql, dbTest, ledgerViolations, newUser, testSql } from "../_shared/testing.ts";

const SECRET = `whsec_test_${crypto.randomUUID().replaceAll("-", "")}`;
const stripe = createStripe();
const sql = testSql;
const handler = () => createHandler({ store: billingStore(sql()), webhookSecret: SECRET, stripe });

// ------------------------------------------------------------ helpers



const rand = () => crypto.randomUUID().replaceAll("-", "").slice(0, 16);
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A fresh user id; the sign-up trigger gives them a personal account with the same id. */
const newUserId = async () => (await newUser("stripe")).id;

interface StripeEvent {
  id: string;
  object: "event";
  type: string;
  created: number;
  api_version: string;
  livemode: boolean;
  pending_webhooks: number;
  request: { id: null; idempotency_key: null };
  data: { object: Record<string, unknown> };
}

function event(type: string, object: Record<string, unknown>, created = nowSeconds()): StripeEvent {
  return {
    id: `evt_${rand()}`,
    object: "event",
    type,
    created,
    api_version: "2025-09-30.clover",
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    data: { object },
  };
}

async function sign(payload: string, secret = SECRET, timestamp?: number): Promise<string> {
  return await stripe.webhooks.generateTestHeaderStringAsync({ payload, secret, timestamp });
}

async function deliver(
  body: StripeEvent | string,
  opts: { header?: string | null; secret?: string; timestamp?: number; tamper?: (s: string) => string; ip?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const payload = typeof body === "string" ? body : JSON.stringify(body, null, 2);
  const header = opts.header !== undefined ? opts.header : await sign(payload, opts.secret, opts.timestamp);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    // Only the trusted header counts; x-forwarded-for is what a client writes.
    "cf-connecting-ip": opts.ip ?? "203.0.113.7",
    "x-forwarded-for": "198.51.100.66, 10.0.0.1",
  };
  if (header) headers["stripe-signature"] = header;
  const sent = opts.tamper ? opts.tamper(payload) : payload;
  const res = await handler()(new Request("http://x/stripe-webhook", { method: "POST", headers, body: sent }));
  return { status: res.status, body: await res.json() };
}

async function eventRows(eventId: string) {
  return await sql()`
    select status, signature_valid, error, host(source_ip) as ip, account_id, attempts
    from public.billing_events where provider = 'stripe' and event_id = ${eventId}
    order by received_at, status`;
}

async function assertEventStatus(eventId: string, status: string, errorLike?: RegExp) {
  const rows = await eventRows(eventId);
  const main = rows.find((r) => r.status !== "duplicate");
  assert(main, `no billing_events row for ${eventId}`);
  assertEquals(main!.status, status, `event ${eventId} status (error: ${main!.error})`);
  if (errorLike) assert(errorLike.test(main!.error ?? ""), `event ${eventId} error ${main!.error} should match ${errorLike}`);
}

async function balance(accountId: string): Promise<number> {
  const [row] = await sql()`select balance from public.credit_balances where account_id = ${accountId} and pool = 'credits'`;
  return row?.balance ?? 0;
}

async function assertLedgerInvariant() {
  assertEquals(await ledgerViolations(), 0, "credit ledger invariant violations");
}

async function notificationTypes(accountId: string): Promise<string[]> {
  const rows = await sql()`select type from public.notifications where account_id = ${accountId} order by created_at, type`;
  return rows.map((r) => r.type as string);
}

async function subscriptionRow(providerId: string) {
  const [row] = await sql()`
    select s.*, a.billing_status from public.subscriptions s join public.accounts a on a.id = s.account_id
    where s.provider = 'stripe' and s.provider_subscription_id = ${providerId}`;
  return row;
}

async function planId(code: string): Promise<string> {
  const [row] = await sql()`select id from public.plans where code = ${code}`;
  return row.id;
}

async function beginPackCheckout(userId: string, code = "tools_credits_1000") {
  return await billingStore(sql()).beginCheckout(userId, userId, "credit_pack", code, "stripe");
}

function packSession(accountId: string, order: { checkout_ref: string | null; credit_pack_id: string | null }, amountTotal = 1000, pi = `pi_${rand()}`) {
  return {
    id: `cs_test_${rand()}`,
    object: "checkout.session",
    mode: "payment",
    payment_intent: pi,
    subscription: null,
    customer: null,
    amount_total: amountTotal,
    currency: "usd",
    payment_status: "paid",
    status: "complete",
    metadata: {
      account_id: accountId,
      purpose: "credit_pack",
      checkout_ref: order.checkout_ref!,
      credit_pack_id: order.credit_pack_id!,
    },
  };
}

function stripeSubscription(
  id: string,
  opts: { status: string; customer: string; accountId?: string; price?: string; cancelAtPeriodEnd?: boolean; periodStart: number; periodEnd: number; periodOnItems?: boolean },
) {
  const item: Record<string, unknown> = {
    id: `si_${rand()}`,
    object: "subscription_item",
    price: { id: opts.price ?? "price_tools_growth_monthly", object: "price", recurring: { interval: "month" } },
  };
  const sub: Record<string, unknown> = {
    id,
    object: "subscription",
    status: opts.status,
    customer: opts.customer,
    metadata: opts.accountId ? { account_id: opts.accountId } : {},
    cancel_at_period_end: opts.cancelAtPeriodEnd ?? false,
    trial_end: null,
    items: { object: "list", data: [item] },
  };
  if (opts.periodOnItems) Object.assign(item, { current_period_start: opts.periodStart, current_period_end: opts.periodEnd });
  else Object.assign(sub, { current_period_start: opts.periodStart, current_period_end: opts.periodEnd });
  return sub;
}

// ------------------------------------------------------------ pure helpers

Deno.test("minor units convert per currency exponent", () => {
  assertEquals(fromMinorUnits(1999, "usd"), "19.99");
  assertEquals(fromMinorUnits(5, "USD"), "0.05");
  assertEquals(fromMinorUnits(14900, "usd"), "149.00");
  assertEquals(fromMinorUnits(500, "jpy"), "500");
  assertEquals(fromMinorUnits(1234, "KWD"), "1.234");
  assertEquals(toMinorUnits("10.00", "usd"), 1000);
  assertEquals(toMinorUnits("500.00", "JPY"), 500);
  assertEquals(toMinorUnits("0.5", "usd"), 50);
});

Deno.test("the webhook secret falls back to the local secret, never with a live key", () => {
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  assertEquals(stripeWebhookSecret(env({ STRIPE_WEBHOOK_SECRET: "whsec_real" })), "whsec_real");
  assertEquals(stripeWebhookSecret(env({})), LOCAL_STRIPE_WEBHOOK_SECRET);
  let threw = false;
  try {
    stripeWebhookSecret(env({ STRIPE_SECRET_KEY: "sk_live_abc" }));
  } catch {
    threw = true;
  }
  assert(threw, "a live key without a webhook secret must be refused");
});

// ------------------------------------------------------------ signatures

dbTest("forged, expired, tampered, unsigned and unparseable requests are rejected with 400 and logged", async () => {
  const accountId = await newUserId();
  const cases: { name: string; ev: StripeEvent; opts: Parameters<typeof deliver>[1] }[] = [
    { name: "other secret", ev: event("invoice.paid", {}), opts: { secret: "whsec_someone_else" } },
    { name: "expired", ev: event("invoice.paid", {}), opts: { timestamp: nowSeconds() - 600 } },
    { name: "tampered", ev: event("checkout.session.completed", {}), opts: { tamper: (s) => s.replace('"checkout.session.completed"', '"checkout.session.completed" ') } },
    { name: "missing header", ev: event("invoice.paid", {}), opts: { header: null } },
    { name: "garbage header", ev: event("invoice.paid", {}), opts: { header: "t=abc,v1=" } },
  ];
  for (const { name, ev, opts } of cases) {
    ev.data.object = packSession(accountId, { checkout_ref: "x", credit_pack_id: null });
    const res = await deliver(ev, opts);
    assertEquals(res.status, 400, name);
    const error = res.body.error as Record<string, string>;
    assertEquals(error.code, "invalid_signature", name);
    assertEquals(error.field, "stripe-signature", name);
    const rows = await eventRows(ev.id);
    assertEquals(rows.length, 1, `${name}: one row`);
    assertEquals([rows[0].status, rows[0].signature_valid, rows[0].ip], ["rejected", false, "203.0.113.7"], name);
    assert(rows[0].error, `${name}: the rejection says why`);
  }
  assert(/header/i.test((await eventRows(cases[3].ev.id))[0].error), "missing header is named");
  assert(/tolerance/i.test((await eventRows(cases[1].ev.id))[0].error), "expiry is named");

  // A body that is not JSON at all, with a bad signature: logged without an id.
  const marker = `not json ${rand()}`;
  const res = await deliver(marker, { header: "t=1,v1=deadbeef", ip: "999.1.2.3" });
  assertEquals(res.status, 400);
  const [row] = await sql()`select status, signature_valid, event_id, source_ip from public.billing_events where payload->>'raw' = ${marker}`;
  assertEquals([row.status, row.signature_valid, row.event_id, row.source_ip], ["rejected", false, null, null], "an invalid forwarded address is not stored");

  // Nothing was applied for the account.
  assertEquals(await balance(accountId), 0);
  const [{ n }] = await sql()`select count(*)::int as n from public.payments where account_id = ${accountId}`;
  assertEquals(n, 0);
});

dbTest("only POST is accepted", async () => {
  const res = await handler()(new Request("http://x/stripe-webhook", { method: "GET" }));
  assertEquals(res.status, 405);
});

dbTest("events signed with the local development secret are accepted; unknown types are ignored", async () => {
  const local = createHandler({ store: billingStore(sql()), webhookSecret: LOCAL_STRIPE_WEBHOOK_SECRET, stripe });
  const ev = event("customer.created", { id: `cus_${rand()}`, object: "customer" });
  const payload = JSON.stringify(ev);
  const res = await local(new Request("http://x", { method: "POST", headers: { "stripe-signature": await signLocalEvent(payload) }, body: payload }));
  assertEquals(res.status, 200);
  assertEquals(await res.json(), { received: true, ignored: true });
  await assertEventStatus(ev.id, "ignored", /not handled/);
});

// ------------------------------------------------------------ credit packs

dbTest("a credit pack purchase grants its credits once, however often it is delivered", async () => {
  const userId = await newUserId();
  const order = await beginPackCheckout(userId);
  const ev = event("checkout.session.completed", packSession(userId, order));

  const first = await deliver(ev);
  assertEquals([first.status, first.body], [200, { received: true }]);
  const second = await deliver(ev);
  assertEquals([second.status, second.body], [200, { received: true, duplicate: true }]);

  assertEquals(await balance(userId), 1000);
  const [{ n }] = await sql()`select count(*)::int as n from public.credit_transactions where account_id = ${userId}`;
  assertEquals(n, 1, "one grant");
  const payments = await sql()`select status, amount::text, provider_ref from public.payments where account_id = ${userId}`;
  assertEquals(payments.length, 1, "one payment");
  assertEquals([payments[0].status, payments[0].amount], ["succeeded", "10.00"]);
  assertEquals(payments[0].provider_ref, (ev.data.object as { payment_intent: string }).payment_intent);

  const rows = await eventRows(ev.id);
  assertEquals(rows.map((r) => r.status).sort(), ["duplicate", "processed"]);
  assertEquals(rows.find((r) => r.status === "processed")!.account_id, userId);
  await assertLedgerInvariant();
});

dbTest("a credit pack whose paid amount differs from the order is not applied", async () => {
  const userId = await newUserId();
  const order = await beginPackCheckout(userId);
  const ev = event("checkout.session.completed", packSession(userId, order, 100));
  const res = await deliver(ev);
  assertEquals(res.status, 500, "failed, so Stripe retries (and it stays refused)");
  await assertEventStatus(ev.id, "failed", /^amount/);
  assertEquals(await balance(userId), 0);
  const [payment] = await sql()`select status from public.payments where id = ${order.id}`;
  assertEquals(payment.status, "pending");
  await assertLedgerInvariant();
});

// ------------------------------------------------------------ refunds

dbTest("charge.refunded records each refund once and claws back the credits", async () => {
  const userId = await newUserId();
  const order = await beginPackCheckout(userId);
  const pi = `pi_${rand()}`;
  assertEquals((await deliver(event("checkout.session.completed", packSession(userId, order, 1000, pi)))).status, 200);
  assertEquals(await balance(userId), 1000);

  const chargeId = `ch_${rand()}`;
  const charge = (refunds: { id: string; amount: number }[]) => ({
    id: chargeId,
    object: "charge",
    payment_intent: pi,
    amount: 1000,
    amount_refunded: refunds.reduce((s, r) => s + r.amount, 0),
    currency: "usd",
    refunded: refunds.reduce((s, r) => s + r.amount, 0) === 1000,
    metadata: {},
    refunds: { object: "list", data: refunds.map((r) => ({ ...r, object: "refund", reason: "requested_by_customer", status: "succeeded" })) },
  });
  const re1 = { id: `re_${rand()}`, amount: 400 };
  const partial = event("charge.refunded", charge([re1]));
  assertEquals((await deliver(partial)).status, 200);
  let [payment] = await sql()`select status, amount_refunded::text from public.payments where id = ${order.id}`;
  assertEquals([payment.status, payment.amount_refunded], ["partially_refunded", "4.00"]);
  assertEquals(await balance(userId), 600);
  await assertEventStatus(partial.id, "processed");

  // The next refund's event lists both refunds; the first is not counted again.
  const re2 = { id: `re_${rand()}`, amount: 600 };
  assertEquals((await deliver(event("charge.refunded", charge([re2, re1])))).status, 200);
  [payment] = await sql()`select status, amount_refunded::text from public.payments where id = ${order.id}`;
  assertEquals([payment.status, payment.amount_refunded], ["refunded", "10.00"]);
  const refunds = await sql()`select provider_ref, amount::text, reason from public.refunds where payment_id = ${order.id} order by amount`;
  assertEquals(refunds.map((r) => [r.provider_ref, r.amount, r.reason]), [
    [re1.id, "4.00", "requested_by_customer"],
    [re2.id, "6.00", "requested_by_customer"],
  ]);
  assertEquals(await balance(userId), 0);
  await assertLedgerInvariant();
});

dbTest("charge.refunded without a refunds list records the increase of amount_refunded", async () => {
  const userId = await newUserId();
  const order = await beginPackCheckout(userId);
  const pi = `pi_${rand()}`;
  assertEquals((await deliver(event("checkout.session.completed", packSession(userId, order, 1000, pi)))).status, 200);
  const chargeId = `ch_${rand()}`;
  const charge = (refunded: number) => ({
    id: chargeId, object: "charge", payment_intent: pi, amount: 1000, amount_refunded: refunded, currency: "usd", metadata: {},
  });
  assertEquals((await deliver(event("charge.refunded", charge(300)))).status, 200);
  // The same state again under another event id (Stripe resends): nothing more.
  assertEquals((await deliver(event("charge.refunded", charge(300)))).status, 200);
  assertEquals(await balance(userId), 700);
  assertEquals((await deliver(event("charge.refunded", charge(1000)))).status, 200);
  const refunds = await sql()`select provider_ref, amount::text from public.refunds where payment_id = ${order.id} order by amount`;
  assertEquals(refunds.map((r) => [r.provider_ref, r.amount]), [[`${chargeId}:300`, "3.00"], [`${chargeId}:1000`, "7.00"]]);
  const [payment] = await sql()`select status from public.payments where id = ${order.id}`;
  assertEquals(payment.status, "refunded");
  assertEquals(await balance(userId), 0);

  // A refund of a charge that is not ours is ignored.
  const foreign = event("charge.refunded", { ...charge(100), id: `ch_${rand()}`, payment_intent: `pi_${rand()}` });
  assertEquals((await deliver(foreign)).status, 200);
  await assertEventStatus(foreign.id, "ignored", /no Domus payment/);
  await assertLedgerInvariant();
});

dbTest("two partial charge.refunded events at once (no refunds list) both apply exactly: no 5xx, credits clawed back once", async () => {
  for (let round = 0; round < 3; round++) {
    const userId = await newUserId();
    const order = await beginPackCheckout(userId);
    const pi = `pi_${rand()}`;
    assertEquals((await deliver(event("checkout.session.completed", packSession(userId, order, 1000, pi)))).status, 200);
    assertEquals(await balance(userId), 1000);
    const chargeId = `ch_${rand()}`;
    const charge = (refunded: number) => ({
      id: chargeId, object: "charge", payment_intent: pi, amount: 1000, amount_refunded: refunded, currency: "usd", metadata: {},
    });
    // 3.00 refunded, then the rest: Stripe sends both states; they arrive together.
    const [a, b] = await Promise.all([deliver(event("charge.refunded", charge(300))), deliver(event("charge.refunded", charge(1000)))]);
    assertEquals([a.status, b.status], [200, 200], `round ${round}`);
    const [payment] = await sql()`select status, amount_refunded::text from public.payments where id = ${order.id}`;
    assertEquals([payment.status, payment.amount_refunded], ["refunded", "10.00"]);
    const [refunds] = await sql()`select sum(amount)::text as total from public.refunds where payment_id = ${order.id}`;
    assertEquals(refunds.total, "10.00");
    assertEquals(await balance(userId), 0);
    await assertLedgerInvariant();
  }
});

dbTest("the refunded amount is read under the payment lock: a total that lost the race records nothing (two connections)", async () => {
  const userId = await newUserId();
  const order = await beginPackCheckout(userId);
  const pi = `pi_${rand()}`;
  assertEquals((await deliver(event("checkout.session.completed", packSession(userId, order, 1000, pi)))).status, 200);
  const first = connect(Deno.env.get("SUPABASE_DB_URL")!, 1);
  const second = connect(Deno.env.get("SUPABASE_DB_URL")!, 1);
  try {
    const [{ pid }] = await second`select pg_backend_pid() as pid`;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let firstTx!: Promise<unknown>;
    const locked = new Promise<void>((resolveLocked) => {
      firstTx = first.begin(async (tx) => {
        await tx`select private.billing_record_refunded_total('stripe', ${`ch_${pi}:1000`}, ${order.id}::uuid, 10.00, null)`;
        resolveLocked();
        await held;
      });
    });
    await locked;
    // The older total (3.00) arrives while the newer one is still being applied.
    const late = second`select r.id, r.amount::text from private.billing_record_refunded_total('stripe', ${`ch_${pi}:300`}, ${order.id}::uuid, 3.00, null) r`;
    late.execute();
    for (;;) {
      const [w] = await sql()`select wait_event_type from pg_stat_activity where pid = ${pid}`;
      if (w?.wait_event_type === "Lock") break;
      await new Promise((r) => setTimeout(r, 10));
    }
    release();
    await firstTx;
    const [row] = await late;
    assertEquals(row.id, null, "nothing left to refund once the newer total is in");
    const refunds = await sql()`select provider_ref, amount::text from public.refunds where payment_id = ${order.id}`;
    assertEquals(refunds.map((r) => [r.provider_ref, r.amount]), [[`ch_${pi}:1000`, "10.00"]]);
    assertEquals(await balance(userId), 0);
    await assertLedgerInvariant();
  } finally {
    await first.end();
    await second.end();
  }
});

dbTest("an oversize body is 413 and recorded as rejected with its hash and a capped payload", async () => {
  const raw = JSON.stringify({ id: `evt_${rand()}`, type: "invoice.paid", pad: "x".repeat(600 * 1024) });
  const res = await deliver(raw, { header: "t=1,v1=deadbeef" });
  assertEquals(res.status, 413);
  const digest = createHash("sha256").update(raw).digest("hex");
  const [row] = await sql()`select status, payload_bytes, length(payload::text) as stored, host(source_ip) as ip
                            from public.billing_events where provider = 'stripe' and payload_sha256 = ${digest}`;
  assertEquals([row.status, row.payload_bytes, row.ip], ["rejected", raw.length, "203.0.113.7"]);
  assert(row.stored < 5000, `payload capped: ${row.stored}`);
});

// ------------------------------------------------------------ subscriptions

dbTest("an older customer.subscription.updated never overwrites a newer state", async () => {
  const userId = await newUserId();
  const subId = `sub_${rand()}`;
  const customer = `cus_${rand()}`;
  const t1 = nowSeconds() - 120;
  const t2 = nowSeconds() - 60;
  const base = { customer, accountId: userId, periodStart: t1, periodEnd: t1 + 30 * 86400 };

  const newer = event("customer.subscription.updated", stripeSubscription(subId, { ...base, status: "past_due" }), t2);
  assertEquals((await deliver(newer)).status, 200);
  const older = event("customer.subscription.updated", stripeSubscription(subId, { ...base, status: "active" }), t1);
  assertEquals((await deliver(older)).status, 200);

  const sub = await subscriptionRow(subId);
  assertEquals(sub.status, "past_due");
  assertEquals(sub.provider_state_at.getTime(), t2 * 1000);
  assertEquals(sub.billing_status, "past_due");
  await assertEventStatus(newer.id, "processed");
  await assertEventStatus(older.id, "processed");
  await assertLedgerInvariant();
});

dbTest("an invoice for a subscription not known yet fails (Stripe retries) and applies on redelivery", async () => {
  const userId = await newUserId();
  const subId = `sub_${rand()}`;
  const inv = event("invoice.paid", {
    id: `in_${rand()}`, object: "invoice", subscription: subId, amount_paid: 14900, amount_due: 14900, currency: "usd",
  });
  const early = await deliver(inv);
  assertEquals(early.status, 500);
  await assertEventStatus(inv.id, "failed", /not known yet/);

  const now = nowSeconds();
  await deliver(event("customer.subscription.created", stripeSubscription(subId, {
    status: "active", customer: `cus_${rand()}`, accountId: userId, periodStart: now, periodEnd: now + 30 * 86400,
  })));
  const retry = await deliver(inv);
  assertEquals([retry.status, retry.body], [200, { received: true }]);
  await assertEventStatus(inv.id, "processed");
  const [row] = await sql()`select attempts from public.billing_events where event_id = ${inv.id} and status <> 'duplicate'`;
  assertEquals(row.attempts, 2);
  assertEquals(await balance(userId), 5000);
  await assertLedgerInvariant();
});

dbTest("a whole subscription life: checkout, creation, payment, renewal, failure, cancellation", async () => {
  const userId = await newUserId();
  const store = billingStore(sql());
  const order = await store.beginCheckout(userId, userId, "plan", "tools_growth", "stripe");
  const growth = await planId("tools_growth");
  const subId = `sub_${rand()}`;
  const customer = `cus_${rand()}`;
  const t0 = nowSeconds() - 600;
  const month = 30 * 86400;

  // 1. Checkout completes: the subscription starts, the customer is linked.
  const completed = event("checkout.session.completed", {
    id: `cs_test_${rand()}`, object: "checkout.session", mode: "subscription", payment_intent: null,
    subscription: subId, customer, amount_total: 14900, currency: "usd", payment_status: "paid",
    metadata: { account_id: userId, purpose: "subscription", checkout_ref: order.checkout_ref!, plan_id: growth },
  }, t0);
  assertEquals((await deliver(completed)).status, 200);
  let sub = await subscriptionRow(subId);
  assertEquals([sub.status, sub.plan_id, sub.account_id, sub.billing_status], ["active", growth, userId, "active"]);
  const [link] = await sql()`select customer_ref from public.billing_customers where account_id = ${userId} and provider = 'stripe'`;
  assertEquals(link.customer_ref, customer);

  // 2. customer.subscription.created (newer API: period on the items; account found by customer).
  const created = event("customer.subscription.created", stripeSubscription(subId, {
    status: "active", customer, periodStart: t0, periodEnd: t0 + month, periodOnItems: true,
  }), t0 + 1);
  assertEquals((await deliver(created)).status, 200);
  sub = await subscriptionRow(subId);
  assertEquals([sub.current_period_start.getTime(), sub.current_period_end.getTime()], [t0 * 1000, (t0 + month) * 1000]);
  await assertEventStatus(created.id, "processed");

  // 3. First invoice paid (newer API: subscription under parent): credits for the period.
  const invoice = (id: string, subscriptionField: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    id, object: "invoice", amount_paid: 14900, amount_due: 14900, currency: "usd", customer, ...subscriptionField, ...extra,
  });
  const in1 = `in_${rand()}`;
  assertEquals((await deliver(event("invoice.paid", invoice(in1, { parent: { type: "subscription_details", subscription_details: { subscription: subId } } }), t0 + 2))).status, 200);
  assertEquals(await balance(userId), 5000);
  // invoice.payment_succeeded for the same invoice changes nothing.
  assertEquals((await deliver(event("invoice.payment_succeeded", invoice(in1, { subscription: subId }), t0 + 2))).status, 200);
  assertEquals(await balance(userId), 5000);
  let [payment] = await sql()`select status, amount::text, currency, subscription_id, purpose from public.payments where provider_ref = ${in1}`;
  assertEquals([payment.status, payment.amount, payment.currency, payment.subscription_id, payment.purpose], ["succeeded", "149.00", "USD", sub.id, "subscription"]);

  // 4. Renewal (older API: invoice.subscription): credits again, a renewal notice.
  const in2 = `in_${rand()}`;
  assertEquals((await deliver(event("invoice.paid", invoice(in2, { subscription: subId }), t0 + month))).status, 200);
  assertEquals(await balance(userId), 10000);
  assert((await notificationTypes(userId)).includes("subscription_renewal"), "renewal notification");

  // 5. The next renewal fails.
  const in3 = `in_${rand()}`;
  const failed = event("invoice.payment_failed", invoice(in3, { subscription: subId }, { amount_paid: 0, last_finalization_error: null }), t0 + 2 * month);
  assertEquals((await deliver(failed)).status, 200);
  [payment] = await sql()`select status, failure_reason from public.payments where provider_ref = ${in3}`;
  assertEquals([payment.status, payment.failure_reason], ["failed", "payment_failed"]);
  assert((await notificationTypes(userId)).includes("payment_failed"), "payment failed notification");
  assertEquals(await balance(userId), 10000);

  // 6. The customer cancels at the period's end (older API: period on the subscription).
  const canceling = event("customer.subscription.updated", stripeSubscription(subId, {
    status: "active", customer, cancelAtPeriodEnd: true, periodStart: t0 + month, periodEnd: t0 + 2 * month,
  }), t0 + 2 * month + 10);
  assertEquals((await deliver(canceling)).status, 200);
  sub = await subscriptionRow(subId);
  assertEquals([sub.status, sub.cancel_at_period_end, sub.auto_renew], ["active", true, false]);

  // 7. Deleted: canceled, and the account's billing status follows.
  const deleted = event("customer.subscription.deleted", stripeSubscription(subId, {
    status: "canceled", customer, cancelAtPeriodEnd: true, periodStart: t0 + month, periodEnd: t0 + 2 * month,
  }), t0 + 2 * month + 20);
  const res = await deliver(deleted);
  assertEquals(res.status, 200);
  sub = await subscriptionRow(subId);
  assertEquals([sub.status, sub.billing_status], ["canceled", "canceled"]);
  assert(sub.canceled_at, "canceled_at set");
  assert((await notificationTypes(userId)).includes("subscription_canceled"), "cancellation notification");
  const [ev] = await eventRows(deleted.id);
  assertEquals([ev.status, ev.account_id], ["processed", userId]);
  await assertLedgerInvariant();
});

// ------------------------------------------------------------ genuine but not ours / malformed

dbTest("genuine events that are malformed or not ours are ignored with the reason", async () => {
  const userId = await newUserId();
  const malformed = event("invoice.paid", { id: `in_${rand()}`, object: "invoice", subscription: "sub_x", amount_paid: "lots", amount_due: 0, currency: "usd" });
  assertEquals((await deliver(malformed)).body, { received: true, ignored: true });
  await assertEventStatus(malformed.id, "ignored", /malformed invoice: amount_paid/);

  const noMetadata = event("checkout.session.completed", { ...packSession(userId, { checkout_ref: "x", credit_pack_id: null }), metadata: {} });
  assertEquals((await deliver(noMetadata)).status, 200);
  await assertEventStatus(noMetadata.id, "ignored", /not a Domus checkout/);

  const foreignSub = event("customer.subscription.updated", stripeSubscription(`sub_${rand()}`, {
    status: "active", customer: `cus_${rand()}`, price: "price_somebody_else", periodStart: 1, periodEnd: 2,
  }));
  assertEquals((await deliver(foreignSub)).status, 200);
  await assertEventStatus(foreignSub.id, "ignored", /not a Domus subscription/);

  const oneOff = event("invoice.paid", { id: `in_${rand()}`, object: "invoice", subscription: null, amount_paid: 500, amount_due: 500, currency: "usd" });
  assertEquals((await deliver(oneOff)).status, 200);
  await assertEventStatus(oneOff.id, "ignored", /without a subscription/);

  // jsonb cannot hold \u0000; the event is still stored (without it).
  const nul = event("customer.updated", { id: `cus_${rand()}`, object: "customer", name: "a\u0000b" });
  assertEquals((await deliver(nul)).status, 200);
  await assertEventStatus(nul.id, "ignored", /not handled/);
  await assertLedgerInvariant();
});

dbTest("close the database pool", async () => {
  await closeTestSql();
});
