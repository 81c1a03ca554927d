-- reports rights: property_reports, property_report_stats(_daily), report_visitors.
-- One line per role (anon, stranger, owner, admin, member, platform admin,
-- service_role) and table: read / insert / update / delete, as
-- tests.rights reports them (42501 = refused, rows=N = rows seen or touched).
-- Generated rows belong to team-a; team-b's rows prove a stranger's view is
-- not the whole table.
-- Property reports are created by reports.create_property_report; their
-- author, owners and admins switch them off or delete them; the counters,
-- code, status and files are the backend's; visitor hashes only platform admins see.

begin;
select plan(40);

select tests.fixture() as team_a \gset
select tests.account_id('team-b') as team_b \gset
insert into reports.property_reports (id, account_id, user_id, property_address) values
  ('00000000-0000-4000-e802-000000000001', :'team_a', tests.get_supabase_uid('member'), '1 Matrix St'),
  ('00000000-0000-4000-e802-000000000002', :'team_a', tests.get_supabase_uid('owner'), '2 Matrix St'),
  ('00000000-0000-4000-e802-000000000003', :'team_b', tests.get_supabase_uid('rival'), '3 Matrix St');
insert into reports.property_report_stats (id, property_report_id, total_views, unique_views) values
  ('00000000-0000-4000-e802-000000000011', '00000000-0000-4000-e802-000000000001', 3, 2),
  ('00000000-0000-4000-e802-000000000013', '00000000-0000-4000-e802-000000000003', 1, 1);
insert into reports.property_report_stats_daily (id, property_report_id, date, views, unique_views) values
  ('00000000-0000-4000-e802-000000000021', '00000000-0000-4000-e802-000000000001', '2026-12-01', 3, 2),
  ('00000000-0000-4000-e802-000000000023', '00000000-0000-4000-e802-000000000003', '2026-12-01', 1, 1);
insert into reports.report_visitors (id, property_report_id, visitor_hash) values
  ('00000000-0000-4000-e802-000000000031', '00000000-0000-4000-e802-000000000001', repeat('a', 64)),
  ('00000000-0000-4000-e802-000000000033', '00000000-0000-4000-e802-000000000003', repeat('b', 64));

-- ---------------------------------------------------------------- property_reports
select $q$ select 1 from reports.property_reports where id = '00000000-0000-4000-e802-000000000001' $q$ as read_sql,
       $q$ insert into reports.property_reports (account_id, property_address) values (tests.account_id('team-a'), '9 New St') $q$ as insert_sql,
       $q$ update reports.property_reports set is_active = false, expires_at = now() + interval '7 days' where id = '00000000-0000-4000-e802-000000000001' $q$ as update_sql,
       $q$ delete from reports.property_reports where id = '00000000-0000-4000-e802-000000000001' $q$ as delete_sql \gset
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'property_reports: anon reads and writes nothing');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update rows=0, delete rows=0', 'property_reports: a stranger sees and changes nothing');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=1, delete rows=1', 'property_reports: an owner reads, switches off and deletes any of the accounts');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=1, delete rows=1', 'property_reports: an account admin reads, switches off and deletes any of the accounts');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=1, delete rows=1', 'property_reports: a member reads and, as its author, switches off and deletes it; creates none directly');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=0, delete rows=0', 'property_reports: a platform admin reads only');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'property_reports: service_role reads and writes');

-- ---------------------------------------------------------------- property_report_stats
select $q$ select 1 from reports.property_report_stats where id::text like '00000000-0000-4000-e802-%' and property_report_id = '00000000-0000-4000-e802-000000000001' $q$ as read_sql,
       $q$ insert into reports.property_report_stats (property_report_id) values ('00000000-0000-4000-e802-000000000002') $q$ as insert_sql,
       $q$ update reports.property_report_stats set total_views = 99 where id = '00000000-0000-4000-e802-000000000011' $q$ as update_sql,
       $q$ delete from reports.property_report_stats where id = '00000000-0000-4000-e802-000000000011' $q$ as delete_sql \gset
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'property_report_stats: anon reads and writes nothing');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'property_report_stats: a stranger sees nothing and writes nothing');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'property_report_stats: an owner reads the accounts rows, writes nothing');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'property_report_stats: an account admin reads the accounts rows, writes nothing');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'property_report_stats: a member reads the accounts rows, writes nothing');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'property_report_stats: a platform admin reads everything, writes nothing');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'property_report_stats: service_role reads and writes');

-- ---------------------------------------------------------------- property_report_stats_daily
select $q$ select 1 from reports.property_report_stats_daily where id::text like '00000000-0000-4000-e802-%' and property_report_id = '00000000-0000-4000-e802-000000000001' $q$ as read_sql,
       $q$ insert into reports.property_report_stats_daily (property_report_id, date) values ('00000000-0000-4000-e802-000000000001', '2026-12-02') $q$ as insert_sql,
       $q$ update reports.property_report_stats_daily set views = 99 where id = '00000000-0000-4000-e802-000000000021' $q$ as update_sql,
       $q$ delete from reports.property_report_stats_daily where id = '00000000-0000-4000-e802-000000000021' $q$ as delete_sql \gset
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'property_report_stats_daily: anon reads and writes nothing');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'property_report_stats_daily: a stranger sees nothing and writes nothing');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'property_report_stats_daily: an owner reads the accounts rows, writes nothing');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'property_report_stats_daily: an account admin reads the accounts rows, writes nothing');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'property_report_stats_daily: a member reads the accounts rows, writes nothing');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'property_report_stats_daily: a platform admin reads everything, writes nothing');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'property_report_stats_daily: service_role reads and writes');

-- ---------------------------------------------------------------- report_visitors
select $q$ select 1 from reports.report_visitors where id = '00000000-0000-4000-e802-000000000031' $q$ as read_sql,
       $q$ insert into reports.report_visitors (property_report_id, visitor_hash) values ('00000000-0000-4000-e802-000000000002', repeat('c', 64)) $q$ as insert_sql,
       $q$ update reports.report_visitors set day = day - 1 where id = '00000000-0000-4000-e802-000000000031' $q$ as update_sql,
       $q$ delete from reports.report_visitors where id = '00000000-0000-4000-e802-000000000031' $q$ as delete_sql \gset
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'report_visitors: anon reads and writes nothing');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'report_visitors: a stranger sees no visitor hashes');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'report_visitors: an owner sees no visitor hashes');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'report_visitors: an account admin sees no visitor hashes');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'report_visitors: a member sees no visitor hashes');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'report_visitors: a platform admin reads them, writes nothing');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'report_visitors: service_role reads and writes');

-- ---------------------------------------------------------------- beyond the matrix
select is(tests.probe('member', $$ update reports.property_reports set is_active = false where id = '00000000-0000-4000-e802-000000000002' $$),
  'rows=0', 'property_reports: a member does not switch off a teammate''s report');
select is(tests.probe('member', $$ delete from reports.property_reports where id = '00000000-0000-4000-e802-000000000002' $$),
  'rows=0', 'property_reports: nor delete it');
select is(tests.probe('rival', $$ update reports.property_reports set is_active = false where id = '00000000-0000-4000-e802-000000000001' $$),
  'rows=0', 'property_reports: another account changes nothing');
select is(tests.probe('member', $$ update reports.property_reports set short_code = 'HACK2345' where id = '00000000-0000-4000-e802-000000000001' $$),
  '42501', 'property_reports: short_code is never client-writable');
select is(tests.probe('member', $$ update reports.property_reports set view_count = 1000 where id = '00000000-0000-4000-e802-000000000001' $$),
  '42501', 'property_reports: nor view_count');
select is(tests.probe('owner', $$ update reports.property_reports set unique_visitors = 1 where id = '00000000-0000-4000-e802-000000000001' $$),
  '42501', 'property_reports: nor unique_visitors');
select is(tests.probe('owner', $$ update reports.property_reports set status = 'completed' where id = '00000000-0000-4000-e802-000000000001' $$),
  '42501', 'property_reports: nor status');
select is(tests.probe('owner', $$ update reports.property_reports set pdf_url = 'x', qr_code_url = 'y' where id = '00000000-0000-4000-e802-000000000001' $$),
  '42501', 'property_reports: nor the file paths');
select is(tests.probe('owner', $$ update reports.property_reports set comparables = '[]' where id = '00000000-0000-4000-e802-000000000001' $$),
  '42501', 'property_reports: nor the comparables');
select is(tests.probe('owner', $$ update reports.property_reports set account_id = tests.account_id('team-b') where id = '00000000-0000-4000-e802-000000000001' $$),
  '42501', 'property_reports: nor the account');
select is(tests.probe('rival', $$ select 1 from reports.property_report_stats where id::text like '00000000-0000-4000-e802-%' $$),
  'rows=1', 'property_report_stats: the rival sees only team-b''s');
select is(tests.probe('anon', $$ select 1 from reports.property_reports $$), '42501', 'property_reports: anon reads nothing directly');

select * from finish();
rollback;
