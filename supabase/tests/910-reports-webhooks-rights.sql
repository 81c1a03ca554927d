-- reports rights: webhooks, webhook_deliveries (outgoing webhooks).
-- One line per role and table (tests.rights: read / insert / update /
-- delete; 42501 = refused, rows=N = rows seen or touched). team-b's rows
-- prove nobody sees another account's. The secret columns are never
-- selectable by a client, whoever they are; writes of deliveries are the
-- backend's only.

begin;
select plan(24);

select tests.fixture() as team_a \gset
select tests.account_id('team-b') as team_b \gset
insert into reports.webhooks (id, account_id, url, events, secret) values
  ('00000000-0000-4000-e910-000000000001', :'team_a', 'https://a.example/hook', array['report.completed'], 'v1:AAAA:BBBB'),
  ('00000000-0000-4000-e910-000000000002', :'team_b', 'https://b.example/hook', array['report.failed'], 'v1:AAAA:BBBB');
insert into reports.webhook_deliveries (id, account_id, webhook_id, event, payload, message_id, next_attempt_at) values
  ('00000000-0000-4000-e910-000000000011', :'team_a', '00000000-0000-4000-e910-000000000001', 'report.completed', '{}',
   'msg_0123456789abcdef0123456789abcdef', now()),
  ('00000000-0000-4000-e910-000000000012', :'team_b', '00000000-0000-4000-e910-000000000002', 'report.failed', '{}',
   'msg_0123456789abcdef0123456789abcdee', now());

-- ---------------------------------------------------------------- webhooks
select $q$ select id, url, events, is_active, failing_since, disabled_reason from reports.webhooks
           where id::text like '00000000-0000-4000-e910-%' $q$ as read_sql,
       $q$ insert into reports.webhooks (account_id, url, events, secret) values (tests.account_id('team-a'), 'https://x.example', array['report.completed'], 'v1:AAAA:BBBB') $q$ as insert_sql,
       $q$ update reports.webhooks set url = 'https://a2.example/hook', events = array['report.failed'] where id = '00000000-0000-4000-e910-000000000001' $q$ as update_sql,
       $q$ delete from reports.webhooks where id = '00000000-0000-4000-e910-000000000001' $q$ as delete_sql \gset
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'webhooks: anon reads and writes nothing');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update rows=0, delete rows=0', 'webhooks: a stranger sees and changes nothing');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=1, delete rows=1', 'webhooks: an owner reads, edits and removes (creation goes through the function)');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=1, delete rows=1', 'webhooks: an admin reads, edits and removes');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=0, delete rows=0', 'webhooks: a member reads only');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert 42501, update rows=0, delete rows=0', 'webhooks: a platform admin reads every account''s, writes nothing');
select is(tests.rights('rival', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=0, delete rows=0', 'webhooks: another account''s owner sees only their own');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert rows=1, update rows=1, delete rows=1', 'webhooks: service_role reads and writes');

-- The secret, never: not by its owner, not by a platform admin.
select is(tests.probe('owner', $$ select secret from reports.webhooks $$), '42501', 'webhooks: an owner cannot select secret');
select is(tests.probe('owner', $$ select previous_secret from reports.webhooks $$), '42501', 'webhooks: nor previous_secret');
select is(tests.probe('platform_admin', $$ select secret from reports.webhooks $$), '42501', 'webhooks: nor a platform admin');
select is(tests.probe('owner', $$ select * from reports.webhooks $$), '42501', 'webhooks: select * is refused (name the columns)');
select is(tests.probe('owner', $$ update reports.webhooks set secret = 'v1:CCCC:DDDD' where id = '00000000-0000-4000-e910-000000000001' $$),
  '42501', 'webhooks: an owner cannot set the secret');
select is(tests.probe('owner', $$ update reports.webhooks set failing_since = null, disabled_reason = null where id = '00000000-0000-4000-e910-000000000001' $$),
  '42501', 'webhooks: nor the failure bookkeeping');
select is(tests.probe('owner', $$ update reports.webhooks set account_id = tests.account_id('team-b') where id = '00000000-0000-4000-e910-000000000001' $$),
  '42501', 'webhooks: nor move it to another account');
select is(tests.probe('owner', $$ update reports.webhooks set events = array['report.deleted'] where id = '00000000-0000-4000-e910-000000000001' $$),
  '22023', 'webhooks: an unknown event type is 22023');
select is(tests.probe('owner', $$ update reports.webhooks set url = 'ftp://a.example' where id = '00000000-0000-4000-e910-000000000001' $$),
  '22023', 'webhooks: a non-http URL is 22023');

-- ---------------------------------------------------------------- webhook_deliveries
select $q$ select 1 from reports.webhook_deliveries where id::text like '00000000-0000-4000-e910-%' $q$ as read_sql,
       $q$ insert into reports.webhook_deliveries (account_id, webhook_id, event, payload, message_id, next_attempt_at)
           values (tests.account_id('team-a'), '00000000-0000-4000-e910-000000000001', 'report.completed', '{}', 'msg_0123456789abcdef0123456789abcdea', now()) $q$ as insert_sql,
       $q$ update reports.webhook_deliveries set status = 'delivered', attempted_at = now() where id = '00000000-0000-4000-e910-000000000011' $q$ as update_sql,
       $q$ delete from reports.webhook_deliveries where id = '00000000-0000-4000-e910-000000000011' $q$ as delete_sql \gset
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'webhook_deliveries: anon nothing');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'webhook_deliveries: a stranger sees nothing');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'webhook_deliveries: an owner reads the account''s, writes nothing');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'webhook_deliveries: an admin reads, writes nothing');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'webhook_deliveries: a member reads, writes nothing');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert 42501, update 42501, delete 42501', 'webhook_deliveries: a platform admin reads all, writes nothing');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert rows=1, update rows=1, delete rows=1', 'webhook_deliveries: service_role reads and writes');

select * from finish();
rollback;
