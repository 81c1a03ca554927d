-- QuickSell sales (20261202110300): record_sale marks the listing sold in the
-- same transaction (only a published listing, only its seller or the
-- backend), final_amount by the database, complete / cancel / refund by the
-- seller or service_role, ratings once each after completion, user_stats
-- kept exactly (a refund puts them back), and sales never deleted.

begin;
select plan(54);

select tests.fixture() is not null as ok \gset
select tests.get_supabase_uid('owner') as seller, tests.get_supabase_uid('stranger') as buyer,
       tests.get_supabase_uid('rival') as rival \gset

-- A published listing of `who`.
create function pg_temp.published_listing(who text, p_title text) returns uuid language plpgsql as $$
declare v_id uuid;
begin
  perform tests.authenticate_as(who);
  insert into quicksell.listings (title, description, category, condition, price)
  values (p_title, 'For the sales tests', 'electronics', 'good', 100) returning id into v_id;
  perform tests.clear_authentication();
  -- Publishing is the status machine's (qs-core); as the backend here.
  update quicksell.listings set status = 'published', published_at = coalesce(published_at, now()) where id = v_id;
  return v_id;
end $$;
create function pg_temp.stats(p_user uuid) returns table (
  total_points int, current_level int, total_items_sold int, total_revenue numeric, average_sale_price numeric,
  positive_ratings int, negative_ratings int, average_rating numeric)
language sql as $$
  select total_points, current_level, total_items_sold, total_revenue, average_sale_price, positive_ratings, negative_ratings, average_rating
  from quicksell.user_stats where user_id = p_user $$;

select pg_temp.published_listing('owner', 'Camera') as l1, pg_temp.published_listing('owner', 'Lens') as l2,
       pg_temp.published_listing('owner', 'Tripod') as l3 \gset
select tests.authenticate_as('owner');
insert into quicksell.listings (title, description, category, condition, price) values ('Draft', 'x', 'electronics', 'good', 5) returning id as draft \gset
select tests.clear_authentication();

-- ---------------------------------------------------------------- record_sale
select tests.authenticate_as('stranger');
select throws_ok(format($$ select quicksell.record_sale(%L, 80) $$, :'l1'), '42501', null, 'only the seller records a sale');
select tests.authenticate_as_anon();
select throws_ok(format($$ select quicksell.record_sale(%L, 80) $$, :'l1'), '42501', null, 'anon cannot');
select tests.authenticate_as('owner');
select throws_ok(format($$ select quicksell.record_sale(%L, 80) $$, :'draft'), 'PT409', null, 'a draft cannot be sold');
select throws_ok(format($$ select quicksell.record_sale(%L, 'NaN') $$, :'l1'), '22023', 'sale_price: must be a finite amount', 'NaN price refused');
select throws_ok(format($$ select quicksell.record_sale(%L, -1) $$, :'l1'), '22023', null, 'a negative price refused');
select throws_ok(format($$ select quicksell.record_sale(%L, 10, -5) $$, :'l1'), '22023', null, 'a negative shipping cost refused');
select throws_ok(format($$ select quicksell.record_sale(%L, 10, 0, auth.uid()) $$, :'l1'), '22023', null, 'the seller is not his own buyer');
select throws_ok(format($$ select quicksell.record_sale(%L, 10, 0, null, 'nowhere') $$, :'l1'), '22023', null, 'an unknown marketplace refused');
select throws_ok(format($$ select quicksell.record_sale(%L, 10) $$, extensions.gen_random_uuid()), 'PT404', null, 'an unknown listing is PT404');
select (select x::text from pg_temp.stats(:'seller') x) as before_sale \gset
select quicksell.record_sale(:'l1', 80.50, 9.25, :'buyer') as s1 \gset
select tests.clear_authentication();
select results_eq(format('select status::text, final_amount, seller_id, buyer_id, currency from quicksell.sales where id = %L', :'s1'),
  format($$ values ('pending', 89.75::numeric, %L::uuid, %L::uuid, 'USD') $$, :'seller', :'buyer'),
  'a pending sale; final_amount = sale_price + shipping_cost, computed by the database');
select is((select status::text from quicksell.listings where id = :'l1'), 'sold', 'the listing is sold in the same transaction');
select tests.authenticate_as('owner');
select throws_ok(format($$ select quicksell.record_sale(%L, 70) $$, :'l1'), 'PT409', null, 'a second sale of a sold listing is PT409');
select tests.clear_authentication();
select is((select x::text from pg_temp.stats(:'seller') x), :'before_sale',
  'a pending sale changes no stats');

-- ---------------------------------------------------------------- complete
select tests.authenticate_as('stranger');
select throws_ok(format($$ select quicksell.complete_sale(%L) $$, :'s1'), '42501', null, 'the buyer cannot complete it');
select throws_ok(format($$ select quicksell.rate_sale(%L, 5) $$, :'s1'), 'PT409', null, 'nobody rates a pending sale');
select tests.authenticate_as('rival');
select throws_ok(format($$ select quicksell.complete_sale(%L) $$, :'s1'), 'PT404', null, 'a stranger to the sale does not find it');
select tests.authenticate_as('owner');
select is((quicksell.complete_sale(:'s1')).status::text, 'completed', 'the seller completes it');
select throws_ok(format($$ select quicksell.complete_sale(%L) $$, :'s1'), 'PT409', null, 'once');
select tests.clear_authentication();
select ok((select completed_date is not null from quicksell.sales where id = :'s1'), 'completed_date is set');
select results_eq(format($$ select total_items_sold, total_revenue, average_sale_price from pg_temp.stats(%L) $$, :'seller'),
  $$ values (1, 80.50::numeric, 80.50::numeric) $$, 'items sold, revenue (sale_price) and average sale price');
select is((select points from quicksell.points_ledger where user_id = :'seller' and idempotency_key = 'sale:' || :'s1'), 50,
  'sale_completed scores 50');
select results_eq(format($$ select sales_count, sales_revenue from quicksell.leaderboard_entries where user_id = %L and period = 'weekly' $$, :'seller'),
  $$ values (1, 80.50::numeric) $$, 'the weekly sales leaderboard counts it');

-- ---------------------------------------------------------------- ratings
select tests.authenticate_as('owner');
select throws_ok(format($$ select quicksell.rate_sale(%L, 6) $$, :'s1'), '22023', null, 'ratings are 1 to 5');
select throws_ok(format($$ select quicksell.rate_sale(%L, 0) $$, :'s1'), '22023', null, 'not 0');
select is((quicksell.rate_sale(:'s1', 4, 'Paid fast')).buyer_rating, 4, 'the seller rates the buyer (buyer_rating)');
select throws_ok(format($$ select quicksell.rate_sale(%L, 5) $$, :'s1'), 'PT409', null, 'once');
select tests.authenticate_as('stranger');
select results_eq(format($$ select seller_rating, seller_review, buyer_rating from quicksell.rate_sale(%L, 5, '  Great camera  ') $$, :'s1'),
  $$ values (5, 'Great camera', 4) $$, 'the buyer rates the seller (seller_rating / seller_review)');
select throws_ok(format($$ select quicksell.rate_sale(%L, 1) $$, :'s1'), 'PT409', null, 'once');
select tests.authenticate_as('rival');
select throws_ok(format($$ select quicksell.rate_sale(%L, 1) $$, :'s1'), 'PT404', null, 'nobody else rates it');
select tests.clear_authentication();
select results_eq(format($$ select positive_ratings, negative_ratings, average_rating from pg_temp.stats(%L) $$, :'seller'),
  $$ values (1, 0, 5.00::numeric) $$, 'the seller''s positive ratings and average rating');
select is((select count(*)::int from quicksell.points_ledger where event = 'rating_received' and ref ->> 'sale_id' = :'s1'), 2,
  'both parties scored rating_received for a positive rating');

-- A second sale, rated 2: average 3.50, one negative.
select tests.authenticate_as('owner');
select quicksell.record_sale(:'l2', 20, 0, :'buyer') as s2 \gset
select (quicksell.complete_sale(:'s2')).status is not null as ok \gset
select tests.authenticate_as('stranger');
select (quicksell.rate_sale(:'s2', 2)).seller_rating is not null as ok \gset
select tests.clear_authentication();
select results_eq(format($$ select total_items_sold, total_revenue, average_sale_price, positive_ratings, negative_ratings, average_rating
                           from pg_temp.stats(%L) $$, :'seller'),
  $$ values (2, 100.50::numeric, 50.25::numeric, 1, 1, 3.50::numeric) $$, 'two sales: totals, average price and average rating');

-- ---------------------------------------------------------------- refund and cancel reverse exactly
select (select x::text from pg_temp.stats(:'seller') x) as before_third \gset
select (select coalesce(sum(points), 0) from quicksell.leaderboard_entries where user_id = :'seller' and period = 'weekly') as lb_before,
       (select sales_count from quicksell.leaderboard_entries where user_id = :'seller' and period = 'monthly') as lb_sales_before \gset
select tests.authenticate_as('owner');
select quicksell.record_sale(:'l3', 33.33, 5) as s3 \gset
select (quicksell.complete_sale(:'s3')).status is not null as ok \gset
select tests.clear_authentication();
select isnt((select total_items_sold from quicksell.user_stats where user_id = :'seller'), 2, 'the third sale counts');
select tests.authenticate_as('stranger');
select throws_ok(format($$ select quicksell.refund_sale(%L) $$, :'s3'), 'PT404', null, 'a sale without this buyer is not his to see');
select tests.authenticate_as('owner');
select is((quicksell.refund_sale(:'s3')).status::text, 'refunded', 'the seller refunds the completed sale');
select throws_ok(format($$ select quicksell.refund_sale(%L) $$, :'s3'), 'PT409', null, 'once');
select throws_ok(format($$ select quicksell.cancel_sale(%L) $$, :'s3'), 'PT409', null, 'a refunded sale cannot be cancelled');
select tests.clear_authentication();
select is((select x::text from pg_temp.stats(:'seller') x), :'before_third',
  'complete then refund: every stat is back to what it was (points and level too)');
select is((select coalesce(sum(points), 0) from quicksell.leaderboard_entries where user_id = :'seller' and period = 'weekly'), :'lb_before'::bigint,
  'and the points leaderboard');
select is((select sales_count from quicksell.leaderboard_entries where user_id = :'seller' and period = 'monthly'), :'lb_sales_before'::int,
  'and the sales leaderboard');
select is((select status::text from quicksell.listings where id = :'l3'), 'sold', 'a refunded sale''s listing stays sold');
select is_empty($$ select * from private.quicksell_points_violations() $$, 'the ledger agrees with the totals and the leaderboards');

-- Cancel a completed sale (service_role: a marketplace-reported sale).
select tests.authenticate_as('owner');
select (quicksell.cancel_sale(:'s2')).status::text as s2_status \gset
select tests.clear_authentication();
select is(:'s2_status'::text, 'cancelled', 'the seller cancels a completed sale');
select results_eq(format($$ select total_items_sold, total_revenue, average_sale_price from pg_temp.stats(%L) $$, :'seller'),
  $$ values (1, 80.50::numeric, 80.50::numeric) $$, 'its sale leaves the stats');
select is((select status::text from quicksell.listings where id = :'l2'), 'published', 'and the item is for sale again');
select tests.authenticate_as_service_role();
select quicksell.record_sale(:'l2', 25, 0, null, 'ebay') as s4 \gset
select is((quicksell.complete_sale(:'s4')).status::text, 'completed', 'service_role completes it');
select tests.clear_authentication();
select is((select marketplace_name from quicksell.sales where id = :'s4'), 'ebay', 'service_role records a sale a marketplace reported');

-- ---------------------------------------------------------------- never deleted, never written directly
select throws_ok(format($$ delete from quicksell.sales where id = %L $$, :'s1'), '42501', null, 'a sale is never deleted, not by the owner of the database');
select tests.authenticate_as_service_role();
select throws_ok(format($$ delete from quicksell.sales where id = %L $$, :'s1'), '42501', null, 'nor by service_role');
select throws_ok(format($$ update quicksell.sales set status = 'completed' where id = %L $$, :'s3'), '42501', null,
  'service_role changes a sale only through the RPCs');
select tests.clear_authentication();
select throws_ok($$ truncate quicksell.sales cascade $$, '42501', null, 'sales cannot be truncated');
update quicksell.sales set final_amount = 1 where id = :'s1';
select is((select final_amount from quicksell.sales where id = :'s1'), 89.75::numeric,
  'even the table owner cannot set final_amount: the database computes it');
select throws_ok(format($$ update quicksell.sales set sale_price = 1 where id = %L $$, :'s1'), '42501', null,
  'nor change what was sold for how much');
select throws_ok(format($$ delete from quicksell.listings where id = %L $$, :'l1'), '23503', null,
  'a listing with a sale cannot be hard-deleted');

select * from finish();
rollback;
