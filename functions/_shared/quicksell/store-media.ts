// Typed calls to QuickSell's photo and AI SQL (migrations
// 20261202130000-20261202130999). Every write is one security-definer call
// that locks what it changes; the functions only move bytes and pixels.
import type { AiKind } from "@domus/contracts/quicksell-media.ts";
import type { Sql } from "../db.ts";

export const PHOTO_QUEUE = "quicksell.photo";
export const AI_QUEUE = "quicksell.ai";

export interface PhotoRow {
  id: string;
  listing_id: string;
  user_id: string;
  storage_path: string;
  filename: string | null;
}

export interface ProcessedInfo {
  mime_type: string;
  width: number;
  height: number;
  file_size: number;
  thumb_url: string;
  optimized_url: string;
  thumb_path: string;
  optimized_path: string;
}

export interface PhotoAnalysisFields {
  background_type: "plain_white" | "plain_dark" | "plain_color" | "busy";
  quality_score: number;
  object_confidence: number;
  contains_faces: null;
  contains_hands: null;
}

export interface QueueJob {
  id: number;
  payload: Record<string, unknown>;
  attempts: number;
  max_attempts: number;
}

export interface ClaimedAiJob {
  queue_job_id: number;
  request_id: string;
  kind: AiKind;
  listing_id: string;
  user_id: string;
  attempt: number;
}

export interface ListingForAi {
  id: string;
  title: string;
  description: string;
  category: string;
  condition: string;
  brand: string | null;
  model: string | null;
  color: string | null;
  size: string | null;
  weight_kg: number | null;
  dimensions: string | null;
  price: number;
  currency: string;
  local_pickup_available: boolean | null;
  shipping_available: boolean | null;
  photos: Array<{ id: string; background_type: string | null; quality_score: number | null; object_confidence: number | null; is_primary: boolean }>;
}

export interface PhotoForAnalysis {
  id: string;
  storage_path: string;
  optimized_path: string | null;
}

export type AiOutcome = "completed" | "not_enough_data" | "lease_lost";
export type FailOutcome = "retrying" | "failed" | "lease_lost";

export interface MediaStore {
  photo(photoId: string): Promise<PhotoRow | null>;
  savePhoto(photoId: string, info: ProcessedInfo, analysis: PhotoAnalysisFields | null): Promise<boolean>;
  claimPhotoJobs(worker: string, limit: number): Promise<QueueJob[]>;
  completeJob(jobId: number, worker: string, result: Record<string, unknown>): Promise<boolean>;
  failJob(jobId: number, worker: string, error: string, retry: boolean): Promise<FailOutcome>;
  claimAi(worker: string, limit: number): Promise<ClaimedAiJob[]>;
  completeAi(queueJobId: number, worker: string, result: Record<string, unknown>): Promise<AiOutcome>;
  failAi(queueJobId: number, worker: string, error: string, retry: boolean): Promise<FailOutcome>;
  listingForAi(listingId: string): Promise<ListingForAi | null>;
  photosForAnalysis(listingId: string): Promise<PhotoForAnalysis[]>;
  /** Deletes expired photo rows and returns every object name to remove (theirs and orphans). */
  retentionDue(now: Date, limit: number): Promise<{ photos: number; objects: string[] }>;
}

const jsonb = (v: unknown) => JSON.stringify(v ?? {});

export function mediaStore(sql: Sql): MediaStore {
  return {
    async photo(photoId) {
      const [row] = await sql`
        select p.id, p.listing_id, p.user_id, p.storage_path, p.filename from quicksell.photos p where p.id = ${photoId}::uuid`;
      return (row as unknown as PhotoRow) ?? null;
    },
    async savePhoto(photoId, info, analysis) {
      const [row] = await sql`
        select private.quicksell_photo_processed(${photoId}::uuid, ${jsonb(info)}::text::jsonb,
          ${analysis ? jsonb(analysis) : null}::text::jsonb) as saved`;
      return row.saved as boolean;
    },
    async claimPhotoJobs(worker, limit) {
      const rows = await sql`
        select j.id, j.payload, j.attempts, j.max_attempts from private.claim_jobs(${PHOTO_QUEUE}, ${worker}, ${limit}::int) j`;
      return rows.map((r) => ({ id: Number(r.id), payload: r.payload, attempts: r.attempts, max_attempts: r.max_attempts }));
    },
    async completeJob(jobId, worker, result) {
      const rows = await sql`select private.complete_jobs(array[${jobId}::bigint], ${worker}, ${jsonb([result])}::text::jsonb) as id`;
      return rows.length > 0;
    },
    async failJob(jobId, worker, error, retry) {
      try {
        const [row] = await sql`select j.status from private.fail_job(${jobId}::bigint, ${worker}, ${error.slice(0, 2000)}, ${retry}) j`;
        return row.status === "queued" ? "retrying" : "failed";
      } catch (e) {
        if ((e as { code?: string }).code === "PT409") return "lease_lost";
        throw e;
      }
    },
    async claimAi(worker, limit) {
      const rows = await sql`select * from private.quicksell_ai_claim(${worker}, ${limit}::int)`;
      return rows.map((r) => ({ ...r, queue_job_id: Number(r.queue_job_id) })) as unknown as ClaimedAiJob[];
    },
    async completeAi(queueJobId, worker, result) {
      const [row] = await sql`select private.quicksell_ai_complete(${queueJobId}::bigint, ${worker}, ${jsonb(result)}::text::jsonb) as outcome`;
      return row.outcome as AiOutcome;
    },
    async failAi(queueJobId, worker, error, retry) {
      const [row] = await sql`select private.quicksell_ai_fail(${queueJobId}::bigint, ${worker}, ${error.slice(0, 2000)}, ${retry}) as outcome`;
      return row.outcome as FailOutcome;
    },
    async listingForAi(listingId) {
      const [row] = await sql`
        select l.id, l.title, l.description, l.category, l.condition::text as condition, l.brand, l.model, l.color, l.size,
               l.weight_kg::float8 as weight_kg, l.dimensions, l.price::float8 as price, l.currency,
               l.local_pickup_available, l.shipping_available,
               coalesce((select jsonb_agg(jsonb_build_object(
                   'id', p.id, 'background_type', p.background_type, 'quality_score', p.quality_score::float8,
                   'object_confidence', p.object_confidence::float8, 'is_primary', p.is_primary) order by p.display_order)
                 from quicksell.photos p where p.listing_id = l.id), '[]'::jsonb) as photos
        from quicksell.listings l where l.id = ${listingId}::uuid`;
      return (row as unknown as ListingForAi) ?? null;
    },
    async photosForAnalysis(listingId) {
      const rows = await sql`
        select p.id, p.storage_path,
               case when p.optimized_url is not null then p.user_id || '/' || p.listing_id || '/' || p.id || '/optimized.jpg' end as optimized_path
        from quicksell.photos p
        where p.listing_id = ${listingId}::uuid and p.storage_path is not null order by p.display_order`;
      return rows as unknown as PhotoForAnalysis[];
    },
    async retentionDue(now, limit) {
      const [row] = await sql`select private.quicksell_photo_retention(${now.toISOString()}::timestamptz, ${limit}::int) as r`;
      const r = row.r as { photos: number; objects: string[] };
      return { photos: r.photos, objects: r.objects ?? [] };
    },
  };
}
