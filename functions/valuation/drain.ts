// The valuation worker: drains queue homes.valuation with the shared loop
// (functions/_shared/worker.ts). Each job is valued by the engine in
// Postgres; the valuation, its comparables, the `homes.valuation` usage
// charge and the job's completion commit together. Past the plan's
// allowance the job completes with {"outcome": "refused"} and the owner is
// notified: never silently free. Jobs with nothing to value (no property_id,
// property gone) complete in the round's batch. Other errors retry with
// backoff (private.fail_job).
import { isSqlstate, sqlstate } from "@domus/contracts/errors.ts";
import type { WorkerResponse } from "@domus/contracts/homes.ts";
import { type Job, QUEUE } from "../_shared/homes/valuation-store.ts";
import { drain, type Ran, workerName } from "../_shared/worker.ts";
import type { ValuationDeps } from "./deps.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Outcome = WorkerResponse["jobs"][number];

async function runJob(deps: ValuationDeps, job: Job, worker: string): Promise<Ran<Outcome>> {
  const propertyId = job.payload?.property_id;
  const listingId = typeof job.payload?.listing_id === "string" && UUID.test(job.payload.listing_id) ? job.payload.listing_id : null;
  if (typeof propertyId !== "string" || !UUID.test(propertyId)) {
    const detail = "payload has no property_id";
    return {
      outcome: { job_id: job.id, outcome: "skipped", valuation_id: null, detail },
      complete: { id: job.id, result: { outcome: "skipped", reason: detail } },
    };
  }
  try {
    const valuation = await deps.store.valueForJob(job, worker, propertyId, listingId);
    return {
      outcome: {
        job_id: job.id,
        outcome: valuation.estimate === null ? "insufficient" : "valued",
        valuation_id: valuation.id,
        detail: valuation.estimate === null ? String(valuation.details.reason ?? "too few comparables") : null,
      },
    };
  } catch (error) {
    const code = (error as { code?: string }).code ?? "";
    const message = (error as Error).message ?? String(error);
    if (isSqlstate(code, sqlstate.notFound)) {
      return {
        outcome: { job_id: job.id, outcome: "skipped", valuation_id: null, detail: message },
        complete: { id: job.id, result: { outcome: "skipped", reason: message, property_id: propertyId } },
      };
    }
    try {
      if (isSqlstate(code, sqlstate.paymentRequired)) {
        await deps.store.completeWithout(
          job,
          worker,
          { outcome: "refused", reason: message, property_id: propertyId, listing_id: listingId },
          propertyId,
        );
        return { outcome: { job_id: job.id, outcome: "refused", valuation_id: null, detail: message } };
      }
      await deps.store.fail(job, worker, message, true);
    } catch (inner) {
      // Lost the lease (PT409) or the database went away: the reaper hands the job out again.
      console.error(`valuation: job ${job.id}:`, inner);
    }
    return { outcome: { job_id: job.id, outcome: "failed", valuation_id: null, detail: message } };
  }
}

export async function drainValuations(deps: ValuationDeps, maxJobs: number): Promise<WorkerResponse> {
  const report = await drain<Job, Outcome>({
    worker: workerName(deps.workerId),
    claim: (worker, limit) => deps.store.claim(worker, limit),
    run: (job, worker) => runJob(deps, job, worker),
    completeBatch: (worker, completions) => deps.store.completeMany(worker, completions),
    lost: (o) => ({ ...o, outcome: "failed", detail: `lease lost before completion: ${o.detail ?? ""}`.trim() }),
    batchSize: deps.batchSize ?? 20,
    concurrency: Math.max(1, deps.concurrency ?? 4),
    budgetMs: deps.timeBudgetMs ?? 25_000,
    maxJobs,
  });
  const jobs = report.outcomes;
  const count = (o: Outcome["outcome"]) => jobs.filter((j) => j.outcome === o).length;
  return {
    queue: QUEUE,
    worker: report.worker,
    claimed: report.claimed,
    valued: count("valued"),
    insufficient: count("insufficient"),
    refused: count("refused"),
    skipped: count("skipped"),
    failed: count("failed"),
    jobs: jobs.sort((a, b) => a.job_id - b.job_id),
  };
}
