// The AI job worker (the service-role key, body {"queue": "studio.ai_job"}),
// woken by pg_cron (hosted), by the local gateway on every enqueue and tick,
// or by tests and the benchmark: drains the queue with the shared loop
// (functions/_shared/worker.ts), a batch at a time, every job of a batch at
// once, until the queue is empty or maxMs has passed. Each job settles
// itself (studio_complete_job captures credits and writes the media item in
// the same transaction), so nothing is left for a batch completion.
import { workerInput, type WorkerResponse } from "@domus/contracts/studio.ts";
import { json, parseBody } from "../_shared/http.ts";
import { countOutcomes, drain, workerName } from "../_shared/worker.ts";
import type { AiJobsDeps } from "./deps.ts";
import { type Phases, runJob } from "./run-job.ts";

export async function work(deps: AiJobsDeps, req: Request): Promise<Response> {
  const body = await parseBody(req, workerInput);
  const phases: Phases = { claim_ms: 0, provider_ms: 0, storage_ms: 0, settle_ms: 0 };
  const report = await drain({
    worker: workerName("ai-jobs"),
    claim: async (worker, limit) => {
      const mark = performance.now();
      try {
        return await deps.store.claim(worker, limit);
      } finally {
        phases.claim_ms += performance.now() - mark;
      }
    },
    run: async (job, worker) => ({ outcome: await runJob(deps, job, worker, phases) }),
    batchSize: body.batchSize ?? deps.batchSize,
    budgetMs: body.maxMs ?? deps.maxMs,
  });
  for (const k of Object.keys(phases) as Array<keyof Phases>) phases[k] = Math.round(phases[k]);
  const outcomes = countOutcomes(report.outcomes);
  const response: WorkerResponse = {
    worker: report.worker,
    claimed: report.claimed,
    outcomes,
    jobs: report.outcomes,
    phases,
    seconds: report.ms / 1000,
  };
  return json(response);
}
