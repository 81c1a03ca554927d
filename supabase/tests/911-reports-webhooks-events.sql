-- reports outgoing webhooks: private.reports_emit_event (one pending
-- attempt and one job per subscribed active endpoint, job idempotency key =
-- delivery id), the triggers on report_generations and schedule_runs, the
-- attempt recording's schedule and disabling, and who may call the test
-- and replay RPCs.

begin;
select plan(25);

select tests.fixture() as team_a \gset
select tests.account_id('team-b') as team_b \gset
insert into reports.webhooks (id, account_id, url, events, secret) values
  ('00000000-0000-4000-e911-000000000001', :'team_a', 'https://a.example/1', array['report.completed', 'report.failed'], 'v1:AAAA:BBBB'),
  ('00000000-0000-4000-e911-000000000002', :'team_a', 'https://a.example/2', array['schedule.run_failed'], 'v1:AAAA:BBBB'),
  ('00000000-0000-4000-e911-000000000003', :'team_a', 'https://a.example/3', array['report.completed'], 'v1:AAAA:BBBB'),
  ('00000000-0000-4000-e911-000000000004', :'team_b', 'https://b.example/1', array['report.completed'], 'v1:AAAA:BBBB');
update reports.webhooks set is_active = false where id = '00000000-0000-4000-e911-000000000003';

-- ---------------------------------------------------------------- emit_event
select is(private.reports_emit_event(:'team_a', 'report.completed', '{"report_id": "x"}'), 1,
  'emit: one delivery per active subscribed endpoint (the inactive and the unsubscribed get none)');
select is((select count(*)::int from reports.webhook_deliveries where account_id = :'team_b'), 0, 'emit: another account''s endpoints get nothing');
select results_eq(
  $$ select d.status, d.attempt, d.payload ->> 'type', d.payload -> 'data' ->> 'report_id', d.message_id ~ '^msg_[0-9a-f]{32}$'
     from reports.webhook_deliveries d where d.webhook_id = '00000000-0000-4000-e911-000000000001' $$,
  $$ values ('pending', 1, 'report.completed', 'x', true) $$,
  'emit: a pending first attempt with a Standard Webhooks payload {type, timestamp, data} and a msg_ id');
select results_eq(
  $$ select j.queue, j.account_id, j.payload ->> 'delivery_id' from public.jobs j
     join reports.webhook_deliveries d on j.idempotency_key = d.id::text
     where d.webhook_id = '00000000-0000-4000-e911-000000000001' $$,
  $$ select 'reports.webhooks'::text, tests.account_id('team-a'), d.id::text from reports.webhook_deliveries d
     where d.webhook_id = '00000000-0000-4000-e911-000000000001' $$,
  'emit: a job on reports.webhooks keyed by the delivery id');
select throws_ok($$ select private.reports_emit_event(tests.account_id('team-a'), 'report.deleted', '{}') $$, '22023', null, 'emit: unknown event');
select throws_ok($$ select private.reports_emit_event(tests.account_id('team-a'), 'report.completed', '[1]') $$, '22023', null, 'emit: data must be an object');
select throws_ok($$ select private.reports_emit_event(tests.account_id('team-a'), 'report.completed',
                          jsonb_build_object('big', repeat('x', 70000))) $$, '22023', null, 'emit: data over 64 KiB');
select is(tests.probe('owner', $$ select private.reports_emit_event(tests.account_id('team-a'), 'report.completed', '{}') $$), '42501',
  'emit: clients cannot call it');

-- ---------------------------------------------------------------- triggers
insert into reports.report_generations (id, account_id, input_params) values
  ('00000000-0000-4000-e911-000000000021', :'team_a', '{"cities": ["Austin"]}'),
  ('00000000-0000-4000-e911-000000000022', :'team_a', '{"cities": ["Austin"]}');
update reports.report_generations set status = 'processing' where id::text like '00000000-0000-4000-e911-00000000002%';
select is((select count(*)::int from reports.webhook_deliveries where payload -> 'data' ->> 'report_id' like '00000000-0000-4000-e911-%'), 0,
  'trigger: processing emits nothing');
update reports.report_generations set status = 'completed', generated_at = now(), html_url = 'a/b/report.html'
where id = '00000000-0000-4000-e911-000000000021';
update reports.report_generations set status = 'failed', error_message = 'not enough sales' where id = '00000000-0000-4000-e911-000000000022';
select results_eq(
  $$ select event, payload -> 'data' ->> 'status', payload -> 'data' -> 'formats', payload -> 'data' ->> 'error'
     from reports.webhook_deliveries where payload -> 'data' ->> 'report_id' like '00000000-0000-4000-e911-%' order by event $$,
  $$ values ('report.completed', 'completed', '["html"]'::jsonb, null::text), ('report.failed', 'failed', null, 'not enough sales') $$,
  'trigger: completed -> report.completed (formats, no paths), failed -> report.failed (the reason)');
update reports.report_generations set processing_time_ms = 5 where id = '00000000-0000-4000-e911-000000000021';
select is((select count(*)::int from reports.webhook_deliveries where payload -> 'data' ->> 'report_id' = '00000000-0000-4000-e911-000000000021'), 1,
  'trigger: a later update of a completed report emits nothing more');

insert into reports.schedules (id, account_id, city, cadence, send_hour) values ('00000000-0000-4000-e911-000000000031', :'team_a', 'Austin', 'daily', 8);
insert into reports.schedule_runs (id, schedule_id) values ('00000000-0000-4000-e911-000000000032', '00000000-0000-4000-e911-000000000031');
select is((select count(*)::int from reports.webhook_deliveries where event = 'schedule.run_failed' and account_id = :'team_a'), 0, 'trigger: a started run emits nothing');
update reports.schedule_runs set status = 'failed', error = 'mailer down', finished_at = now() where id = '00000000-0000-4000-e911-000000000032';
insert into reports.schedule_runs (schedule_id, status, error, finished_at) values ('00000000-0000-4000-e911-000000000031', 'failed', 'no data', now());
select results_eq(
  $$ select webhook_id, payload -> 'data' ->> 'error' from reports.webhook_deliveries where event = 'schedule.run_failed' and account_id = tests.account_id('team-a') order by 2 $$,
  $$ values ('00000000-0000-4000-e911-000000000002'::uuid, 'mailer down'), ('00000000-0000-4000-e911-000000000002'::uuid, 'no data') $$,
  'trigger: a run changed to failed, or inserted failed, emits schedule.run_failed');

-- ---------------------------------------------------------------- recording attempts
select d.id as first_id from reports.webhook_deliveries d where d.webhook_id = '00000000-0000-4000-e911-000000000001' and d.attempt = 1
  and d.payload -> 'data' ->> 'report_id' = 'x' \gset
select is(private.reports_webhook_record_attempt(null, 'w', :'first_id', 'failed', 500, 10, 'HTTP 500', null) ->> 'status', 'failed', 'record: a failure is failed');
select ok((select next_attempt_at - attempted_at between interval '4.5 seconds' and interval '5.5 seconds'
           from reports.webhook_deliveries where id = :'first_id'), 'record: the second attempt is due 5 s (±10%) later');
select results_eq(
  $$ select attempt, status, message_id from reports.webhook_deliveries where webhook_id = '00000000-0000-4000-e911-000000000001' and payload -> 'data' ->> 'report_id' = 'x' order by attempt $$,
  format($$ select a, s, (select message_id from reports.webhook_deliveries where id = %L) from (values (1, 'failed'), (2, 'pending')) v(a, s) $$, :'first_id'),
  'record: attempt 2 is pending with the same message id');
select is(private.reports_webhook_record_attempt(null, 'w', :'first_id', 'delivered', 200, 10, null, null) ->> 'status', 'skipped',
  'record: an attempt recorded already is skipped');
select throws_ok(format($$ select private.reports_webhook_record_attempt(null, 'w', %L, 'exploded') $$, :'first_id'), '22023', null, 'record: unknown outcome');
select is(tests.probe('owner', format($$ select private.reports_webhook_record_attempt(null, 'w', %L, 'delivered') $$, :'first_id')), '42501',
  'record: clients cannot call it');

-- ---------------------------------------------------------------- test and replay RPCs
select is(tests.probe('owner', $$ select reports.send_test_webhook('00000000-0000-4000-e911-000000000002') $$), 'rows=1', 'send_test_webhook: an owner may');
select is(tests.probe('admin', $$ select reports.send_test_webhook('00000000-0000-4000-e911-000000000002') $$), 'rows=1', 'send_test_webhook: an admin may');
select is(tests.probe('member', $$ select reports.send_test_webhook('00000000-0000-4000-e911-000000000002') $$), '42501', 'send_test_webhook: a member may not');
select is(tests.probe('rival', $$ select reports.send_test_webhook('00000000-0000-4000-e911-000000000002') $$), 'PT404',
  'send_test_webhook: another account''s endpoint does not exist for them');
select is(tests.probe('owner', $$ select reports.send_test_webhook('00000000-0000-4000-e911-000000000003') $$), 'PT409',
  'send_test_webhook: a disabled endpoint is PT409');
select is(tests.probe('owner', format($$ select reports.replay_webhook_delivery(%L) $$, :'first_id')), 'PT409',
  'replay: refused while an attempt of the message is pending');

select * from finish();
rollback;
