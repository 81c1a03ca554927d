-- homes.properties and homes.listings (seed 000), on the shared cast
-- (tests.fixture(): owner sells, everyone else is a would-be buyer):
--   * the Homes tables are the seed's four plus valuation_comparables, with
--     the seed's columns and indexes;
--   * a property is visible to its owner, and to everyone (anon included)
--     only while it has an active listing; only its owner edits it, and
--     deletes it only if it was never on the market. Team membership gives
--     nothing in Homes (homes are a person's, not a team's);
--   * owner_id / seller_id cannot be forged: inserts check them against
--     auth.uid(), updates cannot touch them (column grants); anon writes
--     nothing; service_role (the workers) reads and writes everything, but
--     the state guard holds for it too;
--   * a listing is visible to its seller, and to everyone while active,
--     under contract or sold; only the seller reprices it or deletes a draft;
--   * the state machine: inserts start as draft, publish_listing moves
--     draft/withdrawn -> active, sets published_at and queues one valuation
--     job; nothing else moves a listing except the offer RPCs.

begin;
select plan(73);

select tests.fixture() as team_a \gset
insert into homes.properties (id, owner_id, address, city, state, postal_code, bedrooms, bathrooms, living_area_sqft)
values ('00000000-0000-4000-a000-000000000001', tests.get_supabase_uid('owner'), '1 Main St', 'Austin', 'TX', '78701', 3, 2, 1800),
       ('00000000-0000-4000-a000-000000000002', tests.get_supabase_uid('owner'), '2 Main St', 'Austin', 'TX', '78701', 2, 1, 1100),
       ('00000000-0000-4000-a000-000000000003', tests.get_supabase_uid('rival'), '3 Side St', 'Austin', 'TX', '78702', 4, 3, 2600);
insert into homes.listings (id, property_id, seller_id, asking_price)
values ('00000000-0000-4000-b000-000000000001', '00000000-0000-4000-a000-000000000001', tests.get_supabase_uid('owner'), 450000);

-- ---------------------------------------------------------------- structure
select tables_are('homes', array['properties', 'listings', 'valuations', 'valuation_comparables', 'offers'],
  'the Homes tables are the seed''s four plus valuation_comparables');
select columns_are('homes', 'properties', array[
  'id', 'owner_id', 'address', 'city', 'state', 'postal_code', 'bedrooms', 'bathrooms', 'living_area_sqft',
  'lot_size_sqft', 'year_built', 'description', 'currency', 'last_sold_price', 'last_sold_at', 'is_listed', 'created_at', 'updated_at'
], 'properties keeps the seed fields plus currency, sale history and the listed flag');
select col_type_is('homes', 'listings', 'asking_price', 'numeric(14,2)', 'asking_price is numeric(14,2)');
select has_index('homes', 'listings', 'listings_status_published_at_idx', array['status', 'published_at'],
  'the seed index listings(status, published_at) exists');
select is(
  (select count(*)::int from pg_indexes where schemaname = 'homes' and tablename = 'listings' and indexname like 'listings_active_%'),
  7, 'one partial index per search filter and sort');

-- ---------------------------------------------------------------- who may do what: unlisted property, draft listing
-- Read and edit 1 Main St (its listing is a draft), delete 2 Main St (never listed).
select $$ select 1 from homes.properties where id = '00000000-0000-4000-a000-000000000001' $$ as p_read,
       $$ insert into homes.properties (address, city, state, postal_code, living_area_sqft) values ('9 Probe St', 'Austin', 'TX', '78701', 1000) $$ as p_insert,
       $$ insert into homes.properties (owner_id, address, city, state, postal_code, living_area_sqft)
          values (tests.get_supabase_uid('owner'), '9 Probe St', 'Austin', 'TX', '78701', 1000) $$ as p_insert_for_owner,
       $$ update homes.properties set description = 'Sunny' where id = '00000000-0000-4000-a000-000000000001' $$ as p_update,
       $$ delete from homes.properties where id = '00000000-0000-4000-a000-000000000002' $$ as p_delete \gset

select is(tests.rights('anon', :'p_read', :'p_insert', :'p_update', :'p_delete'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'properties: anon sees no unlisted property and writes nothing');
select is(tests.rights('stranger', :'p_read', :'p_insert', :'p_update', :'p_delete'),
  'read rows=0, insert rows=1, update rows=0, delete rows=0', 'properties: a stranger adds their own but cannot see, edit or delete another''s');
select is(tests.rights('member', :'p_read', :'p_insert', :'p_update', :'p_delete'),
  'read rows=0, insert rows=1, update rows=0, delete rows=0', 'properties: a teammate of the owner gets nothing more than a stranger');
select is(tests.rights('admin', :'p_read', :'p_insert', :'p_update', :'p_delete'),
  'read rows=0, insert rows=1, update rows=0, delete rows=0', 'properties: nor does an admin of the owner''s team');
select is(tests.rights('platform_admin', :'p_read', :'p_insert', :'p_update', :'p_delete'),
  'read rows=0, insert rows=1, update rows=0, delete rows=0', 'properties: nor a platform admin');
select is(tests.rights('owner', :'p_read', :'p_insert', :'p_update', :'p_delete'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'properties: the owner reads, adds, edits and deletes a never-listed one');
select is(tests.rights('service_role', :'p_read', :'p_insert_for_owner', :'p_update', :'p_delete'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'properties: service_role has full access');
select is(tests.probe('service_role', :'p_insert'), '23502', 'service_role names the owner (there is no auth.uid() to default to)');

select $$ select 1 from homes.listings where id = '00000000-0000-4000-b000-000000000001' $$ as l_read,
       $$ insert into homes.listings (property_id, asking_price) values ('00000000-0000-4000-a000-000000000002', 300000) $$ as l_insert,
       $$ insert into homes.listings (property_id, seller_id, asking_price)
          values ('00000000-0000-4000-a000-000000000002', tests.get_supabase_uid('owner'), 300000) $$ as l_insert_for_owner,
       $$ update homes.listings set asking_price = 440000 where id = '00000000-0000-4000-b000-000000000001' $$ as l_update,
       $$ delete from homes.listings where id = '00000000-0000-4000-b000-000000000001' $$ as l_delete \gset

select is(tests.rights('anon', :'l_read', :'l_insert', :'l_update', :'l_delete'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'listings: anon sees no draft and writes nothing');
select is(tests.rights('stranger', :'l_read', :'l_insert', :'l_update', :'l_delete'),
  'read rows=0, insert 42501, update rows=0, delete rows=0', 'listings: a stranger neither sees a draft nor lists, reprices or deletes another''s');
select is(tests.rights('member', :'l_read', :'l_insert', :'l_update', :'l_delete'),
  'read rows=0, insert 42501, update rows=0, delete rows=0', 'listings: a teammate of the seller neither');
select is(tests.rights('admin', :'l_read', :'l_insert', :'l_update', :'l_delete'),
  'read rows=0, insert 42501, update rows=0, delete rows=0', 'listings: nor an admin of the seller''s team');
select is(tests.rights('platform_admin', :'l_read', :'l_insert', :'l_update', :'l_delete'),
  'read rows=0, insert 42501, update rows=0, delete rows=0', 'listings: nor a platform admin');
select is(tests.rights('owner', :'l_read', :'l_insert', :'l_update', :'l_delete'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'listings: the seller reads, lists, reprices and deletes her draft');
select is(tests.rights('service_role', :'l_read', :'l_insert_for_owner', :'l_update', :'l_delete'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'listings: service_role has full access');
select is(tests.probe('service_role', :'l_insert'), '42501', 'service_role too lists a property only for its owner');

-- ---------------------------------------------------------------- properties: what the owner may write
select tests.authenticate_as('owner');
select lives_ok($$
  insert into homes.properties (address, city, state, postal_code, bedrooms, bathrooms, living_area_sqft)
  values ('4 New St', 'Austin', 'TX', '78701', 3, 2.5, 1500) $$, 'a user adds a property (owner_id defaults to her)');
select is((select owner_id from homes.properties where address = '4 New St'), auth.uid(), 'owner_id is the caller');
select throws_ok($$
  insert into homes.properties (owner_id, address, city, state, postal_code, living_area_sqft)
  values (tests.get_supabase_uid('stranger'), 'x', 'Austin', 'TX', '78701', 1000) $$,
  '42501', null, 'nobody creates a property in someone else''s name');
select throws_ok($$
  insert into homes.properties (address, city, state, postal_code, living_area_sqft, last_sold_price, last_sold_at)
  values ('x', 'Austin', 'TX', '78701', 1000, 1, current_date) $$,
  '42501', null, 'users do not write sale history (it feeds everyone''s valuations)');
select throws_ok($$ update homes.properties set owner_id = tests.get_supabase_uid('stranger') where address = '1 Main St' $$,
  '42501', null, 'owner_id cannot be changed');
select throws_ok($$
  insert into homes.properties (address, city, state, postal_code, living_area_sqft, bathrooms)
  values ('x', 'Austin', 'TX', '78701', 1000, 1.3) $$, '23514', null, 'bathrooms come in halves');
select throws_ok($$
  insert into homes.properties (address, city, state, postal_code, living_area_sqft) values ('x', 'Austin', 'TX', '78701', 10) $$,
  '23514', null, 'living area must be plausible');
select lives_ok($$ update homes.properties set description = 'Sunny' where address = '1 Main St' $$, 'the owner edits');
select is((select description from homes.properties where address = '1 Main St'), 'Sunny', 'the edit is saved');

-- ---------------------------------------------------------------- listings: what the seller may write
select results_eq($$ select status, seller_id = auth.uid(), city, postal_code, bedrooms::int, living_area_sqft, currency::text
                     from homes.listings where id = '00000000-0000-4000-b000-000000000001' $$,
  $$ values ('draft'::text, true, 'Austin'::text, '78701'::text, 3, 1800, 'USD'::text) $$,
  'a new listing is a draft with the property''s search copy and currency');
select throws_ok($$ insert into homes.listings (property_id, asking_price) values ('00000000-0000-4000-a000-000000000003', 1) $$,
  '42501', 'property_id: you can only list your own property', 'nobody lists another''s property');
select throws_ok($$ insert into homes.listings (property_id, asking_price, status) values ('00000000-0000-4000-a000-000000000002', 1, 'active') $$,
  '42501', null, 'status is not writable: a listing cannot be created active');
select throws_ok($$ insert into homes.listings (property_id, seller_id, asking_price)
                    values ('00000000-0000-4000-a000-000000000002', tests.get_supabase_uid('stranger'), 1) $$,
  '42501', null, 'seller_id cannot be forged');
select throws_ok($$ insert into homes.listings (property_id, asking_price) values ('00000000-0000-4000-a000-000000000001', 1) $$,
  '23505', null, 'one open listing per property');
select throws_ok($$ insert into homes.listings (property_id, asking_price) values ('00000000-0000-4000-a000-000000000002', 0) $$,
  '23514', null, 'asking price must be positive');
select throws_ok($$ update homes.listings set status = 'active' where id = '00000000-0000-4000-b000-000000000001' $$,
  '42501', null, 'status cannot be written directly');
select throws_ok($$ update homes.listings set published_at = now() where id = '00000000-0000-4000-b000-000000000001' $$,
  '42501', null, 'published_at cannot be written directly');
select ok(not has_column_privilege('authenticated', 'homes.listings', 'seller_id', 'insert')
          and not has_column_privilege('authenticated', 'homes.properties', 'owner_id', 'update')
          and not has_column_privilege('authenticated', 'homes.listings', 'status', 'update')
          and not has_column_privilege('authenticated', 'homes.listings', 'published_at', 'update'),
  'owner_id and seller_id come from auth.uid() defaults and triggers, status only from the RPCs (column grants)');

-- ---------------------------------------------------------------- publish
select tests.authenticate_as('stranger');
select throws_ok($$ select homes.publish_listing('00000000-0000-4000-b000-000000000001') $$,
  '42501', 'listing_id: only the seller can publish this listing', 'only the seller publishes');
select tests.authenticate_as_anon();
select throws_ok($$ select homes.publish_listing('00000000-0000-4000-b000-000000000001') $$, '42501', null,
  'anon cannot call publish_listing');

select tests.authenticate_as('owner');
select results_eq($$ select status, published_at is not null from homes.publish_listing('00000000-0000-4000-b000-000000000001') $$,
  $$ values ('active'::text, true) $$, 'publish_listing: draft -> active with published_at');
select tests.clear_authentication();
select results_eq($$ select account_id, payload ->> 'property_id', payload ->> 'reason' from public.jobs
                     where queue = 'homes.valuation' and payload ->> 'listing_id' = '00000000-0000-4000-b000-000000000001' $$,
  $$ values (tests.get_supabase_uid('owner'), '00000000-0000-4000-a000-000000000001'::text, 'listing_published'::text) $$,
  'publishing queues one valuation job for the seller''s account');
select is((select type from public.notifications where user_id = tests.get_supabase_uid('owner') order by created_at desc limit 1),
  'listing_published', 'the seller is told the listing is live');
select tests.authenticate_as('owner');
select throws_ok($$ select homes.publish_listing('00000000-0000-4000-b000-000000000001') $$,
  'PT409', null, 'an active listing cannot be published again');
select throws_ok($$ select homes.publish_listing(gen_random_uuid()) $$, '22023', 'listing_id: no such listing',
  'publishing an unknown listing names the field');
select tests.clear_authentication();

-- ---------------------------------------------------------------- who may do what: on the market
-- 1 Main St is listed and its listing active: everyone reads both, only the
-- seller reprices, and neither can be deleted any more.
select $$ delete from homes.properties where id = '00000000-0000-4000-a000-000000000001' $$ as p_delete_listed \gset

select is(tests.rights('anon', :'p_read', :'p_insert', :'p_update', :'p_delete_listed'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'listed property: anon reads it, writes nothing');
select is(tests.rights('stranger', :'p_read', :'p_insert', :'p_update', :'p_delete_listed'),
  'read rows=1, insert rows=1, update rows=0, delete rows=0', 'listed property: a stranger reads it, cannot edit or delete it');
select is(tests.rights('member', :'p_read', :'p_insert', :'p_update', :'p_delete_listed'),
  'read rows=1, insert rows=1, update rows=0, delete rows=0', 'listed property: a teammate the same');
select is(tests.rights('admin', :'p_read', :'p_insert', :'p_update', :'p_delete_listed'),
  'read rows=1, insert rows=1, update rows=0, delete rows=0', 'listed property: a team admin the same');
select is(tests.rights('platform_admin', :'p_read', :'p_insert', :'p_update', :'p_delete_listed'),
  'read rows=1, insert rows=1, update rows=0, delete rows=0', 'listed property: a platform admin the same');
select is(tests.rights('owner', :'p_read', :'p_insert', :'p_update', :'p_delete_listed'),
  'read rows=1, insert rows=1, update rows=1, delete rows=0', 'listed property: the owner edits it but cannot delete it (it has been on the market)');
select is(tests.rights('service_role', :'p_read', :'p_insert_for_owner', :'p_update', :'p_delete_listed'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'listed property: service_role has full access (the delete takes its listings with it)');

select is(tests.rights('anon', :'l_read', :'l_insert', :'l_update', :'l_delete'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'active listing: anon reads it, writes nothing');
select is(tests.rights('stranger', :'l_read', :'l_insert', :'l_update', :'l_delete'),
  'read rows=1, insert 42501, update rows=0, delete rows=0', 'active listing: a stranger reads it, cannot reprice or delete it');
select is(tests.rights('member', :'l_read', :'l_insert', :'l_update', :'l_delete'),
  'read rows=1, insert 42501, update rows=0, delete rows=0', 'active listing: a teammate the same');
select is(tests.rights('admin', :'l_read', :'l_insert', :'l_update', :'l_delete'),
  'read rows=1, insert 42501, update rows=0, delete rows=0', 'active listing: a team admin the same');
select is(tests.rights('platform_admin', :'l_read', :'l_insert', :'l_update', :'l_delete'),
  'read rows=1, insert 42501, update rows=0, delete rows=0', 'active listing: a platform admin the same');
select is(tests.rights('owner', :'l_read', :'l_insert', :'l_update', :'l_delete'),
  'read rows=1, insert rows=1, update rows=1, delete rows=0', 'active listing: the seller reprices it but cannot delete it (only drafts)');
select is(tests.rights('service_role', :'l_read', :'l_insert_for_owner', :'l_update', :'l_delete'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'active listing: service_role has full access');

-- ---------------------------------------------------------------- withdraw / republish
select tests.authenticate_as('owner');
select is((select status from homes.withdraw_listing('00000000-0000-4000-b000-000000000001')), 'withdrawn',
  'withdraw_listing: active -> withdrawn');
select tests.authenticate_as('stranger');
select is_empty($$ select 1 from homes.listings where seller_id = tests.get_supabase_uid('owner') $$, 'a withdrawn listing leaves the market');
select is_empty($$ select 1 from homes.properties where owner_id = tests.get_supabase_uid('owner') $$, 'and so does its property');
select tests.authenticate_as('owner');
select throws_ok($$ select homes.withdraw_listing('00000000-0000-4000-b000-000000000001') $$, 'PT409', null,
  'a withdrawn listing cannot be withdrawn again');
select is((select status from homes.publish_listing('00000000-0000-4000-b000-000000000001')), 'active',
  'withdrawn -> active again through publish_listing');
select tests.clear_authentication();
select is((select count(*)::int from public.jobs where queue = 'homes.valuation'
           and payload ->> 'listing_id' = '00000000-0000-4000-b000-000000000001'), 2,
  'each publish queues its own valuation refresh');

-- ---------------------------------------------------------------- the guard holds for every role
select throws_ok($$ update homes.listings set status = 'sold', sold_price = 1, sold_at = now() where id = '00000000-0000-4000-b000-000000000001' $$,
  'PT409', null, 'even the table owner cannot jump active -> sold');
select throws_ok($$ update homes.listings set status = 'under_contract' where id = '00000000-0000-4000-b000-000000000001' $$,
  'PT409', null, 'a listing goes under contract only by accepting an offer');
select throws_ok($$ insert into homes.listings (property_id, seller_id, asking_price, status)
                    values ('00000000-0000-4000-a000-000000000002', tests.get_supabase_uid('owner'), 1, 'sold') $$,
  'PT409', null, 'no listing is born past draft');
select throws_ok($$ update homes.listings set seller_id = tests.get_supabase_uid('stranger') where id = '00000000-0000-4000-b000-000000000001' $$,
  '42501', null, 'seller_id never changes');
select is(tests.probe('service_role', $$ update homes.listings set status = 'sold', sold_price = 1, sold_at = now()
                                         where id = '00000000-0000-4000-b000-000000000001' $$),
  'PT409', 'nor can service_role skip a state');

-- The search copy follows the property.
update homes.properties set bedrooms = 5 where id = '00000000-0000-4000-a000-000000000001';
select is((select bedrooms::int from homes.listings where id = '00000000-0000-4000-b000-000000000001'), 5,
  'editing the property updates its listings'' search copy');

-- Drafts can be deleted, and never-listed properties too.
select tests.authenticate_as('owner');
insert into homes.listings (id, property_id, asking_price) values ('00000000-0000-4000-b000-000000000002', '00000000-0000-4000-a000-000000000002', 300000);
select results_eq($$ with d as (delete from homes.properties where id = '00000000-0000-4000-a000-000000000002' returning 1) select count(*)::int from d $$,
  array[1], 'the owner deletes a property that only had a draft (the draft goes with it)');

select * from finish();
rollback;
