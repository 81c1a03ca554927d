-- reports rights: report_generations, schedules, schedule_runs.
-- One line per role (anon, stranger, owner, admin, member, platform admin,
-- service_role) and table: read / insert / update / delete, as
-- tests.rights reports them (42501 = refused, rows=N = rows seen or touched).
-- Generated rows belong to team-a; team-b's rows prove a stranger's view is
-- not the whole table.
-- Market reports are created through reports.request_market_report only;
-- owners and admins manage schedules (not their run bookkeeping).

begin;
select plan(34);

select tests.fixture() as team_a \gset
select tests.account_id('team-b') as team_b \gset
insert into reports.report_generations (id, account_id, user_id, input_params) values
  ('00000000-0000-4000-e801-000000000001', :'team_a', tests.get_supabase_uid('member'), '{"cities": ["Austin"]}'),
  ('00000000-0000-4000-e801-000000000002', :'team_b', tests.get_supabase_uid('rival'), '{"cities": ["Austin"]}');
insert into reports.schedules (id, account_id, city, cadence, send_hour) values
  ('00000000-0000-4000-e801-000000000011', :'team_a', 'Austin', 'daily', 8),
  ('00000000-0000-4000-e801-000000000012', :'team_b', 'Austin', 'daily', 8);
insert into reports.schedule_runs (id, schedule_id, report_run_id) values
  ('00000000-0000-4000-e801-000000000021', '00000000-0000-4000-e801-000000000011', '00000000-0000-4000-e801-000000000001'),
  ('00000000-0000-4000-e801-000000000022', '00000000-0000-4000-e801-000000000012', '00000000-0000-4000-e801-000000000002');

-- ---------------------------------------------------------------- report_generations
select $q$ select 1 from reports.report_generations where id::text like '00000000-0000-4000-e801-%' and account_id = tests.account_id('team-a') $q$ as read_sql,
       $q$ insert into reports.report_generations (account_id) values (tests.account_id('team-a')) $q$ as insert_sql,
       $q$ update reports.report_generations set status = 'processing' where id = '00000000-0000-4000-e801-000000000001' $q$ as update_sql,
       $q$ delete from reports.report_generations where id = '00000000-0000-4000-e801-000000000001' $q$ as delete_sql \gset
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'report_generations: anon reads and writes nothing');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'report_generations: a stranger sees nothing and writes nothing');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'report_generations: an owner reads the accounts rows, writes nothing');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'report_generations: an account admin reads the accounts rows, writes nothing');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'report_generations: a member reads the accounts rows, writes nothing');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'report_generations: a platform admin reads everything, writes nothing');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'report_generations: service_role reads and writes');

-- ---------------------------------------------------------------- schedules
select $q$ select 1 from reports.schedules where id::text like '00000000-0000-4000-e801-%' and account_id = tests.account_id('team-a') $q$ as read_sql,
       $q$ insert into reports.schedules (account_id, city, cadence, weekly_dow, send_hour) values (tests.account_id('team-a'), 'Denver', 'weekly', 2, 6) $q$ as insert_sql,
       $q$ update reports.schedules set send_hour = 9, active = false where id = '00000000-0000-4000-e801-000000000011' $q$ as update_sql,
       $q$ delete from reports.schedules where id = '00000000-0000-4000-e801-000000000011' $q$ as delete_sql \gset
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'schedules: anon reads and writes nothing');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update rows=0, delete rows=0', 'schedules: a stranger sees and changes nothing');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'schedules: an owner manages them');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'schedules: an account admin manages them');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=0, delete rows=0', 'schedules: a member reads only');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=0, delete rows=0', 'schedules: a platform admin reads only');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'schedules: service_role reads and writes');

-- ---------------------------------------------------------------- schedule_runs
select $q$ select 1 from reports.schedule_runs where id::text like '00000000-0000-4000-e801-%' and schedule_id = '00000000-0000-4000-e801-000000000011' $q$ as read_sql,
       $q$ insert into reports.schedule_runs (schedule_id) values ('00000000-0000-4000-e801-000000000011') $q$ as insert_sql,
       $q$ update reports.schedule_runs set status = 'completed', finished_at = now() where id = '00000000-0000-4000-e801-000000000021' $q$ as update_sql,
       $q$ delete from reports.schedule_runs where id = '00000000-0000-4000-e801-000000000021' $q$ as delete_sql \gset
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'schedule_runs: anon reads and writes nothing');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'schedule_runs: a stranger sees nothing and writes nothing');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'schedule_runs: an owner reads the accounts rows, writes nothing');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'schedule_runs: an account admin reads the accounts rows, writes nothing');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'schedule_runs: a member reads the accounts rows, writes nothing');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'schedule_runs: a platform admin reads everything, writes nothing');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'schedule_runs: service_role reads and writes');

-- ---------------------------------------------------------------- beyond the matrix
select is(tests.probe('stranger', $$ select 1 from reports.report_generations where id::text like '00000000-0000-4000-e801-%' $$), 'rows=0',
  'report_generations: a stranger sees neither team''s reports');
select is(tests.probe('rival', $$ select 1 from reports.schedule_runs where id::text like '00000000-0000-4000-e801-%' $$), 'rows=1',
  'schedule_runs: the rival sees only team-b''s run');
select is(tests.probe('platform_admin', $$ select 1 from reports.schedules where id::text like '00000000-0000-4000-e801-%' $$), 'rows=2',
  'schedules: a platform admin reads every account''s');
select is(tests.probe('owner', $$ insert into reports.schedules (account_id, city, cadence, send_hour) values (tests.account_id('team-b'), 'Austin', 'daily', 8) $$),
  '42501', 'schedules: an owner cannot add a schedule to another account');
select is(tests.probe('owner', $$ update reports.schedules set account_id = tests.account_id('team-b') where id = '00000000-0000-4000-e801-000000000011' $$),
  '42501', 'schedules: nor move one there (account_id is not updatable)');
select is(tests.probe('rival', $$ update reports.schedules set send_hour = 1 where id = '00000000-0000-4000-e801-000000000011' $$),
  'rows=0', 'schedules: another account''s owner changes nothing');
select is(tests.probe('owner', $$ update reports.schedules set consecutive_failures = 0 where id = '00000000-0000-4000-e801-000000000011' $$),
  '42501', 'schedules: consecutive_failures is the backend''s');
select is(tests.probe('owner', $$ update reports.schedules set next_run_at = now() where id = '00000000-0000-4000-e801-000000000011' $$),
  '42501', 'schedules: next_run_at is the backend''s');
select is(tests.probe('owner', $$ update reports.schedules set last_run_at = now() where id = '00000000-0000-4000-e801-000000000011' $$),
  '42501', 'schedules: last_run_at is the backend''s');
select is(tests.probe('admin', $$ insert into reports.schedules (account_id, city, cadence, send_hour, consecutive_failures) values (tests.account_id('team-a'), 'Austin', 'daily', 8, 5) $$),
  '42501', 'schedules: a new schedule cannot come with failures or run times');
select is(tests.probe('admin', $$ insert into reports.schedules (account_id, city, cadence, send_hour, time_zone) values (tests.account_id('team-a'), 'Austin', 'daily', 8, 'Europe/Paris') $$),
  'rows=1', 'schedules: an admin picks the time zone');
select is(tests.probe('owner', $$ update reports.report_generations set billable = false where id = '00000000-0000-4000-e801-000000000001' $$),
  '42501', 'report_generations: billable is never client-writable');
select is(tests.probe('owner', $$ update reports.report_generations set pdf_url = 'x' where id = '00000000-0000-4000-e801-000000000001' $$),
  '42501', 'report_generations: nor the file paths');

select * from finish();
rollback;
