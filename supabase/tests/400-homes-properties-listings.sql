-- homes.properties and homes.listings (seed 000):
--   * the seed's tables, columns and indexes exist;
--   * a property is visible to its owner, and to everyone (anon included)
--     only while it has an active listing; strangers never edit or delete it;
--   * owner_id / seller_id cannot be forged: inserts check them against
--     auth.uid(), updates cannot touch them (column grants);
--   * a listing is visible to its seller, and to everyone while active,
--     under contract or sold; only the seller reprices it or deletes a draft;
--   * the state machine: inserts start as draft, publish_listing moves
--     draft/withdrawn -> active, sets published_at and queues one valuation
--     job; nothing else moves a listing except the offer RPCs.

begin;
select plan(58);

do $$
declare v_home uuid; v_other uuid;
begin
  perform tests.create_supabase_user('seller');
  perform tests.create_supabase_user('buyer');
  perform tests.create_supabase_user('stranger');
  insert into homes.properties (id, owner_id, address, city, state, postal_code, bedrooms, bathrooms, living_area_sqft)
  values ('00000000-0000-4000-a000-000000000001', tests.get_supabase_uid('seller'), '1 Main St', 'Austin', 'TX', '78701', 3, 2, 1800),
         ('00000000-0000-4000-a000-000000000002', tests.get_supabase_uid('seller'), '2 Main St', 'Austin', 'TX', '78701', 2, 1, 1100),
         ('00000000-0000-4000-a000-000000000003', tests.get_supabase_uid('stranger'), '3 Side St', 'Austin', 'TX', '78702', 4, 3, 2600);
end $$;

-- ---------------------------------------------------------------- structure
select has_table('homes', 'properties', 'homes.properties exists');
select has_table('homes', 'listings', 'homes.listings exists');
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

-- ---------------------------------------------------------------- properties
select tests.authenticate_as('seller');
select is((select count(*)::int from homes.properties where owner_id = auth.uid()), 2, 'the owner sees her two properties');
select lives_ok($$
  insert into homes.properties (address, city, state, postal_code, bedrooms, bathrooms, living_area_sqft)
  values ('4 New St', 'Austin', 'TX', '78701', 3, 2.5, 1500) $$, 'a user adds a property (owner_id defaults to her)');
select is((select owner_id from homes.properties where address = '4 New St'), auth.uid(), 'owner_id is the caller');
select throws_ok($$
  insert into homes.properties (owner_id, address, city, state, postal_code, living_area_sqft)
  values (tests.get_supabase_uid('buyer'), 'x', 'Austin', 'TX', '78701', 1000) $$,
  '42501', null, 'nobody creates a property in someone else''s name');
select throws_ok($$
  insert into homes.properties (address, city, state, postal_code, living_area_sqft, last_sold_price, last_sold_at)
  values ('x', 'Austin', 'TX', '78701', 1000, 1, current_date) $$,
  '42501', null, 'users do not write sale history (it feeds everyone''s valuations)');
select throws_ok($$ update homes.properties set owner_id = tests.get_supabase_uid('buyer') where address = '1 Main St' $$,
  '42501', null, 'owner_id cannot be changed');
select throws_ok($$
  insert into homes.properties (address, city, state, postal_code, living_area_sqft, bathrooms)
  values ('x', 'Austin', 'TX', '78701', 1000, 1.3) $$, '23514', null, 'bathrooms come in halves');
select throws_ok($$
  insert into homes.properties (address, city, state, postal_code, living_area_sqft) values ('x', 'Austin', 'TX', '78701', 10) $$,
  '23514', null, 'living area must be plausible');
select lives_ok($$ update homes.properties set description = 'Sunny' where address = '1 Main St' $$, 'the owner edits');
select is((select description from homes.properties where address = '1 Main St'), 'Sunny', 'the edit is saved');

select tests.authenticate_as('stranger');
select is_empty($$ select 1 from homes.properties where owner_id = tests.get_supabase_uid('seller') $$,
  'a stranger does not see unlisted properties');
select results_eq($$ with u as (update homes.properties set description = 'hacked' where address = '1 Main St' returning 1)
                     select count(*)::int from u $$, array[0], 'a stranger cannot edit another''s property');
select results_eq($$ with d as (delete from homes.properties where address = '1 Main St' returning 1) select count(*)::int from d $$,
  array[0], 'a stranger cannot delete another''s property');

select tests.authenticate_as_anon();
select is_empty($$ select 1 from homes.properties where city = 'Austin' and address like '%Main St' $$, 'anon sees no unlisted property');
select throws_ok($$ insert into homes.properties (address, city, state, postal_code, living_area_sqft) values ('x', 'a', 'b', '12345', 1000) $$,
  '42501', null, 'anon cannot add properties');

-- ---------------------------------------------------------------- listings
select tests.authenticate_as('seller');
select lives_ok($$ insert into homes.listings (id, property_id, asking_price)
                   values ('00000000-0000-4000-b000-000000000001', '00000000-0000-4000-a000-000000000001', 450000) $$,
  'the owner lists her property (a draft)');
select results_eq($$ select status, seller_id = auth.uid(), city, postal_code, bedrooms::int, living_area_sqft, currency::text
                     from homes.listings where id = '00000000-0000-4000-b000-000000000001' $$,
  $$ values ('draft'::text, true, 'Austin'::text, '78701'::text, 3, 1800, 'USD'::text) $$,
  'a new listing is a draft with the property''s search copy and currency');
select throws_ok($$ insert into homes.listings (property_id, asking_price) values ('00000000-0000-4000-a000-000000000003', 1) $$,
  '42501', 'property_id: you can only list your own property', 'nobody lists another''s property');
select throws_ok($$ insert into homes.listings (property_id, asking_price, status) values ('00000000-0000-4000-a000-000000000002', 1, 'active') $$,
  '42501', null, 'status is not writable: a listing cannot be created active');
select throws_ok($$ insert into homes.listings (property_id, seller_id, asking_price)
                    values ('00000000-0000-4000-a000-000000000002', tests.get_supabase_uid('buyer'), 1) $$,
  '42501', null, 'seller_id cannot be forged');
select throws_ok($$ insert into homes.listings (property_id, asking_price) values ('00000000-0000-4000-a000-000000000001', 1) $$,
  '23505', null, 'one open listing per property');
select throws_ok($$ insert into homes.listings (property_id, asking_price) values ('00000000-0000-4000-a000-000000000002', 0) $$,
  '23514', null, 'asking price must be positive');
select throws_ok($$ update homes.listings set status = 'active' where id = '00000000-0000-4000-b000-000000000001' $$,
  '42501', null, 'status cannot be written directly');
select throws_ok($$ update homes.listings set published_at = now() where id = '00000000-0000-4000-b000-000000000001' $$,
  '42501', null, 'published_at cannot be written directly');
select lives_ok($$ update homes.listings set asking_price = 440000 where id = '00000000-0000-4000-b000-000000000001' $$,
  'the seller reprices her listing');

select tests.authenticate_as('buyer');
select is_empty($$ select 1 from homes.listings where seller_id = tests.get_supabase_uid('seller') $$, 'drafts are invisible to others');
select throws_ok($$ select homes.publish_listing('00000000-0000-4000-b000-000000000001') $$,
  '42501', 'listing_id: only the seller can publish this listing', 'only the seller publishes');

select tests.authenticate_as('seller');
select results_eq($$ select status, published_at is not null from homes.publish_listing('00000000-0000-4000-b000-000000000001') $$,
  $$ values ('active'::text, true) $$, 'publish_listing: draft -> active with published_at');
select tests.clear_authentication();
select results_eq($$ select account_id, payload ->> 'property_id', payload ->> 'reason' from public.jobs
                     where queue = 'homes.valuation' and payload ->> 'listing_id' = '00000000-0000-4000-b000-000000000001' $$,
  $$ values (tests.get_supabase_uid('seller'), '00000000-0000-4000-a000-000000000001'::text, 'listing_published'::text) $$,
  'publishing queues one valuation job for the seller''s account');
select is((select type from public.notifications where user_id = tests.get_supabase_uid('seller') order by created_at desc limit 1),
  'listing_published', 'the seller is told the listing is live');
select tests.authenticate_as('seller');
select throws_ok($$ select homes.publish_listing('00000000-0000-4000-b000-000000000001') $$,
  'PT409', null, 'an active listing cannot be published again');
select throws_ok($$ select homes.publish_listing(gen_random_uuid()) $$, '22023', 'listing_id: no such listing',
  'publishing an unknown listing names the field');
select results_eq($$ with d as (delete from homes.properties where id = '00000000-0000-4000-a000-000000000001' returning 1) select count(*)::int from d $$,
  array[0], 'a property that has been on the market is not deleted, even by its owner');
select results_eq($$ with d as (delete from homes.listings where id = '00000000-0000-4000-b000-000000000001' returning 1) select count(*)::int from d $$,
  array[0], 'an active listing cannot be deleted (only drafts)');

select tests.authenticate_as('buyer');
select is((select count(*)::int from homes.listings where seller_id = tests.get_supabase_uid('seller')), 1, 'everyone sees an active listing');
select is((select address from homes.properties where owner_id = tests.get_supabase_uid('seller')), '1 Main St', 'and its property, while it is listed');
select results_eq($$ with u as (update homes.listings set asking_price = 1 where seller_id = tests.get_supabase_uid('seller') returning 1) select count(*)::int from u $$,
  array[0], 'a buyer cannot reprice someone else''s listing');
select tests.authenticate_as_anon();
select is((select count(*)::int from homes.listings where seller_id = tests.get_supabase_uid('seller')), 1, 'anon sees the active listing');
select is((select count(*)::int from homes.properties where owner_id = tests.get_supabase_uid('seller')), 1, 'anon sees the listed property only');
select throws_ok($$ select homes.publish_listing('00000000-0000-4000-b000-000000000001') $$, '42501', null,
  'anon cannot call publish_listing');

-- ---------------------------------------------------------------- withdraw / republish
select tests.authenticate_as('seller');
select is((select status from homes.withdraw_listing('00000000-0000-4000-b000-000000000001')), 'withdrawn',
  'withdraw_listing: active -> withdrawn');
select tests.authenticate_as('buyer');
select is_empty($$ select 1 from homes.listings where seller_id = tests.get_supabase_uid('seller') $$, 'a withdrawn listing leaves the market');
select is_empty($$ select 1 from homes.properties where owner_id = tests.get_supabase_uid('seller') $$, 'and so does its property');
select tests.authenticate_as('seller');
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
                    values ('00000000-0000-4000-a000-000000000002', tests.get_supabase_uid('seller'), 1, 'sold') $$,
  'PT409', null, 'no listing is born past draft');
select throws_ok($$ update homes.listings set seller_id = tests.get_supabase_uid('buyer') where id = '00000000-0000-4000-b000-000000000001' $$,
  '42501', null, 'seller_id never changes');

-- The search copy follows the property.
update homes.properties set bedrooms = 5 where id = '00000000-0000-4000-a000-000000000001';
select is((select bedrooms::int from homes.listings where id = '00000000-0000-4000-b000-000000000001'), 5,
  'editing the property updates its listings'' search copy');

-- Drafts can be deleted, and never-listed properties too.
select tests.authenticate_as('seller');
insert into homes.listings (id, property_id, asking_price) values ('00000000-0000-4000-b000-000000000002', '00000000-0000-4000-a000-000000000002', 300000);
select results_eq($$ with d as (delete from homes.properties where id = '00000000-0000-4000-a000-000000000002' returning 1) select count(*)::int from d $$,
  array[1], 'the owner deletes a property that only had a draft (the draft goes with it)');

select * from finish();
rollback;
