-- reports.leads: who may do what (tests.rights per role: read / insert /
-- update / delete), the status machine (PT409 for a bad transition), the
-- stats the database keeps (property_report_stats.total_leads and
-- property_report_stats_daily.leads), and sms_logs.lead_id's foreign key.
-- Leads are created only by private.reports_submit_lead (service_role);
-- members change the status and nothing else; owners and admins delete.

begin;
select plan(34);

select tests.fixture() as team_a \gset
select tests.account_id('team-b') as team_b \gset
insert into reports.property_reports (id, account_id, user_id, property_address) values
  ('00000000-0000-4000-e870-000000000001', :'team_a', tests.get_supabase_uid('member'), '1 Lead St'),
  ('00000000-0000-4000-e870-000000000002', :'team_b', tests.get_supabase_uid('rival'), '2 Lead St');
insert into reports.leads (id, account_id, property_report_id, agent_id, name, email, consent_given) values
  ('00000000-0000-4000-e870-000000000011', :'team_a', '00000000-0000-4000-e870-000000000001', tests.get_supabase_uid('member'), 'Pat', 'pat@example.com', true),
  ('00000000-0000-4000-e870-000000000012', :'team_b', '00000000-0000-4000-e870-000000000002', tests.get_supabase_uid('rival'), 'Quin', 'quin@example.com', true);

-- ---------------------------------------------------------------- rights
select $q$ select 1 from reports.leads where id::text like '00000000-0000-4000-e870-%' and account_id = tests.account_id('team-a') $q$ as read_sql,
       $q$ insert into reports.leads (account_id, email, consent_given) values (tests.account_id('team-a'), 'x@example.com', true) $q$ as insert_sql,
       $q$ update reports.leads set status = 'contacted' where id = '00000000-0000-4000-e870-000000000011' $q$ as update_sql,
       $q$ delete from reports.leads where id = '00000000-0000-4000-e870-000000000011' $q$ as delete_sql \gset
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'leads: anon reads and writes nothing');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update rows=0, delete rows=0', 'leads: a stranger sees and changes nothing');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=1, delete rows=1', 'leads: an owner reads, moves the status, deletes; never inserts');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=1, delete rows=1', 'leads: an account admin reads, moves the status, deletes');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=1, delete rows=0', 'leads: a member reads and moves the status, does not delete');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=0, delete rows=0', 'leads: a platform admin reads everything, changes nothing');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'leads: service_role reads and writes');
select is(tests.probe('rival', $$ select 1 from reports.leads where id::text like '00000000-0000-4000-e870-%' $$), 'rows=1',
  'leads: the rival sees only team-b''s');
select is(tests.probe('rival', $$ update reports.leads set status = 'contacted' where id = '00000000-0000-4000-e870-000000000011' $$), 'rows=0',
  'leads: another account''s owner cannot move team-a''s lead');
select is(tests.probe('member', $$ update reports.leads set email = 'evil@example.com' where id = '00000000-0000-4000-e870-000000000011' $$), '42501',
  'leads: only the status is granted (email)');
select is(tests.probe('member', $$ update reports.leads set sms_sent_at = now() where id = '00000000-0000-4000-e870-000000000011' $$), '42501',
  'leads: only the status is granted (sms_sent_at)');
select is(tests.probe('owner', $$ update reports.leads set account_id = tests.account_id('team-b') where id = '00000000-0000-4000-e870-000000000011' $$), '42501',
  'leads: only the status is granted (account_id)');

-- ---------------------------------------------------------------- the status machine
select tests.authenticate_as('member');
update reports.leads set status = 'contacted' where id = '00000000-0000-4000-e870-000000000011';
update reports.leads set status = 'contacted' where id = '00000000-0000-4000-e870-000000000011';
select is((select status from reports.leads where id = '00000000-0000-4000-e870-000000000011'), 'contacted',
  'status: new -> contacted by a member; the same status again changes nothing');
select throws_ok($$ update reports.leads set status = 'new' where id = '00000000-0000-4000-e870-000000000011' $$,
  'PT409', 'status: a lead cannot go from contacted to new', 'status: no way back to new');
select throws_ok($$ update reports.leads set status = 'converted' where id = '00000000-0000-4000-e870-000000000011' $$,
  'PT409', 'status: a lead cannot go from contacted to converted', 'status: converted only from qualified');
update reports.leads set status = 'qualified' where id = '00000000-0000-4000-e870-000000000011';
update reports.leads set status = 'converted' where id = '00000000-0000-4000-e870-000000000011';
select is((select status from reports.leads where id = '00000000-0000-4000-e870-000000000011'), 'converted',
  'status: contacted -> qualified -> converted');
select throws_ok($$ update reports.leads set status = 'lost' where id = '00000000-0000-4000-e870-000000000011' $$,
  'PT409', 'status: a lead cannot go from converted to lost', 'status: converted is final');
select throws_ok($$ update reports.leads set status = 'won' where id = '00000000-0000-4000-e870-000000000011' $$,
  'PT409', 'status: a lead cannot go from converted to won', 'status: an unlisted value is no transition either');
select tests.clear_authentication();

insert into reports.leads (id, account_id, property_report_id, email, consent_given, status) values
  ('00000000-0000-4000-e870-000000000021', :'team_a', '00000000-0000-4000-e870-000000000001', 'a@example.com', true, 'new'),
  ('00000000-0000-4000-e870-000000000022', :'team_a', '00000000-0000-4000-e870-000000000001', 'b@example.com', true, 'new'),
  ('00000000-0000-4000-e870-000000000023', :'team_a', '00000000-0000-4000-e870-000000000001', 'c@example.com', true, 'new');
update reports.leads set status = 'lost' where id = '00000000-0000-4000-e870-000000000021';
update reports.leads set status = 'contacted' where id in ('00000000-0000-4000-e870-000000000022', '00000000-0000-4000-e870-000000000023');
update reports.leads set status = 'lost' where id = '00000000-0000-4000-e870-000000000022';
update reports.leads set status = 'qualified' where id = '00000000-0000-4000-e870-000000000023';
update reports.leads set status = 'lost' where id = '00000000-0000-4000-e870-000000000023';
select is((select array_agg(status order by id) from reports.leads where id::text like '00000000-0000-4000-e870-00000000002%'),
  array['lost', 'lost', 'lost'], 'status: new, contacted and qualified may each become lost');
select throws_ok($$ update reports.leads set status = 'contacted' where id = '00000000-0000-4000-e870-000000000021' $$,
  'PT409', 'status: a lead cannot go from lost to contacted', 'status: lost is final, for service_role too');
select throws_ok($$ insert into reports.leads (account_id, email, consent_given) values (tests.account_id('team-a'), 'x@example.com', false) $$,
  '23514', null, 'a lead exists only with consent');
select throws_ok($$ insert into reports.leads (account_id, name, consent_given) values (tests.account_id('team-a'), 'No Contact', true) $$,
  '23514', null, 'a lead needs an email or a phone');
select throws_ok($$ insert into reports.leads (account_id, phone, consent_given) values (tests.account_id('team-a'), '555-0100', true) $$,
  '23514', null, 'a phone is E.164');
select throws_ok($$ insert into reports.leads (account_id, email, consent_given, source) values (tests.account_id('team-a'), 'x@example.com', true, 'fax') $$,
  '23514', null, 'source: only the listed values');
select throws_ok($$ insert into reports.leads (account_id, email, consent_given, status) values (tests.account_id('team-a'), 'x@example.com', true, 'won') $$,
  '23514', null, 'status: only the listed values');

-- ---------------------------------------------------------------- stats
select is((select total_leads from reports.property_report_stats where property_report_id = '00000000-0000-4000-e870-000000000001'), 4,
  'stats: total_leads counts the report''s leads');
select is((select leads from reports.property_report_stats_daily
           where property_report_id = '00000000-0000-4000-e870-000000000001' and date = (now() at time zone 'UTC')::date), 4,
  'stats: today''s (UTC) leads');
insert into reports.leads (account_id, property_report_id, email, consent_given, created_at) values
  (:'team_a', '00000000-0000-4000-e870-000000000001', 'old@example.com', true, '2026-01-15 23:30:00+00');
select is((select leads from reports.property_report_stats_daily
           where property_report_id = '00000000-0000-4000-e870-000000000001' and date = '2026-01-15'), 1,
  'stats: a lead counts on its own UTC day');
delete from reports.leads where id = '00000000-0000-4000-e870-000000000021';
select is((select total_leads from reports.property_report_stats where property_report_id = '00000000-0000-4000-e870-000000000001'),
  (select count(*)::int from reports.leads where property_report_id = '00000000-0000-4000-e870-000000000001'),
  'stats: a deleted lead is no longer counted (total = count of leads)');
select is((select total_views from reports.property_report_stats where property_report_id = '00000000-0000-4000-e870-000000000001'), 0,
  'stats: leads do not count as views');
select is(tests.probe('owner', $$ update reports.property_report_stats set total_leads = 99 $$), '42501',
  'stats: the counts are the database''s');

-- ---------------------------------------------------------------- sms_logs.lead_id
select throws_ok($$ insert into reports.sms_logs (account_id, lead_id, to_phone) values (tests.account_id('team-a'), extensions.gen_random_uuid(), '+15125550100') $$,
  '23503', null, 'sms_logs.lead_id references a lead');
insert into reports.sms_logs (id, account_id, lead_id, to_phone) values
  ('00000000-0000-4000-e870-000000000031', :'team_a', '00000000-0000-4000-e870-000000000022', '+15125550100');
delete from reports.leads where id = '00000000-0000-4000-e870-000000000022';
select is((select lead_id from reports.sms_logs where id = '00000000-0000-4000-e870-000000000031'), null,
  'sms_logs outlive their lead (set null)');
delete from reports.property_reports where id = '00000000-0000-4000-e870-000000000001';
select is((select property_report_id from reports.leads where id = '00000000-0000-4000-e870-000000000011'), null,
  'a lead outlives its report (the agent''s contact)');

select * from finish();
rollback;
