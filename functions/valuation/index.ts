// POST /functions/v1/valuation — the valuation orchestrator (seed 000).
//   * With the service-role key and {"queue": "homes.valuation"}: the job
//     worker. Publishing a listing queues a valuation refresh
//     (homes.publish_listing); pg_cron + pg_net on hosted Supabase, or the
//     local gateway's scheduler, wake this function, which claims jobs
//     (SKIP LOCKED, under a lease) until the queue is empty or its time is
//     up. Each job is valued by the engine in Postgres; the valuation, its
//     comparables, the `homes.valuation` usage charge and the job's
//     completion commit together. Past the plan's allowance (DM402) the job
//     completes with {"outcome": "refused"} and the owner is notified: never
//     silently free. Other errors retry with backoff (private.fail_job).
//   * With a user's token and {"property_id": ...}: values one of the
//     caller's own properties now and returns it with its comparables (402
//     when the allowance is used up, 404 for anyone else's property).
import {
  type ValuationResponse,
  valuationRequest,
  workerRequest,
  type WorkerResponse,
} from "@domus/contracts/homes.ts";
import { type AuthDeps, requireUser } from "../_shared/auth.ts";
import { connect, revocationReason } from "../_shared/db.ts";
import { requireEnv } from "../_shared/env.ts";
import { errorResponse, HttpError, json, parseBody, withErrors } from "../_shared/http.ts";
import { bearerToken, type Claims, JwtError, verifyJwt } from "../_shared/jwt.ts";
import { pgCall } from "../_shared/pg-errors.ts";
import { type Job, QUEUE, type ValuationStore, valuationStore } from "../_shared/homes/valuation-store.ts";

export interface ValuationDeps extends AuthDeps {
  store: ValuationStore;
  /** This worker's name in public.jobs.locked_by. */
  workerId: string;
  /** Jobs claimed per round. */
  batchSize?: number;
  /** Jobs valued at once within a round (each on its own connection). */
  concurrency?: number;
  /** Stop claiming after this long; the next wake-up continues. */
  timeBudgetMs?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Outcome = WorkerResponse["jobs"][number];

async function runJob(deps: ValuationDeps, job: Job): Promise<Outcome> {
  const propertyId = job.payload?.property_id;
  const listingId = typeof job.payload?.listing_id === "string" && UUID.test(job.payload.listing_id) ? job.payload.listing_id : null;
  if (typeof propertyId !== "string" || !UUID.test(propertyId)) {
    const detail = "payload has no property_id";
    await deps.store.completeWithout(job, deps.workerId, { outcome: "skipped", reason: detail });
    return { job_id: job.id, outcome: "skipped", valuation_id: null, detail };
  }
  try {
    const valuation = await deps.store.valueForJob(job, deps.workerId, propertyId, listingId);
    return {
      job_id: job.id,
      outcome: valuation.estimate === null ? "insufficient" : "valued",
      valuation_id: valuation.id,
      detail: valuation.estimate === null ? String(valuation.details.reason ?? "too few comparables") : null,
    };
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message = (error as Error).message ?? String(error);
    try {
      if (code === "DM402") {
        await deps.store.completeWithout(
          job,
          deps.workerId,
          { outcome: "refused", reason: message, property_id: propertyId, listing_id: listingId },
          propertyId,
        );
        return { job_id: job.id, outcome: "refused", valuation_id: null, detail: message };
      }
      if (code === "P0002") {
        await deps.store.completeWithout(job, deps.workerId, { outcome: "skipped", reason: message, property_id: propertyId });
        return { job_id: job.id, outcome: "skipped", valuation_id: null, detail: message };
      }
      await deps.store.fail(job, deps.workerId, message, true);
    } catch (inner) {
      // Lost the lease (55000) or the database went away: the reaper hands the job out again.
      console.error(`valuation: job ${job.id}:`, inner);
    }
    return { job_id: job.id, outcome: "failed", valuation_id: null, detail: message };
  }
}

async function drain(deps: ValuationDeps, maxJobs: number): Promise<WorkerResponse> {
  const deadline = Date.now() + (deps.timeBudgetMs ?? 25_000);
  const batch = deps.batchSize ?? 20;
  const concurrency = Math.max(1, deps.concurrency ?? 4);
  const jobs: Outcome[] = [];
  let claimed = 0;
  while (claimed < maxJobs && Date.now() < deadline) {
    const round = await deps.store.claim(deps.workerId, Math.min(batch, maxJobs - claimed));
    if (round.length === 0) break;
    claimed += round.length;
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(concurrency, round.length) }, async () => {
      while (next < round.length) {
        const job = round[next++];
        jobs.push(await runJob(deps, job));
      }
    }));
  }
  const count = (o: Outcome["outcome"]) => jobs.filter((j) => j.outcome === o).length;
  return {
    queue: QUEUE,
    worker: deps.workerId,
    claimed,
    valued: count("valued"),
    insufficient: count("insufficient"),
    refused: count("refused"),
    skipped: count("skipped"),
    failed: count("failed"),
    jobs: jobs.sort((a, b) => a.job_id - b.job_id),
  };
}

/** The verified claims when the caller presents the service-role key, else null. */
async function serviceRole(req: Request, jwtSecret: string): Promise<Claims | null> {
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

export function createHandler(deps: ValuationDeps) {
  return withErrors(async (req) => {
    if (req.method !== "POST") return errorResponse(405, "method_not_allowed", "method: use POST");

    if (await serviceRole(req, deps.jwtSecret)) {
      const input = await parseBody(req, workerRequest);
      return json(await drain(deps, input.max_jobs ?? 10_000));
    }

    const caller = await requireUser(req, deps);
    const input = await parseBody(req, valuationRequest);
    const owner = await deps.store.ownerOf(input.property_id);
    if (owner !== caller.userId) {
      throw new HttpError(404, "not_found", "property_id: no such property of yours", "property_id");
    }
    const valuation = await pgCall(() => deps.store.valueNow(input.property_id, `request:${crypto.randomUUID()}`, caller.userId));
    const body: ValuationResponse = {
      valuation,
      comparables: await deps.store.comparables(valuation.id),
      billable: await deps.store.isBillable(valuation.usage_event_id),
    };
    return json(body);
  });
}

export function build() {
  const sql = connect(requireEnv("SUPABASE_DB_URL"), 6);
  return createHandler({
    jwtSecret: requireEnv("SUPABASE_JWT_SECRET"),
    revocationReason: (claims) => revocationReason(sql, claims),
    store: valuationStore(sql),
    workerId: `valuation-${crypto.randomUUID().slice(0, 8)}`,
  });
}

if (import.meta.main) Deno.serve(build());
