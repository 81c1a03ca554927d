// Reports benchmark. Writes bench/results/reports.json.
//
// Market statistics: one city ("Bench Metro", TX) with 100,000 sold homes
// over five years (about 1,700 closed sales a month), 6,000 on the market
// (active, under contract) and 3,000 withdrawn, beside 60,000 listings in
// 20 other cities, loaded set-based (triggers off, derived columns written
// out), then ANALYZE. Timed: private.reports_market_stats (the whole
// statistics document: the period, its MoM and YoY periods, 13 monthly
// points) for the last full month and for the last 12 months, ROUNDS each,
// by city and by ZIP code; seconds per report (median, p95, max). Every
// report is checked: enough_data, 13 series points, closed sales equal to a
// plain count.
//
// Sections filled after the merge of the other Reports branches (each is
// measured here when its function exists on this branch, else left as a
// TODO the lead fills):
//   rendering   report-generate: SQL share vs rendering share of one report
//               and the function's peak memory (rp-render);
//   landing     reports.property_report_landing p50 / p99 (rp-core);
//   schedules   next_run_at for 100,000 schedules (rp-msg).
import pg from "pg";
import { median, round } from "./_lib.mjs";

const SIZE = { sold: 100_000, open: 6_000, withdrawn: 3_000, otherCities: 20, otherListings: 60_000, years: 5 };
const CITY = "Bench Metro";
const ZIPS = ["73301", "73302", "73303", "73304", "73305", "73306", "73307", "73308"];
const ROUNDS = 15;

export const description = "market report statistics in SQL for a city with 100,000 sold homes; hooks for rendering, landing page, schedules";

const pct = (xs, p) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

export async function generate(admin, step) {
  step(`reports: ${SIZE.sold} sold homes in ${CITY}, ${SIZE.open + SIZE.withdrawn} more on and off its market, ${SIZE.otherListings} elsewhere`);
  const t0 = Date.now();
  const { rows: [owner] } = await admin.query(
    `insert into auth.users (id, aud, role, email, raw_user_meta_data, email_confirmed_at)
     values (extensions.gen_random_uuid(), 'authenticated', 'authenticated', 'bench-reports@bench.domus.dev',
             '{"full_name": "Bench Reports"}', now()) returning id`);
  await admin.query("set session_replication_role = replica");
  const total = SIZE.sold + SIZE.open + SIZE.withdrawn + SIZE.otherListings;
  const days = SIZE.years * 365;
  // g <= sold: sold in the city; then open (active / under contract), then
  // withdrawn, then other cities (a mix of every state).
  await admin.query(`
    create temporary table bench_market as
    with k as (select $2::int as sold, $2::int + $3::int as open, $2::int + $3::int + $4::int as city_end, $5::text as city,
                      $6::int as cities, $7::text[] as zips, $8::int as days)
    select g,
           md5('bench-report-property-' || g)::uuid as property_id,
           case when g <= k.city_end then k.city else 'Bench Town ' || (g % k.cities) end as city,
           case when g <= k.city_end then (k.zips)[1 + g % cardinality(k.zips)] else lpad((20000 + g % (k.cities * 5))::text, 5, '0') end as zip,
           case when g <= k.sold then 'sold' when g <= k.open then (case when g % 4 = 0 then 'under_contract' else 'active' end)
                when g <= k.city_end then 'withdrawn'
                else (array['sold', 'sold', 'active', 'withdrawn', 'draft'])[1 + g % 5] end as status,
           900 + (g * 137) % 2600 as area,
           (180 + (g % 17) * 6) * (1 + ((g * 7919) % k.days) / k.days::numeric * 0.25) as ppsf,
           current_date - ((g * 7919) % k.days) as sold_on,
           5 + (g * 13) % 90 as dom,
           0.93 + (g % 11) / 100.0 as sale_to_list
    from k cross join generate_series(1, $1::int) g`,
  [total, SIZE.sold, SIZE.open, SIZE.withdrawn, CITY, SIZE.otherCities, ZIPS, days]);
  await admin.query(`
    insert into homes.properties (id, owner_id, address, city, state, postal_code, bedrooms, bathrooms, living_area_sqft, currency,
                                  last_sold_price, last_sold_at, is_listed)
    select m.property_id, $1, m.g || ' Bench Ave', m.city, 'TX', m.zip, 2 + m.g % 4, 1 + (m.g % 3) * 0.5, m.area, 'USD',
           case when m.status = 'sold' then round(m.area * m.ppsf / 500) * 500 end,
           case when m.status = 'sold' then m.sold_on end, m.status = 'active'
    from bench_market m`, [owner.id]);
  await admin.query(`
    insert into homes.listings (id, property_id, seller_id, status, asking_price, currency, published_at, sold_price, sold_at, withdrawn_at,
                                city, state, postal_code, bedrooms, bathrooms, living_area_sqft)
    select md5('bench-report-listing-' || m.g)::uuid, m.property_id, $1, m.status,
           round(m.area * m.ppsf / m.sale_to_list / 1000) * 1000, 'USD',
           case when m.status = 'draft' then null
                when m.status = 'sold' then (m.sold_on - m.dom)::timestamp at time zone 'UTC' + interval '9 hours'
                else now() - make_interval(days => 1 + (m.g * 31) % 400) end,
           case when m.status = 'sold' then round(m.area * m.ppsf / 500) * 500 end,
           case when m.status = 'sold' then m.sold_on::timestamp at time zone 'UTC' + interval '14 hours' end,
           case when m.status = 'withdrawn' then now() - make_interval(days => (m.g * 31) % 400 / 2) end,
           m.city, 'TX', m.zip, 2 + m.g % 4, 1 + (m.g % 3) * 0.5, m.area
    from bench_market m`, [owner.id]);
  await admin.query("set session_replication_role = origin");
  step("reports: analyze");
  await admin.query("vacuum analyze homes.properties, homes.listings");
  const { rows: [counts] } = await admin.query(`
    select count(*) filter (where lower(city) = lower($1) and status = 'sold')::int as city_sold,
           count(*) filter (where lower(city) = lower($1) and status in ('active', 'under_contract'))::int as city_on_market,
           count(*)::int as listings
    from homes.listings`, [CITY]);
  return { ...counts, generation_seconds: round((Date.now() - t0) / 1000, 1) };
}

function periods() {
  const today = new Date();
  const firstOfMonth = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1));
  const lastFullEnd = new Date(firstOfMonth.getTime() - 86_400_000);
  const lastFullStart = new Date(Date.UTC(lastFullEnd.getUTCFullYear(), lastFullEnd.getUTCMonth(), 1));
  const yearStart = new Date(Date.UTC(lastFullEnd.getUTCFullYear(), lastFullEnd.getUTCMonth() - 11, 1));
  const d = (x) => x.toISOString().slice(0, 10);
  return {
    last_full_month: [d(lastFullStart), d(lastFullEnd)],
    last_12_months: [d(yearStart), d(lastFullEnd)],
  };
}

async function marketStats(admin, step) {
  const cases = [];
  for (const [name, [start, end]] of Object.entries(periods())) {
    cases.push({ name: `city_${name}`, cities: [CITY.toUpperCase()], zips: null, start, end });
    cases.push({ name: `zip_codes_${name}`, cities: null, zips: ZIPS, start, end });
  }
  const results = {};
  let allOk = true;
  for (const c of cases) {
    step(`reports: market statistics, ${c.name} (${c.start}..${c.end}), ${ROUNDS} runs`);
    const { rows: [expected] } = await admin.query(
      `select count(*)::int as n from homes.listings
       where status = 'sold' and (lower(city) = any ($1) or postal_code = any ($2))
         and sold_at >= $3::date::timestamp at time zone 'UTC' and sold_at < ($4::date + 1)::timestamp at time zone 'UTC'`,
      [(c.cities ?? []).map((x) => x.toLowerCase()), c.zips ?? [], c.start, c.end]);
    const times = [];
    let doc = null;
    for (let i = 0; i < ROUNDS + 2; i++) {
      const t = process.hrtime.bigint();
      const { rows: [r] } = await admin.query("select private.reports_market_stats($1, $2, $3, $4) as doc", [c.cities, c.zips, c.start, c.end]);
      const s = Number(process.hrtime.bigint() - t) / 1e9;
      if (i >= 2) times.push(s); // two warm-up runs
      doc = r.doc;
    }
    const ok = doc.enough_data === true && doc.series.length === 13 && doc.closed_sales === expected.n;
    allOk &&= ok;
    results[c.name] = {
      period: [c.start, c.end],
      seconds_median: round(median(times), 4),
      seconds_p95: round(pct(times, 95), 4),
      seconds_max: round(Math.max(...times), 4),
      closed_sales: doc.closed_sales,
      active_inventory: doc.metrics.active_inventory.value,
      median_sale_price: doc.metrics.median_sale_price.value,
      checks_ok: ok,
    };
  }
  return { ok: allOk, reports: results, headline_seconds_per_report: results.city_last_full_month.seconds_median };
}

const exists = async (admin, signature) =>
  (await admin.query("select to_regprocedure($1) is not null as present", [signature])).rows[0].present;

export default async function reports({ url, step }) {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const data = await generate(admin, step);
    const stats = await marketStats(admin, step);
    // --- Hooks for the merged branches (see the header). -----------------
    const rendering = {
      todo: "rp-render: time report-generate end to end for the city_last_full_month report; sql_share = statistics seconds / total, rendering_share = the rest; peak_memory_mb of the function (Deno.memoryUsage().rss high-water mark)",
      statistics_seconds: stats.headline_seconds_per_report,
    };
    const landing = (await exists(admin, "reports.property_report_landing(text)"))
      ? { todo: "reports.property_report_landing exists on this branch: measure p50 / p99 over property_reports rows (lead)" }
      : { todo: "rp-core: reports.property_report_landing(p_short_code) p50 / p99 over 10,000 property reports" };
    const schedules = { todo: "rp-msg: next_run_at computed for 100,000 schedules (seconds, rows per second)" };
    return {
      data,
      rounds: ROUNDS,
      market_stats: stats.reports,
      seconds_per_report: stats.headline_seconds_per_report,
      rendering,
      landing,
      schedules,
      ok: stats.ok,
    };
  } finally {
    await admin.end();
  }
}
