-- homes.valuations and homes.valuation_comparables, and the engine:
--   * the seed index valuations(property_id, created_at desc) serves the
--     latest valuation of a property;
--   * a valuation and its comparables are visible exactly when the property
--     is: to the owner, and to everyone (anon too) while it has an active
--     listing;
--   * owners may add a snapshot of their own property (source 'owner'),
--     never an engine row, never for someone else's property; nobody edits
--     or deletes valuations;
--   * private.homes_compute_valuation on hand-checkable data: three sales at
--     $200, $210, $190 per sqft of identical homes value a 2,000 sqft home at
--     400,000 with confidence 3/5 x (1 - 2 x 0.0408) = 0.551;
--   * private.homes_store_valuation stores valuation + comparables and
--     charges homes.valuation in one transaction: past the free plan's 2 it
--     raises PT402 and leaves nothing; too few comparables store no
--     estimate and charge nothing; a repeated request key is a no-op.

begin;
select plan(51);

-- owner's homes are valued from the sales of the rival's (the neighbour).
do $$
declare v_owner uuid; v_nb uuid;
begin
  perform tests.fixture();
  v_owner := tests.get_supabase_uid('owner');
  v_nb := tests.get_supabase_uid('rival');
  insert into homes.properties (id, owner_id, address, city, state, postal_code, bedrooms, bathrooms, living_area_sqft,
                                lot_size_sqft, year_built, last_sold_price, last_sold_at)
  values ('00000000-0000-4000-a100-000000000001', v_owner, '1 Subject Rd', 'Valtown', 'ZZ', 'VAL01', 3, 2, 2000, 5000, 2000, null, null),
         ('00000000-0000-4000-a100-000000000002', v_nb, '2 Comp Rd', 'Valtown', 'ZZ', 'VAL01', 3, 2, 2000, 5000, 2000, 400000, current_date - 30),
         ('00000000-0000-4000-a100-000000000003', v_nb, '3 Comp Rd', 'Valtown', 'ZZ', 'VAL01', 3, 2, 2000, 5000, 2000, 420000, current_date - 60),
         ('00000000-0000-4000-a100-000000000004', v_nb, '4 Comp Rd', 'Valtown', 'ZZ', 'VAL01', 3, 2, 2000, 5000, 2000, 380000, current_date - 90),
         -- a lonely home: only two comparables anywhere in its town
         ('00000000-0000-4000-a100-000000000005', v_owner, '5 Lonely Ln', 'Lonetown', 'ZZ', 'LON01', 3, 2, 2000, 5000, 2000, null, null),
         ('00000000-0000-4000-a100-000000000006', v_nb, '6 Lonely Ln', 'Lonetown', 'ZZ', 'LON01', 3, 2, 2000, 5000, 2000, 300000, current_date - 30),
         ('00000000-0000-4000-a100-000000000007', v_nb, '7 Lonely Ln', 'Lonetown', 'ZZ', 'LON01', 3, 2, 2100, 5000, 2000, 310000, current_date - 30),
         -- far too big to compare (outside +/-40% living area)
         ('00000000-0000-4000-a100-000000000008', v_nb, '8 Mansion Dr', 'Valtown', 'ZZ', 'VAL01', 8, 6, 9000, 50000, 2015, 4000000, current_date - 30);
end $$;

select has_index('homes', 'valuations', 'valuations_property_id_created_at_idx', array['property_id', 'created_at'],
  'the seed index valuations(property_id, created_at desc) exists');

-- ---------------------------------------------------------------- engine
select results_eq(
  $$ select (v ->> 'estimate')::numeric, (v ->> 'estimate_low')::numeric, (v ->> 'estimate_high')::numeric,
            (v ->> 'confidence')::numeric, v ->> 'valuation_method', jsonb_array_length(v -> 'comparables')
     from private.homes_compute_valuation('00000000-0000-4000-a100-000000000001') v $$,
  $$ values (400000::numeric, 380000::numeric, 420000::numeric, 0.551::numeric, 'comps_ppsf_postal_code'::text, 3) $$,
  'three sales at $200/$210/$190 per sqft value 2,000 sqft at 400,000, confidence 0.551, range +/-5%');
select is(
  (select count(*)::int from private.homes_comparables('00000000-0000-4000-a100-000000000001', 'postal_code')
   where property_id = '00000000-0000-4000-a100-000000000008'), 0,
  'a home outside +/-40% living area is no comparable');
select is(
  (select count(*)::int from private.homes_comparables('00000000-0000-4000-a100-000000000001', 'postal_code')
   where property_id = '00000000-0000-4000-a100-000000000001'), 0,
  'a property is never its own comparable');
select results_eq(
  $$ select v ->> 'valuation_method', v ->> 'estimate', (v ->> 'confidence')::numeric, jsonb_array_length(v -> 'comparables')
     from private.homes_compute_valuation('00000000-0000-4000-a100-000000000005') v $$,
  $$ values ('insufficient_comparables'::text, null::text, 0::numeric, 2) $$,
  'two comparables: no estimate, confidence 0, and the two it found');

-- More scattered comparables, lower confidence.
update homes.properties set last_sold_price = 300000 where id = '00000000-0000-4000-a100-000000000004';
select cmp_ok(
  (private.homes_compute_valuation('00000000-0000-4000-a100-000000000001') ->> 'confidence')::numeric, '<', 0.551,
  'confidence falls as comparables scatter');
update homes.properties set last_sold_price = 380000 where id = '00000000-0000-4000-a100-000000000004';

-- ---------------------------------------------------------------- store + charge
select results_eq(
  $$ select estimate, source, comparables_count, usage_event_id is not null
     from private.homes_store_valuation('00000000-0000-4000-a100-000000000001', 'pgtap-1') $$,
  $$ values (400000.00::numeric(14,2), 'engine'::text, 3, true) $$,
  'store_valuation keeps the estimate and the usage event that paid for it');
select is((select count(*)::int from homes.valuation_comparables c join homes.valuations v on v.id = c.valuation_id
           where v.request_key = 'pgtap-1'), 3, 'its three comparables are kept');
select results_eq(
  $$ select feature, billable, units from public.usage_events where account_id = tests.get_supabase_uid('owner') $$,
  $$ values ('homes.valuation'::text, false, 1) $$, 'one included homes.valuation use on the owner''s personal account');
select is((select type from public.notifications where user_id = tests.get_supabase_uid('owner') order by created_at desc limit 1),
  'valuation_ready', 'the owner is told');
select is((select id from private.homes_store_valuation('00000000-0000-4000-a100-000000000001', 'pgtap-1')),
  (select id from homes.valuations where request_key = 'pgtap-1'), 'a repeated request key returns the same valuation');
select is((select count(*)::int from public.usage_events where account_id = tests.get_supabase_uid('owner')), 1,
  '... and charges nothing more');

select results_eq(
  $$ select estimate, valuation_method, usage_event_id from private.homes_store_valuation('00000000-0000-4000-a100-000000000005', 'pgtap-lonely') $$,
  $$ values (null::numeric(14,2), 'insufficient_comparables'::text, null::bigint) $$,
  'too few comparables: stored without an estimate and without a charge');

select lives_ok($$ select private.homes_store_valuation('00000000-0000-4000-a100-000000000001', 'pgtap-2') $$,
  'the second valuation of the month is included');
select throws_ok($$ select private.homes_store_valuation('00000000-0000-4000-a100-000000000001', 'pgtap-3') $$,
  'PT402', null, 'the third on the free plan is refused');
select is((select count(*)::int from homes.valuations where request_key = 'pgtap-3'), 0, 'a refused valuation leaves nothing');
select is((select count(*)::int from public.usage_events where account_id = tests.get_supabase_uid('owner')), 2,
  'and no usage');

select is(
  (select id from homes.valuations where property_id = '00000000-0000-4000-a100-000000000001' order by created_at desc, id limit 1) is not null,
  true, 'the latest valuation of a property is one ordered probe');

-- ---------------------------------------------------------------- who may do what: unlisted property
-- 1 Subject Rd (not on the market) has the two engine valuations above and
-- their six comparables.
select $$ select 1 from homes.valuations where property_id = '00000000-0000-4000-a100-000000000001' $$ as v_read,
       $$ insert into homes.valuations (property_id, estimate, confidence, valuation_method)
          values ('00000000-0000-4000-a100-000000000001', 410000, 0.9, 'appraisal') $$ as v_insert,
       $$ update homes.valuations set details = details || '{"probe": true}' where property_id = '00000000-0000-4000-a100-000000000001' $$ as v_update,
       $$ delete from homes.valuations where property_id = '00000000-0000-4000-a100-000000000001' $$ as v_delete,
       $$ select 1 from homes.valuation_comparables c join homes.valuations v on v.id = c.valuation_id
          where v.property_id = '00000000-0000-4000-a100-000000000001' $$ as c_read,
       $$ insert into homes.valuation_comparables
          select c.valuation_id, c.rank + 10, c.property_id, c.city, c.postal_code, c.bedrooms, c.bathrooms, c.living_area_sqft,
                 c.lot_size_sqft, c.year_built, c.price, c.price_kind, c.price_date, c.price_per_sqft, c.similarity, c.weight, c.adjusted_price
          from homes.valuation_comparables c join homes.valuations v on v.id = c.valuation_id where v.request_key = 'pgtap-1' $$ as c_insert,
       $$ update homes.valuation_comparables set price = 1 where valuation_id in
            (select id from homes.valuations where property_id = '00000000-0000-4000-a100-000000000001') $$ as c_update,
       $$ delete from homes.valuation_comparables where valuation_id in
            (select id from homes.valuations where property_id = '00000000-0000-4000-a100-000000000001') $$ as c_delete \gset

select is(tests.rights('anon', :'v_read', :'v_insert', :'v_update', :'v_delete'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'valuations: anon sees none of an unlisted property and writes nothing');
select is(tests.rights('stranger', :'v_read', :'v_insert', :'v_update', :'v_delete'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'valuations: a stranger sees none and adds none to another''s property');
select is(tests.rights('member', :'v_read', :'v_insert', :'v_update', :'v_delete'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'valuations: a teammate of the owner the same');
select is(tests.rights('admin', :'v_read', :'v_insert', :'v_update', :'v_delete'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'valuations: a team admin the same');
select is(tests.rights('platform_admin', :'v_read', :'v_insert', :'v_update', :'v_delete'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'valuations: a platform admin the same');
select is(tests.rights('owner', :'v_read', :'v_insert', :'v_update', :'v_delete'),
  'read rows=2, insert rows=1, update 42501, delete 42501', 'valuations: the owner reads them and adds a snapshot, never edits or deletes one');
select is(tests.rights('service_role', :'v_read', :'v_insert', :'v_update', :'v_delete'),
  'read rows=2, insert rows=1, update rows=2, delete rows=2', 'valuations: service_role has full access');

select is(tests.rights('anon', :'c_read', :'c_insert', :'c_update', :'c_delete'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'comparables: anon sees none of an unlisted property and writes nothing');
select is(tests.rights('stranger', :'c_read', :'c_insert', :'c_update', :'c_delete'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'comparables: a stranger sees none and writes none');
select is(tests.rights('member', :'c_read', :'c_insert', :'c_update', :'c_delete'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'comparables: a teammate the same');
select is(tests.rights('admin', :'c_read', :'c_insert', :'c_update', :'c_delete'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'comparables: a team admin the same');
select is(tests.rights('platform_admin', :'c_read', :'c_insert', :'c_update', :'c_delete'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'comparables: a platform admin the same');
select is(tests.rights('owner', :'c_read', :'c_insert', :'c_update', :'c_delete'),
  'read rows=6, insert 42501, update 42501, delete 42501', 'comparables: the owner reads them; only the engine writes them');
select is(tests.rights('service_role', :'c_read', :'c_insert', :'c_update', :'c_delete'),
  'read rows=6, insert rows=3, update rows=6, delete rows=6', 'comparables: service_role has full access');

-- ---------------------------------------------------------------- owner snapshots
select tests.authenticate_as('owner');
select lives_ok($$ insert into homes.valuations (property_id, estimate, confidence, valuation_method)
                   values ('00000000-0000-4000-a100-000000000001', 410000, 0.9, 'appraisal') $$,
  'the owner adds an appraisal snapshot');
select is((select source || '/' || currency from homes.valuations where valuation_method = 'appraisal'
           and property_id = '00000000-0000-4000-a100-000000000001'), 'owner/USD', 'it is marked as the owner''s');
select throws_ok($$ insert into homes.valuations (property_id, estimate, confidence, valuation_method)
                    values ('00000000-0000-4000-a100-000000000001', 410000, 0.9, 'comps_ppsf_postal_code') $$,
  '23514', null, 'an owner cannot pass off a snapshot as an engine valuation');
select throws_ok($$ insert into homes.valuations (property_id, estimate, valuation_method, source)
                    values ('00000000-0000-4000-a100-000000000001', 410000, 'comps_ppsf_postal_code', 'engine') $$,
  '42501', null, 'source is not writable');
select throws_ok($$ insert into homes.valuations (property_id, estimate, valuation_method)
                    values ('00000000-0000-4000-a100-000000000002', 1, 'appraisal') $$,
  '42501', null, 'nobody adds a valuation to someone else''s property');
select tests.clear_authentication();

-- ---------------------------------------------------------------- who may do what: listed property
-- While the property has an active listing everyone reads its valuations
-- (now three: two engine, one snapshot) and their comparables; writes are unchanged.
insert into homes.listings (id, property_id, seller_id, asking_price)
values ('00000000-0000-4000-b100-000000000001', '00000000-0000-4000-a100-000000000001', tests.get_supabase_uid('owner'), 405000);
select tests.authenticate_as('owner');
select (homes.publish_listing('00000000-0000-4000-b100-000000000001')).status as published \gset
select tests.clear_authentication();

select is(tests.rights('anon', :'v_read', :'v_insert', :'v_update', :'v_delete'),
  'read rows=3, insert 42501, update 42501, delete 42501', 'listed: anon reads the valuations, writes nothing');
select is(tests.rights('stranger', :'v_read', :'v_insert', :'v_update', :'v_delete'),
  'read rows=3, insert 42501, update 42501, delete 42501', 'listed: a stranger reads them, still adds none');
select is(tests.rights('member', :'v_read', :'v_insert', :'v_update', :'v_delete'),
  'read rows=3, insert 42501, update 42501, delete 42501', 'listed: a teammate the same');
select is(tests.rights('admin', :'v_read', :'v_insert', :'v_update', :'v_delete'),
  'read rows=3, insert 42501, update 42501, delete 42501', 'listed: a team admin the same');
select is(tests.rights('platform_admin', :'v_read', :'v_insert', :'v_update', :'v_delete'),
  'read rows=3, insert 42501, update 42501, delete 42501', 'listed: a platform admin the same');
select is(tests.rights('owner', :'v_read', :'v_insert', :'v_update', :'v_delete'),
  'read rows=3, insert rows=1, update 42501, delete 42501', 'listed: the owner as before');
select is(tests.rights('service_role', :'v_read', :'v_insert', :'v_update', :'v_delete'),
  'read rows=3, insert rows=1, update rows=3, delete rows=3', 'listed: service_role as before');

select is(tests.rights('anon', :'c_read', :'c_insert', :'c_update', :'c_delete'),
  'read rows=6, insert 42501, update 42501, delete 42501', 'listed: anon reads the comparables, writes nothing');
select is(tests.rights('stranger', :'c_read', :'c_insert', :'c_update', :'c_delete'),
  'read rows=6, insert 42501, update 42501, delete 42501', 'listed: a stranger reads them');
select is(tests.rights('member', :'c_read', :'c_insert', :'c_update', :'c_delete'),
  'read rows=6, insert 42501, update 42501, delete 42501', 'listed: a teammate the same');
select is(tests.rights('admin', :'c_read', :'c_insert', :'c_update', :'c_delete'),
  'read rows=6, insert 42501, update 42501, delete 42501', 'listed: a team admin the same');
select is(tests.rights('platform_admin', :'c_read', :'c_insert', :'c_update', :'c_delete'),
  'read rows=6, insert 42501, update 42501, delete 42501', 'listed: a platform admin the same');
select is(tests.rights('owner', :'c_read', :'c_insert', :'c_update', :'c_delete'),
  'read rows=6, insert 42501, update 42501, delete 42501', 'listed: the owner as before');
select is(tests.rights('service_role', :'c_read', :'c_insert', :'c_update', :'c_delete'),
  'read rows=6, insert rows=3, update rows=6, delete rows=6', 'listed: service_role as before');

select * from finish();
rollback;
