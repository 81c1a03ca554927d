-- QuickSell: a sale reported by a marketplace (private.quicksell_sync_sell)
-- records a quicksell.sales row through record_sale, sells the listing and
-- delists the other copies; a second report of the same sale changes nothing.
begin;
select plan(5);

select tests.fixture();
select tests.get_supabase_uid('owner') as owner \gset
insert into quicksell.listings (id, user_id, title, description, category, condition, price, status, published_at)
values ('00000000-0000-4000-9761-000000000001', :'owner', 'Denim jacket', 'Levi''s trucker, M', 'clothing', 'good', 45, 'published', now());
select private.quicksell_connect_account(:'owner', 'ebay', 'nYowner', 'qs_owner', 4.5, 3,
  'v1:AAAAAAAAAAAAAAAA:YWNjZXNz', 'v1:BBBBBBBBBBBBBBBB:cmVmcmVzaA==', now() + interval '2 hours', now() + interval '18 months', '{}');
select private.quicksell_connect_account(:'owner', 'etsy', '400000001', 'OwnerFinds', null, 0,
  'v1:CCCCCCCCCCCCCCCC:YWNjZXNz', 'v1:DDDDDDDDDDDDDDDD:cmVmcmVzaA==', now() + interval '1 hour', now() + interval '90 days', '{"shop_id": "30000001"}');
insert into quicksell.marketplace_listings (id, listing_id, marketplace_account_id, marketplace_name, sync_status, posted_price)
select ('00000000-0000-4000-9761-00000000001' || n)::uuid, '00000000-0000-4000-9761-000000000001', a.id, a.marketplace_name, 'active', 44
from (values (1, 'ebay'), (2, 'etsy')) v(n, m) join quicksell.marketplace_accounts a on a.user_id = :'owner' and a.marketplace_name = v.m;

select ok(private.quicksell_sync_sell('00000000-0000-4000-9761-000000000011'), 'the eBay sale is taken');
select results_eq(
  $$ select marketplace_name, sale_price, status::text, seller_id::text from quicksell.sales
     where listing_id = '00000000-0000-4000-9761-000000000001' $$,
  format($$ values ('ebay'::text, 44.00::numeric, 'pending'::text, %L::text) $$, :'owner'),
  'a sales row names the marketplace and the posted price (pending until the seller completes it)');
select is((select status::text from quicksell.listings where id = '00000000-0000-4000-9761-000000000001'), 'sold',
  'the listing is sold');
select ok(not private.quicksell_sync_sell('00000000-0000-4000-9761-000000000011'), 'a repeated report is not a second sale');
select is((select count(*)::int from quicksell.sales where listing_id = '00000000-0000-4000-9761-000000000001'), 1,
  'still one sale');

select * from finish();
rollback;
