-- Homes (seed 000), part 1: properties and listings.
--   * homes.properties: a seller's asset (seed fields), plus the sale history
--     the valuation engine uses as comparables (last_sold_price/last_sold_at,
--     written only by service_role imports and by homes.mark_sold) and the
--     currency of its market;
--   * homes.listings: seed fields (status draft/active/under_contract/sold,
--     asking_price, published_at) plus 'withdrawn' (a seller must be able to
--     take an unsold listing off the market), sold_price/sold_at, and a
--     search copy of the property's city/state/postal code/rooms/area kept
--     by triggers so every search filter and sort is one partial index;
--   * the listing state machine, guarded by a trigger for every role:
--       draft -> active            homes.publish_listing (sets published_at,
--       withdrawn -> active         queues a valuation refresh)
--       active -> under_contract    only by accepting an offer (offers migration)
--       under_contract -> active    homes.reopen_listing (contract fell through)
--       under_contract -> sold      homes.mark_sold
--       active -> withdrawn         homes.withdraw_listing
--     Users never write status, published_at, sold_* or the search copy:
--     column grants leave them out.
-- RLS: a property is visible to its owner, and to everyone while it has an
-- active listing (is_listed, kept by a trigger on listings); a listing to its seller, and to everyone while active,
-- under contract or sold. Nobody writes another's rows or forges owner_id /
-- seller_id (insert checks `= auth.uid()`, update grants exclude them).

create table homes.properties (
  id uuid primary key default extensions.gen_random_uuid(),
  owner_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  address text not null check (char_length(address) between 1 and 300),
  city text not null check (char_length(city) between 1 and 100),
  state text not null check (char_length(state) between 1 and 100),
  postal_code text not null check (postal_code ~ '^[A-Za-z0-9][A-Za-z0-9 -]{1,11}$'),
  bedrooms smallint not null default 0 check (bedrooms between 0 and 50),
  bathrooms numeric(3, 1) not null default 0 check (bathrooms between 0 and 50 and bathrooms * 2 = trunc(bathrooms * 2)),
  living_area_sqft integer not null check (living_area_sqft between 100 and 100000),
  lot_size_sqft integer check (lot_size_sqft between 0 and 100000000),
  year_built smallint check (year_built between 1600 and 2100),
  description text check (char_length(description) <= 10000),
  currency char(3) not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
  last_sold_price numeric(14, 2) check (last_sold_price > 0),
  last_sold_at date,
  is_listed boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint properties_last_sold_pair check ((last_sold_price is null) = (last_sold_at is null))
);

comment on table homes.properties is 'Homes (seed 000): residential assets listed by sellers.';
comment on column homes.properties.is_listed is
  'True while the property has an active listing (trigger-maintained); what makes it public under RLS.';
comment on column homes.properties.last_sold_price is
  'Latest sale price (public-record import by service_role, or homes.mark_sold); a comparable for valuations.';

create index properties_owner_id_created_at_idx on homes.properties (owner_id, created_at desc);
-- Comparables: same postal code, else same city, within a living-area band.
create index properties_postal_code_area_idx on homes.properties (postal_code, living_area_sqft);
create index properties_city_state_area_idx on homes.properties (city, state, living_area_sqft);

create trigger properties_set_updated_at
  before update on homes.properties
  for each row execute function private.set_updated_at();

create table homes.listings (
  id uuid primary key default extensions.gen_random_uuid(),
  property_id uuid not null references homes.properties (id) on delete cascade,
  seller_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  status text not null default 'draft' check (status in ('draft', 'active', 'under_contract', 'sold', 'withdrawn')),
  asking_price numeric(14, 2) not null check (asking_price > 0),
  -- Searches filter and sort on whole cents: bigint comparisons are
  -- leakproof, so under RLS they can still be index conditions (numeric's
  -- are not, and would be applied only after the policy, row by row).
  asking_price_cents bigint generated always as ((asking_price * 100)::bigint) stored,
  currency char(3) not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
  published_at timestamptz,
  sold_price numeric(14, 2) check (sold_price > 0),
  sold_at timestamptz,
  -- Search copy of the property (kept by triggers).
  city text not null default '',
  state text not null default '',
  postal_code text not null default '',
  bedrooms smallint not null default 0,
  bathrooms numeric(3, 1) not null default 0,
  -- Half-bathrooms as an integer: integer comparisons are leakproof, so
  -- under RLS the planner may use them in the index scan (numeric ones it
  -- must apply after the policy), as asking_price_cents does for price.
  bathrooms_half smallint generated always as ((bathrooms * 2)::smallint) stored,
  living_area_sqft integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint listings_published check (status in ('draft', 'withdrawn') or published_at is not null),
  constraint listings_sold check ((status = 'sold') = (sold_price is not null and sold_at is not null))
);

comment on table homes.listings is 'Homes (seed 000): listings on the marketplace; state machine in private.homes_guard_listing.';
comment on column homes.listings.city is 'Search copy of properties.city (trigger-maintained), like state, postal_code, bedrooms, bathrooms, living_area_sqft.';

-- Seed index, plus one partial index per search filter and sort (keyset:
-- (published_at, id) for newest, (asking_price_cents, id) for price).
create index listings_status_published_at_idx on homes.listings (status, published_at);
create index listings_property_id_idx on homes.listings (property_id);
create index listings_seller_id_created_at_idx on homes.listings (seller_id, created_at desc);
create unique index listings_one_open_per_property_idx on homes.listings (property_id)
  where status in ('draft', 'active', 'under_contract');
create index listings_active_newest_idx on homes.listings (published_at, id) where status = 'active';
create index listings_active_price_idx on homes.listings (asking_price_cents, id) where status = 'active';
create index listings_active_city_newest_idx on homes.listings (city, state, published_at, id) where status = 'active';
create index listings_active_city_price_idx on homes.listings (city, state, asking_price_cents, id) where status = 'active';
create index listings_active_postal_newest_idx on homes.listings (postal_code, published_at, id) where status = 'active';
create index listings_active_postal_price_idx on homes.listings (postal_code, asking_price_cents, id) where status = 'active';
create index listings_active_property_idx on homes.listings (property_id) where status = 'active';

create trigger listings_set_updated_at
  before update on homes.listings
  for each row execute function private.set_updated_at();

-- The property must belong to the seller; the search copy and the currency
-- come from the property.
create or replace function private.homes_listing_copy_property()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_property homes.properties;
begin
  select * into v_property from homes.properties p where p.id = new.property_id;
  if v_property.id is null then
    raise exception 'property_id: no such property' using errcode = '22023';
  end if;
  if v_property.owner_id is distinct from new.seller_id then
    raise exception 'property_id: you can only list your own property' using errcode = '42501';
  end if;
  new.city := v_property.city;
  new.state := v_property.state;
  new.postal_code := v_property.postal_code;
  new.bedrooms := v_property.bedrooms;
  new.bathrooms := v_property.bathrooms;
  new.living_area_sqft := v_property.living_area_sqft;
  new.currency := v_property.currency;
  return new;
end;
$$;

create trigger listings_copy_property
  before insert or update of property_id on homes.listings
  for each row execute function private.homes_listing_copy_property();

create or replace function private.homes_property_sync_listings()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update homes.listings l set
    city = new.city, state = new.state, postal_code = new.postal_code, bedrooms = new.bedrooms,
    bathrooms = new.bathrooms, living_area_sqft = new.living_area_sqft, currency = new.currency
  where l.property_id = new.id;
  return null;
end;
$$;

create trigger properties_sync_listings
  after update of city, state, postal_code, bedrooms, bathrooms, living_area_sqft, currency on homes.properties
  for each row execute function private.homes_property_sync_listings();

-- The state machine, for every role (the RPCs below run as definer and go
-- through it too). Offers add the "needs an accepted offer" rule.
create or replace function private.homes_guard_listing()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    if new.status <> 'draft' then
      raise exception 'status: a listing starts as a draft; publish it with homes.publish_listing' using errcode = '55000';
    end if;
    return new;
  end if;
  if new.seller_id is distinct from old.seller_id or new.property_id is distinct from old.property_id then
    raise exception 'listing: seller_id and property_id cannot change' using errcode = '42501';
  end if;
  if new.asking_price is distinct from old.asking_price and old.status not in ('draft', 'active', 'withdrawn') then
    raise exception 'asking_price: cannot change once the listing is %', old.status using errcode = '55000';
  end if;
  if new.status is distinct from old.status and not (
       (old.status in ('draft', 'withdrawn') and new.status = 'active')
    or (old.status = 'active' and new.status in ('under_contract', 'withdrawn'))
    or (old.status = 'under_contract' and new.status in ('active', 'sold'))
  ) then
    raise exception 'status: a listing cannot go from % to %', old.status, new.status using errcode = '55000';
  end if;
  if old.status = 'sold' and (new.sold_price is distinct from old.sold_price or new.sold_at is distinct from old.sold_at) then
    raise exception 'sold_price: a sale is final' using errcode = '55000';
  end if;
  return new;
end;
$$;

create trigger listings_guard
  before insert or update on homes.listings
  for each row execute function private.homes_guard_listing();

-- properties.is_listed follows the property's listings.
create or replace function private.homes_property_listed()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_property_id uuid := case when tg_op = 'DELETE' then old.property_id else new.property_id end;
begin
  update homes.properties p
  set is_listed = exists (select 1 from homes.listings l where l.property_id = v_property_id and l.status = 'active')
  where p.id = v_property_id;
  return null;
end;
$$;

create trigger listings_property_listed
  after insert or delete or update of status on homes.listings
  for each row execute function private.homes_property_listed();

-- ------------------------------------------------------------------ RLS

alter table homes.properties enable row level security;
alter table homes.listings enable row level security;

revoke all on homes.properties, homes.listings from anon, authenticated, service_role;
grant select on homes.properties, homes.listings to anon, authenticated;
grant insert (id, address, city, state, postal_code, bedrooms, bathrooms, living_area_sqft, lot_size_sqft, year_built,
              description, currency)
  on homes.properties to authenticated;
grant update (address, city, state, postal_code, bedrooms, bathrooms, living_area_sqft, lot_size_sqft, year_built,
              description, currency)
  on homes.properties to authenticated;
grant delete on homes.properties to authenticated;
grant insert (id, property_id, asking_price) on homes.listings to authenticated;
grant update (asking_price) on homes.listings to authenticated;
grant delete on homes.listings to authenticated;
grant all on homes.properties, homes.listings to service_role;

create policy "properties: everyone reads listed properties"
  on homes.properties for select to anon
  using (is_listed);

create policy "properties: owners read theirs, everyone reads listed ones"
  on homes.properties for select to authenticated
  using (is_listed or owner_id = (select auth.uid()));

create policy "properties: users add their own"
  on homes.properties for insert to authenticated
  with check (owner_id = (select auth.uid()));

create policy "properties: owners edit theirs"
  on homes.properties for update to authenticated
  using (owner_id = (select auth.uid()))
  with check (owner_id = (select auth.uid()));

-- Not once it has been on the market (its listings and offers are history).
create policy "properties: owners delete never-listed ones"
  on homes.properties for delete to authenticated
  using (
    owner_id = (select auth.uid())
    and not exists (select 1 from homes.listings l where l.property_id = properties.id and l.status <> 'draft')
  );

create policy "listings: everyone reads listings on the market"
  on homes.listings for select to anon
  using (status in ('active', 'under_contract', 'sold'));

create policy "listings: sellers read theirs, everyone reads listings on the market"
  on homes.listings for select to authenticated
  using (status in ('active', 'under_contract', 'sold') or seller_id = (select auth.uid()));

-- The property must be the seller's own: checked by the trigger
-- private.homes_listing_copy_property (a policy here that reads properties
-- would recurse through the properties policy back into listings).
create policy "listings: owners list their own properties"
  on homes.listings for insert to authenticated
  with check (seller_id = (select auth.uid()));

create policy "listings: sellers reprice theirs"
  on homes.listings for update to authenticated
  using (seller_id = (select auth.uid()))
  with check (seller_id = (select auth.uid()));

create policy "listings: sellers delete their drafts"
  on homes.listings for delete to authenticated
  using (seller_id = (select auth.uid()) and status = 'draft');

-- ------------------------------------------------------------------ publish

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
      using errcode = '55000';
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

comment on function homes.publish_listing(uuid) is
  'Seller: draft or withdrawn -> active (published_at = now()); queues a valuation refresh.';

revoke execute on function homes.publish_listing(uuid) from public, anon;
grant execute on function homes.publish_listing(uuid) to authenticated, service_role;

revoke execute on all functions in schema private from public;
