// The delivery worker (the service-role key, body {"queue": "reports.webhooks"}),
// woken by pg_cron (hosted), by the local gateway on every enqueue and tick,
// or by tests and the benchmark: drains the queue with the shared loop
// (functions/_shared/worker.ts), every attempt of a batch at once, until
// the queue is empty or maxMs has passed. Each attempt settles its own job
// (private.reports_webhook_record_attempt completes it), so there is no
// batch completion. A retry is a new job due at its next_attempt_at.
import { webhooksWorkerInput, type WebhooksWorkerResponse } from "@domus/contracts/reports-webhooks.ts";
import { json, parseBody } from "../_shared/http.ts";
import { countOutcomes, drain, workerName } from "../_shared/worker.ts";
import type { WebhooksDeps } from "./deps.ts";
import { runAttempt } from "./run-attempt.ts";

export async function work(deps: WebhooksDeps, req: Request): Promise<Response> {
  const body = await parseBody(req, webhooksWorkerInput);
  const report = await drain({
    worker: workerName("reports-webhooks"),
    claim: (worker, limit) => deps.store.claim(worker, limit),
    run: async (job, worker) => ({ outcome: await runAttempt(deps, job, worker) }),
    batchSize: body.batchSize ?? deps.batchSize,
    budgetMs: body.maxMs ?? deps.maxMs,
  });
  const outcomes = countOutcomes(report.outcomes);
  const response: WebhooksWorkerResponse = {
    worker: report.worker,
    claimed: report.claimed,
    outcomes,
    attempts: report.outcomes,
    seconds: report.ms / 1000,
  };
  return json(response);
}
