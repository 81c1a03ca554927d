// QuickSell photos and AI assistance (seed 001), shared by the
// quicksell-photos and quicksell-ai functions and @domus/client: the bodies
// they take and the answers they give.
import { z } from "zod";
import { text } from "./errors.ts";

/** The bucket every QuickSell photo lives in: `<seller id>/<listing id>/<file>`. */
export const QUICKSELL_PHOTOS_BUCKET = "quicksell-photos";

export const aiKind = z.enum(["description", "price_estimate", "photo_analysis"]);
export type AiKind = z.infer<typeof aiKind>;

export const backgroundType = z.enum(["plain_white", "plain_dark", "plain_color", "busy"]);
export type BackgroundType = z.infer<typeof backgroundType>;

const uuid = text().uuid();

/** POST /functions/v1/quicksell-photos as the seller: process (or re-process) one of your photos now. */
// The pixel analysis is not offered here: it is the paid 'photo_analysis' AI request (quicksell.request_ai).
export const processPhotoInput = z.object({
  photoId: uuid,
}).strict();
export type ProcessPhotoRequest = z.input<typeof processPhotoInput>;

export interface ProcessedPhoto {
  photoId: string;
  listingId: string;
  mimeType: "image/jpeg" | "image/png";
  width: number;
  height: number;
  fileSize: number;
  thumbUrl: string;
  optimizedUrl: string;
  thumb: { width: number; height: number; fileSize: number };
  optimized: { width: number; height: number; fileSize: number };
  analysis: null | {
    background_type: BackgroundType;
    quality_score: number;
    object_confidence: number;
    contains_faces: null;
    contains_hands: null;
    provider: "local";
  };
}

/** The service role's calls: drain the photo queue, or sweep photos past retention. */
export const photosWorkerInput = z.union([
  z.object({
    queue: z.literal("quicksell.photo"),
    batchSize: z.number().int().min(1).max(100).optional(),
    maxMs: z.number().int().min(0).max(600_000).optional(),
  }).strict(),
  z.object({
    retention: z.literal(true),
    /** The clock to judge "older than 30 days" by (tests move it); default now. */
    now: text().datetime({ offset: true }).optional(),
    limit: z.number().int().min(1).max(5000).optional(),
  }).strict(),
]);

export const aiWorkerInput = z.object({
  queue: z.literal("quicksell.ai"),
  batchSize: z.number().int().min(1).max(100).optional(),
  maxMs: z.number().int().min(0).max(600_000).optional(),
}).strict();

export const mediaWorkerOutcome = z.enum(["completed", "retrying", "failed", "lease_lost"]);
export type MediaWorkerOutcome = z.infer<typeof mediaWorkerOutcome>;

export interface MediaWorkerResponse {
  worker: string;
  claimed: number;
  outcomes: Record<string, number>;
  jobs: Array<{ queueJobId: number; kind: string; outcome: MediaWorkerOutcome; provider?: string; error?: string }>;
  seconds: number;
}

export interface RetentionResponse {
  /** Photos removed from the table. */
  photos: number;
  /** Storage objects removed (originals and renditions). */
  objects: number;
  cutoff: string;
}

/** What quicksell.request_ai returns (the RPC; a repeat while one is open returns the open one). */
export interface AiRequestResult {
  request_id: string;
  listing_id: string;
  kind: AiKind;
  status: "queued" | "running" | "completed" | "failed" | "not_enough_data";
  paid_by: "allowance" | "credits";
  credits: number;
  replayed: boolean;
}
