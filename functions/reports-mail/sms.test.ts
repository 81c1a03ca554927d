// SMS spend against the real database: each SMS spends one 'sms' credit per
// segment from the shared ledger and is logged in reports.sms_logs; with too
// few credits nothing is sent and the refusal (PT402) is logged; a failed
// send gives the credits back; a retried key sends once. (The sender lives
// beside the mail worker until issue 13 adds leads, which will call it.)
import { localSmsSender, outboxDir } from "../_shared/messaging/outbox.ts";
import { SmsRefused, sendAccountSms } from "../_shared/messaging/sms-spend.ts";
import { messagingStore } from "../_shared/messaging/store.ts";
import { assert, assertEquals, assertRejects } from "../_shared/messaging/testing.ts";
import type { SmsSender } from "../_shared/messaging/types.ts";
import { dbTest, ledgerViolations, newUser, testSql } from "../_shared/testing.ts";

const OUTBOX = outboxDir((n) => Deno.env.get(n));
const balance = async (accountId: string) =>
  (await testSql()`select coalesce((select balance from public.credit_balances where account_id = ${accountId} and pool = 'sms'), 0) as b`)[0].b;

dbTest("an SMS spends one credit per segment, is logged and lands in the local outbox; a retry sends once", async () => {
  const user = await newUser("sms");
  await testSql()`select private.credit_apply(${user.id}, 'sms', 5, 'grant', ${`grant:${user.id}`})`;
  const store = messagingStore(testSql());
  const body = "Your market report is ready: " + "x".repeat(150); // 180 GSM-7 characters: two segments
  const sent = await sendAccountSms(store, localSmsSender(OUTBOX), { accountId: user.id, to: "+14155550123", body, idempotencyKey: "lead-a" });
  assertEquals([sent.segments, sent.balanceAfter, sent.result?.provider], [2, 3, "local"]);
  assertEquals(await balance(user.id), 3);
  const [log] = await testSql()`select status, segments, provider, twilio_sid, to_phone from reports.sms_logs where id = ${sent.smsLogId}`;
  assertEquals([log.status, log.segments, log.provider, log.to_phone], ["sent", 2, "local", "+14155550123"]);
  assert(log.twilio_sid?.startsWith("LOCAL"), "the outbox's sid is logged");
  const again = await sendAccountSms(store, localSmsSender(OUTBOX), { accountId: user.id, to: "+14155550123", body, idempotencyKey: "lead-a" });
  assertEquals([again.result, await balance(user.id)], [null, 3]);
  assertEquals(await ledgerViolations(), 0);
});

dbTest("too few credits: refused with PT402, logged, nothing sent", async () => {
  const user = await newUser("sms-poor");
  await testSql()`select private.credit_apply(${user.id}, 'sms', 1, 'grant', ${`grant:${user.id}`})`;
  let calls = 0;
  const sender: SmsSender = { provider: "twilio", send: () => { calls++; return Promise.reject(new Error("must not be called")); } };
  const error = await assertRejects(
    () => sendAccountSms(messagingStore(testSql()), sender, { accountId: user.id, to: "+14155550123", body: "ж".repeat(80), idempotencyKey: "lead-b" }),
    SmsRefused, "sms_credits: 1 available, 2 needed");
  assertEquals([(error as SmsRefused).status, (error as SmsRefused).code, calls], [402, "PT402", 0]);
  const [log] = await testSql()`select status, error from reports.sms_logs where account_id = ${user.id}`;
  assertEquals(log.status, "refused");
  assertEquals(await balance(user.id), 1);
});

dbTest("a provider failure gives the credits back", async () => {
  const user = await newUser("sms-fail");
  await testSql()`select private.credit_apply(${user.id}, 'sms', 2, 'grant', ${`grant:${user.id}`})`;
  const failing: SmsSender = {
    provider: "twilio",
    send: () => Promise.resolve({ provider: "twilio", accepted: false, sid: null, status: 400, providerStatus: "failed", error: "21211: invalid", segments: 1, from: null }),
  };
  const r = await sendAccountSms(messagingStore(testSql()), failing, { accountId: user.id, to: "+14155550123", body: "hi", idempotencyKey: "lead-c" });
  assertEquals([r.result?.accepted, r.balanceAfter, await balance(user.id)], [false, 2, 2]);
  const [log] = await testSql()`select status, error from reports.sms_logs where id = ${r.smsLogId}`;
  assertEquals([log.status, log.error], ["failed", "21211: invalid"]);
  assertEquals(await ledgerViolations(), 0);
});
