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
//
// Webhooks (r2-hooks): WEBHOOK_EVENTS events to one endpoint on a local
// receiver that answers 500 to 20% of requests (at random, retries
// included), delivered by the reports-webhooks worker through the functions
// gateway (4 worker calls at once; the clock is moved for retries by making
// their jobs due). Deliveries per second = events / wall time until none is
// pending. Checked: every event's webhook-id got exactly one 2xx (none lost,
// none doubled), and the database says the same.
// REPORTS_BENCH_ONLY=webhooks runs that section alone and keeps the other
// sections of bench/results/reports.json as they were.
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import pg from "pg";
import { userToken } from "../lib/jwt.mjs";
import { root } from "../lib/setup.mjs";
// api (r2-api): the api function's handler in-process (scripts/bench/_api.ts
// under Deno) on 8 concurrent connections, GET /schedules: requests per
// second and p99 with API-key verification (checksum, SHA-256, the atomic
// per-minute count and the metering in one database call) vs the same
// handler and route with authentication stubbed out; ratio = with / without.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { bin } from "../lib/setup.mjs";
import { DENO_CONFIG } from "../lib/stack.mjs";
// Leads (r2-leads): lead submissions per second through
// private.reports_submit_lead (the decision the function reports-leads
// hands to the database: input, report, blocked ranges, both sliding
// windows under advisory locks, the lead and its notification job) on 8
// connections, 30% of them over the per-sender limit: per report, 7 senders,
// 3 sending 10 and 4 sending 5 (limit 5 per sender), so 35 of 50 accepted,
// in a deterministic shuffle over all connections. Counts asserted exactly:
// leads, accepted and refused window counts, jobs queued, and the refused
// answers. 200 blocked ranges are in place, so every submission pays for
// the GiST lookup.
import { closeAll, connections, createUsers, median, round } from "./_lib.mjs";

const WEBHOOK_EVENTS = 2000;
const WEBHOOK_FAIL_RATE = 0.2;

const SIZE = { sold: 100_000, open: 6_000, withdrawn: 3_000, otherCities: 20, otherListings: 60_000, years: 5 };
const CITY = "Bench Metro";
const ZIPS = ["73301", "73302", "73303", "73304", "73305", "73306", "73307", "73308"];
const ROUNDS = 15;

export const description = "market report statistics in SQL for a city with 100,000 sold homes; webhook deliveries to a receiver failing 20% of the time; API-key verification vs none; lead submissions with 30% over the rate limit; hooks for rendering, landing page, schedules";

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

const API_REQUESTS_PER_CONNECTION = 400;

async function apiBench(admin, url, step) {
  step(`reports: api function, GET /schedules on 8 connections x ${API_REQUESTS_PER_CONNECTION}, with and without key verification`);
  const { rows: [user] } = await admin.query(
    `insert into auth.users (id, aud, role, email, raw_user_meta_data, email_confirmed_at)
     values (extensions.gen_random_uuid(), 'authenticated', 'authenticated', 'bench-api@bench.domus.dev',
             '{"full_name": "Bench API"}', now()) returning id`);
  await admin.query(
    `insert into reports.schedules (account_id, city, cadence, send_hour) select $1, 'Bench Metro', 'daily', h from generate_series(6, 10) h`,
    [user.id]);
  await admin.query("begin");
  await admin.query("select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)",
    [JSON.stringify({ sub: user.id, role: "authenticated" })]);
  const { rows: [created] } = await admin.query(
    "select reports.create_api_key($1, 'bench', '{schedules:read}', 10000) as k", [user.id]);
  await admin.query("commit");
  const out = execFileSync(bin("deno"), ["run", "--allow-net", "--allow-env", "--allow-read", "--config", DENO_CONFIG,
    fileURLToPath(new URL("./_api.ts", import.meta.url))], {
    env: { ...process.env, NO_COLOR: "1", SUPABASE_DB_URL: url, BENCH_API_KEY: created.k.key, BENCH_KEY_ID: created.k.id,
           BENCH_ACCOUNT_ID: user.id, BENCH_REQUESTS: String(API_REQUESTS_PER_CONNECTION) },
    encoding: "utf8", maxBuffer: 1 << 24,
  });
  const r = JSON.parse(out.trim().split("\n").pop());
  const { rows: [usage] } = await admin.query(
    "select count(*)::int as n from public.usage_events where account_id = $1 and feature = 'reports.api_call'", [user.id]);
  const ok = r.with_key.statuses["200"] === r.with_key.requests && r.without_auth.statuses["200"] === r.without_auth.requests;
  return {
    route: "GET /schedules (5 schedules), handler in-process under Deno, 8 concurrent connections (pool of 8)",
    with_key: r.with_key,
    without_auth: r.without_auth,
    rps_ratio: round(r.with_key.requests_per_second / r.without_auth.requests_per_second, 2),
    p99_ratio: round(r.with_key.p99_ms / r.without_auth.p99_ms, 2),
    usage_events_recorded: usage.n,
    ok,
  };
}

const LEADS = { reports: 40, heavy: 3, light: 4, heavySends: 10, lightSends: 5, connections: 8, blockedRanges: 200 };

export async function leads(url, admin, step) {
  const perReport = LEADS.heavy * LEADS.heavySends + LEADS.light * LEADS.lightSends;
  const total = LEADS.reports * perReport;
  step(`reports: leads, ${total} submissions on ${LEADS.connections} connections (${LEADS.reports} reports, 30% over the limit)`);
  const [agent] = await createUsers(admin, 1, "bench-leads");
  const { rows: reports } = await admin.query(
    `insert into reports.property_reports (account_id, user_id, property_address)
     select $1, $1, 'Bench Lead ' || g from generate_series(1, $2::int) g returning short_code`, [agent, LEADS.reports]);
  await admin.query(
    `insert into reports.blocked_ips (ip_address, reason)
     select ('100.' || (64 + g / 250) || '.' || (g % 250) || '.0/24')::inet, 'bench' from generate_series(1, $1::int) g`, [LEADS.blockedRanges]);
  // Every submission: [short code, sender]; senders 0..2 of a report send 10, 3..6 send 5.
  const work = [];
  reports.forEach((r, ri) => {
    for (let s = 0; s < LEADS.heavy + LEADS.light; s++) {
      const sends = s < LEADS.heavy ? LEADS.heavySends : LEADS.lightSends;
      for (let k = 0; k < sends; k++) work.push([r.short_code, `198.18.${ri}.${s + 1}`]);
    }
  });
  let seed = 42;
  for (let i = work.length - 1; i > 0; i--) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = seed % (i + 1);
    [work[i], work[j]] = [work[j], work[i]];
  }
  const clients = await connections(url, LEADS.connections, "set role service_role");
  const outcomes = { accepted: 0, blocked: 0, rate_limited: 0 };
  const times = [];
  const started = process.hrtime.bigint();
  try {
    await Promise.all(clients.map(async (client, c) => {
      for (let i = c; i < work.length; i += LEADS.connections) {
        const [code, ip] = work[i];
        const t = process.hrtime.bigint();
        const { rows: [r] } = await client.query(
          "select private.reports_submit_lead($1, $2::inet, 'Bench Visitor', $3, null, 'Is it still available?', true, 'landing_page') as r",
          [code, ip, `visitor-${i}@bench.domus.dev`]);
        times.push(Number(process.hrtime.bigint() - t) / 1e6);
        outcomes[r.r.outcome]++;
      }
    }));
  } finally {
    await closeAll(clients);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const { rows: [counts] } = await admin.query(
    `select (select count(*)::int from reports.leads l where l.account_id = $1) as leads,
            (select coalesce(sum(w.attempt_count), 0)::int from reports.lead_rate_limits w
               join reports.property_reports r on r.id = w.property_report_id where r.account_id = $1) as window_accepted,
            (select coalesce(sum(w.refused_count), 0)::int from reports.lead_rate_limits w
               join reports.property_reports r on r.id = w.property_report_id where r.account_id = $1) as window_refused,
            (select count(*)::int from public.jobs j where j.queue = 'reports.leads' and j.account_id = $1) as jobs,
            (select total_leads from reports.property_report_stats s join reports.property_reports r on r.id = s.property_report_id
              where r.account_id = $1 order by r.short_code limit 1) as first_report_leads`, [agent]);
  const accepted = LEADS.reports * (LEADS.heavy + LEADS.light) * LEADS.lightSends;
  const refused = total - accepted;
  const ok = outcomes.accepted === accepted && outcomes.rate_limited === refused && outcomes.blocked === 0
    && counts.leads === accepted && counts.window_accepted === accepted && counts.window_refused === refused
    && counts.jobs === accepted && counts.first_report_leads === accepted / LEADS.reports;
  const sorted = [...times].sort((a, b) => a - b);
  return {
    ok,
    submissions: total,
    connections: LEADS.connections,
    over_limit_share: round(refused / total, 2),
    submissions_per_second: round(total / seconds, 1),
    seconds: round(seconds, 2),
    ms_p50: round(median(times), 2),
    ms_p99: round(sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)], 2),
    expected: { accepted, refused },
    answers: outcomes,
    stored: counts,
    blocked_ranges: LEADS.blockedRanges,
  };
}

const exists = async (admin, signature) =>
  (await admin.query("select to_regprocedure($1) is not null as present", [signature])).rows[0].present;

async function webhooks(admin, step, functions) {
  const gateway = await functions();
  const answered = new Map(); // webhook-id -> 2xx answers
  let requests = 0;
  let failures = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      requests++;
      const id = req.headers["webhook-id"];
      if (!id || !req.headers["webhook-signature"]?.startsWith("v1,")) {
        res.writeHead(400).end();
        return;
      }
      if (Math.random() < WEBHOOK_FAIL_RATE) {
        failures++;
        res.writeHead(500).end("bench: failing on purpose");
        return;
      }
      answered.set(id, (answered.get(id) ?? 0) + 1);
      res.writeHead(204).end();
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  try {
    const userId = randomUUID();
    const email = `bench-hooks-${userId.slice(0, 8)}@bench.domus.dev`;
    await admin.query(
      `insert into auth.users (id, aud, role, email, raw_user_meta_data, email_confirmed_at)
       values ($1, 'authenticated', 'authenticated', $2, '{"full_name": "Bench Hooks"}', now())`, [userId, email]);
    const sessionId = randomUUID();
    await admin.query("insert into auth.sessions (id, user_id, user_agent) values ($1, $2, 'bench')", [sessionId, userId]);
    const token = userToken({ sub: userId, email, sessionId });
    const created = await fetch(`${gateway.url}/reports-webhooks`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ action: "create", accountId: userId, url: `http://127.0.0.1:${server.address().port}/hook`, events: ["report.completed"] }),
    });
    if (created.status !== 201) throw new Error(`webhooks: create answered ${created.status}: ${await created.text()}`);
    const { webhook } = await created.json();
    step(`reports: webhooks, ${WEBHOOK_EVENTS} events to a receiver failing ${WEBHOOK_FAIL_RATE * 100}% of the time`);
    const t0 = process.hrtime.bigint();
    await admin.query(
      "select private.reports_emit_event($1, 'report.completed', jsonb_build_object('report_id', g)) from generate_series(1, $2) g",
      [userId, WEBHOOK_EVENTS]);
    const work = () => fetch(`${gateway.url}/reports-webhooks`, {
      method: "POST",
      headers: { authorization: `Bearer ${gateway.env.SUPABASE_SERVICE_ROLE_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ queue: "reports.webhooks", batchSize: 50 }),
    }).then((r) => r.text());
    let rounds = 0;
    for (;;) {
      rounds++;
      await Promise.all([work(), work(), work(), work()]);
      const { rows: [left] } = await admin.query(
        "select count(*)::int as n from reports.webhook_deliveries where webhook_id = $1 and status = 'pending'", [webhook.id]);
      if (left.n === 0 || rounds > 50) break;
      // The retries are due in 5 s and more: move the clock.
      await admin.query(
        `update public.jobs j set run_at = now() from reports.webhook_deliveries d
         where d.webhook_id = $1 and d.status = 'pending' and j.queue = 'reports.webhooks' and j.idempotency_key = d.id::text and j.status = 'queued'`,
        [webhook.id]);
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const { rows: [db] } = await admin.query(
      `select count(distinct message_id) filter (where status = 'delivered')::int as delivered_ids,
              count(*) filter (where status = 'delivered')::int as delivered_rows,
              count(*) filter (where status in ('pending', 'dead'))::int as undelivered,
              count(*)::int as attempts, max(attempt)::int as max_attempt
       from reports.webhook_deliveries where webhook_id = $1`, [webhook.id]);
    const doubled = [...answered.values()].filter((n) => n > 1).length;
    const ok = answered.size === WEBHOOK_EVENTS && doubled === 0 && db.delivered_ids === WEBHOOK_EVENTS &&
      db.delivered_rows === WEBHOOK_EVENTS && db.undelivered === 0;
    return {
      events: WEBHOOK_EVENTS,
      fail_rate: WEBHOOK_FAIL_RATE,
      seconds: round(seconds, 2),
      deliveries_per_second: round(WEBHOOK_EVENTS / seconds, 1),
      attempts_per_second: round(db.attempts / seconds, 1),
      attempts: db.attempts,
      receiver_requests: requests,
      receiver_failures: failures,
      max_attempt: db.max_attempt,
      worker_rounds: rounds,
      lost: WEBHOOK_EVENTS - answered.size,
      doubled,
      checks_ok: ok,
    };
  } finally {
    server.close();
  }
}

export default async function reports({ url, step, functions }) {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    if (process.env.REPORTS_BENCH_ONLY === "webhooks") {
      const file = join(root, "bench", "results", "reports.json");
      const { benchmark: _b, description: _d, started_at: _s, environment: _e, ...before } = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
      const hooks = await webhooks(admin, step, functions);
      return { ...before, webhooks: hooks, ok: (before.ok ?? true) && hooks.checks_ok };
    }
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
    const hooksResult = await webhooks(admin, step, functions);
    const api = await apiBench(admin, url, step);
    const leadsSection = await leads(url, admin, step);
    return {
      data,
      rounds: ROUNDS,
      market_stats: stats.reports,
      seconds_per_report: stats.headline_seconds_per_report,
      rendering,
      landing,
      schedules,
      webhooks: hooksResult,
      api,
      leads: leadsSection,
      ok: stats.ok && hooksResult.checks_ok && api.ok && leadsSection.ok,
    };
  } finally {
    await admin.end();
  }
}
