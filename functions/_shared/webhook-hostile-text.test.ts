// Audit: webhook bodies carrying text Postgres cannot store (NUL, unpaired
// UTF-16 surrogates) in the parts we record (the claimed event id and type,
// the refusal message, the payload). Each must still be answered with its
// 4xx refusal (or 200 for a genuine event) and recorded; before storableText
// the insert into billing_events failed (22021 / 22P05 / 22P02), so the
// request left no row and was answered 500.
import { createHash } from "node:crypto";
import { billingStore } from "./billing/store.ts";
import { LOCAL_PAYFAST, localConfirmation, localSourceValidator } from "./payfast.ts";
import { createStripe } from "./stripe.ts";
import { assert, assertEquals, closeTestSql, dbTest, testSql } from "./testing.ts";
import { storable, storableText } from "./webhook.ts";
import { createHandler as stripeHandler } from "../stripe-webhook/index.ts";
import { createHandler as payfastHandler } from "../payfast-itn/index.ts";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const SECRET = `whsec_test_${crypto.randomUUID().replaceAll("-", "")}`;
const stripe = createStripe();

Deno.test("storableText drops NUL and replaces unpaired surrogates, keeping real pairs", () => {
  assertEquals(storableText("a\u0000b"), "ab");
  assertEquals(storableText("x\ud800y\udc00z"), "x\ufffdy\ufffdz");
  assertEquals(storableText("😀"), "😀");
  assertEquals(storable({ "k\u0000": ["\ud83d", { v: "\udfff" }] }), { k: ["\ufffd", { v: "\ufffd" }] });
});

async function rows(provider: string, body: string) {
  return await testSql()`select status, signature_valid, event_id, event_type, error, payload
                         from public.billing_events where provider = ${provider}::public.billing_provider
                         and payload_sha256 = ${sha256(body)}`;
}

const postStripe = async (body: string, header: string) => {
  const res = await stripeHandler({ store: billingStore(testSql()), webhookSecret: SECRET, stripe })(
    new Request("http://x/stripe-webhook", {
      method: "POST", headers: { "content-type": "application/json", "stripe-signature": header, "cf-connecting-ip": "203.0.113.7" }, body,
    }),
  );
  return { status: res.status, body: await res.json() };
};

for (const [label, id] of [["a NUL", "evt_\\u0000"], ["an unpaired surrogate", "evt_\\ud800"]]) {
  dbTest(`stripe-webhook: a forged event whose id holds ${label} is 400 and recorded as rejected`, async () => {
    const body = `{"id":"${id}${crypto.randomUUID()}","type":"checkout.session.completed","note":"${id}"}`;
    const res = await postStripe(body, "t=1,v1=deadbeef");
    assertEquals([res.status, res.body.error?.field], [400, "stripe-signature"]);
    const [row] = await rows("stripe", body);
    assert(row, "the refused request is recorded");
    assertEquals([row.status, row.signature_valid], ["rejected", false]);
    assert(!/\u0000/.test(row.event_id) && !/\u0000/.test(JSON.stringify(row.payload)), "stored without NUL");
  });
}

dbTest("stripe-webhook: a genuine event with NUL and unpaired surrogates in its strings is recorded and answered 200", async () => {
  const body = JSON.stringify({
    id: `evt_${crypto.randomUUID()}`, object: "event", type: "audit.hostile_text\ud800", created: Math.floor(Date.now() / 1000),
    data: { object: { id: "obj_1", note: "a\u0000b\udc00", ["k\u0000"]: 1 } },
  });
  const header = await stripe.webhooks.generateTestHeaderStringAsync({ payload: body, secret: SECRET });
  const res = await postStripe(body, header);
  assertEquals(res.status, 200);
  const [row] = await rows("stripe", body);
  assert(row, "the genuine event is recorded");
  assertEquals([row.status, row.signature_valid, row.event_type], ["ignored", true, "audit.hostile_text\ufffd"]);
  assertEquals(row.payload.data.object.note, "ab\ufffd");
});

const postItn = async (body: string) => {
  const res = await payfastHandler({
    store: billingStore(testSql()), passphrase: LOCAL_PAYFAST.passphrase, merchantId: LOCAL_PAYFAST.merchantId,
    sourceValidator: localSourceValidator, confirmation: localConfirmation(LOCAL_PAYFAST.passphrase), waitUntil: () => {},
  })(new Request("http://x/payfast-itn", {
    method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "cf-connecting-ip": "127.0.0.1" }, body,
  }));
  return { status: res.status, body: await res.json() };
};

dbTest("payfast-itn: an ITN claiming a pf_payment_id with a NUL is 400 and recorded as rejected", async () => {
  const body = `pf_payment_id=%00${crypto.randomUUID()}&payment_status=COMPLETE&signature=0`;
  const res = await postItn(body);
  assertEquals(res.status, 400);
  const [row] = await rows("payfast", body);
  assert(row, "the refused request is recorded");
  assertEquals(row.status, "rejected");
  assert(!row.event_id.includes("\u0000"), "event id stored without NUL");
});

dbTest("payfast-itn: a field with a NUL in its name posted after signature is 400 naming it, and recorded", async () => {
  const body = `pf_payment_id=${crypto.randomUUID()}&payment_status=COMPLETE&signature=0&evil%00key=1`;
  const res = await postItn(body);
  assertEquals([res.status, res.body.error.field], [400, "evil\u0000key"]);
  const [row] = await rows("payfast", body);
  assert(row, "the refused request is recorded");
  assertEquals([row.status, row.error], ["rejected", "evilkey: posted after signature, so not signed"]);
});

dbTest("close the pool", async () => {
  await closeTestSql();
});
