// reports-email-events against the real database: Resend deliveries signed
// by the reference Standard Webhooks implementation (npm:standardwebhooks)
// are verified over the exact bytes; forged, tampered and stale ones are
// recorded 'rejected' and refused; hard bounces and complaints suppress the
// address (everywhere, and for the account whose message it was);
// redeliveries and reordered events change nothing more. Postmark: basic auth.
import { createHash } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { messagingStore } from "../_shared/messaging/store.ts";
import { assert, assertEquals } from "../_shared/messaging/testing.ts";
import { dbTest, newUser, testSql } from "../_shared/testing.ts";
import { createHandler } from "./index.ts";

const bytes = crypto.getRandomValues(new Uint8Array(24));
const SECRET = `whsec_${btoa(String.fromCharCode(...bytes))}`;
const OTHER_SECRET = `whsec_${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(24))))}`;
const POSTMARK = { user: "postmark-hook", password: crypto.randomUUID() };

const handler = () => createHandler({ store: messagingStore(testSql()), resendSecret: SECRET, postmarkCredentials: POSTMARK });
const address = (label: string) => `${label}-${crypto.randomUUID().slice(0, 8)}@bounce.example.com`;

function resendRequest(body: string, o: { secret?: string; id?: string; at?: Date; prefix?: "webhook" | "svix"; tamper?: (b: string) => string } = {}) {
  const id = o.id ?? `msg_${crypto.randomUUID()}`;
  const at = o.at ?? new Date();
  const signature = new Webhook(o.secret ?? SECRET).sign(id, at, body);
  const p = o.prefix ?? "webhook";
  return new Request("http://local/functions/v1/reports-email-events/resend", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      [`${p}-id`]: id,
      [`${p}-timestamp`]: String(Math.floor(at.getTime() / 1000)),
      [`${p}-signature`]: signature,
      "cf-connecting-ip": "203.0.113.9",
    },
    body: o.tamper ? o.tamper(body) : body,
  });
}

const bounce = (to: string, emailId = `re_${crypto.randomUUID()}`, type = "Permanent") =>
  JSON.stringify({ type: "email.bounced", created_at: new Date().toISOString(), data: { email_id: emailId, to: [to], subject: "Report", bounce: { type, subType: "General", message: "550 no such user" } } });

async function suppressions(email: string) {
  return await testSql()`select account_id, reason from reports.email_suppressions where lower(email) = ${email} order by account_id nulls first`;
}

async function eventsFor(sha256: string) {
  return await testSql()`select status, signature_valid, provider, event_ref, error, payload_bytes from reports.email_events where payload_sha256 = ${sha256} order by received_at`;
}

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

dbTest("resend: a genuine hard bounce suppresses the address everywhere and for the account that sent it", async () => {
  const user = await newUser("bounce-owner");
  const to = address("hard");
  const emailId = `re_${crypto.randomUUID()}`;
  await testSql()`insert into reports.email_log (account_id, provider, to_emails, subject, response_code, provider_message_ref, status)
    values (${user.id}, 'resend', ${[to]}, 'Market report', 200, ${emailId}, 'sent')`;
  const body = bounce(to.toUpperCase(), emailId);
  const res = await handler()(resendRequest(body));
  assertEquals(res.status, 200, await res.clone().text());
  assertEquals(await res.json(), { received: true });
  assertEquals((await suppressions(to)).map((r) => [r.account_id, r.reason]), [[null, "bounce"], [user.id, "bounce"]]);
  const [event] = await eventsFor(sha(body));
  assertEquals([event.status, event.signature_valid, event.provider], ["processed", true, "resend"]);
  const [acct] = await testSql()`select account_id from reports.email_events where payload_sha256 = ${sha(body)}`;
  assertEquals(acct.account_id, user.id, "the event is filed under the account that sent the message");
});

dbTest("resend: a bad signature, a tampered body and a stale timestamp are recorded 'rejected' and refused", async () => {
  const to = address("forged");
  const body = bounce(to);
  const cases: Array<[string, Request, string]> = [
    ["other secret", resendRequest(body, { secret: OTHER_SECRET }), body],
    ["tampered", resendRequest(body, { tamper: (b) => b.replace("550", "551") }), body.replace("550", "551")],
    ["one byte of whitespace", resendRequest(body, { tamper: (b) => b + " " }), body + " "],
    ["stale", resendRequest(body, { at: new Date(Date.now() - 10 * 60_000) }), body],
  ];
  for (const [label, req, sent] of cases) {
    const before = (await eventsFor(sha(sent))).length;
    const res = await handler()(req);
    assertEquals(res.status, 400, label);
    const payload = await res.json();
    assertEquals(payload.error.code, "invalid_signature", label);
    const rows = await eventsFor(sha(sent));
    assertEquals(rows.length, before + 1, `${label}: recorded`);
    assertEquals([rows.at(-1)!.status, rows.at(-1)!.signature_valid, rows.at(-1)!.payload_bytes], ["rejected", false, new TextEncoder().encode(sent).length], label);
  }
  const res = await handler()(new Request("http://local/functions/v1/reports-email-events/resend", { method: "POST", body }));
  assertEquals(res.status, 400, "no signature headers");
  assertEquals((await suppressions(to)).length, 0, "nothing suppressed by a refused request");
});

dbTest("resend: svix-* headers, a complaint, redelivery and reordering", async () => {
  const to = address("complaint");
  const complaint = JSON.stringify({ type: "email.complained", created_at: new Date().toISOString(), data: { email_id: "re_x", to: [to] } });
  const id = `msg_${crypto.randomUUID()}`;
  assertEquals((await handler()(resendRequest(complaint, { id, prefix: "svix" }))).status, 200);
  const again = await handler()(resendRequest(complaint, { id, prefix: "svix" }));
  assertEquals([again.status, await again.json()], [200, { received: true, duplicate: true }]);
  const rows = await testSql()`select status from reports.email_events where provider = 'resend' and event_ref = ${id} order by received_at`;
  assertEquals(rows.map((r) => r.status), ["processed", "duplicate"]);
  // A bounce that arrives after the complaint keeps the complaint (first reason stands).
  assertEquals((await handler()(resendRequest(bounce(to)))).status, 200);
  assertEquals((await suppressions(to)).map((r) => r.reason), ["complaint"]);
});

dbTest("resend: transient bounces and other events are recorded and ignored; unreadable genuine bodies too", async () => {
  const to = address("soft");
  const soft = await handler()(resendRequest(bounce(to, undefined, "Transient")));
  assertEquals(await soft.json(), { received: true, ignored: true });
  const delivered = await handler()(resendRequest(JSON.stringify({ type: "email.delivered", data: { to: [to] } })));
  assertEquals(await delivered.json(), { received: true, ignored: true });
  const junk = "not json {";
  const res = await handler()(resendRequest(junk));
  assertEquals([res.status, await res.json()], [200, { received: true, ignored: true }]);
  assertEquals((await eventsFor(sha(junk)))[0].status, "ignored");
  assertEquals((await suppressions(to)).length, 0);
});

function postmarkRequest(body: unknown, auth = `${POSTMARK.user}:${POSTMARK.password}`) {
  return new Request("http://local/functions/v1/reports-email-events/postmark", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Basic ${btoa(auth)}` },
    body: JSON.stringify(body),
  });
}

dbTest("postmark: basic auth; hard bounces and spam complaints suppress, soft bounces do not", async () => {
  const hard = address("pm-hard");
  const soft = address("pm-soft");
  const spam = address("pm-spam");
  const id = Math.floor(Math.random() * 1e12);
  const hardBody = { RecordType: "Bounce", ID: id, Type: "HardBounce", TypeCode: 1, Email: hard, MessageID: crypto.randomUUID(), BouncedAt: new Date().toISOString(), Inactive: true };
  const wrong = await handler()(postmarkRequest(hardBody, `${POSTMARK.user}:wrong`));
  assertEquals(wrong.status, 401);
  const [rejected] = await eventsFor(sha(JSON.stringify(hardBody)));
  assertEquals([rejected.status, rejected.signature_valid, rejected.provider], ["rejected", false, "postmark"]);
  assertEquals((await suppressions(hard)).length, 0);

  assertEquals((await handler()(postmarkRequest(hardBody))).status, 200);
  assertEquals((await handler()(postmarkRequest(hardBody))).status, 200, "redelivery");
  assertEquals((await suppressions(hard)).map((r) => [r.account_id, r.reason]), [[null, "bounce"]]);
  const rows = await testSql()`select status from reports.email_events where provider = 'postmark' and event_ref = ${`Bounce:${id}`} order by received_at`;
  assertEquals(rows.map((r) => r.status), ["processed", "duplicate"]);

  const softRes = await handler()(postmarkRequest({ RecordType: "Bounce", ID: id + 1, Type: "SoftBounce", Email: soft, Inactive: false }));
  assertEquals(await softRes.json(), { received: true, ignored: true });
  assertEquals((await suppressions(soft)).length, 0);
  assertEquals((await handler()(postmarkRequest({ RecordType: "SpamComplaint", ID: id + 2, Type: "SpamComplaint", Email: spam }))).status, 200);
  assertEquals((await suppressions(spam)).map((r) => r.reason), ["complaint"]);
});

dbTest("oversize bodies are 413 and recorded; unknown provider paths 404; GET 405", async () => {
  const big = "x".repeat(256 * 1024 + 10);
  const res = await handler()(new Request("http://local/functions/v1/reports-email-events/resend", { method: "POST", body: big }));
  assertEquals(res.status, 413);
  const [row] = await eventsFor(sha(big));
  assert(row && row.status === "rejected", "recorded");
  assertEquals((await handler()(new Request("http://local/functions/v1/reports-email-events/mailgun", { method: "POST", body: "{}" }))).status, 404);
  assertEquals((await handler()(new Request("http://local/functions/v1/reports-email-events/resend"))).status, 405);
});
