// Homes contracts shared by the `valuation` function and @domus/client:
// input of the client's writes and searches, and the function's answers.
import { z } from "zod";
import { text } from "./errors.ts";

const uuid = text().uuid();
const money = z.number().positive().max(999_999_999_999.99).multipleOf(0.01, "at most two decimals");
const currency = text().regex(/^[A-Z]{3}$/, "a three-letter currency code");

export const propertyInput = z.object({
  address: text().trim().min(1).max(300),
  city: text().trim().min(1).max(100),
  state: text().trim().min(1).max(100),
  postal_code: text().trim().regex(/^[A-Za-z0-9][A-Za-z0-9 -]{1,11}$/, "not a postal code"),
  bedrooms: z.number().int().min(0).max(50),
  bathrooms: z.number().min(0).max(50).multipleOf(0.5, "whole or half bathrooms"),
  living_area_sqft: z.number().int().min(100).max(100_000),
  lot_size_sqft: z.number().int().min(0).max(100_000_000).nullish(),
  year_built: z.number().int().min(1600).max(2100).nullish(),
  description: text().max(10_000).nullish(),
  currency: currency.optional(),
});
export type PropertyInput = z.input<typeof propertyInput>;

/** An owner-supplied valuation snapshot (an appraisal, a broker's opinion...). */
export const valuationSnapshot = z.object({
  estimate: money,
  confidence: z.number().min(0).max(1).optional(),
  valuation_method: z.enum(["owner_estimate", "appraisal", "broker_opinion"]).default("owner_estimate"),
});
export type ValuationSnapshot = z.input<typeof valuationSnapshot>;

export const listingInput = z.object({
  property_id: uuid,
  asking_price: money,
});
export type ListingInput = z.input<typeof listingInput>;

export const searchSort = z.enum(["newest", "price_asc", "price_desc"]);

export const searchFilters = z.object({
  city: text().min(1).max(100).optional(),
  state: text().min(1).max(100).optional(),
  postal_code: text().min(1).max(12).optional(),
  min_price: z.number().nonnegative().optional(),
  max_price: z.number().positive().optional(),
  min_bedrooms: z.number().int().min(0).optional(),
  max_bedrooms: z.number().int().min(0).optional(),
  min_bathrooms: z.number().min(0).optional(),
  min_living_area: z.number().int().min(0).optional(),
  max_living_area: z.number().int().positive().optional(),
  sort: searchSort.default("newest"),
  after: text().min(1).max(200).optional(),
  page_size: z.number().int().min(1).max(100).default(20),
}).refine((f) => f.min_price === undefined || f.max_price === undefined || f.min_price <= f.max_price, {
  message: "must not exceed max_price",
  path: ["min_price"],
});
export type SearchFilters = z.input<typeof searchFilters>;

export const offerInput = z.object({
  listing_id: uuid,
  amount: money,
  message: text().max(2000).optional(),
});
export type OfferInput = z.input<typeof offerInput>;

// ------------------------------------------------------------ valuation function

/** POST /functions/v1/valuation as a user: value one of your properties now. */
export const valuationRequest = z.object({ property_id: uuid });
export type ValuationRequest = z.infer<typeof valuationRequest>;

/** POST /functions/v1/valuation with the service-role key: drain the queue. */
export const workerRequest = z.object({
  queue: z.literal("homes.valuation").default("homes.valuation"),
  max_jobs: z.number().int().min(1).max(10_000).optional(),
});

export const comparable = z.object({
  rank: z.number().int(),
  property_id: uuid.nullable(),
  city: text(),
  postal_code: text(),
  bedrooms: z.number(),
  bathrooms: z.number(),
  living_area_sqft: z.number(),
  lot_size_sqft: z.number().nullable(),
  year_built: z.number().nullable(),
  price: z.number(),
  price_kind: z.enum(["sold", "asking"]),
  price_date: text(),
  price_per_sqft: z.number(),
  similarity: z.number(),
  weight: z.number(),
  adjusted_price: z.number(),
});
export type Comparable = z.infer<typeof comparable>;

export const valuation = z.object({
  id: uuid,
  property_id: uuid,
  estimate: z.number().nullable(),
  estimate_low: z.number().nullable(),
  estimate_high: z.number().nullable(),
  currency: text(),
  confidence: z.number(),
  valuation_method: text(),
  source: z.enum(["owner", "engine"]),
  comparables_count: z.number().int(),
  details: z.record(text(), z.unknown()),
  listing_id: uuid.nullable(),
  usage_event_id: z.number().int().nullable(),
  created_at: text(),
});

export const valuationResponse = z.object({
  valuation,
  comparables: z.array(comparable),
  /** Whether the valuation counted as billable overage (false when included or not charged). */
  billable: z.boolean(),
});
export type ValuationResponse = z.infer<typeof valuationResponse>;

export const jobOutcome = z.enum(["valued", "insufficient", "refused", "skipped", "failed"]);

export const workerResponse = z.object({
  queue: z.literal("homes.valuation"),
  worker: text(),
  claimed: z.number().int(),
  valued: z.number().int(),
  insufficient: z.number().int(),
  refused: z.number().int(),
  skipped: z.number().int(),
  failed: z.number().int(),
  jobs: z.array(z.object({ job_id: z.number().int(), outcome: jobOutcome, valuation_id: uuid.nullable(), detail: text().nullable() })),
});
export type WorkerResponse = z.infer<typeof workerResponse>;
