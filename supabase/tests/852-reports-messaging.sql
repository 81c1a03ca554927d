-- Reports messaging in SQL: unsubscribes, provider suppressions, the
-- per-recipient mail claim (suppressed addresses skipped and logged, one row
-- per run and address), SMS spend in the shared 'sms' pool (one credit per
-- segment, refused and logged with PT402 when short, refunded when the
-- provider fails), and that only the backend may call any of it.
begin;
select plan(39);

select tests.fixture() as team_a \gset
select tests.account_id('team-b') as team_b \gset

-- ---------------------------------------------------------------- unsubscribe
select is(private.reports_unsubscribe(:'team_a', '  Reader@Example.COM '), true, 'unsubscribe: done');
select is((select email || ':' || reason from reports.email_suppressions where account_id = :'team_a' and email = 'reader@example.com'),
  'reader@example.com:unsubscribe', 'stored lower-case with reason unsubscribe');
select is(private.reports_unsubscribe(:'team_a', 'reader@example.com'), true, 'again: fine');
select is((select count(*)::int from reports.email_suppressions where account_id = :'team_a' and lower(email) = 'reader@example.com'), 1,
  'idempotent');
select is((select count(*)::int from reports.email_suppressions where account_id = :'team_b' and lower(email) = 'reader@example.com'), 0,
  'only for that account');
insert into reports.email_suppressions (account_id, email, reason) values (:'team_a', 'manual@example.com', 'manual');
select private.reports_unsubscribe(:'team_a', 'MANUAL@example.com');
select is((select reason from reports.email_suppressions where account_id = :'team_a' and email = 'manual@example.com'), 'unsubscribe',
  'a manual suppression becomes the recipient''s own');
select is(private.reports_unsubscribe(extensions.gen_random_uuid(), 'x@example.com'), false, 'an unknown account: false, nothing stored');
select throws_ok($$ select private.reports_unsubscribe(tests.account_id('team-a'), 'not an address') $$, '22023',
  'email: not an email address', 'a bad address names email');

-- ---------------------------------------------------------------- provider suppressions
insert into reports.email_log (account_id, provider, to_emails, subject, response_code, provider_message_ref, status)
values (:'team_b', 'postmark', array['bounced@example.com'], 's', 200, 'pm-msg-1', 'sent');
select is(private.reports_email_suppress_from_event('postmark', 'hard_bounce', 'Bounced@Example.com', 'pm-msg-1'),
  jsonb_build_array(:'team_b'::uuid), 'a bounce of our message names its account');
select is((select array_agg(coalesce(account_id::text, 'everyone') || ':' || reason order by account_id nulls first)
  from reports.email_suppressions where email = 'bounced@example.com'),
  array['everyone:bounce', :'team_b' || ':bounce'], 'suppressed everywhere and for that account');
select is(private.reports_email_suppress_from_event('postmark', 'complaint', 'bounced@example.com', 'pm-msg-1'),
  jsonb_build_array(:'team_b'::uuid), 'a later complaint (reordered or duplicate) is fine');
select is((select count(*)::int from reports.email_suppressions where email = 'bounced@example.com'), 2, 'and adds nothing');
select is(private.reports_email_suppress_from_event('resend', 'complaint', 'stranger@example.com', 'not-ours'), '[]'::jsonb,
  'a message that is not ours names no account');
select is((select reason from reports.email_suppressions where email = 'stranger@example.com' and account_id is null), 'complaint',
  'but suppresses everywhere');
select throws_ok($$ select private.reports_email_suppress_from_event('resend', 'soft_bounce', 'a@example.com', null) $$, '22023',
  'kind: hard_bounce or complaint', 'only hard bounces and complaints');

-- ---------------------------------------------------------------- the mail claim
select tests.authenticate_as('owner');
insert into reports.schedules (account_id, city, cadence, send_hour, recipients)
values (:'team_a', 'Springfield', 'daily', 8, array['Reader@example.com', 'fresh@example.com', 'STRANGER@example.com', 'fresh@EXAMPLE.com'])
returning id as sched \gset
select tests.clear_authentication();
insert into reports.report_generations (account_id, input_params, status, generated_at)
values (:'team_a', '{"cities": ["Springfield"], "period_start": "2026-10-01", "period_end": "2026-10-31"}', 'completed', now())
returning id as report \gset
insert into reports.schedule_runs (schedule_id, report_run_id, status, due_at, finished_at)
values (:'sched', :'report', 'completed', now(), now()) returning id as run \gset

select is((select array_agg(email || ':' || action order by email) from private.reports_mail_claim_recipients(:'run', 'Subject', 'local')),
  array['fresh@example.com:send', 'reader@example.com:skip_suppressed', 'stranger@example.com:skip_suppressed'],
  'one claim per address (case folded): the unsubscribed and the globally suppressed are skipped');
select is((select array_agg(to_emails[1] || ':' || status || ':' || coalesce(error, '-') order by to_emails[1])
  from reports.email_log where schedule_run_id = :'run'),
  array['fresh@example.com:sending:-', 'reader@example.com:skipped:suppressed (unsubscribe)', 'stranger@example.com:skipped:suppressed (complaint)'],
  'every skip is logged with why');
select private.reports_mail_finish_recipient((select id from reports.email_log where schedule_run_id = :'run' and to_emails[1] = 'fresh@example.com'),
  'local', 'sent', 200, 'm-1@outbox', null);
select is((select array_agg(email || ':' || action order by email) from private.reports_mail_claim_recipients(:'run', 'Subject', 'local')),
  array['fresh@example.com:done', 'reader@example.com:done', 'stranger@example.com:done'], 'a retried job mails nobody twice');
select is((select provider || ':' || status || ':' || response_code || ':' || provider_message_ref from reports.email_log
  where schedule_run_id = :'run' and to_emails[1] = 'fresh@example.com'), 'local:sent:200:m-1@outbox', 'the send: provider, code, id');
select throws_ok($$ select * from private.reports_mail_claim_recipients(extensions.gen_random_uuid(), 's', 'local') $$, 'PT404',
  null, 'an unknown run is PT404');

-- ---------------------------------------------------------------- SMS spend
select private.credit_apply(:'team_a', 'sms', 3, 'grant', 'test-grant-sms');
select is((select (sms_log_id is not null, segments, balance_after, fresh, status, error_code)::text
  from private.reports_send_sms_debit(:'team_a', '+14155550123', '+15005550006', 'Your report is ready', 2, 'lead-1:sms')),
  '(t,2,1,t,sending,)', 'two segments spend two of three credits');
select is((select (segments, balance_after, fresh, status)::text
  from private.reports_send_sms_debit(:'team_a', '+14155550123', '+15005550006', 'Your report is ready', 2, 'lead-1:sms')),
  '(2,1,f,sending)', 'the same key again spends nothing (fresh = false)');
select is((select (segments, balance_after, fresh, status, error_code)::text
  from private.reports_send_sms_debit(:'team_a', '+14155550124', null, 'Another', 2, 'lead-2:sms')),
  '(2,1,t,refused,PT402)', 'too few credits: refused with PT402');
select is((select status || ':' || error from reports.sms_logs where account_id = :'team_a' and idempotency_key = 'lead-2:sms'),
  'refused:sms_credits: 1 available, 2 needed', 'and the refusal is in sms_logs');
select is((select balance from public.credit_balances where account_id = :'team_a' and pool = 'sms'), 1, 'nothing spent by the refusal');
select is((select count(*)::int from public.credit_transactions where account_id = :'team_a' and pool = 'sms' and type = 'usage'), 1,
  'one usage row in the ledger');

select sms_log_id as sms1 from private.reports_send_sms_debit(:'team_a', '+14155550123', null, 'x', 1, 'lead-1:sms') \gset
select is((private.reports_sms_finish(:'sms1', 'failed', null, 'twilio', '21211: invalid number')).status, 'failed', 'the provider failed it');
select is((select balance from public.credit_balances where account_id = :'team_a' and pool = 'sms'), 3, 'and its two credits came back');
select is((private.reports_sms_finish(:'sms1', 'failed', null, 'twilio', 'again')).status, 'failed', 'finishing again');
select is((select balance from public.credit_balances where account_id = :'team_a' and pool = 'sms'), 3, 'refunds once');

select sms_log_id as sms3 from private.reports_send_sms_debit(:'team_a', '+447911123456', null, 'hello', 1, 'lead-3:sms') \gset
select is((private.reports_sms_finish(:'sms3', 'sent', 'SM0123456789abcdef', 'twilio', null)).twilio_sid, 'SM0123456789abcdef', 'a sent SMS keeps its SID');
select is((select count(*)::int from private.credit_invariant_violations()), 0, 'the ledger agrees with its balances');

select throws_ok($$ select * from private.reports_send_sms_debit(tests.account_id('team-a'), '4155550123', null, 'x', 1, 'k') $$,
  '22023', 'to_phone: must be an E.164 number', 'a number that is not E.164 names to_phone');
select throws_ok($$ select * from private.reports_send_sms_debit(tests.account_id('team-a'), '+14155550123', null, 'x', 11, 'k') $$,
  '22023', 'segments: 1 to 10', 'segments are bounded');
select throws_ok($$ select * from private.reports_send_sms_debit(extensions.gen_random_uuid(), '+14155550123', null, 'x', 1, 'k') $$,
  'PT404', 'account_id: no such account', 'an unknown account is PT404');

-- ---------------------------------------------------------------- only the backend
select is(tests.probe('owner', $$ select private.reports_unsubscribe(tests.account_id('team-a'), 'z@example.com') $$), '42501',
  'an owner cannot call the unsubscribe function');
select is(tests.probe('anon', $$ select * from private.reports_send_sms_debit(tests.account_id('team-a'), '+14155550123', null, 'x', 1, 'k') $$),
  '42501', 'anon cannot spend SMS credits');
select is(tests.probe('member', $$ select private.reports_dispatch_due_schedules() $$), '42501', 'a member cannot dispatch');
select is(tests.probe('service_role', $$ select * from private.reports_send_sms_debit(tests.account_id('team-a'), '+14155550123', null, 'x', 1, 'svc') $$),
  'rows=1', 'the service role can');

select * from finish();
rollback;
