-- reports outgoing webhooks: a stored lead emits lead.created to the
-- account's subscribed endpoints only, with ids and no personal data.
begin;
select plan(4);

select tests.fixture() as team_a \gset
select tests.account_id('team-b') as team_b \gset
insert into reports.webhooks (id, account_id, url, events, secret) values
  ('00000000-0000-4000-e912-000000000001', :'team_a', 'https://a.example/leads', array['lead.created'], 'v1:AAAA:BBBB'),
  ('00000000-0000-4000-e912-000000000002', :'team_a', 'https://a.example/reports', array['report.completed'], 'v1:AAAA:BBBB'),
  ('00000000-0000-4000-e912-000000000003', :'team_b', 'https://b.example/leads', array['lead.created'], 'v1:AAAA:BBBB');
insert into reports.property_reports (id, account_id, user_id, property_address) values
  ('00000000-0000-4000-e912-000000000011', :'team_a', tests.get_supabase_uid('member'), '1 Hook St');
insert into reports.leads (id, account_id, property_report_id, agent_id, name, email, phone, consent_given) values
  ('00000000-0000-4000-e912-000000000021', :'team_a', '00000000-0000-4000-e912-000000000011',
   tests.get_supabase_uid('member'), 'Pat Private', 'pat.private@example.com', '+15551230000', true);

select results_eq(
  $$ select webhook_id::text, payload ->> 'type', payload -> 'data' ->> 'lead_id' from reports.webhook_deliveries
     where webhook_id in ('00000000-0000-4000-e912-000000000001', '00000000-0000-4000-e912-000000000002',
                          '00000000-0000-4000-e912-000000000003') $$,
  $$ values ('00000000-0000-4000-e912-000000000001', 'lead.created', '00000000-0000-4000-e912-000000000021') $$,
  'a stored lead is delivered to the subscribed endpoint of its account only');
select ok((select payload::text from reports.webhook_deliveries where webhook_id = '00000000-0000-4000-e912-000000000001')
          !~ '(pat\.private|Pat Private|5551230000)',
  'the payload names the lead by id: no name, e-mail or phone');
select is((select count(*)::int from public.jobs j join reports.webhook_deliveries d on j.idempotency_key = d.id::text
           where d.webhook_id = '00000000-0000-4000-e912-000000000001'), 1,
  'one delivery job is queued');

savepoint before_rollback;
insert into reports.leads (account_id, property_report_id, email, consent_given) values
  (:'team_a', '00000000-0000-4000-e912-000000000011', 'second@example.com', true);
rollback to savepoint before_rollback;
select is((select count(*)::int from reports.webhook_deliveries where webhook_id = '00000000-0000-4000-e912-000000000001'), 1,
  'a rolled-back lead leaves no delivery');

select * from finish();
rollback;
