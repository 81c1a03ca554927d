// QuickSell (seed 001): the public feed and listings with their photos, the
// seller's own listings and their history, photos in Storage processed by
// the `quicksell-photos` function, AI assistance on the job queue,
// marketplace accounts connected through `marketplace-sync` and cross-posted
// copies, sales and ratings, and the game (stats, points, badges,
// challenges, leaderboards). Every rule is the database's (status machine,
// rights, points); the client validates input so a bad field is a 400 before
// any request, and keeps the database's refusals as their statuses
// (PT402 -> 402, PT409 -> 409, 42501 -> 403, PT404 -> 404).
import {
  aiRequestInput,
  connectInput,
  crosspostInput,
  feedFilters,
  type FeedFilters,
  type LeaderboardPeriod,
  leaderboardQuery,
  type LeaderboardQuery,
  listingInput,
  type ListingInput,
  listingPatch,
  type ListingPatch,
  myListingsFilters,
  type MyListingsFilters,
  PHOTO_MAX_BYTES,
  periodStart,
  photoUploadInput,
  type PhotoUploadInput,
  QUICKSELL_PHOTOS_BUCKET,
  rateInput,
  type RateInput,
  reorderPhotosInput,
  saleInput,
  type SaleInput,
  viewKind,
  type ViewKind,
} from "@domus/contracts/quicksell.ts";
import type { AiKind, AiRequestResult } from "@domus/contracts/quicksell-media.ts";
import { type ConnectRequest, type ConnectResponse, connectResponse, type MarketplaceName } from "@domus/contracts/quicksell-sync.ts";
import { text } from "@domus/contracts/errors.ts";
import { z } from "zod";
import { callerId } from "./caller.ts";
import type { Database } from "./database.types.ts";
import { DomusError, unwrap } from "./errors.ts";
import type { FunctionInvoker } from "./functions.ts";
import type { DomusSupabase } from "./supabase.ts";
import { validate } from "./validate.ts";

type Tables = Database["quicksell"]["Tables"];
export type QuicksellListing = Tables["listings"]["Row"];
export type QuicksellPhoto = Tables["photos"]["Row"];
export type ListingVersion = Tables["listing_versions"]["Row"];
export type MarketplaceCopy = Tables["marketplace_listings"]["Row"];
export type QuicksellMarketplace = Tables["marketplaces"]["Row"];
/** What the owner may read of an account: every column but the tokens (and the adapter's private data). */
export type MarketplaceAccount = Omit<Tables["marketplace_accounts"]["Row"], "access_token" | "refresh_token" | "marketplace_data">;
export type QuicksellSale = Tables["sales"]["Row"];
export type UserStats = Tables["user_stats"]["Row"];
export type Badge = Tables["badges"]["Row"];
export type UserBadge = Tables["user_badges"]["Row"] & { badge: Badge | null };
export type Challenge = Tables["challenges"]["Row"];
export type UserChallenge = Tables["user_challenges"]["Row"] & { challenge: Challenge | null };
export type AiRequest = Tables["ai_requests"]["Row"];
export type PointsEntry = Tables["points_ledger"]["Row"];
export type LeaderboardEntry = Tables["leaderboard_entries"]["Row"];
export type ListingWithPhotos = QuicksellListing & { photos: QuicksellPhoto[] };
export type { AiKind, AiRequestResult, ConnectRequest, ConnectResponse, MarketplaceName };

export interface ListingPage {
  items: ListingWithPhotos[];
  /** Pass as `offset` for the next page; null on the last page. */
  nextOffset: number | null;
}

export interface Leaderboard {
  period: LeaderboardPeriod;
  period_start: string;
  by: "points" | "sales";
  entries: LeaderboardEntry[];
}

/** What `quicksell-photos` answers for "process now" (the contract's ProcessedPhoto). */
const processedPhoto = z
  .object({
    photoId: text(),
    listingId: text(),
    mimeType: z.enum(["image/jpeg", "image/png"]),
    width: z.number().int(),
    height: z.number().int(),
    fileSize: z.number().int(),
    thumbUrl: text(),
    optimizedUrl: text(),
  })
  .passthrough();
export type ProcessedPhoto = z.infer<typeof processedPhoto>;

// Clients may read these account columns only (column grants): `select *` would be a 403.
const ACCOUNT_COLUMNS =
  "id,user_id,marketplace_name,marketplace_user_id,account_name,seller_rating,total_sales_on_platform,is_active,auto_sync_enabled,token_expires_at,refresh_token_expires_at,created_at,updated_at";
// The feed shows photos in their order; one embed, no second request per listing.
const WITH_PHOTOS = "*,photos(*)";

const uuid = text().uuid();
/** Validates one id, naming it as the RPC / column does. */
function id(field: string, value: unknown): string {
  return validate(z.object({ [field]: uuid }), { [field]: value })[field] as string;
}

// The RPCs' arguments are checked by the contracts before the call; their
// answers are typed by the aliases above.
type QuicksellRpc = keyof Database["quicksell"]["Functions"];

export function quicksellApi(supabase: DomusSupabase, invoke: FunctionInvoker, accessToken?: string) {
  const db = () => supabase.schema("quicksell");
  const rpc = async <T>(fn: QuicksellRpc, args: Record<string, unknown>): Promise<T> => unwrap(await db().rpc(fn, args as never)) as T;
  const me = callerId(supabase, accessToken);
  const photosOf = (listing: ListingWithPhotos) => ({
    ...listing,
    photos: [...(listing.photos ?? [])].sort((a, b) => a.display_order - b.display_order),
  });
  const setStatus = async (listingId: string, status: "published" | "delisted" | "archived"): Promise<QuicksellListing> => {
    id("listing_id", listingId);
    return unwrap(await db().from("listings").update({ status }).eq("id", listingId).select("*").single());
  };
  const saleRpc = (fn: "complete_sale" | "cancel_sale" | "refund_sale") => async (saleId: string): Promise<QuicksellSale> => rpc(fn, { p_sale_id: id("sale_id", saleId) });
  const storageError = (error: { message: string; statusCode?: string | number }) => {
    const status = Number((error as { statusCode?: unknown }).statusCode) || 400;
    return new DomusError(error.message, "storage_error", status);
  };

  return {
    // ------------------------------------------------------------ listings
    /**
     * The public feed: published and sold listings, not deleted, newest
     * first (by category when given), with their photos; range-paged. The
     * filter is the feed indexes' own predicate, so a seller browsing does
     * not see his drafts here.
     */
    async feed(filters: FeedFilters = {}): Promise<ListingPage> {
      const f = validate(feedFilters, filters);
      let query = db().from("listings").select(WITH_PHOTOS).in("status", ["published", "sold"]).is("deleted_at", null);
      if (f.category) query = query.eq("category", f.category);
      const items = (unwrap(
        await query.order("published_at", { ascending: false }).order("id", { ascending: false }).range(f.offset, f.offset + f.page_size - 1),
      ) as ListingWithPhotos[]).map(photosOf);
      return { items, nextOffset: items.length === f.page_size ? f.offset + f.page_size : null };
    },

    /** One listing with its photos in display order (404 when it is not yours and not public). */
    async listing(listingId: string): Promise<ListingWithPhotos> {
      id("listing_id", listingId);
      return photosOf(unwrap(await db().from("listings").select(WITH_PHOTOS).eq("id", listingId).single()) as ListingWithPhotos);
    },

    /** The caller's own listings in every status, newest first (deleted ones with include_deleted). */
    async myListings(filters: MyListingsFilters = {}): Promise<ListingPage> {
      const f = validate(myListingsFilters, filters);
      let query = db().from("listings").select(WITH_PHOTOS).eq("user_id", await me());
      if (typeof f.status === "string") query = query.eq("status", f.status);
      else if (f.status) query = query.in("status", f.status);
      if (!f.include_deleted) query = query.is("deleted_at", null);
      const items = (unwrap(
        await query.order("created_at", { ascending: false }).order("id", { ascending: false }).range(f.offset, f.offset + f.page_size - 1),
      ) as ListingWithPhotos[]).map(photosOf);
      return { items, nextOffset: items.length === f.page_size ? f.offset + f.page_size : null };
    },

    /** A new listing (draft unless status: "published"); the seller is the caller. */
    async createListing(input: ListingInput): Promise<QuicksellListing> {
      const row = validate(listingInput, input);
      return unwrap(await db().from("listings").insert(row as Tables["listings"]["Insert"]).select("*").single());
    },

    /** Edits content; a sold, archived or deleted listing is frozen (409). */
    async updateListing(listingId: string, patch: ListingPatch): Promise<QuicksellListing> {
      id("listing_id", listingId);
      const values = validate(listingPatch, patch);
      return unwrap(await db().from("listings").update(values as Tables["listings"]["Update"]).eq("id", listingId).select("*").single());
    },

    /** draft or delisted -> published (needs a description; published_at set on the first publish). */
    publish: (listingId: string) => setStatus(listingId, "published"),
    /** published -> delisted (its marketplace copies are delisted by the backend). */
    delist: (listingId: string) => setStatus(listingId, "delisted"),
    /** draft, delisted or sold -> archived. */
    archive: (listingId: string) => setStatus(listingId, "archived"),

    /** Soft delete: gone from every public read at once; the database stamps the time. */
    async deleteListing(listingId: string): Promise<QuicksellListing> {
      id("listing_id", listingId);
      return unwrap(await db().from("listings").update({ deleted_at: new Date().toISOString() }).eq("id", listingId).select("*").single());
    },

    /** Every change of one of your listings, version 1 first (field: {old, new} in `changes`). */
    async history(listingId: string): Promise<ListingVersion[]> {
      id("listing_id", listingId);
      return unwrap(await db().from("listing_versions").select("*").eq("listing_id", listingId).order("version"));
    },

    /** Counts a view or click once per viewer, listing and hour; true when this call counted. */
    async recordView(listingId: string, kind: ViewKind = "view"): Promise<boolean> {
      id("listing_id", listingId);
      validate(z.object({ kind: viewKind }), { kind });
      return (await rpc<boolean>("record_view", { p_listing_id: listingId, p_kind: kind })) === true;
    },

    // ------------------------------------------------------------ photos
    async photos(listingId: string): Promise<QuicksellPhoto[]> {
      id("listing_id", listingId);
      return unwrap(await db().from("photos").select("*").eq("listing_id", listingId).order("display_order"));
    },

    /**
     * Uploads the file to `quicksell-photos/<you>/<listing>/<file>` and adds
     * the photo row; the database queues its processing (sizes, type and
     * renditions come from the bytes, never from here). If the row is
     * refused, the upload is removed again.
     */
    async uploadPhoto(input: PhotoUploadInput, file: Blob | ArrayBuffer | Uint8Array): Promise<QuicksellPhoto> {
      const p = validate(photoUploadInput, input);
      const size = file instanceof Blob ? file.size : file.byteLength;
      if (size === 0 || size > PHOTO_MAX_BYTES) throw new DomusError(`file: must be 1 byte to ${PHOTO_MAX_BYTES / 1024 / 1024} MB`, "invalid_request", 400, "file");
      const path = `${await me()}/${p.listing_id}/${p.file_name}`;
      const bucket = supabase.storage.from(QUICKSELL_PHOTOS_BUCKET);
      // Sent as the raw body with its type (not a multipart form): every Storage server takes that.
      const bytes = file instanceof Blob ? new Uint8Array(await file.arrayBuffer()) : file;
      const { error } = await bucket.upload(path, bytes as ArrayBuffer, { contentType: p.content_type, upsert: false });
      if (error) throw storageError(error);
      // display_order may be left out: the photos trigger appends it.
      const row = { listing_id: p.listing_id, original_url: path, filename: p.file_name } as Tables["photos"]["Insert"];
      if (p.display_order !== undefined) row.display_order = p.display_order;
      if (p.is_primary !== undefined) row.is_primary = p.is_primary;
      const result = await db().from("photos").insert(row).select("*").single();
      if (result.error) await bucket.remove([path]).catch(() => {});
      return unwrap(result);
    },

    /** Processes one of your photos now (otherwise the queue does it) and answers what the file is. */
    async processPhoto(photoId: string): Promise<ProcessedPhoto> {
      const body = { photoId: id("photo_id", photoId) };
      return invoke("quicksell-photos", processedPhoto, { method: "POST", body });
    },

    /** Sets the whole order at once: every photo of the listing exactly once. */
    async reorderPhotos(listingId: string, photoIds: string[]): Promise<QuicksellPhoto[]> {
      const r = validate(reorderPhotosInput, { listing_id: listingId, photo_ids: photoIds });
      return rpc("reorder_photos", { p_listing_id: r.listing_id, p_photo_ids: r.photo_ids });
    },

    /** Makes this photo the primary one (the old primary is cleared by the database). */
    async setPrimaryPhoto(photoId: string): Promise<QuicksellPhoto> {
      id("photo_id", photoId);
      return unwrap(await db().from("photos").update({ is_primary: true }).eq("id", photoId).select("*").single());
    },

    async deletePhoto(photoId: string): Promise<void> {
      id("photo_id", photoId);
      unwrap(await db().from("photos").delete().eq("id", photoId));
    },

    /** A photo's bytes (original, thumb_url or optimized_url) from the private bucket, as the caller. */
    async photoFile(urlOrName: string): Promise<Blob> {
      const marker = `/${QUICKSELL_PHOTOS_BUCKET}/`;
      const name = urlOrName.includes(marker) ? urlOrName.slice(urlOrName.indexOf(marker) + marker.length) : urlOrName;
      validate(z.object({ name: text().min(1).max(500) }), { name });
      const { data, error } = await supabase.storage.from(QUICKSELL_PHOTOS_BUCKET).download(name);
      if (error) throw storageError(error);
      return data;
    },

    // ------------------------------------------------------------ AI assistance
    /**
     * Asks for a description, a price estimate or a photo analysis: paid by
     * the plan's allowance, else credits (402 when neither covers it); the
     * quicksell-ai worker delivers. Asking again while one is open returns it.
     */
    async requestAi(listingId: string, kind: AiKind): Promise<AiRequestResult> {
      const r = validate(aiRequestInput, { listing_id: listingId, kind });
      return rpc("request_ai", { p_listing_id: r.listing_id, p_kind: r.kind });
    },

    /** Your AI requests, newest first (of one listing when given). */
    async aiRequests(listingId?: string): Promise<AiRequest[]> {
      let query = db().from("ai_requests").select("*");
      if (listingId !== undefined) query = query.eq("listing_id", id("listing_id", listingId));
      return unwrap(await query.order("created_at", { ascending: false }).order("id"));
    },

    // ------------------------------------------------------------ cross-posting
    async marketplaces(): Promise<QuicksellMarketplace[]> {
      return unwrap(await db().from("marketplaces").select("*").order("name"));
    },

    /** Your connected accounts, without their tokens (which no client can read). */
    async marketplaceAccounts(): Promise<MarketplaceAccount[]> {
      return unwrap(await db().from("marketplace_accounts").select(ACCOUNT_COLUMNS).order("marketplace_name"));
    },

    /**
     * Connects an account: the OAuth `code` from the marketplace's consent
     * redirect; against a local fake, leave it out and the fake consents.
     */
    async connectMarketplace(input: ConnectRequest): Promise<ConnectResponse> {
      const body = validate(connectInput, input);
      return invoke("marketplace-sync/connect", connectResponse, { method: "POST", body });
    },

    /** Switches an account off or on, or its automatic sync. */
    async updateMarketplaceAccount(accountId: string, patch: { is_active?: boolean; auto_sync_enabled?: boolean }): Promise<MarketplaceAccount> {
      id("account_id", accountId);
      const values = validate(
        z.object({ is_active: z.boolean().optional(), auto_sync_enabled: z.boolean().optional() }).strict().refine((p) => Object.keys(p).length > 0, "nothing to change"),
        patch,
      );
      return unwrap(await db().from("marketplace_accounts").update(values).eq("id", accountId).select(ACCOUNT_COLUMNS).single());
    },

    async disconnectMarketplace(accountId: string): Promise<void> {
      id("account_id", accountId);
      unwrap(await db().from("marketplace_accounts").delete().eq("id", accountId));
    },

    /**
     * Cross-posts a published listing: a `draft` copy and a queued publish
     * (the sync worker makes it `active`). Counts against the plan (402 past
     * it); again returns the same copy.
     */
    async crosspost(listingId: string, marketplace: MarketplaceName): Promise<MarketplaceCopy> {
      const c = validate(crosspostInput, { listing_id: listingId, marketplace });
      return rpc("crosspost_listing", { p_listing_id: c.listing_id, p_marketplace: c.marketplace });
    },

    /** A listing's copies on the marketplaces, with their sync status and last error. */
    async copies(listingId: string): Promise<MarketplaceCopy[]> {
      id("listing_id", listingId);
      return unwrap(await db().from("marketplace_listings").select("*").eq("listing_id", listingId).order("created_at"));
    },

    // ------------------------------------------------------------ sales
    /** Records a pending sale and marks the listing sold in one transaction; returns the sale id. */
    async recordSale(input: SaleInput): Promise<string> {
      const s = validate(saleInput, input);
      const args: Record<string, unknown> = { p_listing_id: s.listing_id, p_sale_price: s.sale_price };
      if (s.shipping_cost !== undefined) args.p_shipping_cost = s.shipping_cost;
      if (s.buyer_id != null) args.p_buyer_id = s.buyer_id;
      if (s.marketplace_name != null) args.p_marketplace_name = s.marketplace_name;
      return rpc("record_sale", args);
    },
    /** pending -> completed: stats, points, badges, challenges and leaderboards move. */
    completeSale: saleRpc("complete_sale"),
    /** pending or completed -> cancelled: effects reversed exactly, the listing back on the market. */
    cancelSale: saleRpc("cancel_sale"),
    /** completed -> refunded: effects reversed exactly, the listing stays sold. */
    refundSale: saleRpc("refund_sale"),

    /** Rates the other party of a completed sale, once (1-5, with an optional review). */
    async rateSale(input: RateInput): Promise<QuicksellSale> {
      const r = validate(rateInput, input);
      return rpc("rate_sale", { p_sale_id: r.sale_id, p_rating: r.rating, p_review: r.review ?? null });
    },

    async sale(saleId: string): Promise<QuicksellSale> {
      id("sale_id", saleId);
      return unwrap(await db().from("sales").select("*").eq("id", saleId).single());
    },

    /** Your sales as the seller (default) or as the buyer, newest first. */
    async sales({ as = "seller", limit = 50 }: { as?: "seller" | "buyer"; limit?: number } = {}): Promise<QuicksellSale[]> {
      validate(z.object({ as: z.enum(["seller", "buyer"]), limit: z.number().int().min(1).max(500) }), { as, limit });
      return unwrap(
        await db().from("sales").select("*").eq(as === "seller" ? "seller_id" : "buyer_id", await me())
          .order("sale_date", { ascending: false }).order("id").limit(limit),
      );
    },

    // ------------------------------------------------------------ game
    /** A seller's public stats (points, level, sales, streaks); yours by default. Null before any activity. */
    async stats(userId?: string): Promise<UserStats | null> {
      const who = userId === undefined ? await me() : id("user_id", userId);
      return unwrap(await db().from("user_stats").select("*").eq("user_id", who).maybeSingle());
    },

    /** Your points ledger, newest first (every event, reversals as negative rows). */
    async pointsHistory({ limit = 50 }: { limit?: number } = {}): Promise<PointsEntry[]> {
      validate(z.object({ limit: z.number().int().min(1).max(500) }), { limit });
      return unwrap(await db().from("points_ledger").select("*").eq("user_id", await me()).order("created_at", { ascending: false }).order("id", { ascending: false }).limit(limit));
    },

    /** The badge catalogue. */
    async badges(): Promise<Badge[]> {
      return unwrap(await db().from("badges").select("*").order("badge_tier").order("badge_key"));
    },

    /** A user's unlocked badges (public), newest first; yours by default. */
    async userBadges(userId?: string): Promise<UserBadge[]> {
      const who = userId === undefined ? await me() : id("user_id", userId);
      return unwrap(await db().from("user_badges").select("*,badge:badges(*)").eq("user_id", who).order("unlocked_at", { ascending: false }));
    },

    /** Challenges that are running (active, not ended). */
    async challenges(): Promise<Challenge[]> {
      const now = new Date().toISOString();
      return unwrap(await db().from("challenges").select("*").eq("is_active", true).or(`ends_at.is.null,ends_at.gt.${now}`).order("ends_at", { ascending: true, nullsFirst: false }).order("challenge_key"));
    },

    /** Your challenges with progress, percentage and completion. */
    async myChallenges(): Promise<UserChallenge[]> {
      return unwrap(await db().from("user_challenges").select("*,challenge:challenges(*)").eq("user_id", await me()).order("started_at", { ascending: false }));
    },

    async joinChallenge(challengeId: string): Promise<Tables["user_challenges"]["Row"]> {
      return rpc("join_challenge", { p_challenge_id: id("challenge_id", challengeId) });
    },

    /**
     * Top sellers of this week or month (or the period holding `at`) by
     * points or by sales; one index scan on the database's table.
     */
    async leaderboard(query: LeaderboardQuery = {}): Promise<Leaderboard> {
      const q = validate(leaderboardQuery, query);
      const start = periodStart(q.period, q.at ? new Date(q.at) : new Date());
      let rows = db().from("leaderboard_entries").select("*").eq("period", q.period).eq("period_start", start);
      rows = q.by === "points"
        ? rows.order("points", { ascending: false })
        : rows.order("sales_count", { ascending: false }).order("sales_revenue", { ascending: false });
      const entries = unwrap(await rows.order("user_id").limit(q.limit)) as LeaderboardEntry[];
      return { period: q.period, period_start: start, by: q.by, entries };
    },
  };
}

export type QuicksellApi = ReturnType<typeof quicksellApi>;
