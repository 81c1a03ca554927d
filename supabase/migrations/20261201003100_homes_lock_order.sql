-- Homes: one lock order, property before listing, everywhere (issue 14 §3).
-- homes.accept_offer locked the listing and then, through the
-- listings_property_listed trigger, the property; the valuation worker
-- (private.homes_store_valuation) locks the property FOR SHARE and then the
-- listing (the foreign key check of valuations.listing_id). Run together
-- right after a publish they deadlocked (40P01, a 500) in most tries.
-- The order, documented in docs/homes.md:
--   1. the property (FOR NO KEY UPDATE when the transaction will change it
--      or its listings' status; FOR SHARE to read it stably),
--   2. the listing (FOR UPDATE / FOR SHARE / the key share of a foreign key),
--   3. offers of that listing.
-- Updates of a property already run in this order (the properties row, then
-- its listings through properties_sync_listings), and so does a valuation.
-- What changes:
--   * private.homes_lock_listing: the property, then the listing; every RPC
--     that locks a listing goes through it (publish_listing directly,
--     accept/decline/withdraw_offer through private.homes_lock_offer,
--     withdraw_listing/reopen_listing/mark_sold through
--     private.homes_lock_own_listing);
--   * private.homes_property_listed updates the property only when is_listed
--     changes, so a listing write that cannot change it (deleting a draft,
--     repricing) takes no property lock after the listing's.
-- Who may do what: unchanged. Functions copied from
-- 20261122002000_homes_properties_and_listings.sql and
-- 20261122002020_homes_offers.sql with only the locking changed and the
-- state-conflict raise on the PostgREST code (55000 -> PT409, a 409).

-- The listing, locked after its property (null when there is no such
-- listing). property_id never changes (private.homes_guard_listing), so the
-- unlocked read that finds it is safe.
create or replace function private.homes_lock_listing(p_listing_id uuid)
returns homes.listings
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_property_id uuid;
  v_listing homes.listings;
begin
  select l.property_id into v_property_id from homes.listings l where l.id = p_listing_id;
  if v_property_id is null then
    return null;
  end if;
  perform 1 from homes.properties p where p.id = v_property_id for no key update;
  select * into v_listing from homes.listings l where l.id = p_listing_id for update;
  return v_listing;
end;
$$;

comment on function private.homes_lock_listing(uuid) is
  'Locks a listing''s property (FOR NO KEY UPDATE), then the listing (FOR UPDATE): the Homes lock order.';

-- The offer, locked with its property and listing (in that order), so
-- accepts on one listing still queue up behind each other.
create or replace function private.homes_lock_offer(p_offer_id uuid)
returns homes.offers
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_listing_id uuid;
  v_offer homes.offers;
begin
  select o.listing_id into v_listing_id from homes.offers o where o.id = p_offer_id;
  if v_listing_id is null then
    raise exception 'offer_id: no such offer' using errcode = '22023';
  end if;
  perform private.homes_lock_listing(v_listing_id);
  select * into v_offer from homes.offers o where o.id = p_offer_id for update;
  return v_offer;
end;
$$;

-- The seller's own listing, locked after its property.
create or replace function private.homes_lock_own_listing(p_listing_id uuid)
returns homes.listings
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_listing homes.listings := private.homes_lock_listing(p_listing_id);
begin
  if v_listing.id is null then
    raise exception 'listing_id: no such listing' using errcode = '22023';
  end if;
  if v_listing.seller_id is distinct from (select auth.uid()) then
    raise exception 'listing_id: only the seller can change this listing' using errcode = '42501';
  end if;
  return v_listing;
end;
$$;

-- draft/withdrawn -> active; queues a valuation refresh of the property
-- (worker function `valuation`, queue homes.valuation), once per publish.
create or replace function homes.publish_listing(listing_id uuid)
returns homes.listings
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_listing homes.listings := private.homes_lock_listing(publish_listing.listing_id);
begin
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
$$;

-- properties.is_listed follows the property's listings; the row is written
-- (and locked) only when the flag changes.
create or replace function private.homes_property_listed()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_property_id uuid := case when tg_op = 'DELETE' then old.property_id else new.property_id end;
  v_listed boolean;
begin
  v_listed := exists (select 1 from homes.listings l where l.property_id = v_property_id and l.status = 'active');
  update homes.properties p set is_listed = v_listed
  where p.id = v_property_id and p.is_listed is distinct from v_listed;
  return null;
end;
$$;

revoke execute on function
  private.homes_lock_listing(uuid), private.homes_lock_offer(uuid), private.homes_lock_own_listing(uuid),
  private.homes_property_listed()
from public, anon, authenticated;
