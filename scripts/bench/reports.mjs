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
// Rendering: the report-generate handler in-process under Deno
// (scripts/bench/_render.ts), one city_last_full_month market report per
// worker call, end to end (claim, statistics, HTML / JSON / CSV / PDF,
// uploads to the local Storage code, completion): seconds per report
// (median of RENDER_ROUNDS), sql_share = statistics seconds / total,
// rendering_share = the rest, and the function's peak rss. Runs before the
// functions gateway starts, so the gateway's scheduler cannot take the jobs.
// Checked: every report completed with its four files stored, closed sales
// as counted.
// Landing: reports.property_report_landing as anon (PostgREST's
// transaction: role, claims, the call) over LANDING.reports property
// reports in a shuffled order, p50 / p99, vs a plain indexed select of one
// property_reports row by short_code as its owner in the same run.
// Schedules: next_run_at for SCHEDULES rows (cadences, days and zones mixed):
// a bulk update that fires the trigger's recomputation (send_minute moved),
// and a plain select of private.reports_next_run_at over the same rows, vs
// the same update with send_minute written unchanged (every trigger fires,
// none recomputes). Checked: every row's next_run_at is the function's value.
//
// Webhooks (r2-hooks): WEBHOOK_EVENTS events to one endpoint on a local
// receiver that answers 500 to 20% of requests (at random, retries
// included), delivered by the reports-webhooks worker through the functions
// gateway (4 worker calls at once; the clock is moved for retries by making
// their jobs due). Deliveries per second = events / wall time until none is
// pending. Checked: every event's webhook-id got exactly one 2xx (none lost,
// none doubled), and the database says the same.
// REPORTS_BENCH_ONLY=<section>[,<section>...] (market_stats, rendering,
// landing, schedules, webhooks, api, leads) runs those alone and keeps the
// other sections of bench/results/reports.json as they were. `checks` says
// which sections passed their checks; `ok` is all of them.
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from "node:fs";
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
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { bin } from "../lib/setup.mjs";
import { DENO_CONFIG, stackKeys } from "../lib/stack.mjs";
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
import { closeAll, connections, createUsers, hammer, median, round } from "./_lib.mjs";

const WEBHOOK_EVENTS = 2000;
const WEBHOOK_FAIL_RATE = 0.2;

const SIZE = { sold: 100_000, open: 6_000, withdrawn: 3_000, otherCities: 20, otherListings: 60_000, years: 5 };
const CITY = "Bench Metro";
const ZIPS = ["73301", "73302", "73303", "73304", "73305", "73306", "73307", "73308"];
const ROUNDS = 15;

export const description = "market report statistics in SQL for a city with 100,000 sold homes; report-generate end to end (SQL vs rendering share, peak memory); the landing-page RPC vs an indexed select; next_run_at for 100,000 schedules; webhook deliveries to a receiver failing 20% of the time; API-key verification (one shared key, 8 keys) vs none; lead submissions with 30% over the rate limit";

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

/**
 * Runs a Deno half of this benchmark (scripts/bench/_*.ts); resolves to the
 * JSON on its last line of output. `onLine` sees every line as it comes
 * (the api half announces its phases that way).
 */
function runDeno(script, env, { allowWrite = null, onLine = () => {} } = {}) {
  const args = ["run", "--allow-net", "--allow-env", "--allow-read", ...(allowWrite ? [`--allow-write=${allowWrite}`] : []),
    "--config", DENO_CONFIG, fileURLToPath(new URL(script, import.meta.url))];
  return new Promise((resolve, reject) => {
    const child = spawn(bin("deno"), args, { env: { ...process.env, NO_COLOR: "1", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let pending = "";
    child.stdout.setEncoding("utf8").on("data", (d) => {
      out += d;
      pending += d;
      const lines = pending.split("\n");
      pending = lines.pop();
      for (const line of lines) onLine(line);
    });
    child.stderr.setEncoding("utf8").on("data", (d) => { err = (err + d).slice(-8000); });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`${script} exited ${code}:\n${err.slice(-4000)}`));
      else resolve(JSON.parse(out.trim().split("\n").pop()));
    });
  });
}

const RENDER_ROUNDS = 7;

async function rendering(admin, url, cluster, stats, step) {
  const [start, end] = periods().last_full_month;
  step(`reports: report-generate end to end, city_last_full_month (${start}..${end}), ${RENDER_ROUNDS} reports`);
  const [agent] = await createUsers(admin, 1, "bench-render");
  // Enough allowance for the runs (the bench measures rendering, not quotas).
  await admin.query("update public.accounts set monthly_report_limit_override = 1000 where id = $1", [agent]);
  const storageDir = join(cluster.dir, "render-storage");
  mkdirSync(storageDir, { recursive: true });
  const keys = stackKeys();
  const r = await runDeno("./_render.ts", {
    SUPABASE_DB_URL: url, SUPABASE_JWT_SECRET: keys.jwtSecret, SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
    BENCH_STORAGE_DIR: storageDir, BENCH_ACCOUNT_ID: agent, BENCH_ROUNDS: String(RENDER_ROUNDS),
    BENCH_PARAMS: JSON.stringify({ cities: [CITY], period_start: start, period_end: end, formats: ["html", "json", "csv", "pdf"] }),
  }, { allowWrite: storageDir });
  const { rows: [db] } = await admin.query(
    `select count(*) filter (where g.status = 'completed' and g.html_url is not null and g.json_url is not null
                               and g.csv_url is not null and g.pdf_url is not null)::int as completed,
            (select count(*)::int from storage.objects o where o.bucket_id = 'reports' and split_part(o.name, '/', 2) = any ($1::text[])) as objects
     from reports.report_generations g where g.id = any ($1::uuid[])`, [r.report_ids]);
  // The stored PDFs are real PDFs (on disk, where the local Storage keeps them).
  const pdfs = r.report_ids.filter((id) => {
    const file = join(storageDir, "reports", agent, id, "report.pdf");
    return existsSync(file) && statSync(file).size > 1000 && readFileSync(file).subarray(0, 5).toString() === "%PDF-";
  }).length;
  const n = r.report_ids.length;
  const ok = r.failures.length === 0 && n === RENDER_ROUNDS && db.completed === n && db.objects === 4 * n && pdfs === n
    && r.closed_sales === stats.reports.city_last_full_month.closed_sales;
  const { report_ids: _ids, failures, ...figures } = r;
  return {
    report: "city_last_full_month, formats html, json, csv, pdf; handler in-process under Deno, one report per worker call, local Storage code in-process (files on disk)",
    rounds: RENDER_ROUNDS,
    ...figures,
    hosted_memory_limit_mb: 256,
    stored: { reports_completed: db.completed, objects: db.objects, pdfs_checked: pdfs },
    failures: failures.slice(0, 3),
    checks_ok: ok,
  };
}

const LANDING = { reports: 10_000, owners: 10, calls: 5_000 };

const shuffled = (n, seed0 = 7) => {
  const order = Array.from({ length: n }, (_, i) => i);
  let seed = seed0;
  for (let i = n - 1; i > 0; i--) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = seed % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
};

async function landing(admin, url, step) {
  step(`reports: landing page RPC as anon over ${LANDING.reports} property reports, ${LANDING.calls} calls, vs an owner's indexed select`);
  const owners = await createUsers(admin, LANDING.owners, "bench-landing");
  const { rows: reports } = await admin.query(
    `insert into reports.property_reports (account_id, user_id, property_address, property_city, property_state, property_zip, status, comparables)
     select o, o, g || ' Landing Rd', 'Bench Metro', 'TX', '73301', 'completed',
            jsonb_build_array(jsonb_build_object('address', g || ' Comp St', 'price', 400000 + g, 'sqft', 1800, 'bedrooms', 3))
     from generate_series(1, $2::int) g cross join lateral (select ($1::uuid[])[1 + g % cardinality($1::uuid[])] as o) x
     returning short_code, account_id`, [owners, LANDING.reports]);
  await admin.query("analyze reports.property_reports");
  const order = shuffled(reports.length).slice(0, LANDING.calls);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const anonClaims = JSON.stringify({ role: "anon" });
  // One request as PostgREST makes it: a transaction, the role and claims, the statement.
  const request = async (role, claims, text, params) => {
    const t = process.hrtime.bigint();
    await client.query("begin");
    await client.query("select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)", [role, claims]);
    const res = await client.query(text, params);
    await client.query("commit");
    return [Number(process.hrtime.bigint() - t) / 1e6, res.rows];
  };
  const rpc = [];
  const plain = [];
  let shown = 0;
  let found = 0;
  try {
    for (let k = 0; k < 200; k++) { // warm-up
      const r = reports[order[k]];
      await request("anon", anonClaims, "select reports.property_report_landing($1) as page", [r.short_code]);
      await request("authenticated", JSON.stringify({ sub: r.account_id, role: "authenticated" }),
        "select * from reports.property_reports where short_code = $1", [r.short_code]);
    }
    for (const i of order) {
      const r = reports[i];
      // Interleaved, so both see the same machine at the same moment.
      const [ms, [row]] = await request("anon", anonClaims, "select reports.property_report_landing($1) as page", [r.short_code]);
      rpc.push(ms);
      if (row.page.short_code === r.short_code && row.page.pdf_available === false && !("account_id" in row.page)) shown++;
      const [ms2, rows] = await request("authenticated", JSON.stringify({ sub: r.account_id, role: "authenticated" }),
        "select * from reports.property_reports where short_code = $1", [r.short_code]);
      plain.push(ms2);
      if (rows.length === 1) found++;
    }
  } finally {
    await client.end();
  }
  const { rows: [views] } = await admin.query(
    `select coalesce(sum(view_count), 0)::int as views, count(*) filter (where view_count > 0)::int as viewed
     from reports.property_reports where account_id = any ($1::uuid[])`, [owners]);
  const calls = LANDING.calls + 200;
  const ok = shown === LANDING.calls && found === LANDING.calls && views.views === calls;
  const p50 = median(rpc);
  const p99 = pct(rpc, 99);
  return {
    property_reports: reports.length,
    calls: LANDING.calls,
    rpc: { ms_p50: round(p50, 3), ms_p99: round(pct(rpc, 99), 3), ms_max: round(Math.max(...rpc), 3) },
    baseline_owner_select: { ms_p50: round(median(plain), 3), ms_p99: round(pct(plain, 99), 3) },
    p50_ratio: round(p50 / median(plain), 2),
    p99_ratio: round(p99 / pct(plain, 99), 2),
    note: "each call is one PostgREST-shaped transaction (begin, role and claims, the statement, commit) on one connection; the RPC also counts the view (report row locked, stats and daily stats upserted, visitor recorded)",
    views_counted: views.views,
    checks_ok: ok,
  };
}

const SCHEDULES = { rows: 100_000, accounts: 50, rounds: 3 };
const ZONES = ["UTC", "America/New_York", "America/Los_Angeles", "Europe/London", "Africa/Johannesburg", "Asia/Tokyo", "Australia/Sydney", "America/Sao_Paulo"];

async function schedules(admin, step) {
  step(`reports: next_run_at for ${SCHEDULES.rows} schedules (bulk update through the trigger, plain select, baseline update)`);
  const accounts = await createUsers(admin, SCHEDULES.accounts, "bench-schedules");
  // Loaded with triggers off: the timed statements below are what compute next_run_at.
  await admin.query("set session_replication_role = replica");
  await admin.query(
    `insert into reports.schedules (account_id, city, cadence, weekly_dow, monthly_dom, send_hour, send_minute, time_zone)
     select ($1::uuid[])[1 + g % cardinality($1::uuid[])], 'Bench Metro',
            (array['daily', 'weekly', 'monthly'])[1 + g % 3],
            case when g % 3 = 1 then g % 7 end, case when g % 3 = 2 then 1 + g % 31 end,
            g % 24, (g * 7) % 60, ($2::text[])[1 + g % cardinality($2::text[])]
     from generate_series(1, $3::int) g`, [accounts, ZONES, SCHEDULES.rows]);
  await admin.query("set session_replication_role = origin");
  await admin.query("vacuum analyze reports.schedules");
  const where = "account_id = any ($1::uuid[])";
  const time = async (text) => {
    const t = process.hrtime.bigint();
    const res = await admin.query(text, [accounts]);
    return [Number(process.hrtime.bigint() - t) / 1e9, res];
  };
  const update = [];
  const baseline = [];
  const select = [];
  let mismatched = null;
  let counted = 0;
  for (let i = 0; i < SCHEDULES.rounds; i++) {
    // The trigger recomputes next_run_at: send_minute changed.
    await admin.query("begin");
    const [s, res] = await time(`update reports.schedules set send_minute = (send_minute + 1) % 60 where ${where}`);
    update.push(s);
    counted = res.rowCount;
    // Same transaction, same now(): the stored value is the function's.
    const { rows: [m] } = await admin.query(
      `select count(*) filter (where next_run_at is distinct from private.reports_next_run_at(cadence, weekly_dow, monthly_dom, send_hour,
                                                                                       send_minute, time_zone, now())
                                  or next_run_at <= now())::int as n
       from reports.schedules where ${where}`, [accounts]);
    await admin.query("commit");
    mismatched = Math.max(mismatched ?? 0, m.n);
    // Baseline: the same rows and columns written, every trigger fired, nothing to recompute.
    const [b] = await time(`update reports.schedules set send_minute = send_minute where ${where}`);
    baseline.push(b);
    const [p] = await time(
      `select count(private.reports_next_run_at(cadence, weekly_dow, monthly_dom, send_hour, send_minute, time_zone, now()))
       from reports.schedules where ${where}`);
    select.push(p);
    await admin.query("vacuum reports.schedules");
  }
  const u = median(update);
  const b = median(baseline);
  const p = median(select);
  return {
    schedules: SCHEDULES.rows,
    rounds: SCHEDULES.rounds,
    time_zones: ZONES.length,
    update_through_trigger: { seconds: round(u, 3), rows_per_second: Math.round(SCHEDULES.rows / u) },
    select_function: { seconds: round(p, 3), rows_per_second: Math.round(SCHEDULES.rows / p) },
    baseline_update_without_recompute: { seconds: round(b, 3), rows_per_second: Math.round(SCHEDULES.rows / b) },
    update_ratio_vs_baseline: round(u / b, 2),
    next_run_at_seconds_per_100k: round(u - b, 3),
    rows_updated: counted,
    mismatched,
    checks_ok: counted === SCHEDULES.rows && mismatched === 0,
  };
}

const API_REQUESTS_PER_CONNECTION = 400;

const API_PARTS_CALLS = 300;

/** What the database's backends wait on, sampled every few ms while `phaseOf()` names a phase. */
function waitSampler(url, phaseOf) {
  const client = new pg.Client({ connectionString: url, application_name: "domus-bench-waits" });
  const byPhase = {};
  let stop = false;
  const done = (async () => {
    await client.connect();
    while (!stop) {
      const phase = phaseOf();
      if (phase) {
        const { rows } = await client.query(
          `select coalesce(a.wait_event_type || ':' || a.wait_event, 'on CPU') as w,
                  (select string_agg(distinct coalesce(l.relation::regclass::text, l.locktype), ',') from pg_locks l
                   where l.pid = a.pid and not l.granted) as waiting_for
           from pg_stat_activity a
           where a.state = 'active' and a.pid <> pg_backend_pid() and a.backend_type = 'client backend' and a.datname = current_database()`);
        const p = (byPhase[phase] ??= { samples: 0, backends: 0, waits: {} });
        p.samples++;
        p.backends += rows.length;
        for (const r of rows) {
          const k = r.waiting_for ? `${r.w} (${r.waiting_for})` : r.w;
          p.waits[k] = (p.waits[k] ?? 0) + 1;
        }
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    await client.end();
  })();
  return {
    async stop() {
      stop = true;
      await done;
      const out = {};
      for (const [phase, p] of Object.entries(byPhase)) {
        const total = Object.values(p.waits).reduce((a, b) => a + b, 0) || 1;
        out[phase] = {
          samples: p.samples,
          active_backends_avg: round(p.backends / Math.max(1, p.samples), 2),
          share_of_active: Object.fromEntries(Object.entries(p.waits).sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => [k, round(v / total, 3)])),
        };
      }
      return out;
    },
  };
}

async function apiUser(admin, label, schedules = true) {
  const [user] = await createUsers(admin, 1, label);
  if (schedules) {
    await admin.query(
      `insert into reports.schedules (account_id, city, cadence, send_hour) select $1, 'Bench Metro', 'daily', h from generate_series(6, 10) h`,
      [user]);
  }
  await admin.query("begin");
  await admin.query("select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)",
    [JSON.stringify({ sub: user, role: "authenticated" })]);
  const { rows: [created] } = await admin.query(
    "select reports.create_api_key($1, 'bench', '{schedules:read}', 10000) as k", [user]);
  await admin.query("commit");
  const { rows: [k] } = await admin.query("select key_hash from reports.api_keys where id = $1", [created.k.id]);
  return { key: created.k.key, id: created.k.id, account_id: user, key_hash: k.key_hash };
}

/**
 * The verification's parts straight on 8 database connections, one key
 * (account) shared vs 8 of them: the whole call, the rate-limit window's
 * upsert alone, the metering (private.record_usage) alone. Fresh keys, so no
 * part counts against another's window.
 */
async function apiParts(admin, url) {
  const parts = {
    authenticate: (k) => ["select private.reports_authenticate_api_key($1, 'schedules:read')", [k.key_hash]],
    window_upsert: (k) => [
      `insert into reports.api_key_windows as w (key_id, window_start, hits, max_hits) values ($1, date_trunc('minute', now()), 1, 10000)
       on conflict (key_id, window_start) do update set hits = w.hits + 1, max_hits = excluded.max_hits where w.hits < excluded.max_hits
       returning w.hits`, [k.id]],
    record_usage: (k) => ["select private.record_usage($1, 'reports.api_call', 1, 'api:' || extensions.gen_random_uuid(), null, 'bench')", [k.account_id]],
  };
  const out = {};
  for (const [name, statement] of Object.entries(parts)) {
    const keys = [];
    for (let i = 0; i < 9; i++) keys.push(await apiUser(admin, `bench-api-part-${name}`, false));
    const clients = await connections(url, 8, "set role service_role");
    try {
      const result = {};
      for (const [mode, keyOf] of [["one_key", () => keys[8]], ["eight_keys", (c) => keys[c]]]) {
        await hammer(clients, 20, (client, c) => client.query(...statement(keyOf(c)))); // warm-up
        const r = await hammer(clients, API_PARTS_CALLS, (client, c) => client.query(...statement(keyOf(c))));
        result[mode] = { calls_per_second: Math.round(r.ok / r.seconds), errors: r.errors };
      }
      result.ratio = round(result.one_key.calls_per_second / result.eight_keys.calls_per_second, 2);
      out[name] = result;
    } finally {
      await closeAll(clients);
    }
  }
  return out;
}

async function apiBench(admin, url, step) {
  step(`reports: api function, GET /schedules on 8 connections x ${API_REQUESTS_PER_CONNECTION}: one key shared, 8 keys of 8 accounts, no authentication`);
  const shared = await apiUser(admin, "bench-api");
  const keys = [];
  for (let i = 0; i < 8; i++) keys.push(await apiUser(admin, `bench-api-${i}`));
  let phase = null;
  const sampler = waitSampler(url, () => phase);
  let r;
  try {
    r = await runDeno("./_api.ts", {
      SUPABASE_DB_URL: url, BENCH_REQUESTS: String(API_REQUESTS_PER_CONNECTION),
      BENCH_SHARED_KEY: JSON.stringify(shared), BENCH_KEYS: JSON.stringify(keys),
    }, {
      onLine: (line) => {
        if (line.startsWith('{"phase"')) phase = JSON.parse(line).phase === "done" ? null : JSON.parse(line).phase;
      },
    });
  } finally {
    phase = null;
  }
  const waits = await sampler.stop();
  step("reports: api verification's parts on 8 database connections, one key vs 8");
  const parts = await apiParts(admin, url);
  const accounts = [shared, ...keys].map((k) => k.account_id);
  const { rows: usage } = await admin.query(
    `select account_id, count(*)::int as n from public.usage_events where account_id = any ($1::uuid[]) and feature = 'reports.api_call' group by account_id`,
    [accounts]);
  const used = Object.fromEntries(usage.map((u) => [u.account_id, u.n]));
  // Every verified call is metered: warm-ups (25 per connection) included.
  const expectShared = 8 * (API_REQUESTS_PER_CONNECTION + 25);
  const expectOwn = API_REQUESTS_PER_CONNECTION + 25;
  const meteredOk = used[shared.account_id] === expectShared && keys.every((k) => used[k.account_id] === expectOwn);
  const all200 = (x) => x.statuses["200"] === x.requests;
  const ok = all200(r.one_key) && all200(r.eight_keys) && all200(r.without_auth) && meteredOk;
  return {
    route: "GET /schedules (5 schedules), handler in-process under Deno, 8 concurrent connections (pool of 8)",
    one_key: r.one_key,
    eight_keys: r.eight_keys,
    without_auth: r.without_auth,
    rps_ratio_one_key: round(r.one_key.requests_per_second / r.without_auth.requests_per_second, 2),
    rps_ratio_eight_keys: round(r.eight_keys.requests_per_second / r.without_auth.requests_per_second, 2),
    p99_ratio_one_key: round(r.one_key.p99_ms / r.without_auth.p99_ms, 2),
    p99_ratio_eight_keys: round(r.eight_keys.p99_ms / r.without_auth.p99_ms, 2),
    database_waits: waits,
    parts_on_8_connections: parts,
    usage_events_recorded: { shared_key: used[shared.account_id] ?? 0, per_own_key: keys.map((k) => used[k.account_id] ?? 0), expected_shared: expectShared, expected_own: expectOwn },
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

const SECTIONS = ["market_stats", "rendering", "landing", "schedules", "webhooks", "api", "leads"];
const sectionOk = (name, v) => (name === "market_stats" ? Object.values(v).every((r) => r.checks_ok) : (v.checks_ok ?? v.ok)) === true;

export default async function reports({ url, cluster, step, functions }) {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    // REPORTS_BENCH_ONLY=landing,api runs those sections alone and keeps the
    // others of bench/results/reports.json as they were.
    const only = process.env.REPORTS_BENCH_ONLY ? process.env.REPORTS_BENCH_ONLY.split(",").map((x) => x.trim()) : SECTIONS;
    const unknown = only.filter((x) => !SECTIONS.includes(x));
    if (unknown.length) throw new Error(`REPORTS_BENCH_ONLY: unknown section ${unknown.join(", ")}; sections: ${SECTIONS.join(", ")}`);
    const file = join(root, "bench", "results", "reports.json");
    const { benchmark: _b, description: _d, started_at: _s, environment: _e, ok: _ok, ...before } =
      only.length < SECTIONS.length && existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
    const out = { ...before };
    const wants = (x) => only.includes(x);
    if (wants("market_stats") || wants("rendering")) {
      out.data = await generate(admin, step);
      const stats = await marketStats(admin, step);
      out.rounds = ROUNDS;
      out.market_stats = stats.reports;
      out.seconds_per_report = stats.headline_seconds_per_report;
      // Before anything starts the functions gateway (webhooks): nothing else may claim render jobs.
      if (wants("rendering")) out.rendering = await rendering(admin, url, cluster, stats, step);
      if (wants("rendering")) step(`reports: rendering ${JSON.stringify(out.rendering)}`);
    }
    if (wants("landing")) step(`reports: landing ${JSON.stringify(out.landing = await landing(admin, url, step))}`);
    if (wants("schedules")) out.schedules = await schedules(admin, step);
    if (wants("webhooks")) out.webhooks = await webhooks(admin, step, functions);
    if (wants("api")) out.api = await apiBench(admin, url, step);
    if (wants("leads")) out.leads = await leads(url, admin, step);
    const checks = Object.fromEntries(SECTIONS.filter((x) => out[x]).map((x) => [x, sectionOk(x, out[x])]));
    return { ...out, checks, ok: SECTIONS.every((x) => checks[x] === true) };
  } finally {
    await admin.end();
  }
}
