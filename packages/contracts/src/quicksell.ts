// QuickSell (seed 001) contracts for @domus/client: listings, feed and
// paging, photos, sales, ratings and leaderboards. The enums and limits
// repeat the database's (schema quicksell) so a bad value is refused before
// any request, naming the field; the database stays the judge of every rule
// (status machine, rights, prices, points). Function bodies reuse the
// contracts of their functions: quicksell-sync.ts (marketplace-sync) and
// quicksell-media.ts (quicksell-photos, quicksell-ai).
import { z } from "zod";
import { text } from "./errors.ts";
import { aiKind } from "./quicksell-media.ts";
import { marketplaceName } from "./quicksell-sync.ts";

export { aiKind, type AiKind, QUICKSELL_PHOTOS_BUCKET } from "./quicksell-media.ts";
export { connectInput, marketplaceName, type MarketplaceName, type SyncStatus } from "./quicksell-sync.ts";

const uuid = text().uuid();

export const listingCondition = z.enum(["new", "like_new", "good", "fair", "poor"]);
export type ListingCondition = z.infer<typeof listingCondition>;
export const listingStatus = z.enum(["draft", "published", "sold", "delisted", "archived"]);
export type ListingStatus = z.infer<typeof listingStatus>;
export const saleStatus = z.enum(["pending", "completed", "cancelled", "refunded"]);
export type SaleStatus = z.infer<typeof saleStatus>;

/** numeric(p, 2): finite, not negative, at most two decimals, below 10^(p-2). */
function amount(digits: number) {
  const max = 10 ** (digits - 2);
  return z
    .number()
    .finite()
    .min(0)
    .lt(max, `must be below ${max.toLocaleString("en-US")}`)
    .refine((n) => Math.abs(Math.round(n * 100) - n * 100) < 1e-6, "at most two decimals");
}
const money = amount(10);
/**
 * Like `.strict()`, but the refusal names the key ("estimated_price: is not
 * accepted here") instead of the whole input: what QuickSell sets itself (the
 * seller, counters, AI fields, published_at, final_amount) is refused by name.
 */
function closed<T extends z.ZodRawShape>(schema: z.ZodObject<T>) {
  return schema.passthrough().superRefine((value, ctx) => {
    for (const key of Object.keys(value)) {
      if (!(key in schema.shape)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [key], message: "is not accepted here (QuickSell sets it, or it is unknown)" });
    }
  });
}
const optionalText = (max: number) => text().trim().max(max).nullable().optional();

const listingFields = {
  title: text().trim().min(1, "must not be blank").max(200),
  /** May be empty on a draft (the AI can write it); publishing needs one. */
  description: text().max(10_000),
  category: text().trim().min(1, "must not be blank").max(100),
  condition: listingCondition,
  price: money,
  currency: text().regex(/^[A-Z]{3}$/, "must be a 3-letter currency code such as USD"),
  brand: optionalText(255),
  model: optionalText(255),
  color: optionalText(100),
  size: optionalText(50),
  weight_kg: amount(8).nullable().optional(),
  dimensions: optionalText(100),
  local_pickup_available: z.boolean(),
  shipping_available: z.boolean(),
  estimated_shipping_cost: amount(8).nullable().optional(),
};

/**
 * A new listing. Everything QuickSell sets itself (the seller, counters,
 * estimated_price, AI flags, published_at) is not accepted: `closed()`
 * refuses it by name rather than letting the database's grants answer 403.
 */
export const listingInput = closed(
  z.object({
    ...listingFields,
    description: listingFields.description.default(""),
    currency: listingFields.currency.optional(),
    local_pickup_available: z.boolean().optional(),
    shipping_available: z.boolean().optional(),
    /** Insert as a draft (default) or straight to the market. */
    status: z.enum(["draft", "published"]).optional(),
  }),
);
export type ListingInput = z.input<typeof listingInput>;

/** An edit of a listing's content; status moves through publish / delist / archive. */
export const listingPatch = closed(z.object(listingFields).partial())
  .refine((p) => Object.keys(p).length > 0, "nothing to change");
export type ListingPatch = z.input<typeof listingPatch>;

const page = {
  /** Range paging: rows [offset, offset + page_size). */
  offset: z.number().int().min(0).max(1_000_000).default(0),
  page_size: z.number().int().min(1).max(100).default(24),
};

/** The public feed: published and sold listings, not deleted, newest first. */
export const feedFilters = z
  .object({
    category: text().trim().min(1).max(100).optional(),
    ...page,
  })
  .strict();
export type FeedFilters = z.input<typeof feedFilters>;

/** The seller's own listings, newest first (every status; deleted ones on request). */
export const myListingsFilters = z
  .object({
    status: z.union([listingStatus, z.array(listingStatus).min(1)]).optional(),
    include_deleted: z.boolean().default(false),
    ...page,
    page_size: z.number().int().min(1).max(100).default(50),
  })
  .strict();
export type MyListingsFilters = z.input<typeof myListingsFilters>;

export const viewKind = z.enum(["view", "click"]);
export type ViewKind = z.infer<typeof viewKind>;

/** A file name inside `<seller>/<listing>/`: one path segment, no traversal. */
export const photoFileName = text().regex(/^(?!\.)[A-Za-z0-9._-]{1,200}$/, "letters, digits, '.', '_' or '-' (not starting with '.')");
/** The bucket takes JPEG and PNG only (the processing function checks the bytes too). */
export const photoContentType = z.enum(["image/jpeg", "image/png"]);
/** The bucket's size limit. */
export const PHOTO_MAX_BYTES = 10 * 1024 * 1024;

export const photoUploadInput = z
  .object({
    listing_id: uuid,
    file_name: photoFileName,
    content_type: photoContentType,
    /** Where it goes among the listing's photos (0 = first); default last. */
    display_order: z.number().int().min(0).max(1000).optional(),
    is_primary: z.boolean().optional(),
  })
  .strict();
export type PhotoUploadInput = z.input<typeof photoUploadInput>;

export const reorderPhotosInput = z
  .object({
    listing_id: uuid,
    photo_ids: z
      .array(uuid)
      .min(1)
      .max(100)
      .refine((ids) => new Set(ids.map((i) => i.toLowerCase())).size === ids.length, "each photo once"),
  })
  .strict();

export const aiRequestInput = z.object({ listing_id: uuid, kind: aiKind }).strict();

export const crosspostInput = z.object({ listing_id: uuid, marketplace: marketplaceName }).strict();

/** A sale recorded by the seller: the listing must be published (else 409). */
export const saleInput = closed(
  z.object({
    listing_id: uuid,
    sale_price: money,
    shipping_cost: money.optional(),
    /** A QuickSell buyer; leave out for one off QuickSell. */
    buyer_id: uuid.nullable().optional(),
    /** Where it sold; leave out for a sale on QuickSell itself. */
    marketplace_name: marketplaceName.nullable().optional(),
  }),
);
export type SaleInput = z.input<typeof saleInput>;

/** The buyer rates the seller, or the seller the buyer: once each, on a completed sale. */
export const rateInput = z
  .object({
    sale_id: uuid,
    rating: z.number().int().min(1).max(5),
    review: text().trim().max(5000).nullable().optional(),
  })
  .strict();
export type RateInput = z.input<typeof rateInput>;

export const leaderboardPeriod = z.enum(["weekly", "monthly"]);
export type LeaderboardPeriod = z.infer<typeof leaderboardPeriod>;

export const leaderboardQuery = z
  .object({
    period: leaderboardPeriod.default("weekly"),
    /** points: the most points; sales: the most completed sales, then revenue. */
    by: z.enum(["points", "sales"]).default("points"),
    /** A past period: any instant in it (default now). */
    at: text().datetime({ offset: true }).optional(),
    limit: z.number().int().min(1).max(100).default(10),
  })
  .strict();
export type LeaderboardQuery = z.input<typeof leaderboardQuery>;

/**
 * The first day of the period holding `at`, as the database keys
 * leaderboard_entries: ISO weeks from Monday UTC, months from the 1st UTC.
 */
export function periodStart(period: LeaderboardPeriod, at: Date = new Date()): string {
  const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), period === "monthly" ? 1 : at.getUTCDate()));
  if (period === "weekly") day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7));
  return day.toISOString().slice(0, 10);
}
