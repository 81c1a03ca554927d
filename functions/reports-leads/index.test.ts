// reports-leads against the real database (SUPABASE_DB_URL: migrations,
// seed and demo applied by npm test): the public form's refusals, blocked
// addresses and ranges and the rate limit answered exactly like a success,
// forged forwarding headers through the local gateway, and the worker that
// tells the agent by SMS (spending 'sms' credits) and email, with in-memory
// senders standing in for the providers.
import { createGateway } from "../../scripts/gateway/gateway.ts";
import { countSegments } from "../_shared/messaging/segments.ts";
import type { EmailMessage, EmailSender, SmsMessage, SmsSender } from "../_shared/messaging/types.ts";
import { leadEmail, leadSms } from "../_shared/reports/leads/messaging.ts";
import { notifyLead } from "../_shared/reports/leads/notify.ts";
import { leadsStore } from "../_shared/reports/leads/store.ts";
import { assert, assertEquals, closeTestSql, dbTest, ledgerViolations, newUser, signToken, testSql } from "../_shared/testing.ts";
import { createHandler, type ReportsLeadsDeps } from "./index.ts";

const SECRET = "reports-leads-test-secret";
// In memory, provider "local" as the outbox would answer: what was sent is
// asserted below, and npm test lets Deno write only to the stack's outbox.
const sent = { sms: [] as SmsMessage[], email: [] as EmailMessage[] };
const memorySms: SmsSender = {
  provider: "local",
  send: (m) => {
    sent.sms.push(m);
    return Promise.resolve({ provider: "local", accepted: true, sid: `LOCAL${crypto.randomUUID()}`, status: 201, providerStatus: "queued", error: null, segments: countSegments(m.body).segments, from: m.from ?? null });
  },
};
const memoryEmail: EmailSender = {
  provider: "local",
  send: (m) => {
    sent.email.push(m);
    return Promise.resolve({ provider: "local", accepted: true, messageId: crypto.randomUUID(), status: 200, error: null });
  },
};
const segmentsOf = (text: string) => countSegments(text).segments;

function deps(): ReportsLeadsDeps {
  const sql = testSql();
  return {
    jwtSecret: SECRET,
    store: leadsStore(sql),
    sms: leadSms(sql, memorySms),
    email: leadEmail(memoryEmail, "Domus Reports <reports@domus.local>"),
    batchSize: 10,
    maxMs: 20_000,
  };
}

const handler = createHandler(deps());
const octet = () => 1 + Math.floor(Math.random() * 250);
const freshIp = () => `10.${octet()}.${octet()}.${octet()}`;

async function post(body: unknown, ip: string | null, headers: Record<string, string> = {}) {
  const res = await handler(new Request("http://local/functions/v1/reports-leads", {
    method: "POST",
    headers: { "content-type": "application/json", ...(ip ? { "cf-connecting-ip": ip } : {}), ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  }));
  return { status: res.status, text: await res.text() };
}

/** An agent (phone in the profile) with a personal account, `credits` SMS credits and a live property report. */
async function agentWithReport(credits: number) {
  const agent = await newUser("lead-agent");
  const sql = testSql();
  await sql`update public.profiles set phone = '+1 512 555 0177' where id = ${agent.id}`;
  if (credits > 0) await sql`select private.credit_apply(${agent.id}::uuid, 'sms', ${credits}, 'grant', ${"lead-test:" + agent.id})`;
  const [report] = await sql`
    insert into reports.property_reports (account_id, user_id, property_address, property_city)
    values (${agent.id}, ${agent.id}, '1 Test Lane', 'Austin') returning id, short_code`;
  return { agent, accountId: agent.id, reportId: report.id as string, code: report.short_code as string };
}

const lead = (code: string, extra: Record<string, unknown> = {}) => ({
  shortCode: code, name: "Morgan Lee", email: "morgan@example.com", phone: "+1 (512) 555-0141", message: "Still available?", consent: true, ...extra,
});

async function leadsOf(reportId: string): Promise<number> {
  const [r] = await testSql()`select count(*)::int as n from reports.leads where property_report_id = ${reportId}`;
  return r.n;
}

/**
 * Drains the queue until this lead's job has run and returns what the worker
 * said about it (under npm start the stack's scheduler may have run it first:
 * then null, and the database says what happened).
 */
async function notifyThrough(leadId: string) {
  for (let i = 0; i < 50; i++) {
    const report = await drainWorker();
    const mine = report.jobs.find((j: { lead?: { leadId: string } }) => j.lead?.leadId === leadId);
    if (mine) return mine;
    const [job] = await testSql()`select status from public.jobs where queue = 'reports.leads' and idempotency_key = ${"lead:" + leadId}`;
    if (job?.status === "succeeded") return null;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the job of lead ${leadId} never ran`);
}

async function drainWorker() {
  const token = await signToken({ role: "service_role", exp: Math.floor(Date.now() / 1000) + 600 }, SECRET);
  const res = await handler(new Request("http://local/functions/v1/reports-leads", {
    method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ queue: "reports.leads" }),
  }));
  assertEquals(res.status, 200, "worker");
  return await res.json();
}

const SUCCESS = { status: 202, text: JSON.stringify({ received: true }) };

dbTest("no consent is 400 naming consent, and nothing is stored", async () => {
  const r = await agentWithReport(0);
  for (const body of [lead(r.code, { consent: undefined }), lead(r.code, { consent: false }), lead(r.code, { consent: "yes" })]) {
    const res = await post(body, freshIp());
    assertEquals(res.status, 400, JSON.stringify(body));
    assertEquals(JSON.parse(res.text).error.field, "consent");
  }
  assertEquals(await leadsOf(r.reportId), 0);
});

dbTest("bad fields are 400 naming them; an unknown, off or expired report is 404", async () => {
  const r = await agentWithReport(0);
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ email: "not-an-email" }, "email"],
    [{ email: undefined, phone: undefined }, "email"],
    [{ phone: "555-0100" }, "phone"],
    [{ phone: "+0123456789" }, "phone"],
    [{ name: "n".repeat(201) }, "name"],
    [{ message: "m".repeat(2001) }, "message"],
    [{ source: "fax" }, "source"],
    [{ status: "converted" }, "body"],
    [{ email: "a\u0000b@example.com" }, "email"],
  ];
  for (const [extra, field] of cases) {
    const res = await post(lead(r.code, extra), freshIp());
    assertEquals(res.status, 400, JSON.stringify(extra));
    const error = JSON.parse(res.text).error;
    assert(error.field === field || (field === "body" && error.message.includes("status")), `${JSON.stringify(extra)}: ${res.text}`);
  }
  assertEquals((await post("{not json", freshIp())).status, 400);
  assertEquals((await post(JSON.stringify(lead(r.code, { message: "x".repeat(17_000) })), freshIp())).status, 413);
  assertEquals((await post(lead("ZZZZZZZZ"), freshIp())).status, 404);
  await testSql()`update reports.property_reports set is_active = false where id = ${r.reportId}`;
  assertEquals((await post(lead(r.code), freshIp())).status, 404);
  await testSql()`update reports.property_reports set is_active = true, expires_at = now() - interval '1 minute' where id = ${r.reportId}`;
  assertEquals((await post(lead(r.code), freshIp())).status, 404);
  assertEquals(await leadsOf(r.reportId), 0);
});

dbTest("a blocked address and a blocked /24 get the success answer; nothing is stored, the block counts the hit", async () => {
  const r = await agentWithReport(0);
  const single = freshIp();
  const [a, b] = [octet(), octet()];
  const sql = testSql();
  const [one] = await sql`insert into reports.blocked_ips (ip_address, reason) values (${single}::inet, 'test') returning id`;
  const [range] = await sql`insert into reports.blocked_ips (ip_address, reason) values (${`172.${a % 16 + 16}.${b}.0/24`}::inet, 'test range') returning id`;
  const ok = await post(lead(r.code), freshIp());
  assertEquals(ok, SUCCESS, "a genuine lead");
  assertEquals(await leadsOf(r.reportId), 1);
  assertEquals(await post(lead(r.code), single), SUCCESS, "blocked address");
  assertEquals(await post(lead(r.code), `172.${a % 16 + 16}.${b}.99`), SUCCESS, "blocked range");
  assertEquals(await post(lead(r.code), `::ffff:172.${a % 16 + 16}.${b}.7`), SUCCESS, "blocked range, IPv4-mapped");
  assertEquals(await leadsOf(r.reportId), 1, "no lead from a blocked sender");
  const hits = await sql`select id, hit_count from reports.blocked_ips where id in (${one.id}, ${range.id}) order by hit_count`;
  assertEquals(hits.map((h) => h.hit_count), [1, 2]);
  const [rows] = await sql`select count(*)::int as n from reports.lead_rate_limits where property_report_id = ${r.reportId}`;
  assertEquals(rows.n, 1, "only the genuine lead's window row");
});

dbTest("a concurrent burst past the limit: every answer the same, only 5 leads stored, the rest counted as refused", async () => {
  const r = await agentWithReport(0);
  const ip = freshIp();
  const answers = await Promise.all(Array.from({ length: 14 }, (_, i) => post(lead(r.code, { email: `burst${i}@example.com` }), ip)));
  for (const a of answers) assertEquals(a, SUCCESS);
  assertEquals(await leadsOf(r.reportId), 5);
  const [w] = await testSql()`
    select sum(attempt_count)::int as accepted, sum(refused_count)::int as refused from reports.lead_rate_limits where ip_address = ${ip}::inet`;
  assertEquals([w.accepted, w.refused], [5, 9]);
  // Another sender is not held back by this one.
  assertEquals(await post(lead(r.code), freshIp()), SUCCESS);
  assertEquals(await leadsOf(r.reportId), 6);
});

dbTest("forged X-Forwarded-For / cf-connecting-ip through the local gateway do not evade the limit", async () => {
  const r = await agentWithReport(0);
  type Functions = Parameters<typeof createGateway>[0];
  const gateway = createGateway(new Map([["reports-leads", {
    config: { name: "reports-leads", verifyJwt: false, entrypoint: "" }, handler,
  }]]) as unknown as Functions, { jwtSecret: "unused-secret" });
  const peer = freshIp();
  for (let i = 0; i < 9; i++) {
    const res = await gateway(new Request("http://localhost/functions/v1/reports-leads", {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": freshIp(), "cf-connecting-ip": freshIp(), "x-real-ip": freshIp() },
      body: JSON.stringify(lead(r.code, { email: `forged${i}@example.com` })),
    }), { remoteAddr: { transport: "tcp", hostname: peer, port: 40000 } } as Deno.ServeHandlerInfo);
    assertEquals([res.status, await res.text()], [SUCCESS.status, SUCCESS.text]);
  }
  assertEquals(await leadsOf(r.reportId), 5, "the socket's address is the sender, whatever the headers say");
  const senders = await testSql()`select distinct host(ip_address) as ip from reports.lead_rate_limits where property_report_id = ${r.reportId}`;
  assertEquals(senders.map((s) => s.ip), [peer]);
  // Without the gateway, x-forwarded-for alone is an unknown sender, not the address it names.
  const spoofed = freshIp();
  await post(lead(r.code, { email: "xff@example.com" }), null, { "x-forwarded-for": spoofed });
  const [named] = await testSql()`select count(*)::int as n from reports.lead_rate_limits where ip_address = ${spoofed}::inet`;
  assertEquals(named.n, 0);
});

dbTest("with SMS credits: the worker texts and emails the agent, spends credits per segment, logs the SMS, stamps both", async () => {
  const r = await agentWithReport(5);
  assertEquals(await post(lead(r.code), freshIp()), SUCCESS);
  const [l] = await testSql()`select id from reports.leads where property_report_id = ${r.reportId}`;
  const mine = await notifyThrough(l.id);
  if (mine) assertEquals([mine.outcome, mine.lead.sms, mine.lead.email, mine.lead.provider], ["notified", "sent", "sent", { sms: "local", email: "local" }]);
  const sql = testSql();
  const [row] = await sql`select sms_sent_at is not null as sms, email_sent_at is not null as email from reports.leads where id = ${l.id}`;
  assertEquals([row.sms, row.email], [true, true]);
  const logs = await sql`select status, to_phone, message from reports.sms_logs where lead_id = ${l.id}`;
  assertEquals(logs.map((s) => [s.status, s.to_phone]), [["sent", "+15125550177"]]);
  const [bal] = await sql`select balance from public.credit_balances where account_id = ${r.accountId} and pool = 'sms'`;
  assertEquals(bal.balance, 5 - segmentsOf(logs[0].message));
  assert(logs[0].message.includes("Morgan Lee"), logs[0].message);
  if (mine) {
    assert(sent.sms.some((m) => m.to === "+15125550177" && m.body === logs[0].message), "the SMS went to the agent's phone");
    assert(sent.email.some((m) => m.to.includes(r.agent.email) && m.text.includes("Still available?")), "the email went to the agent");
  }
  // A second run (a retried job) sends nothing again and spends nothing.
  await notifyLead(deps(), l.id);
  const [again] = await sql`select count(*)::int as n from reports.sms_logs where lead_id = ${l.id}`;
  const [bal2] = await sql`select balance from public.credit_balances where account_id = ${r.accountId} and pool = 'sms'`;
  assertEquals([again.n, bal2.balance], [1, bal.balance]);
  assertEquals(await ledgerViolations(), 0);
});

dbTest("without SMS credits: email only, the refused SMS logged, and a notification saying the SMS was skipped", async () => {
  const r = await agentWithReport(0);
  assertEquals(await post(lead(r.code), freshIp()), SUCCESS);
  const sql = testSql();
  const [l] = await sql`select id from reports.leads where property_report_id = ${r.reportId}`;
  const mine = await notifyThrough(l.id);
  if (mine) assertEquals([mine.lead.sms, mine.lead.email], ["no_credits", "sent"]);
  const [row] = await sql`select sms_sent_at is null as no_sms, email_sent_at is not null as email from reports.leads where id = ${l.id}`;
  assertEquals([row.no_sms, row.email], [true, true]);
  const logs = await sql`select status from reports.sms_logs where lead_id = ${l.id}`;
  assertEquals(logs.map((s) => s.status), ["refused"]);
  const notes = await sql`select type, product, account_id, data from public.notifications where user_id = ${r.agent.id} and type = 'lead_sms_skipped'`;
  assertEquals(notes.map((n) => [n.product, n.account_id, n.data.lead_id, n.data.reason]), [["reports", r.accountId, l.id, "no_sms_credits"]]);
  // Retried: still one notification, no SMS.
  await notifyLead(deps(), l.id);
  const [count] = await sql`select count(*)::int as n from public.notifications where user_id = ${r.agent.id} and type = 'lead_sms_skipped'`;
  assertEquals(count.n, 1);
  const [bal] = await sql`select coalesce(sum(balance), 0)::int as b from public.credit_balances where account_id = ${r.accountId} and pool = 'sms'`;
  assertEquals(bal.b, 0);
});

dbTest("a provider that fails: the credits come back, the job fails, and the retry sends once under a new key", async () => {
  const r = await agentWithReport(3);
  assertEquals(await post(lead(r.code), freshIp()), SUCCESS);
  const sql = testSql();
  const [l] = await sql`select id from reports.leads where property_report_id = ${r.reportId}`;
  const down = () => Promise.reject(new Error("provider down"));
  const failing = {
    ...deps(),
    sms: leadSms(sql, { provider: "local", send: down }),
    email: leadEmail({ provider: "local", send: down }, "x@domus.local"),
  };
  const err = await notifyLead(failing, l.id).then(() => null, (e) => e);
  assert(err instanceof Error && err.message === "provider down", String(err));
  const [bal] = await sql`select balance from public.credit_balances where account_id = ${r.accountId} and pool = 'sms'`;
  const logs = await sql`select status from reports.sms_logs where lead_id = ${l.id}`;
  const [row] = await sql`select sms_sent_at, email_sent_at from reports.leads where id = ${l.id}`;
  assertEquals([bal.balance, logs.map((x) => x.status), row.sms_sent_at, row.email_sent_at], [3, ["failed"], null, null]);
  // The retry with the provider back sends once; a third run sends nothing more.
  await notifyLead(deps(), l.id);
  await notifyLead(deps(), l.id);
  const after = await sql`select status, idempotency_key from reports.sms_logs where lead_id = ${l.id} order by created_at`;
  assertEquals(after.map((x) => x.status), ["failed", "sent"]);
  assertEquals(after[1].idempotency_key, `lead-sms:${l.id}#1`);
  const [bal2] = await sql`select balance from public.credit_balances where account_id = ${r.accountId} and pool = 'sms'`;
  assertEquals(bal2.balance < 3, true);
  assertEquals(await ledgerViolations(), 0);
});

dbTest("close the pool", async () => {
  await closeTestSql();
});
