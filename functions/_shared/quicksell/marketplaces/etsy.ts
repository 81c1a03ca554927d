// Etsy through Open API v3: every call carries `x-api-key` (the app's
// keystring) and the seller's OAuth 2 bearer token (PKCE code grant; access
// token 1 h, refresh token 90 days, both rotated on refresh). A copy is
// createDraftListing, then updateListing with state=active; ending it is
// updateListing state=inactive; the price lives in the listing inventory
// (updateListingInventory). Errors arrive as {"error": "..."}; 429 carries
// retry-after and the x-remaining-* headers (about 10 requests per second).
import { retryAfterMs, send, withAuth } from "./session.ts";
import {
  type AdapterMode,
  type ItemData,
  type MarketplaceAdapter,
  MarketplaceError,
  type RemoteRef,
  type RemoteStatus,
  type Session,
  type TokenSet,
} from "./types.ts";

export interface EtsyConfig {
  mode: AdapterMode;
  /** The app's keystring: x-api-key and the OAuth client_id. */
  apiKey: string;
  /** https://openapi.etsy.com (live) or the fake's base URL. */
  apiBase: string;
  /** https://www.etsy.com (live) or the fake's base: the consent page is <authBase>/oauth/connect. */
  authBase: string;
  redirectUri: string;
  taxonomyId: number;
  fetch?: typeof fetch;
  now?: () => number;
}

export const ETSY_SCOPES = "listings_r listings_w shops_r transactions_r";

async function readJson(res: Response): Promise<Record<string, unknown>> {
  const text = await res.text();
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    return { error: text.slice(0, 200) };
  }
}

function etsyError(res: Response, body: Record<string, unknown>, now: number): MarketplaceError {
  const status = res.status;
  const code = typeof body.error === "string" ? body.error : null;
  const message = `${body.error_description ?? body.error ?? `HTTP ${status}`}`;
  if (status === 429) return new MarketplaceError("etsy", "rate_limited", message, status, retryAfterMs(res, now) ?? 1_000, code);
  if (status === 401 || code === "invalid_grant") return new MarketplaceError("etsy", "auth", message, status, null, code);
  if (status === 404) return new MarketplaceError("etsy", "not_found", message, status, null, code);
  if (status === 409) return new MarketplaceError("etsy", "conflict", message, status, null, code);
  if (status >= 500) return new MarketplaceError("etsy", "unavailable", message, status, retryAfterMs(res, now), code);
  return new MarketplaceError("etsy", "invalid", message, status, null, code);
}

export function etsyAdapter(c: EtsyConfig): MarketplaceAdapter {
  const f = c.fetch ?? fetch;
  const now = c.now ?? Date.now;

  async function token(form: Record<string, string>): Promise<TokenSet> {
    const res = await send(f, "etsy", `${c.apiBase}/v3/public/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_id: c.apiKey, ...form }).toString(),
    });
    const body = await readJson(res);
    if (!res.ok) throw etsyError(res, body, now());
    const at = now();
    return {
      accessToken: String(body.access_token),
      refreshToken: typeof body.refresh_token === "string" ? body.refresh_token : null,
      expiresAt: new Date(at + Number(body.expires_in) * 1000),
      // Etsy does not say in the answer; its documentation gives 90 days.
      refreshExpiresAt: typeof body.refresh_token === "string" ? new Date(at + 90 * 24 * 3600 * 1000) : null,
    };
  }

  async function api(
    session: Session | { token: string },
    method: string,
    path: string,
    body?: { form?: Record<string, string>; json?: unknown },
  ): Promise<Record<string, unknown>> {
    const request = (t: string) =>
      send(f, "etsy", `${c.apiBase}/v3/application${path}`, {
        method,
        headers: {
          "x-api-key": c.apiKey,
          authorization: `Bearer ${t}`,
          accept: "application/json",
          ...(body?.form ? { "content-type": "application/x-www-form-urlencoded" } : body?.json ? { "content-type": "application/json" } : {}),
        },
        body: body?.form ? new URLSearchParams(body.form).toString() : body?.json ? JSON.stringify(body.json) : undefined,
      });
    const res = "token" in session ? await request(session.token) : await withAuth(session, request);
    const parsed = await readJson(res);
    if (!res.ok) throw etsyError(res, parsed, now());
    return parsed;
  }

  const shopOf = (session: Session) => {
    const shop = session.account.extra.shop_id;
    if (!shop) throw new MarketplaceError("etsy", "invalid", "account has no shop_id: reconnect the account");
    return shop;
  };

  const fields = (item: ItemData) => ({
    title: item.title.slice(0, 140),
    description: item.description,
  });

  const ref = (base: RemoteRef, listing: Record<string, unknown>): RemoteRef => ({
    ...base,
    listingId: String(listing.listing_id),
    url: typeof listing.url === "string" ? listing.url : base.url,
  });

  async function setPrice(session: Session, listingId: string, item: ItemData) {
    await api(session, "PUT", `/listings/${listingId}/inventory`, {
      json: {
        products: [{ sku: item.sku, property_values: [], offerings: [{ price: item.price, quantity: item.quantity, is_enabled: true }] }],
      },
    });
  }

  return {
    name: "etsy",
    mode: c.mode,
    authorizeUrl(state, redirectUri) {
      const q = new URLSearchParams({
        response_type: "code",
        client_id: c.apiKey,
        redirect_uri: redirectUri || c.redirectUri,
        scope: ETSY_SCOPES,
        state,
        code_challenge_method: "S256",
      });
      return `${c.authBase}/oauth/connect?${q}`;
    },
    simulateConsent: c.mode === "local"
      ? async (sellerHint) => {
        const res = await send(f, "etsy", `${c.authBase}/_fake/consent`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ client_id: c.apiKey, redirect_uri: c.redirectUri, seller: sellerHint }),
        });
        const body = await readJson(res);
        if (!res.ok) throw etsyError(res, body, now());
        return String(body.code);
      }
      : undefined,
    async exchangeCode(code, redirectUri, codeVerifier) {
      const tokens = await token({
        grant_type: "authorization_code",
        redirect_uri: redirectUri || c.redirectUri,
        code,
        code_verifier: codeVerifier ?? "",
      });
      const me = await api({ token: tokens.accessToken }, "GET", "/users/me");
      const shopId = me.shop_id != null ? String(me.shop_id) : "";
      const shop = shopId ? await api({ token: tokens.accessToken }, "GET", `/shops/${shopId}`) : {};
      return {
        tokens,
        account: {
          marketplaceUserId: String(me.user_id),
          accountName: String(shop.shop_name ?? me.user_id),
          sellerRating: shop.review_average != null ? Number(shop.review_average) : null,
          totalSales: Number(shop.transaction_sold_count ?? 0),
          extra: (shopId ? { shop_id: shopId } : {}) as Record<string, string>,
        },
      };
    },
    async refresh(refreshToken) {
      return await token({ grant_type: "refresh_token", refresh_token: refreshToken });
    },
    async upsertItem(session, item, base) {
      const shop = shopOf(session);
      if (base.listingId) {
        const listing = await api(session, "PATCH", `/shops/${shop}/listings/${base.listingId}`, { form: fields(item) });
        await setPrice(session, base.listingId, item);
        return ref({ ...base, sku: item.sku }, listing);
      }
      const listing = await api(session, "POST", `/shops/${shop}/listings`, {
        form: {
          ...fields(item),
          quantity: String(item.quantity),
          price: item.price.toFixed(2),
          who_made: "someone_else",
          when_made: "2020_2025",
          is_supply: "false",
          taxonomy_id: String(c.taxonomyId),
        },
      });
      return ref({ ...base, sku: item.sku }, listing);
    },
    async publish(session, base) {
      if (!base.listingId) throw new MarketplaceError("etsy", "invalid", "publish: no draft listing yet (upsert the item first)");
      const listing = await api(session, "PATCH", `/shops/${shopOf(session)}/listings/${base.listingId}`, { form: { state: "active" } });
      return ref(base, listing);
    },
    async update(session, item, base) {
      if (!base.listingId) throw new MarketplaceError("etsy", "invalid", "update: the copy has no listing id");
      return await this.upsertItem(session, item, base);
    },
    async withdraw(session, base) {
      if (!base.listingId) return;
      try {
        await api(session, "PATCH", `/shops/${shopOf(session)}/listings/${base.listingId}`, { form: { state: "inactive" } });
      } catch (error) {
        // Gone or already ended (sold out, expired): nothing left to withdraw.
        if (error instanceof MarketplaceError && (error.kind === "not_found" || error.kind === "conflict")) return;
        throw error;
      }
    },
    async status(session, base): Promise<RemoteStatus> {
      if (!base.listingId) return { state: "draft", soldQuantity: 0 };
      const listing = await api(session, "GET", `/listings/${base.listingId}`);
      const state = String(listing.state);
      const url = typeof listing.url === "string" ? listing.url : base.url;
      if (state === "sold_out") return { state: "sold", soldQuantity: 1, listingId: base.listingId, url };
      if (state === "active") return { state: "active", soldQuantity: 0, listingId: base.listingId, url };
      if (state === "draft") return { state: "draft", soldQuantity: 0, listingId: base.listingId, url };
      return { state: "delisted", soldQuantity: 0, listingId: base.listingId, url };
    },
  };
}
