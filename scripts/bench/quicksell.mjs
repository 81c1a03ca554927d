// QuickSell benchmark: the public feed, a seller's own listings and the
// weekly leaderboard under RLS against the same queries as the table owner,
// and points events applied per second on 8 connections. Writes
// bench/results/quicksell.json.
//
// Data (set-based with generate_series as the table owner): 50,000 sellers
// (users as GoTrue creates them) and 1,000,000 listings, 20 per seller, over
// 12 categories and two years, in every status (65% published, 10% sold,
// 10% draft, 8% delisted, 5% archived; 2% soft-deleted). The listing triggers
// that score points (listings_gamification_*) are off for the load only: they
// would write 1,000,000 ledger rows for users the points part does not look
// at; every other trigger (versions, status machine) and every foreign key
// stays on, and the gamification triggers are back on before anything is
// measured. Leaderboards: 12 weeks and 3 months of rows for every seller
// (what the engine would have written; the points part checks the engine
// itself on its own users).
//
// Queries, each ROUNDS times under RLS (anon or a signed-in seller, claims
// set as PostgREST does) and as the table owner with the same WHERE,
// interleaved:
//   feed_category_newest   anon: public listings of one category, newest first, 24
//   seller_own_listings    the seller: his listings (any status), newest first, 50
//   leaderboard_weekly     anon: this week's top 10 by points
//   leaderboard_weekly_sales anon: this week's top 10 by items sold
// Reports medians and their ratio (goal <= 1.2) and the plans of both sides
// (index scans, no sequential scan, no sort).
//
// Points: USERS fresh users; every user gets EVENTS_PER_USER distinct events
// of the rule bench_points (10 points each), and every event is sent twice,
// by two different connections, at about the same time (8 connections as
// service_role calling private.quicksell_award). Events go round-robin over
// the users, so the badge bench_century (total_points >= 100) is crossed by
// every user in the same round. Afterwards: each user has the badge once and
// one notification for it, the ledger has EVENTS_PER_USER rows per user, and
// the ledger sum equals user_stats.total_points and the leaderboards
// (private.quicksell_points_violations() is empty for them).
import pg from "pg";
import { closeAll, compareUnderRls, connections, createUsers, requester, round, rlsVerdict } from "./_lib.mjs";

const SCALE = Number(process.env.DOMUS_BENCH_QUICKSELL_SCALE ?? 1);
const SIZE = { sellers: Math.round(50_000 * SCALE), perSeller: 20, weeks: 12, months: 3 };
const ROUNDS = 300;
const WARMUP = 30;
const GOAL_RATIO = 1.2;
const POINTS = { connections: 8, users: 400, eventsPerUser: 25, points: 10, badgeAt: 100 };
const CATEGORIES = ["electronics", "clothing", "shoes", "books", "toys", "furniture", "sports", "music", "home", "garden",
  "collectibles", "jewelry"];

export const description = "public feed, own listings and weekly leaderboard under RLS vs owner; points events per second on 8 connections";

export async function generate(admin, step) {
  const t0 = Date.now();
  step(`quicksell: ${SIZE.sellers} sellers`);
  // Not createUsers: its e-mail takes 8 hex digits of the id, which collide
  // at 50,000 users; the same insert GoTrue makes, with the whole id.
  const { rows: created } = await admin.query(`
    insert into auth.users (id, aud, role, email, raw_user_meta_data, email_confirmed_at)
    select md5('bench-quicksell-' || g)::uuid, 'authenticated', 'authenticated',
           'bench-quicksell-' || md5('bench-quicksell-' || g)::uuid || '@bench.domus.dev',
           jsonb_build_object('full_name', 'bench-quicksell'), now()
    from generate_series(1, $1) g
    returning id`, [SIZE.sellers]);
  const sellers = created.map((r) => r.id);
  await admin.query("create temporary table bench_sellers as select id, (n - 1)::int as n from unnest($1::uuid[]) with ordinality u(id, n)", [sellers]);
  await admin.query("create unique index on bench_sellers (n)");

  const listings = SIZE.sellers * SIZE.perSeller;
  const gamification = ["listings_gamification_created", "listings_gamification_published"];
  step(`quicksell: ${listings} listings (gamification triggers off for the load; versions and status machine on)`);
  for (const t of gamification) await admin.query(`alter table quicksell.listings disable trigger ${t}`);
  const tLoad = Date.now();
  // Seller s's j-th listing; its status by (s*20+j) mod 100.
  try {
    await admin.query(`
      insert into quicksell.listings (user_id, title, description, category, condition, price, status, brand,
                                      created_at, updated_at, published_at, deleted_at)
      select s.id, 'Bench item ' || s.n || '-' || j, 'A generated listing for the benchmark', ($1::text[])[1 + (s.n * 7 + j) % 12],
             (enum_range(null::quicksell.listing_condition))[1 + (s.n + j) % 5], 5 + ((s.n * 31 + j * 17) % 995),
             st.status::quicksell.listing_status, 'Brand ' || (s.n % 40), d.at, d.at,
             case when st.status <> 'draft' then d.at + interval '1 hour' end,
             case when (s.n + j * 13) % 50 = 0 then d.at + interval '2 days' end
      from bench_sellers s
      cross join generate_series(0, ${SIZE.perSeller - 1}) j
      cross join lateral (select now() - make_interval(secs => ((s.n::bigint * 20 + j) * 7919) % (730 * 86400)) as at) d
      cross join lateral (select case when k < 65 then 'published' when k < 75 then 'sold' when k < 85 then 'draft'
                                      when k < 93 then 'delisted' else 'archived' end as status
                          from (select ((s.n::bigint * 20 + j) * 37) % 100 as k) x) st`,
    [CATEGORIES]);
  } finally {
    for (const t of gamification) await admin.query(`alter table quicksell.listings enable trigger ${t}`);
  }
  const loadSeconds = (Date.now() - tLoad) / 1000;

  step(`quicksell: leaderboards (${SIZE.weeks} weeks, ${SIZE.months} months per seller)`);
  await admin.query(`
    insert into quicksell.leaderboard_entries (period, period_start, user_id, points, sales_count, sales_revenue)
    select p.period, p.start, s.id, (s.n * 7919 + p.k * 104729) % 5000, ((s.n * 31 + p.k) % 40),
           ((s.n * 31 + p.k) % 40) * (10 + (s.n % 90))
    from bench_sellers s
    cross join (select 'weekly' as period, (date_trunc('week', now() at time zone 'UTC') - make_interval(weeks => k))::date as start, k
                from generate_series(0, ${SIZE.weeks - 1}) k
                union all
                select 'monthly', (date_trunc('month', now() at time zone 'UTC') - make_interval(months => k))::date, k
                from generate_series(0, ${SIZE.months - 1}) k) p`);
  await admin.query("vacuum (analyze) quicksell.listings, quicksell.leaderboard_entries, quicksell.listing_versions, public.profiles");
  const { rows: [counts] } = await admin.query(`
    select (select count(*) from quicksell.listings)::int as listings,
           (select count(distinct user_id) from quicksell.listings)::int as sellers,
           (select count(*) from quicksell.listing_versions)::int as listing_versions,
           (select count(*) from quicksell.leaderboard_entries)::int as leaderboard_entries,
           (select jsonb_object_agg(status, n) from (select status, count(*)::int as n from quicksell.listings group by status) x) as by_status`);
  return {
    sellers,
    counts,
    generation_seconds: round((Date.now() - t0) / 1000, 1),
    listing_load_seconds: round(loadSeconds, 1),
    listing_load_rows_per_s: Math.round(counts.listings / loadSeconds),
  };
}

const LISTING_COLUMNS = "l.id, l.user_id, l.title, l.category, l.condition, l.price, l.currency, l.status, l.created_at";

export function queries(sellers) {
  const week = "date_trunc('week', now() at time zone 'UTC')::date";
  const seller = (i) => sellers[(i * 7919) % sellers.length];
  return {
    feed_category_newest: {
      as: "anon",
      build: (i) => [`select ${LISTING_COLUMNS} from quicksell.listings l
        where l.status in ('published', 'sold') and l.deleted_at is null and l.category = $1
        order by l.published_at desc, l.id desc limit 24`, [CATEGORIES[i % CATEGORIES.length]]],
    },
    seller_own_listings: {
      as: "seller",
      user: seller,
      build: (i) => [`select ${LISTING_COLUMNS} from quicksell.listings l where l.user_id = $1
        order by l.created_at desc, l.id desc limit 50`, [seller(i)]],
    },
    leaderboard_weekly: {
      as: "anon",
      build: () => [`select e.user_id, e.points from quicksell.leaderboard_entries e
        where e.period = 'weekly' and e.period_start = ${week} order by e.points desc, e.user_id limit 10`, []],
    },
    leaderboard_weekly_sales: {
      as: "anon",
      build: () => [`select e.user_id, e.sales_count, e.sales_revenue from quicksell.leaderboard_entries e
        where e.period = 'weekly' and e.period_start = ${week}
        order by e.sales_count desc, e.sales_revenue desc, e.user_id limit 10`, []],
    },
  };
}

export async function measure(url, step, qs) {
  const [rls, owner] = await connections(url, 2);
  try {
    const results = {};
    for (const [name, q] of Object.entries(qs)) {
      step(`quicksell: ${name}: ${ROUNDS} runs under RLS (${q.as}) and as owner`);
      const who = (i) => requester(q.as === "anon" ? null : q.user(i));
      const { rls_ms_avg: _ra, owner_ms_avg: _oa, rls_vs_owner_mean_ratio: _mr, ...compared } = await compareUnderRls({
        rls, owner, build: q.build, who, rounds: ROUNDS, warmup: WARMUP,
      });
      results[name] = { as: q.as, ...compared };
    }
    return results;
  } finally {
    await closeAll([rls, owner]);
  }
}

// ------------------------------------------------------------ points

async function points(admin, url, step) {
  const { connections: n, users: u, eventsPerUser: k, points: each, badgeAt } = POINTS;
  step(`points: ${u} users, rule bench_points (${each}), badge bench_century at ${badgeAt} points`);
  const users = await createUsers(admin, u, "bench-quicksell-points");
  await admin.query(`insert into quicksell.points_rules (event, points, description) values ('bench_points', $1, 'benchmark')
                     on conflict (event) do update set points = excluded.points, daily_cap = null`, [each]);
  await admin.query(`insert into quicksell.badges (badge_key, badge_name, badge_description, requirement_type, requirement_value)
                     values ('bench_century', 'Bench century', 'benchmark', 'total_points', $1) on conflict (badge_key) do nothing`, [badgeAt]);
  await admin.query("analyze quicksell.user_stats, quicksell.points_ledger, quicksell.badges, quicksell.user_badges");

  // Event e = round * u + user index; every event is sent by connection
  // e % (n/2) and by connection e % (n/2) + n/2.
  const total = u * k;
  const half = n / 2;
  const clients = await connections(url, n, "set role service_role");
  let applied = 0;
  let repeats = 0;
  const errors = {};
  let seconds;
  try {
    const t0 = process.hrtime.bigint();
    await Promise.all(clients.map(async (client, c) => {
      for (let e = c % half; e < total; e += half) {
        const user = users[e % u];
        const key = `bench:${Math.floor(e / u)}`;
        try {
          const { rows: [r] } = await client.query("select private.quicksell_award($1, 'bench_points', $2) as p", [user, key]);
          if (r.p > 0) applied++;
          else repeats++;
        } catch (error) {
          const code = error.code ?? "client";
          errors[code] = (errors[code] ?? 0) + 1;
          errors.first_message ??= `${code}: ${error.message}`;
          if (!error.code) throw error;
        }
      }
    }));
    seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  } finally {
    await closeAll(clients);
  }

  step("points: the ledger, the stats, the badge");
  const { rows: [check] } = await admin.query(`
    select (select count(*)::int from quicksell.points_ledger where user_id = any($1)) as ledger_rows,
           (select coalesce(sum(points), 0)::bigint from quicksell.points_ledger where user_id = any($1)) as ledger_sum,
           (select coalesce(sum(total_points), 0)::bigint from quicksell.user_stats where user_id = any($1)) as stats_sum,
           (select count(*)::int from quicksell.user_stats where user_id = any($1) and total_points <> $2) as users_off_total,
           (select count(*)::int from private.quicksell_points_violations() v where v.user_id = any($1)) as violations,
           (select count(*)::int from quicksell.user_badges ub join quicksell.badges b on b.id = ub.badge_id
            where b.badge_key = 'bench_century' and ub.user_id = any($1)) as unlocks,
           (select count(distinct ub.user_id)::int from quicksell.user_badges ub join quicksell.badges b on b.id = ub.badge_id
            where b.badge_key = 'bench_century' and ub.user_id = any($1)) as users_unlocked,
           (select count(*)::int from public.notifications where user_id = any($1) and product = 'quicksell'
            and type = 'badge_unlocked' and data ->> 'badge_key' = 'bench_century') as notifications,
           (select coalesce(sum(points), 0)::bigint from quicksell.leaderboard_entries where user_id = any($1) and period = 'weekly') as weekly_sum`,
  [users, k * each]);
  const ledgerSum = Number(check.ledger_sum);
  const exact = check.ledger_rows === total && ledgerSum === total * each && Number(check.stats_sum) === ledgerSum
    && check.users_off_total === 0 && check.violations === 0 && Number(check.weekly_sum) === ledgerSum;
  const onceEach = check.unlocks === u && check.users_unlocked === u && check.notifications === u;
  return {
    connections: n,
    users: u,
    distinct_events: total,
    calls: total * 2,
    applied,
    repeats_answered_zero: repeats,
    seconds: round(seconds, 2),
    events_applied_per_s: round(applied / seconds),
    calls_per_s: round((applied + repeats) / seconds),
    errors,
    badge: { threshold_points: badgeAt, crossed_in_round: badgeAt / each, unlocks: check.unlocks, users_unlocked: check.users_unlocked,
      notifications: check.notifications, exactly_once: onceEach },
    ledger: { rows: check.ledger_rows, sum: ledgerSum, user_stats_sum: Number(check.stats_sum), weekly_leaderboard_sum: Number(check.weekly_sum),
      violations: check.violations, exact },
  };
}

export default async function quicksell({ url, step }) {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const data = await generate(admin, step);
    const measured = await measure(url, step, queries(data.sellers));
    const pointsResult = await points(admin, url, step);
    const { same_rows: sameRows, ...verdict } = rlsVerdict(measured, GOAL_RATIO);
    const { sellers: _s, ...rest } = data;
    return {
      data: rest,
      rounds_per_query: ROUNDS,
      goal_ratio: GOAL_RATIO,
      ...verdict,
      queries: measured,
      points: pointsResult,
      ok: verdict.every_plan_uses_an_index && sameRows && pointsResult.ledger.exact && pointsResult.badge.exactly_once
        && Object.keys(pointsResult.errors).length === 0,
    };
  } finally {
    await admin.end();
  }
}
