-- Homes: every numeric column refuses NaN and the infinities (issue 14 §2;
-- the rule and why: 20261201003000_billing_finite_numbers.sql), and the
-- offer checks that NaN slipped through.
--   * the attack: a buyer's `insert into homes.offers (listing_id, amount)
--     values (<active listing>, 'NaN')` made a submitted offer ('NaN' > 0 is
--     true); accepted and sold, it wrote NaN into sold_price and
--     properties.last_sold_price, and every valuation of that postal code
--     failed from then on. Owners' valuation snapshots took estimate 'NaN'.
--   * now: `<table>_<column>_finite` on every numeric column (23514, a 400);
--     private.homes_offer_defaults and homes.submit_offer refuse a
--     non-finite amount first, with 22023 and the field name.
-- Who may do what: unchanged. The trigger is copied from
-- 20261122002020_homes_offers.sql with only the amount test changed and its
-- state-conflict raise on the PostgREST code (55000 -> PT409, a 409).

alter table homes.properties
  add constraint properties_bathrooms_finite check (bathrooms > '-Infinity' and bathrooms < 'Infinity'),
  add constraint properties_last_sold_price_finite
    check (last_sold_price > '-Infinity' and last_sold_price < 'Infinity');

alter table homes.listings
  add constraint listings_asking_price_finite check (asking_price > '-Infinity' and asking_price < 'Infinity'),
  add constraint listings_sold_price_finite check (sold_price > '-Infinity' and sold_price < 'Infinity'),
  add constraint listings_bathrooms_finite check (bathrooms > '-Infinity' and bathrooms < 'Infinity');

alter table homes.offers
  add constraint offers_amount_finite check (amount > '-Infinity' and amount < 'Infinity');

alter table homes.valuations
  add constraint valuations_estimate_finite check (estimate > '-Infinity' and estimate < 'Infinity'),
  add constraint valuations_estimate_low_finite check (estimate_low > '-Infinity' and estimate_low < 'Infinity'),
  add constraint valuations_estimate_high_finite check (estimate_high > '-Infinity' and estimate_high < 'Infinity'),
  add constraint valuations_confidence_finite check (confidence > '-Infinity' and confidence < 'Infinity');

alter table homes.valuation_comparables
  add constraint valuation_comparables_bathrooms_finite check (bathrooms > '-Infinity' and bathrooms < 'Infinity'),
  add constraint valuation_comparables_price_finite check (price > '-Infinity' and price < 'Infinity'),
  add constraint valuation_comparables_price_per_sqft_finite
    check (price_per_sqft > '-Infinity' and price_per_sqft < 'Infinity'),
  add constraint valuation_comparables_similarity_finite check (similarity > '-Infinity' and similarity < 'Infinity'),
  add constraint valuation_comparables_weight_finite check (weight > '-Infinity' and weight < 'Infinity'),
  add constraint valuation_comparables_adjusted_price_finite
    check (adjusted_price > '-Infinity' and adjusted_price < 'Infinity');

-- New offers: as before (listing active and someone else's, seller and
-- currency from the listing, the listing locked FOR SHARE), but the amount
-- must be a positive finite number: `amount <= 0` is false for NaN.
create or replace function private.homes_offer_defaults()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
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
  if new.amount is null or not (new.amount > 0 and new.amount < 'Infinity') then
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
$$;

-- NaN used to be refused here only by accident ('NaN' >= 1e12 is true: "too
-- large"); now it is named for what it is.
create or replace function homes.submit_offer(listing_id uuid, amount numeric, message text default null)
returns homes.offers
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_offer homes.offers;
begin
  if submit_offer.amount is null or submit_offer.amount = 'NaN' or submit_offer.amount <= 0 then
    raise exception 'amount: must be a positive amount' using errcode = '22023';
  end if;
  if submit_offer.amount >= 1e12 then
    raise exception 'amount: too large' using errcode = '22023';
  end if;
  insert into homes.offers (listing_id, amount, message)
  values (submit_offer.listing_id, round(submit_offer.amount, 2), nullif(btrim(submit_offer.message), ''))
  returning * into v_offer;
  return v_offer;
end;
$$;

revoke execute on function private.homes_offer_defaults() from public, anon, authenticated;
