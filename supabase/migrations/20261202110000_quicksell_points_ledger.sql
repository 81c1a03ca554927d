-- QuickSell (seed 001), gamification part 1: the points engine.
--   * quicksell.points_rules: event -> points (and an optional daily cap, so
--     creating and deleting drafts in a loop stops scoring after the cap);
--   * quicksell.levels: level -> points threshold; user_stats.current_level
--     is the highest level whose threshold total_points has reached;
--   * quicksell.points_ledger: append-only, one row per scored event,
--     idempotent by (user_id, event, idempotency_key): one event never scores
--     twice, however often its trigger, retry or replay runs. A reversal (a
--     refunded sale) is a new row pointing at the row it reverses (`reverses`,
--     unique: one reversal per row), never an edit;
--   * quicksell.leaderboard_entries: weekly and monthly totals per user
--     (points from the ledger; items sold and revenue from sales), updated in
--     the same transaction as the event, so a leaderboard is current at
--     commit; the top N is one index scan of (period, period_start, points
--     desc) or (period, period_start, sales_count desc, sales_revenue desc);
--   * private.quicksell_award(user, event, idempotency_key, ref) returns the
--     points added now (0 on a repeat): the one way points are earned.
-- Who may do what (service_role bypasses RLS; its rights are the grants):
-- everyone (anon too) reads rules, levels and leaderboards
-- (leaderboards and profiles are public); a user reads his own ledger rows,
-- platform admins every row; service_role edits rules and levels; nobody
-- writes the ledger, user_stats or the leaderboards except this code
-- (security definer functions called by triggers and the sale RPCs).
-- Invariants: user_stats.total_points = sum(points_ledger.points) per user;
-- leaderboard points per period = sum of that period's ledger rows (a
-- reversal counts in the period of the row it reverses); every change to a
-- user's points happens under the lock of his user_stats row, so concurrent
-- events serialise per user and never lose an update.

create table quicksell.points_rules (
  event text primary key check (event ~ '^[a-z][a-z0-9_]{1,63}$'),
  points integer not null check (points between 0 and 100000),
  daily_cap integer check (daily_cap > 0),
  description text check (char_length(description) <= 500),
  updated_at timestamptz not null default now()
);
comment on table quicksell.points_rules is 'QuickSell points per event (seed 001 gamification); daily_cap = scored events per user per UTC day.';

create table quicksell.levels (
  level integer primary key check (level between 1 and 1000),
  min_points integer not null unique check (min_points >= 0),
  title text not null check (char_length(title) between 1 and 100),
  constraint levels_first_is_free check (level <> 1 or min_points = 0)
);
comment on table quicksell.levels is 'QuickSell levels: the points threshold of each level (user_stats.current_level).';

create table quicksell.points_ledger (
  id bigint generated always as identity primary key,
  user_id uuid not null references public.profiles (id) on delete cascade,
  event text not null references quicksell.points_rules (event) on update cascade on delete restrict,
  points integer not null,
  idempotency_key text not null check (char_length(idempotency_key) between 1 and 200),
  ref jsonb not null default '{}'::jsonb check (jsonb_typeof(ref) = 'object'),
  reverses bigint unique references quicksell.points_ledger (id) on delete cascade,
  total_after integer not null,
  created_at timestamptz not null default now(),
  unique (user_id, event, idempotency_key),
  constraint points_ledger_sign check ((reverses is null and points >= 0) or (reverses is not null and points <= 0))
);
comment on table quicksell.points_ledger is 'Append-only QuickSell points ledger; one row per scored event (idempotency_key), reversals as new rows.';

-- The daily cap counts a user's rows of one event since midnight UTC.
create index points_ledger_user_event_created_idx on quicksell.points_ledger (user_id, event, created_at desc);
create index points_ledger_user_created_idx on quicksell.points_ledger (user_id, created_at desc);
create index points_ledger_event_idx on quicksell.points_ledger (event);

create table quicksell.leaderboard_entries (
  period text not null check (period in ('weekly', 'monthly')),
  period_start date not null,
  user_id uuid not null references public.profiles (id) on delete cascade,
  points integer not null default 0,
  sales_count integer not null default 0 check (sales_count >= 0),
  sales_revenue numeric(12, 2) not null default 0 check (sales_revenue >= 0),
  updated_at timestamptz not null default now(),
  primary key (period, period_start, user_id),
  constraint leaderboard_entries_sales_revenue_finite check (sales_revenue > '-Infinity' and sales_revenue < 'Infinity'),
  constraint leaderboard_entries_period_start_aligned check (
    (period = 'weekly' and extract(isodow from period_start) = 1)
    or (period = 'monthly' and extract(day from period_start) = 1))
);
comment on table quicksell.leaderboard_entries is
  'QuickSell weekly (ISO week, Monday UTC) and monthly (UTC) leaderboards: points and sales per user, current at commit.';

create index leaderboard_entries_points_idx on quicksell.leaderboard_entries (period, period_start, points desc, user_id);
create index leaderboard_entries_sales_idx on quicksell.leaderboard_entries (period, period_start, sales_count desc, sales_revenue desc, user_id);
create index leaderboard_entries_user_id_idx on quicksell.leaderboard_entries (user_id);

-- ------------------------------------------------------------ append-only

create or replace function private.quicksell_points_ledger_append_only()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  -- The one exception: the user is being deleted and his history goes with him.
  if tg_op in ('UPDATE', 'DELETE') and tg_level = 'ROW'
     and not exists (select 1 from public.profiles p where p.id = old.user_id) then
    return case when tg_op = 'DELETE' then old else new end;
  end if;
  raise exception 'points_ledger is append-only' using errcode = '42501';
end;
$$;
revoke execute on function private.quicksell_points_ledger_append_only() from public, anon, authenticated;

create trigger points_ledger_append_only
  before update or delete on quicksell.points_ledger
  for each row execute function private.quicksell_points_ledger_append_only();
create trigger points_ledger_no_truncate
  before truncate on quicksell.points_ledger
  for each statement execute function private.quicksell_points_ledger_append_only();

create trigger points_rules_set_updated_at
  before update on quicksell.points_rules
  for each row execute function private.set_updated_at();

-- ------------------------------------------------------------ rights

alter table quicksell.points_rules enable row level security;
alter table quicksell.levels enable row level security;
alter table quicksell.points_ledger enable row level security;
alter table quicksell.leaderboard_entries enable row level security;

revoke all on quicksell.points_rules, quicksell.levels, quicksell.points_ledger, quicksell.leaderboard_entries
  from anon, authenticated, service_role;
grant select on quicksell.points_rules, quicksell.levels, quicksell.leaderboard_entries to anon, authenticated, service_role;
grant select on quicksell.points_ledger to authenticated, service_role;
grant insert, update, delete on quicksell.points_rules, quicksell.levels to service_role;

create policy "points_rules: public read" on quicksell.points_rules for select to anon, authenticated using (true);

create policy "levels: public read" on quicksell.levels for select to anon, authenticated using (true);

create policy "points_ledger: own and platform admins read" on quicksell.points_ledger for select to authenticated
  using (user_id = (select auth.uid()) or (select private.is_platform_admin()));

create policy "leaderboard_entries: public read" on quicksell.leaderboard_entries for select to anon, authenticated using (true);

-- ------------------------------------------------------------ the engine

-- The first day of the period that contains p_at (UTC).
create or replace function private.quicksell_period_start(p_period text, p_at timestamptz)
returns date
language sql
immutable
set search_path = ''
as $$
  select case p_period
    when 'weekly' then date_trunc('week', p_at at time zone 'UTC')::date
    when 'monthly' then date_trunc('month', p_at at time zone 'UTC')::date
  end;
$$;
revoke execute on function private.quicksell_period_start(text, timestamptz) from public, anon, authenticated;

-- Locks (creating if needed) the user's user_stats row, which every change to
-- his points, counters, streak and badges goes through.
create or replace function private.quicksell_lock_stats(p_user uuid)
returns quicksell.user_stats
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_row quicksell.user_stats;
begin
  select * into v_row from quicksell.user_stats s where s.user_id = p_user for update;
  if not found then
    insert into quicksell.user_stats (user_id) values (p_user) on conflict (user_id) do nothing;
    select * into v_row from quicksell.user_stats s where s.user_id = p_user for update;
  end if;
  return v_row;
end;
$$;
revoke execute on function private.quicksell_lock_stats(uuid) from public, anon, authenticated;

-- Adds to a user's weekly and monthly leaderboard rows for the periods of
-- p_at. A reversal (negative amounts) updates the rows its original created
-- (an insert would be checked against sales_count >= 0 before any conflict).
create or replace function private.quicksell_leaderboard_add(
  p_user uuid, p_at timestamptz, p_points integer, p_sales integer default 0, p_revenue numeric default 0)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  if p_sales < 0 or p_revenue < 0 or p_points < 0 then
    update quicksell.leaderboard_entries e
    set points = e.points + p_points, sales_count = e.sales_count + p_sales,
        sales_revenue = e.sales_revenue + p_revenue, updated_at = now()
    where e.user_id = p_user
      and (e.period, e.period_start) in (('weekly', private.quicksell_period_start('weekly', p_at)),
                                         ('monthly', private.quicksell_period_start('monthly', p_at)));
    return;
  end if;
  insert into quicksell.leaderboard_entries as e (period, period_start, user_id, points, sales_count, sales_revenue)
  select p.period, private.quicksell_period_start(p.period, p_at), p_user, p_points, p_sales, p_revenue
  from (values ('weekly'), ('monthly')) as p(period)
  on conflict (period, period_start, user_id) do update
    set points = e.points + excluded.points,
        sales_count = e.sales_count + excluded.sales_count,
        sales_revenue = e.sales_revenue + excluded.sales_revenue,
        updated_at = now();
end;
$$;
revoke execute on function private.quicksell_leaderboard_add(uuid, timestamptz, integer, integer, numeric) from public, anon, authenticated;

-- Books points (positive, or a reversal) already decided by the caller:
-- ledger row, total, level, leaderboards, then what the new total unlocks.
-- The caller holds the user's stats lock.
create or replace function private.quicksell_book_points(
  p_user uuid, p_event text, p_idempotency_key text, p_points integer, p_ref jsonb,
  p_reverses bigint default null, p_period_at timestamptz default null)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_total integer;
  v_id bigint;
begin
  update quicksell.user_stats s
  set total_points = s.total_points + p_points,
      current_level = coalesce((select max(l.level) from quicksell.levels l where l.min_points <= s.total_points + p_points), 1),
      updated_at = now()
  where s.user_id = p_user
  returning s.total_points into v_total;

  insert into quicksell.points_ledger (user_id, event, points, idempotency_key, ref, reverses, total_after)
  values (p_user, p_event, p_points, p_idempotency_key, coalesce(p_ref, '{}'::jsonb), p_reverses, v_total)
  on conflict (user_id, event, idempotency_key) do nothing
  returning id into v_id;
  if v_id is null then
    -- Cannot happen under the stats lock (the caller checked); never count twice.
    raise exception 'points event % % already booked', p_event, p_idempotency_key using errcode = 'PT409';
  end if;

  if p_points <> 0 then
    perform private.quicksell_leaderboard_add(p_user, coalesce(p_period_at, now()), p_points);
    perform private.quicksell_unlock_badges(p_user, 'total_points', v_total);
    if p_points > 0 then
      perform private.quicksell_challenge_progress(p_user, 'points_earned', p_points);
    end if;
  end if;
  return p_points;
end;
$$;
revoke execute on function private.quicksell_book_points(uuid, text, text, integer, jsonb, bigint, timestamptz) from public, anon, authenticated;

-- The one way points are earned. Returns the points added now: the rule's
-- points (for 'challenge_completed' plus the challenge's own reward_points,
-- read here, never from the caller), 0 past the rule's daily cap, and 0 on a
-- repeat of (user, event, idempotency_key), which changes nothing.
create or replace function private.quicksell_award(
  p_user uuid, p_event text, p_idempotency_key text, p_ref jsonb default '{}'::jsonb)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_rule quicksell.points_rules;
  v_points integer;
  v_used integer;
  v_challenge uuid;
begin
  if p_user is null then
    raise exception 'user: required' using errcode = '22023';
  end if;
  if p_idempotency_key is null or char_length(p_idempotency_key) not between 1 and 200 then
    raise exception 'idempotency_key: 1 to 200 characters' using errcode = '22023';
  end if;
  if p_ref is not null and jsonb_typeof(p_ref) <> 'object' then
    raise exception 'ref: must be a JSON object' using errcode = '22023';
  end if;
  select * into v_rule from quicksell.points_rules r where r.event = p_event;
  if not found then
    raise exception 'event: unknown points event "%"', left(p_event, 64) using errcode = '22023';
  end if;

  perform private.quicksell_lock_stats(p_user);
  if exists (select 1 from quicksell.points_ledger l
             where l.user_id = p_user and l.event = p_event and l.idempotency_key = p_idempotency_key) then
    return 0;
  end if;

  v_points := v_rule.points;
  if p_event = 'challenge_completed' then
    begin
      v_challenge := (p_ref ->> 'challenge_id')::uuid;
    exception when invalid_text_representation then
      raise exception 'ref: challenge_id must be a uuid' using errcode = '22023';
    end;
    v_points := v_points + coalesce((select c.reward_points from quicksell.challenges c where c.id = v_challenge), 0);
  end if;
  if v_rule.daily_cap is not null and v_points > 0 then
    select count(*) into v_used from quicksell.points_ledger l
    where l.user_id = p_user and l.event = p_event and l.points > 0
      and l.created_at >= date_trunc('day', now() at time zone 'UTC') at time zone 'UTC';
    if v_used >= v_rule.daily_cap then
      v_points := 0;
    end if;
  end if;

  return private.quicksell_book_points(p_user, p_event, p_idempotency_key, v_points, p_ref);
end;
$$;
revoke execute on function private.quicksell_award(uuid, text, text, jsonb) from public, anon, authenticated;
grant execute on function private.quicksell_award(uuid, text, text, jsonb) to service_role;

-- Takes back what one ledger row gave (a refunded or cancelled sale):
-- once, as a new row, in the leaderboard period of the original row.
create or replace function private.quicksell_reverse_award(p_user uuid, p_event text, p_idempotency_key text)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_row quicksell.points_ledger;
begin
  perform private.quicksell_lock_stats(p_user);
  select * into v_row from quicksell.points_ledger l
  where l.user_id = p_user and l.event = p_event and l.idempotency_key = p_idempotency_key;
  if not found or exists (select 1 from quicksell.points_ledger r where r.reverses = v_row.id) then
    return 0;
  end if;
  return private.quicksell_book_points(
    p_user, p_event, p_idempotency_key || ':reversed:' || v_row.id, -v_row.points,
    v_row.ref || jsonb_build_object('reverses', v_row.id), v_row.id, v_row.created_at);
end;
$$;
revoke execute on function private.quicksell_reverse_award(uuid, text, text) from public, anon, authenticated;

-- For tests, the benchmark and operators: users whose total disagrees with
-- their ledger, or whose leaderboard rows disagree with it.
create or replace function private.quicksell_points_violations()
returns table (user_id uuid, total_points integer, ledger_sum bigint, problem text)
language sql
stable
security definer
set search_path = ''
as $$
  select s.user_id, s.total_points, coalesce(l.total, 0), 'total_points <> ledger'
  from quicksell.user_stats s
  left join (select user_id, sum(points) as total from quicksell.points_ledger group by user_id) l on l.user_id = s.user_id
  where s.total_points <> coalesce(l.total, 0)
  union all
  select e.user_id, e.points, coalesce(sum(l.points), 0), e.period || ' ' || e.period_start || ' <> ledger'
  from quicksell.leaderboard_entries e
  left join quicksell.points_ledger l
    on l.user_id = e.user_id
   and private.quicksell_period_start(e.period, coalesce(
         (select o.created_at from quicksell.points_ledger o where o.id = l.reverses), l.created_at)) = e.period_start
  group by e.period, e.period_start, e.user_id, e.points
  having e.points <> coalesce(sum(l.points), 0);
$$;
revoke execute on function private.quicksell_points_violations() from public, anon, authenticated;
grant execute on function private.quicksell_points_violations() to service_role;

insert into quicksell.points_rules (event, points, daily_cap, description) values
  ('listing_created', 5, 20, 'A listing created (first 20 a day score).'),
  ('listing_published', 10, 20, 'A listing published for the first time.'),
  ('photo_uploaded', 2, 100, 'A photo uploaded to a listing.'),
  ('sale_completed', 50, null, 'A sale completed (taken back if the sale is refunded or cancelled).'),
  ('rating_received', 20, null, 'A positive rating (4 or 5) received from the other party of a sale.'),
  ('challenge_completed', 0, null, 'A challenge completed: its own reward_points, plus these.')
on conflict (event) do nothing;

insert into quicksell.levels (level, min_points, title) values
  (1, 0, 'Newcomer'), (2, 100, 'Seller'), (3, 300, 'Trader'), (4, 750, 'Merchant'),
  (5, 1500, 'Power Seller'), (6, 3000, 'Top Seller'), (7, 6000, 'Legend')
on conflict (level) do nothing;
