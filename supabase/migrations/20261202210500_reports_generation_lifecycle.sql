-- Reports (seed 004): the market report lifecycle and its billing.
-- Adds:
--   * private.reports_market_area(cities, zip_codes, period_start, period_end)
--     -> jsonb: the area and period checks (22023 naming the field) and the
--     normalised areas; private.reports_market_stats now uses it, so a
--     request is refused for exactly what the statistics would refuse;
--   * private.reports_market_params(params) -> jsonb: a report's input_params
--     checked and normalised ({"cities", "zip_codes", "period_start",
--     "period_end", "formats", "idempotency_key"?}); unknown keys refused;
--   * reports.request_market_report(account_id, params) -> uuid: for owners,
--     admins and members of the account (not affiliates: a report is billed);
--   * private.reports_create_generation(account_id, user_id, params,
--     report_type default 'market') -> uuid: service_role (schedules too);
--   * private.reports_begin_generation(id) -> jsonb (the row's params with
--     "id", "account_id", "report_type"); pending -> processing; a row already
--     processing is resumed (a retried job), anything else is PT409;
--   * private.reports_complete_generation(id, urls, processing_ms) and
--     private.reports_fail_generation(id, error);
--   * the trigger report_generations_status: status only moves pending ->
--     processing -> completed | failed (pending -> failed too, for a job that
--     gives up before starting); anything else is PT409. It stamps
--     generated_at on completion, keeps error_message for failures only and
--     fills processing_time_ms when the caller did not. A new row starts
--     pending, except history the database owner imports (demo data).
-- Billing (docs/reports.md, "Billing of reports"): one unit of
-- reports.market_report per report, recorded by private.record_usage in the
-- transaction that creates the row, under the idempotency key
-- 'report:<report id>'. Past the month's allowance (the plan's quota, or the
-- account's monthly_report_limit_override) it is refused with PT402 and
-- nothing is created, unless the plan sells overage: then the usage row is
-- billable at the plan's overage price and report_generations.billable is
-- true. Nothing else ever records usage for a report, so a retried job, a
-- resumed or repeated completion, or a failure never charges again; a
-- repeated request with the same params.idempotency_key returns the first
-- report (same account) and charges nothing. A failed report keeps its
-- charge: the allowance was spent on the attempt (see the docs).
-- The job: queue 'reports.render' (20261202200000_reports_schema.sql: the
-- registry wants '<product>.<queue>' names), payload {"kind":
-- "market_report", "id": <id>}, job idempotency key = the report id,
-- enqueued with the row.

create or replace function private.reports_market_area(
  p_cities text[],
  p_zip_codes text[],
  p_period_start date,
  p_period_end date
)
returns jsonb
language plpgsql
immutable
set search_path = ''
as $$
declare
  c_max_areas constant integer := 20;
  c_max_days constant integer := 366;
  v_cities text[];
  v_zips text[];
begin
  if p_period_start is null then
    raise exception 'period_start: required (YYYY-MM-DD)' using errcode = '22023';
  end if;
  if p_period_end is null then
    raise exception 'period_end: required (YYYY-MM-DD)' using errcode = '22023';
  end if;
  if p_period_end < p_period_start then
    raise exception 'period_end: must be on or after period_start' using errcode = '22023';
  end if;
  if p_period_end - p_period_start + 1 > c_max_days then
    raise exception 'period_end: a period covers at most % days', c_max_days using errcode = '22023';
  end if;
  if exists (select 1 from unnest(p_cities) c where c is null or char_length(btrim(c)) not between 1 and 100) then
    raise exception 'cities: each city is a name of 1 to 100 characters' using errcode = '22023';
  end if;
  if exists (select 1 from unnest(p_zip_codes) z where z is null or btrim(z) !~ '^[A-Za-z0-9][A-Za-z0-9 -]{1,11}$') then
    raise exception 'zip_codes: each ZIP code is 2 to 12 letters, digits, spaces or dashes' using errcode = '22023';
  end if;
  -- Trimmed, each area once (cities compared case-insensitively), in the
  -- order given.
  select coalesce(array_agg(s.c order by s.o), '{}') into v_cities
  from (select distinct on (lower(btrim(c))) btrim(c) as c, o
        from unnest(p_cities) with ordinality u(c, o) order by lower(btrim(c)), o) s;
  select coalesce(array_agg(s.z order by s.o), '{}') into v_zips
  from (select distinct on (btrim(z)) btrim(z) as z, o
        from unnest(p_zip_codes) with ordinality u(z, o) order by btrim(z), o) s;
  if cardinality(v_cities) + cardinality(v_zips) = 0 then
    raise exception 'cities: give at least one city or ZIP code' using errcode = '22023';
  end if;
  if cardinality(v_cities) > c_max_areas then
    raise exception 'cities: at most % cities', c_max_areas using errcode = '22023';
  end if;
  if cardinality(v_zips) > c_max_areas then
    raise exception 'zip_codes: at most % ZIP codes', c_max_areas using errcode = '22023';
  end if;
  return jsonb_build_object('cities', to_jsonb(v_cities), 'zip_codes', to_jsonb(v_zips),
                            'period_start', p_period_start, 'period_end', p_period_end);
end;
$$;

comment on function private.reports_market_area(text[], text[], date, date) is
  'Checks a market report''s areas and period (22023 naming the field) and returns them normalised.';

-- A JSON field as a text array (null when absent or null), or 22023.
create or replace function private.reports_text_array(p_params jsonb, p_field text)
returns text[]
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_params -> p_field is null or jsonb_typeof(p_params -> p_field) = 'null' then
    return null;
  end if;
  if jsonb_typeof(p_params -> p_field) <> 'array'
     or exists (select 1 from jsonb_array_elements(p_params -> p_field) e where jsonb_typeof(e) <> 'string') then
    raise exception '%: must be an array of strings', p_field using errcode = '22023';
  end if;
  if jsonb_array_length(p_params -> p_field) > 100 then
    raise exception '%: too many entries', p_field using errcode = '22023';
  end if;
  return array(select jsonb_array_elements_text(p_params -> p_field));
end;
$$;

create or replace function private.reports_date_field(p_params jsonb, p_field text)
returns date
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_text text;
begin
  if p_params -> p_field is null or jsonb_typeof(p_params -> p_field) = 'null' then
    return null;
  end if;
  v_text := case when jsonb_typeof(p_params -> p_field) = 'string' then p_params ->> p_field end;
  if v_text is null or v_text !~ '^\d{4}-\d{2}-\d{2}$' then
    raise exception '%: must be a date (YYYY-MM-DD)', p_field using errcode = '22023';
  end if;
  begin
    return v_text::date;
  exception when others then
    raise exception '%: must be a date (YYYY-MM-DD)', p_field using errcode = '22023';
  end;
end;
$$;

create or replace function private.reports_market_params(p_params jsonb)
returns jsonb
language plpgsql
immutable
set search_path = ''
as $$
declare
  c_formats constant text[] := array['html', 'json', 'csv', 'pdf'];
  v_unknown text;
  v_area jsonb;
  v_formats text[];
  v_key text;
begin
  if p_params is null or jsonb_typeof(p_params) <> 'object' then
    raise exception 'params: must be an object' using errcode = '22023';
  end if;
  select k into v_unknown from jsonb_object_keys(p_params) k
  where k <> all (array['cities', 'zip_codes', 'period_start', 'period_end', 'formats', 'idempotency_key']) limit 1;
  if v_unknown is not null then
    raise exception '%: not a market report parameter', left(v_unknown, 60) using errcode = '22023';
  end if;
  v_area := private.reports_market_area(private.reports_text_array(p_params, 'cities'),
                                        private.reports_text_array(p_params, 'zip_codes'),
                                        private.reports_date_field(p_params, 'period_start'),
                                        private.reports_date_field(p_params, 'period_end'));
  v_formats := coalesce(private.reports_text_array(p_params, 'formats'), c_formats);
  if cardinality(v_formats) = 0 or not (v_formats <@ c_formats) then
    raise exception 'formats: one or more of html, json, csv, pdf' using errcode = '22023';
  end if;
  -- Each format once, in the canonical order.
  v_formats := array(select f from unnest(c_formats) with ordinality u(f, o) where f = any (v_formats) order by o);
  v_area := v_area || jsonb_build_object('formats', to_jsonb(v_formats));
  if p_params ? 'idempotency_key' then
    v_key := case when jsonb_typeof(p_params -> 'idempotency_key') = 'string' then p_params ->> 'idempotency_key' end;
    if v_key is null or char_length(v_key) not between 1 and 100 then
      raise exception 'idempotency_key: a string of 1 to 100 characters' using errcode = '22023';
    end if;
    v_area := v_area || jsonb_build_object('idempotency_key', v_key);
  end if;
  return v_area;
end;
$$;

comment on function private.reports_market_params(jsonb) is
  'A market report''s params checked (22023 naming the field) and normalised: cities, zip_codes, period_start, period_end, formats, idempotency_key.';

-- The statistics check their input with the same function (the body is
-- 20261202210400_reports_market_stats_speed.sql with its checks replaced).
create or replace function private.reports_market_stats(
  p_cities text[],
  p_zip_codes text[],
  p_period_start date,
  p_period_end date,
  p_min_sales integer default 5
)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_area jsonb;
  v_cities text[];
  v_city_keys text[];
  v_zips text[];
  v_first_instant timestamptz;
  v_last_instant timestamptz;
  v_from date;
  v_result jsonb;
begin
  if p_min_sales is null or p_min_sales not between 1 and 1000 then
    raise exception 'min_sales: must be a whole number from 1 to 1000' using errcode = '22023';
  end if;
  v_area := private.reports_market_area(p_cities, p_zip_codes, p_period_start, p_period_end);
  v_cities := array(select jsonb_array_elements_text(v_area -> 'cities'));
  v_city_keys := array(select lower(c) from unnest(v_cities) c);
  v_zips := array(select jsonb_array_elements_text(v_area -> 'zip_codes'));

  -- The periods: the report's own, its MoM and YoY shifts, and the 13 months
  -- of the series. Sales are read once for [v_from, period_end]; inventory
  -- from listings still on the market at the earliest period end.
  v_from := least(private.reports_shift_months(p_period_start, -12),
                  date_trunc('month', private.reports_shift_months(p_period_end, -12)::timestamp)::date);
  v_first_instant := (least(private.reports_shift_months(p_period_end, -12),
                            (date_trunc('month', p_period_end::timestamp) - interval '12 months' + interval '1 month - 1 day')::date)
                      + 1)::timestamp at time zone 'UTC';
  v_last_instant := (p_period_end + 1)::timestamp at time zone 'UTC';

  with periods (key, ord, p_start, p_end) as (
    select 'current', -3, p_period_start, p_period_end
    union all
    select 'mom', -2, private.reports_shift_months(p_period_start, -1), private.reports_shift_months(p_period_end, -1)
    union all
    select 'yoy', -1, private.reports_shift_months(p_period_start, -12), private.reports_shift_months(p_period_end, -12)
    union all
    select to_char(m.m, 'YYYY-MM'), i, m.m::date, least(p_period_end, (m.m + interval '1 month - 1 day')::date)
    from generate_series(0, 12) i
    cross join lateral (select date_trunc('month', p_period_end::timestamp) - make_interval(months => 12 - i) as m) m
  ),
  sales as materialized (
    select (l.sold_at at time zone 'UTC')::date as sold_on,
           l.sold_price::float8 as price,
           l.sold_price::float8 / nullif(l.living_area_sqft, 0) as ppsf,
           ((l.sold_at at time zone 'UTC')::date - (l.published_at at time zone 'UTC')::date)::float8 as dom,
           l.sold_price / l.asking_price as sale_to_list
    from homes.listings l
    where l.status = 'sold' and l.currency = 'USD'
      and (lower(l.city) = any (v_city_keys) or l.postal_code = any (v_zips))
      and l.sold_at >= (v_from::timestamp at time zone 'UTC') and l.sold_at < v_last_instant
  ),
  -- Each sale once per period it falls in: the three report periods by
  -- range (3 rows), the series months by their month (a hash join; sales
  -- stop at period_end, so the last month ends there too).
  sale_periods as (
    select p.key, s.*
    from periods p join sales s on s.sold_on between p.p_start and p.p_end
    where p.ord < 0
    union all
    select p.key, s.*
    from sales s join periods p on p.ord >= 0 and p.p_start = date_trunc('month', s.sold_on::timestamp)::date
  ),
  sale_stats as materialized (
    select p.key,
           count(s.sold_on)::integer as n,
           percentile_cont(0.5) within group (order by s.price) as price,
           percentile_cont(0.5) within group (order by s.ppsf) as ppsf,
           percentile_cont(0.5) within group (order by s.dom) as dom,
           avg(s.sale_to_list) filter (where s.sale_to_list between 0.5 and 1.5) as sale_to_list
    from periods p
    left join sale_periods s on s.key = p.key
    group by p.key
  ),
  -- Inventory at each period end by one sweep: every listing that reached
  -- the market adds 1 from published_at and takes it back when it left;
  -- width_bucket places each change among the sorted instants, so the
  -- inventory at instant j is the sum of the changes in buckets before j.
  instants as (
    select array_agg(distinct ((p.p_end + 1)::timestamp at time zone 'UTC') order by ((p.p_end + 1)::timestamp at time zone 'UTC')) as at
    from periods p
  ),
  stock as materialized (
    select l.published_at as on_at,
           case l.status when 'sold' then l.sold_at when 'withdrawn' then coalesce(l.withdrawn_at, l.updated_at) end as off_at
    from homes.listings l
    where l.status <> 'draft' and l.currency = 'USD'
      and (lower(l.city) = any (v_city_keys) or l.postal_code = any (v_zips))
      and coalesce(case l.status when 'sold' then l.sold_at when 'withdrawn' then coalesce(l.withdrawn_at, l.updated_at) end,
                   'infinity'::timestamptz) >= v_first_instant
      and l.published_at < v_last_instant
  ),
  changes as materialized (
    select b, sum(d)::integer as d
    from (
      select width_bucket(s.on_at, i.at) as b, 1 as d from stock s cross join instants i
      union all
      select width_bucket(s.off_at, i.at), -1 from stock s cross join instants i where s.off_at is not null
    ) e
    group by b
  ),
  inventory as materialized (
    select i.at[j] as at, coalesce((select sum(c.d) from changes c where c.b < j), 0)::integer as n
    from instants i cross join generate_subscripts(i.at, 1) j
  ),
  stats as materialized (
    select p.key, p.ord, p.p_start, p.p_end, s.n, inv.n as inventory,
           s.n >= p_min_sales as enough,
           case when s.n >= p_min_sales then round(s.price::numeric, 2) end as price,
           case when s.n >= p_min_sales then round(s.ppsf::numeric, 2) end as ppsf,
           case when s.n >= p_min_sales then round(s.dom::numeric, 1) end as dom,
           case when s.n >= p_min_sales then round(s.sale_to_list * 100, 2) end as sale_to_list,
           case when s.n >= p_min_sales
                then round(inv.n / (s.n / private.reports_months_in_period(p.p_start, p.p_end)), 2) end as supply,
           case when s.n >= p_min_sales and inv.n > 0 then round(s.n::numeric / inv.n * 100, 2) end as absorption
    from periods p
    join sale_stats s on s.key = p.key
    join inventory inv on inv.at = (p.p_end + 1)::timestamp at time zone 'UTC'
  ),
  cur as (select * from stats where key = 'current'),
  mom as (select * from stats where key = 'mom'),
  yoy as (select * from stats where key = 'yoy')
  select jsonb_build_object(
    'areas', jsonb_build_object('cities', to_jsonb(v_cities), 'zip_codes', to_jsonb(v_zips)),
    'period', jsonb_build_object('start', p_period_start, 'end', p_period_end),
    'currency', 'USD',
    'min_sales', p_min_sales,
    'closed_sales', cur.n,
    'enough_data', cur.enough,
    'message', case when not cur.enough then
      format('Not enough sales for market statistics: %s closed sale%s in this area and period, at least %s needed.',
             cur.n, case when cur.n = 1 then '' else 's' end, p_min_sales) end,
    'metrics', jsonb_build_object(
      'median_sale_price', jsonb_build_object('value', cur.price,
        'mom_pct', private.reports_pct_change(cur.price, mom.price), 'yoy_pct', private.reports_pct_change(cur.price, yoy.price)),
      'median_price_per_sqft', jsonb_build_object('value', cur.ppsf,
        'mom_pct', private.reports_pct_change(cur.ppsf, mom.ppsf), 'yoy_pct', private.reports_pct_change(cur.ppsf, yoy.ppsf)),
      'median_days_on_market', jsonb_build_object('value', cur.dom,
        'mom_pct', private.reports_pct_change(cur.dom, mom.dom), 'yoy_pct', private.reports_pct_change(cur.dom, yoy.dom)),
      'active_inventory', jsonb_build_object('value', cur.inventory,
        'mom_pct', private.reports_pct_change(cur.inventory, mom.inventory),
        'yoy_pct', private.reports_pct_change(cur.inventory, yoy.inventory)),
      'months_of_supply', jsonb_build_object('value', cur.supply,
        'mom_pct', private.reports_pct_change(cur.supply, mom.supply), 'yoy_pct', private.reports_pct_change(cur.supply, yoy.supply)),
      'absorption_rate_pct', jsonb_build_object('value', cur.absorption,
        'mom_pct', private.reports_pct_change(cur.absorption, mom.absorption),
        'yoy_pct', private.reports_pct_change(cur.absorption, yoy.absorption)),
      'avg_sale_to_list_pct', jsonb_build_object('value', cur.sale_to_list,
        'mom_pct', private.reports_pct_change(cur.sale_to_list, mom.sale_to_list),
        'yoy_pct', private.reports_pct_change(cur.sale_to_list, yoy.sale_to_list)),
      'closed_sales', jsonb_build_object('value', cur.n,
        'mom_pct', private.reports_pct_change(cur.n, mom.n), 'yoy_pct', private.reports_pct_change(cur.n, yoy.n))
    ),
    'series', (
      select jsonb_agg(jsonb_build_object(
               'month', m.key, 'closed_sales', m.n, 'median_sale_price', m.price, 'median_price_per_sqft', m.ppsf,
               'median_days_on_market', m.dom, 'active_inventory', m.inventory, 'months_of_supply', m.supply)
             order by m.ord)
      from stats m where m.ord >= 0
    )
  )
  into v_result
  from cur, mom, yoy;
  return v_result;
end;
$$;

-- A repeated request (same account, same idempotency_key) is found by this.
create unique index report_generations_idempotency_key_idx
  on reports.report_generations (account_id, (input_params ->> 'idempotency_key'))
  where input_params ? 'idempotency_key';

create or replace function private.reports_guard_generation()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    -- History imported by the database owner (demo data, a migration) keeps
    -- its state; every API role, service_role included, starts at pending.
    if current_user not in ('anon', 'authenticated', 'service_role') then
      return new;
    end if;
    if new.status is distinct from 'pending' then
      raise exception 'status: a report starts pending' using errcode = 'PT409';
    end if;
    new.generated_at := null;
    new.processing_time_ms := null;
    new.error_message := null;
    return new;
  end if;
  if new.status is not distinct from old.status then
    return new;
  end if;
  if not ((old.status = 'pending' and new.status in ('processing', 'failed'))
          or (old.status = 'processing' and new.status in ('completed', 'failed'))) then
    raise exception 'status: a report cannot go from % to %', old.status, new.status using errcode = 'PT409';
  end if;
  if new.status = 'processing' then
    new.error_message := null;
  elsif new.status = 'completed' then
    new.generated_at := now();
    new.error_message := null;
  else
    new.error_message := left(coalesce(nullif(btrim(new.error_message), ''), 'report generation failed'), 2000);
    new.generated_at := null;
  end if;
  if new.status in ('completed', 'failed') then
    new.processing_time_ms := coalesce(new.processing_time_ms,
      case when old.status = 'processing'
           then greatest(0, (extract(epoch from now() - old.updated_at) * 1000)::bigint)::integer end);
  end if;
  return new;
end;
$$;

comment on function private.reports_guard_generation() is
  'report_generations status machine: pending -> processing -> completed | failed (PT409 otherwise); stamps generated_at, error_message, processing_time_ms.';

create trigger report_generations_status
  before insert or update of status on reports.report_generations
  for each row execute function private.reports_guard_generation();

create or replace function private.reports_create_generation(
  p_account_id uuid,
  p_user_id uuid,
  p_params jsonb,
  p_report_type text default 'market'
)
returns uuid
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_params jsonb;
  v_account public.accounts;
  v_existing reports.report_generations;
  v_id uuid := extensions.gen_random_uuid();
  v_usage public.usage_events;
begin
  if p_report_type is distinct from 'market' then
    raise exception 'report_type: only market reports are generated from params' using errcode = '22023';
  end if;
  v_params := private.reports_market_params(p_params);
  select * into v_account from public.accounts a where a.id = p_account_id;
  if v_account.id is null then
    raise exception 'account_id: no such account' using errcode = 'PT404';
  end if;
  if not v_account.is_active then
    raise exception 'account_id: the account is not active' using errcode = 'PT409';
  end if;
  if p_user_id is not null
     and private.member_role(p_account_id, p_user_id) is distinct from 'owner'
     and private.member_role(p_account_id, p_user_id) is distinct from 'admin'
     and private.member_role(p_account_id, p_user_id) is distinct from 'member' then
    raise exception 'account_id: only owners, admins and members request reports' using errcode = '42501';
  end if;

  if v_params ? 'idempotency_key' then
    -- One request per key at a time; the second waits and finds the first.
    perform pg_advisory_xact_lock(hashtextextended('reports.request:' || p_account_id || ':' || (v_params ->> 'idempotency_key'), 0));
    select * into v_existing from reports.report_generations g
    where g.account_id = p_account_id and g.input_params ? 'idempotency_key'
      and g.input_params ->> 'idempotency_key' = v_params ->> 'idempotency_key';
    if v_existing.id is not null then
      if v_existing.input_params is distinct from v_params then
        raise exception 'idempotency_key: already used for a report with other params' using errcode = 'PT409';
      end if;
      return v_existing.id;
    end if;
  end if;

  -- PT402 past the allowance (nothing is created); billable when overage.
  v_usage := private.record_usage(p_account_id, 'reports.market_report', 1, 'report:' || v_id, p_user_id, v_id::text);

  insert into reports.report_generations (id, account_id, user_id, report_type, input_params, cities, status, billable)
  values (v_id, p_account_id, p_user_id, 'market', v_params,
          array(select jsonb_array_elements_text(v_params -> 'cities')), 'pending', v_usage.billable);

  perform private.enqueue_job('reports.render', jsonb_build_object('kind', 'market_report', 'id', v_id), p_account_id, v_id::text);
  return v_id;
end;
$$;

comment on function private.reports_create_generation(uuid, uuid, jsonb, text) is
  'Creates a pending market report, bills it once (usage key report:<id>; PT402 past the allowance without overage) and enqueues its job. service_role.';

create or replace function reports.request_market_report(p_account_id uuid, p_params jsonb)
returns uuid
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_user uuid := (select auth.uid());
begin
  if v_user is null then
    raise exception 'account_id: sign in to request a report' using errcode = '42501';
  end if;
  if private.member_role(p_account_id, v_user) is null
     or private.member_role(p_account_id, v_user) = 'affiliate' then
    raise exception 'account_id: only owners, admins and members request reports' using errcode = '42501';
  end if;
  if private.reports_date_field(private.reports_market_params(p_params), 'period_start') > current_date then
    raise exception 'period_start: must not be in the future' using errcode = '22023';
  end if;
  return private.reports_create_generation(p_account_id, v_user, p_params, 'market');
end;
$$;

comment on function reports.request_market_report(uuid, jsonb) is
  'Members: request a market report for the account (params: cities, zip_codes, period_start, period_end, formats, idempotency_key); returns its id. 402 past the allowance.';

create or replace function private.reports_begin_generation(p_id uuid)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_row reports.report_generations;
begin
  select * into v_row from reports.report_generations g where g.id = p_id for update;
  if v_row.id is null then
    raise exception 'id: no such report' using errcode = 'PT404';
  end if;
  if v_row.status = 'pending' then
    update reports.report_generations g set status = 'processing' where g.id = p_id returning * into v_row;
  elsif v_row.status <> 'processing' then
    raise exception 'status: the report is % already', v_row.status using errcode = 'PT409';
  end if;
  return coalesce(v_row.input_params, '{}'::jsonb)
         || jsonb_build_object('id', v_row.id, 'account_id', v_row.account_id, 'report_type', v_row.report_type);
end;
$$;

create or replace function private.reports_complete_generation(p_id uuid, p_urls jsonb, p_processing_ms integer)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_row reports.report_generations;
  v_unknown text;
  v_prefix text;
  v_bad text;
begin
  select * into v_row from reports.report_generations g where g.id = p_id for update;
  if v_row.id is null then
    raise exception 'id: no such report' using errcode = 'PT404';
  end if;
  if p_urls is null or jsonb_typeof(p_urls) <> 'object' then
    raise exception 'urls: must be an object of object paths by format' using errcode = '22023';
  end if;
  -- Keys are the formats, or the column names (html_url, ...).
  select k into v_unknown from jsonb_object_keys(p_urls) k
  where k <> all (array['html', 'json', 'csv', 'pdf', 'html_url', 'json_url', 'csv_url', 'pdf_url']) limit 1;
  if v_unknown is not null then
    raise exception 'urls.%: not a report format', left(v_unknown, 40) using errcode = '22023';
  end if;
  select jsonb_object_agg(regexp_replace(k, '_url$', ''), v) into p_urls from jsonb_each(p_urls) e(k, v);
  p_urls := coalesce(p_urls, '{}'::jsonb);
  select k into v_unknown from jsonb_object_keys(p_urls) k where k <> all (array['html', 'json', 'csv', 'pdf']) limit 1;
  if v_unknown is not null then
    raise exception 'urls.%: not a report format', left(v_unknown, 40) using errcode = '22023';
  end if;
  -- Object paths in the private bucket, under this account and report only.
  v_prefix := v_row.account_id || '/' || v_row.id || '/';
  select k into v_bad from jsonb_each(p_urls) e(k, v)
  where jsonb_typeof(v) <> 'null'
    and (jsonb_typeof(v) <> 'string' or left(v #>> '{}', length(v_prefix)) <> v_prefix
         or (v #>> '{}') !~ '^[0-9a-f/-]+/report\.(html|json|csv|pdf)$')
  limit 1;
  if v_bad is not null then
    raise exception 'urls.%: must be the object path %report.<format>', v_bad, v_prefix using errcode = '22023';
  end if;
  if p_processing_ms is not null and p_processing_ms < 0 then
    raise exception 'processing_ms: must not be negative' using errcode = '22023';
  end if;
  if v_row.status = 'completed' then
    return; -- a repeated completion (a retried job): already done, nothing changes
  end if;
  update reports.report_generations g set
    status = 'completed',
    html_url = p_urls ->> 'html', json_url = p_urls ->> 'json', csv_url = p_urls ->> 'csv', pdf_url = p_urls ->> 'pdf',
    processing_time_ms = p_processing_ms
  where g.id = p_id;
end;
$$;

create or replace function private.reports_fail_generation(p_id uuid, p_error text)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_row reports.report_generations;
begin
  select * into v_row from reports.report_generations g where g.id = p_id for update;
  if v_row.id is null then
    raise exception 'id: no such report' using errcode = 'PT404';
  end if;
  if v_row.status = 'failed' then
    return; -- already failed: the first error stays
  end if;
  update reports.report_generations g set status = 'failed', error_message = p_error where g.id = p_id;
end;
$$;

comment on function private.reports_begin_generation(uuid) is
  'Worker: pending -> processing (a row already processing is resumed); returns input_params plus id, account_id, report_type. PT409 when completed or failed.';
comment on function private.reports_complete_generation(uuid, jsonb, integer) is
  'Worker: processing -> completed with the object paths by format ({"html": ..} or {"html_url": ..}) under <account>/<report>/; repeated completion is a no-op.';
comment on function private.reports_fail_generation(uuid, text) is
  'Worker: pending/processing -> failed with the error (the charge stays; see docs/reports.md).';

revoke execute on function
  private.reports_market_area(text[], text[], date, date),
  private.reports_text_array(jsonb, text),
  private.reports_date_field(jsonb, text),
  private.reports_market_params(jsonb),
  private.reports_guard_generation(),
  private.reports_create_generation(uuid, uuid, jsonb, text),
  private.reports_begin_generation(uuid),
  private.reports_complete_generation(uuid, jsonb, integer),
  private.reports_fail_generation(uuid, text)
from public, anon, authenticated;
grant execute on function
  private.reports_market_area(text[], text[], date, date),
  private.reports_market_params(jsonb),
  private.reports_create_generation(uuid, uuid, jsonb, text),
  private.reports_begin_generation(uuid),
  private.reports_complete_generation(uuid, jsonb, integer),
  private.reports_fail_generation(uuid, text)
to service_role;

revoke execute on function reports.request_market_report(uuid, jsonb) from public, anon;
grant execute on function reports.request_market_report(uuid, jsonb) to authenticated, service_role;
