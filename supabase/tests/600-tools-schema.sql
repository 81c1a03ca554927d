-- tools (seed 003), the shape: the seed's twelve enums with their labels, six
-- tables, both check constraints and all 26 indexes; the tier order lives in
-- the database; a cart holds one line per user and item even with NULLs; a
-- purchase is never deleted; RLS: the catalogue is public, the rest is not.

begin;
select plan(22);

select enums_are('tools', array['tool_category', 'price_model', 'integration_type', 'tool_status', 'bundle_status',
  'payment_method', 'payment_status', 'review_status', 'subscription_tier', 'purchase_type', 'cart_item_type',
  'purchase_status'], 'the seed''s twelve enums');
select enum_has_labels('tools', 'price_model', array['FREE', 'ONE_TIME', 'MONTHLY', 'ANNUAL', 'USAGE_BASED', 'CUSTOM'],
  'PriceModel keeps its labels');
select enum_has_labels('tools', 'payment_method', array['CREDIT_CARD', 'ACH', 'INVOICE', 'PLATFORM_CREDITS'],
  'PaymentMethod keeps its labels');
select enum_has_labels('tools', 'review_status', array['PENDING', 'APPROVED', 'REJECTED', 'FLAGGED'],
  'ReviewStatus keeps its labels');
select is(array_length(enum_range(null::tools.tool_category), 1), 14, 'ToolCategory has the seed''s 14 categories');
select ok('FREE'::tools.subscription_tier < 'CUSTOM' and 'CUSTOM'::tools.subscription_tier < 'STARTER'
          and 'STARTER'::tools.subscription_tier < 'GROWTH' and 'GROWTH'::tools.subscription_tier < 'ELITE'
          and 'ELITE'::tools.subscription_tier < 'ENTERPRISE',
  'tier order FREE < CUSTOM < STARTER < GROWTH < ELITE < ENTERPRISE is the database''s');

-- The seed's six (later migrations add tables of their own, e.g. review votes and reports).
select is_empty($$ select unnest(array['marketplace_tools', 'marketplace_bundles', 'marketplace_bundle_items',
  'marketplace_purchases', 'marketplace_cart', 'marketplace_reviews'])
  except select tablename::text from pg_tables where schemaname = 'tools' $$, 'the seed''s six tables');
select has_check('tools', 'marketplace_purchases', 'purchases check tool XOR bundle');
select has_check('tools', 'marketplace_cart', 'cart lines check tool XOR bundle');
select is(
  (select count(*)::int from pg_indexes where schemaname = 'tools' and indexname in (
    'marketplace_tools_category_idx', 'marketplace_tools_status_idx', 'marketplace_tools_required_tier_idx',
    'marketplace_tools_price_model_idx', 'marketplace_tools_is_featured_idx', 'marketplace_tools_purchase_count_idx',
    'marketplace_tools_avg_rating_idx', 'marketplace_bundles_status_idx', 'marketplace_bundles_is_featured_idx',
    'marketplace_bundles_purchase_count_idx', 'marketplace_bundle_items_bundle_id_idx', 'marketplace_bundle_items_tool_id_idx',
    'marketplace_purchases_organization_id_idx', 'marketplace_purchases_user_id_idx', 'marketplace_purchases_payment_status_idx',
    'marketplace_purchases_status_idx', 'marketplace_purchases_tool_id_idx', 'marketplace_purchases_bundle_id_idx',
    'marketplace_purchases_purchase_date_idx', 'marketplace_cart_organization_id_idx', 'marketplace_cart_user_id_idx',
    'marketplace_cart_tool_id_idx', 'marketplace_cart_bundle_id_idx', 'marketplace_reviews_tool_id_idx',
    'marketplace_reviews_organization_id_idx', 'marketplace_reviews_user_id_idx', 'marketplace_reviews_status_idx',
    'marketplace_reviews_rating_idx')),
  28, 'every index the seed lists (its headline says 26; its per-table lists name 28): all present');

-- A tool and a bundle to point at.
insert into tools.marketplace_tools (id, name, description, category, price_model, price_amount, required_tier, integration_type, provider)
values ('00000000-0000-4000-c000-000000000001', 'Probe Tool', 'a tool', 'LEAD_GENERATION', 'ONE_TIME', 10, 'FREE', 'API', 'Internal');
insert into tools.marketplace_bundles (id, name, description, price_amount, discount_percent, required_tier)
values ('00000000-0000-4000-c100-000000000001', 'Probe Bundle', 'a bundle', 0, 0, 'FREE');
select tests.fixture() is not null as cast_ready \gset

select throws_ok($$ insert into tools.marketplace_cart (organization_id, user_id, item_type, tool_id, bundle_id)
  values (tests.account_id('team-a'), tests.get_supabase_uid('member'), 'TOOL', '00000000-0000-4000-c000-000000000001', '00000000-0000-4000-c100-000000000001') $$,
  '23514', null, 'a cart line is a tool or a bundle, not both');
select throws_ok($$ insert into tools.marketplace_cart (organization_id, user_id, item_type, bundle_id)
  values (tests.account_id('team-a'), tests.get_supabase_uid('member'), 'TOOL', '00000000-0000-4000-c100-000000000001') $$,
  '23514', null, 'item_type must match the item');
select lives_ok($$ insert into tools.marketplace_cart (organization_id, user_id, item_type, tool_id)
  values (tests.account_id('team-a'), tests.get_supabase_uid('member'), 'TOOL', '00000000-0000-4000-c000-000000000001') $$,
  'a member adds a tool to the cart');
select throws_ok($$ insert into tools.marketplace_cart (organization_id, user_id, item_type, tool_id)
  values (tests.account_id('team-a'), tests.get_supabase_uid('member'), 'TOOL', '00000000-0000-4000-c000-000000000001') $$,
  '23505', null, 'the same tool twice is refused although bundle_id is NULL (NULLS NOT DISTINCT)');
select throws_ok($$ insert into tools.marketplace_cart (organization_id, user_id, item_type, bundle_id, quantity)
  values (tests.account_id('team-a'), tests.get_supabase_uid('member'), 'TOOL', null, 2) $$,
  '23514', null, 'a tool line has quantity 1');

select throws_ok($$ insert into tools.marketplace_purchases (organization_id, user_id, purchase_type, tool_id, bundle_id, amount, payment_method)
  values (tests.account_id('team-a'), tests.get_supabase_uid('member'), 'BUNDLE', '00000000-0000-4000-c000-000000000001', null, 1, 'INVOICE') $$,
  '23514', null, 'a purchase is a tool or a bundle, matching purchase_type');
insert into tools.marketplace_purchases (id, organization_id, user_id, purchase_type, tool_id, amount, payment_method)
values ('00000000-0000-4000-c200-000000000001', tests.account_id('team-a'), tests.get_supabase_uid('owner'), 'TOOL',
        '00000000-0000-4000-c000-000000000001', 10, 'INVOICE');
select throws_ok($$ delete from tools.marketplace_purchases where id = '00000000-0000-4000-c200-000000000001' $$,
  '42501', null, 'a purchase is never deleted, not even by the table owner');
select throws_ok($$ insert into tools.marketplace_tools (name, description, category, price_model, price_amount, required_tier, integration_type, provider)
  values ('NaN Tool', 'x', 'CRM_TOOLS', 'ONE_TIME', 'NaN', 'FREE', 'API', 'Internal') $$,
  '23514', null, 'a NaN price is refused');
select throws_ok($$ insert into tools.marketplace_tools (name, description, category, price_model, price_amount, required_tier, integration_type, provider)
  values ('Free but priced', 'x', 'CRM_TOOLS', 'FREE', 5, 'FREE', 'API', 'Internal') $$,
  '23514', null, 'a FREE tool costs nothing');

select tests.authenticate_as_anon();
select isnt_empty($$ select 1 from tools.marketplace_tools where id = '00000000-0000-4000-c000-000000000001' $$,
  'anon reads the catalogue');
select throws_ok($$ select 1 from tools.marketplace_purchases $$, '42501', null, 'anon cannot read purchases at all');
select tests.authenticate_as('stranger');
select is_empty($$ select 1 from tools.marketplace_purchases where id = '00000000-0000-4000-c200-000000000001' $$,
  'a stranger does not see another account''s purchase');

select * from finish();
rollback;
