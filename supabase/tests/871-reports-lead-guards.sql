-- reports.blocked_ips and reports.lead_rate_limits: who may do what, and how
-- private.reports_submit_lead uses them (blocked addresses and ranges,
-- the sliding windows per sender and per report, what a refusal leaves
-- behind), plus its input checks and the job it queues.

begin;
select plan(40);

select tests.fixture() as team_a \gset
insert into reports.property_reports (id, account_id, user_id, property_address, short_code) values
  ('00000000-0000-4000-e871-000000000001', :'team_a', tests.get_supabase_uid('member'), '1 Guard St', 'GRDAAAA2'),
  ('00000000-0000-4000-e871-000000000002', :'team_a', tests.get_supabase_uid('member'), '2 Guard St', 'GRDBBBB3'),
  ('00000000-0000-4000-e871-000000000003', :'team_a', tests.get_supabase_uid('member'), '3 Guard St', 'GRDCCCC4');
update reports.property_reports set is_active = false where id = '00000000-0000-4000-e871-000000000002';
update reports.property_reports set expires_at = now() - interval '1 second' where id = '00000000-0000-4000-e871-000000000003';
insert into reports.blocked_ips (id, ip_address, reason) values
  ('00000000-0000-4000-e871-000000000011', '192.0.2.55', 'spam'),
  ('00000000-0000-4000-e871-000000000012', '198.51.100.0/24', 'spam range'),
  ('00000000-0000-4000-e871-000000000013', '198.51.100.128/25', 'narrower');

-- ---------------------------------------------------------------- rights
select $q$ select 1 from reports.blocked_ips where id::text like '00000000-0000-4000-e871-%' $q$ as read_sql,
       $q$ insert into reports.blocked_ips (ip_address, reason) values ('203.0.113.0/24', 'x') $q$ as insert_sql,
       $q$ update reports.blocked_ips set reason = 'changed' where id = '00000000-0000-4000-e871-000000000011' $q$ as update_sql,
       $q$ delete from reports.blocked_ips where id = '00000000-0000-4000-e871-000000000011' $q$ as delete_sql \gset
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'blocked_ips: anon nothing');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update rows=0, delete rows=0', 'blocked_ips: a stranger nothing');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update rows=0, delete rows=0', 'blocked_ips: an account owner nothing (platform-wide list)');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update rows=0, delete rows=0', 'blocked_ips: an account admin nothing');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update rows=0, delete rows=0', 'blocked_ips: a member nothing');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=3, insert rows=1, update rows=1, delete rows=1', 'blocked_ips: a platform admin reads and manages');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=3, insert rows=1, update rows=1, delete rows=1', 'blocked_ips: service_role reads and manages');
select is(tests.probe('platform_admin', $$ update reports.blocked_ips set hit_count = 0 $$), '42501',
  'blocked_ips: hit_count is the database''s');
select is(tests.probe('platform_admin', $$ insert into reports.blocked_ips (ip_address) values ('10.0.0.0/4') $$), '22023',
  'blocked_ips: a range wider than /8 is refused');
select is((select ip_address::text from reports.blocked_ips b where b.id = '00000000-0000-4000-e871-000000000012'), '198.51.100.0/24',
  'blocked_ips: a range is stored as its network');
insert into reports.blocked_ips (id, ip_address) values ('00000000-0000-4000-e871-000000000014', '203.0.113.77/24');
select is((select ip_address::text from reports.blocked_ips b where b.id = '00000000-0000-4000-e871-000000000014'), '203.0.113.0/24',
  'blocked_ips: host bits are dropped (10.0.0.7/24 is 10.0.0.0/24)');
select throws_ok($$ insert into reports.blocked_ips (ip_address) values ('203.0.113.0/24') $$, '23505', null,
  'blocked_ips: one row per address or range');
delete from reports.blocked_ips where id = '00000000-0000-4000-e871-000000000014';
select is((select count(*)::int from pg_indexes where schemaname = 'reports' and indexname = 'blocked_ips_ip_address_gist'
           and indexdef like '%USING gist (ip_address inet_ops)%'), 1, 'blocked_ips: GiST inet_ops index for >>=');

insert into reports.lead_rate_limits (id, ip_address, property_report_id) values
  ('00000000-0000-4000-e871-000000000021', '203.0.113.1', '00000000-0000-4000-e871-000000000001');
select $q$ select 1 from reports.lead_rate_limits where id = '00000000-0000-4000-e871-000000000021' $q$ as read_sql,
       $q$ insert into reports.lead_rate_limits (ip_address, property_report_id) values ('203.0.113.2', '00000000-0000-4000-e871-000000000001') $q$ as insert_sql,
       $q$ update reports.lead_rate_limits set attempt_count = 0 where id = '00000000-0000-4000-e871-000000000021' $q$ as update_sql,
       $q$ delete from reports.lead_rate_limits where id = '00000000-0000-4000-e871-000000000021' $q$ as delete_sql \gset
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'lead_rate_limits: anon nothing');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'lead_rate_limits: a stranger nothing');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'lead_rate_limits: the report''s owner nothing (addresses)');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'lead_rate_limits: an account admin nothing');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'lead_rate_limits: a member nothing');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'lead_rate_limits: a platform admin reads');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'lead_rate_limits: service_role everything');
delete from reports.lead_rate_limits;

-- ---------------------------------------------------------------- submission: input and reports
select is(tests.probe('anon', $$ select private.reports_submit_lead('GRDAAAA2', '203.0.113.9', 'A', 'a@example.com', null, null, true, null) $$), '42501',
  'submit: anon cannot call the private RPC (the function reports-leads can)');
select throws_ok($$ select private.reports_submit_lead('GRDAAAA2', '203.0.113.9', 'A', 'a@example.com', null, null, false, null) $$,
  '22023', 'consent: the visitor must agree to be contacted', 'submit: no consent');
select throws_ok($$ select private.reports_submit_lead('GRDAAAA2', '203.0.113.9', 'A', 'not-an-email', null, null, true, null) $$,
  '22023', 'email: not an email address', 'submit: bad email');
select throws_ok($$ select private.reports_submit_lead('GRDAAAA2', '203.0.113.9', 'A', null, '555 0100', null, true, null) $$,
  '22023', 'phone: an international number such as +15125550100 (E.164)', 'submit: phone not E.164');
select throws_ok($$ select private.reports_submit_lead('GRDAAAA2', '203.0.113.9', repeat('n', 201), 'a@example.com', null, null, true, null) $$,
  '22023', 'name: at most 200 characters', 'submit: name too long');
select throws_ok($$ select private.reports_submit_lead('GRDBBBB3', '203.0.113.9', 'A', 'a@example.com', null, null, true, null) $$,
  'PT404', 'short_code: no such report', 'submit: a switched-off report is not found');
select throws_ok($$ select private.reports_submit_lead('GRDCCCC4', '203.0.113.9', 'A', 'a@example.com', null, null, true, null) $$,
  'PT404', 'short_code: no such report', 'submit: an expired report is not found');
select throws_ok($$ select private.reports_submit_lead('NOPE', '203.0.113.9', 'A', 'a@example.com', null, null, true, null) $$,
  'PT404', 'short_code: no such report', 'submit: a malformed code is not found');

-- ---------------------------------------------------------------- blocked
select is(private.reports_submit_lead('grdaaaa2', '192.0.2.55', 'A', 'a@example.com', null, null, true, null) ->> 'outcome', 'blocked',
  'submit: a blocked address');
select is(private.reports_submit_lead('GRDAAAA2', '198.51.100.200', 'A', 'a@example.com', null, null, true, null) ->> 'outcome', 'blocked',
  'submit: an address in a blocked range');
select is((select array_agg(hit_count order by id) from reports.blocked_ips where id::text like '00000000-0000-4000-e871-%'), array[1, 0, 1],
  'blocked: the most specific block counts the hit');
select is((select count(*)::int from reports.leads where property_report_id = '00000000-0000-4000-e871-000000000001')
        + (select count(*)::int from reports.lead_rate_limits), 0, 'blocked: no lead, no rate-limit row');

-- ---------------------------------------------------------------- the windows
select is((select array_agg(private.reports_submit_lead('GRDAAAA2', '203.0.113.9', 'A', 'a' || g || '@example.com', null, null, true, null) ->> 'outcome' order by g)
           from generate_series(1, 7) g),
  array['accepted', 'accepted', 'accepted', 'accepted', 'accepted', 'rate_limited', 'rate_limited'],
  'per sender: 5 in 10 minutes, then refused');
select is((select array[sum(attempt_count), sum(refused_count)]::int[] from reports.lead_rate_limits where ip_address = '203.0.113.9'),
  array[5, 2], 'per sender: accepted and refused counted');
update reports.lead_rate_limits set window_start = window_start - interval '11 minutes';
select is(private.reports_submit_lead('GRDAAAA2', '203.0.113.9', 'A', 'late@example.com', null, null, true, null) ->> 'outcome', 'accepted',
  'per sender: the window slides (11 minutes later, accepted again)');
select is((select array_agg(private.reports_submit_lead('GRDAAAA2', ('2001:db8:1:2::' || g)::inet, 'A', 'v6@example.com', null, null, true, null) ->> 'outcome' order by g)
           from generate_series(1, 6) g) @> array['rate_limited'], true,
  'per sender: IPv6 addresses of one /64 are one sender');
select is((select count(*)::int from reports.lead_rate_limits where ip_address = '2001:db8:1:2::/64'), 1,
  'per sender: the /64 is the key');
-- 50 per report per hour, from many senders (already 11 accepted in the hour).
select is((select count(*)::int from generate_series(1, 45) g
           where private.reports_submit_lead('GRDAAAA2', ('10.9.' || (g / 200) || '.' || (g % 200))::inet, 'A', 'm@example.com', null, null, true, null) ->> 'outcome' = 'accepted'),
  39, 'per report: 50 in an hour, whoever sends');
select is((select count(*)::int from reports.leads where property_report_id = '00000000-0000-4000-e871-000000000001'), 50,
  'only accepted submissions are leads');
select is((select count(*)::int from public.jobs j where j.queue = 'reports.leads'
           and (j.payload ->> 'lead_id')::uuid in (select id from reports.leads where property_report_id = '00000000-0000-4000-e871-000000000001')), 50,
  'one notification job per lead');

select * from finish();
rollback;
