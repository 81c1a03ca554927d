-- reports contacts: what the tables refuse and how a schedule's recipients
-- are resolved. Email unique per account ignoring case (and stored
-- lower-case), bad fields 22023 naming the field, group names unique per
-- account ignoring case, no group link across accounts (whoever writes),
-- schedule recipient ids only of the schedule's own account, and
-- private.reports_schedule_recipients = addresses + contacts + group members,
-- lower-cased, once each, minus the account's and the global suppressions.

begin;
select plan(26);

select tests.fixture() as team_a \gset
select tests.account_id('team-b') as team_b \gset
insert into reports.contacts (id, account_id, name, email, type) values
  ('00000000-0000-4000-e881-000000000001', :'team_a', 'Ann', '  Ann@Example.COM ', 'Client'),
  ('00000000-0000-4000-e881-000000000002', :'team_a', 'Bob', 'bob@example.com', 'prospect'),
  ('00000000-0000-4000-e881-000000000003', :'team_a', 'Carol', 'carol@example.com', 'vendor'),
  ('00000000-0000-4000-e881-000000000004', :'team_a', 'Dan', 'dan@example.com', 'agent'),
  ('00000000-0000-4000-e881-000000000009', :'team_b', 'Rita', 'rita@example.com', 'client');
insert into reports.contact_groups (id, account_id, name) values
  ('00000000-0000-4000-e881-000000000011', :'team_a', 'Buyers'),
  ('00000000-0000-4000-e881-000000000019', :'team_b', 'Rivals');
insert into reports.contact_group_members (contact_group_id, contact_id) values
  ('00000000-0000-4000-e881-000000000011', '00000000-0000-4000-e881-000000000001'),
  ('00000000-0000-4000-e881-000000000011', '00000000-0000-4000-e881-000000000002'),
  ('00000000-0000-4000-e881-000000000011', '00000000-0000-4000-e881-000000000003'),
  ('00000000-0000-4000-e881-000000000019', '00000000-0000-4000-e881-000000000009');

-- ---------------------------------------------------------------- contacts
select is((select email || ' ' || type from reports.contacts where id = '00000000-0000-4000-e881-000000000001'),
  'ann@example.com client', 'contacts: email trimmed and lower-cased, type lower-cased');
select is(tests.probe('member', $$ insert into reports.contacts (account_id, email) values (tests.account_id('team-a'), 'ANN@example.com') $$),
  '23505', 'contacts: one email once per account, whatever its case');
select is(tests.probe('member', $$ update reports.contacts set email = 'Bob@Example.com' where id = '00000000-0000-4000-e881-000000000001' $$),
  '23505', 'contacts: nor by renaming another contact');
select is(tests.probe('rival', $$ insert into reports.contacts (account_id, email) values (tests.account_id('team-b'), 'ann@example.com') $$),
  'rows=1', 'contacts: another account may hold the same address');
select is(tests.probe('member', $$ insert into reports.contacts (account_id, email) values (tests.account_id('team-a'), 'not-an-address') $$),
  '22023', 'contacts: a malformed email is 22023');
select throws_like($$ insert into reports.contacts (account_id, email) values (tests.account_id('team-a'), 'a b@example.com') $$,
  'email: %', 'contacts: and the message names the field');
select throws_like($$ insert into reports.contacts (account_id, email) values (tests.account_id('team-a'), '   ') $$,
  'email: %', 'contacts: an empty email is refused naming email');
select throws_like(format($$ insert into reports.contacts (account_id, email) values (tests.account_id('team-a'), '%s@example.com') $$, repeat('x', 250)),
  'email: %', 'contacts: an address over 254 characters is refused');
select throws_like($$ insert into reports.contacts (account_id, email, type) values (tests.account_id('team-a'), 'e@example.com', 'friend') $$,
  'type: %', 'contacts: a type outside the list is refused naming type');
select throws_like(format($$ insert into reports.contacts (account_id, email, name) values (tests.account_id('team-a'), 'f@example.com', '%s') $$, repeat('n', 201)),
  'name: %', 'contacts: a name over 200 characters is refused naming name');
select throws_like(format($$ insert into reports.contacts (account_id, email, notes) values (tests.account_id('team-a'), 'g@example.com', '%s') $$, repeat('n', 2001)),
  'notes: %', 'contacts: notes over 2000 characters are refused naming notes');
select is(tests.probe('owner', $$ update reports.contacts set account_id = tests.account_id('team-b') where id = '00000000-0000-4000-e881-000000000002' $$),
  '42501', 'contacts: a contact never moves to another account');
select is(tests.probe('owner', $$ insert into reports.contacts (account_id, email) values (tests.account_id('team-b'), 'x@example.com') $$),
  '42501', 'contacts: an owner cannot add to another account');

-- ---------------------------------------------------------------- groups
select is(tests.probe('member', $$ insert into reports.contact_groups (account_id, name) values (tests.account_id('team-a'), ' BUYERS ') $$),
  '23505', 'contact_groups: a name once per account, whatever its case and spaces');
select throws_like($$ insert into reports.contact_groups (account_id, name) values (tests.account_id('team-a'), '  ') $$,
  'name: %', 'contact_groups: a blank name is refused naming name');
select is(tests.probe('service_role', $$ insert into reports.contact_group_members (contact_group_id, contact_id) values ('00000000-0000-4000-e881-000000000011', '00000000-0000-4000-e881-000000000009') $$),
  '42501', 'contact_group_members: no link across accounts, not even by service_role');
select is(tests.probe('member', $$ insert into reports.contact_group_members (contact_group_id, contact_id) values ('00000000-0000-4000-e881-000000000011', '00000000-0000-4000-e881-000000000009') $$),
  '42501', 'contact_group_members: a member cannot pull another account''s contact into a group');
select is(tests.probe('rival', $$ insert into reports.contact_group_members (contact_group_id, contact_id) values ('00000000-0000-4000-e881-000000000019', '00000000-0000-4000-e881-000000000004') $$),
  '42501', 'contact_group_members: nor push one of theirs into another account''s contact');

-- ---------------------------------------------------------------- schedules
insert into reports.schedules (id, account_id, city, cadence, send_hour, recipients, recipient_contact_ids, recipient_group_ids)
values ('00000000-0000-4000-e881-000000000021', :'team_a', 'Austin', 'daily', 8,
        array['Zed@Example.com', 'ANN@example.com', 'eve@example.com'],
        array['00000000-0000-4000-e881-000000000004', '00000000-0000-4000-e881-000000000001']::uuid[],
        array['00000000-0000-4000-e881-000000000011']::uuid[]);
select is(tests.probe('owner', $$ update reports.schedules set recipient_contact_ids = array['00000000-0000-4000-e881-000000000009']::uuid[] where id = '00000000-0000-4000-e881-000000000021' $$),
  '22023', 'schedules: another account''s contact is not a recipient');
select is(tests.probe('owner', $$ update reports.schedules set recipient_group_ids = array['00000000-0000-4000-e881-000000000019']::uuid[] where id = '00000000-0000-4000-e881-000000000021' $$),
  '22023', 'schedules: nor another account''s group');
select is(tests.probe('admin', $$ update reports.schedules set recipient_contact_ids = array['00000000-0000-4000-e881-000000000002']::uuid[] where id = '00000000-0000-4000-e881-000000000021' $$),
  'rows=1', 'schedules: an admin names the account''s own contacts');
select is(tests.probe('member', $$ update reports.schedules set recipient_group_ids = '{}' where id = '00000000-0000-4000-e881-000000000021' $$),
  'rows=0', 'schedules: a member does not change recipients (owners and admins manage schedules)');

insert into reports.email_suppressions (account_id, email, reason) values
  (:'team_a', 'carol@example.com', 'unsubscribe'),
  (null, 'zed@example.com', 'complaint'),
  (:'team_b', 'eve@example.com', 'manual');
select is(array(select email from private.reports_schedule_recipients('00000000-0000-4000-e881-000000000021')),
  array['ann@example.com', 'bob@example.com', 'dan@example.com', 'eve@example.com'],
  'recipients: addresses + contacts + group members, lower-cased, once each, minus the account''s and global suppressions (another account''s does not count)');
select is(array(select email from private.reports_schedule_addresses('00000000-0000-4000-e881-000000000021')),
  array['ann@example.com', 'bob@example.com', 'carol@example.com', 'dan@example.com', 'eve@example.com', 'zed@example.com'],
  'addresses: the same before suppressions (the mail worker logs those as skipped)');

delete from reports.contacts where id = '00000000-0000-4000-e881-000000000004';
update reports.schedules set send_hour = 9, recipient_group_ids = recipient_group_ids where id = '00000000-0000-4000-e881-000000000021';
select is(array(select email from private.reports_schedule_recipients('00000000-0000-4000-e881-000000000021')),
  array['ann@example.com', 'bob@example.com', 'eve@example.com'],
  'recipients: a deleted contact is no longer mailed, and its stale id does not block later edits');
select ok(not has_function_privilege('authenticated', 'private.reports_schedule_recipients(uuid)', 'execute')
          and not has_function_privilege('anon', 'private.reports_schedule_recipients(uuid)', 'execute'),
  'recipients: only the backend resolves them');

select * from finish();
rollback;
