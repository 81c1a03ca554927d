// Tools marketplace (seed 003) contracts shared by @domus/client and the
// functions: catalogue filters, cart lines, checkout, reviews, votes,
// reports and moderation. The enums repeat the database's (tools.*) so a bad
// value is refused before any request, naming the field.
import { z } from "zod";
import { text } from "./errors.ts";

const uuid = text().uuid();

export const toolCategory = z.enum([
  "LEAD_GENERATION", "LEAD_NURTURING", "LISTING_OPTIMIZATION", "PROPERTY_SHOPPING",
  "MARKET_INTELLIGENCE", "INVESTMENT_ANALYSIS", "DOCUMENT_PROCESSING", "COMMISSION_FINANCIAL",
  "BOOKING_SCHEDULING", "COMMUNICATION", "CRM_TOOLS", "ANALYTICS_TOOLS", "AUTOMATION_TOOLS",
  "INTEGRATION_TOOLS",
]);
export type ToolCategory = z.infer<typeof toolCategory>;
export const priceModel = z.enum(["FREE", "ONE_TIME", "MONTHLY", "ANNUAL", "USAGE_BASED", "CUSTOM"]);
export type PriceModel = z.infer<typeof priceModel>;
export const toolStatus = z.enum(["ACTIVE", "COMING_SOON", "BETA", "DEPRECATED", "DISABLED"]);
export const bundleStatus = z.enum(["ACTIVE", "ARCHIVED", "DRAFT"]);
export const paymentMethod = z.enum(["CREDIT_CARD", "ACH", "INVOICE", "PLATFORM_CREDITS"]);
export type PaymentMethod = z.infer<typeof paymentMethod>;
export const paymentStatus = z.enum(["PENDING", "PROCESSING", "COMPLETED", "FAILED", "REFUNDED", "CANCELLED"]);
export const purchaseStatus = z.enum(["ACTIVE", "CANCELLED", "EXPIRED", "REFUNDED"]);
export const reviewStatus = z.enum(["PENDING", "APPROVED", "REJECTED", "FLAGGED"]);
export type ReviewStatus = z.infer<typeof reviewStatus>;

/** The tier order lives in the database (the enum's order); this copy only orders filters. */
export const TIER_ORDER = ["FREE", "CUSTOM", "STARTER", "GROWTH", "ELITE", "ENTERPRISE"] as const;
export const subscriptionTier = z.enum(TIER_ORDER);
export type SubscriptionTier = z.infer<typeof subscriptionTier>;

/** The tiers at or below `tier`: the tools an account of that tier may buy. */
export function tiersUpTo(tier: SubscriptionTier): SubscriptionTier[] {
  return TIER_ORDER.slice(0, TIER_ORDER.indexOf(tier) + 1);
}

export const catalogueSort = z.enum(["popularity", "rating", "newest", "name", "price_asc", "price_desc"]);
export type CatalogueSort = z.infer<typeof catalogueSort>;

export const catalogueFilters = z.object({
  category: toolCategory.optional(),
  price_model: priceModel.optional(),
  /** Exactly this required tier. */
  required_tier: subscriptionTier.optional(),
  /** Tools an account of this tier may buy (required_tier at or below it). */
  available_to_tier: subscriptionTier.optional(),
  status: z.union([toolStatus, z.array(toolStatus).min(1)]).optional(),
  featured: z.boolean().optional(),
  popular: z.boolean().optional(),
  /** Case-insensitive match on the name. */
  search: text().trim().min(1).max(100).optional(),
  sort: catalogueSort.default("popularity"),
  /** Range paging: rows [offset, offset + page_size). */
  offset: z.number().int().min(0).max(1_000_000).default(0),
  page_size: z.number().int().min(1).max(100).default(20),
});
export type CatalogueFilters = z.input<typeof catalogueFilters>;

export const bundleFilters = z.object({
  status: bundleStatus.optional(),
  featured: z.boolean().optional(),
  sort: z.enum(["popularity", "price_asc", "price_desc", "name"]).default("popularity"),
});
export type BundleFilters = z.input<typeof bundleFilters>;

/** A cart line: one tool or one bundle (the seed's check), for an account the caller belongs to. */
export const cartItemInput = z.object({
  account_id: uuid,
  tool_id: uuid.optional(),
  bundle_id: uuid.optional(),
  quantity: z.number().int().min(1).max(100).optional(),
}).superRefine((line, ctx) => {
  if ((line.tool_id === undefined) === (line.bundle_id === undefined)) {
    ctx.addIssue({ code: "custom", path: ["tool_id"], message: "give either a tool_id or a bundle_id" });
  }
  if (line.tool_id !== undefined && line.quantity !== undefined && line.quantity !== 1) {
    ctx.addIssue({ code: "custom", path: ["quantity"], message: "a tool is one licence: quantity 1" });
  }
});
export type CartItemInput = z.input<typeof cartItemInput>;

export const toolsCheckoutInput = z.object({
  account_id: uuid,
  method: paymentMethod,
  /** Stripe (CREDIT_CARD, ACH) only: where the user returns to. */
  success_url: text().url().optional(),
  cancel_url: text().url().optional(),
});
export type ToolsCheckoutInput = z.input<typeof toolsCheckoutInput>;

/**
 * What the `checkout` function answers for a tools cart (CREDIT_CARD / ACH):
 * "live" with Stripe's url to send the user to, or "local" when the stack has
 * no Stripe keys and the purchase was completed offline. Other keys pass.
 */
export const toolsCardCheckoutResponse = z.object({
  mode: z.enum(["live", "local"]),
  url: text().url().optional(),
}).passthrough();
export type ToolsCardCheckoutResponse = z.infer<typeof toolsCardCheckoutResponse>;

export const purchaseFilters = z.object({
  status: purchaseStatus.optional(),
  payment_status: paymentStatus.optional(),
  /** purchase_date of the last row of the previous page (keyset paging, newest first). */
  before: text().datetime({ offset: true }).optional(),
  limit: z.number().int().min(1).max(500).default(50),
});
export type PurchaseFilters = z.input<typeof purchaseFilters>;

export const rating = z.number().int("a whole number of stars").min(1).max(5);

export const reviewInput = z.object({
  tool_id: uuid,
  /** The account the author reviews for (an account they belong to); the database checks it. */
  account_id: uuid,
  rating,
  title: text().trim().min(1).max(200).optional(),
  review: text().max(10_000).optional(),
});
export type ReviewInput = z.input<typeof reviewInput>;

export const reviewEdit = z.object({
  rating: rating.optional(),
  title: text().trim().min(1).max(200).nullable().optional(),
  review: text().max(10_000).nullable().optional(),
}).refine((e) => Object.keys(e).length > 0, { message: "nothing to change", path: ["rating"] });
export type ReviewEdit = z.input<typeof reviewEdit>;

export const reviewPage = z.object({
  offset: z.number().int().min(0).max(1_000_000).default(0),
  page_size: z.number().int().min(1).max(100).default(20),
  sort: z.enum(["newest", "helpful", "rating_desc", "rating_asc"]).default("newest"),
});
export type ReviewPage = z.input<typeof reviewPage>;

export const reviewReport = z.object({
  review_id: uuid,
  reason: text().trim().min(1).max(1000).optional(),
});

export const moderationInput = z.object({
  review_id: uuid,
  // A review is moderated out of PENDING; back to PENDING is the author's edit, not a decision.
  status: z.enum(["APPROVED", "REJECTED", "FLAGGED"]),
  notes: text().trim().max(2000).optional(),
});
export type ModerationInput = z.input<typeof moderationInput>;

/**
 * The price models that count in a bundle's price (and its savings): a
 * bundle grants FREE, USAGE_BASED and CUSTOM tools but does not price them
 * (FREE and CUSTOM have no list price; usage is still metered per use).
 */
export const PRICED_MODELS: readonly PriceModel[] = ["ONE_TIME", "MONTHLY", "ANNUAL"];

/** 1 credit = 0.01 of the catalogue currency: a price of 12.34 costs 1,234 credits. */
export function creditsFor(priceAmount: number): number {
  return Math.round(priceAmount * 100);
}
