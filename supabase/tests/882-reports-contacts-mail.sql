-- reports contacts in scheduled mail: the mail worker's recipients
-- (private.reports_mail_context / reports_mail_claim_recipients, rp-msg)
-- include the schedule's contacts and its groups' contacts, each once
-- (suppressed ones too: reports_mail_claim_recipients logs those skipped).

begin;
select plan(4);

select tests.fixture() as team_a \gset
insert into reports.contacts (id, account_id, email) values
  ('00000000-0000-4000-e882-000000000001', :'team_a', 'ann@example.com'),
  ('00000000-0000-4000-e882-000000000002', :'team_a', 'bob@example.com'),
  ('00000000-0000-4000-e882-000000000003', :'team_a', 'carol@example.com');
insert into reports.contact_groups (id, account_id, name) values
  ('00000000-0000-4000-e882-000000000011', :'team_a', 'Buyers');
insert into reports.contact_group_members (contact_group_id, contact_id) values
  ('00000000-0000-4000-e882-000000000011', '00000000-0000-4000-e882-000000000002'),
  ('00000000-0000-4000-e882-000000000011', '00000000-0000-4000-e882-000000000003');
insert into reports.email_suppressions (account_id, email, reason) values (:'team_a', 'carol@example.com', 'unsubscribe');
insert into reports.schedules (id, account_id, city, cadence, send_hour, recipients, recipient_contact_ids, recipient_group_ids)
values ('00000000-0000-4000-e882-000000000021', :'team_a', 'Austin', 'daily', 8, array['Ann@Example.com', 'zoe@example.com'],
        array['00000000-0000-4000-e882-000000000001']::uuid[], array['00000000-0000-4000-e882-000000000011']::uuid[]);
insert into reports.report_generations (id, account_id, input_params, status, html_url, generated_at)
values ('00000000-0000-4000-e882-000000000031', :'team_a', '{"cities": ["Austin"]}', 'completed',
        tests.account_id('team-a') || '/00000000-0000-4000-e882-000000000031/report.html', now());
insert into reports.schedule_runs (id, schedule_id, report_run_id, status, finished_at)
values ('00000000-0000-4000-e882-000000000041', '00000000-0000-4000-e882-000000000021', '00000000-0000-4000-e882-000000000031',
        'completed', now());

select is(private.reports_mail_context('00000000-0000-4000-e882-000000000041') -> 'recipients',
  '["ann@example.com", "bob@example.com", "carol@example.com", "zoe@example.com"]'::jsonb,
  'mail context: addresses + contacts + group members, lower-cased, once each');
select ok(not has_function_privilege('authenticated', 'private.reports_mail_context(uuid)', 'execute'),
  'mail context: only the backend reads it');

select is((select string_agg(email || ':' || action, ',' order by email)
             from private.reports_mail_claim_recipients('00000000-0000-4000-e882-000000000041', 'Austin, daily', 'local')),
  'ann@example.com:send,bob@example.com:send,carol@example.com:skip_suppressed,zoe@example.com:send',
  'claim: every recipient gets an email_log row; the unsubscribed contact is skipped, not sent');
select is((select string_agg(to_emails[1] || ':' || status || ':' || coalesce(error, '-'), ',' order by to_emails[1])
             from reports.email_log where schedule_run_id = '00000000-0000-4000-e882-000000000041'
              and to_emails[1] = 'carol@example.com'),
  'carol@example.com:skipped:suppressed (unsubscribe)',
  'claim: the suppressed contact is logged skipped with the reason');

select * from finish();
rollback;
