-- The seed's two views run under the caller's RLS (security_invoker):
--   * listing_performance_view: a caller sees exactly the listings RLS shows
--     him (a stranger: the market, never a draft, delisted, archived or
--     deleted one), a sold listing as sold, and the copies, their views and
--     the sale price only of his own listings; anon holds no grant;
--   * sales_summary_view: completed sales per seller and month, for the
--     profiles and sales the caller may see; a cancelled sale is no revenue.

begin;
select plan(17);

select tests.quicksell_data() as seller \gset
select tests.qs_in(array['listing:pub', 'listing:draft', 'listing:sold', 'listing:delisted', 'listing:deleted',
                         'listing:archived', 'listing:rival']) as all_listings \gset
update quicksell.listings set view_count = 7 where id = tests.qs('listing:pub');

select is(tests.probe('stranger', format('select id from quicksell.listing_performance_view where id in %s', :'all_listings')),
  'rows=2', 'a stranger sees the two listings on the market through the view');
select is(tests.probe('stranger', format('select id from quicksell.listing_performance_view where id in %s', tests.qs_in(array['listing:draft', 'listing:rival']))),
  'rows=0', 'and no draft');
select is(tests.probe('stranger', format('select id from quicksell.listing_performance_view where id in %s', tests.qs_in(array['listing:delisted', 'listing:archived', 'listing:deleted']))),
  'rows=0', 'nor a delisted, archived or deleted listing');
select is(tests.probe('owner', format('select id from quicksell.listing_performance_view where id in %s', :'all_listings')),
  'rows=6', 'the seller sees all six of his');
select is(tests.probe('platform_admin', format('select id from quicksell.listing_performance_view where id in %s', :'all_listings')),
  'rows=7', 'a platform admin sees every listing');
select is(tests.probe('anon', 'select 1 from quicksell.listing_performance_view'), '42501', 'anon has no grant on the view');

select tests.authenticate_as('stranger');
select results_eq(format('select marketplace_count, total_views, total_platform_views from quicksell.listing_performance_view where id = %L', tests.qs('listing:pub')),
  $$ values (0::bigint, null::bigint, 7::bigint) $$, 'a stranger does not see the seller''s marketplace copies or their views');
select results_eq(format('select is_sold, sale_price from quicksell.listing_performance_view where id = %L', tests.qs('listing:sold')),
  $$ values (1, null::numeric) $$, 'a sold listing is sold for everyone; its price stays the seller''s and buyer''s');
select tests.authenticate_as('owner');
select results_eq(format('select marketplace_count, total_views, total_platform_views, is_sold from quicksell.listing_performance_view where id = %L', tests.qs('listing:pub')),
  $$ values (1::bigint, 40::bigint, 47::bigint, 0) $$, 'the seller sees his copy and its 40 views on top of 7 here');
select results_eq(format('select is_sold, sale_price from quicksell.listing_performance_view where id = %L', tests.qs('listing:sold')),
  $$ values (1, 280.00::numeric) $$, 'and his sale''s price');
select tests.clear_authentication();

-- ---------------------------------------------------------------- sales_summary_view
insert into quicksell.sales (listing_id, buyer_id, sale_price, status)
values (tests.qs('listing:pub'), tests.get_supabase_uid('member'), 90, 'cancelled');

select tests.authenticate_as('owner');
select results_eq(format('select total_sales, total_revenue, avg_sale_price, avg_rating from quicksell.sales_summary_view where user_id = %L and month is not null', :'seller'),
  $$ values (1::bigint, 280.00::numeric, 280.00::numeric, 5::numeric) $$,
  'the seller: one completed sale, its revenue and rating; the cancelled one is no revenue');
select tests.authenticate_as('member');
select results_eq(format('select total_sales from quicksell.sales_summary_view where user_id = %L and month is not null', :'seller'),
  $$ values (1::bigint) $$, 'the buyer (a teammate, so he sees the profile) sees the sale he took part in');
select tests.authenticate_as('admin');
select results_eq(format('select total_sales, total_revenue from quicksell.sales_summary_view where user_id = %L', :'seller'),
  $$ values (0::bigint, null::numeric) $$, 'a teammate who took no part sees the profile but none of its sales');
select tests.authenticate_as('stranger');
select is_empty(format('select 1 from quicksell.sales_summary_view where user_id = %L', :'seller'),
  'a stranger does not even see the seller''s row');
select results_eq(format('select total_sales from quicksell.sales_summary_view where user_id = %L', tests.get_supabase_uid('stranger')),
  $$ values (0::bigint) $$, 'he sees his own, empty');
select tests.authenticate_as('platform_admin');
select results_eq(format('select total_sales from quicksell.sales_summary_view where user_id = %L and month is not null', :'seller'),
  $$ values (1::bigint) $$, 'a platform admin sees the seller''s sales');
select tests.clear_authentication();
select is(tests.probe('anon', 'select 1 from quicksell.sales_summary_view'), '42501', 'anon has no grant on the sales summary');

select * from finish();
rollback;
