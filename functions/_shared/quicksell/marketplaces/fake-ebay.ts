// A local eBay (Sell Inventory API + OAuth) that behaves as eBay documents
// it, for tests and for the local stack when no eBay credentials are set:
//   - OAuth: authorization code -> user access token (2 h) + refresh token
//     (18 months); the refresh-token grant gives a new access token only;
//     expired or unknown tokens answer 401 (errorId 1001).
//   - PUT inventory_item/{sku} creates or replaces (idempotent: the same SKU
//     twice is one item); createOffer for a SKU that has one answers 25002;
//     publishOffer needs the item's title, description, an image, the
//     business policies and a merchant location; withdrawOffer of an offer
//     that is not published answers 25713.
//   - Rate limit: more than `perSecond` calls in a second answer 429 with
//     errorId 2001; every error uses eBay's {errors: [{errorId, domain,
//     category, message}]} body.
//   - Ids as eBay shapes them: offerId and listingId all digits, userId an
//     opaque string, tokens starting "v^1.1#".
// Everything is in memory: a restart of the local stack forgets it.
import {
  type FakeClock,
  fakeClock,
  type ForcedFailure,
  jsonResponse,
  randomDigits,
  randomToken,
  rateWindow,
  readForm,
  readJsonBody,
  takeForced,
} from "./fake-common.ts";

export const EBAY_ACCESS_SECONDS = 7200;
export const EBAY_REFRESH_SECONDS = 47_304_000; // 18 months

interface InventoryItem {
  sku: string;
  product: { title?: string; description?: string; imageUrls?: string[]; brand?: string };
  condition?: string;
  availability?: { shipToLocationAvailability?: { quantity?: number } };
  puts: number;
}

interface Offer {
  offerId: string;
  userId: string;
  sku: string;
  marketplaceId: string;
  body: Record<string, unknown>;
  status: "UNPUBLISHED" | "PUBLISHED";
  listing?: { listingId: string; listingStatus: "ACTIVE" | "ENDED" | "OUT_OF_STOCK"; soldQuantity: number };
}

export interface FakeEbayOptions {
  clientId?: string;
  clientSecret?: string;
  perSecond?: number;
  clock?: FakeClock;
  /** Called after a sale (what eBay's notifications would deliver). */
  notify?: (event: { marketplace: "ebay"; listingId: string }) => Promise<void>;
}

export interface FakeEbay {
  handler: (req: Request) => Promise<Response>;
  clock: FakeClock;
  /** Forced answers for the next matching requests. */
  force(match: RegExp, status: number, times?: number): void;
  /** Marks a listing sold, as a buyer on eBay would. */
  buy(listingId: string): Promise<boolean>;
  setPerSecond(n: number): void;
  readonly items: Map<string, InventoryItem>;
  readonly offers: Map<string, Offer>;
  /** "METHOD /path" of every API call that got past auth. */
  readonly calls: string[];
  /** Revokes every access token (the next call answers 401). */
  revokeAccessTokens(): void;
}

export const EBAY_FAKE_CLIENT = { clientId: "QuickSell-local-PRD-fake", clientSecret: "PRD-local-fake-secret" };

function ebayErrors(status: number, errorId: number, domain: string, message: string, extra: Record<string, unknown> = {}): Response {
  return jsonResponse({ errors: [{ errorId, domain, category: status >= 500 ? "APPLICATION" : "REQUEST", message, ...extra }] }, status);
}

export function createFakeEbay(o: FakeEbayOptions = {}): FakeEbay {
  const clientId = o.clientId ?? EBAY_FAKE_CLIENT.clientId;
  const clientSecret = o.clientSecret ?? EBAY_FAKE_CLIENT.clientSecret;
  const clock = o.clock ?? fakeClock();
  let window = rateWindow(o.perSecond ?? 25, clock);
  const codes = new Map<string, { userId: string; redirectUri: string; expiresAt: number }>();
  const access = new Map<string, { userId: string; expiresAt: number }>();
  const refresh = new Map<string, { userId: string; expiresAt: number }>();
  const users = new Map<string, { userId: string; username: string }>();
  const items = new Map<string, InventoryItem>();
  const offers = new Map<string, Offer>();
  const calls: string[] = [];
  const forced: ForcedFailure[] = [];

  const userFor = (seller: string) => {
    let u = users.get(seller);
    if (!u) {
      u = { userId: `nY${randomToken(6)}`, username: `qs_${seller.replace(/[^a-z0-9]/gi, "").slice(0, 20).toLowerCase() || "seller"}` };
      users.set(seller, u);
    }
    return u;
  };

  const issueAccess = (userId: string) => {
    const token = `v^1.1#i^1#f^0#p^3#I^3#r^0#t^${randomToken(48)}`;
    access.set(token, { userId, expiresAt: clock.now() + EBAY_ACCESS_SECONDS * 1000 });
    return token;
  };

  function oauthError(error: string, description: string, status = 400) {
    return jsonResponse({ error, error_description: description }, status);
  }

  async function tokenEndpoint(req: Request): Promise<Response> {
    const auth = req.headers.get("authorization") ?? "";
    if (auth !== `Basic ${btoa(`${clientId}:${clientSecret}`)}`) return oauthError("invalid_client", "client authentication failed", 401);
    const form = await readForm(req);
    if (form.grant_type === "authorization_code") {
      const c = codes.get(form.code ?? "");
      codes.delete(form.code ?? ""); // single use, even when refused
      if (!c || c.expiresAt <= clock.now()) return oauthError("invalid_grant", "the provided authorization grant code is invalid or was issued to another client");
      if (c.redirectUri !== form.redirect_uri) return oauthError("invalid_grant", "the provided authorization grant code was issued to another redirect_uri");
      const rt = `v^1.1#i^1#p^3#r^1#I^3#f^0#t^${randomToken(64)}`;
      refresh.set(rt, { userId: c.userId, expiresAt: clock.now() + EBAY_REFRESH_SECONDS * 1000 });
      return jsonResponse({
        access_token: issueAccess(c.userId),
        expires_in: EBAY_ACCESS_SECONDS,
        refresh_token: rt,
        refresh_token_expires_in: EBAY_REFRESH_SECONDS,
        token_type: "User Access Token",
      });
    }
    if (form.grant_type === "refresh_token") {
      const r = refresh.get(form.refresh_token ?? "");
      if (!r || r.expiresAt <= clock.now()) {
        return oauthError("invalid_grant", "the provided authorization refresh token is invalid or was issued to another client");
      }
      // eBay answers a new access token only; the refresh token stays the same.
      return jsonResponse({ access_token: issueAccess(r.userId), expires_in: EBAY_ACCESS_SECONDS, token_type: "User Access Token" });
    }
    return oauthError("unsupported_grant_type", "grant type in request is not supported by the authorization server");
  }

  function consent(clientIdGiven: string | null, redirectUri: string, seller: string) {
    if (clientIdGiven !== clientId) return null;
    const code = `v^1.1#i^1#r^1#I^3#f^0#p^3#t^${randomToken(32)}`;
    codes.set(code, { userId: userFor(seller).userId, redirectUri, expiresAt: clock.now() + 300_000 });
    return code;
  }

  const inventoryBody = (it: InventoryItem) => ({
    sku: it.sku,
    product: it.product,
    condition: it.condition,
    availability: it.availability,
  });

  async function inventory(req: Request, path: string, userId: string): Promise<Response> {
    const m = req.method;
    let match: RegExpExecArray | null;
    if ((match = /^\/inventory_item\/([^/]+)$/.exec(path))) {
      const sku = decodeURIComponent(match[1]);
      if (!/^[A-Za-z0-9_-]{1,50}$/.test(sku)) return ebayErrors(400, 25707, "API_INVENTORY", "This is an invalid value for a SKU. Only alphanumeric characters can be used for SKUs, and their length must not exceed 50 characters");
      const key = `${userId}/${sku}`;
      if (m === "GET") {
        const it = items.get(key);
        return it ? jsonResponse(inventoryBody(it)) : ebayErrors(404, 25710, "API_INVENTORY", "We didn't find the resource/entity you are requesting. Please verify the request");
      }
      if (m === "PUT") {
        if (!req.headers.get("content-language")) return ebayErrors(400, 25709, "API_INVENTORY", "Invalid value for header Content-Language.");
        const body = await readJsonBody(req);
        if (!body) return ebayErrors(400, 2004, "ACCESS", "Request is not valid JSON");
        const prior = items.get(key);
        items.set(key, {
          sku,
          product: (body.product ?? {}) as InventoryItem["product"],
          condition: body.condition as string | undefined,
          availability: body.availability as InventoryItem["availability"],
          puts: (prior?.puts ?? 0) + 1,
        });
        return new Response(null, { status: 204 });
      }
    }
    if (path === "/offer" && m === "POST") {
      const body = await readJsonBody(req);
      if (!body || typeof body.sku !== "string") return ebayErrors(400, 25702, "API_INVENTORY", "The SKU field is required");
      if (!items.has(`${userId}/${body.sku}`)) return ebayErrors(400, 25702, "API_INVENTORY", `No inventory item exists for SKU ${body.sku}`);
      const existing = [...offers.values()].find((x) => x.userId === userId && x.sku === body.sku && x.marketplaceId === body.marketplaceId);
      if (existing) {
        return ebayErrors(400, 25002, "API_INVENTORY", "A user error has occurred. Offer entity already exists.", {
          parameters: [{ name: "offerId", value: existing.offerId }],
        });
      }
      const offerId = randomDigits(10, "5");
      offers.set(offerId, { offerId, userId, sku: body.sku, marketplaceId: String(body.marketplaceId ?? "EBAY_US"), body, status: "UNPUBLISHED" });
      return jsonResponse({ offerId }, 201);
    }
    if (path.startsWith("/offer?") || path === "/offer") {
      const q = new URL(`http://x${path}`).searchParams;
      const list = [...offers.values()].filter((x) => x.userId === userId && x.sku === q.get("sku"));
      if (!list.length) return ebayErrors(404, 25713, "API_INVENTORY", "This Offer is not available.");
      return jsonResponse({ total: list.length, offers: list.map(offerBody) });
    }
    if ((match = /^\/offer\/(\d+)(\/publish|\/withdraw)?$/.exec(path))) {
      const offer = offers.get(match[1]);
      if (!offer || offer.userId !== userId) return ebayErrors(404, 25713, "API_INVENTORY", "This Offer is not available.");
      const action = match[2];
      if (!action && m === "GET") return jsonResponse(offerBody(offer));
      if (!action && m === "PUT") {
        const body = await readJsonBody(req);
        if (!body) return ebayErrors(400, 2004, "ACCESS", "Request is not valid JSON");
        offer.body = { ...body, sku: offer.sku };
        return new Response(null, { status: 204 });
      }
      if (action === "/publish" && m === "POST") {
        const item = items.get(`${userId}/${offer.sku}`);
        const missing: string[] = [];
        if (!item?.product.title) missing.push("Product.Title");
        if (!item?.product.description && !offer.body.listingDescription) missing.push("Product.Description");
        if (!item?.product.imageUrls?.length) missing.push("Product.ImageUrls");
        const policies = (offer.body.listingPolicies ?? {}) as Record<string, unknown>;
        if (!policies.fulfillmentPolicyId || !policies.paymentPolicyId || !policies.returnPolicyId) missing.push("ListingPolicies");
        if (!offer.body.merchantLocationKey) missing.push("MerchantLocationKey");
        const price = Number(((offer.body.pricingSummary as { price?: { value?: string } })?.price?.value) ?? NaN);
        if (!(price > 0)) missing.push("Offer.Price");
        if (missing.length) {
          return ebayErrors(400, 25002, "API_INVENTORY", `A user error has occurred. Missing or invalid: ${missing.join(", ")}`, {
            parameters: missing.map((name) => ({ name: "field", value: name })),
          });
        }
        if (offer.listing?.soldQuantity) return ebayErrors(400, 25713, "API_INVENTORY", "This Offer is not available: the item has sold.");
        // Publishing a published offer revises its listing; after a withdraw it lists anew.
        if (!(offer.status === "PUBLISHED" && offer.listing?.listingStatus === "ACTIVE")) {
          offer.listing = { listingId: randomDigits(12, "11"), listingStatus: "ACTIVE", soldQuantity: 0 };
        }
        offer.status = "PUBLISHED";
        return jsonResponse({ listingId: offer.listing.listingId, warnings: [] });
      }
      if (action === "/withdraw" && m === "POST") {
        if (offer.status !== "PUBLISHED" || !offer.listing) return ebayErrors(400, 25713, "API_INVENTORY", "This Offer is not available: it is not published.");
        offer.status = "UNPUBLISHED";
        if (offer.listing.listingStatus === "ACTIVE") offer.listing.listingStatus = "ENDED";
        return jsonResponse({ listingId: offer.listing.listingId, warnings: [] });
      }
    }
    return ebayErrors(404, 2002, "ACCESS", `Resource not found: ${m} ${path}`);
  }

  function offerBody(x: Offer) {
    return { ...x.body, offerId: x.offerId, sku: x.sku, marketplaceId: x.marketplaceId, status: x.status, ...(x.listing ? { listing: x.listing } : {}) };
  }

  async function handler(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const path = url.pathname.replace(/^.*?\/_fake\/ebay(?=\/)/, "") + url.search;
    const bare = path.split("?")[0];
    const hit = takeForced(forced, bare);
    if (hit) {
      if (hit.status === 401) return ebayErrors(401, 1001, "OAuth", "Invalid access token", { longMessage: "Invalid access token. Check the value of the Authorization HTTP request header." });
      if (hit.status === 429) return ebayErrors(429, 2001, "ACCESS", "Too many requests. The request limit has been reached for the resource.");
      return ebayErrors(hit.status, 25001, "API_INVENTORY", "A system error has occurred. Try again later.");
    }
    // The fake's own controls (what eBay's web site and buyers would do).
    if (bare === "/_fake/consent" && req.method === "POST") {
      const body = (await readJsonBody(req)) ?? {};
      const code = consent(String(body.client_id ?? ""), String(body.redirect_uri ?? ""), String(body.seller ?? "seller"));
      return code ? jsonResponse({ code }) : oauthError("invalid_client", "unknown client_id", 401);
    }
    if (bare === "/oauth2/authorize" && req.method === "GET") {
      const redirect = url.searchParams.get("redirect_uri") ?? "";
      const code = consent(url.searchParams.get("client_id"), redirect, url.searchParams.get("seller") ?? "seller");
      if (!code) return oauthError("invalid_client", "unknown client_id", 401);
      if (!/^https?:\/\//.test(redirect)) return jsonResponse({ code, state: url.searchParams.get("state") });
      const to = new URL(redirect);
      to.searchParams.set("code", code);
      to.searchParams.set("state", url.searchParams.get("state") ?? "");
      return new Response(null, { status: 302, headers: { location: to.toString() } });
    }
    if (bare === "/_fake/buy" && req.method === "POST") {
      const body = (await readJsonBody(req)) ?? {};
      return (await buy(String(body.listingId ?? ""))) ? jsonResponse({ sold: true }) : ebayErrors(404, 25713, "API_INVENTORY", "No active listing with that listingId.");
    }
    if (bare.startsWith("/itm/")) return new Response(`eBay (local fake) listing ${bare.slice(5)}`, { headers: { "content-type": "text/plain" } });
    if (bare === "/identity/v1/oauth2/token" && req.method === "POST") return await tokenEndpoint(req);

    const bearer = /^Bearer (.+)$/.exec(req.headers.get("authorization") ?? "")?.[1];
    const session = bearer ? access.get(bearer) : undefined;
    if (!session || session.expiresAt <= clock.now()) {
      return ebayErrors(401, 1001, "OAuth", "Invalid access token", { longMessage: "Invalid access token. Check the value of the Authorization HTTP request header." });
    }
    const slot = window.take();
    if (!slot.ok) return ebayErrors(429, 2001, "ACCESS", "Too many requests. The request limit has been reached for the resource.");
    calls.push(`${req.method} ${bare}`);
    if (bare === "/commerce/identity/v1/user/") {
      const user = [...users.values()].find((u) => u.userId === session.userId)!;
      return jsonResponse({ userId: user.userId, username: user.username, accountType: "INDIVIDUAL" });
    }
    if (bare.startsWith("/sell/inventory/v1/")) return await inventory(req, path.slice("/sell/inventory/v1".length), session.userId);
    return ebayErrors(404, 2002, "ACCESS", `Resource not found: ${req.method} ${bare}`);
  }

  async function buy(listingId: string): Promise<boolean> {
    const offer = [...offers.values()].find((x) => x.listing?.listingId === listingId && x.listing.listingStatus === "ACTIVE");
    if (!offer?.listing) return false;
    offer.listing.soldQuantity = 1;
    offer.listing.listingStatus = "OUT_OF_STOCK";
    await o.notify?.({ marketplace: "ebay", listingId });
    return true;
  }

  return {
    handler,
    clock,
    force: (match, status, times = 1) => void forced.push({ match, status, times }),
    buy,
    setPerSecond: (n) => void (window = rateWindow(n, clock)),
    items,
    offers,
    calls,
    revokeAccessTokens: () => access.clear(),
  };
}
