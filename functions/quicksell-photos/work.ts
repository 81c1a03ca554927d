// The service role's side of quicksell-photos:
//   * {"queue": "quicksell.photo"}: drains the photo queue. A 'photo_process'
//     job (enqueued by the photos insert trigger) makes the renditions and
//     records what the file is; a 'retention' job (pg_cron, daily) sweeps.
//   * {"retention": true, "now"?: iso}: the sweep now, judged by `now`
//     (tests move the clock this way).
// A file that can never be processed (not an image, too big, missing) fails
// the job at once; storage and network trouble retry with backoff.
import { photosWorkerInput, type MediaWorkerResponse, type RetentionResponse } from "@domus/contracts/quicksell-media.ts";
import { json, parseBody } from "../_shared/http.ts";
import { BUCKET, PhotoRefused, processPhoto } from "../_shared/quicksell/photo-process.ts";
import { StorageError } from "../_shared/storage.ts";
import { countOutcomes, drain, workerName } from "../_shared/worker.ts";
import type { PhotosDeps } from "./deps.ts";

type JobReport = MediaWorkerResponse["jobs"][number];

export async function sweep(deps: PhotosDeps, now: Date, limit = 1000): Promise<RetentionResponse> {
  const due = await deps.store.retentionDue(now, limit);
  // Rows are gone first; an object whose removal fails here is an orphan
  // older than the cutoff, so the next sweep finds it again.
  const removed = due.objects.length ? await deps.storage.remove(BUCKET, due.objects) : [];
  return { photos: due.photos, objects: removed.length, cutoff: new Date(now.getTime() - deps.retentionDays * 86_400_000).toISOString() };
}

export async function work(deps: PhotosDeps, req: Request): Promise<Response> {
  const body = await parseBody(req, photosWorkerInput);
  if ("retention" in body) {
    return json(await sweep(deps, body.now ? new Date(body.now) : new Date(), body.limit));
  }
  const started = performance.now();
  const report = await drain<Awaited<ReturnType<PhotosDeps["store"]["claimPhotoJobs"]>>[number], JobReport>({
    worker: workerName("quicksell-photos"),
    claim: (worker, limit) => deps.store.claimPhotoJobs(worker, limit),
    run: async (job, worker) => {
      const kind = String(job.payload.kind ?? "");
      try {
        let result: Record<string, unknown>;
        if (kind === "photo_process") {
          const photoId = String(job.payload.photo_id ?? "");
          const done = await processPhoto(deps, photoId, { analyze: job.payload.analyze === true });
          result = done ? { photo_id: done.photoId, width: done.width, height: done.height, mime_type: done.mimeType } : { photo_id: photoId, skipped: "photo deleted" };
        } else if (kind === "retention") {
          result = { ...(await sweep(deps, new Date())) };
        } else {
          throw new PhotoRefused(`kind: unknown job kind "${kind}"`);
        }
        const ok = await deps.store.completeJob(job.id, worker, result);
        return { outcome: { queueJobId: job.id, kind, outcome: ok ? "completed" : "lease_lost" } };
      } catch (error) {
        const retry = error instanceof PhotoRefused
          ? false
          : error instanceof StorageError
          ? error.status >= 500 || error.status === 429
          : true;
        const message = (error as Error).message ?? String(error);
        if (!(error instanceof PhotoRefused)) console.error(`quicksell-photos: job ${job.id}:`, error);
        const outcome = await deps.store.failJob(job.id, worker, message, retry);
        return { outcome: { queueJobId: job.id, kind, outcome: outcome, error: message } };
      }
    },
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
