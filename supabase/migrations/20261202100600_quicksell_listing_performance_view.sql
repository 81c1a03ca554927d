-- QuickSell: quicksell.listing_performance_view (20261202100000) as the
-- caller sees it.
--   * It runs under the caller's rights (security_invoker), and anon holds no
--     privilege on marketplace_listings or sales, so for anon it could only
--     fail: anon loses the grant (the public reads a listing's view_count on
--     quicksell.listings itself).
--   * is_sold: the seed's "has a sale" hid a sold listing's state from
--     everyone but the seller and buyer (they alone see the sale); a listing's
--     status is public, so a sold listing is sold for every caller. The sale
--     price, the marketplace copies and their views stay the seller's.
-- Columns, their order and types are the seed's, unchanged.

create or replace view quicksell.listing_performance_view with (security_invoker = true) as
select
  l.id,
  l.title,
  l.category,
  count(distinct ml.id) as marketplace_count,
  sum(ml.views_on_marketplace) as total_views,
  case when s.id is not null or l.status = 'sold' then 1 else 0 end as is_sold,
  s.sale_price,
  (l.view_count + coalesce(sum(ml.views_on_marketplace), 0)) as total_platform_views
from quicksell.listings l
left join quicksell.marketplace_listings ml on ml.listing_id = l.id
left join quicksell.sales s on s.listing_id = l.id and s.status in ('pending', 'completed')
group by l.id, l.title, l.category, l.status, s.id, s.sale_price;

revoke select on quicksell.listing_performance_view from anon;
