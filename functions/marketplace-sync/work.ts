// The sync worker (the service-role key, body {"queue": "quicksell.sync"}),
// woken by pg_cron (hosted), by the local gateway on every enqueue, or by
// tests: drains the queue with the shared loop. Jobs settle themselves (one
// database call sets the copy's sync_status and completes or fails the
// job), and a settlement can enqueue more work (a sale enqueues the delists
// of the other copies), which this same drain picks up: one sync cycle.
import { workerInput, type WorkerResponse } from "@domus/contracts/quicksell-sync.ts";
import { json, parseBody } from "../_shared/http.ts";
import { runSyncJob } from "../_shared/quicksell/sync.ts";
import { countOutcomes, drain, workerName } from "../_shared/worker.ts";
import type { MarketplaceSyncDeps } from "./deps.ts";

export async function work(deps: MarketplaceSyncDeps, req: Request): Promise<Response> {
  const body = await parseBody(req, workerInput);
  const report = await drain({
    worker: workerName("marketplace-sync"),
    claim: (worker, limit) => deps.store.claim(worker, limit),
    run: async (jobId, worker) => ({ outcome: await runSyncJob(deps, jobId, worker) }),
    batchSize: body.batchSize ?? deps.batchSize,
    budgetMs: body.maxMs ?? deps.maxMs,
  });
  const outcomes = countOutcomes(report.outcomes);
  for (const j of report.outcomes) {
    if (j.outcome === "failed" || j.outcome === "retrying") console.log(`marketplace-sync: ${j.action} ${j.marketplace} (mode ${j.mode}) copy ${j.copyId}: ${j.outcome}: ${j.error}`);
  }
  const response: WorkerResponse = { worker: report.worker, claimed: report.claimed, outcomes, jobs: report.outcomes, seconds: report.ms / 1000 };
  return json(response);
}
