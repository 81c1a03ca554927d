-- Homes: indexes for market statistics by area (reports,
-- 20261202210200_reports_market_stats.sql). A market report reads, for its
-- cities (matched case-insensitively) or ZIP codes (exactly):
--   * the closed sales of a date range: (area, sold_at) on sold listings;
--   * the listings still on the market at the report's earliest instant, to
--     count the inventory at each month end: (area, time it left the market)
--     on every listing that reached the market, with published_at included.
--     "Left the market" is sold_at for a sale, withdrawn_at (else the last
--     update, for listings withdrawn before withdrawn_at existed) for a
--     withdrawal, and infinity for a listing still active or under contract;
--     the report's query spells the same expression so the planner uses it.
-- Rights: unchanged (indexes only). The search indexes of
-- 20261122002000_homes_properties_and_listings.sql serve active listings by
-- exact city and state; these serve history by area.

create index listings_sold_city_sold_at_idx on homes.listings (lower(city), sold_at) where status = 'sold';
create index listings_sold_postal_sold_at_idx on homes.listings (postal_code, sold_at) where status = 'sold';

create index listings_market_city_off_idx on homes.listings (
  lower(city),
  coalesce(case status when 'sold' then sold_at when 'withdrawn' then coalesce(withdrawn_at, updated_at) end,
           'infinity'::timestamptz)
) include (published_at) where status <> 'draft';

create index listings_market_postal_off_idx on homes.listings (
  postal_code,
  coalesce(case status when 'sold' then sold_at when 'withdrawn' then coalesce(withdrawn_at, updated_at) end,
           'infinity'::timestamptz)
) include (published_at) where status <> 'draft';
