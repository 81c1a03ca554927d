-- Homes: when a listing left the market without a sale (homes.listings.withdrawn_at).
-- Market statistics (reports, 20261202210200_reports_market_stats.sql) count the
-- active inventory at past instants: a listing is on the market from
-- published_at until it is sold (sold_at) or withdrawn. The sale time was
-- recorded, the withdrawal time was not, so a withdrawn listing could only be
-- counted as never on the market or as always on it.
--   * withdrawn_at: set by the database when status becomes 'withdrawn',
--     cleared when the listing is published again (publish sets a new
--     published_at, so the earlier spell on the market is not counted twice);
--   * who may write it: nobody through the API (the column grants of
--     homes.listings never included it; users write asking_price only);
--     service_role imports may, like sold_at;
--   * invariant: withdrawn_at is set only on a withdrawn listing.
-- Listings withdrawn before this migration take their last update time, the
-- best record of when they were withdrawn.

alter table homes.listings add column withdrawn_at timestamptz;

comment on column homes.listings.withdrawn_at is
  'When the listing was withdrawn (trigger-maintained; null unless status = withdrawn). Market inventory ends a listing''s time on the market here.';

alter table homes.listings disable trigger listings_set_updated_at;
update homes.listings set withdrawn_at = updated_at where status = 'withdrawn';
alter table homes.listings enable trigger listings_set_updated_at;

alter table homes.listings
  add constraint listings_withdrawn_at_only_withdrawn check (withdrawn_at is null or status = 'withdrawn');

create or replace function private.homes_listing_withdrawn_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.status = 'withdrawn' and old.status is distinct from 'withdrawn' then
    new.withdrawn_at := coalesce(new.withdrawn_at, now());
  elsif new.status <> 'withdrawn' then
    new.withdrawn_at := null;
  end if;
  return new;
end;
$$;

comment on function private.homes_listing_withdrawn_at() is
  'Sets homes.listings.withdrawn_at when a listing is withdrawn and clears it when it returns to the market.';

create trigger listings_withdrawn_at
  before update of status on homes.listings
  for each row execute function private.homes_listing_withdrawn_at();

revoke execute on function private.homes_listing_withdrawn_at() from public, anon, authenticated;
