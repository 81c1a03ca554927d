-- tools: a bundle's price agrees with its tools, checked at commit by deferred
-- constraint triggers on bundles, bundle items and tools:
--   price_amount = round(sum(ONE_TIME, MONTHLY and ANNUAL tools' price_amount)
--                        * (100 - discount_percent) / 100, 2)
-- FREE, USAGE_BASED and CUSTOM tools count 0. Also: the counted tools share
-- the bundle's currency, and the bundle's tier covers every tool's tier.
-- Refusals are 23514 with a message naming the bundle.
--
-- pgTAP runs in one transaction that is rolled back, so nothing would ever
-- reach commit: each case ends with `set constraints all immediate`, which
-- fires the pending deferred checks right there, as commit would.

begin;
select plan(22);

select tests.fixture() is not null as cast_ready \gset

-- ---------------------------------------------------------------- the triggers
select is(
  (select array_agg(tgname::text || ':' || tgdeferrable || ':' || tginitdeferred order by tgname::text)
   from pg_trigger where tgname in ('marketplace_bundles_price_agrees', 'marketplace_bundle_items_price_agrees',
                                    'marketplace_tools_bundle_prices_agree') and tgconstraint <> 0),
  array['marketplace_bundle_items_price_agrees:true:true', 'marketplace_bundles_price_agrees:true:true',
        'marketplace_tools_bundle_prices_agree:true:true'],
  'the three checks are constraint triggers, deferrable and initially deferred');

-- ---------------------------------------------------------------- refused
select throws_ok(
  $$ update tools.marketplace_bundles set price_amount = 400 where id = '00000000-0000-4000-b003-000000000001';
     set constraints all immediate $$,
  '23514',
  'price_amount: bundle "Lead Generation Pro Bundle" (00000000-0000-4000-b003-000000000001) costs 400.00 USD but its tools, less 20 percent, come to 458.40 USD',
  'a bundle priced off its tools is refused, naming the bundle');
select throws_ok(
  $$ update tools.marketplace_bundles set discount_percent = 30 where id = '00000000-0000-4000-b003-000000000001';
     set constraints all immediate $$,
  '23514', null, 'a new discount without a new price is refused');
select throws_ok(
  $$ insert into tools.marketplace_bundles (id, name, description, price_amount, discount_percent, required_tier)
     values ('00000000-0000-4000-c612-000000000001', 'Bad Bundle', 'x', 100.00, 10, 'CUSTOM');
     insert into tools.marketplace_bundle_items (bundle_id, tool_id, position)
     values ('00000000-0000-4000-c612-000000000001', '00000000-0000-4000-a003-000000000001', 1);
     set constraints all immediate $$,
  '23514',
  'price_amount: bundle "Bad Bundle" (00000000-0000-4000-c612-000000000001) costs 100.00 USD but its tools, less 10 percent, come to 134.10 USD',
  'a new bundle whose price does not match its tools is refused');
select throws_ok(
  $$ update tools.marketplace_tools set price_amount = 159 where id = '00000000-0000-4000-a003-000000000001';
     set constraints all immediate $$,
  '23514', null, 'a tool''s price change that breaks its bundles is refused');
select throws_like(
  $$ update tools.marketplace_tools set price_amount = 69 where id = '00000000-0000-4000-a003-000000000003';
     update tools.marketplace_bundles set price_amount = 474.40 where id = '00000000-0000-4000-b003-000000000001';
     set constraints all immediate $$,
  'price_amount: bundle "Complete Real Estate Suite" (00000000-0000-4000-b003-000000000005)%',
  'repricing one of a tool''s bundles is not enough: the other one is named');
select throws_ok(
  $$ update tools.marketplace_tools set price_model = 'USAGE_BASED' where id = '00000000-0000-4000-a003-000000000001';
     set constraints all immediate $$,
  '23514', null, 'a tool moving to USAGE_BASED no longer counts, so its bundles must be repriced');
select throws_ok(
  $$ delete from tools.marketplace_bundle_items
     where bundle_id = '00000000-0000-4000-b003-000000000001' and tool_id = '00000000-0000-4000-a003-000000000001';
     set constraints all immediate $$,
  '23514',
  'price_amount: bundle "Lead Generation Pro Bundle" (00000000-0000-4000-b003-000000000001) costs 458.40 USD but its tools, less 20 percent, come to 339.20 USD',
  'removing a priced tool from a bundle without repricing it is refused');
select throws_ok(
  $$ insert into tools.marketplace_bundle_items (bundle_id, tool_id, position)
     values ('00000000-0000-4000-b003-000000000002', '00000000-0000-4000-a003-000000000001', 8);
     set constraints all immediate $$,
  '23514', null, 'adding a priced tool to a bundle without repricing it is refused');
select throws_ok(
  $$ delete from tools.marketplace_tools where id = '00000000-0000-4000-a003-000000000028';
     set constraints all immediate $$,
  '23514', null, 'deleting a priced tool from the catalogue breaks its bundles (the cascade is checked)');
select throws_ok(
  $$ update tools.marketplace_bundles set required_tier = 'STARTER' where id = '00000000-0000-4000-b003-000000000001';
     set constraints all immediate $$,
  '23514',
  'required_tier: bundle "Lead Generation Pro Bundle" (00000000-0000-4000-b003-000000000001) requires STARTER but its tool "Budget Range Prediction Tool" requires GROWTH',
  'a bundle cannot require less than its tools do');
select throws_ok(
  $$ update tools.marketplace_tools set required_tier = 'ENTERPRISE' where id = '00000000-0000-4000-a003-000000000009';
     set constraints all immediate $$,
  '23514', null, 'raising a tool''s tier above its bundles'' is refused');
select throws_ok(
  $$ update tools.marketplace_tools set currency = 'EUR' where id = '00000000-0000-4000-a003-000000000028';
     set constraints all immediate $$,
  '23514', null, 'a priced tool in another currency than its bundle is refused');

-- ---------------------------------------------------------------- accepted
select lives_ok(
  $$ update tools.marketplace_tools set price_amount = 159 where id = '00000000-0000-4000-a003-000000000001';
     update tools.marketplace_bundles set price_amount = 466.40 where id = '00000000-0000-4000-b003-000000000001';
     update tools.marketplace_bundles set price_amount = 2645.50 where id = '00000000-0000-4000-b003-000000000005';
     set constraints all immediate $$,
  'a new tool price with both its bundles repriced, in one transaction, is accepted');
set constraints all deferred;
select results_eq(
  $$ select price_amount from tools.marketplace_bundles where id in ('00000000-0000-4000-b003-000000000001', '00000000-0000-4000-b003-000000000005') order by id $$,
  $$ values (466.40::numeric), (2645.50) $$, 'the repriced bundles');
select lives_ok(
  $$ insert into tools.marketplace_bundles (id, name, description, price_amount, discount_percent, required_tier)
     values ('00000000-0000-4000-c612-000000000002', 'Starter Pair', 'x', 0, 10, 'STARTER');
     insert into tools.marketplace_bundle_items (bundle_id, tool_id, position) values
       ('00000000-0000-4000-c612-000000000002', '00000000-0000-4000-a003-000000000002', 1),
       ('00000000-0000-4000-c612-000000000002', '00000000-0000-4000-a003-000000000013', 2);
     update tools.marketplace_bundles set price_amount = 169.20 where id = '00000000-0000-4000-c612-000000000002';
     set constraints all immediate $$,
  'a new bundle built in steps (price placeholder, items, final price) is accepted at commit');
set constraints all deferred;
select lives_ok(
  $$ insert into tools.marketplace_bundle_items (bundle_id, tool_id, position) values
       ('00000000-0000-4000-b003-000000000002', '00000000-0000-4000-a003-000000000052', 8),
       ('00000000-0000-4000-b003-000000000002', '00000000-0000-4000-a003-000000000004', 9);
     set constraints all immediate $$,
  'adding a FREE and a USAGE_BASED tool leaves the price as it is (they count 0)');
set constraints all deferred;
select lives_ok(
  $$ update tools.marketplace_tools set price_amount = 0.30 where id = '00000000-0000-4000-a003-000000000004';
     set constraints all immediate $$,
  'a USAGE_BASED tool''s per-use price does not move its bundles');
set constraints all deferred;
select lives_ok(
  $$ update tools.marketplace_bundles set description = 'new words', is_featured = true where id = '00000000-0000-4000-b003-000000000004';
     update tools.marketplace_bundle_items set position = 0 where bundle_id = '00000000-0000-4000-b003-000000000004';
     set constraints all immediate $$,
  'editing a bundle''s text or its positions needs no repricing');
set constraints all deferred;
select lives_ok(
  $$ delete from tools.marketplace_bundles where id = '00000000-0000-4000-b003-000000000004';
     set constraints all immediate $$,
  'deleting a bundle (its items go with it) is accepted');
set constraints all deferred;

-- ---------------------------------------------------------------- through the API
select tests.authenticate_as('platform_admin');
select throws_ok(
  $$ update tools.marketplace_bundles set price_amount = 300 where id = '00000000-0000-4000-b003-000000000002';
     set constraints all immediate $$,
  '23514', null, 'a platform admin is held to the same rule');
select lives_ok(
  $$ update tools.marketplace_tools set price_amount = 99.00 where id = '00000000-0000-4000-a003-000000000012';
     update tools.marketplace_bundles set price_amount = 342.00 where id = '00000000-0000-4000-b003-000000000002';
     update tools.marketplace_bundles set price_amount = 2671.50 where id = '00000000-0000-4000-b003-000000000005';
     set constraints all immediate $$,
  'a platform admin''s consistent catalogue edit is accepted');
set constraints all deferred;
select tests.clear_authentication();

select * from finish();
rollback;
