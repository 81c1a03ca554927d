-- reports rights: contacts, contact_groups, contact_group_members.
-- One line per role (anon, stranger, owner, admin, member, platform admin,
-- service_role) and table: read / insert / update / delete, as tests.rights
-- reports them (42501 = refused, rows=N = rows seen or touched). The
-- account's members manage contacts and groups (issue 13); a group link is
-- added or removed, never edited. team-b's rows prove nobody sees the whole
-- table.

begin;
select plan(21);

select tests.fixture() as team_a \gset
select tests.account_id('team-b') as team_b \gset
insert into reports.contacts (id, account_id, name, email, type) values
  ('00000000-0000-4000-e880-000000000001', :'team_a', 'Ann', 'ann@example.com', 'client'),
  ('00000000-0000-4000-e880-000000000002', :'team_a', 'Bob', 'bob@example.com', 'prospect'),
  ('00000000-0000-4000-e880-000000000003', :'team_b', 'Ann B', 'ann@example.com', 'client');
insert into reports.contact_groups (id, account_id, name) values
  ('00000000-0000-4000-e880-000000000011', :'team_a', 'Buyers'),
  ('00000000-0000-4000-e880-000000000012', :'team_b', 'Buyers');
insert into reports.contact_group_members (contact_group_id, contact_id) values
  ('00000000-0000-4000-e880-000000000011', '00000000-0000-4000-e880-000000000001'),
  ('00000000-0000-4000-e880-000000000012', '00000000-0000-4000-e880-000000000003');

-- ---------------------------------------------------------------- contacts
select $q$ select 1 from reports.contacts where id::text like '00000000-0000-4000-e880-%' and account_id = tests.account_id('team-a') and email = 'ann@example.com' $q$ as read_sql,
       $q$ insert into reports.contacts (account_id, name, email) values (tests.account_id('team-a'), 'Cy', 'cy@example.com') $q$ as insert_sql,
       $q$ update reports.contacts set notes = 'called', type = 'agent' where id = '00000000-0000-4000-e880-000000000001' $q$ as update_sql,
       $q$ delete from reports.contacts where id = '00000000-0000-4000-e880-000000000001' $q$ as delete_sql \gset
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'contacts: anon reads and writes nothing');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update rows=0, delete rows=0', 'contacts: a stranger sees and changes nothing');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'contacts: an owner manages them');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'contacts: an account admin manages them');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'contacts: a member manages them too');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=0, delete rows=0', 'contacts: a platform admin reads only');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'contacts: service_role reads and writes');

-- ---------------------------------------------------------------- contact_groups
select $q$ select 1 from reports.contact_groups where id::text like '00000000-0000-4000-e880-%' and account_id = tests.account_id('team-a') $q$ as read_sql,
       $q$ insert into reports.contact_groups (account_id, name) values (tests.account_id('team-a'), 'Sellers') $q$ as insert_sql,
       $q$ update reports.contact_groups set name = 'Hot buyers' where id = '00000000-0000-4000-e880-000000000011' $q$ as update_sql,
       $q$ delete from reports.contact_groups where id = '00000000-0000-4000-e880-000000000011' $q$ as delete_sql \gset
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'contact_groups: anon reads and writes nothing');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update rows=0, delete rows=0', 'contact_groups: a stranger sees and changes nothing');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'contact_groups: an owner manages them');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'contact_groups: an account admin manages them');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'contact_groups: a member manages them too');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=0, delete rows=0', 'contact_groups: a platform admin reads only');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'contact_groups: service_role reads and writes');

-- ---------------------------------------------------------------- contact_group_members
select $q$ select 1 from reports.contact_group_members where contact_group_id = '00000000-0000-4000-e880-000000000011' $q$ as read_sql,
       $q$ insert into reports.contact_group_members (contact_group_id, contact_id) values ('00000000-0000-4000-e880-000000000011', '00000000-0000-4000-e880-000000000002') $q$ as insert_sql,
       $q$ update reports.contact_group_members set contact_id = contact_id where contact_group_id = '00000000-0000-4000-e880-000000000011' $q$ as update_sql,
       $q$ delete from reports.contact_group_members where contact_group_id = '00000000-0000-4000-e880-000000000011' $q$ as delete_sql \gset
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'contact_group_members: anon reads and writes nothing');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete rows=0', 'contact_group_members: a stranger sees and changes nothing');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update 42501, delete rows=1', 'contact_group_members: an owner links and unlinks');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update 42501, delete rows=1', 'contact_group_members: an account admin links and unlinks');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update 42501, delete rows=1', 'contact_group_members: a member links and unlinks');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete rows=0', 'contact_group_members: a platform admin reads only');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'contact_group_members: service_role reads and writes');

select * from finish();
rollback;
