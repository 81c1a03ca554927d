// Runs one claimed AI job: its provider with a timeout, the file into
// Storage (bucket studio-media), and the outcome in one database call.
// Success captures the credits and writes the media item; a transient
// failure (timeout, rate limit, 5xx) requeues the job with its credits still
// held; a permanent one, or the last attempt, releases them.
import type { ImageRef, WorkerResponse } from "@domus/contracts/studio.ts";
import { type JobSpec, type LoadedImage, type ProviderContext, ProviderError, type ProviderResult } from "../_shared/ai-providers/types.ts";
import { StorageError } from "../_shared/storage.ts";
import { withTimeout } from "../_shared/timeout.ts";
import type { ClaimedJob } from "../_shared/studio/store.ts";
import { type AiJobsDeps, BUCKET } from "./deps.ts";

const MAX_INPUT_BYTES = 20 * 1024 * 1024;

/** Where a worker invocation's time went (summed over its jobs, which overlap within a batch). */
export type Phases = { claim_ms: number; provider_ms: number; storage_ms: number; settle_ms: number };

export type JobReport = WorkerResponse["jobs"][number];

class TimeoutError extends Error {}


async function loadImage(deps: AiJobsDeps, ref: ImageRef, signal: AbortSignal): Promise<LoadedImage> {
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

export async function runJob(deps: AiJobsDeps, job: ClaimedJob, worker: string, phases: Phases): Promise<JobReport> {
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
        loadImage: (ref) => loadImage(deps, ref, signal),
        imageUrl: (ref) => ("path" in ref ? deps.storage.publicUrl(BUCKET, ref.path) : ref.url),
      };
      return provider.run(spec, ctx);
    }, (ms) => new TimeoutError(`timed out after ${ms} ms`));
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
    const message = error instanceof TimeoutError ? `${job.service}: ${error.message}` : (error as Error).message ?? String(error);
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
