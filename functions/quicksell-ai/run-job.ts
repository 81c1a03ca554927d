// One claimed AI request, by kind:
//   * description: the provider writes it from the listing's fields and its
//     photos' analysis; the database stores it and sets ai_description_generated;
//   * price_estimate: nothing to compute here; the database estimates from
//     comparable sold listings (private.quicksell_price_estimate) when it
//     settles the request, and answers not_enough_data below the threshold;
//   * photo_analysis: each processed photo's pixels through the local analysis.
// Settling is one database call per outcome: success pays (allowance use
// recorded or credit hold captured, each keyed by the request, so a retried
// job never pays twice); a transient failure requeues keeping the hold; a
// permanent one, or the last attempt, releases it.
import type { MediaWorkerResponse } from "@domus/contracts/quicksell-media.ts";
import { TransientAiError } from "../_shared/quicksell/describe.ts";
import { decodePhoto, ImageError } from "../_shared/quicksell/images.ts";
import { BUCKET } from "../_shared/quicksell/photo-process.ts";
import { analyzePhoto } from "../_shared/quicksell/photo-analysis.ts";
import type { ClaimedAiJob } from "../_shared/quicksell/store-media.ts";
import { StorageError } from "../_shared/storage.ts";
import { withTimeout } from "../_shared/timeout.ts";
import type { AiDeps } from "./deps.ts";

export type JobReport = MediaWorkerResponse["jobs"][number];

/** Not worth another attempt. */
class Permanent extends Error {}


async function resultFor(deps: AiDeps, job: ClaimedAiJob, signal: AbortSignal): Promise<Record<string, unknown>> {
  if (job.kind === "price_estimate") return { provider: "local:comparables" };
  const listing = await deps.store.listingForAi(job.listing_id);
  if (!listing) throw new Permanent("listing_id: the listing is gone");
  if (job.kind === "description") {
    const d = await deps.describer.describe(listing, signal);
    return { description: d.text, provider: d.provider, mode: d.mode };
  }
  const photos = await deps.store.photosForAnalysis(job.listing_id);
  if (!photos.length) throw new Permanent("photos: the listing has no photos to analyse");
  const analysed = [];
  for (const p of photos) {
    // The optimized rendition when there is one (smaller to fetch; same scene), else the original.
    const found = (p.optimized_path ? await deps.storage.download(BUCKET, p.optimized_path) : null) ??
      await deps.storage.download(BUCKET, p.storage_path);
    if (!found) {
      analysed.push({ id: p.id, skipped: "no file in storage" });
      continue;
    }
    try {
      const a = analyzePhoto(decodePhoto(found.bytes).raster);
      analysed.push({
        id: p.id, background_type: a.background_type, quality_score: a.quality_score, object_confidence: a.object_confidence,
        contains_faces: null, contains_hands: null, metrics: a.metrics,
      });
    } catch (error) {
      if (!(error instanceof ImageError)) throw error;
      analysed.push({ id: p.id, skipped: error.message });
    }
  }
  if (!analysed.some((a) => !("skipped" in a))) throw new Permanent("photos: none of the listing's photos could be read");
  return { photos: analysed, provider: "local:pixels", mode: "local" };
}

export async function runJob(deps: AiDeps, job: ClaimedAiJob, worker: string): Promise<JobReport> {
  try {
    const result = await withTimeout(deps.timeoutMs, (signal) => resultFor(deps, job, signal), (ms) => new TransientAiError(`timed out after ${ms} ms`));
    const outcome = await deps.store.completeAi(job.queue_job_id, worker, result);
    return {
      queueJobId: job.queue_job_id,
      kind: job.kind,
      outcome: outcome === "lease_lost" ? "lease_lost" : "completed",
      provider: String(result.provider),
      ...(outcome === "not_enough_data" ? { error: "not enough data" } : {}),
    };
  } catch (error) {
    const retry = error instanceof Permanent
      ? false
      : error instanceof StorageError
      ? error.status >= 500 || error.status === 429
      : error instanceof TransientAiError || !(error instanceof Error && /HTTP 4\d\d/.test(error.message));
    const message = (error as Error).message ?? String(error);
    if (!(error instanceof Permanent) && !(error instanceof TransientAiError)) console.error(`quicksell-ai: job ${job.queue_job_id}:`, error);
    const outcome = await deps.store.failAi(job.queue_job_id, worker, message, retry);
    return { queueJobId: job.queue_job_id, kind: job.kind, outcome, error: message };
  }
}
