// The worker (service-role key, body {"queue": "reports.render"}), woken by
// pg_cron (hosted), by the local gateway on every enqueue and tick, or by
// tests: first fails reports whose jobs died, then drains the queue with
// the shared loop a batch at a time until it is empty or maxMs has passed.
// Each job settles itself (run-job.ts).
import { reportWorkerInput, type ReportWorkerResponse } from "@domus/contracts/reports-generate.ts";
import { json, parseBody } from "../_shared/http.ts";
import { QUEUE } from "../_shared/reports/store.ts";
import { drain, workerName } from "../_shared/worker.ts";
import type { ReportGenerateDeps } from "./deps.ts";
import { runReportJob } from "./run-job.ts";

export async function work(deps: ReportGenerateDeps, req: Request): Promise<Response> {
  const body = await parseBody(req, reportWorkerInput);
  const abandoned = await deps.store.failAbandoned();
  const report = await drain({
    worker: workerName("report-generate"),
    claim: (worker, limit) => deps.store.claim(worker, limit),
    run: async (job, worker) => ({ outcome: await runReportJob(deps, job, worker) }),
    batchSize: body.batchSize ?? deps.batchSize,
    // PDFs are CPU work: two at a time keeps a round's memory and CPU small.
    concurrency: 2,
    budgetMs: body.maxMs ?? deps.maxMs,
  });
  const response: ReportWorkerResponse = {
    queue: QUEUE,
    worker: report.worker,
    claimed: report.claimed,
    abandoned_failed: abandoned,
    jobs: report.outcomes,
  };
  return json(response);
}
