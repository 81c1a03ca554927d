// The mail worker against the real database: a completed scheduled report
// is mailed to each recipient through the local outbox (a real .eml whose
// List-Unsubscribe token names that recipient), a suppressed address
// (any case) is skipped and logged, every send is in reports.email_log with
// provider and response code, a retry never mails an address twice, and a
// provider outage retries only what was not sent.
import PostalMime from "postal-mime";
import { localEmailSender, outboxDir } from "../_shared/messaging/outbox.ts";
import { messagingStore } from "../_shared/messaging/store.ts";
import { assert, assertEquals } from "../_shared/messaging/testing.ts";
import type { EmailSender } from "../_shared/messaging/types.ts";
import { verifyUnsubscribeToken } from "../_shared/messaging/unsubscribe.ts";
import { memoryStorage } from "../_shared/storage.ts";
import { dbTest, newUser, signToken, testSql } from "../_shared/testing.ts";
import { createHandler } from "./index.ts";

const JWT_SECRET = "reports-mail-test-secret-at-least-32-chars";
const KEY = `mail-test-unsubscribe-key-${crypto.randomUUID()}`;
const OUTBOX = outboxDir((n) => Deno.env.get(n));

function worker(sender: EmailSender, files = memoryStorage()) {
  return createHandler({
    jwtSecret: JWT_SECRET, store: messagingStore(testSql()), sender, files, from: "Domus Reports <reports@domus.local>",
    functionsUrl: "http://127.0.0.1:54321/functions/v1", unsubscribeKey: KEY,
  });
}

async function drive(handler: (req: Request) => Promise<Response>) {
  const token = await signToken({ role: "service_role", exp: Math.floor(Date.now() / 1000) + 60 }, JWT_SECRET);
  const res = await handler(new Request("http://local/functions/v1/reports-mail", {
    method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ queue: "reports.mail" }),
  }));
  assertEquals(res.status, 200, await res.clone().text());
  return await res.json();
}

/** A schedule with a run whose report has just completed: the trigger enqueues its mail job. */
async function completedRun(recipients: string[], pdfPath: string | null = null) {
  const user = await newUser("mail-owner");
  const [schedule] = await testSql()`
    insert into reports.schedules (account_id, city, cadence, send_hour, recipients, time_zone)
    values (${user.id}, 'Springfield', 'daily', 7, ${recipients}, 'UTC') returning id`;
  const [report] = await testSql()`
    insert into reports.report_generations (account_id, report_type, input_params, status)
    values (${user.id}, 'market', ${JSON.stringify({ cities: ["Springfield"], zip_codes: [], period_start: "2026-10-01", period_end: "2026-10-31", formats: ["pdf"] })}::text::jsonb, 'processing')
    returning id`;
  const [run] = await testSql()`
    insert into reports.schedule_runs (schedule_id, report_run_id, status, due_at)
    values (${schedule.id}, ${report.id}, 'started', now()) returning id`;
  await testSql()`update reports.report_generations set status = 'completed', generated_at = now(), pdf_url = ${pdfPath} where id = ${report.id}`;
  return { accountId: user.id, scheduleId: schedule.id, reportId: report.id, runId: run.id };
}

const logOf = (runId: string) =>
  testSql()`select to_emails[1] as email, provider, status, response_code, provider_message_ref, error from reports.email_log
            where schedule_run_id = ${runId} order by to_emails[1]`;

dbTest("a completed scheduled report is mailed; the suppressed address (other case) is skipped and logged", async () => {
  const tag = crypto.randomUUID().slice(0, 6);
  const reader = `reader-${tag}@example.com`;
  const gone = `gone-${tag}@example.com`;
  const run = await completedRun([reader, gone.toUpperCase()], `acct/${tag}/report.pdf`);
  await testSql()`insert into reports.email_suppressions (account_id, email, reason) values (${run.accountId}, ${gone.toUpperCase()}, 'unsubscribe')`;
  const [runRow] = await testSql()`select status from reports.schedule_runs where id = ${run.runId}`;
  assertEquals(runRow.status, "completed", "the report's completion completed the run");
  const [job] = await testSql()`select status from public.jobs where queue = 'reports.mail' and idempotency_key = ${`schedule_run:${run.runId}`}`;
  assertEquals(job.status, "queued", "and enqueued its mail job");

  const files = memoryStorage();
  await files.upload("reports", `acct/${tag}/report.pdf`, new TextEncoder().encode("%PDF-1.7 test"), "application/pdf");
  const out = await drive(worker(localEmailSender(OUTBOX), files));
  const mine = out.jobs.find((j: { sent: number; skipped: number }) => j.sent === 1 && j.skipped === 1);
  assert(mine, JSON.stringify(out));
  assertEquals(mine.provider, "local");

  const log = await logOf(run.runId);
  assertEquals(log.map((r) => [r.email, r.status, r.provider]), [[gone, "skipped", "local"], [reader, "sent", "local"]]);
  assertEquals(log[0].error, "suppressed (unsubscribe)");
  assertEquals(log[1].response_code, 200);
  assert(log[1].provider_message_ref, "message id logged");

  // The .eml: to the reader only, with their own one-click unsubscribe and the PDF.
  const file = [...Deno.readDirSync(`${OUTBOX}/email`)].map((e) => `${OUTBOX}/email/${e.name}`)
    .find((p) => Deno.readTextFileSync(p).includes(`<${log[1].provider_message_ref}>`));
  assert(file, "the outbox has the message");
  const mail = await PostalMime.parse(Deno.readTextFileSync(file!));
  assertEquals(mail.to?.map((a) => a.address), [reader]);
  const header = (n: string) => mail.headers.find((h) => h.key === n)?.value ?? "";
  assertEquals(header("list-unsubscribe-post"), "List-Unsubscribe=One-Click");
  const link = /^<(.+)>$/.exec(header("list-unsubscribe"))![1];
  assert(link.startsWith("http://127.0.0.1:54321/functions/v1/reports-unsubscribe?t="), link);
  assertEquals(verifyUnsubscribeToken(KEY, new URL(link).searchParams.get("t")), { accountId: run.accountId, email: reader });
  assert(mail.text?.includes(link), "the body carries the unsubscribe link too");
  if ("createSignedUrl" in files) assert(mail.text?.includes("PDF: "), "a signed PDF link");
  else assertEquals(mail.attachments.map((a) => a.filename), ["market-report.pdf"], "no signing here: the PDF is attached");

  // Once: the job is done, and running the worker again mails nobody.
  await drive(worker(localEmailSender(OUTBOX), files));
  assertEquals((await logOf(run.runId)).length, 2);
});

dbTest("a provider outage retries the job and resends only the addresses not yet sent", async () => {
  const tag = crypto.randomUUID().slice(0, 6);
  const a = `a-${tag}@example.com`;
  const b = `b-${tag}@example.com`;
  const run = await completedRun([a, b]);
  const sent: string[] = [];
  const flaky: EmailSender = {
    provider: "resend",
    send: (m) => {
      sent.push(m.to[0]);
      const down = m.to[0] === b && sent.filter((t) => t === b).length === 1;
      return Promise.resolve(down
        ? { provider: "resend", accepted: false, messageId: null, status: 503, error: "service unavailable" }
        : { provider: "resend", accepted: true, messageId: `re_${crypto.randomUUID()}`, status: 200, error: null });
    },
  };
  await drive(worker(flaky));
  assertEquals((await logOf(run.runId)).map((r) => [r.email, r.status, r.response_code]), [[a, "sent", 200], [b, "failed", 503]]);
  const [job] = await testSql()`select status, last_error from public.jobs where idempotency_key = ${`schedule_run:${run.runId}`}`;
  assertEquals(job.status, "queued", "failed for a retry");
  await testSql()`update public.jobs set run_at = now() where idempotency_key = ${`schedule_run:${run.runId}`}`;
  await drive(worker(flaky));
  assertEquals(sent.filter((t) => t === a).length, 1, "a was not mailed twice");
  assertEquals((await logOf(run.runId)).map((r) => [r.email, r.status, r.response_code]), [[a, "sent", 200], [b, "sent", 200]]);
});

dbTest("only the service role drives the worker", async () => {
  const handler = worker(localEmailSender(OUTBOX));
  const user = await newUser("not-service");
  const token = await signToken({ sub: user.id, role: "authenticated", exp: Math.floor(Date.now() / 1000) + 60 }, JWT_SECRET);
  for (const auth of [`Bearer ${token}`, "Bearer nonsense", ""]) {
    const res = await handler(new Request("http://local/functions/v1/reports-mail", { method: "POST", headers: auth ? { authorization: auth } : {}, body: "{}" }));
    assertEquals(res.status, 401);
    await res.body?.cancel();
  }
});

dbTest("end to end with a moved clock: dispatch -> report (billed) -> completion -> mail in the outbox", async () => {
  const tag = crypto.randomUUID().slice(0, 6);
  const reader = `e2e-${tag}@example.com`;
  const user = await newUser("e2e-owner");
  await testSql()`update public.accounts set monthly_report_limit_override = 100, time_zone = 'Europe/London' where id = ${user.id}`;
  const [schedule] = await testSql()`
    insert into reports.schedules (account_id, city, cadence, monthly_dom, send_hour, send_minute, recipients)
    values (${user.id}, 'Springfield', 'monthly', 31, 6, 15, ${[reader]}) returning id, next_run_at, time_zone`;
  assertEquals(schedule.time_zone, "Europe/London");
  const due = new Date(schedule.next_run_at);
  const [local] = await testSql()`select to_char(${due}::timestamptz at time zone 'Europe/London', 'HH24:MI') as hm,
    extract(day from (${due}::timestamptz at time zone 'Europe/London') + interval '1 day')::int as next_day`;
  assertEquals(local.hm, "06:15", "due at 06:15 London time");
  assertEquals(local.next_day, 1, "on the month's last day (or the 31st)");

  // The clock moves to just after the due time.
  const clock = new Date(due.getTime() + 60_000).toISOString();
  const [{ started }] = await testSql()`select private.reports_dispatch_due_schedules(${clock}::timestamptz) as started`;
  assert(started >= 1, "the schedule was dispatched");
  const [run] = await testSql()`select id, status, report_run_id, due_at from reports.schedule_runs where schedule_id = ${schedule.id}`;
  assertEquals([run.status, new Date(run.due_at).getTime()], ["started", due.getTime()]);
  const [report] = await testSql()`select status, billable, input_params from reports.report_generations where id = ${run.report_run_id}`;
  assertEquals(report.status, "pending");
  const [usage] = await testSql()`select count(*)::int as n from public.usage_events where idempotency_key = ${`report:${run.report_run_id}`}`;
  assertEquals(usage.n, 1, "billed as any report, once");
  const [next] = await testSql()`select next_run_at > ${clock}::timestamptz as later from reports.schedules where id = ${schedule.id}`;
  assert(next.later, "next_run_at moved past the clock");

  // The renderer's side (rp-render's worker in production), through rp-stats' lifecycle.
  await testSql()`select private.reports_begin_generation(${run.report_run_id})`;
  await testSql()`select private.reports_complete_generation(${run.report_run_id}, ${JSON.stringify({ pdf: `${user.id}/${run.report_run_id}/report.pdf` })}::text::jsonb, 900)`;
  const [settled] = await testSql()`select status from reports.schedule_runs where id = ${run.id}`;
  assertEquals(settled.status, "completed");

  const files = memoryStorage();
  await files.upload("reports", `${user.id}/${run.report_run_id}/report.pdf`, new TextEncoder().encode("%PDF-1.7 e2e"), "application/pdf");
  await drive(worker(localEmailSender(OUTBOX), files));
  const log = await logOf(run.id);
  assertEquals(log.map((r) => [r.email, r.status, r.provider, r.response_code]), [[reader, "sent", "local", 200]]);
  const [subject] = await testSql()`select subject from reports.email_log where schedule_run_id = ${run.id}`;
  assert(subject.subject.startsWith("Market report: Springfield ("), subject.subject);
});
