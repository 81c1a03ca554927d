-- quicksell (seed 001), the shape: the seed's seven enums with their labels,
-- the marketplaces they reference, the eleven seed tables with every seed
-- column, every seed unique key and index, both views running as the caller,
-- RLS on everywhere; and the checks that make bad rows impossible (NaN,
-- negative prices, ratings outside 1-5, a copy on another marketplace than
-- its account, a buyer buying from himself, deleting a listing with sales).

begin;
select plan(50);

-- ---------------------------------------------------------------- enums
select enums_are('quicksell', array['listing_condition', 'listing_status', 'sync_status', 'sale_status', 'badge_tier',
  'challenge_type', 'user_challenge_status'], 'the seed''s seven enums');
select enum_has_labels('quicksell', 'listing_condition', array['new', 'like_new', 'good', 'fair', 'poor'], 'listing_condition');
select enum_has_labels('quicksell', 'listing_status', array['draft', 'published', 'sold', 'delisted', 'archived'], 'listing_status');
select enum_has_labels('quicksell', 'sync_status', array['draft', 'active', 'sold', 'delisted', 'error'], 'sync_status');
select enum_has_labels('quicksell', 'sale_status', array['pending', 'completed', 'cancelled', 'refunded'], 'sale_status');
select enum_has_labels('quicksell', 'badge_tier', array['1', '2', '3', 'special'], 'badge_tier');
select enum_has_labels('quicksell', 'challenge_type', array['weekly', 'monthly', 'seasonal', 'limited'], 'challenge_type');
select enum_has_labels('quicksell', 'user_challenge_status', array['active', 'completed', 'expired'], 'user_challenge_status');

-- ---------------------------------------------------------------- tables and every seed column
select is_empty($$ select unnest(array['marketplaces', 'listings', 'listing_versions', 'photos', 'marketplace_accounts',
  'marketplace_listings', 'sales', 'user_stats', 'badges', 'user_badges', 'challenges', 'user_challenges'])
  except select tablename::text from pg_tables where schemaname = 'quicksell' $$, 'the seed''s eleven tables and marketplaces');

create temp table seed_columns (tbl text, cols text[]);
insert into seed_columns values
  ('listings', array['id', 'user_id', 'title', 'description', 'category', 'condition', 'price', 'estimated_price', 'status',
    'brand', 'model', 'color', 'size', 'weight_kg', 'dimensions', 'local_pickup_available', 'shipping_available',
    'estimated_shipping_cost', 'view_count', 'click_count', 'ai_description_generated', 'ai_price_estimated',
    'confidence_score', 'created_at', 'updated_at', 'published_at', 'deleted_at', 'currency']),
  ('listing_versions', array['id', 'listing_id', 'title', 'description', 'price', 'status', 'changes', 'version',
    'created_at', 'created_by']),
  ('photos', array['id', 'listing_id', 'user_id', 'original_url', 'thumb_url', 'optimized_url', 'filename', 'file_size',
    'mime_type', 'width', 'height', 'contains_faces', 'contains_hands', 'background_type', 'quality_score',
    'object_confidence', 'display_order', 'is_primary', 'created_at', 'updated_at']),
  ('marketplace_accounts', array['id', 'user_id', 'marketplace_name', 'marketplace_user_id', 'access_token', 'refresh_token',
    'token_expires_at', 'account_name', 'seller_rating', 'total_sales_on_platform', 'is_active', 'auto_sync_enabled',
    'created_at', 'updated_at']),
  ('marketplace_listings', array['id', 'listing_id', 'marketplace_account_id', 'marketplace_name', 'marketplace_listing_id',
    'marketplace_url', 'sync_status', 'last_sync_at', 'views_on_marketplace', 'clicks_on_marketplace', 'posted_price',
    'synced_data', 'posted_at', 'expires_at', 'created_at', 'updated_at']),
  ('sales', array['id', 'listing_id', 'buyer_id', 'seller_id', 'marketplace_name', 'sale_price', 'shipping_cost',
    'final_amount', 'status', 'sale_date', 'completed_date', 'shipping_carrier', 'tracking_number', 'shipped_at',
    'delivered_at', 'seller_rating', 'seller_review', 'buyer_rating', 'buyer_review', 'created_at', 'updated_at', 'currency']),
  ('user_stats', array['id', 'user_id', 'total_points', 'current_level', 'total_items_sold', 'total_revenue',
    'average_sale_price', 'positive_ratings', 'negative_ratings', 'average_rating', 'listings_created', 'photos_uploaded',
    'current_posting_streak', 'best_posting_streak', 'last_activity_date', 'updated_at']),
  ('badges', array['id', 'badge_key', 'badge_name', 'badge_description', 'badge_icon_url', 'badge_tier', 'requirement_type',
    'requirement_value', 'created_at']),
  ('user_badges', array['id', 'user_id', 'badge_id', 'unlocked_at']),
  ('challenges', array['id', 'challenge_key', 'challenge_name', 'description', 'challenge_type', 'reward_points',
    'reward_badge_id', 'starts_at', 'ends_at', 'is_active', 'created_at']),
  ('user_challenges', array['id', 'user_id', 'challenge_id', 'progress', 'progress_percentage', 'status', 'started_at',
    'completed_at']),
  ('sales_summary_view', array['user_id', 'username', 'total_sales', 'total_revenue', 'avg_sale_price', 'avg_rating', 'month']),
  ('listing_performance_view', array['id', 'title', 'category', 'marketplace_count', 'total_views', 'is_sold', 'sale_price',
    'total_platform_views']);

select is_empty($$ select tbl || '.' || c from seed_columns, unnest(cols) c
  except select table_name || '.' || column_name from information_schema.columns where table_schema = 'quicksell' $$,
  'every seed column of every table and view is there (plus currency on listings and sales)');
select is_empty($$ select table_name || '.' || column_name from information_schema.columns
  where table_schema = 'quicksell' and column_name = 'id' and table_name in (select tbl from seed_columns)
    and data_type <> 'uuid' and table_name not like '%_view' $$, 'every id is a uuid');
select is_empty($$ select table_name || '.' || column_name || ' ' || data_type from information_schema.columns
  where table_schema = 'quicksell' and data_type like 'timestamp without%' $$, 'every timestamp is timestamptz');
select is_empty($$
  select c.conrelid::regclass || '.' || a.attname from pg_constraint c
  join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
  where c.contype = 'f' and c.connamespace = 'quicksell'::regnamespace
    and a.attname in ('user_id', 'seller_id', 'buyer_id', 'created_by') and c.confrelid <> 'public.profiles'::regclass $$,
  'every user reference points at public.profiles');
select col_type_is('quicksell', 'listings', 'condition', 'quicksell.listing_condition', 'condition is the seed enum');
select col_type_is('quicksell', 'listings', 'status', 'quicksell.listing_status', 'status is the seed enum');
select col_type_is('quicksell', 'marketplace_listings', 'sync_status', 'quicksell.sync_status', 'sync_status is the seed enum');
select col_type_is('quicksell', 'sales', 'status', 'quicksell.sale_status', 'sale status is the seed enum');
select col_type_is('quicksell', 'listings', 'price', 'numeric(10,2)', 'price is numeric(10,2)');
select col_type_is('quicksell', 'user_stats', 'total_revenue', 'numeric(12,2)', 'total_revenue is numeric(12,2)');
select col_default_is('quicksell', 'listings', 'status', 'draft'::quicksell.listing_status, 'a listing starts as a draft');
select col_default_is('quicksell', 'listings', 'currency', 'USD', 'currency defaults to USD');

-- ---------------------------------------------------------------- keys and indexes
select is(
  (select count(*)::int from pg_indexes where schemaname = 'quicksell' and indexname in (
    'idx_listings_user_id', 'idx_listings_status', 'idx_listings_category', 'idx_listings_created_at',
    'idx_listing_versions_listing_id', 'idx_photos_listing_id', 'idx_photos_user_id', 'idx_marketplace_accounts_user_id',
    'idx_marketplace_listings_listing_id', 'idx_marketplace_listings_marketplace_name', 'idx_sales_listing_id',
    'idx_sales_seller_id', 'idx_sales_sale_date', 'idx_badges_badge_key', 'idx_user_badges_user_id',
    'idx_user_challenges_user_id')),
  16, 'every index the seed lists, by its name');
select is_empty($$ select unnest(array[
    'marketplace_accounts_user_id_marketplace_name_key', 'marketplace_listings_marketplace_listing_id_key',
    'user_stats_user_id_key', 'badges_badge_key_key', 'user_badges_user_id_badge_id_key', 'challenges_challenge_key_key',
    'user_challenges_user_id_challenge_id_key'])
  except select conname::text from pg_constraint where connamespace = 'quicksell'::regnamespace and contype = 'u' $$,
  'every seed unique key');
-- Every foreign key has an index that starts with its columns (deletes and policies use them).
select is_empty($$
  select c.conrelid::regclass || ' ' || c.conname from pg_constraint c
  where c.contype = 'f' and c.connamespace = 'quicksell'::regnamespace
    and not exists (select 1 from pg_index i where i.indrelid = c.conrelid
                    and (i.indkey::int2[])[0:array_length(c.conkey, 1) - 1] @> c.conkey
                    and (i.indkey::int2[])[0:array_length(c.conkey, 1) - 1] <@ c.conkey) $$,
  'every foreign key is indexed');
select results_eq($$ select name from quicksell.marketplaces order by name $$, $$ values ('ebay'), ('etsy'), ('local') $$,
  'the marketplaces: ebay, etsy, local');

-- ---------------------------------------------------------------- RLS, views
select is_empty($$ select * from tests.tables_without_rls(array['quicksell']) $$, 'RLS on every quicksell table');
select is_empty($$ select * from tests.tables_without_policies(array['quicksell']) $$, 'a policy on every quicksell table');
select is(
  (select count(*)::int from pg_class where relnamespace = 'quicksell'::regnamespace and relkind = 'v'
     and 'security_invoker=true' = any (reloptions)
     and relname in ('sales_summary_view', 'listing_performance_view')),
  2, 'both seed views run with the caller''s rights');

-- ---------------------------------------------------------------- checks
select tests.fixture() is not null as cast_ready \gset
select tests.get_supabase_uid('owner') as seller, tests.get_supabase_uid('member') as buyer \gset
insert into quicksell.listings (id, user_id, title, description, category, condition, price, status, published_at)
values ('00000000-0000-4000-9700-000000000001', :'seller', 'Probe lamp', 'a lamp', 'home', 'good', 10, 'published', now());

select throws_ok(format($$ insert into quicksell.listings (user_id, title, description, category, condition, price)
  values (%L, 'x', '', 'home', 'good', 'NaN') $$, :'seller'), '23514', null, 'a NaN price is refused');
select throws_ok(format($$ insert into quicksell.listings (user_id, title, description, category, condition, price)
  values (%L, 'x', '', 'home', 'good', -1) $$, :'seller'), '23514', null, 'a negative price is refused');
select throws_ok(format($$ insert into quicksell.listings (user_id, title, description, category, condition, price)
  values (%L, '  ', '', 'home', 'good', 1) $$, :'seller'), '23514', null, 'a blank title is refused');
select throws_ok(format($$ insert into quicksell.listings (user_id, title, description, category, condition, price)
  values (%L, repeat('x', 201), '', 'home', 'good', 1) $$, :'seller'), '22001', null, 'a title over 200 characters is refused');
select throws_ok(format($$ insert into quicksell.listings (user_id, title, description, category, condition, price)
  values (%L, 'x', repeat('x', 10001), 'home', 'good', 1) $$, :'seller'), '23514', null, 'a description over 10,000 characters is refused');
select throws_ok(format($$ insert into quicksell.listings (user_id, title, description, category, condition, price, currency)
  values (%L, 'x', '', 'home', 'good', 1, 'usd') $$, :'seller'), '23514', null, 'a currency is three capital letters');
select throws_ok(format($$ insert into quicksell.listings (user_id, title, description, category, condition, price, confidence_score)
  values (%L, 'x', '', 'home', 'good', 1, 1.5) $$, :'seller'), '23514', null, 'a confidence score is between 0 and 1');
select throws_ok(format($$ insert into quicksell.listings (user_id, title, description, category, condition, price, status)
  values (%L, 'x', '', 'home', 'good', 1, 'sold') $$, :'seller'), '23514', null, 'a listing past draft has a published_at');
select throws_ok(format($$ insert into quicksell.sales (listing_id, seller_id, buyer_id, sale_price, seller_rating)
  values ('00000000-0000-4000-9700-000000000001', %L, %L, 10, 6) $$, :'seller', :'buyer'), '23514', null, 'a rating is 1-5');
select throws_ok(format($$ insert into quicksell.sales (listing_id, seller_id, buyer_id, sale_price, buyer_rating)
  values ('00000000-0000-4000-9700-000000000001', %L, %L, 10, 0) $$, :'seller', :'buyer'), '23514', null, 'a buyer rating is 1-5 too');
select throws_ok(format($$ insert into quicksell.sales (listing_id, seller_id, buyer_id, sale_price)
  values ('00000000-0000-4000-9700-000000000001', %L, %L, 10) $$, :'seller', :'seller'), '23514', null, 'nobody buys from himself');
select throws_ok(format($$ insert into quicksell.sales (listing_id, seller_id, buyer_id, sale_price, marketplace_name)
  values ('00000000-0000-4000-9700-000000000001', %L, %L, 10, 'craigslist') $$, :'seller', :'buyer'), '23503', null,
  'a sale''s marketplace is a known one');
select throws_ok(format($$ insert into quicksell.marketplace_accounts (user_id, marketplace_name) values (%L, 'myspace') $$, :'seller'),
  '23503', null, 'an account''s marketplace is a known one');

insert into quicksell.marketplace_accounts (id, user_id, marketplace_name)
values ('00000000-0000-4000-9700-000000000002', :'seller', 'ebay');
select throws_ok(format($$ insert into quicksell.marketplace_accounts (user_id, marketplace_name) values (%L, 'ebay') $$, :'seller'),
  '23505', null, 'one account per user and marketplace');
select throws_ok($$ insert into quicksell.marketplace_listings (listing_id, marketplace_account_id, marketplace_name)
  values ('00000000-0000-4000-9700-000000000001', '00000000-0000-4000-9700-000000000002', 'etsy') $$,
  '23503', null, 'a copy is on its account''s marketplace');
select lives_ok($$ insert into quicksell.marketplace_listings (listing_id, marketplace_account_id, marketplace_name)
  values ('00000000-0000-4000-9700-000000000001', '00000000-0000-4000-9700-000000000002', 'ebay') $$,
  'a copy on the account''s marketplace is fine');
select throws_ok($$ insert into quicksell.marketplace_listings (listing_id, marketplace_account_id, marketplace_name)
  values ('00000000-0000-4000-9700-000000000001', '00000000-0000-4000-9700-000000000002', 'ebay') $$,
  '23505', null, 'one copy per listing and account');

insert into quicksell.sales (listing_id, seller_id, buyer_id, sale_price)
values ('00000000-0000-4000-9700-000000000001', :'seller', :'buyer', 10);
select throws_ok($$ delete from quicksell.listings where id = '00000000-0000-4000-9700-000000000001' $$,
  '23503', null, 'a listing with a sale cannot be hard-deleted');
select ok(not has_table_privilege('service_role', 'quicksell.sales', 'delete'), 'not even service_role may delete a sale');
select ok(not has_table_privilege('service_role', 'quicksell.listing_versions', 'update')
          and not has_table_privilege('service_role', 'quicksell.listing_versions', 'delete'),
  'not even service_role edits or deletes listing history');
select ok(not has_column_privilege('authenticated', 'quicksell.marketplace_accounts', 'access_token', 'select')
          and not has_column_privilege('authenticated', 'quicksell.marketplace_accounts', 'refresh_token', 'select'),
  'clients never read the tokens');

insert into quicksell.challenges (id, challenge_key, challenge_name)
values ('00000000-0000-4000-9700-000000000003', 'probe_700', 'Probe challenge');
select throws_ok(format($$ insert into quicksell.user_challenges (user_id, challenge_id, status)
  values (%L, '00000000-0000-4000-9700-000000000003', 'completed') $$, :'seller'), '23514', null,
  'a completed challenge has its completed_at');

select * from finish();
rollback;
