-- Homes (seed 000), part 2: valuations and the valuation engine (AVM).
--   * homes.valuations: seed fields (estimate, confidence, valuation_method)
--     plus currency, a low-high range, who/what asked for it, and the usage
--     event that paid for it; latest per property = one probe of the seed
--     index valuations(property_id, created_at desc);
--   * homes.valuation_comparables: the comparables an engine valuation used,
--     kept (with a snapshot of their attributes) for the owner to see;
--   * private.homes_comparables / private.homes_compute_valuation: the
--     engine. Comparables are other properties in the same postal code (the
--     whole city when the postal code has fewer than 5 and the city more),
--     within +/-40% living area, with a known price: a sale in the last 5
--     years (last_sold_price) or an active listing's asking price. Each gets a similarity
--       1 / (1 + 0.15|d bedrooms| + 0.10|d bathrooms| + |d area|/area
--                + 0.3 min(|d lot|/lot, 1) + 0.01 min(|d year|, 30))
--     (x 0.8 outside the subject's postal code); those >= 0.35, best 10, are
--     used. Weight = similarity x 1.0 for a sale in the last year, 0.75 up to
--     3 years, 0.5 older, 0.6 for an asking price. Estimate = weighted mean
--     price per sqft x subject area (whole dollars); cv = weighted standard
--     deviation / mean of price per sqft; confidence = n/(n+2) x max(0,
--     1 - 2 cv) x mean similarity; range = estimate x (1 +/- max(cv, 0.05)).
--     Fewer than 3 comparables: no estimate, confidence 0, method
--     'insufficient_comparables' (and no charge).
--   * private.homes_store_valuation: computes, stores the valuation and its
--     comparables, records the use of `homes.valuation` against the owner's
--     personal account (private.record_usage: DM402 past the allowance
--     unless the plan bills overage) and notifies the owner, all in the
--     caller's transaction, so a refusal leaves nothing behind. Idempotent
--     by request key.
-- Owners may add their own snapshot (source 'owner', e.g. an appraisal)
-- when they create a property; engine rows come only from the definer code.
-- RLS: a valuation (and its comparables) is visible exactly when its
-- property is: to the owner, and to everyone while it has an active listing.

create table homes.valuations (
  id uuid primary key default extensions.gen_random_uuid(),
  property_id uuid not null references homes.properties (id) on delete cascade,
  estimate numeric(14, 2) check (estimate > 0),
  estimate_low numeric(14, 2),
  estimate_high numeric(14, 2),
  currency char(3) not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
  confidence numeric(4, 3) not null default 0 check (confidence between 0 and 1),
  valuation_method text not null check (valuation_method ~ '^[a-z][a-z_]{2,40}$'),
  source text not null default 'owner' check (source in ('owner', 'engine')),
  comparables_count integer not null default 0 check (comparables_count >= 0),
  details jsonb not null default '{}'::jsonb check (jsonb_typeof(details) = 'object'),
  listing_id uuid references homes.listings (id) on delete set null,
  requested_by uuid references public.profiles (id) on delete set null,
  request_key text unique check (char_length(request_key) <= 200),
  usage_event_id bigint references public.usage_events (id) on delete set null,
  created_at timestamptz not null default now(),
  constraint valuations_engine_methods check (
    (source = 'engine') = (valuation_method in ('comps_ppsf_postal_code', 'comps_ppsf_city', 'insufficient_comparables'))
  ),
  constraint valuations_estimate_or_insufficient check (
    (valuation_method = 'insufficient_comparables') = (estimate is null)
  ),
  constraint valuations_range check (
    (estimate_low is null or estimate_low <= estimate) and (estimate_high is null or estimate_high >= estimate)
  )
);

comment on table homes.valuations is 'Homes (seed 000): valuation snapshots of properties (engine or owner-supplied).';
comment on column homes.valuations.usage_event_id is 'The metered use of homes.valuation this valuation counted as (included or billable).';

create index valuations_property_id_created_at_idx on homes.valuations (property_id, created_at desc);
create index valuations_listing_id_idx on homes.valuations (listing_id);
create index valuations_requested_by_idx on homes.valuations (requested_by);
create index valuations_usage_event_id_idx on homes.valuations (usage_event_id);

create table homes.valuation_comparables (
  valuation_id uuid not null references homes.valuations (id) on delete cascade,
  rank smallint not null check (rank between 1 and 50),
  property_id uuid references homes.properties (id) on delete set null,
  city text not null,
  postal_code text not null,
  bedrooms smallint not null,
  bathrooms numeric(3, 1) not null,
  living_area_sqft integer not null,
  lot_size_sqft integer,
  year_built smallint,
  price numeric(14, 2) not null check (price > 0),
  price_kind text not null check (price_kind in ('sold', 'asking')),
  price_date date not null,
  price_per_sqft numeric(12, 4) not null,
  similarity numeric(6, 4) not null check (similarity > 0 and similarity <= 1),
  weight numeric(6, 4) not null check (weight > 0),
  adjusted_price numeric(14, 2) not null,
  primary key (valuation_id, rank)
);

comment on table homes.valuation_comparables is 'The comparables an engine valuation used, with their attributes at the time.';

create index valuation_comparables_property_id_idx on homes.valuation_comparables (property_id);

-- ------------------------------------------------------------------ RLS

alter table homes.valuations enable row level security;
alter table homes.valuation_comparables enable row level security;

revoke all on homes.valuations, homes.valuation_comparables from anon, authenticated, service_role;
grant select on homes.valuations, homes.valuation_comparables to anon, authenticated;
grant insert (property_id, estimate, estimate_low, estimate_high, confidence, valuation_method, details)
  on homes.valuations to authenticated;
grant all on homes.valuations, homes.valuation_comparables to service_role;

create policy "valuations: everyone reads those of listed properties"
  on homes.valuations for select to anon
  using (exists (select 1 from homes.properties p where p.id = valuations.property_id));

create policy "valuations: readable with their property"
  on homes.valuations for select to authenticated
  using (exists (select 1 from homes.properties p where p.id = valuations.property_id));

create policy "valuations: owners add a snapshot of their property"
  on homes.valuations for insert to authenticated
  with check (
    source = 'owner'
    and exists (select 1 from homes.properties p where p.id = property_id and p.owner_id = (select auth.uid()))
  );

create policy "valuation_comparables: everyone reads those of listed properties"
  on homes.valuation_comparables for select to anon
  using (exists (select 1 from homes.valuations v where v.id = valuation_comparables.valuation_id));

create policy "valuation_comparables: readable with their valuation"
  on homes.valuation_comparables for select to authenticated
  using (exists (select 1 from homes.valuations v where v.id = valuation_comparables.valuation_id));

-- An owner snapshot takes the property's currency.
create or replace function private.homes_valuation_defaults()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  select p.currency into new.currency from homes.properties p where p.id = new.property_id;
  return new;
end;
$$;

create trigger valuations_defaults
  before insert on homes.valuations
  for each row execute function private.homes_valuation_defaults();

-- ------------------------------------------------------------------ engine

-- Candidate comparables of a property, best first: p_scope 'postal_code'
-- (same postal code) or 'city' (same city and state).
create or replace function private.homes_comparables(p_property_id uuid, p_scope text, p_as_of date default current_date)
returns table (
  property_id uuid, city text, postal_code text, bedrooms smallint, bathrooms numeric, living_area_sqft integer,
  lot_size_sqft integer, year_built smallint, price numeric, price_kind text, price_date date,
  price_per_sqft numeric, similarity numeric, weight numeric, adjusted_price numeric
)
language sql
stable
security definer
set search_path = ''
as $$
  with subject as (
    select s.* from homes.properties s where s.id = p_property_id
  ),
  -- Two branches per price kind, one per scope, so each is an index scan
  -- (the other is switched off by its one-time filter on p_scope).
  sold as (
    select c.id, c.city, c.postal_code, c.bedrooms, c.bathrooms, c.living_area_sqft, c.lot_size_sqft, c.year_built,
           c.last_sold_price as price, 'sold'::text as price_kind, c.last_sold_at as price_date
    from subject s
    join homes.properties c
      on c.postal_code = s.postal_code
     and c.living_area_sqft between s.living_area_sqft * 0.6 and s.living_area_sqft * 1.4
    where p_scope = 'postal_code' and c.id <> s.id and c.currency = s.currency
      and c.last_sold_price is not null and c.last_sold_at > p_as_of - interval '5 years' and c.last_sold_at <= p_as_of
    union all
    select c.id, c.city, c.postal_code, c.bedrooms, c.bathrooms, c.living_area_sqft, c.lot_size_sqft, c.year_built,
           c.last_sold_price, 'sold'::text, c.last_sold_at
    from subject s
    join homes.properties c
      on c.city = s.city and c.state = s.state
     and c.living_area_sqft between s.living_area_sqft * 0.6 and s.living_area_sqft * 1.4
    where p_scope = 'city' and c.id <> s.id and c.currency = s.currency
      and c.last_sold_price is not null and c.last_sold_at > p_as_of - interval '5 years' and c.last_sold_at <= p_as_of
  ),
  asking as (
    select c.id, c.city, c.postal_code, c.bedrooms, c.bathrooms, c.living_area_sqft, c.lot_size_sqft, c.year_built,
           l.asking_price as price, 'asking'::text as price_kind, l.published_at::date as price_date
    from subject s
    join homes.listings l
      on l.status = 'active' and l.postal_code = s.postal_code
     and l.living_area_sqft between s.living_area_sqft * 0.6 and s.living_area_sqft * 1.4
    join homes.properties c on c.id = l.property_id
    where p_scope = 'postal_code' and c.id <> s.id and l.currency = s.currency
    union all
    select c.id, c.city, c.postal_code, c.bedrooms, c.bathrooms, c.living_area_sqft, c.lot_size_sqft, c.year_built,
           l.asking_price, 'asking'::text, l.published_at::date
    from subject s
    join homes.listings l
      on l.status = 'active' and l.city = s.city and l.state = s.state
     and l.living_area_sqft between s.living_area_sqft * 0.6 and s.living_area_sqft * 1.4
    join homes.properties c on c.id = l.property_id
    where p_scope = 'city' and c.id <> s.id and l.currency = s.currency
  ),
  candidates as (
    -- One price per property: a sale beats an asking price.
    select distinct on (x.id) x.*
    from (select * from sold union all select * from asking) x
    order by x.id, (x.price_kind = 'sold') desc, x.price_date desc
  ),
  scored as (
    select c.*,
           (1.0 / (1.0
             + 0.15 * abs(c.bedrooms - s.bedrooms)
             + 0.10 * abs(c.bathrooms - s.bathrooms)
             + abs(c.living_area_sqft - s.living_area_sqft)::numeric / s.living_area_sqft
             + case when c.lot_size_sqft is not null and s.lot_size_sqft > 0
                    then 0.3 * least(abs(c.lot_size_sqft - s.lot_size_sqft)::numeric / s.lot_size_sqft, 1) else 0 end
             + case when c.year_built is not null and s.year_built is not null
                    then 0.01 * least(abs(c.year_built - s.year_built), 30) else 0 end
           )) * case when c.postal_code = s.postal_code then 1.0 else 0.8 end as sim,
           c.price / c.living_area_sqft as ppsf,
           s.living_area_sqft as subject_area
    from candidates c cross join subject s
  )
  select x.id, x.city, x.postal_code, x.bedrooms, x.bathrooms, x.living_area_sqft, x.lot_size_sqft, x.year_built,
         x.price, x.price_kind, x.price_date,
         round(x.ppsf, 4),
         round(x.sim, 4),
         round(x.sim * case when x.price_kind = 'asking' then 0.6
                            when x.price_date > p_as_of - interval '1 year' then 1.0
                            when x.price_date > p_as_of - interval '3 years' then 0.75
                            else 0.5 end, 4),
         round(x.ppsf * x.subject_area, 2)
  from scored x
  where x.sim >= 0.35
  order by x.sim desc, x.price_date desc, x.id
  limit 10;
$$;

-- The comparables of one scope, aggregated.
create or replace function private.homes_comparable_stats(p_property_id uuid, p_scope text, p_as_of date)
returns table (n integer, mean_ppsf numeric, mean_similarity numeric, comps jsonb)
language sql
stable
security definer
set search_path = ''
as $$
  select count(*)::integer,
         sum(c.weight * c.price_per_sqft) / nullif(sum(c.weight), 0),
         avg(c.similarity),
         coalesce(jsonb_agg(to_jsonb(c) order by c.similarity desc, c.price_date desc, c.property_id), '[]'::jsonb)
  from private.homes_comparables(p_property_id, p_scope, p_as_of) c;
$$;

-- The engine: an estimate with its confidence, method and comparables
-- (jsonb), computed from the database; nothing is written.
create or replace function private.homes_compute_valuation(p_property_id uuid, p_as_of date default current_date)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_area integer;
  v_currency text;
  v_scope text := 'postal_code';
  v_stats record;
  v_city record;
  v_comps jsonb;
  v_cv numeric;
  v_estimate numeric;
  v_confidence numeric;
  v_spread numeric;
begin
  select p.living_area_sqft, p.currency into v_area, v_currency from homes.properties p where p.id = p_property_id;
  if v_area is null then
    raise exception 'property_id: no such property' using errcode = 'P0002';
  end if;

  select * into v_stats from private.homes_comparable_stats(p_property_id, 'postal_code', p_as_of);
  if v_stats.n < 5 then
    select * into v_city from private.homes_comparable_stats(p_property_id, 'city', p_as_of);
    if v_city.n > v_stats.n then
      v_scope := 'city';
      v_stats := v_city;
    end if;
  end if;
  v_comps := v_stats.comps;

  if v_stats.n < 3 then
    return jsonb_build_object(
      'estimate', null, 'estimate_low', null, 'estimate_high', null, 'confidence', 0,
      'valuation_method', 'insufficient_comparables', 'currency', v_currency, 'comparables', v_comps,
      'details', jsonb_build_object('scope', v_scope, 'comparables_found', v_stats.n, 'minimum_comparables', 3,
                                    'reason', format('only %s comparable%s with a known price nearby; at least 3 are needed',
                                                     v_stats.n, case when v_stats.n = 1 then '' else 's' end)));
  end if;

  select sqrt(sum(c.weight * power(c.price_per_sqft - v_stats.mean_ppsf, 2)) / sum(c.weight)) / v_stats.mean_ppsf
  into v_cv
  from jsonb_to_recordset(v_comps) as c(weight numeric, price_per_sqft numeric);

  v_estimate := round(v_stats.mean_ppsf * v_area);
  v_confidence := round(v_stats.n::numeric / (v_stats.n + 2) * greatest(0, 1 - 2 * v_cv) * v_stats.mean_similarity, 3);
  v_spread := greatest(v_cv, 0.05);
  return jsonb_build_object(
    'estimate', v_estimate,
    'estimate_low', round(v_estimate * (1 - v_spread)),
    'estimate_high', round(v_estimate * (1 + v_spread)),
    'confidence', v_confidence,
    'valuation_method', 'comps_ppsf_' || v_scope,
    'currency', v_currency,
    'comparables', v_comps,
    'details', jsonb_build_object(
      'scope', v_scope, 'comparables_used', v_stats.n, 'subject_living_area_sqft', v_area,
      'weighted_price_per_sqft', round(v_stats.mean_ppsf, 4), 'coefficient_of_variation', round(v_cv, 4),
      'mean_similarity', round(v_stats.mean_similarity, 4), 'as_of', p_as_of));
end;
$$;

-- Computes and stores a valuation, charges it to the owner's personal
-- account and tells the owner; raises DM402 (nothing stored) when the plan's
-- allowance is used up and overage is not allowed.
create or replace function private.homes_store_valuation(
  p_property_id uuid,
  p_request_key text,
  p_requested_by uuid default null,
  p_listing_id uuid default null
)
returns homes.valuations
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_owner uuid;
  v_result jsonb;
  v_row homes.valuations;
  v_usage public.usage_events;
begin
  select * into v_row from homes.valuations v where v.request_key = p_request_key;
  if v_row.id is not null then
    return v_row;
  end if;
  select p.owner_id into v_owner from homes.properties p where p.id = p_property_id for share;
  if v_owner is null then
    raise exception 'property_id: no such property' using errcode = 'P0002';
  end if;

  v_result := private.homes_compute_valuation(p_property_id);
  insert into homes.valuations (property_id, estimate, estimate_low, estimate_high, currency, confidence,
                                valuation_method, source, comparables_count, details, listing_id, requested_by,
                                request_key)
  values (p_property_id, (v_result ->> 'estimate')::numeric, (v_result ->> 'estimate_low')::numeric,
          (v_result ->> 'estimate_high')::numeric, v_result ->> 'currency', (v_result ->> 'confidence')::numeric,
          v_result ->> 'valuation_method', 'engine', jsonb_array_length(v_result -> 'comparables'),
          v_result -> 'details', p_listing_id, p_requested_by, p_request_key)
  returning * into v_row;

  insert into homes.valuation_comparables (valuation_id, rank, property_id, city, postal_code, bedrooms, bathrooms,
                                           living_area_sqft, lot_size_sqft, year_built, price, price_kind, price_date,
                                           price_per_sqft, similarity, weight, adjusted_price)
  select v_row.id, c.ord, c.property_id, c.city, c.postal_code, c.bedrooms, c.bathrooms, c.living_area_sqft,
         c.lot_size_sqft, c.year_built, c.price, c.price_kind, c.price_date, c.price_per_sqft, c.similarity, c.weight,
         c.adjusted_price
  from rows from (jsonb_to_recordset(v_result -> 'comparables') as (
    property_id uuid, city text, postal_code text, bedrooms smallint, bathrooms numeric, living_area_sqft integer,
    lot_size_sqft integer, year_built smallint, price numeric, price_kind text, price_date date,
    price_per_sqft numeric, similarity numeric, weight numeric, adjusted_price numeric)) with ordinality as c(
    property_id, city, postal_code, bedrooms, bathrooms, living_area_sqft, lot_size_sqft, year_built, price, price_kind,
    price_date, price_per_sqft, similarity, weight, adjusted_price, ord);

  if v_row.estimate is not null then
    -- The personal account's id is the user's id.
    v_usage := private.record_usage(v_owner, 'homes.valuation', 1, 'homes.valuation:' || p_request_key,
                                    coalesce(p_requested_by, v_owner), v_row.id::text);
    update homes.valuations v set usage_event_id = v_usage.id where v.id = v_row.id
    returning * into v_row;
    perform private.notify(
      v_owner, 'valuation_ready', 'Valuation ready',
      format('Estimated value %s %s (confidence %s%%, %s comparables)%s.',
             to_char(v_row.estimate, 'FM999,999,999,990'), v_row.currency, round(v_row.confidence * 100),
             v_row.comparables_count,
             case when v_usage.billable then format(', billed %s %s as overage', v_usage.amount, v_usage.currency) else '' end),
      'homes', '/homes/properties/' || p_property_id,
      jsonb_build_object('property_id', p_property_id, 'valuation_id', v_row.id, 'listing_id', p_listing_id,
                         'billable', v_usage.billable),
      v_owner);
  else
    perform private.notify(
      v_owner, 'valuation_insufficient', 'Not enough comparables',
      format('We could not value this property: %s. No valuation was charged.', v_row.details ->> 'reason'),
      'homes', '/homes/properties/' || p_property_id,
      jsonb_build_object('property_id', p_property_id, 'valuation_id', v_row.id, 'listing_id', p_listing_id),
      v_owner);
  end if;
  return v_row;
end;
$$;

-- The owner hears when a valuation was refused for the plan's allowance.
create or replace function private.homes_notify_valuation_refused(p_property_id uuid, p_reason text, p_listing_id uuid default null)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_owner uuid;
begin
  select p.owner_id into v_owner from homes.properties p where p.id = p_property_id;
  if v_owner is null then
    return;
  end if;
  perform private.notify(
    v_owner, 'valuation_refused', 'Valuation not run',
    format('Your plan''s valuations are used up (%s). Upgrade to Homes Pro or Agency for more.', p_reason),
    'homes', '/billing/plans?product=homes',
    jsonb_build_object('property_id', p_property_id, 'listing_id', p_listing_id),
    v_owner);
end;
$$;

revoke execute on all functions in schema private from public;
grant execute on function
  private.homes_comparables(uuid, text, date),
  private.homes_comparable_stats(uuid, text, date),
  private.homes_compute_valuation(uuid, date),
  private.homes_store_valuation(uuid, text, uuid, uuid),
  private.homes_notify_valuation_refused(uuid, text, uuid)
to service_role;
