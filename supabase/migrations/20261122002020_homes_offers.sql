-- Homes (seed 000), part 3: offers and the listing transitions they drive.
--   * homes.offers: seed fields (amount, status submitted/accepted/declined/
--     withdrawn, message) plus currency (the listing's), seller_id (the
--     listing's seller, copied by trigger so "offers on my listings" and its
--     policy are one index), decided_at, updated_at;
--   * rules, for every role (triggers): offers only on active listings,
--     never on one's own, amount > 0, one open offer per buyer and listing,
--     at most one accepted offer per listing; transitions
--       submitted -> accepted | declined (seller) | withdrawn (buyer)
--       accepted  -> declined (the contract fell through: homes.reopen_listing)
--     and nothing else; amount, message and parties never change;
--   * RPCs: homes.submit_offer (invoker: an insert under RLS),
--     homes.accept_offer (listing -> under_contract and every other open
--     offer declined, in one transaction, serialised on the listing row),
--     homes.decline_offer, homes.withdraw_offer, homes.withdraw_listing
--     (active -> withdrawn, open offers declined), homes.reopen_listing
--     (under_contract -> active), homes.mark_sold (under_contract -> sold at
--     the accepted amount; the property's last sale is recorded, so it
--     becomes a comparable);
--   * notifications at every step (private.notify, product 'homes'): offer
--     submitted / withdrawn to the seller, accepted / declined to the buyer,
--     listing published / under contract / sold to the seller, purchase
--     completed to the buyer.
-- RLS: an offer is visible only to its buyer and the listing's seller;
-- buyers insert their own (buyer_id = auth.uid()); nobody updates offers
-- directly (no update grant): the RPCs check who is asking.

create table homes.offers (
  id uuid primary key default extensions.gen_random_uuid(),
  listing_id uuid not null references homes.listings (id) on delete cascade,
  buyer_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  seller_id uuid not null references public.profiles (id) on delete cascade,
  amount numeric(14, 2) not null check (amount > 0),
  currency char(3) not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
  status text not null default 'submitted' check (status in ('submitted', 'accepted', 'declined', 'withdrawn')),
  message text check (char_length(message) <= 2000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  decided_at timestamptz,
  constraint offers_not_own check (buyer_id <> seller_id),
  constraint offers_decided check ((status = 'submitted') = (decided_at is null))
);

comment on table homes.offers is 'Homes (seed 000): buyers'' offers on listings; state machine in private.homes_guard_offer.';
comment on column homes.offers.seller_id is 'The listing''s seller, copied on insert (never from the request).';

create index offers_listing_id_status_idx on homes.offers (listing_id, status);
create index offers_buyer_id_created_at_idx on homes.offers (buyer_id, created_at desc);
create index offers_seller_id_created_at_idx on homes.offers (seller_id, created_at desc);
create unique index offers_one_accepted_per_listing_idx on homes.offers (listing_id) where status = 'accepted';
create unique index offers_one_open_per_buyer_idx on homes.offers (listing_id, buyer_id) where status = 'submitted';

create trigger offers_set_updated_at
  before update on homes.offers
  for each row execute function private.set_updated_at();

-- New offers: the listing must be active and someone else's; the seller and
-- currency come from the listing. Locks the listing row (FOR SHARE) so an
-- offer never slips in beside a concurrent accept.
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
      using errcode = '55000';
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
$$;

create trigger offers_defaults
  before insert on homes.offers
  for each row execute function private.homes_offer_defaults();

create or replace function private.homes_guard_offer()
returns trigger
language plpgsql
set search_path = ''
as $$
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
      raise exception 'status: an offer cannot go from % to %', old.status, new.status using errcode = '55000';
    end if;
    new.decided_at := now();
  end if;
  return new;
end;
$$;

create trigger offers_guard
  before update on homes.offers
  for each row execute function private.homes_guard_offer();

-- A listing is under contract or sold only with an accepted offer, and back
-- on the market only without one.
create or replace function private.homes_listing_needs_offer()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_accepted boolean := exists (select 1 from homes.offers o where o.listing_id = new.id and o.status = 'accepted');
begin
  if new.status in ('under_contract', 'sold') and not v_accepted then
    raise exception 'status: a listing goes under contract only by accepting an offer (homes.accept_offer)'
      using errcode = '55000';
  end if;
  if new.status in ('active', 'withdrawn') and v_accepted then
    raise exception 'status: release the accepted offer first (homes.reopen_listing)' using errcode = '55000';
  end if;
  return new;
end;
$$;

create trigger listings_need_offer
  before update of status on homes.listings
  for each row when (new.status is distinct from old.status)
  execute function private.homes_listing_needs_offer();

-- ------------------------------------------------------------------ notifications

create or replace function private.homes_notify_offer()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_address text;
  v_amount text := to_char(new.amount, 'FM999,999,999,990.00') || ' ' || new.currency;
  v_data jsonb := jsonb_build_object('offer_id', new.id, 'listing_id', new.listing_id, 'amount', new.amount);
  v_url text := '/homes/listings/' || new.listing_id;
begin
  select p.address into v_address
  from homes.listings l join homes.properties p on p.id = l.property_id where l.id = new.listing_id;
  if tg_op = 'INSERT' then
    perform private.notify(new.seller_id, 'offer_submitted', 'New offer',
      format('An offer of %s on %s.', v_amount, v_address), 'homes', v_url, v_data, new.seller_id);
  elsif new.status = 'accepted' then
    perform private.notify(new.buyer_id, 'offer_accepted', 'Offer accepted',
      format('Your offer of %s on %s was accepted; the home is under contract.', v_amount, v_address),
      'homes', v_url, v_data, new.buyer_id);
  elsif new.status = 'declined' then
    perform private.notify(new.buyer_id, 'offer_declined', 'Offer declined',
      case when old.status = 'accepted'
           then format('The contract on %s fell through; your accepted offer of %s was released.', v_address, v_amount)
           else format('Your offer of %s on %s was declined.', v_amount, v_address) end,
      'homes', v_url, v_data, new.buyer_id);
  elsif new.status = 'withdrawn' then
    perform private.notify(new.seller_id, 'offer_withdrawn', 'Offer withdrawn',
      format('The buyer withdrew an offer of %s on %s.', v_amount, v_address), 'homes', v_url, v_data, new.seller_id);
  end if;
  return null;
end;
$$;

create trigger offers_notify_submitted
  after insert on homes.offers
  for each row execute function private.homes_notify_offer();

create trigger offers_notify_status
  after update of status on homes.offers
  for each row when (new.status is distinct from old.status)
  execute function private.homes_notify_offer();

create or replace function private.homes_notify_listing()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_address text;
  v_buyer uuid;
  v_data jsonb := jsonb_build_object('listing_id', new.id, 'property_id', new.property_id, 'status', new.status);
  v_url text := '/homes/listings/' || new.id;
begin
  select p.address into v_address from homes.properties p where p.id = new.property_id;
  if new.status = 'active' and old.status in ('draft', 'withdrawn') then
    perform private.notify(new.seller_id, 'listing_published', 'Listing published',
      format('%s is on the market at %s %s; its valuation is being refreshed.', v_address,
             to_char(new.asking_price, 'FM999,999,999,990'), new.currency), 'homes', v_url, v_data, new.seller_id);
  elsif new.status = 'under_contract' then
    perform private.notify(new.seller_id, 'listing_under_contract', 'Under contract',
      format('%s is under contract; other open offers were declined.', v_address), 'homes', v_url, v_data, new.seller_id);
  elsif new.status = 'sold' then
    perform private.notify(new.seller_id, 'listing_sold', 'Sold',
      format('%s sold for %s %s.', v_address, to_char(new.sold_price, 'FM999,999,999,990'), new.currency),
      'homes', v_url, v_data, new.seller_id);
    select o.buyer_id into v_buyer from homes.offers o where o.listing_id = new.id and o.status = 'accepted';
    if v_buyer is not null then
      perform private.notify(v_buyer, 'purchase_completed', 'Purchase completed',
        format('Your purchase of %s for %s %s is complete.', v_address, to_char(new.sold_price, 'FM999,999,999,990'),
               new.currency), 'homes', v_url, v_data, v_buyer);
    end if;
  end if;
  return null;
end;
$$;

create trigger listings_notify_status
  after update of status on homes.listings
  for each row when (new.status is distinct from old.status)
  execute function private.homes_notify_listing();

-- ------------------------------------------------------------------ RLS

alter table homes.offers enable row level security;

revoke all on homes.offers from anon, authenticated, service_role;
grant select on homes.offers to authenticated;
grant insert (id, listing_id, amount, message) on homes.offers to authenticated;
grant all on homes.offers to service_role;

-- coalesce() changes nothing (both columns are not null) but makes the
-- planner estimate the policy at 1/2 instead of multiplying two equality
-- selectivities with the query's own `seller_id = ...` into "one row", which
-- made it trade the (seller_id, created_at) index order for a BitmapOr and a
-- sort (2-5x slower for "offers on my listings").
create policy "offers: their buyer and the listing's seller read"
  on homes.offers for select to authenticated
  using (coalesce(buyer_id = (select auth.uid()) or seller_id = (select auth.uid()), false));

create policy "offers: buyers make their own"
  on homes.offers for insert to authenticated
  with check (buyer_id = (select auth.uid()));

-- ------------------------------------------------------------------ RPCs

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
  if submit_offer.amount is null or submit_offer.amount <= 0 then
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

-- The offer, locked with its listing (listing first, always, so accepts on
-- one listing queue up behind each other).
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
  perform 1 from homes.listings l where l.id = v_listing_id for update;
  select * into v_offer from homes.offers o where o.id = p_offer_id for update;
  return v_offer;
end;
$$;

create or replace function homes.accept_offer(offer_id uuid)
returns homes.offers
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_offer homes.offers := private.homes_lock_offer(accept_offer.offer_id);
  v_listing homes.listings;
begin
  select * into v_listing from homes.listings l where l.id = v_offer.listing_id;
  if v_listing.seller_id is distinct from (select auth.uid()) then
    raise exception 'offer_id: only the listing''s seller can accept an offer' using errcode = '42501';
  end if;
  if v_offer.status <> 'submitted' then
    raise exception 'status: only a submitted offer can be accepted (this one is %)', v_offer.status using errcode = '55000';
  end if;
  if v_listing.status <> 'active' then
    raise exception 'listing: only an active listing can accept an offer (this one is %)', v_listing.status
      using errcode = '55000';
  end if;
  update homes.offers o set status = 'accepted' where o.id = v_offer.id returning * into v_offer;
  update homes.offers o set status = 'declined'
  where o.listing_id = v_offer.listing_id and o.status = 'submitted';
  update homes.listings l set status = 'under_contract' where l.id = v_offer.listing_id;
  return v_offer;
end;
$$;

create or replace function homes.decline_offer(offer_id uuid)
returns homes.offers
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_offer homes.offers := private.homes_lock_offer(decline_offer.offer_id);
  v_listing homes.listings;
begin
  select * into v_listing from homes.listings l where l.id = v_offer.listing_id;
  if v_listing.seller_id is distinct from (select auth.uid()) then
    raise exception 'offer_id: only the listing''s seller can decline an offer' using errcode = '42501';
  end if;
  if v_offer.status <> 'submitted' then
    raise exception 'status: only a submitted offer can be declined (this one is %)', v_offer.status using errcode = '55000';
  end if;
  update homes.offers o set status = 'declined' where o.id = v_offer.id returning * into v_offer;
  return v_offer;
end;
$$;

create or replace function homes.withdraw_offer(offer_id uuid)
returns homes.offers
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_offer homes.offers := private.homes_lock_offer(withdraw_offer.offer_id);
begin
  if v_offer.buyer_id is distinct from (select auth.uid()) then
    raise exception 'offer_id: only the buyer can withdraw an offer' using errcode = '42501';
  end if;
  if v_offer.status <> 'submitted' then
    raise exception 'status: only a submitted offer can be withdrawn (this one is %)', v_offer.status using errcode = '55000';
  end if;
  update homes.offers o set status = 'withdrawn' where o.id = v_offer.id returning * into v_offer;
  return v_offer;
end;
$$;

-- The seller's own listing, locked.
create or replace function private.homes_lock_own_listing(p_listing_id uuid)
returns homes.listings
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_listing homes.listings;
begin
  select * into v_listing from homes.listings l where l.id = p_listing_id for update;
  if v_listing.id is null then
    raise exception 'listing_id: no such listing' using errcode = '22023';
  end if;
  if v_listing.seller_id is distinct from (select auth.uid()) then
    raise exception 'listing_id: only the seller can change this listing' using errcode = '42501';
  end if;
  return v_listing;
end;
$$;

create or replace function homes.withdraw_listing(listing_id uuid)
returns homes.listings
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_listing homes.listings := private.homes_lock_own_listing(withdraw_listing.listing_id);
begin
  if v_listing.status <> 'active' then
    raise exception 'status: only an active listing can be withdrawn (this one is %)', v_listing.status
      using errcode = '55000';
  end if;
  update homes.offers o set status = 'declined' where o.listing_id = v_listing.id and o.status = 'submitted';
  update homes.listings l set status = 'withdrawn' where l.id = v_listing.id returning * into v_listing;
  return v_listing;
end;
$$;

create or replace function homes.reopen_listing(listing_id uuid)
returns homes.listings
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_listing homes.listings := private.homes_lock_own_listing(reopen_listing.listing_id);
begin
  if v_listing.status <> 'under_contract' then
    raise exception 'status: only a listing under contract can be reopened (this one is %)', v_listing.status
      using errcode = '55000';
  end if;
  update homes.offers o set status = 'declined' where o.listing_id = v_listing.id and o.status = 'accepted';
  update homes.listings l set status = 'active' where l.id = v_listing.id returning * into v_listing;
  return v_listing;
end;
$$;

create or replace function homes.mark_sold(listing_id uuid)
returns homes.listings
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_listing homes.listings := private.homes_lock_own_listing(mark_sold.listing_id);
  v_amount numeric;
begin
  if v_listing.status <> 'under_contract' then
    raise exception 'status: only a listing under contract can be sold (this one is %)', v_listing.status
      using errcode = '55000';
  end if;
  select o.amount into v_amount from homes.offers o where o.listing_id = v_listing.id and o.status = 'accepted';
  update homes.listings l set status = 'sold', sold_price = v_amount, sold_at = now()
  where l.id = v_listing.id returning * into v_listing;
  update homes.properties p set last_sold_price = v_amount, last_sold_at = current_date
  where p.id = v_listing.property_id;
  return v_listing;
end;
$$;

comment on function homes.submit_offer(uuid, numeric, text) is 'Buyer: an offer on an active listing of someone else.';
comment on function homes.accept_offer(uuid) is 'Seller: accept; the listing goes under contract and other open offers are declined.';
comment on function homes.decline_offer(uuid) is 'Seller: decline a submitted offer.';
comment on function homes.withdraw_offer(uuid) is 'Buyer: withdraw a submitted offer.';
comment on function homes.withdraw_listing(uuid) is 'Seller: take an active listing off the market; open offers are declined.';
comment on function homes.reopen_listing(uuid) is 'Seller: the contract fell through; back to active, the accepted offer released.';
comment on function homes.mark_sold(uuid) is 'Seller: close the sale at the accepted offer''s amount.';

revoke execute on function
  homes.submit_offer(uuid, numeric, text), homes.accept_offer(uuid), homes.decline_offer(uuid),
  homes.withdraw_offer(uuid), homes.withdraw_listing(uuid), homes.reopen_listing(uuid), homes.mark_sold(uuid)
from public, anon;
grant execute on function
  homes.submit_offer(uuid, numeric, text), homes.accept_offer(uuid), homes.decline_offer(uuid),
  homes.withdraw_offer(uuid), homes.withdraw_listing(uuid), homes.reopen_listing(uuid), homes.mark_sold(uuid)
to authenticated, service_role;

revoke execute on all functions in schema private from public;
