-- homes.create_property: a property and the owner's snapshot in one call.
--   * anon cannot call it; a signed-in user gets a property they own, never
--     one owned by someone else, whatever the JSON says;
--   * with a snapshot, both rows exist (source 'owner'); a refused snapshot
--     leaves no property behind (one transaction);
--   * fields a client may not set, or unknown ones, are refused by name.

begin;
select plan(10);

select tests.create_supabase_user('cp_owner');
select tests.create_supabase_user('cp_other');

select tests.authenticate_as_anon();
select throws_ok($$ select homes.create_property('{"address":"1 A St"}'::jsonb) $$, '42501', null,
  'anon cannot create properties');

select tests.authenticate_as('cp_owner');
create temp table created on commit drop as
  select homes.create_property(
    '{"address":"9 Elm St","city":"Austin","state":"TX","postal_code":"78701","bedrooms":3,"bathrooms":2.5,"living_area_sqft":1700}'::jsonb,
    '{"estimate":450000,"confidence":0.8,"valuation_method":"appraisal"}'::jsonb) as r;

select is((select (r -> 'property' ->> 'owner_id')::uuid from created), tests.get_supabase_uid('cp_owner'),
  'the property belongs to the caller');
select is((select r -> 'valuation' ->> 'source' from created), 'owner', 'the snapshot is stored as the owner''s');
select is((select (r -> 'valuation' ->> 'property_id')::uuid from created), (select (r -> 'property' ->> 'id')::uuid from created),
  'the snapshot belongs to the new property');
select is((select (r -> 'valuation' ->> 'confidence')::numeric from created), 0.800, 'with the snapshot''s confidence');

select throws_ok($$ select homes.create_property(
    '{"address":"1 B St","city":"Austin","state":"TX","postal_code":"78701","living_area_sqft":1200}'::jsonb,
    '{"estimate":-5}'::jsonb) $$, '23514', null,
  'a snapshot the table refuses is refused');
select is((select count(*)::int from homes.properties where address = '1 B St'), 0,
  'and leaves no property behind');

select throws_ok(format($$ select homes.create_property('{"address":"1 C St","city":"Austin","state":"TX","postal_code":"78701","living_area_sqft":1200,"owner_id":"%s"}'::jsonb) $$,
    tests.get_supabase_uid('cp_other')), '22023', 'property.owner_id: not a column a client may set',
  'owner_id cannot be passed in');
select throws_ok($$ select homes.create_property(
    '{"address":"1 D St","city":"Austin","state":"TX","postal_code":"78701","living_area_sqft":1200}'::jsonb,
    '{"estimate":1,"source":"engine"}'::jsonb) $$, '22023', 'snapshot.source: not a field of a valuation snapshot',
  'a snapshot cannot claim to come from the engine');

select is((select r -> 'valuation' from (select homes.create_property(
    '{"address":"1 E St","city":"Austin","state":"TX","postal_code":"78701","living_area_sqft":1200}'::jsonb) r) s),
  'null'::jsonb, 'without a snapshot, only the property');

select * from finish();
rollback;
