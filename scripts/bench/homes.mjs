// Homes benchmark: search and offers under RLS against the same queries as
// the table owner, and valuation throughput. Writes bench/results/homes.json.
//
// Data: 2,000 users; 200,000 properties in 40 cities (400 postal codes),
// each with a listing (70% active, the rest draft, under contract, sold or
// withdrawn); 500,000 offers in every status. Loaded set-based with
// generate_series, triggers off (every derived column written out), then
// ANALYZE.
//
// Queries (the exact SQL homes.search_listings builds, plus "my offers" and
// "offers on my listings"): each runs ROUNDS times as a signed-in user
// (role authenticated + JWT claims, RLS on) and as the table owner (RLS
// bypassed) with the same WHERE clause, which already states what the
// policies allow (status = 'active'; buyer_id / seller_id = the user).
// Timed per query, interleaved, parameters rotating over cities, postal
// codes, prices and users, by compareUnderRls (scripts/bench/_lib.mjs: each
// run in its own transaction with role and claims set local, as PostgREST
// does; same rows = the same ids in the same order). Reports each query's
// rls_vs_owner_ratio (goal <= 1.2) and its plan under RLS (plan_top); index
// use and sequential scans are checked on both sides.
//
// Valuations: the engine in Postgres (private.homes_store_valuation: find
// comparables, compute, store valuation + comparables, charge usage) from 4
// connections; and end to end through the `valuation` worker function
// behind the local gateway (queued jobs drained over HTTP).
import pg from "pg";
import { claimsFor, closeAll, compareUnderRls, connections, createUsers, requester, round, rlsVerdict } from "./_lib.mjs";

const SIZE = { users: 2_000, properties: 200_000, offers: 500_000, cities: 40, postalPerCity: 10 };
const ROUNDS = 300;
const WARMUP = 30;
const GOAL_RATIO = 1.2;
const VALUATIONS = { engine: 2_000, engineConnections: 4, worker: 1_000 };

export const description = "search and offers under RLS vs table owner; valuations per second";

const STATES = ["TX", "CO", "WA", "OR", "NC", "AZ", "GA", "FL", "MN", "MA"];

export async function generate(admin, step) {
  step(`homes: ${SIZE.users} users`);
  const users = await createUsers(admin, SIZE.users, "bench-homes");
  await admin.query("create temporary table bench_users as select id, (n - 1)::int as n from unnest($1::uuid[]) with ordinality u(id, n)", [users]);
  await admin.query("create unique index on bench_users (n)");

  step(`homes: ${SIZE.properties} properties, ${SIZE.properties} listings (set-based, triggers off)`);
  const t0 = Date.now();
  await admin.query("set session_replication_role = replica");
  await admin.query(`
    insert into homes.properties (id, owner_id, address, city, state, postal_code, bedrooms, bathrooms, living_area_sqft,
                                  lot_size_sqft, year_built, currency, last_sold_price, last_sold_at)
    select md5('bench-property-' || g)::uuid, u.id, g || ' Bench St', 'Benchcity ' || (g % $2),
           ($4::text[])[1 + (g % $2) % 10], lpad((10000 + (g % $2) * 10 + (g / $2) % $3)::text, 5, '0'),
           b, greatest(1, b - 1 + (g % 3) * 0.5), a, 2000 + (g * 37) % 9000, 1950 + (g * 13) % 74, 'USD',
           case when g % 5 < 2 then round(a * (150 + (g % $2) * 8) * (0.9 + (g % 21) / 100.0) / 1000) * 1000 end,
           case when g % 5 < 2 then current_date - (g % 1800) end
    from generate_series(1, $1) g
    join bench_users u on u.n = g % ${SIZE.users}
    cross join lateral (select 1 + (g * 7) % 5 as b) rooms
    cross join lateral (select 600 + rooms.b * 350 + (g * 31) % 700 as a) area`,
  [SIZE.properties, SIZE.cities, SIZE.postalPerCity, STATES]);
  await admin.query(`
    insert into homes.listings (id, property_id, seller_id, status, asking_price, currency, published_at, sold_price, sold_at,
                                city, state, postal_code, bedrooms, bathrooms, living_area_sqft)
    select md5('bench-listing-' || g)::uuid, p.id, p.owner_id, s.status,
           round(p.living_area_sqft * (150 + (g % $2) * 8) * (0.9 + (g % 23) / 100.0) / 1000) * 1000, 'USD',
           case when s.status <> 'draft' then now() - make_interval(secs => (g * 7919) % 8000000) end,
           case when s.status = 'sold' then round(p.living_area_sqft * (150 + (g % $2) * 8) * 0.97 / 1000) * 1000 end,
           case when s.status = 'sold' then now() - make_interval(days => g % 300) end,
           p.city, p.state, p.postal_code, p.bedrooms, p.bathrooms, p.living_area_sqft
    from generate_series(1, $1) g
    join homes.properties p on p.id = md5('bench-property-' || g)::uuid
    cross join lateral (select case when g % 20 < 14 then 'active' when g % 20 < 16 then 'draft'
                                    when g % 20 < 17 then 'under_contract' when g % 20 < 18 then 'sold'
                                    else 'withdrawn' end as status) s`,
  [SIZE.properties, SIZE.cities]);

  step(`homes: ${SIZE.offers} offers`);
  // Listing g gets offers j = 0..(g % 5); buyer = seller + 1 + 7j (never the
  // seller, never twice on one listing). Accepted: j = 0 on listings under
  // contract or sold; declined: the others there and on withdrawn listings.
  await admin.query(`
    insert into homes.offers (listing_id, buyer_id, seller_id, amount, currency, status, message, created_at, decided_at)
    select l.id, b.id, l.seller_id, round(l.asking_price * (0.9 + j * 0.02) / 500) * 500, 'USD', st.status, null,
           l.published_at + make_interval(hours => 1 + j * 5), case when st.status <> 'submitted' then l.published_at + interval '2 days' end
    from generate_series(1, $1) g
    join homes.listings l on l.id = md5('bench-listing-' || g)::uuid and l.status <> 'draft'
    cross join generate_series(0, g % 5) j
    join bench_users b on b.n = ((g % ${SIZE.users}) + 1 + 7 * j) % ${SIZE.users}
    cross join lateral (select case when l.status in ('under_contract', 'sold') and j = 0 then 'accepted'
                                    when l.status in ('under_contract', 'sold', 'withdrawn') then 'declined'
                                    when j = 3 then 'withdrawn' when j = 4 then 'declined'
                                    else 'submitted' end as status) st
    limit $2`,
  [SIZE.properties, SIZE.offers]);
  await admin.query("update homes.properties p set is_listed = true from homes.listings l where l.property_id = p.id and l.status = 'active'");
  await admin.query("set session_replication_role = origin");
  step("homes: analyze");
  await admin.query("analyze homes.properties, homes.listings, homes.offers");
  const { rows: [counts] } = await admin.query(`
    select (select count(*) from homes.properties)::int as properties, (select count(*) from homes.listings)::int as listings,
           (select count(*) from homes.listings where status = 'active')::int as active_listings,
           (select count(*) from homes.offers)::int as offers`);
  return { users, counts, generation_seconds: round((Date.now() - t0) / 1000, 1) };
}

// The queries. Each gets (iteration, user) and returns [sql, params]; the
// same SQL runs on both sides.
const SEARCH_COLUMNS = `l.id, l.property_id, l.seller_id, l.status, l.asking_price, l.currency, l.published_at, p.address,
  l.city, l.state, l.postal_code, l.bedrooms, l.bathrooms, l.living_area_sqft, p.lot_size_sqft, p.year_built`;
const city = (i) => `Benchcity ${i % SIZE.cities}`;
const state = (i) => STATES[(i % SIZE.cities) % 10];
const postal = (i) => String(10000 + (i % SIZE.cities) * 10 + (i * 3) % SIZE.postalPerCity).padStart(5, "0");

function queries(cursors) {
  return {
    search_newest: (i) => [
      `select ${SEARCH_COLUMNS}, 'n~' || (to_json(l.published_at) #>> '{}') || '~' || l.id as cursor
       from homes.listings l join homes.properties p on p.id = l.property_id
       where l.status = 'active' order by l.published_at desc, l.id desc limit 20`, []],
    search_city_newest: (i) => [
      `select ${SEARCH_COLUMNS}, 'n~' || (to_json(l.published_at) #>> '{}') || '~' || l.id as cursor
       from homes.listings l join homes.properties p on p.id = l.property_id
       where l.status = 'active' and l.city = $1 and l.state = $2 order by l.published_at desc, l.id desc limit 20`,
      [city(i), state(i)]],
    search_city_newest_page2: (i) => {
      const c = cursors[i % cursors.length];
      return [
        `select ${SEARCH_COLUMNS}, 'n~' || (to_json(l.published_at) #>> '{}') || '~' || l.id as cursor
         from homes.listings l join homes.properties p on p.id = l.property_id
         where l.status = 'active' and l.city = $1 and l.state = $2
           and l.published_at <= $3 and (l.published_at < $3 or l.id < $4)
         order by l.published_at desc, l.id desc limit 20`,
        [c.city, c.state, c.published_at, c.id]];
    },
    search_city_price_beds: (i) => [
      `select ${SEARCH_COLUMNS}, 'pa~' || l.asking_price_cents || '~' || l.id as cursor
       from homes.listings l join homes.properties p on p.id = l.property_id
       where l.status = 'active' and l.city = $1 and l.state = $2 and l.asking_price_cents >= $3 and l.asking_price_cents <= $4
         and l.bedrooms >= $5 and l.bathrooms_half >= $6
       order by l.asking_price_cents, l.id limit 20`,
      [city(i), state(i), (200000 + (i % 5) * 50000) * 100, (600000 + (i % 5) * 50000) * 100, 2 + (i % 3), 3]],
    search_postal_newest: (i) => [
      `select ${SEARCH_COLUMNS}, 'n~' || (to_json(l.published_at) #>> '{}') || '~' || l.id as cursor
       from homes.listings l join homes.properties p on p.id = l.property_id
       where l.status = 'active' and l.postal_code = $1 order by l.published_at desc, l.id desc limit 20`, [postal(i)]],
    search_price_desc_area: (i) => [
      `select ${SEARCH_COLUMNS}, 'pd~' || l.asking_price_cents || '~' || l.id as cursor
       from homes.listings l join homes.properties p on p.id = l.property_id
       where l.status = 'active' and l.asking_price_cents <= $1 and l.living_area_sqft >= $2
       order by l.asking_price_cents desc, l.id desc limit 20`, [(400000 + (i % 7) * 25000) * 100, 1500 + (i % 4) * 100]],
    my_offers: (i, user) => [
      `select o.* from homes.offers o where o.buyer_id = $1 order by o.created_at desc limit 50`, [user]],
    offers_on_my_listings: (i, user) => [
      `select o.* from homes.offers o where o.seller_id = $1 order by o.created_at desc limit 50`, [user]],
  };
}

async function measure(url, step, users) {
  const [rls, owner, plain] = await connections(url, 3);
  try {
    await rls.query("set role authenticated");
    // Cursors for page 2 (taken as the owner from page 1 of each city).
    const cursors = [];
    for (let c = 0; c < SIZE.cities; c++) {
      const { rows } = await plain.query(
        `select city, state, published_at, id from homes.listings where status = 'active' and city = $1 and state = $2
         order by published_at desc, id desc offset 19 limit 1`, [city(c), state(c)]);
      if (rows[0]) cursors.push(rows[0]);
    }
    const qs = queries(cursors);
    const results = {};
    const userOf = (i) => users[(i * 97) % users.length];
    for (const [name, build] of Object.entries(qs)) {
      step(`homes: ${name}: ${ROUNDS} runs under RLS and as owner`);
      const c = await compareUnderRls({
        rls, owner, build: (i) => build(i, userOf(i)), who: (i) => requester(userOf(i)), rounds: ROUNDS, warmup: WARMUP,
      });
      // Sub-millisecond queries: a few runs hit by GC or autovacuum move the
      // mean, so the headline ratio compares medians; the mean ratio is kept.
      results[name] = {
        rls_ms_avg: c.rls_ms_avg,
        owner_ms_avg: c.owner_ms_avg,
        rls_ms_median: c.rls_ms_median,
        owner_ms_median: c.owner_ms_median,
        rls_vs_owner_ratio: c.rls_vs_owner_ratio,
        rls_vs_owner_mean_ratio: c.rls_vs_owner_mean_ratio,
        same_rows: c.same_rows,
        rows_per_query: c.rows_per_query,
        plan_uses_index: c.plan_uses_index,
        plan_indexes: c.plan_indexes,
        plan_seq_scans: c.plan_seq_scans,
        plan_top: c.plan_top_rls,
      };
    }
    await rls.query("select set_config('request.jwt.claims', $1, false)", [claimsFor(userOf(1))]);
    // The RPC itself (dynamic SQL in plpgsql) as a signed-in user, for reference.
    let rpcNs = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const t = process.hrtime.bigint();
      await rls.query("select * from homes.search_listings(city => $1, state => $2)", [city(i), state(i)]);
      rpcNs += Number(process.hrtime.bigint() - t);
    }
    return { queries: results, rpc_search_city_newest_ms_avg: round(rpcNs / ROUNDS / 1e6, 3) };
  } finally {
    await closeAll([rls, owner, plain]);
  }
}

async function valuations(admin, url, step, functions, users) {
  step("valuations: every bench user on Homes Agency (unlimited valuations)");
  await admin.query(`
    select count(*) from (
      select private.billing_upsert_subscription('stripe', 'sub_bench_' || u, u, (select id from public.plans where code = 'homes_agency'),
             'active', now(), 'month', now() - interval '1 day', now() + interval '29 days')
      from unnest($1::uuid[]) u offset 0) s`, [users]);

  const { rows: props } = await admin.query(
    `select l.property_id, l.id as listing_id from homes.listings l where l.status = 'active' order by l.id limit $1`,
    [VALUATIONS.engine + VALUATIONS.worker]);
  const enginePart = props.slice(0, VALUATIONS.engine);
  const workerPart = props.slice(VALUATIONS.engine);

  step(`valuations: ${enginePart.length} through private.homes_store_valuation on ${VALUATIONS.engineConnections} connections`);
  const clients = await connections(url, VALUATIONS.engineConnections);
  let next = 0;
  const methods = {};
  const t0 = process.hrtime.bigint();
  try {
    await Promise.all(clients.map(async (c) => {
      while (next < enginePart.length) {
        const p = enginePart[next++];
        const { rows: [v] } = await c.query("select valuation_method, comparables_count from private.homes_store_valuation($1, $2, null, $3)",
          [p.property_id, `bench-engine-${p.listing_id}`, p.listing_id]);
        methods[v.valuation_method] = (methods[v.valuation_method] ?? 0) + 1;
      }
    }));
  } finally {
    await closeAll(clients);
  }
  const engineSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const { rows: [quality] } = await admin.query(
    `select round(avg(confidence), 3)::float8 as mean_confidence, round(avg(comparables_count), 1)::float8 as mean_comparables
     from homes.valuations where request_key like 'bench-engine-%'`);
  const engine = {
    valuations: enginePart.length,
    connections: VALUATIONS.engineConnections,
    seconds: round(engineSeconds, 2),
    valuations_per_s: round(enginePart.length / engineSeconds),
    methods,
    ...quality,
  };

  let worker;
  try {
    const gateway = await functions();
    step(`valuations: ${workerPart.length} queued jobs drained by the valuation function (${gateway.url}/valuation)`);
    await admin.query(`select count(*) from (select private.enqueue_job('homes.valuation', jsonb_build_object('property_id', p, 'listing_id', l),
                         null, 'bench-job-' || l) from unnest($1::uuid[], $2::uuid[]) as t(p, l) offset 0) s`,
      [workerPart.map((p) => p.property_id), workerPart.map((p) => p.listing_id)]);
    const t1 = process.hrtime.bigint();
    const totals = { claimed: 0, valued: 0, insufficient: 0, refused: 0, failed: 0, calls: 0 };
    for (;;) {
      const res = await fetch(`${gateway.url}/valuation`, {
        method: "POST",
        headers: { authorization: `Bearer ${gateway.env.SUPABASE_SERVICE_ROLE_KEY}`, "content-type": "application/json" },
        body: JSON.stringify({ queue: "homes.valuation" }),
      });
      const body = await res.json();
      if (!res.ok) throw new Error(`worker answered ${res.status}: ${JSON.stringify(body)}`);
      totals.calls++;
      for (const k of ["claimed", "valued", "insufficient", "refused", "failed"]) totals[k] += body[k];
      if (body.claimed === 0) break;
    }
    const seconds = Number(process.hrtime.bigint() - t1) / 1e9;
    worker = { jobs: workerPart.length, ...totals, seconds: round(seconds, 2), valuations_per_s: round((totals.valued + totals.insufficient) / seconds) };
  } catch (error) {
    worker = { skipped: true, reason: String(error.message ?? error).split("\n").slice(0, 4).join(" | ") };
  }
  return { engine, worker };
}

export default async function homes({ url, step, functions }) {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const data = await generate(admin, step);
    const measured = await measure(url, step, data.users);
    const vals = await valuations(admin, url, step, functions, data.users);
    const { same_rows: sameRows, ...verdict } = rlsVerdict(measured.queries, GOAL_RATIO);
    return {
      data: { ...data.counts, generation_seconds: data.generation_seconds },
      rounds_per_query: ROUNDS,
      goal_ratio: GOAL_RATIO,
      ...verdict,
      ...measured,
      valuations: vals,
      ok: verdict.every_plan_uses_an_index && sameRows && !(vals.worker && vals.worker.failed),
    };
  } finally {
    await admin.end();
  }
}
