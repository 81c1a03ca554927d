// A local Etsy (Open API v3 + OAuth 2 with PKCE) that behaves as Etsy
// documents it, for tests and for the local stack when no Etsy key is set:
//   - every /v3/application call needs `x-api-key` (the app keystring; 403
//     otherwise) and a bearer token; access tokens live 1 h, refresh tokens
//     90 days; a refresh rotates both (the old refresh token stops working);
//     tokens are "<user_id>.<random>" as Etsy's are.
//   - createDraftListing (POST shops/{shop_id}/listings, form fields
//     quantity, title, description, price, who_made, when_made, taxonomy_id)
//     -> state "draft"; updateListing (PATCH) with state=active / inactive;
//     updateListingInventory (PUT listings/{id}/inventory) sets the price;
//     getListing reads state (draft, active, inactive, sold_out).
//   - about 10 requests per second: past that, 429 with retry-after and the
//     x-limit-per-second / x-remaining-this-second headers (on every answer).
//   - errors as {"error": "..."}; ids are integers.
// Everything is in memory: a restart of the local stack forgets it.
import { base64Url } from "../../base64.ts";
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

export const ETSY_ACCESS_SECONDS = 3600;
export const ETSY_REFRESH_SECONDS = 90 * 24 * 3600;
export const ETSY_FAKE_KEYSTRING = "qslocalfakekeystring0000";

type ListingState = "draft" | "active" | "inactive" | "sold_out";

interface Listing {
  listing_id: number;
  shop_id: number;
  user_id: number;
  title: string;
  description: string;
  state: ListingState;
  quantity: number;
  price: number;
  currency_code: string;
  who_made: string;
  when_made: string;
  taxonomy_id: number;
  url: string;
  updates: number;
}

export interface FakeEtsyOptions {
  keystring?: string;
  perSecond?: number;
  clock?: FakeClock;
  notify?: (event: { marketplace: "etsy"; listingId: string }) => Promise<void>;
}

export interface FakeEtsy {
  handler: (req: Request) => Promise<Response>;
  clock: FakeClock;
  force(match: RegExp, status: number, times?: number): void;
  buy(listingId: string): Promise<boolean>;
  setPerSecond(n: number): void;
  readonly listings: Map<number, Listing>;
  readonly calls: string[];
  revokeAccessTokens(): void;
}

const err = (status: number, error: string, headers: Record<string, string> = {}, description?: string) =>
  jsonResponse({ error, ...(description ? { error_description: description } : {}) }, status, headers);

async function s256(verifier: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  return base64Url(digest);
}

export function createFakeEtsy(o: FakeEtsyOptions = {}): FakeEtsy {
  const keystring = o.keystring ?? ETSY_FAKE_KEYSTRING;
  const clock = o.clock ?? fakeClock();
  let perSecond = o.perSecond ?? 10;
  let window = rateWindow(perSecond, clock);
  const users = new Map<string, { user_id: number; shop_id: number; shop_name: string }>();
  const codes = new Map<string, { userId: number; redirectUri: string; challenge: string | null; expiresAt: number }>();
  const access = new Map<string, { userId: number; expiresAt: number }>();
  const refresh = new Map<string, { userId: number; expiresAt: number }>();
  const listings = new Map<number, Listing>();
  const calls: string[] = [];
  const forced: ForcedFailure[] = [];

  const userFor = (seller: string) => {
    let u = users.get(seller);
    if (!u) {
      const name = seller.replace(/[^A-Za-z0-9]/g, "").slice(0, 16) || "Seller";
      u = { user_id: Number(randomDigits(9, "4")), shop_id: Number(randomDigits(8, "3")), shop_name: `${name}Finds` };
      users.set(seller, u);
    }
    return u;
  };
  const userById = (id: number) => [...users.values()].find((u) => u.user_id === id)!;

  const issue = (userId: number) => {
    const at = `${userId}.${randomToken(40)}`;
    const rt = `${userId}.${randomToken(40)}`;
    access.set(at, { userId, expiresAt: clock.now() + ETSY_ACCESS_SECONDS * 1000 });
    refresh.set(rt, { userId, expiresAt: clock.now() + ETSY_REFRESH_SECONDS * 1000 });
    return { access_token: at, token_type: "Bearer", expires_in: ETSY_ACCESS_SECONDS, refresh_token: rt };
  };

  async function tokenEndpoint(req: Request): Promise<Response> {
    const form = await readForm(req);
    if (form.client_id !== keystring) return err(401, "invalid_client", {}, "client_id is not a known API keystring");
    if (form.grant_type === "authorization_code") {
      const c = codes.get(form.code ?? "");
      codes.delete(form.code ?? "");
      if (!c || c.expiresAt <= clock.now()) return err(400, "invalid_grant", {}, "code is invalid or expired");
      if (c.redirectUri !== form.redirect_uri) return err(400, "invalid_grant", {}, "redirect_uri does not match");
      if (c.challenge && (await s256(form.code_verifier ?? "")) !== c.challenge) return err(400, "invalid_grant", {}, "code_verifier does not match the code_challenge");
      return jsonResponse(issue(c.userId));
    }
    if (form.grant_type === "refresh_token") {
      const r = refresh.get(form.refresh_token ?? "");
      if (!r || r.expiresAt <= clock.now()) return err(400, "invalid_grant", {}, "refresh token is invalid or expired");
      refresh.delete(form.refresh_token!);
      return jsonResponse(issue(r.userId));
    }
    return err(400, "unsupported_grant_type");
  }

  function consent(clientId: string | null, redirectUri: string, seller: string, challenge: string | null) {
    if (clientId !== keystring) return null;
    const code = randomToken(32);
    codes.set(code, { userId: userFor(seller).user_id, redirectUri, challenge, expiresAt: clock.now() + 300_000 });
    return code;
  }

  const listingBody = (l: Listing) => ({
    listing_id: l.listing_id,
    user_id: l.user_id,
    shop_id: l.shop_id,
    title: l.title,
    description: l.description,
    state: l.state,
    quantity: l.quantity,
    url: l.url,
    who_made: l.who_made,
    when_made: l.when_made,
    taxonomy_id: l.taxonomy_id,
    price: { amount: Math.round(l.price * 100), divisor: 100, currency_code: l.currency_code },
  });

  const REQUIRED = ["quantity", "title", "description", "price", "who_made", "when_made", "taxonomy_id"];

  async function application(req: Request, path: string, userId: number, web: string, rl: Record<string, string>): Promise<Response> {
    const m = req.method;
    const me = userById(userId);
    let match: RegExpExecArray | null;
    if (path === "/users/me" && m === "GET") return jsonResponse({ user_id: me.user_id, shop_id: me.shop_id }, 200, rl);
    if ((match = /^\/shops\/(\d+)$/.exec(path)) && m === "GET") {
      const shop = [...users.values()].find((u) => u.shop_id === Number(match![1]));
      if (!shop) return err(404, `Shop with shop_id ${match[1]} not found`, rl);
      return jsonResponse({ shop_id: shop.shop_id, shop_name: shop.shop_name, user_id: shop.user_id, transaction_sold_count: 0, review_average: null }, 200, rl);
    }
    if ((match = /^\/shops\/(\d+)\/listings$/.exec(path)) && m === "POST") {
      if (Number(match[1]) !== me.shop_id) return err(403, "You do not have permission to create listings in this shop", rl);
      const form = await readForm(req);
      const missing = REQUIRED.filter((k) => !form[k]);
      if (missing.length) return err(400, `Missing required parameter(s): ${missing.join(", ")}`, rl);
      const price = Number(form.price);
      const quantity = Number(form.quantity);
      if (!(price >= 0.2 && price <= 50000)) return err(400, "price: must be between 0.20 and 50000.00", rl);
      if (!Number.isInteger(quantity) || quantity < 1) return err(400, "quantity: must be a positive integer", rl);
      if (!["i_did", "someone_else", "collective"].includes(form.who_made)) return err(400, "who_made: invalid value", rl);
      const id = Number(randomDigits(10, "1"));
      const l: Listing = {
        listing_id: id,
        shop_id: me.shop_id,
        user_id: me.user_id,
        title: form.title.slice(0, 140),
        description: form.description,
        state: "draft",
        quantity,
        price,
        currency_code: "USD",
        who_made: form.who_made,
        when_made: form.when_made,
        taxonomy_id: Number(form.taxonomy_id),
        url: `${web}/listing/${id}`,
        updates: 0,
      };
      listings.set(id, l);
      return jsonResponse(listingBody(l), 201, rl);
    }
    if ((match = /^\/shops\/(\d+)\/listings\/(\d+)$/.exec(path)) && (m === "PATCH" || m === "PUT")) {
      const l = listings.get(Number(match[2]));
      if (!l || l.shop_id !== Number(match[1])) return err(404, `Listing ${match[2]} not found`, rl);
      if (l.user_id !== userId) return err(403, "You do not have permission to update this listing", rl);
      const form = await readForm(req);
      if (form.state) {
        if (!["active", "inactive"].includes(form.state)) return err(400, "state: must be active or inactive", rl);
        if (l.state === "sold_out") return err(409, "Listing is sold out and cannot change state", rl);
        if (form.state === "inactive" && l.state === "draft") return err(400, "A draft listing cannot be deactivated", rl);
        l.state = form.state as ListingState;
      }
      if (form.title) l.title = form.title.slice(0, 140);
      if (form.description) l.description = form.description;
      l.updates++;
      return jsonResponse(listingBody(l), 200, rl);
    }
    if ((match = /^\/listings\/(\d+)\/inventory$/.exec(path)) && m === "PUT") {
      const l = listings.get(Number(match[1]));
      if (!l) return err(404, `Listing ${match[1]} not found`, rl);
      if (l.user_id !== userId) return err(403, "You do not have permission to update this listing", rl);
      const body = await readJsonBody(req);
      const offering = (body?.products as Array<{ offerings?: Array<{ price?: number; quantity?: number }> }> | undefined)?.[0]?.offerings?.[0];
      if (!offering || !(Number(offering.price) >= 0.2)) return err(400, "products[0].offerings[0].price: required, at least 0.20", rl);
      l.price = Number(offering.price);
      if (offering.quantity != null && l.state !== "sold_out") l.quantity = Number(offering.quantity);
      return jsonResponse({ products: body!.products, price_on_property: [], quantity_on_property: [], sku_on_property: [] }, 200, rl);
    }
    if ((match = /^\/listings\/(\d+)$/.exec(path)) && m === "GET") {
      const l = listings.get(Number(match[1]));
      // Drafts and inactive listings are visible to their owner only.
      if (!l || (l.state !== "active" && l.user_id !== userId)) return err(404, `Listing ${match[1]} not found`, rl);
      return jsonResponse(listingBody(l), 200, rl);
    }
    return err(404, `No route for ${m} ${path}`, rl);
  }

  async function handler(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const bare = url.pathname.replace(/^.*?\/_fake\/etsy(?=\/)/, "");
    const web = url.origin + url.pathname.slice(0, url.pathname.length - bare.length);
    const hit = takeForced(forced, bare);
    if (hit) {
      if (hit.status === 429) return err(429, "Too many requests", { "retry-after": "1", "x-limit-per-second": String(perSecond), "x-remaining-this-second": "0" });
      if (hit.status === 401) return err(401, "invalid_token", {}, "access token is expired");
      return err(hit.status, "Internal server error");
    }
    if (bare === "/_fake/consent" && req.method === "POST") {
      const body = (await readJsonBody(req)) ?? {};
      const code = consent(String(body.client_id ?? ""), String(body.redirect_uri ?? ""), String(body.seller ?? "seller"), null);
      return code ? jsonResponse({ code }) : err(401, "invalid_client");
    }
    if (bare === "/oauth/connect" && req.method === "GET") {
      const q = url.searchParams;
      const redirect = q.get("redirect_uri") ?? "";
      const code = consent(q.get("client_id"), redirect, q.get("seller") ?? "seller", q.get("code_challenge"));
      if (!code) return err(401, "invalid_client");
      if (!/^https?:\/\//.test(redirect)) return jsonResponse({ code, state: q.get("state") });
      const to = new URL(redirect);
      to.searchParams.set("code", code);
      to.searchParams.set("state", q.get("state") ?? "");
      return new Response(null, { status: 302, headers: { location: to.toString() } });
    }
    if (bare === "/_fake/buy" && req.method === "POST") {
      const body = (await readJsonBody(req)) ?? {};
      return (await buy(String(body.listing_id ?? ""))) ? jsonResponse({ sold: true }) : err(404, "No active listing with that listing_id");
    }
    if (bare.startsWith("/listing/")) return new Response(`Etsy (local fake) listing ${bare.slice(9)}`, { headers: { "content-type": "text/plain" } });
    if (bare === "/v3/public/oauth/token" && req.method === "POST") return await tokenEndpoint(req);
    if (!bare.startsWith("/v3/application/")) return err(404, `No route for ${req.method} ${bare}`);

    if (req.headers.get("x-api-key") !== keystring) return err(403, "Invalid API key: x-api-key must be your app's keystring");
    const bearer = /^Bearer (.+)$/.exec(req.headers.get("authorization") ?? "")?.[1];
    const session = bearer ? access.get(bearer) : undefined;
    if (!session || session.expiresAt <= clock.now()) return err(401, "invalid_token", {}, "access token is invalid or expired");
    const slot = window.take();
    if (!slot.ok) {
      return err(429, "Too many requests", {
        "retry-after": String(slot.retryAfterSeconds),
        "x-limit-per-second": String(perSecond),
        "x-remaining-this-second": "0",
      });
    }
    calls.push(`${req.method} ${bare}`);
    const rl = { "x-limit-per-second": String(perSecond), "x-remaining-this-second": String(slot.remaining) };
    return await application(req, bare.slice("/v3/application".length), session.userId, web, rl);
  }

  async function buy(listingId: string): Promise<boolean> {
    const l = listings.get(Number(listingId));
    if (!l || l.state !== "active") return false;
    l.state = "sold_out";
    l.quantity = 0;
    await o.notify?.({ marketplace: "etsy", listingId });
    return true;
  }

  return {
    handler,
    clock,
    force: (match, status, times = 1) => void forced.push({ match, status, times }),
    buy,
    setPerSecond: (n) => {
      perSecond = n;
      window = rateWindow(n, clock);
    },
    listings,
    calls,
    revokeAccessTokens: () => access.clear(),
  };
}
