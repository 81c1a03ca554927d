// Runs one claimed job of queue `reports.render` and settles it. A failure that a
// retry could fix (Storage or the database briefly away) goes back to the
// queue with backoff while the report stays `processing`; on the last
// attempt, or when no retry can help (bad input 22023, a missing report,
// invalid pages), the report is recorded as failed with the reason, and
// the job is failed for good. A job that dies some other way (a crashed
// worker on its last lease) is swept up by private.reports_fail_abandoned.
import { reportJobPayload, type ReportJobOutcome } from "@domus/contracts/reports-generate.ts";
import { isSqlstate, sqlstate } from "@domus/contracts/errors.ts";
import type { ReportJob } from "../_shared/reports/store.ts";
import { StorageError } from "../_shared/storage.ts";
import type { ReportGenerateDeps } from "./deps.ts";
import { PermanentError } from "./errors.ts";
import { runMarketReport } from "./market-job.ts";
import { runPropertyReport } from "./property-job.ts";

function permanent(error: unknown): boolean {
  if (error instanceof PermanentError) return true;
  if (error instanceof StorageError) return error.status >= 400 && error.status < 500 && error.status !== 429 && error.status !== 408;
  const code = (error as { code?: string }).code ?? "";
  return isSqlstate(code, sqlstate.badInput) || isSqlstate(code, sqlstate.notFound) || code === "22P02" || code === "23503";
}

const clip = (s: string) => (s.length > 1000 ? `${s.slice(0, 997)}...` : s);

export async function runReportJob(deps: ReportGenerateDeps, job: ReportJob, worker: string): Promise<ReportJobOutcome> {
  const parsed = reportJobPayload.safeParse(job.payload);
  if (!parsed.success) {
    const error = "payload: expected {kind: market_report | property_report | consumer_report, id: uuid}";
    await deps.store.failJob(job, worker, error, false).catch((e) => console.error("report-generate:", e));
    return { job_id: job.id, kind: null, report_id: null, outcome: "failed", error };
  }
  const { kind, id } = parsed.data;
  try {
    const done = kind === "market_report" ? await runMarketReport(deps, id) : await runPropertyReport(deps, kind === "property_report" ? "property" : "consumer", id);
    await deps.store.completeJob(job, worker, { outcome: done.skipped ? "skipped" : "completed", kind, id, files: done.files, processing_ms: done.processingMs });
    return { job_id: job.id, kind, report_id: id, outcome: done.skipped ? "skipped" : "completed", files: done.files, processing_ms: done.processingMs };
  } catch (error) {
    const message = clip(`${kind === "market_report" ? "market report" : kind.replace("_", " ")} failed: ${(error as Error).message ?? String(error)}`);
    const final = permanent(error) || job.attempts >= job.max_attempts;
    if (!(error instanceof PermanentError)) console.error(`report-generate: job ${job.id} (${kind} ${id}), attempt ${job.attempts}/${job.max_attempts}:`, error);
    if (final) {
      // Recorded before the job is failed, so a report never outlives its job in processing.
      try {
        if (kind === "market_report") await deps.store.failGeneration(id, message);
        else await deps.store.failPropertyReport(kind === "property_report" ? "property" : "consumer", id);
      } catch (recordError) {
        // A report already completed or gone (PT409 / PT404): nothing to record.
        console.error(`report-generate: cannot mark ${kind} ${id} failed:`, recordError);
      }
    }
    try {
      await deps.store.failJob(job, worker, message, !final);
      return { job_id: job.id, kind, report_id: id, outcome: final ? "failed" : "retrying", error: message };
    } catch (settleError) {
      // Lost the lease or the database went away: the reaper hands the job out
      // again, and the sweep fails the report if the job dies.
      console.error(`report-generate: cannot record the failure of job ${job.id}:`, settleError);
      return { job_id: job.id, kind, report_id: id, outcome: "lease_lost", error: message };
    }
  }
}
