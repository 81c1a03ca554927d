-- reports.admin_daily_metrics: per UTC day, signups, reports generated
-- (completed market reports + property + consumer reports) and revenue per
-- currency (succeeded payments net of refunds). Platform admins (and the
-- backend) see the rows; members, strangers and anon see none.

begin;
select plan(12);

select tests.fixture() as team_a \gset
select tests.account_id('team-b') as team_b \gset
select (now() at time zone 'UTC')::date as today \gset

-- A known past day, so the counts are exact whatever else the database holds.
select '2001-02-03'::date as d \gset
update public.profiles set created_at = '2001-02-03 10:00+00'
where id in (tests.get_supabase_uid('member'), tests.get_supabase_uid('rival'));
insert into reports.report_generations (account_id, status, generated_at, created_at) values
  (:'team_a', 'completed', '2001-02-03 23:59+00', '2001-02-03 23:00+00'),
  (:'team_b', 'completed', '2001-02-03 00:00+00', '2001-02-02 23:00+00'),
  (:'team_a', 'pending', null, '2001-02-03 12:00+00');
insert into reports.report_generations (account_id, status, error_message, created_at) values
  (:'team_a', 'failed', 'no data', '2001-02-03 12:00+00');
insert into reports.property_reports (account_id, property_address, created_at) values (:'team_a', '1 Metric St', '2001-02-03 08:00+00');
insert into reports.consumer_reports (account_id, consent_given, consumer_email, property_address, created_at)
values (:'team_b', true, 'c@example.com', '2 Metric St', '2001-02-03 09:00+00');
insert into public.payments (account_id, purpose, amount, amount_refunded, currency, provider, status, processed_at, created_at) values
  (:'team_a', 'marketplace', 100.00, 0, 'USD', 'stripe', 'succeeded', '2001-02-03 10:00+00', '2001-02-03 09:00+00'),
  (:'team_b', 'marketplace', 50.00, 20.00, 'USD', 'stripe', 'partially_refunded', '2001-02-03 11:00+00', '2001-02-03 11:00+00'),
  (:'team_b', 'marketplace', 300.00, 0, 'ZAR', 'payfast', 'succeeded', '2001-02-03 12:00+00', '2001-02-03 12:00+00'),
  (:'team_a', 'marketplace', 999.00, 0, 'USD', 'stripe', 'failed', '2001-02-03 12:00+00', '2001-02-03 12:00+00'),
  (:'team_a', 'marketplace', 70.00, 70.00, 'USD', 'stripe', 'refunded', '2001-02-03 12:00+00', '2001-02-03 12:00+00');

select tests.authenticate_as('platform_admin');
select results_eq($$ select signups, reports_generated, market_reports, property_reports, consumer_reports, revenue
                     from reports.admin_daily_metrics where day = '2001-02-03' $$,
  $$ values (2, 4, 2, 1, 1, '{"USD": 130.00, "ZAR": 300.00}'::jsonb) $$,
  'a platform admin sees the day: 2 signups, 2 completed market + 1 property + 1 consumer report, revenue per currency');
select is((select count(*)::int from reports.admin_daily_metrics where day = '2001-02-02'), 0,
  'a report created the day before but completed on the day counts on the day it was generated');
select ok((select reports_generated >= 0 and signups >= 1 from reports.admin_daily_metrics where day = :'today'),
  'today is there too (the cast signed up today)');
select is((select count(*) from reports.admin_daily_metrics), (select count(distinct day) from reports.admin_daily_metrics),
  'one row per day');
select tests.clear_authentication();

select is(tests.probe('service_role', $$ select 1 from reports.admin_daily_metrics where day = '2001-02-03' $$), 'rows=1',
  'the backend sees the day');
select is(tests.probe('owner', $$ select 1 from reports.admin_daily_metrics $$), 'rows=0', 'an account owner sees no rows');
select is(tests.probe('admin', $$ select 1 from reports.admin_daily_metrics $$), 'rows=0', 'an account admin sees no rows');
select is(tests.probe('member', $$ select 1 from reports.admin_daily_metrics $$), 'rows=0', 'a member sees no rows');
select is(tests.probe('stranger', $$ select 1 from reports.admin_daily_metrics $$), 'rows=0', 'a stranger sees no rows');
select is(tests.probe('anon', $$ select 1 from reports.admin_daily_metrics $$), '42501', 'anon may not read it at all');
select ok((select 'security_invoker=true' = any (reloptions) from pg_class where oid = 'reports.admin_daily_metrics'::regclass),
  'the view runs with the caller''s rights');
select ok(tests.probe('platform_admin', $$ update reports.admin_daily_metrics set signups = 0 $$) !~ '^rows=',
  'nobody writes through it');

select * from finish();
rollback;
