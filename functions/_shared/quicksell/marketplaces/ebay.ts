// eBay through the Sell Inventory API: the item by SKU (createOrReplaceInventoryItem,
// PUT, idempotent), an offer for it (createOffer / updateOffer), publishOffer
// (gives the listing id) and withdrawOffer. OAuth: authorization-code grant,
// then refresh-token grant on /identity/v1/oauth2/token (user access token
// 2 h, refresh token 18 months). Errors arrive as {errors: [{errorId, ...}]}.
// With no credentials, `apiBase` points at the local fake (fake-ebay.ts).
import { retryAfterMs, send, withAuth } from "./session.ts";
import {
  type AdapterMode,
  type ItemData,
  type MarketplaceAdapter,
  MarketplaceError,
  type RemoteAccount,
  type RemoteRef,
  type RemoteStatus,
  type Session,
  type TokenSet,
} from "./types.ts";

export interface EbayConfig {
  mode: AdapterMode;
  clientId: string;
  clientSecret: string;
  /** eBay's redirect URI name (RuName), sent as redirect_uri. */
  ruName: string;
  /** https://api.ebay.com (live) or the fake's base URL. */
  apiBase: string;
  /** https://apiz.ebay.com for commerce/identity (live); the fake's base otherwise. */
  identityBase: string;
  /** https://auth.ebay.com (live) or the fake's base. */
  authBase: string;
  /** https://www.ebay.com (live) or the fake's base: listing URLs are <webBase>/itm/<listingId>. */
  webBase: string;
  marketplaceId: string;
  merchantLocationKey: string;
  policies: { fulfillmentPolicyId: string; paymentPolicyId: string; returnPolicyId: string };
  categoryId: string;
  fetch?: typeof fetch;
  now?: () => number;
}

export const EBAY_SCOPES = [
  "https://api.ebay.com/oauth/api_scope",
  "https://api.ebay.com/oauth/api_scope/sell.inventory",
  "https://api.ebay.com/oauth/api_scope/sell.account",
  "https://api.ebay.com/oauth/api_scope/sell.fulfillment",
].join(" ");

// eBay error ids the adapter acts on.
const OFFER_EXISTS = 25002;
const OFFER_NOT_PUBLISHED = 25713;

const CONDITIONS: Record<string, string> = {
  new: "NEW",
  like_new: "LIKE_NEW",
  good: "USED_GOOD",
  fair: "USED_ACCEPTABLE",
  poor: "FOR_PARTS_OR_NOT_WORKING",
};

interface EbayErrorBody {
  errors?: Array<{ errorId?: number; message?: string; longMessage?: string; parameters?: Array<{ name: string; value: string }> }>;
  error?: string;
  error_description?: string;
}

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    return { errors: [{ message: text.slice(0, 200) }] };
  }
}

function ebayError(status: number, body: EbayErrorBody, res: Response, now: number): MarketplaceError {
  const first = body.errors?.[0];
  const code = first?.errorId != null ? String(first.errorId) : body.error ?? null;
  const message = first?.longMessage ?? first?.message ?? body.error_description ?? body.error ?? `HTTP ${status}`;
  const text = `${message}${code ? ` (${code})` : ""}`;
  if (status === 429) {
    // eBay's call limits are per day: without a Retry-After, wait a minute rather than hammer.
    return new MarketplaceError("ebay", "rate_limited", text, status, retryAfterMs(res, now) ?? 60_000, code);
  }
  if (status === 401 || body.error === "invalid_grant" || body.error === "invalid_client") return new MarketplaceError("ebay", "auth", text, status, null, code);
  if (status === 404) return new MarketplaceError("ebay", "not_found", text, status, null, code);
  if (status === 409) return new MarketplaceError("ebay", "conflict", text, status, null, code);
  if (status >= 500) return new MarketplaceError("ebay", "unavailable", text, status, retryAfterMs(res, now), code);
  return new MarketplaceError("ebay", "invalid", text, status, null, code);
}

export function ebayAdapter(c: EbayConfig): MarketplaceAdapter {
  const f = c.fetch ?? fetch;
  const now = c.now ?? Date.now;
  const basic = `Basic ${btoa(`${c.clientId}:${c.clientSecret}`)}`;

  async function token(form: Record<string, string>): Promise<{ tokens: TokenSet; raw: Record<string, unknown> }> {
    const res = await send(f, "ebay", `${c.apiBase}/identity/v1/oauth2/token`, {
      method: "POST",
      headers: { authorization: basic, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form).toString(),
    });
    const body = (await readJson(res)) as Record<string, unknown>;
    if (!res.ok) throw ebayError(res.status, body as EbayErrorBody, res, now());
    const at = now();
    return {
      raw: body,
      tokens: {
        accessToken: String(body.access_token),
        refreshToken: typeof body.refresh_token === "string" ? body.refresh_token : null,
        expiresAt: new Date(at + Number(body.expires_in) * 1000),
        refreshExpiresAt: body.refresh_token_expires_in != null ? new Date(at + Number(body.refresh_token_expires_in) * 1000) : null,
      },
    };
  }

  /** One Inventory API call: bearer token (refreshed on 401), JSON both ways, errors mapped. */
  async function api(session: Session, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await withAuth(session, (t) =>
      send(f, "ebay", `${c.apiBase}/sell/inventory/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${t}`,
          accept: "application/json",
          ...(body !== undefined ? { "content-type": "application/json", "content-language": "en-US" } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
    );
    const parsed = (await readJson(res)) as Record<string, unknown>;
    if (!res.ok) throw ebayError(res.status, parsed as EbayErrorBody, res, now());
    return { status: res.status, body: parsed };
  }

  const offerBody = (item: ItemData) => ({
    sku: item.sku,
    marketplaceId: c.marketplaceId,
    format: "FIXED_PRICE",
    availableQuantity: item.quantity,
    categoryId: c.categoryId,
    listingDescription: item.description,
    listingPolicies: c.policies,
    merchantLocationKey: c.merchantLocationKey,
    pricingSummary: { price: { value: item.price.toFixed(2), currency: item.currency } },
  });

  async function upsert(session: Session, item: ItemData, ref: RemoteRef): Promise<RemoteRef> {
    const sku = encodeURIComponent(item.sku);
    await api(session, "PUT", `/inventory_item/${sku}`, {
      availability: { shipToLocationAvailability: { quantity: item.quantity } },
      condition: CONDITIONS[item.condition ?? ""] ?? "USED_GOOD",
      product: {
        title: item.title.slice(0, 80),
        description: item.description,
        imageUrls: item.imageUrls.slice(0, 24),
        ...(item.brand ? { brand: item.brand, aspects: { Brand: [item.brand] } } : {}),
      },
    });
    let offerId = ref.offerId;
    let replace = Boolean(offerId);
    if (!offerId) {
      try {
        const created = await api(session, "POST", "/offer", offerBody(item));
        offerId = String(created.body.offerId);
      } catch (error) {
        // A rerun after a crash between createOffer and our checkpoint: the offer exists; adopt it.
        if (!(error instanceof MarketplaceError && error.code === String(OFFER_EXISTS))) throw error;
        const found = await api(session, "GET", `/offer?sku=${sku}&marketplace_id=${c.marketplaceId}`);
        const offers = (found.body.offers ?? []) as Array<{ offerId: string }>;
        if (!offers.length) throw error;
        offerId = offers[0].offerId;
        replace = true;
      }
    }
    if (replace) await api(session, "PUT", `/offer/${offerId}`, offerBody(item));
    return { ...ref, sku: item.sku, offerId };
  }

  return {
    name: "ebay",
    mode: c.mode,
    authorizeUrl(state, redirectUri) {
      const q = new URLSearchParams({ client_id: c.clientId, redirect_uri: redirectUri || c.ruName, response_type: "code", scope: EBAY_SCOPES, state });
      return `${c.authBase}/oauth2/authorize?${q}`;
    },
    simulateConsent: c.mode === "local"
      ? async (sellerHint) => {
        const res = await send(f, "ebay", `${c.authBase}/_fake/consent`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ client_id: c.clientId, redirect_uri: c.ruName, seller: sellerHint }),
        });
        const body = (await readJson(res)) as Record<string, unknown>;
        if (!res.ok) throw ebayError(res.status, body as EbayErrorBody, res, now());
        return String(body.code);
      }
      : undefined,
    async exchangeCode(code, redirectUri) {
      const { tokens } = await token({ grant_type: "authorization_code", code, redirect_uri: redirectUri || c.ruName });
      const res = await send(f, "ebay", `${c.identityBase}/commerce/identity/v1/user/`, {
        headers: { authorization: `Bearer ${tokens.accessToken}`, accept: "application/json" },
      });
      const user = (await readJson(res)) as Record<string, unknown>;
      if (!res.ok) throw ebayError(res.status, user as EbayErrorBody, res, now());
      const account: RemoteAccount = {
        marketplaceUserId: String(user.userId),
        accountName: String(user.username ?? user.userId),
        sellerRating: null,
        totalSales: 0,
        extra: {},
      };
      return { tokens, account };
    },
    async refresh(refreshToken) {
      return (await token({ grant_type: "refresh_token", refresh_token: refreshToken, scope: EBAY_SCOPES })).tokens;
    },
    upsertItem: upsert,
    async publish(session, ref) {
      if (!ref.offerId) throw new MarketplaceError("ebay", "invalid", "publish: no offer yet (upsert the item first)");
      const res = await api(session, "POST", `/offer/${ref.offerId}/publish`, {});
      const listingId = String(res.body.listingId);
      return { ...ref, listingId, url: `${c.webBase}/itm/${listingId}` };
    },
    async update(session, item, ref) {
      // Replacing the item and its offer revises the live listing (eBay applies it at once).
      return await upsert(session, item, ref);
    },
    async withdraw(session, ref) {
      if (!ref.offerId) return;
      try {
        await api(session, "POST", `/offer/${ref.offerId}/withdraw`, {});
      } catch (error) {
        if (error instanceof MarketplaceError && (error.code === String(OFFER_NOT_PUBLISHED) || error.kind === "not_found")) return;
        throw error;
      }
    },
    async status(session, ref): Promise<RemoteStatus> {
      if (!ref.offerId) return { state: "draft", soldQuantity: 0 };
      const res = await api(session, "GET", `/offer/${ref.offerId}`);
      const listing = (res.body.listing ?? {}) as { listingId?: string; listingStatus?: string; soldQuantity?: number };
      const sold = Number(listing.soldQuantity ?? 0);
      const listingId = listing.listingId ? String(listing.listingId) : ref.listingId;
      const url = listingId ? `${c.webBase}/itm/${listingId}` : undefined;
      if (sold > 0) return { state: "sold", soldQuantity: sold, listingId, url };
      if (res.body.status === "PUBLISHED" && listing.listingStatus === "ACTIVE") return { state: "active", soldQuantity: 0, listingId, url };
      return { state: listingId ? "delisted" : "draft", soldQuantity: 0, listingId, url };
    },
  };
}
