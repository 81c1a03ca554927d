// billing-replay against the real database: a platform admin replays a
// PayFast ITN whose processing failed after the 200, and a failed Stripe
// event; replaying again changes nothing; others are refused.
import { billingStore } from "../_shared/billing/store.ts";
import { LOCAL_PAYFAST, localConfirmation, localSourceValidator, type ServerConfirmation, itnFields } from "../_shared/payfast.ts";
import { assert, assertEquals, closeTestSql, dbTest, ledgerViolations, newUser, testSql, userToken } from "../_shared/testing.ts";
import { createHandler as payfastItn } from "../payfast-itn/index.ts";
import { createHandler } from "./index.ts";

const SECRET = "billing-replay-test-secret-with-at-least-32-characters";
const PASS = LOCAL_PAYFAST.passphrase;
const sql = testSql;
const uid = () => crypto.randomUUID().slice(0, 8);

const replayer = () => createHandler({
  jwtSecret: SECRET,
  revocationReason: () => Promise.resolve(null),
  store: billingStore(sql()),
  payfast: { merchantId: LOCAL_PAYFAST.merchantId, confirmation: localConfirmation(PASS) },
});

async function replayAs(user: { id: string; email: string } | null, id: string) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (user) headers.authorization = `Bearer ${await userToken(user, SECRET)}`;
  const res = await replayer()(new Request("http://x/functions/v1/billing-replay", { method: "POST", headers, body: JSON.stringify({ id }) }));
  return { status: res.status, body: await res.json() };
}

async function platformAdmin() {
  const user = await newUser("replay-admin");
  await sql()`insert into public.platform_admins (user_id, note) values (${user.id}, 'billing-replay test')`;
  return user;
}

async function credits(accountId: string): Promise<number> {
  const [row] = await sql()`select balance from public.credit_balances where account_id = ${accountId} and pool = 'credits'`;
  return row?.balance ?? 0;
}

/** A credit-pack ITN that PayFast's server confirmation could not confirm (it was down): failed after the 200. */
async function failedItn() {
  const buyer = await newUser("replay-buyer");
  const store = billingStore(sql());
  const order = await store.beginCheckout(buyer.id, buyer.id, "credit_pack", "studio_credits_100", "payfast");
  const pf = `pf-${uid()}`;
  const fields = itnFields({
    mPaymentId: order.checkout_ref!, pfPaymentId: pf, paymentStatus: "COMPLETE", amountGross: "149.00", itemName: "Studio credits",
    accountId: buyer.id, merchantId: LOCAL_PAYFAST.merchantId,
  }, PASS);
  const down: ServerConfirmation = { confirm: () => Promise.reject(new Error("validate host unreachable")) };
  const pending: Promise<unknown>[] = [];
  const res = await payfastItn({
    store, passphrase: PASS, merchantId: LOCAL_PAYFAST.merchantId, sourceValidator: localSourceValidator,
    confirmation: down, waitUntil: (p) => pending.push(p),
  })(new Request("http://x/functions/v1/payfast-itn", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "cf-connecting-ip": "127.0.0.1" },
    body: new URLSearchParams(fields).toString(),
  }));
  assertEquals(res.status, 200);
  await Promise.all(pending);
  const [ev] = await sql()`select id, status from public.billing_events where provider = 'payfast' and event_id = ${`${pf}:COMPLETE`}`;
  assertEquals(ev.status, "failed");
  return { buyer, order, eventId: ev.id as string };
}

dbTest("a platform admin replays a failed PayFast ITN: applied once; replaying again is 409 and changes nothing", async () => {
  const admin = await platformAdmin();
  const { buyer, order, eventId } = await failedItn();
  assertEquals(await credits(buyer.id), 0);

  const res = await replayAs(admin, eventId);
  assertEquals([res.status, res.body.outcome, res.body.provider], [200, "processed", "payfast"]);
  assertEquals(await credits(buyer.id), 100);
  const [payment] = await sql()`select status from public.payments where id = ${order.id}`;
  assertEquals(payment.status, "succeeded");
  const [ev] = await sql()`select status, error, attempts, account_id from public.billing_events where id = ${eventId}`;
  assertEquals([ev.status, ev.error, ev.attempts, ev.account_id], ["processed", null, 2, buyer.id]);

  const again = await replayAs(admin, eventId);
  assertEquals([again.status, again.body.error.code], [409, "invalid_state"]);
  assertEquals(await credits(buyer.id), 100);
  assertEquals(await ledgerViolations(), 0);
});

dbTest("replay refusals: no token 401, not a platform admin 403, unknown id 404, bad id 400", async () => {
  const { eventId } = await failedItn();
  assertEquals((await replayAs(null, eventId)).status, 401);
  const stranger = await newUser("replay-stranger");
  const denied = await replayAs(stranger, eventId);
  assertEquals([denied.status, denied.body.error.code], [403, "forbidden"]);
  const [ev] = await sql()`select status from public.billing_events where id = ${eventId}`;
  assertEquals(ev.status, "failed", "a refused replay leaves the event as it was");
  const admin = await platformAdmin();
  assertEquals((await replayAs(admin, crypto.randomUUID())).status, 404);
  assertEquals((await replayAs(admin, "not-a-uuid")).body.error.field, "id");
});

dbTest("a failed Stripe event is replayed through the same mapping as the webhook", async () => {
  const admin = await platformAdmin();
  const buyer = await newUser("replay-stripe");
  const store = billingStore(sql());
  const order = await store.beginCheckout(buyer.id, buyer.id, "credit_pack", "tools_credits_1000", "stripe");
  const evtId = `evt_${uid()}${uid()}`;
  const session = {
    id: `cs_${uid()}`, object: "checkout.session", mode: "payment", payment_intent: `pi_${uid()}`, subscription: null, customer: null,
    amount_total: Math.round(Number(order.amount) * 100), currency: order.currency.trim().toLowerCase(), payment_status: "paid",
    metadata: { account_id: buyer.id, purpose: "credit_pack", checkout_ref: order.checkout_ref, credit_pack_id: order.credit_pack_id },
  };
  const event = { id: evtId, object: "event", type: "checkout.session.completed", created: Math.floor(Date.now() / 1000), data: { object: session } };
  const recorded = await store.recordEvent({ provider: "stripe", eventId: evtId, eventType: event.type, payload: event, signatureValid: true });
  await store.finishEvent(recorded.id, "failed", "database was restarting");

  const res = await replayAs(admin, recorded.id);
  assertEquals([res.status, res.body.outcome], [200, "processed"]);
  const [payment] = await sql()`select status from public.payments where id = ${order.id}`;
  assertEquals(payment.status, "succeeded");
  const [bal] = await sql()`select balance from public.credit_balances where account_id = ${buyer.id} and pool = 'credits'`;
  assert(bal.balance > 0, "the pack's credits were granted");
  assertEquals((await replayAs(admin, recorded.id)).status, 409);
  assertEquals(await ledgerViolations(), 0);
});

dbTest("close the pool", async () => {
  await closeTestSql();
});
