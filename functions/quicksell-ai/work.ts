// The worker's drain: claims quicksell.ai jobs within the time budget and
// answers what became of each (run-job.ts does one job).
import { aiWorkerInput, type MediaWorkerResponse } from "@domus/contracts/quicksell-media.ts";
import { json, parseBody } from "../_shared/http.ts";
import { countOutcomes, drain, workerName } from "../_shared/worker.ts";
import type { AiDeps } from "./deps.ts";
import { runJob } from "./run-job.ts";

export async function work(deps: AiDeps, req: Request): Promise<Response> {
  const body = await parseBody(req, aiWorkerInput);
  const started = performance.now();
  const report = await drain({
    worker: workerName("quicksell-ai"),
    claim: (worker, limit) => deps.store.claimAi(worker, limit),
    run: async (job, worker) => ({ outcome: await runJob(deps, job, worker) }),
    batchSize: body.batchSize ?? deps.batchSize,
    budgetMs: body.maxMs ?? deps.maxMs,
  });
  const outcomes = countOutcomes(report.outcomes);
  const response: MediaWorkerResponse = {
    worker: report.worker,
    claimed: report.claimed,
    outcomes,
    jobs: report.outcomes,
    seconds: Math.round(performance.now() - started) / 1000,
  };
  return json(response);
}
