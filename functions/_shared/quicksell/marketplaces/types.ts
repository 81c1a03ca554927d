// One interface for every marketplace QuickSell cross-posts to. An adapter
// speaks its marketplace's API (or, with no credentials, that API's local
// fake); the sync worker only ever sees these calls and MarketplaceError.

export type MarketplaceName = "ebay" | "etsy" | "local";
/** live: the real marketplace; local: its in-repo fake (no credentials set). */
export type AdapterMode = "live" | "local";

export interface TokenSet {
  accessToken: string;
  refreshToken: string | null;
  /** When the access token stops working. */
  expiresAt: Date;
  /** When the refresh token stops working (null: unknown or never). */
  refreshExpiresAt: Date | null;
}

export interface RemoteAccount {
  marketplaceUserId: string;
  accountName: string;
  sellerRating: number | null;
  totalSales: number;
  /** Marketplace-specific ids the adapter needs later (Etsy: shop_id). */
  extra: Record<string, string>;
}

/** The QuickSell listing as a marketplace copy shows it. */
export interface ItemData {
  /** Ours, stable per copy: eBay's SKU, and our reference elsewhere. */
  sku: string;
  title: string;
  description: string;
  price: number;
  currency: string;
  condition: string | null;
  category: string | null;
  brand: string | null;
  imageUrls: string[];
  quantity: number;
}

/** What we know of a copy on the marketplace, kept in marketplace_listings.synced_data.remote. */
export interface RemoteRef {
  sku: string;
  /** eBay offerId. */
  offerId?: string;
  /** The marketplace's public listing id (eBay listingId, Etsy listing_id). */
  listingId?: string;
  url?: string;
}

export type RemoteState = "draft" | "active" | "sold" | "delisted";

export interface RemoteStatus {
  state: RemoteState;
  soldQuantity: number;
  listingId?: string;
  url?: string;
}

/** Access to the seller's tokens: valid ones on demand, refreshed (and persisted) when due or refused. */
export interface Session {
  account: { marketplaceUserId: string | null; extra: Record<string, string> };
  accessToken(opts?: { forceRefresh?: boolean }): Promise<string>;
}

export interface MarketplaceAdapter {
  readonly name: MarketplaceName;
  readonly mode: AdapterMode;
  /** Where to send the seller to consent (live), or the fake's consent page (local). */
  authorizeUrl(state: string, redirectUri: string): string;
  /** Local mode only: the fake's consent, as if the seller clicked "Agree"; returns an authorization code. */
  simulateConsent?(sellerHint: string): Promise<string>;
  exchangeCode(code: string, redirectUri: string, codeVerifier?: string): Promise<{ tokens: TokenSet; account: RemoteAccount }>;
  refresh(refreshToken: string): Promise<TokenSet>;
  /** Creates or replaces the item (idempotent by sku / by ref) without making it live. */
  upsertItem(session: Session, item: ItemData, ref: RemoteRef): Promise<RemoteRef>;
  /** Makes the copy live; returns the ref with its public listing id and URL. */
  publish(session: Session, ref: RemoteRef): Promise<RemoteRef>;
  /** Pushes changed fields to a live copy. */
  update(session: Session, item: ItemData, ref: RemoteRef): Promise<RemoteRef>;
  /** Ends the live copy (eBay withdraw, Etsy inactive). Ending one already ended is not an error. */
  withdraw(session: Session, ref: RemoteRef): Promise<void>;
  status(session: Session, ref: RemoteRef): Promise<RemoteStatus>;
}

export type MarketplaceErrorKind =
  | "auth" // token refused and could not be refreshed: the seller must reconnect
  | "rate_limited"
  | "invalid" // the marketplace refused the data: retrying the same request will not help
  | "not_found"
  | "conflict"
  | "unavailable"; // 5xx, network: retry later

export class MarketplaceError extends Error {
  constructor(
    readonly marketplace: MarketplaceName,
    readonly kind: MarketplaceErrorKind,
    message: string,
    readonly status: number | null = null,
    /** Rate limits: how long the marketplace asked us to wait. */
    readonly retryAfterMs: number | null = null,
    /** The marketplace's own error code (eBay errorId, Etsy error). */
    readonly code: string | null = null,
  ) {
    super(`${marketplace}: ${message}`);
  }
  get retryable(): boolean {
    return this.kind === "rate_limited" || this.kind === "unavailable";
  }
}

/** Refresh this long before expiry, so a token never dies mid-call. */
export const REFRESH_SKEW_MS = 5 * 60 * 1000;
