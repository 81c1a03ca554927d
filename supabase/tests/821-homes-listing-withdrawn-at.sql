-- homes.listings.withdrawn_at: kept by the database, never by a client.
--   * withdrawing sets it; publishing again clears it (the new spell on the
--     market starts at the new published_at);
--   * the seller cannot write it (column grants), and it cannot sit on a
--     listing that is not withdrawn (check constraint).

begin;
select plan(5);

select tests.fixture();
select tests.authenticate_as('owner');
create temp table l on commit drop as
  select (homes.create_property('{"address":"1 Gone St","city":"Austin","state":"TX","postal_code":"78701","living_area_sqft":1200}'::jsonb)
          -> 'property' ->> 'id')::uuid as property_id;
grant all on l to authenticated;
insert into homes.listings (property_id, asking_price) select property_id, 300000 from l;
select homes.publish_listing((select id from homes.listings where property_id = (select property_id from l)));
select is((select withdrawn_at from homes.listings where property_id = (select property_id from l)), null,
  'an active listing has no withdrawal time');

select homes.withdraw_listing((select id from homes.listings where property_id = (select property_id from l)));
select is((select withdrawn_at from homes.listings where property_id = (select property_id from l)), now(),
  'withdrawing records when');

select throws_ok($$ update homes.listings set withdrawn_at = '2020-01-01' where property_id = (select property_id from l) $$,
  '42501', null, 'the seller cannot rewrite it');

select homes.publish_listing((select id from homes.listings where property_id = (select property_id from l)));
select is((select withdrawn_at from homes.listings where property_id = (select property_id from l)), null,
  'publishing again clears it');

select tests.clear_authentication();
select throws_ok($$ update homes.listings set withdrawn_at = now() where property_id = (select property_id from l) $$,
  '23514', null, 'not even the backend can put it on a listing that is not withdrawn');

select * from finish();
rollback;
