// The worker side of the job queue (public.jobs), shared by every worker
// function: who may drive a worker, and the claim-and-drain loop.
//
// Hosted edge functions get 150 s of wall time per invocation (and little
// CPU), so a worker drains under a time budget: it keeps claiming rounds
// until the queue is empty or the budget is used, then returns; the next
// wake (pg_cron, the local scheduler, or a NOTIFY on enqueue) continues.
// Jobs are claimed in batches and, where a job needs nothing but its
// completion, completed in one batch per round (private.complete_jobs), so a
// round costs two round trips however many jobs it holds.
import { bearerToken, type Claims, JwtError, verifyJwt } from "./jwt.ts";

/** The verified claims when the caller presents the service-role key, else null. */
export async function serviceRole(req: Request, jwtSecret: string): Promise<Claims | null> {
  const token = bearerToken(req);
  if (!token) return null;
  try {
    const claims = await verifyJwt(token, jwtSecret);
    return claims.role === "service_role" ? claims : null;
  } catch (error) {
    if (error instanceof JwtError) return null;
    throw error;
  }
}

/**
 * A name for one worker invocation. It is the lease identity in
 * public.jobs.locked_by, so it must differ between invocations: two
 * invocations sharing a name could settle each other's reclaimed jobs.
 */
export function workerName(prefix: string): string {
  return `${prefix}:${crypto.randomUUID().slice(0, 8)}`;
}

export interface Completion {
  id: number;
  result: Record<string, unknown> | null;
}

/** What running one job gave: its outcome, and a completion for the round's batch when the job settles by completion alone. */
export interface Ran<O> {
  outcome: O;
  complete?: Completion;
}

export interface DrainOptions<J, O> {
  worker: string;
  claim: (worker: string, limit: number) => Promise<J[]>;
  /** Runs one job; it either settles the job itself or returns a completion for the batch. */
  run: (job: J, worker: string) => Promise<Ran<O>>;
  /** Completes jobs in one call; resolves to the ids completed (the others lost their lease). */
  completeBatch?: (worker: string, completions: Completion[]) => Promise<Set<number>>;
  /** The outcome to report for a job whose batched completion found its lease lost. */
  lost?: (outcome: O) => O;
  batchSize: number;
  /** Jobs run at once within a round (default: the whole round). */
  concurrency?: number;
  /** Stop claiming once this much time has passed. */
  budgetMs: number;
  maxJobs?: number;
  now?: () => number;
}

export interface DrainReport<O> {
  worker: string;
  claimed: number;
  rounds: number;
  outcomes: O[];
  /** Why the loop stopped: the queue was empty, the budget was used, or max_jobs were claimed. */
  stopped: "empty" | "budget" | "max_jobs";
  ms: number;
}

export async function drain<J, O>(o: DrainOptions<J, O>): Promise<DrainReport<O>> {
  const now = o.now ?? Date.now;
  const started = now();
  const maxJobs = o.maxJobs ?? Number.POSITIVE_INFINITY;
  const outcomes: O[] = [];
  let claimed = 0;
  let rounds = 0;
  let stopped: DrainReport<O>["stopped"] = "empty";
  for (;;) {
    if (claimed >= maxJobs) {
      stopped = "max_jobs";
      break;
    }
    if (now() - started >= o.budgetMs) {
      stopped = "budget";
      break;
    }
    const jobs = await o.claim(o.worker, Math.max(1, Math.min(o.batchSize, maxJobs - claimed)));
    if (jobs.length === 0) break;
    rounds++;
    claimed += jobs.length;
    const ran = await runAll(jobs, Math.max(1, o.concurrency ?? jobs.length), (job) => o.run(job, o.worker));
    const completions = ran.flatMap((r) => (r.complete ? [r.complete] : []));
    const completed = completions.length && o.completeBatch ? await o.completeBatch(o.worker, completions) : null;
    for (const r of ran) {
      const lostLease = r.complete && completed && !completed.has(r.complete.id);
      outcomes.push(lostLease && o.lost ? o.lost(r.outcome) : r.outcome);
    }
  }
  return { worker: o.worker, claimed, rounds, outcomes, stopped, ms: now() - started };
}

/** How many jobs ended in each outcome: the `outcomes` of every worker's answer. */
export function countOutcomes(jobs: ReadonlyArray<{ outcome: string }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const j of jobs) counts[j.outcome] = (counts[j.outcome] ?? 0) + 1;
  return counts;
}

/** Runs every job with at most `concurrency` at once; results in job order. */
async function runAll<J, R>(jobs: J[], concurrency: number, run: (job: J) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await run(jobs[i]);
    }
  }));
  return results;
}

/**
 * Wakes for a scheduler: at most one run per key at a time, and a wake that
 * arrives while that run is going (a job enqueued after the worker's last
 * empty claim) runs it once more as soon as it ends, instead of leaving the
 * job for the next tick. Wakes during a run collapse into one rerun.
 */
export function coalescedWakes(run: (key: string) => Promise<void>): (key: string) => Promise<void> {
  const running = new Map<string, Promise<void>>();
  const again = new Set<string>();
  const start = (key: string): Promise<void> => {
    const p = (async () => {
      try {
        do {
          again.delete(key);
          await run(key);
        } while (again.has(key));
      } finally {
        running.delete(key);
      }
    })();
    running.set(key, p);
    return p;
  };
  return (key) => {
    const current = running.get(key);
    if (current) {
      again.add(key);
      return current;
    }
    return start(key);
  };
}
