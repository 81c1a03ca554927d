// POST /functions/v1/ai-jobs — Studio's AI job pipeline (seed 002), two callers:
//
//   * a signed-in user (their access token) starts a project:
//       {type: "photo_edit" | "video" | "template", name, input, service?, model?,
//        accountId?, idempotencyKey?, templateId?, listingId?, contactId?}
//     The input is checked field by field (400 naming the field); the
//     database prices it from studio.job_prices, reserves the credits and
//     creates the project, its AI jobs and their queue entries in one
//     transaction. Too few credits: 402 and nothing is created. The same
//     idempotencyKey returns the first project (200) and charges nothing more.
//
//   * the job worker (the service-role key, body {"queue": "studio.ai_job"}),
//     woken by pg_cron (hosted), by the local gateway on every enqueue and
//     tick, or by tests and the benchmark: claims due jobs (SKIP LOCKED,
//     under a lease), runs each on its provider with a timeout, stores the
//     file in Storage (bucket studio-media), and records the outcome in one
//     database call: success captures the credits and writes the media item;
//     a transient failure (timeout, rate limit, 5xx) requeues the job with its
//     credits still held; a permanent one, or the last attempt, releases them.
//     It keeps claiming until the queue is empty or maxMs has passed.
//
// Providers: replicate, qwen and nano_banana behind one interface; without a
// provider's key the local provider does the work offline and says so.
import {
  type ImageRef,
  startProjectInput,
  type StartProjectRequest,
  type StartProjectResponse,
  workerInput,
  type WorkerResponse,
} from "@domus/contracts/studio.ts";
import { type ProviderRegistry, providersFromEnv } from "../_shared/ai-providers/index.ts";
import { type JobSpec, type LoadedImage, type ProviderContext, ProviderError, type ProviderResult } from "../_shared/ai-providers/types.ts";
import { type AuthDeps, requireUser } from "../_shared/auth.ts";
import { connect, revocationReason, type Sql } from "../_shared/db.ts";
import { requireEnv } from "../_shared/env.ts";
import { errorResponse, HttpError, json, parseBody, withErrors } from "../_shared/http.ts";
import { bearerToken, verifyJwt } from "../_shared/jwt.ts";
import { pgCall } from "../_shared/pg-errors.ts";
import { type Storage, StorageError, supabaseStorage } from "../_shared/storage.ts";
import { type ClaimedJob, type StartResult, type StudioStore, studioStore } from "../_shared/studio/store.ts";

export const BUCKET = "studio-media";
const MAX_INPUT_BYTES = 20 * 1024 * 1024;

export interface AiJobsDeps extends AuthDeps {
  store: StudioStore;
  storage: Storage;
  providers: ProviderRegistry;
  /** Does this studio-media object exist? (input photos are checked before anything is charged) */
  objectExists: (bucket: string, path: string) => Promise<boolean>;
  fetch: typeof fetch;
  /** Per provider call. */
  timeoutMs: number;
  /** How long one worker invocation keeps claiming. */
  maxMs: number;
  batchSize: number;
}

class TimeoutError extends Error {}

/** Where a worker invocation's time went (summed over its jobs, which overlap within a batch). */
type Phases = { claim_ms: number; provider_ms: number; storage_ms: number; settle_ms: number };

async function withTimeout<T>(ms: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new TimeoutError(`timed out after ${ms} ms`);
      controller.abort(error);
      reject(error);
    }, ms);
  });
  try {
    return await Promise.race([run(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function imageRefs(body: StartProjectRequest): Array<{ ref: ImageRef; field: string }> {
  const input = body.input as { images?: ImageRef[]; image?: ImageRef };
  const refs = (input.images ?? []).map((ref, i) => ({ ref, field: `input.images.${i}` }));
  if (input.image) refs.push({ ref: input.image, field: "input.image" });
  return refs;
}

function summary(result: StartResult): StartProjectResponse {
  const p = result.project;
  return {
    project: {
      id: p.id,
      name: p.name,
      type: p.type,
      status: p.status,
      accountId: p.account_id,
      creditCost: p.credit_cost,
      createdAt: new Date(p.created_at).toISOString(),
    },
    jobs: result.jobs.map((j) => ({ id: j.id, service: j.service, model: j.model, status: j.status, creditCost: j.credit_cost })),
    replayed: result.replayed,
  };
}

export function createHandler(deps: AiJobsDeps) {
  // ------------------------------------------------------------ start a project
  async function start(req: Request): Promise<Response> {
    const caller = await requireUser(req, deps);
    // parseBody returns the parsed (defaults applied) value; its type parameter follows the input side.
    const body = (await parseBody(req, startProjectInput)) as unknown as StartProjectRequest;
    for (const { ref, field } of imageRefs(body)) {
      if ("path" in ref) {
        if (!ref.path.startsWith(`${caller.userId}/`)) {
          throw new HttpError(400, "invalid_request", `${field}.path: must be in your own folder (${caller.userId}/...)`, `${field}.path`);
        }
        if (!(await deps.objectExists(BUCKET, ref.path))) {
          throw new HttpError(400, "invalid_request", `${field}.path: no such object in ${BUCKET}`, `${field}.path`);
        }
      }
    }
    const result = await pgCall(() =>
      deps.store.startProject({
        userId: caller.userId,
        accountId: body.accountId,
        type: body.type,
        name: body.name,
        service: body.service,
        model: body.model,
        input: body.input as Record<string, unknown>,
        idempotencyKey: body.idempotencyKey,
        templateId: body.templateId,
        listingId: body.listingId,
        contactId: body.contactId,
      })
    );
    return json(summary(result), result.replayed ? 200 : 201);
  }

  // ------------------------------------------------------------ the worker
  async function loadImage(ref: ImageRef, signal: AbortSignal): Promise<LoadedImage> {
    if ("path" in ref) {
      const found = await deps.storage.download(BUCKET, ref.path);
      if (!found) throw new ProviderError(`input image ${ref.path}: not found in ${BUCKET}`, false);
      return found;
    }
    let res: Response;
    try {
      res = await deps.fetch(ref.url, { signal, redirect: "follow" });
    } catch (error) {
      if (signal.aborted) throw error;
      throw new ProviderError(`input image ${ref.url}: ${(error as Error).message}`, true);
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new ProviderError(`input image ${ref.url}: HTTP ${res.status}`, res.status >= 500 || res.status === 429);
    }
    const length = Number(res.headers.get("content-length") ?? "0");
    if (length > MAX_INPUT_BYTES) {
      await res.body?.cancel();
      throw new ProviderError(`input image ${ref.url}: larger than 20 MB`, false);
    }
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.byteLength > MAX_INPUT_BYTES) throw new ProviderError(`input image ${ref.url}: larger than 20 MB`, false);
    return { bytes, contentType: res.headers.get("content-type") ?? "application/octet-stream" };
  }

  async function runOne(job: ClaimedJob, worker: string, phases: Phases): Promise<WorkerResponse["jobs"][number]> {
    const provider = deps.providers(job.service);
    const spec: JobSpec = {
      aiJobId: job.ai_job_id,
      projectId: job.project_id,
      userId: job.user_id,
      type: job.project_type,
      service: job.service,
      model: job.model,
      input: job.input,
      attempt: job.attempt,
      apiCostEstimate: job.api_cost_estimate,
    };
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    let result: ProviderResult;
    try {
      result = await withTimeout(deps.timeoutMs, (signal) => {
        const ctx: ProviderContext = {
          signal,
          fetch: deps.fetch,
          loadImage: (ref) => loadImage(ref, signal),
          imageUrl: (ref) => ("path" in ref ? deps.storage.publicUrl(BUCKET, ref.path) : ref.url),
        };
        return provider.run(spec, ctx);
      });
      const latencyMs = elapsed();
      phases.provider_ms += latencyMs;
      const path = `${job.user_id}/${job.project_id}/${job.ai_job_id}.${result.extension}`;
      // Deterministic name, upsert: a rerun after a lost lease overwrites, never duplicates.
      let mark = performance.now();
      const stored = await deps.storage.upload(BUCKET, path, result.bytes, result.contentType, { upsert: true });
      phases.storage_ms += performance.now() - mark;
      mark = performance.now();
      const outcome = await deps.store.complete({
        queueJobId: job.queue_job_id,
        worker,
        outputUrl: stored.publicUrl,
        output: {
          mode: result.mode,
          provider: result.provider,
          mime_type: result.contentType,
          file_size: result.bytes.byteLength,
          width: result.width ?? null,
          height: result.height ?? null,
          storage_path: path,
          attempt: job.attempt,
          ...(result.details ?? {}),
        },
        latencyMs,
        apiCost: result.apiCost,
        media: { storage_path: path, mime_type: result.contentType, file_size: result.bytes.byteLength },
      });
      phases.settle_ms += performance.now() - mark;
      return { aiJobId: job.ai_job_id, queueJobId: job.queue_job_id, outcome, mode: result.mode, latencyMs };
    } catch (error) {
      const latencyMs = elapsed();
      const retry = error instanceof ProviderError
        ? error.retryable
        : error instanceof StorageError
        ? error.status >= 500 || error.status === 429
        : true; // timeouts, network and unexpected errors: worth another attempt
      const message = error instanceof TimeoutError
        ? `${job.service}: ${error.message}`
        : (error as Error).message ?? String(error);
      if (!(error instanceof ProviderError) && !(error instanceof TimeoutError)) console.error(`ai-jobs: job ${job.ai_job_id}:`, error);
      try {
        const outcome = await deps.store.fail(job.queue_job_id, worker, message, retry, latencyMs);
        return { aiJobId: job.ai_job_id, queueJobId: job.queue_job_id, outcome, mode: provider.mode, latencyMs, error: message };
      } catch (failError) {
        // The lease reaper will hand the job out again; its hold stays until then.
        console.error(`ai-jobs: cannot record the failure of job ${job.ai_job_id}:`, failError);
        return { aiJobId: job.ai_job_id, queueJobId: job.queue_job_id, outcome: "lease_lost", mode: provider.mode, latencyMs, error: message };
      }
    }
  }

  async function work(req: Request): Promise<Response> {
    const body = await parseBody(req, workerInput);
    const worker = `ai-jobs:${crypto.randomUUID().slice(0, 8)}`;
    const batch = body.batchSize ?? deps.batchSize;
    const started = performance.now();
    const deadline = Date.now() + (body.maxMs ?? deps.maxMs);
    const jobs: WorkerResponse["jobs"] = [];
    const phases: Phases = { claim_ms: 0, provider_ms: 0, storage_ms: 0, settle_ms: 0 };
    let claimed = 0;
    for (;;) {
      const mark = performance.now();
      const batchJobs = await deps.store.claim(worker, batch);
      phases.claim_ms += performance.now() - mark;
      if (!batchJobs.length) break;
      claimed += batchJobs.length;
      jobs.push(...(await Promise.all(batchJobs.map((j) => runOne(j, worker, phases)))));
      if (Date.now() >= deadline) break;
    }
    for (const k of Object.keys(phases) as Array<keyof Phases>) phases[k] = Math.round(phases[k]);
    const outcomes: Record<string, number> = {};
    for (const j of jobs) outcomes[j.outcome] = (outcomes[j.outcome] ?? 0) + 1;
    const response: WorkerResponse = { worker, claimed, outcomes, jobs, phases, seconds: Math.round(performance.now() - started) / 1000 };
    return json(response);
  }

  return withErrors(async (req) => {
    if (req.method !== "POST") return errorResponse(405, "method_not_allowed", "method: use POST");
    const token = bearerToken(req);
    if (token) {
      const claims = await verifyJwt(token, deps.jwtSecret).catch(() => null);
      if (claims?.role === "service_role") return await work(req);
    }
    return await start(req);
  });
}

export function objectExistsIn(sql: Sql) {
  return async (bucket: string, path: string) => {
    const [row] = await sql`select exists (select 1 from storage.objects o where o.bucket_id = ${bucket} and o.name = ${path}) as found`;
    return row.found as boolean;
  };
}

export function build() {
  const sql = connect(requireEnv("SUPABASE_DB_URL"), 10);
  return createHandler({
    jwtSecret: requireEnv("SUPABASE_JWT_SECRET"),
    revocationReason: (claims) => revocationReason(sql, claims),
    store: studioStore(sql),
    storage: supabaseStorage({ url: requireEnv("SUPABASE_URL"), serviceRoleKey: requireEnv("SUPABASE_SERVICE_ROLE_KEY") }),
    providers: providersFromEnv(),
    objectExists: objectExistsIn(sql),
    fetch,
    timeoutMs: Number(Deno.env.get("STUDIO_JOB_TIMEOUT_MS") ?? "90000"),
    maxMs: Number(Deno.env.get("STUDIO_WORKER_MAX_MS") ?? "45000"),
    batchSize: Number(Deno.env.get("STUDIO_WORKER_BATCH") ?? "4"),
  });
}

if (import.meta.main) Deno.serve(build());
