-- Reports (seed 004): market statistics for cities and ZIP codes over a
-- period, computed in one SQL statement over homes.listings (the sold price
-- and date, the final asking price, published_at, withdrawn_at, and the
-- listing's trigger-kept copy of its property's city, postal code and living
-- area). Adds:
--   * private.reports_market_stats(cities, zip_codes, period_start,
--     period_end, min_sales default 5) -> jsonb, the document rp-render
--     renders (shape in docs/reports.md, "Market statistics");
--   * private.reports_shift_months(date, months): the same day n months
--     away, a month's last day staying the last day (the MoM/YoY periods);
--   * private.reports_months_in_period(start, end): calendar months the
--     period covers, a part month counted by its share of days;
--   * private.reports_pct_change(new, old): percent change, null when
--     either is unknown or the old value is 0.
-- Who may call them: service_role only (the report worker and the
-- generation RPCs); they read every listing, so never the API roles.
-- Definitions (Redfin Data Center / NAR; dates are UTC days):
--   closed sale        a sold listing whose sold_at falls in the period;
--   median sale price  percentile_cont(0.5) of those sale prices;
--   median $/sqft      median over sales of (sale price / living area) —
--                      a median of ratios, not median price / median area;
--   median DOM         median of (sold date - publish date) in days;
--   active inventory   listings on the market at the end of the period's
--                      last day: published before that instant and not
--                      sold or withdrawn before it (under contract counts:
--                      the history does not record when a contract began);
--   months of supply   inventory / closed sales per month of the period
--                      (for one calendar month: inventory / its sales);
--   absorption rate    closed sales in the period / inventory, as %;
--   sale-to-list       average of sale price / final asking price, as %,
--                      leaving out sales more than 50% off list either way
--                      (ratio outside 0.5-1.5), as Redfin does;
--   mom_pct / yoy_pct  the change against the same statistic over the
--                      period shifted back 1 / 12 months;
--   series             13 calendar months ending with the period's last
--                      month (that month ends at period_end).
-- Invariants: a statistic derived from sales is null for any period with
-- fewer than min_sales closed sales (enough_data = false and a message for
-- the report's own period) — never noise from a handful of sales; counts
-- (closed sales, inventory) are always given. Only USD listings count (the
-- document's currency). Bad input is 22023 naming the field.

create or replace function private.reports_shift_months(p_date date, p_months integer)
returns date
language sql
immutable
set search_path = ''
as $$
  select case
    when p_date = (date_trunc('month', p_date::timestamp) + interval '1 month - 1 day')::date
      then (date_trunc('month', p_date::timestamp) + make_interval(months => p_months) + interval '1 month - 1 day')::date
    else (p_date + make_interval(months => p_months))::date
  end;
$$;

create or replace function private.reports_months_in_period(p_start date, p_end date)
returns numeric
language sql
immutable
set search_path = ''
as $$
  select coalesce(sum(
           (least(p_end, (m + interval '1 month - 1 day')::date) - greatest(p_start, m::date) + 1)::numeric
           / extract(day from m + interval '1 month - 1 day')::numeric), 0)
  from generate_series(date_trunc('month', p_start::timestamp), date_trunc('month', p_end::timestamp), interval '1 month') m
  where p_start <= p_end;
$$;

create or replace function private.reports_pct_change(p_new numeric, p_old numeric)
returns numeric
language sql
immutable
set search_path = ''
as $$
  select case when p_new is null or p_old is null or p_old = 0 then null
              else round((p_new - p_old) / abs(p_old) * 100, 2) end;
$$;

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
  c_max_areas constant integer := 20;
  c_max_days constant integer := 366;
  v_cities text[];
  v_city_keys text[];
  v_zips text[];
  v_first_instant timestamptz;
  v_last_instant timestamptz;
  v_from date;
  v_result jsonb;
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
  if p_min_sales is null or p_min_sales not between 1 and 1000 then
    raise exception 'min_sales: must be a whole number from 1 to 1000' using errcode = '22023';
  end if;
  if exists (select 1 from unnest(p_cities) c where c is null or char_length(btrim(c)) not between 1 and 100) then
    raise exception 'cities: each city is a name of 1 to 100 characters' using errcode = '22023';
  end if;
  if exists (select 1 from unnest(p_zip_codes) z where z is null or btrim(z) !~ '^[A-Za-z0-9][A-Za-z0-9 -]{1,11}$') then
    raise exception 'zip_codes: each ZIP code is 2 to 12 letters, digits, spaces or dashes' using errcode = '22023';
  end if;

  -- Trimmed, each area once (cities compared case-insensitively), in the
  -- order given.
  select coalesce(array_agg(s.c order by s.o), '{}'), coalesce(array_agg(lower(s.c) order by s.o), '{}')
  into v_cities, v_city_keys
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
  sale_stats as (
    select p.key,
           count(s.sold_on)::integer as n,
           percentile_cont(0.5) within group (order by s.price) as price,
           percentile_cont(0.5) within group (order by s.ppsf) as ppsf,
           percentile_cont(0.5) within group (order by s.dom) as dom,
           avg(s.sale_to_list) filter (where s.sale_to_list between 0.5 and 1.5) as sale_to_list
    from periods p
    left join sales s on s.sold_on between p.p_start and p.p_end
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
  changes as (
    select b, sum(d)::integer as d
    from (
      select width_bucket(s.on_at, i.at) as b, 1 as d from stock s cross join instants i
      union all
      select width_bucket(s.off_at, i.at), -1 from stock s cross join instants i where s.off_at is not null
    ) e
    group by b
  ),
  inventory as (
    select i.at[j] as at, coalesce((select sum(c.d) from changes c where c.b < j), 0)::integer as n
    from instants i cross join generate_subscripts(i.at, 1) j
  ),
  stats as (
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

comment on function private.reports_market_stats(text[], text[], date, date, integer) is
  'Market statistics (median price, $/sqft, DOM, inventory, months of supply, absorption, sale-to-list; MoM, YoY, 13-month series) for cities/ZIP codes over a period, as the report document. service_role only.';

revoke execute on function
  private.reports_shift_months(date, integer),
  private.reports_months_in_period(date, date),
  private.reports_pct_change(numeric, numeric),
  private.reports_market_stats(text[], text[], date, date, integer)
from public, anon, authenticated;
grant execute on function
  private.reports_shift_months(date, integer),
  private.reports_months_in_period(date, date),
  private.reports_pct_change(numeric, numeric),
  private.reports_market_stats(text[], text[], date, date, integer)
to service_role;
