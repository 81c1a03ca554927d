// @domus/client Homes API: what it sends to the Data API (schema `homes`
// via the Accept-/Content-Profile headers), how it pages search results,
// that it refuses bad input before any request, and its on-demand
// valuation through the real `valuation` function behind the gateway.
import { createDomusClient } from "@domus/client";
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, createUser, db } from "./support/db.ts";
import { recordingFetch } from "./support/recording-fetch.ts";
import { stackEnv } from "./support/stack-env.ts";
import { accessToken } from "./support/tokens.ts";

const REST = "http://rest.test";
const LISTING = "4f7c2a7e-2a39-4b53-8d8e-8c1b4c3f0a01";
const PROPERTY = "5a1d3c2b-1111-4222-8333-944455556666";

afterAll(closeDb);

function client(respond: Parameters<typeof recordingFetch>[0], options: { url?: string; token?: string; functionsUrl?: string; fetch?: typeof fetch } = {}) {
  const rec = recordingFetch(respond);
  const { homes } = createDomusClient({
    url: options.url ?? REST,
    anonKey: "anon-key",
    accessToken: options.token,
    fetch: options.fetch ?? rec.fetch,
    functionsUrl: options.functionsUrl,
  });
  return { rec, homes };
}

describe("homes over the Data API", () => {
  it("searches through homes.search_listings with the filters, and pages by cursor", async () => {
    const row = (n: number) => ({ id: `${LISTING.slice(0, -1)}${n}`, asking_price: 100000 * n, cursor: `pa~${100000 * n}~id${n}` });
    const { rec, homes } = client(() => ({ status: 200, body: [row(1), row(2)] }));
    const page = await homes.search({ city: "Austin", state: "TX", min_price: 100000, min_bedrooms: 3, sort: "price_asc", page_size: 2 });
    const req = rec.requests[0]!;
    expect(req.method).toBe("POST");
    expect(req.url.pathname).toBe("/rest/v1/rpc/search_listings");
    expect(req.headers.get("content-profile")).toBe("homes");
    expect(req.body).toEqual({ city: "Austin", state: "TX", min_price: 100000, min_bedrooms: 3, sort: "price_asc", page_size: 2 });
    expect(page.nextCursor).toBe("pa~200000~id2");

    const { homes: last } = client(() => ({ status: 200, body: [row(3)] }));
    expect((await last.search({ after: page.nextCursor!, sort: "price_asc", page_size: 2 })).nextCursor).toBeNull();
  });

  it("publishes, offers, accepts, declines and withdraws through the homes RPCs", async () => {
    const { rec, homes } = client(() => ({ status: 200, body: { id: LISTING, status: "active" } }));
    await homes.publish(LISTING);
    await homes.offer({ listing_id: LISTING, amount: 450000.5, message: "Hi" });
    await homes.accept(PROPERTY);
    await homes.decline(PROPERTY);
    await homes.withdraw(PROPERTY);
    await homes.markSold(LISTING);
    expect(rec.requests.map((r) => [r.url.pathname, r.body])).toEqual([
      ["/rest/v1/rpc/publish_listing", { listing_id: LISTING }],
      ["/rest/v1/rpc/submit_offer", { listing_id: LISTING, amount: 450000.5, message: "Hi" }],
      ["/rest/v1/rpc/accept_offer", { offer_id: PROPERTY }],
      ["/rest/v1/rpc/decline_offer", { offer_id: PROPERTY }],
      ["/rest/v1/rpc/withdraw_offer", { offer_id: PROPERTY }],
      ["/rest/v1/rpc/mark_sold", { listing_id: LISTING }],
    ]);
    expect(rec.requests.every((r) => r.headers.get("content-profile") === "homes")).toBe(true);
  });

  it("reads the latest valuation with its comparables in one request", async () => {
    const { rec, homes } = client(() => ({ status: 200, body: [{ id: LISTING, estimate: 400000, valuation_comparables: [] }] }));
    const v = await homes.latestValuation(PROPERTY);
    expect(v?.estimate).toBe(400000);
    const params = rec.requests[0]!.url.searchParams;
    expect(rec.requests[0]!.url.pathname).toBe("/rest/v1/valuations");
    expect(rec.requests[0]!.headers.get("accept-profile")).toBe("homes");
    expect(params.get("select")).toBe("*,valuation_comparables(*)");
    expect(params.get("property_id")).toBe(`eq.${PROPERTY}`);
    expect(params.get("order")).toBe("created_at.desc");
    expect(params.get("limit")).toBe("1");

    const { homes: none } = client(() => ({ status: 200, body: [] }));
    expect(await none.latestValuation(PROPERTY)).toBeNull();
  });

  it("creates a property with an owner snapshot in one RPC (one transaction)", async () => {
    const { rec, homes } = client(() => ({
      status: 200,
      body: { property: { id: PROPERTY, address: "1 Main St" }, valuation: { id: LISTING, property_id: PROPERTY } },
    }));
    const { property, valuation } = await homes.createProperty(
      { address: " 1 Main St ", city: "Austin", state: "TX", postal_code: "78701", bedrooms: 3, bathrooms: 2.5, living_area_sqft: 1800 },
      { estimate: 500000, valuation_method: "appraisal" },
    );
    expect(property.id).toBe(PROPERTY);
    expect(valuation?.property_id).toBe(PROPERTY);
    expect(rec.requests.map((r) => [r.method, r.url.pathname])).toEqual([["POST", "/rest/v1/rpc/create_property"]]);
    expect(rec.requests[0]!.headers.get("content-profile")).toBe("homes");
    expect(rec.requests[0]!.body).toMatchObject({
      property: { address: "1 Main St", bathrooms: 2.5 },
      snapshot: { estimate: 500000, valuation_method: "appraisal" },
    });
  });

  it("refuses bad input before sending anything, naming the field", async () => {
    const { rec, homes } = client(() => ({ status: 500, body: {} }));
    await expect(homes.offer({ listing_id: LISTING, amount: -1 })).rejects.toMatchObject({ status: 400, field: "amount" });
    await expect(homes.offer({ listing_id: "nope", amount: 1 })).rejects.toMatchObject({ field: "listing_id" });
    await expect(homes.search({ min_price: 10, max_price: 5 })).rejects.toMatchObject({ field: "min_price" });
    await expect(homes.search({ page_size: 1000 })).rejects.toMatchObject({ field: "page_size" });
    // @ts-expect-error: cheapest is not a sort
    await expect(homes.search({ sort: "cheapest" })).rejects.toMatchObject({ field: "sort" });
    await expect(
      homes.createProperty({ address: "x", city: "A", state: "TX", postal_code: "78701", bedrooms: 3, bathrooms: 1.3, living_area_sqft: 1000 }),
    ).rejects.toMatchObject({ field: "bathrooms" });
    await expect(homes.createListing({ property_id: PROPERTY, asking_price: 0 })).rejects.toMatchObject({ field: "asking_price" });
    await expect(homes.publish("nope")).rejects.toMatchObject({ status: 400 });
    expect(rec.requests).toHaveLength(0);
  });

  it("maps a refused state transition to its SQLSTATE", async () => {
    const { homes } = client(() => ({
      status: 409,
      body: { code: "PT409", message: "listing_id: this listing is sold and takes no offers", details: null, hint: null },
    }));
    await expect(homes.offer({ listing_id: LISTING, amount: 1 })).rejects.toMatchObject({ code: "PT409", status: 409, field: "listing_id" });
  });
});

describe("on-demand valuation through the gateway", () => {
  it("values the caller's own property and returns its comparables", async () => {
    const env = stackEnv();
    const owner = await createUser("homes-client");
    const tag = owner.id.slice(0, 6).toUpperCase();
    const { rows: [home] } = await db().query(
      `insert into homes.properties (owner_id, address, city, state, postal_code, bedrooms, bathrooms, living_area_sqft)
       values ($1, '1 Client Ct', $2, 'TX', $3, 3, 2, 2000) returning id`,
      [owner.id, `Clientville ${tag}`, `C${tag}`],
    );
    await db().query(
      `insert into homes.properties (owner_id, address, city, state, postal_code, bedrooms, bathrooms, living_area_sqft, last_sold_price, last_sold_at)
       select $1, n || ' Client Ct', $2, 'TX', $3, 3, 2, 2000, p, current_date - 10
       from unnest(array[2, 3, 4], array[400000, 420000, 380000]) as t(n, p)`,
      [owner.id, `Clientville ${tag}`, `C${tag}`],
    );
    const { homes } = client(() => ({ status: 500, body: {} }), {
      url: env.functionsUrl.replace(/\/functions\/v1$/, ""),
      token: accessToken(owner),
      functionsUrl: env.functionsUrl,
      fetch,
    });
    const answer = await homes.requestValuation(home.id);
    expect(answer.valuation).toMatchObject({ estimate: 400000, confidence: 0.551, valuation_method: "comps_ppsf_postal_code" });
    expect(answer.comparables.map((c) => c.adjusted_price).sort()).toEqual([380000, 400000, 420000]);
    expect(answer.billable).toBe(false);
  });
});
