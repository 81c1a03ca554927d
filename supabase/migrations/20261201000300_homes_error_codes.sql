-- Homes: error codes PostgREST answers right (issue 14 section 1).
-- Re-creates the listing and offer state machine (RPCs and guard triggers) and
-- the valuation helpers unchanged but for one code each: a refused transition
-- (accepting a declined offer, an offer on a draft, repricing under contract,
-- mark_sold / reopen_listing from the wrong state...) raised 55000, which
-- PostgREST answers 500; now PT409 (409 Conflict). A valuation of a property
-- that does not exist raised P0002 (500); now PT404 (404).
-- Rights, grants and comments are unchanged: create or replace keeps them (the
-- private helpers are revoked again all the same, as every private function is).
-- Invariant, checked on the live definitions by
-- supabase/tests/002-error-codes-as-postgrest-answers.sql: no raise a caller can
-- cause answers 5xx through PostgREST.

CREATE OR REPLACE FUNCTION homes.publish_listing(listing_id uuid)
 RETURNS homes.listings
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_listing homes.listings;
begin
  select * into v_listing from homes.listings l where l.id = publish_listing.listing_id for update;
  if v_listing.id is null then
    raise exception 'listing_id: no such listing' using errcode = '22023';
  end if;
  if v_listing.seller_id is distinct from (select auth.uid()) then
    raise exception 'listing_id: only the seller can publish this listing' using errcode = '42501';
  end if;
  if v_listing.status not in ('draft', 'withdrawn') then
    raise exception 'status: only a draft or withdrawn listing can be published (this one is %)', v_listing.status
      using errcode = 'PT409';
  end if;
  update homes.listings l set status = 'active', published_at = now()
  where l.id = v_listing.id
  returning * into v_listing;
  perform private.enqueue_job(
    'homes.valuation',
    jsonb_build_object('property_id', v_listing.property_id, 'listing_id', v_listing.id, 'reason', 'listing_published'),
    v_listing.seller_id,
    format('listing:%s:published:%s', v_listing.id, extract(epoch from clock_timestamp()))
  );
  return v_listing;
end;
$function$
;

CREATE OR REPLACE FUNCTION homes.accept_offer(offer_id uuid)
 RETURNS homes.offers
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_offer homes.offers := private.homes_lock_offer(accept_offer.offer_id);
  v_listing homes.listings;
begin
  select * into v_listing from homes.listings l where l.id = v_offer.listing_id;
  if v_listing.seller_id is distinct from (select auth.uid()) then
    raise exception 'offer_id: only the listing''s seller can accept an offer' using errcode = '42501';
  end if;
  if v_offer.status <> 'submitted' then
    raise exception 'status: only a submitted offer can be accepted (this one is %)', v_offer.status using errcode = 'PT409';
  end if;
  if v_listing.status <> 'active' then
    raise exception 'listing: only an active listing can accept an offer (this one is %)', v_listing.status
      using errcode = 'PT409';
  end if;
  update homes.offers o set status = 'accepted' where o.id = v_offer.id returning * into v_offer;
  update homes.offers o set status = 'declined'
  where o.listing_id = v_offer.listing_id and o.status = 'submitted';
  update homes.listings l set status = 'under_contract' where l.id = v_offer.listing_id;
  return v_offer;
end;
$function$
;

CREATE OR REPLACE FUNCTION homes.decline_offer(offer_id uuid)
 RETURNS homes.offers
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_offer homes.offers := private.homes_lock_offer(decline_offer.offer_id);
  v_listing homes.listings;
begin
  select * into v_listing from homes.listings l where l.id = v_offer.listing_id;
  if v_listing.seller_id is distinct from (select auth.uid()) then
    raise exception 'offer_id: only the listing''s seller can decline an offer' using errcode = '42501';
  end if;
  if v_offer.status <> 'submitted' then
    raise exception 'status: only a submitted offer can be declined (this one is %)', v_offer.status using errcode = 'PT409';
  end if;
  update homes.offers o set status = 'declined' where o.id = v_offer.id returning * into v_offer;
  return v_offer;
end;
$function$
;

CREATE OR REPLACE FUNCTION homes.withdraw_offer(offer_id uuid)
 RETURNS homes.offers
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_offer homes.offers := private.homes_lock_offer(withdraw_offer.offer_id);
begin
  if v_offer.buyer_id is distinct from (select auth.uid()) then
    raise exception 'offer_id: only the buyer can withdraw an offer' using errcode = '42501';
  end if;
  if v_offer.status <> 'submitted' then
    raise exception 'status: only a submitted offer can be withdrawn (this one is %)', v_offer.status using errcode = 'PT409';
  end if;
  update homes.offers o set status = 'withdrawn' where o.id = v_offer.id returning * into v_offer;
  return v_offer;
end;
$function$
;

CREATE OR REPLACE FUNCTION homes.withdraw_listing(listing_id uuid)
 RETURNS homes.listings
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_listing homes.listings := private.homes_lock_own_listing(withdraw_listing.listing_id);
begin
  if v_listing.status <> 'active' then
    raise exception 'status: only an active listing can be withdrawn (this one is %)', v_listing.status
      using errcode = 'PT409';
  end if;
  update homes.offers o set status = 'declined' where o.listing_id = v_listing.id and o.status = 'submitted';
  update homes.listings l set status = 'withdrawn' where l.id = v_listing.id returning * into v_listing;
  return v_listing;
end;
$function$
;

CREATE OR REPLACE FUNCTION homes.reopen_listing(listing_id uuid)
 RETURNS homes.listings
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_listing homes.listings := private.homes_lock_own_listing(reopen_listing.listing_id);
begin
  if v_listing.status <> 'under_contract' then
    raise exception 'status: only a listing under contract can be reopened (this one is %)', v_listing.status
      using errcode = 'PT409';
  end if;
  update homes.offers o set status = 'declined' where o.listing_id = v_listing.id and o.status = 'accepted';
  update homes.listings l set status = 'active' where l.id = v_listing.id returning * into v_listing;
  return v_listing;
end;
$function$
;

CREATE OR REPLACE FUNCTION homes.mark_sold(listing_id uuid)
 RETURNS homes.listings
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_listing homes.listings := private.homes_lock_own_listing(mark_sold.listing_id);
  v_amount numeric;
begin
  if v_listing.status <> 'under_contract' then
    raise exception 'status: only a listing under contract can be sold (this one is %)', v_listing.status
      using errcode = 'PT409';
  end if;
  select o.amount into v_amount from homes.offers o where o.listing_id = v_listing.id and o.status = 'accepted';
  update homes.listings l set status = 'sold', sold_price = v_amount, sold_at = now()
  where l.id = v_listing.id returning * into v_listing;
  update homes.properties p set last_sold_price = v_amount, last_sold_at = current_date
  where p.id = v_listing.property_id;
  return v_listing;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.homes_listing_needs_offer()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_accepted boolean := exists (select 1 from homes.offers o where o.listing_id = new.id and o.status = 'accepted');
begin
  if new.status in ('under_contract', 'sold') and not v_accepted then
    raise exception 'status: a listing goes under contract only by accepting an offer (homes.accept_offer)'
      using errcode = 'PT409';
  end if;
  if new.status in ('active', 'withdrawn') and v_accepted then
    raise exception 'status: release the accepted offer first (homes.reopen_listing)' using errcode = 'PT409';
  end if;
  return new;
end;
$function$
;

revoke execute on function private.homes_listing_needs_offer() from public, anon, authenticated;

CREATE OR REPLACE FUNCTION private.homes_guard_listing()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  if tg_op = 'INSERT' then
    if new.status <> 'draft' then
      raise exception 'status: a listing starts as a draft; publish it with homes.publish_listing' using errcode = 'PT409';
    end if;
    return new;
  end if;
  if new.seller_id is distinct from old.seller_id or new.property_id is distinct from old.property_id then
    raise exception 'listing: seller_id and property_id cannot change' using errcode = '42501';
  end if;
  if new.asking_price is distinct from old.asking_price and old.status not in ('draft', 'active', 'withdrawn') then
    raise exception 'asking_price: cannot change once the listing is %', old.status using errcode = 'PT409';
  end if;
  if new.status is distinct from old.status and not (
       (old.status in ('draft', 'withdrawn') and new.status = 'active')
    or (old.status = 'active' and new.status in ('under_contract', 'withdrawn'))
    or (old.status = 'under_contract' and new.status in ('active', 'sold'))
  ) then
    raise exception 'status: a listing cannot go from % to %', old.status, new.status using errcode = 'PT409';
  end if;
  if old.status = 'sold' and (new.sold_price is distinct from old.sold_price or new.sold_at is distinct from old.sold_at) then
    raise exception 'sold_price: a sale is final' using errcode = 'PT409';
  end if;
  return new;
end;
$function$
;

revoke execute on function private.homes_guard_listing() from public, anon, authenticated;

CREATE OR REPLACE FUNCTION private.homes_compute_valuation(p_property_id uuid, p_as_of date DEFAULT CURRENT_DATE)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
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
    raise exception 'property_id: no such property' using errcode = 'PT404';
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
$function$
;

revoke execute on function private.homes_compute_valuation(p_property_id uuid, p_as_of date) from public, anon, authenticated;

CREATE OR REPLACE FUNCTION private.homes_store_valuation(p_property_id uuid, p_request_key text, p_requested_by uuid DEFAULT NULL::uuid, p_listing_id uuid DEFAULT NULL::uuid)
 RETURNS homes.valuations
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
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
    raise exception 'property_id: no such property' using errcode = 'PT404';
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
$function$
;

revoke execute on function private.homes_store_valuation(p_property_id uuid, p_request_key text, p_requested_by uuid, p_listing_id uuid) from public, anon, authenticated;

CREATE OR REPLACE FUNCTION private.homes_offer_defaults()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_listing homes.listings;
begin
  select * into v_listing from homes.listings l where l.id = new.listing_id for share;
  if v_listing.id is null then
    raise exception 'listing_id: no such listing' using errcode = '22023';
  end if;
  if v_listing.status <> 'active' then
    raise exception 'listing_id: this listing is % and takes no offers', replace(v_listing.status, '_', ' ')
      using errcode = 'PT409';
  end if;
  if v_listing.seller_id = new.buyer_id then
    raise exception 'listing_id: you cannot make an offer on your own listing' using errcode = '42501';
  end if;
  if new.amount is null or new.amount <= 0 then
    raise exception 'amount: must be a positive amount' using errcode = '22023';
  end if;
  if exists (select 1 from homes.offers o
             where o.listing_id = new.listing_id and o.buyer_id = new.buyer_id and o.status = 'submitted') then
    raise exception 'listing_id: you already have an open offer on this listing; withdraw it to make another'
      using errcode = '23505';
  end if;
  new.seller_id := v_listing.seller_id;
  new.currency := v_listing.currency;
  new.status := 'submitted';
  new.decided_at := null;
  return new;
end;
$function$
;

revoke execute on function private.homes_offer_defaults() from public, anon, authenticated;

CREATE OR REPLACE FUNCTION private.homes_guard_offer()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
begin
  if new.listing_id is distinct from old.listing_id or new.buyer_id is distinct from old.buyer_id
     or new.seller_id is distinct from old.seller_id or new.amount is distinct from old.amount
     or new.currency is distinct from old.currency or new.message is distinct from old.message
     or new.created_at is distinct from old.created_at then
    raise exception 'offer: only its status changes once submitted' using errcode = '42501';
  end if;
  if new.status is distinct from old.status then
    if not ((old.status = 'submitted' and new.status in ('accepted', 'declined', 'withdrawn'))
            or (old.status = 'accepted' and new.status = 'declined')) then
      raise exception 'status: an offer cannot go from % to %', old.status, new.status using errcode = 'PT409';
    end if;
    new.decided_at := now();
  end if;
  return new;
end;
$function$
;

revoke execute on function private.homes_guard_offer() from public, anon, authenticated;

