// The reports-mail worker (service-role key, body {"queue": "reports.mail"}):
// drains queue 'reports.mail' with the shared loop. Each job is one
// completed schedule run: every recipient gets the report (suppressed ones
// are logged 'skipped' and not sent), every send is logged in
// reports.email_log with the provider, its HTTP answer and message id. A
// provider outage (429 / 5xx) fails the job, which retries with backoff and
// resends only the addresses not yet sent; a refusal (other 4xx) is logged
// and not retried.
import { type MailJobOutcome, mailWorkerInput as workerInput, type MailWorkerResponse } from "@domus/contracts/reports-messaging.ts";
import { json, parseBody } from "../_shared/http.ts";
import type { EmailSender } from "../_shared/messaging/types.ts";
import { MAIL_QUEUE, type MailContext, type MailJob, type MessagingStore } from "../_shared/messaging/store.ts";
import { signUnsubscribeToken, unsubscribeUrl } from "../_shared/messaging/unsubscribe.ts";
import type { Storage } from "../_shared/storage.ts";
import { drain, workerName } from "../_shared/worker.ts";
import { composeReportEmail, type ReportLinks, subjectOf } from "./compose.ts";

export const QUEUE = MAIL_QUEUE;
const BUCKET = "reports";
const SIGNED_SECONDS = 7 * 24 * 3600;
const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;

/** The storage calls the worker uses; createSignedUrl when the storage layer has it. */
export type ReportFiles = Pick<Storage, "download"> & {
  createSignedUrl?: (bucket: string, path: string, expiresIn: number) => Promise<string | null>;
};

export interface MailWorkerDeps {
  store: Pick<MessagingStore, "claimMailJobs" | "completeJob" | "failJob" | "mailContext" | "claimRecipients" | "finishRecipient">;
  sender: EmailSender;
  files: ReportFiles;
  from: string;
  /** https://<project>/functions/v1 — for unsubscribe links and the report page. */
  functionsUrl: string;
  unsubscribeKey: string;
  batchSize?: number;
  maxMs?: number;
}

export type JobOutcome = MailJobOutcome;

async function linksFor(deps: MailWorkerDeps, ctx: MailContext): Promise<ReportLinks> {
  const reportPage = `${deps.functionsUrl}/report-generate?id=${ctx.report_id}`;
  const signed: ReportLinks["signed"] = {};
  if (deps.files.createSignedUrl) {
    for (const format of ["pdf", "html", "csv", "json"] as const) {
      const path = ctx.urls[format];
      if (!path) continue;
      const url = await deps.files.createSignedUrl(BUCKET, path, SIGNED_SECONDS);
      if (url) signed[format] = url;
    }
  }
  let pdfAttachment: ReportLinks["pdfAttachment"] = null;
  if (!signed.pdf && ctx.urls.pdf) {
    const file = await deps.files.download(BUCKET, ctx.urls.pdf);
    if (file && file.bytes.byteLength <= MAX_ATTACHMENT_BYTES) {
      pdfAttachment = { filename: "market-report.pdf", contentType: "application/pdf", content: file.bytes };
    }
  }
  return { signed, reportPage, pdfAttachment };
}

export async function mailRun(deps: MailWorkerDeps, job: MailJob, worker: string): Promise<JobOutcome> {
  const base = { job: job.id, sent: 0, skipped: 0, failed: 0, provider: deps.sender.provider };
  const runId = job.payload.schedule_run_id;
  const ctx = job.payload.kind === "schedule_run" && runId ? await deps.store.mailContext(runId) : null;
  if (!ctx || ctx.report_status !== "completed") {
    const reason = !ctx ? "no such schedule run (or it has no report)" : `report is ${ctx.report_status}`;
    await deps.store.completeJob(job.id, worker, { skipped: reason });
    return { ...base, outcome: "skipped", reason };
  }
  const links = await linksFor(deps, ctx);
  const recipients = await deps.store.claimRecipients(ctx.schedule_run_id, subjectOf(ctx), deps.sender.provider);
  const counts = { sent: 0, skipped: 0, failed: 0 };
  let retry: string | null = null;
  for (const r of recipients) {
    if (r.action === "done") continue;
    if (r.action === "skip_suppressed") {
      counts.skipped++;
      continue;
    }
    const url = unsubscribeUrl(deps.functionsUrl, signUnsubscribeToken(deps.unsubscribeKey, ctx.account_id, r.email));
    const message = composeReportEmail({ ctx, to: r.email, from: deps.from, links, unsubscribeUrl: url });
    const result = await deps.sender.send(message, { idempotencyKey: `schedule_run:${ctx.schedule_run_id}:${r.email}` });
    await deps.store.finishRecipient(r.email_log_id, {
      provider: result.provider, status: result.accepted ? "sent" : "failed", responseCode: result.status,
      messageId: result.messageId, error: result.error,
    });
    if (result.accepted) counts.sent++;
    else {
      counts.failed++;
      if (result.status === 429 || result.status >= 500) retry = `${result.provider} answered ${result.status}: ${result.error}`;
    }
  }
  if (retry) {
    await deps.store.failJob(job.id, worker, retry);
    return { ...base, ...counts, outcome: "retry", reason: retry };
  }
  await deps.store.completeJob(job.id, worker, { ...counts, provider: deps.sender.provider });
  return { ...base, ...counts, outcome: counts.failed ? "failed" : "mailed" };
}

export async function work(deps: MailWorkerDeps, req: Request): Promise<Response> {
  const body = await parseBody(req, workerInput);
  const report = await drain({
    worker: workerName("reports-mail"),
    claim: (worker, limit) => deps.store.claimMailJobs(worker, limit),
    run: async (job, worker) => {
      try {
        return { outcome: await mailRun(deps, job, worker) };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        await deps.store.failJob(job.id, worker, message).catch(() => {});
        return { outcome: { job: job.id, outcome: "retry" as const, sent: 0, skipped: 0, failed: 0, provider: deps.sender.provider, reason: message } };
      }
    },
    batchSize: body.batchSize ?? deps.batchSize ?? 10,
    concurrency: 2,
    budgetMs: body.maxMs ?? deps.maxMs ?? 45_000,
  });
  const response: MailWorkerResponse = { worker: report.worker, claimed: report.claimed, provider: deps.sender.provider, jobs: report.outcomes, seconds: report.ms / 1000 };
  return json(response);
}


