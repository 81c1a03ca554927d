// payfast-itn against the real billing functions in Postgres (no store
// mocks): SUPABASE_DB_URL must point at a database with the migrations, the
// seed and the demo data. ITNs are signed with the documented algorithm and
// the local passphrase; the source check and the server confirmation use the
// local adapters (or a stub answering INVALID).
import { createHash } from "node:crypto";
import { billingStore } from "../_shared/billing/store.ts";
import {
  checkoutFormFields,
  type Fields,
  LOCAL_PAYFAST,
  localConfirmation,
  localSourceValidator,
  payfastServerConfirmation,
  payfastSourceValidator,
  pfEncode,
  type ServerConfirmation,
  itnFields,
  signatureOf,
} from "../_shared/payfast.ts";
import { createHandler } from "./index.ts";
import type { PayfastItnDeps } from "./itn.ts";
import { assert, assertEquals, closeTestSql, ledgerViolations, newUser, testSql } from "../_shared/testing.ts";
import { createGateway } from "../../scripts/gateway/gateway.ts";

const md5 = (s: string) => createHash("md5").update(s).digest("hex");

// ------------------------------------------------------------------ the algorithm, offline

Deno.test("pfEncode is PHP urlencode: + for space, upper-case hex, only A-Za-z0-9-_. kept", () => {
  assertEquals(pfEncode("Studio credits (100)"), "Studio+credits+%28100%29");
  assertEquals(pfEncode("https://x.co.za/a?b=1&c=d e"), "https%3A%2F%2Fx.co.za%2Fa%3Fb%3D1%26c%3Dd+e");
  assertEquals(pfEncode("a~b*c'd!e"), "a%7Eb%2Ac%27d%21e"); // encodeURIComponent would keep ~ * ' !
  assertEquals(pfEncode("bob+1@x.com"), "bob%2B1%40x.com");
  assertEquals(pfEncode("Café"), "Caf%C3%A9");
  assertEquals(pfEncode("A-Z_a.z09"), "A-Z_a.z09");
});

Deno.test("signatureOf matches an ITN vector worked by hand from the docs", () => {
  // Fields as PayFast posts them: in this order, empty values included,
  // everything from `signature` on left out, passphrase appended.
  const fields: Fields = [
    ["m_payment_id", "01AB"],
    ["pf_payment_id", "1089250"],
    ["payment_status", "COMPLETE"],
    ["item_name", "Studio credits (100)"],
    ["item_description", ""],
    ["amount_gross", "149.00"],
    ["amount_fee", "-4.60"],
    ["email_address", "bob.smith+1@example.com"],
    ["custom_str1", "a/b:c~d*e"],
    ["merchant_id", "10000100"],
    ["signature", "ignored"],
    ["after_signature", "ignored too"],
  ];
  const byHand = "m_payment_id=01AB&pf_payment_id=1089250&payment_status=COMPLETE" +
    "&item_name=Studio+credits+%28100%29&item_description=&amount_gross=149.00&amount_fee=-4.60" +
    "&email_address=bob.smith%2B1%40example.com&custom_str1=a%2Fb%3Ac%7Ed%2Ae&merchant_id=10000100";
  assertEquals(signatureOf(fields, "domus-local-passphrase"), md5(byHand + "&passphrase=domus-local-passphrase"));
  assertEquals(signatureOf(fields), md5(byHand), "without a passphrase");
  assertEquals(signatureOf(fields, ""), md5(byHand), "an empty passphrase is no passphrase");
});

Deno.test("checkoutFormFields: documented order, empty values skipped, cycles 0 kept, signature last", () => {
  const fields = checkoutFormFields({
    merchantId: "10000100", merchantKey: "46f0cd694581a",
    returnUrl: "https://domus.test/ok", cancelUrl: "https://domus.test/cancel", notifyUrl: "https://domus.test/itn",
    paymentId: "ord-1", amount: 299, itemName: "Studio Basic (month)", accountId: "acc", purpose: "subscription",
    itemCode: "studio_basic", email: null, subscription: { frequency: 3, cycles: 0, recurringAmount: "299.00" },
  }, "pass phrase");
  assertEquals(fields.map(([k]) => k), [
    "merchant_id", "merchant_key", "return_url", "cancel_url", "notify_url", "m_payment_id", "amount", "item_name",
    "custom_str1", "custom_str2", "custom_str3", "subscription_type", "recurring_amount", "frequency", "cycles", "signature",
  ]);
  const byHand = "merchant_id=10000100&merchant_key=46f0cd694581a&return_url=https%3A%2F%2Fdomus.test%2Fok" +
    "&cancel_url=https%3A%2F%2Fdomus.test%2Fcancel&notify_url=https%3A%2F%2Fdomus.test%2Fitn&m_payment_id=ord-1" +
    "&amount=299.00&item_name=Studio+Basic+%28month%29&custom_str1=acc&custom_str2=subscription&custom_str3=studio_basic" +
    "&subscription_type=1&recurring_amount=299.00&frequency=3&cycles=0&passphrase=pass+phrase";
  assertEquals(fields.at(-1), ["signature", md5(byHand)]);
});

Deno.test("server confirmation posts the parameter string (no passphrase) to /eng/query/validate", async () => {
  const calls: Array<{ url: string; body: string }> = [];
  const fakeFetch = (answer: string) => ((url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), body: String(init?.body) });
    return Promise.resolve(new Response(answer));
  }) as typeof fetch;
  const fields: Fields = [["pf_payment_id", "1"], ["item_name", "a b"], ["signature", "x"]];
  assertEquals(await payfastServerConfirmation("sandbox.payfast.co.za", fakeFetch("VALID")).confirm(fields), true);
  assertEquals(calls[0], { url: "https://sandbox.payfast.co.za/eng/query/validate", body: "pf_payment_id=1&item_name=a+b" });
  assertEquals(await payfastServerConfirmation("www.payfast.co.za", fakeFetch("INVALID")).confirm(fields), false);
});

Deno.test("source validators: PayFast's resolved addresses only; local mode loopback only", async () => {
  const asked: string[] = [];
  const v = payfastSourceValidator({
    resolve: (host, type) => {
      asked.push(`${host}/${type}`);
      return Promise.resolve(type === "A" && host === "w1w.payfast.co.za" ? ["144.126.193.139"] : []);
    },
  });
  assertEquals(await v.isPayfastSource("144.126.193.139"), true);
  assertEquals(await v.isPayfastSource("::ffff:144.126.193.139"), true);
  assertEquals(await v.isPayfastSource("203.0.113.7"), false);
  assertEquals(await v.isPayfastSource(null), false);
  assert(["www", "sandbox", "w1w", "w2w"].every((h) => asked.includes(`${h}.payfast.co.za/A`)), "resolves the four hosts");
  assertEquals(await localSourceValidator.isPayfastSource("127.0.0.1"), true);
  assertEquals(await localSourceValidator.isPayfastSource("::1"), true);
  assertEquals(await localSourceValidator.isPayfastSource("10.0.0.1"), false);
});

// ------------------------------------------------------------------ the function against the database

const dbUrl = Deno.env.get("SUPABASE_DB_URL");
const dbTest = { ignore: !dbUrl, sanitizeResources: false, sanitizeOps: false };
const sql = dbUrl ? testSql() : null!;
const store = dbUrl ? billingStore(sql) : null!;
const PASS = LOCAL_PAYFAST.passphrase;

function harness(overrides: Partial<PayfastItnDeps> = {}) {
  const pending: Promise<unknown>[] = [];
  const handler = createHandler({
    store,
    passphrase: PASS,
    merchantId: LOCAL_PAYFAST.merchantId,
    sourceValidator: localSourceValidator,
    confirmation: localConfirmation(PASS),
    waitUntil: (p) => pending.push(p),
    ...overrides,
  });
  return {
    async post(fields: Fields, ip = "127.0.0.1") {
      const res = await handler(new Request("http://localhost/functions/v1/payfast-itn", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "cf-connecting-ip": ip },
        body: new URLSearchParams(fields).toString(),
      }));
      await Promise.all(pending.splice(0));
      return { status: res.status, body: await res.json() };
    },
  };
}

/** A fresh account: the sign-up trigger gives each user a personal account with the user's id. */
const newAccount = async () => (await newUser("payfast")).id;

/** An ITN as PayFast posts it (field order of PayFast's example), signed. */
function itn(o: {
  m_payment_id: string; pf_payment_id: string; payment_status: string; amount_gross: string; account: string;
  item_name?: string; token?: string; billing_date?: string;
}, passphrase: string | null = PASS): Fields {
  return itnFields({
    mPaymentId: o.m_payment_id,
    pfPaymentId: o.pf_payment_id,
    paymentStatus: o.payment_status,
    amountGross: o.amount_gross,
    amountFee: "-4.60",
    itemName: o.item_name ?? "Domus order",
    accountId: o.account,
    nameFirst: "Test",
    nameLast: "Buyer",
    email: "buyer@test.local",
    merchantId: LOCAL_PAYFAST.merchantId,
    token: o.token,
    billingDate: o.billing_date,
  }, passphrase);
}

const uid = () => crypto.randomUUID().slice(0, 8);

async function credits(accountId: string): Promise<number> {
  const [row] = await sql`select balance from public.credit_balances where account_id = ${accountId} and pool = 'credits'`;
  return row?.balance ?? 0;
}
async function events(eventId: string) {
  return await sql`select status, error, signature_valid, account_id from public.billing_events
                   where provider = 'payfast' and event_id = ${eventId} order by received_at, status`;
}
async function invariantHolds() {
  assertEquals(await ledgerViolations(), 0, "credit invariant violations");
}

Deno.test({ name: "a valid credit-pack ITN answers 200 and grants the pack's credits once", ...dbTest, fn: async () => {
  const account = await newAccount();
  const order = await store.beginCheckout(account, account, "credit_pack", "studio_credits_100", "payfast");
  const pf = `pf-${uid()}`;
  const res = await harness().post(itn({ m_payment_id: order.checkout_ref!, pf_payment_id: pf, payment_status: "COMPLETE", amount_gross: "149.00", account }));
  assertEquals(res, { status: 200, body: { received: true, status: "accepted" } });
  assertEquals(await credits(account), 100);
  const [payment] = await sql`select status, provider_ref from public.payments where id = ${order.id}`;
  assertEquals([payment.status, payment.provider_ref], ["succeeded", pf]);
  const [ev] = await events(`${pf}:COMPLETE`);
  assertEquals([ev.status, ev.error, ev.account_id], ["processed", null, account]);
  await invariantHolds();
}});

Deno.test({ name: "the same ITN twice grants once; the second is recorded as a duplicate", ...dbTest, fn: async () => {
  const account = await newAccount();
  const order = await store.beginCheckout(account, account, "credit_pack", "studio_credits_100", "payfast");
  const pf = `pf-${uid()}`;
  const fields = itn({ m_payment_id: order.checkout_ref!, pf_payment_id: pf, payment_status: "COMPLETE", amount_gross: "149.00", account });
  const h = harness();
  assertEquals((await h.post(fields)).status, 200);
  const again = await h.post(fields);
  assertEquals(again, { status: 200, body: { received: true, status: "duplicate" } });
  assertEquals(await credits(account), 100);
  assertEquals((await events(`${pf}:COMPLETE`)).map((e) => e.status).sort(), ["duplicate", "processed"]);
  await invariantHolds();
}});

Deno.test({ name: "a forged signature is 400 (field signature), recorded as rejected, nothing applied", ...dbTest, fn: async () => {
  const account = await newAccount();
  const order = await store.beginCheckout(account, account, "credit_pack", "studio_credits_100", "payfast");
  const pf = `pf-${uid()}`;
  const forged = itn({ m_payment_id: order.checkout_ref!, pf_payment_id: pf, payment_status: "COMPLETE", amount_gross: "149.00", account }, "not-our-passphrase");
  const res = await harness().post(forged);
  assertEquals(res.status, 400);
  assertEquals([res.body.error.code, res.body.error.field], ["invalid_signature", "signature"]);
  const [ev] = await events(`${pf}:COMPLETE`);
  assertEquals([ev.status, ev.signature_valid], ["rejected", false]);
  const [payment] = await sql`select status from public.payments where id = ${order.id}`;
  assertEquals(payment.status, "pending");
  assertEquals(await credits(account), 0);
  await invariantHolds();
}});

Deno.test({ name: "an ITN from a non-PayFast address is 400 (field source), recorded as rejected", ...dbTest, fn: async () => {
  const account = await newAccount();
  const order = await store.beginCheckout(account, account, "credit_pack", "studio_credits_100", "payfast");
  const pf = `pf-${uid()}`;
  const res = await harness().post(itn({ m_payment_id: order.checkout_ref!, pf_payment_id: pf, payment_status: "COMPLETE", amount_gross: "149.00", account }), "203.0.113.7");
  assertEquals(res.status, 400);
  assertEquals([res.body.error.code, res.body.error.field], ["invalid_source", "source"]);
  const [ev] = await events(`${pf}:COMPLETE`);
  assertEquals(ev.status, "rejected");
  assert(String(ev.error).startsWith("source: 203.0.113.7"), `error names the source: ${ev.error}`);
  assertEquals(await credits(account), 0);
  await invariantHolds();
}});

Deno.test({ name: "missing fields are 400 naming the field; GET is 405", ...dbTest, fn: async () => {
  const fields = itn({ m_payment_id: "x", pf_payment_id: "y", payment_status: "COMPLETE", amount_gross: "1.00", account: "a" })
    .filter(([k]) => k !== "pf_payment_id");
  const res = await harness().post(fields);
  assertEquals([res.status, res.body.error.field], [400, "pf_payment_id"]);
  const noAmount = itn({ m_payment_id: "x", pf_payment_id: "y", payment_status: "COMPLETE", amount_gross: "", account: "a" });
  assertEquals((await harness().post(noAmount)).body.error.field, "amount_gross");
  const get = await createHandler({} as PayfastItnDeps)(new Request("http://localhost/payfast-itn"));
  assertEquals(get.status, 405);
}});

Deno.test({ name: "a tampered amount (correctly signed) fails the event and grants nothing", ...dbTest, fn: async () => {
  const account = await newAccount();
  const order = await store.beginCheckout(account, account, "credit_pack", "studio_credits_100", "payfast");
  const pf = `pf-${uid()}`;
  const res = await harness().post(itn({ m_payment_id: order.checkout_ref!, pf_payment_id: pf, payment_status: "COMPLETE", amount_gross: "1.00", account }));
  assertEquals(res.status, 200);
  const [ev] = await events(`${pf}:COMPLETE`);
  assertEquals(ev.status, "failed");
  assert(String(ev.error).startsWith("amount_gross: 1.00 does not match"), `error: ${ev.error}`);
  const [payment] = await sql`select status from public.payments where id = ${order.id}`;
  assertEquals(payment.status, "pending");
  assertEquals(await credits(account), 0);
  await invariantHolds();
}});

Deno.test({ name: "when PayFast's server confirmation says INVALID the event fails and nothing is applied", ...dbTest, fn: async () => {
  const account = await newAccount();
  const order = await store.beginCheckout(account, account, "credit_pack", "studio_credits_100", "payfast");
  const pf = `pf-${uid()}`;
  const invalid: ServerConfirmation = { confirm: () => Promise.resolve(false) };
  const res = await harness({ confirmation: invalid }).post(itn({ m_payment_id: order.checkout_ref!, pf_payment_id: pf, payment_status: "COMPLETE", amount_gross: "149.00", account }));
  assertEquals(res.status, 200);
  const [ev] = await events(`${pf}:COMPLETE`);
  assertEquals([ev.status, ev.error], ["failed", "server confirmation failed"]);
  const [payment] = await sql`select status from public.payments where id = ${order.id}`;
  assertEquals(payment.status, "pending");
  assertEquals(await credits(account), 0);
  await invariantHolds();
}});

Deno.test({ name: "a subscription's life: first payment, renewal, failed renewal, cancellation", ...dbTest, fn: async () => {
  const account = await newAccount();
  const order = await store.beginCheckout(account, account, "plan", "studio_basic", "payfast");
  assertEquals(order.amount, "299.00");
  const token = crypto.randomUUID();
  const h = harness();
  const ref = order.checkout_ref!;
  // The first period started a month ago, so the renewal is due now.
  const start = new Date();
  start.setUTCMonth(start.getUTCMonth() - 1);
  const billingDate = start.toISOString().slice(0, 10);

  // 1. First payment with the token: subscription active, 100 credits.
  const pf1 = `pf-${uid()}`;
  assertEquals((await h.post(itn({ m_payment_id: ref, pf_payment_id: pf1, payment_status: "COMPLETE", amount_gross: "299.00", account, token, billing_date: billingDate }))).status, 200);
  assertEquals((await events(`${pf1}:COMPLETE`))[0].status, "processed");
  const [sub1] = await sql`select id, status, current_period_start, current_period_end from public.subscriptions
                           where provider = 'payfast' and provider_subscription_id = ${token}`;
  assertEquals(sub1.status, "active");
  assertEquals(new Date(sub1.current_period_start).toISOString().slice(0, 10), billingDate);
  const [first] = await sql`select status, subscription_id, provider_ref from public.payments where id = ${order.id}`;
  assertEquals([first.status, first.subscription_id, first.provider_ref], ["succeeded", sub1.id, pf1]);
  assertEquals(await credits(account), 100);
  await invariantHolds();

  // 2. Renewal: same m_payment_id and token, new pf_payment_id.
  const pf2 = `pf-${uid()}`;
  assertEquals((await h.post(itn({ m_payment_id: ref, pf_payment_id: pf2, payment_status: "COMPLETE", amount_gross: "299.00", account, token, billing_date: billingDate }))).status, 200);
  const [ev2] = await events(`${pf2}:COMPLETE`);
  assertEquals([ev2.status, ev2.error], ["processed", null]);
  const [sub2] = await sql`select status, current_period_end from public.subscriptions where id = ${sub1.id}`;
  assertEquals(sub2.status, "active");
  assert(new Date(sub2.current_period_end).getTime() > new Date(sub1.current_period_end).getTime() + 20 * 86_400_000,
    `period extended by about a month: ${sub1.current_period_end} -> ${sub2.current_period_end}`);
  const [renewal] = await sql`select status, subscription_id, checkout_ref, amount from public.payments
                              where provider = 'payfast' and provider_ref = ${pf2}`;
  assertEquals([renewal.status, renewal.subscription_id, renewal.checkout_ref, renewal.amount], ["succeeded", sub1.id, null, "299.00"]);
  assertEquals(await credits(account), 200);
  const [notice] = await sql`select count(*)::int as n from public.notifications where account_id = ${account} and type = 'subscription_renewal'`;
  assertEquals(notice.n, 1);
  await invariantHolds();

  // The renewal delivered again changes nothing.
  await h.post(itn({ m_payment_id: ref, pf_payment_id: pf2, payment_status: "COMPLETE", amount_gross: "299.00", account, token, billing_date: billingDate }));
  assertEquals(await credits(account), 200);
  const [sub2b] = await sql`select current_period_end from public.subscriptions where id = ${sub1.id}`;
  assertEquals(new Date(sub2b.current_period_end).toISOString(), new Date(sub2.current_period_end).toISOString());

  // 3. A failed renewal: payment failed, subscription past_due, no credits.
  const pf3 = `pf-${uid()}`;
  assertEquals((await h.post(itn({ m_payment_id: ref, pf_payment_id: pf3, payment_status: "FAILED", amount_gross: "299.00", account, token, billing_date: billingDate }))).status, 200);
  assertEquals((await events(`${pf3}:FAILED`))[0].status, "processed");
  const [failed] = await sql`select status, subscription_id from public.payments where provider = 'payfast' and provider_ref = ${pf3}`;
  assertEquals([failed.status, failed.subscription_id], ["failed", sub1.id]);
  const [sub3] = await sql`select status from public.subscriptions where id = ${sub1.id}`;
  assertEquals(sub3.status, "past_due");
  assertEquals(await credits(account), 200);
  const [failNotice] = await sql`select count(*)::int as n from public.notifications where account_id = ${account} and type = 'payment_failed'`;
  assertEquals(failNotice.n, 1);
  await invariantHolds();

  // 4. Cancelled by the buyer.
  const pf4 = `pf-${uid()}`;
  assertEquals((await h.post(itn({ m_payment_id: ref, pf_payment_id: pf4, payment_status: "CANCELLED", amount_gross: "299.00", account, token, billing_date: billingDate }))).status, 200);
  assertEquals((await events(`${pf4}:CANCELLED`))[0].status, "processed");
  const [sub4] = await sql`select status, canceled_at from public.subscriptions where id = ${sub1.id}`;
  assertEquals(sub4.status, "canceled");
  assert(sub4.canceled_at, "canceled_at set");
  assertEquals(await credits(account), 200);
  await invariantHolds();
}});

// ------------------------------------------------------------------ unsigned values (issue 8 §1)

/** A body as posted: the genuine ITN's bytes with `extra` appended after the signature. */
const body = (fields: Fields, extra = "") => new URLSearchParams(fields).toString() + extra;
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

async function postRaw(raw: string, headers: Record<string, string> = {}, overrides: Partial<PayfastItnDeps> = {}) {
  const pending: Promise<unknown>[] = [];
  const handler = createHandler({
    store, passphrase: PASS, merchantId: LOCAL_PAYFAST.merchantId, sourceValidator: localSourceValidator,
    confirmation: localConfirmation(PASS), waitUntil: (p) => pending.push(p), ...overrides,
  });
  const res = await handler(new Request("http://localhost/functions/v1/payfast-itn", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "cf-connecting-ip": "127.0.0.1", ...headers },
    body: raw,
  }));
  await Promise.all(pending.splice(0));
  return { status: res.status, body: await res.json() };
}

async function rejectedWithHash(raw: string) {
  return await sql`select status, signature_valid, error, payload_bytes, length(payload::text) as stored
                   from public.billing_events where provider = 'payfast' and payload_sha256 = ${sha256(raw)}`;
}

async function activeSubscription() {
  const account = await newAccount();
  const order = await store.beginCheckout(account, account, "plan", "studio_basic", "payfast");
  const token = crypto.randomUUID();
  const billing_date = new Date().toISOString().slice(0, 10);
  const first = itn({ m_payment_id: order.checkout_ref!, pf_payment_id: `pf-${uid()}`, payment_status: "COMPLETE", amount_gross: "299.00", account, token, billing_date });
  assertEquals((await harness().post(first)).status, 200);
  const [sub] = await sql`select id, status, current_period_end from public.subscriptions where provider = 'payfast' and provider_subscription_id = ${token}`;
  assertEquals(sub.status, "active");
  assertEquals(await credits(account), 100);
  return { account, order, token, billing_date, first, sub };
}

Deno.test({ name: "attack: a genuine subscription ITN with pf_payment_id appended is 400, recorded as rejected, no second renewal", ...dbTest, fn: async () => {
  const { account, sub, first } = await activeSubscription();
  const forgedPf = `pf-${uid()}`;
  const raw = body(first, `&pf_payment_id=${forgedPf}`);
  const res = await postRaw(raw);
  assertEquals([res.status, res.body.error.field], [400, "pf_payment_id"]);
  const [ev] = await rejectedWithHash(raw);
  assertEquals([ev.status, ev.signature_valid, ev.payload_bytes], ["rejected", false, new TextEncoder().encode(raw).length]);
  assert(String(ev.error).includes("after signature"), `error: ${ev.error}`);
  const [paid] = await sql`select count(*)::int as n from public.payments where provider = 'payfast' and provider_ref = ${forgedPf}`;
  assertEquals(paid.n, 0);
  assertEquals(await credits(account), 100);
  const [after] = await sql`select current_period_end from public.subscriptions where id = ${sub.id}`;
  assertEquals(new Date(after.current_period_end).toISOString(), new Date(sub.current_period_end).toISOString());
  await invariantHolds();
}});

Deno.test({ name: "attack: a genuine subscription ITN with payment_status=CANCELLED appended is 400 and cancels nothing", ...dbTest, fn: async () => {
  const { sub, first } = await activeSubscription();
  const raw = body(first, "&payment_status=CANCELLED");
  const res = await postRaw(raw);
  assertEquals([res.status, res.body.error.field], [400, "payment_status"]);
  assertEquals((await rejectedWithHash(raw))[0].status, "rejected");
  const [after] = await sql`select status, canceled_at from public.subscriptions where id = ${sub.id}`;
  assertEquals([after.status, after.canceled_at], ["active", null]);
}});

Deno.test({ name: "attack: a genuine credit-pack ITN with m_payment_id and pf_payment_id appended pays no second order", ...dbTest, fn: async () => {
  const account = await newAccount();
  const paidOrder = await store.beginCheckout(account, account, "credit_pack", "studio_credits_100", "payfast");
  const otherOrder = await store.beginCheckout(account, account, "credit_pack", "studio_credits_100", "payfast");
  const genuine = itn({ m_payment_id: paidOrder.checkout_ref!, pf_payment_id: `pf-${uid()}`, payment_status: "COMPLETE", amount_gross: "149.00", account });
  assertEquals((await harness().post(genuine)).status, 200);
  assertEquals(await credits(account), 100);
  const raw = body(genuine, `&m_payment_id=${otherOrder.checkout_ref}&pf_payment_id=pf-${uid()}`);
  const res = await postRaw(raw);
  assertEquals([res.status, res.body.error.field], [400, "m_payment_id"]);
  assertEquals((await rejectedWithHash(raw))[0].status, "rejected");
  const [other] = await sql`select status from public.payments where id = ${otherOrder.id}`;
  assertEquals(other.status, "pending");
  assertEquals(await credits(account), 100);
  await invariantHolds();
}});

Deno.test({ name: "a key posted twice is refused even when the signature covers both", ...dbTest, fn: async () => {
  const account = await newAccount();
  const order = await store.beginCheckout(account, account, "credit_pack", "studio_credits_100", "payfast");
  const fields = itn({ m_payment_id: order.checkout_ref!, pf_payment_id: `pf-${uid()}`, payment_status: "COMPLETE", amount_gross: "149.00", account })
    .filter(([k]) => k !== "signature");
  fields.splice(1, 0, ["pf_payment_id", `pf-${uid()}`]);
  fields.push(["signature", signatureOf(fields, PASS)]);
  const raw = body(fields);
  const res = await postRaw(raw);
  assertEquals([res.status, res.body.error.field], [400, "pf_payment_id"]);
  assert(String(res.body.error.message).includes("more than once"), res.body.error.message);
  assertEquals((await rejectedWithHash(raw))[0].status, "rejected");
  assertEquals(await credits(account), 0);
}});

Deno.test({ name: "the server confirmation posts exactly the signed string", ...dbTest, fn: async () => {
  const account = await newAccount();
  const order = await store.beginCheckout(account, account, "credit_pack", "studio_credits_100", "payfast");
  const fields = itn({ m_payment_id: order.checkout_ref!, pf_payment_id: `pf-${uid()}`, payment_status: "COMPLETE", amount_gross: "149.00", account });
  const posted: string[] = [];
  const fakeFetch = ((_url: string | URL | Request, init?: RequestInit) => {
    posted.push(String(init?.body));
    return Promise.resolve(new Response("VALID"));
  }) as typeof fetch;
  const res = await postRaw(body(fields), {}, { confirmation: payfastServerConfirmation("sandbox.payfast.co.za", fakeFetch) });
  assertEquals(res.status, 200);
  const signed = fields.slice(0, -1).map(([k, v]) => `${k}=${pfEncode(v.trim())}`).join("&");
  assertEquals(posted, [signed]);
  assertEquals(md5(`${signed}&passphrase=${pfEncode(PASS)}`), fields.at(-1)![1], "the posted string is the one the signature covers");
  assertEquals(await credits(account), 100);
}});

Deno.test({ name: "refused bodies are recorded as rejected with their hash and a capped payload: 413, JSON, garbage", ...dbTest, fn: async () => {
  const big = "pf_payment_id=" + "x".repeat(70 * 1024);
  const tooLarge = await postRaw(big);
  assertEquals(tooLarge.status, 413);
  const [bigEv] = await rejectedWithHash(big);
  assertEquals([bigEv.status, bigEv.payload_bytes], ["rejected", big.length]);
  assert(bigEv.stored < 5000, `stored payload capped: ${bigEv.stored} chars`);

  const asJson = JSON.stringify({ pf_payment_id: "1", payment_status: "COMPLETE", marker: uid() });
  assertEquals((await postRaw(asJson, { "content-type": "application/json" })).status, 400);
  assertEquals((await rejectedWithHash(asJson))[0].status, "rejected");
  const jsonAsForm = JSON.stringify({ marker: uid() });
  assertEquals((await postRaw(jsonAsForm)).status, 400);
  assertEquals((await rejectedWithHash(jsonAsForm))[0].status, "rejected");

  const garbage = `\u0000%%%&&==${uid()}`;
  assertEquals((await postRaw(garbage)).status, 400);
  assertEquals((await rejectedWithHash(garbage))[0].status, "rejected");
}});

Deno.test({ name: "a forged X-Forwarded-For (and cf-connecting-ip) from an unknown address is refused through the gateway", ...dbTest, fn: async () => {
  const account = await newAccount();
  const order = await store.beginCheckout(account, account, "credit_pack", "studio_credits_100", "payfast");
  const pf = `pf-${uid()}`;
  const fields = itn({ m_payment_id: order.checkout_ref!, pf_payment_id: pf, payment_status: "COMPLETE", amount_gross: "149.00", account });
  const handler = createHandler({
    store, passphrase: PASS, merchantId: LOCAL_PAYFAST.merchantId, sourceValidator: localSourceValidator,
    confirmation: localConfirmation(PASS), waitUntil: () => {},
  });
  type Functions = Parameters<typeof createGateway>[0];
  const gateway = createGateway(new Map([["payfast-itn", {
    config: { name: "payfast-itn", verifyJwt: false, entrypoint: "" }, handler,
  }]]) as unknown as Functions, { jwtSecret: "unused-secret" });
  const forged = (remote: string) => gateway(new Request("http://localhost/functions/v1/payfast-itn", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": "127.0.0.1", "cf-connecting-ip": "127.0.0.1" },
    body: body(fields),
  }), { remoteAddr: { transport: "tcp", hostname: remote, port: 40000 } } as Deno.ServeHandlerInfo);
  const res = await forged("203.0.113.9");
  assertEquals(res.status, 400);
  assertEquals((await res.json()).error.field, "source");
  const [ev] = await events(`${pf}:COMPLETE`);
  assertEquals([ev.status, ev.error], ["rejected", "source: 203.0.113.9 is not a PayFast host"]);
  assertEquals(await credits(account), 0);
  // Without the gateway, only the trusted header counts: x-forwarded-for alone is an unknown address.
  const direct = await postRaw(body(fields), { "cf-connecting-ip": "", "x-forwarded-for": "127.0.0.1" });
  assertEquals([direct.status, direct.body.error.message], [400, "source: unknown address is not a PayFast host"]);
}});

Deno.test({ name: "close the pool", ...dbTest, fn: async () => {
  await closeTestSql();
}});
