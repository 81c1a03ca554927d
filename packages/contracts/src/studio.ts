// Studio (seed 002) contracts shared by the ai-jobs function and
// @domus/client: starting an AI project, the worker's answer, and the CRM,
// media and template inputs the client validates before writing.
import { z } from "zod";
import { text } from "./errors.ts";

export const projectType = z.enum(["photo_edit", "video", "template"]);
export type ProjectType = z.infer<typeof projectType>;
export const aiService = z.enum(["replicate", "qwen", "nano_banana"]);
export type AiService = z.infer<typeof aiService>;
export const jobStatus = z.enum(["pending", "processing", "completed", "failed"]);
export type JobStatus = z.infer<typeof jobStatus>;
export const contactType = z.enum(["buyer", "seller", "investor", "other"]);
export const contactStatus = z.enum(["lead", "active", "closed"]);
export const listingStatus = z.enum(["active", "pending", "sold", "off_market"]);
export const mediaType = z.enum(["image", "video", "template"]);
export const templateType = z.enum(["listing_promo", "instagram_reel", "open_house", "custom"]);

/** What a photo edit does to the picture. */
export const photoStyle = z.enum(["enhance", "virtual_staging", "twilight", "declutter", "sky_replacement"]);
export type PhotoStyle = z.infer<typeof photoStyle>;

/** A source image: an object in the studio-media bucket under your own folder, or an http(s) URL. */
export const imageRef = z.union([
  z.object({
    path: text().min(3).max(500)
      .regex(/^[0-9a-f-]{36}\/[A-Za-z0-9._\/-]+$/, "not a studio-media path (<your user id>/...)")
      .refine((p) => !p.split("/").includes(".."), "must not contain '..'"),
  }).strict(),
  z.object({ url: text().url().max(2000).regex(/^https?:\/\//, "must be an http(s) URL") }).strict(),
]);
export type ImageRef = z.infer<typeof imageRef>;

const prompt = text().trim().min(1).max(2000);
const dimension = z.number().int().min(16).max(2048);

export const photoEditInput = z.object({
  images: z.array(imageRef).min(1).max(10).optional(),
  style: photoStyle.default("enhance"),
  prompt: prompt.optional(),
  width: dimension.optional(),
  height: dimension.optional(),
}).strict();

export const videoInput = z.object({
  image: imageRef.optional(),
  prompt: prompt.optional(),
  durationSeconds: z.number().int().min(1).max(10).default(3),
  width: dimension.optional(),
  height: dimension.optional(),
}).strict();

export const templateInput = z.object({
  prompt: prompt.optional(),
  image: imageRef.optional(),
  fields: z.record(text().regex(/^[a-z][a-z0-9_]{0,39}$/, "field names are lower_snake_case"), text().max(300))
    .refine((f) => Object.keys(f).length <= 20, "at most 20 fields")
    .default({}),
  width: dimension.optional(),
  height: dimension.optional(),
}).strict();

const common = {
  name: text().trim().min(1).max(200),
  service: aiService.optional(),
  model: text().regex(/^[A-Za-z0-9._\/:-]{1,120}$/, "not a model identifier").optional(),
  /** Whose credits pay: your personal account (default) or a team you belong to. */
  accountId: text().uuid().optional(),
  /** The same key from the same user returns the first project and charges once. */
  idempotencyKey: text().regex(/^[A-Za-z0-9._:-]{8,200}$/, "8 to 200 letters, digits or ._:-").optional(),
  templateId: text().uuid().optional(),
  listingId: text().uuid().optional(),
  contactId: text().uuid().optional(),
};

export const startProjectInput = z.discriminatedUnion("type", [
  z.object({ type: z.literal("photo_edit"), input: photoEditInput.default({}), ...common }).strict(),
  z.object({ type: z.literal("video"), input: videoInput.default({}), ...common }).strict(),
  z.object({ type: z.literal("template"), input: templateInput.default({}), ...common }).strict(),
]);
export type StartProjectInput = z.input<typeof startProjectInput>;
export type StartProjectRequest = z.infer<typeof startProjectInput>;

export const projectSummary = z.object({
  id: text().uuid(),
  name: text(),
  type: projectType,
  status: jobStatus,
  accountId: text().uuid(),
  creditCost: z.number().int(),
  createdAt: text(),
});

export const jobSummary = z.object({
  id: text().uuid(),
  service: aiService,
  model: text(),
  status: jobStatus,
  creditCost: z.number().int(),
});

export const startProjectResponse = z.object({
  project: projectSummary,
  jobs: z.array(jobSummary),
  /** True when this key was seen before: the first project, nothing charged again. */
  replayed: z.boolean(),
});
export type StartProjectResponse = z.infer<typeof startProjectResponse>;

export const workerInput = z.object({
  queue: z.literal("studio.ai_job"),
  batchSize: z.number().int().min(1).max(100).optional(),
  /** Stop claiming after this long (the jobs claimed still finish). */
  maxMs: z.number().int().min(0).max(600_000).optional(),
}).strict();

export const workerOutcome = z.enum(["completed", "retrying", "failed", "lease_lost", "hold_expired"]);
export const workerResponse = z.object({
  worker: text(),
  claimed: z.number().int(),
  outcomes: z.record(text(), z.number().int()),
  jobs: z.array(z.object({
    aiJobId: text().uuid(),
    queueJobId: z.number().int(),
    outcome: workerOutcome,
    mode: z.enum(["live", "local"]).optional(),
    latencyMs: z.number().int(),
    error: text().optional(),
  })),
  /** Time spent per phase, summed over the jobs (they overlap within a batch). */
  phases: z.object({ claim_ms: z.number(), provider_ms: z.number(), storage_ms: z.number(), settle_ms: z.number() }).optional(),
  seconds: z.number(),
});
export type WorkerResponse = z.infer<typeof workerResponse>;

// ------------------------------------------------------------------ CRM, media, templates

const tags = z.array(text().trim().min(1).max(50)).max(50);
const nullableText = (max: number) => text().max(max).nullable();

export const contactInput = z.object({
  name: text().trim().min(1).max(200),
  email: text().email().max(320).nullable(),
  phone: nullableText(40),
  type: contactType,
  status: contactStatus,
  notes: nullableText(10_000),
  tags,
  last_contacted_at: text().datetime({ offset: true }).nullable(),
}).partial().required({ name: true }).strict();
export type ContactInput = z.infer<typeof contactInput>;
export const contactPatch = contactInput.partial().strict();
export type ContactPatch = z.infer<typeof contactPatch>;

export const listingInput = z.object({
  address: text().trim().min(1).max(500),
  contact_id: text().uuid().nullable(),
  city: nullableText(200),
  state: nullableText(200),
  zip_code: nullableText(20),
  price: z.number().nonnegative().max(9_999_999_999.99).nullable(),
  bedrooms: z.number().int().min(0).max(1000).nullable(),
  bathrooms: z.number().min(0).max(99.5).multipleOf(0.5).nullable(),
  sqft: z.number().int().positive().nullable(),
  status: listingStatus,
  notes: nullableText(10_000),
}).partial().required({ address: true }).strict();
export type ListingInput = z.infer<typeof listingInput>;
export const listingPatch = listingInput.partial().strict();
export type ListingPatch = z.infer<typeof listingPatch>;

export const templateRecordInput = z.object({
  name: text().trim().min(1).max(200),
  type: templateType,
  description: nullableText(2000),
  thumbnail_url: text().url().max(2000).nullable(),
  output_url: text().url().max(2000).nullable(),
  prompt_template: nullableText(4000),
  settings: z.record(text(), z.unknown()),
  is_public: z.boolean(),
}).partial().required({ name: true, type: true }).strict();
export type TemplateRecordInput = z.infer<typeof templateRecordInput>;
export const templatePatch = templateRecordInput.partial().strict();
export type TemplatePatch = z.infer<typeof templatePatch>;

export const mediaPatch = z.object({
  title: nullableText(300),
  description: nullableText(5000),
  tags,
  is_favorite: z.boolean(),
  listing_id: text().uuid().nullable(),
  contact_id: text().uuid().nullable(),
}).partial().strict();
export type MediaPatch = z.infer<typeof mediaPatch>;
