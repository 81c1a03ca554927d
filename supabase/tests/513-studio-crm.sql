-- studio.crm_contacts and studio.crm_listings: an agent's own CRM.
--   * only the owner reads and writes their contacts and listings; platform
--     admins read them (seed: admins view all data); teammates and strangers
--     see nothing; anon has no access;
--   * owners, ids and timestamps are not writable; a listing can only point
--     at one of its agent's own contacts (composite key), for every role;
--   * deleting a contact unlinks its listings and media, nothing else.

begin;
select plan(26);

select tests.studio_data() as team \gset
select tests.studio_id('contact', 'maria') as maria, tests.studio_id('listing', 'oak') as oak,
       tests.get_supabase_uid('owner') as owner_id, tests.get_supabase_uid('stranger') as stranger_id \gset

-- ---------------------------------------------------------------- contacts
select format($q$ select 1 from studio.crm_contacts where id = %L $q$, :'maria') as read_sql,
       format($q$ insert into studio.crm_contacts (user_id, name) values (%L, 'Forged') $q$, :'owner_id') as insert_sql,
       format($q$ update studio.crm_contacts set notes = 'called' where id = %L $q$, :'maria') as update_sql,
       format($q$ delete from studio.crm_contacts where id = %L $q$, :'maria') as delete_sql \gset

select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'contacts: anon has no access');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update rows=0, delete rows=0', 'contacts: a stranger sees and changes nothing');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=1, delete rows=1', 'contacts: the owner reads, edits and deletes');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update rows=0, delete rows=0', 'contacts: a teammate sees nothing (contacts are the agent''s own)');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=0, delete rows=0', 'contacts: a platform admin reads, does not write');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'contacts: service_role has full access');

select is(tests.probe('stranger', $$ insert into studio.crm_contacts (name, type, tags) values ('Own lead', 'buyer', '{hot}') $$), 'rows=1',
  'an agent adds their own contact');
select is(tests.probe('owner', format($q$ update studio.crm_contacts set user_id = %L where id = %L $q$, :'stranger_id', :'maria')), '42501',
  'the owner cannot give a contact away');
select is(tests.probe('owner', format($q$ update studio.crm_contacts set created_at = now() - interval '1 year' where id = %L $q$, :'maria')), '42501',
  'created_at is not writable');
select is(tests.probe('owner', format($q$ update studio.crm_contacts set type = 'wizard' where id = %L $q$, :'maria')), '22P02',
  'type keeps the seed''s values');
select is(tests.probe('owner', $$ insert into studio.crm_contacts (name, email) values ('Bad', 'no-at-sign') $$), '23514',
  'an email must look like one');
select is(tests.probe('owner', $$ select 1 from studio.crm_contacts where tags @> '{nobody}' $$), 'rows=0',
  'tags are searchable (GIN)');

-- ---------------------------------------------------------------- listings
select format($q$ select 1 from studio.crm_listings where id = %L $q$, :'oak') as read_sql,
       format($q$ insert into studio.crm_listings (user_id, address) values (%L, '9 Forged Ln') $q$, :'owner_id') as insert_sql,
       format($q$ update studio.crm_listings set status = 'pending' where id = %L $q$, :'oak') as update_sql,
       format($q$ delete from studio.crm_listings where id = %L $q$, :'oak') as delete_sql \gset

select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'listings: anon has no access');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update rows=0, delete rows=0', 'listings: a stranger sees and changes nothing');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=1, delete rows=1', 'listings: the owner reads, edits and deletes');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update rows=0, delete rows=0', 'listings: a teammate sees nothing');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=0, delete rows=0', 'listings: a platform admin reads, does not write');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'listings: service_role has full access');

select is(tests.probe('owner', format($q$ insert into studio.crm_listings (address, contact_id, price, bedrooms, bathrooms) values ('2 Elm St', %L, 350000, 2, 1.5) $q$, :'maria')), 'rows=1',
  'the owner lists a property for their own contact');
select is(tests.probe('stranger', format($q$ insert into studio.crm_listings (address, contact_id) values ('3 Elm St', %L) $q$, :'maria')), '23503',
  'nobody links a listing to another agent''s contact');
select is(tests.probe('service_role', format($q$ insert into studio.crm_listings (user_id, address, contact_id) values (%L, '4 Elm St', %L) $q$, :'stranger_id', :'maria')), '23503',
  'not even service_role: the pair (contact, agent) must exist');
select is(tests.probe('owner', format($q$ update studio.crm_listings set price = -1 where id = %L $q$, :'oak')), '23514',
  'a price is never negative');
select is(tests.probe('owner', format($q$ update studio.crm_listings set status = 'sold' where id = %L $q$, :'oak')), 'rows=1',
  'status follows the seed''s listing_status');

-- Deleting a contact unlinks, never deletes, what pointed at it.
select tests.authenticate_as('owner');
delete from studio.crm_contacts where id = :'maria';
select tests.clear_authentication();
select results_eq(format($q$ select contact_id, user_id from studio.crm_listings where id = %L $q$, :'oak'),
  format($q$ values (null::uuid, %L::uuid) $q$, :'owner_id'), 'the listing stays, unlinked, still the agent''s');
select is((select count(*)::int from studio.media_items where id = tests.studio_id('media', 's-done') and contact_id is null and user_id = :'owner_id'), 1,
  'the media item stays, unlinked');
select is((select count(*)::int from studio.projects where id = tests.studio_id('project', 's-done') and contact_id is null), 1,
  'the project stays, unlinked');

select * from finish();
rollback;
