-- reports rights: consumer_reports, report_analytics.
-- One line per role (anon, stranger, owner, admin, member, platform admin,
-- service_role) and table: read / insert / update / delete, as
-- tests.rights reports them (42501 = refused, rows=N = rows seen or touched).
-- Generated rows belong to team-a; team-b's rows prove a stranger's view is
-- not the whole table.
-- Both are written only through the public RPCs (request_consumer_report,
-- track_report_event) and the renderer; the agent's account reads them.

begin;
select plan(17);

select tests.fixture() as team_a \gset
select tests.account_id('team-b') as team_b \gset
insert into reports.consumer_reports (id, account_id, agent_id, consent_given, consumer_email, property_address) values
  ('00000000-0000-4000-e803-000000000001', :'team_a', tests.get_supabase_uid('member'), true, 'a@example.com', '1 Consumer St'),
  ('00000000-0000-4000-e803-000000000002', :'team_b', tests.get_supabase_uid('rival'), true, 'b@example.com', '2 Consumer St');
insert into reports.report_analytics (id, report_id, event_type) values
  ('00000000-0000-4000-e803-000000000011', '00000000-0000-4000-e803-000000000001', 'open'),
  ('00000000-0000-4000-e803-000000000012', '00000000-0000-4000-e803-000000000002', 'open');

-- ---------------------------------------------------------------- consumer_reports
select $q$ select 1 from reports.consumer_reports where id::text like '00000000-0000-4000-e803-%' and account_id = tests.account_id('team-a') $q$ as read_sql,
       $q$ insert into reports.consumer_reports (account_id, consent_given, consumer_email, property_address) values (tests.account_id('team-a'), true, 'x@example.com', '3 St') $q$ as insert_sql,
       $q$ update reports.consumer_reports set status = 'completed' where id = '00000000-0000-4000-e803-000000000001' $q$ as update_sql,
       $q$ delete from reports.consumer_reports where id = '00000000-0000-4000-e803-000000000001' $q$ as delete_sql \gset
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'consumer_reports: anon reads and writes nothing');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'consumer_reports: a stranger sees nothing and writes nothing');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'consumer_reports: an owner reads the accounts rows, writes nothing');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'consumer_reports: an account admin reads the accounts rows, writes nothing');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'consumer_reports: a member reads the accounts rows, writes nothing');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'consumer_reports: a platform admin reads everything, writes nothing');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'consumer_reports: service_role reads and writes');

-- ---------------------------------------------------------------- report_analytics
select $q$ select 1 from reports.report_analytics where id::text like '00000000-0000-4000-e803-%' and report_id = '00000000-0000-4000-e803-000000000001' $q$ as read_sql,
       $q$ insert into reports.report_analytics (report_id, event_type) values ('00000000-0000-4000-e803-000000000001', 'share') $q$ as insert_sql,
       $q$ update reports.report_analytics set event_type = 'share' where id = '00000000-0000-4000-e803-000000000011' $q$ as update_sql,
       $q$ delete from reports.report_analytics where id = '00000000-0000-4000-e803-000000000011' $q$ as delete_sql \gset
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'report_analytics: anon reads and writes nothing');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'report_analytics: a stranger sees nothing and writes nothing');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'report_analytics: an owner reads the accounts rows, writes nothing');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'report_analytics: an account admin reads the accounts rows, writes nothing');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'report_analytics: a member reads the accounts rows, writes nothing');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'report_analytics: a platform admin reads everything, writes nothing');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'report_analytics: service_role reads and writes');

-- ---------------------------------------------------------------- beyond the matrix
select is(tests.probe('rival', $$ select 1 from reports.consumer_reports where id::text like '00000000-0000-4000-e803-%' $$), 'rows=1',
  'consumer_reports: the rival sees only team-b''s');
select is(tests.probe('platform_admin', $$ select 1 from reports.report_analytics where id::text like '00000000-0000-4000-e803-%' $$), 'rows=2',
  'report_analytics: a platform admin reads every account''s');
select is(tests.probe('member', $$ update reports.consumer_reports set unique_views = 0 where id = '00000000-0000-4000-e803-000000000001' $$), '42501',
  'consumer_reports: the counters are the database''s');

select * from finish();
rollback;
