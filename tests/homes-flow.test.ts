// Homes end to end, the way a frontend drives it: requests as PostgREST
// makes them (role + JWT claims per transaction), the valuation worker woken
// over HTTP through the functions gateway with the service-role key (as the
// scheduler does under `npm start`).
import { afterAll, describe, expect, it } from "vitest";
import { asRequest, closeDb, createUser, db, userClaims } from "./support/db.ts";
import { stackEnv } from "./support/stack-env.ts";

afterAll(closeDb);

const env = stackEnv();

async function wakeWorker() {
  const res = await fetch(`${env.functionsUrl}/valuation`, {
    method: "POST",
    headers: { authorization: `Bearer ${env.serviceRoleKey}`, "content-type": "application/json" },
    body: JSON.stringify({ queue: "homes.valuation" }),
  });
  return { status: res.status, body: await res.json() };
}

async function neighbourhood(tag: string) {
  const neighbour = await createUser("homes-neighbour");
  const city = `Flowtown ${tag}`;
  const postal = `F${tag}`;
  // Four sales of similar homes: 3 bed / 2 bath, 1,900-2,100 sqft.
  await db().query(
    `insert into homes.properties (owner_id, address, city, state, postal_code, bedrooms, bathrooms, living_area_sqft,
                                   lot_size_sqft, year_built, last_sold_price, last_sold_at)
     select $1, n || ' Flow St', $2, 'CO', $3, 3, 2, a, 6000, 1995, p, current_date - 20 * n
     from unnest(array[2, 3, 4, 5], array[1900, 2000, 2100, 2000], array[380000, 405000, 420000, 395000]) as t(n, a, p)`,
    [neighbour.id, city, postal],
  );
  return { city, postal };
}

describe("homes: publish a listing and see its valuation appear", () => {
  it("seller publishes, the worker values it, seller and buyers read the latest valuation", async () => {
    const seller = await createUser("homes-seller");
    const buyer = await createUser("homes-buyer");
    const tag = seller.id.slice(0, 6).toUpperCase();
    const { city, postal } = await neighbourhood(tag);

    const { propertyId, listingId } = await asRequest(userClaims(seller), async (c) => {
      const { rows: [p] } = await c.query(
        `insert into homes.properties (address, city, state, postal_code, bedrooms, bathrooms, living_area_sqft, lot_size_sqft, year_built)
         values ('1 Flow St', $1, 'CO', $2, 3, 2, 2000, 6000, 1995) returning id`,
        [city, postal],
      );
      const { rows: [l] } = await c.query("insert into homes.listings (property_id, asking_price) values ($1, 410000) returning id", [p.id]);
      const { rows: [published] } = await c.query("select status from homes.publish_listing($1)", [l.id]);
      expect(published.status).toBe("active");
      return { propertyId: p.id as string, listingId: l.id as string };
    }, { commit: true });

    // Nothing yet: the refresh is queued.
    const before = await asRequest(userClaims(seller), (c) => c.query("select 1 from homes.valuations where property_id = $1", [propertyId]));
    expect(before.rowCount).toBe(0);

    const { status, body } = await wakeWorker();
    expect(status).toBe(200);
    expect(body.valued).toBeGreaterThanOrEqual(1);

    const latest = async (claims: Parameters<typeof asRequest>[0]) =>
      asRequest(claims, async (c) => (await c.query(
        `select v.estimate::float8 as estimate, v.confidence::float8 as confidence, v.valuation_method, v.listing_id,
                (select count(*)::int from homes.valuation_comparables vc where vc.valuation_id = v.id) as comps
         from homes.valuations v where v.property_id = $1 order by v.created_at desc limit 1`, [propertyId])).rows[0]);

    const mine = await latest(userClaims(seller));
    expect(mine).toMatchObject({ valuation_method: "comps_ppsf_postal_code", listing_id: listingId, comps: 4 });
    // $/sqft 200, 202.5, 200, 197.5 (weights 0.95/1/0.95/1 x recency) -> about 400,000.
    expect(mine.estimate).toBeGreaterThan(395000);
    expect(mine.estimate).toBeLessThan(405000);
    expect(mine.confidence).toBeGreaterThan(0.5);

    // Listed: buyers and anonymous visitors see it too.
    expect(await latest(userClaims(buyer))).toEqual(mine);
    expect(await latest({ role: "anon" })).toEqual(mine);

    const { rows: notes } = await db().query("select type from public.notifications where user_id = $1 order by created_at", [seller.id]);
    expect(notes.map((n) => n.type)).toEqual(["listing_published", "valuation_ready"]);
  });

  it("buyers search and offer; the seller accepts one and the rest are declined; everyone is told", async () => {
    const seller = await createUser("homes-seller");
    const [b1, b2] = [await createUser("homes-buyer"), await createUser("homes-buyer")];
    const tag = seller.id.slice(0, 6).toUpperCase();
    const listingId = await asRequest(userClaims(seller), async (c) => {
      const { rows: [p] } = await c.query(
        `insert into homes.properties (address, city, state, postal_code, bedrooms, bathrooms, living_area_sqft)
         values ('9 Offer Way', $1, 'CO', $2, 4, 3, 2600) returning id`, [`Offerburg ${tag}`, `O${tag}`]);
      const { rows: [l] } = await c.query("insert into homes.listings (property_id, asking_price) values ($1, 650000) returning id", [p.id]);
      await c.query("select homes.publish_listing($1)", [l.id]);
      return l.id as string;
    }, { commit: true });

    const found = await asRequest({ role: "anon" }, (c) =>
      c.query("select id, address, cursor from homes.search_listings(city => $1, state => 'CO', min_bedrooms => 4, max_price => 700000)", [`Offerburg ${tag}`]));
    expect(found.rows.map((r) => [r.id, r.address])).toEqual([[listingId, "9 Offer Way"]]);

    const offer = async (buyer: typeof b1, amount: number) =>
      asRequest(userClaims(buyer), async (c) => (await c.query("select id from homes.submit_offer($1, $2, 'please')", [listingId, amount])).rows[0].id as string, { commit: true });
    const o1 = await offer(b1, 640000);
    const o2 = await offer(b2, 630000);

    // Each buyer sees only their own offer; the seller sees both.
    const visible = async (claims: ReturnType<typeof userClaims>) =>
      (await asRequest(claims, (c) => c.query("select id from homes.offers where listing_id = $1 order by amount desc", [listingId]))).rows.map((r) => r.id);
    expect(await visible(userClaims(b1))).toEqual([o1]);
    expect(await visible(userClaims(seller))).toEqual([o1, o2]);

    await expect(asRequest(userClaims(b1), (c) => c.query("select homes.accept_offer($1)", [o1]))).rejects.toMatchObject({ code: "42501" });
    await asRequest(userClaims(seller), (c) => c.query("select homes.accept_offer($1)", [o1]), { commit: true });

    const { rows } = await db().query(
      `select (select status from homes.listings where id = $1) as listing,
              (select status from homes.offers where id = $2) as o1, (select status from homes.offers where id = $3) as o2`,
      [listingId, o1, o2]);
    expect(rows[0]).toEqual({ listing: "under_contract", o1: "accepted", o2: "declined" });
    await expect(offer(b2, 700000)).rejects.toMatchObject({ code: "PT409" });

    const types = async (id: string) => (await db().query("select type from public.notifications where user_id = $1 order by created_at, type", [id])).rows.map((r) => r.type);
    expect(await types(b1.id)).toEqual(["offer_accepted"]);
    expect(await types(b2.id)).toEqual(["offer_declined"]);
    expect(await types(seller.id)).toEqual(["listing_published", "offer_submitted", "offer_submitted", "listing_under_contract"]);
  });
});
