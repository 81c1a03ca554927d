-- Schedules run by the database: next_run_at computed on insert/update (a
-- client's value ignored), the dispatcher with a moved clock (one run per due
-- time, a report created and billed through private.reports_create_generation,
-- next_run_at advanced past the clock), the run settled by its report,
-- failures counted, the schedule paused at the threshold with owners and
-- admins notified, the mail job enqueued once on completion.
begin;
select plan(32);

select tests.fixture() as team_a \gset
update public.accounts set time_zone = 'America/New_York' where id = :'team_a';
-- Enough report quota for the runs below, whatever plan team-a is on.
update public.accounts set monthly_report_limit_override = 1000 where id = :'team_a';

-- ---------------------------------------------------------------- next_run_at is the database's
select tests.authenticate_as('owner');
insert into reports.schedules (account_id, city, cadence, send_hour, send_minute, recipients)
values (:'team_a', 'Springfield', 'daily', 9, 30, array['reader@example.com', 'Other.Reader@Example.com'])
returning id as daily \gset
select tests.clear_authentication();

select is((select next_run_at from reports.schedules where id = :'daily'),
  private.reports_next_run_at('daily', null, null, 9, 30, 'America/New_York', now()),
  'insert: next_run_at is the first 09:30 New York time after now');
select is((select time_zone from reports.schedules where id = :'daily'), 'America/New_York', 'the account''s zone by default');

select throws_ok($$ select tests.authenticate_as('owner');
  update reports.schedules set next_run_at = now() - interval '1 day' where city = 'Springfield' $$,
  '42501', null, 'clients cannot write next_run_at');
select tests.clear_authentication();

-- Even the backend's direct writes are recomputed, outside the dispatcher.
update reports.schedules set next_run_at = '2000-01-01Z' where id = :'daily';
select isnt((select next_run_at from reports.schedules where id = :'daily'), '2000-01-01Z'::timestamptz,
  'a direct write of next_run_at is ignored');

select tests.authenticate_as('admin');
update reports.schedules set send_hour = 18 where id = :'daily';
select tests.clear_authentication();
select is((select next_run_at from reports.schedules where id = :'daily'),
  private.reports_next_run_at('daily', null, null, 18, 30, 'America/New_York', now()),
  'changing the time recomputes next_run_at');

select throws_ok($$ insert into reports.schedules (account_id, city, cadence, weekly_dow, send_hour, recipients)
  values (tests.account_id('team-a'), 'X', 'weekly', 9, 9, '{}') $$, '23514', null,
  'a bad weekly day is refused by the table');

-- ---------------------------------------------------------------- dispatching with a moved clock
select next_run_at as due1 from reports.schedules where id = :'daily' \gset
select is(private.reports_dispatch_due_schedules(:'due1'::timestamptz - interval '1 second'), 0, 'not due a second early');
select is(private.reports_dispatch_due_schedules(:'due1'::timestamptz + interval '30 seconds'), 1, 'due: one run started');
select is(private.reports_dispatch_due_schedules(:'due1'::timestamptz + interval '40 seconds'), 0, 'the same due time never runs twice');

select is((select count(*)::int from reports.schedule_runs where schedule_id = :'daily'), 1, 'one run');
select is((select status from reports.schedule_runs where schedule_id = :'daily'), 'started', 'started');
select is((select due_at from reports.schedule_runs where schedule_id = :'daily'), :'due1'::timestamptz, 'for that due time');
select report_run_id as report1 from reports.schedule_runs where schedule_id = :'daily' \gset
select is((select status from reports.report_generations where id = :'report1'), 'pending', 'the run''s report is pending');
select ok((select input_params ? 'period_start' and input_params -> 'cities' = '["Springfield"]'::jsonb
  from reports.report_generations where id = :'report1'), 'the report asks for the schedule''s area and a period');
select is((select next_run_at from reports.schedules where id = :'daily'),
  private.reports_next_run_at('daily', null, null, 18, 30, 'America/New_York', :'due1'::timestamptz + interval '30 seconds'),
  'next_run_at moved past the clock');
select is((select last_run_at from reports.schedules where id = :'daily'), :'due1'::timestamptz + interval '30 seconds', 'last_run_at is the clock');

-- A far-moved clock (the dispatcher was down for days) runs once, not once per missed day.
select next_run_at as due2 from reports.schedules where id = :'daily' \gset
select private.reports_dispatch_due_schedules(:'due2'::timestamptz + interval '5 days');
select is((select count(*)::int from reports.schedule_runs where schedule_id = :'daily'), 2, 'five days late: one catch-up run, not five');
select ok((select next_run_at > :'due2'::timestamptz + interval '5 days' from reports.schedules where id = :'daily'),
  'and the next due time is after the clock');

-- ---------------------------------------------------------------- the report settles the run
select private.reports_begin_generation(:'report1');
select private.reports_complete_generation(:'report1', jsonb_build_object('pdf', :'team_a' || '/' || :'report1' || '/report.pdf'), 1200);
select is((select status from reports.schedule_runs where report_run_id = :'report1'), 'completed', 'report completed: run completed');
select ok((select finished_at is not null from reports.schedule_runs where report_run_id = :'report1'), 'with its finish time');
select is((select count(*)::int from public.jobs j join reports.schedule_runs r on j.payload ->> 'schedule_run_id' = r.id::text
  where j.queue = 'reports.mail' and r.report_run_id = :'report1'), 1, 'one mail job for the run');
select lives_ok($$ select private.reports_schedule_run_settle(
  (select id from reports.schedule_runs where report_run_id = $$ || quote_literal(:'report1') || $$), false, 'late') $$,
  'settling again is a no-op');
select is((select status from reports.schedule_runs where report_run_id = :'report1'), 'completed', 'a run settles once');

-- ---------------------------------------------------------------- failures count, pause and notify
select report_run_id as report2 from reports.schedule_runs where schedule_id = :'daily' and report_run_id <> :'report1' \gset
select private.reports_begin_generation(:'report2');
select private.reports_fail_generation(:'report2', 'no data');
select is((select consecutive_failures from reports.schedules where id = :'daily'), 1, 'a failure counts');
select is((select error from reports.schedule_runs where report_run_id = :'report2'), 'no data', 'the run says why');

-- Two more failures in a row pause it.
select next_run_at as due3 from reports.schedules where id = :'daily' \gset
select private.reports_dispatch_due_schedules(:'due3'::timestamptz + interval '1 minute');
select report_run_id as report3 from reports.schedule_runs where schedule_id = :'daily' and due_at = :'due3'::timestamptz \gset
select private.reports_begin_generation(:'report3');
select private.reports_fail_generation(:'report3', 'renderer down');
select is((select active from reports.schedules where id = :'daily'), true, 'two failures: still active');
select next_run_at as due4 from reports.schedules where id = :'daily' \gset
select private.reports_dispatch_due_schedules(:'due4'::timestamptz + interval '1 minute');
select report_run_id as report4 from reports.schedule_runs where schedule_id = :'daily' and due_at = :'due4'::timestamptz \gset
select private.reports_begin_generation(:'report4');
select private.reports_fail_generation(:'report4', 'renderer down');
select is((select (active, consecutive_failures)::text from reports.schedules where id = :'daily'), '(f,3)',
  'three in a row: paused');
select is((select array_agg(distinct n.user_id order by n.user_id) from public.notifications n
  where n.type = 'report_schedule_paused' and n.data ->> 'schedule_id' = :'daily'),
  (select array_agg(m.user_id order by m.user_id) from public.account_memberships m
   where m.account_id = :'team_a' and m.role in ('owner', 'admin')),
  'the owners and admins are notified (and nobody else)');
select is((select product from public.notifications where type = 'report_schedule_paused' and data ->> 'schedule_id' = :'daily' limit 1),
  'reports', 'as a reports notification');
select private.reports_dispatch_due_schedules(:'due4'::timestamptz + interval '30 days');
select is((select count(*)::int from reports.schedule_runs where schedule_id = :'daily'), 4, 'a paused schedule is not dispatched');

-- Switched back on: a fresh count and a fresh due time.
select tests.authenticate_as('owner');
update reports.schedules set active = true where id = :'daily';
select tests.clear_authentication();
select is((select consecutive_failures from reports.schedules where id = :'daily'), 0, 'reactivated: the count starts again');

-- A success resets the count (two failures set as the dispatcher would, due far ahead of the moved clocks).
select set_config('reports.dispatching', 'on', true);
update reports.schedules set consecutive_failures = 2, next_run_at = '2031-01-01 23:30Z' where id = :'daily';
select set_config('reports.dispatching', 'off', true);
select next_run_at as due5 from reports.schedules where id = :'daily' \gset
select private.reports_dispatch_due_schedules(:'due5'::timestamptz + interval '1 minute');
select report_run_id as report5 from reports.schedule_runs where schedule_id = :'daily' and due_at = :'due5'::timestamptz \gset
select private.reports_begin_generation(:'report5');
select private.reports_complete_generation(:'report5', '{}'::jsonb, 10);
select is((select consecutive_failures from reports.schedules where id = :'daily'), 0, 'a completed run resets the count');

select * from finish();
rollback;
