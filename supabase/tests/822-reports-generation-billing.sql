-- Market report lifecycle and billing.
--   * who may request: owners, admins and members of the account; anon,
--     strangers, another team's owner and affiliates may not (42501);
--   * a request creates a pending row with normalised params, one usage unit
--     under key report:<id>, and one job on queue 'reports.render' whose
--     idempotency key is the report id; bad params are 22023 naming the field;
--   * the allowance: Free plan 5 a month, then PT402 and nothing created; an
--     account's monthly_report_limit_override replaces the quota; a plan with
--     overage bills the extra report at its price (billable = true);
--   * a repeated request with one idempotency_key returns the first report
--     and charges nothing; other params with that key are PT409;
--   * begin -> processing (resumable), complete / fail, the status machine
--     (PT409), generated_at / error_message / processing_time_ms; a retried
--     job, a repeated completion or a failure never charges again, and a
--     failed report's charge is given back (refunded once).

begin;
select plan(48);

select tests.fixture() as team \gset
select tests.account_id('team-b') as team_b \gset
select tests.create_supabase_user('rp_affiliate') as affiliate_user \gset
insert into public.account_memberships (account_id, user_id, role) values (:'team', :'affiliate_user', 'affiliate');

create temp table params on commit drop as
  select '{"cities": [" Austin ", "austin", "Denver"], "zip_codes": ["78701"], "period_start": "2026-10-01", "period_end": "2026-10-31", "formats": ["pdf", "html"]}'::jsonb as p;
grant select on params to anon, authenticated, service_role;

-- ---------------------------------------------------------------- who may request
select tests.authenticate_as_anon();
select throws_ok(format($$ select reports.request_market_report(%L, (select p from params)) $$, :'team'), '42501', null,
  'anon cannot request a report');
select tests.authenticate_as('stranger');
select throws_ok(format($$ select reports.request_market_report(%L, (select p from params)) $$, :'team'), '42501',
  'account_id: only owners, admins and members request reports', 'a stranger cannot');
select tests.authenticate_as('rival');
select throws_ok(format($$ select reports.request_market_report(%L, (select p from params)) $$, :'team'), '42501',
  'account_id: only owners, admins and members request reports', 'another team''s owner cannot');
select tests.authenticate_as('rp_affiliate');
select throws_ok(format($$ select reports.request_market_report(%L, (select p from params)) $$, :'team'), '42501',
  'account_id: only owners, admins and members request reports', 'an affiliate of the account cannot (a report is billed)');

select tests.authenticate_as('member');
select reports.request_market_report(:'team', (select p from params)) as r1 \gset
select tests.clear_authentication();

select is((select status from reports.report_generations where id = :'r1'), 'pending', 'a member''s request is pending');
select is((select input_params from reports.report_generations where id = :'r1'),
  '{"cities": ["Austin", "Denver"], "zip_codes": ["78701"], "period_start": "2026-10-01", "period_end": "2026-10-31", "formats": ["html", "pdf"]}'::jsonb,
  'with its params normalised (trimmed, each city once, formats in order)');
select is((select cities from reports.report_generations where id = :'r1'), array['Austin', 'Denver'], 'cities mirrored');
select is((select user_id from reports.report_generations where id = :'r1'), tests.get_supabase_uid('member'), 'by the member');
select is((select billable from reports.report_generations where id = :'r1'), false, 'within the allowance: not billable');
select results_eq(format($$ select units, billable, reference_id from public.usage_events
                            where account_id = %L and idempotency_key = 'report:' || %L $$, :'team', :'r1'),
  format($$ values (1, false, %L::text) $$, :'r1'), 'one unit of usage under report:<id>');
select results_eq(format($$ select queue, payload, idempotency_key, account_id from public.jobs where idempotency_key = %L $$, :'r1'),
  format($$ values ('reports.render'::text, jsonb_build_object('kind', 'market_report', 'id', %L::uuid), %L::text, %L::uuid) $$, :'r1', :'r1', :'team'),
  'one job on queue reports.render, keyed by the report id');

-- ---------------------------------------------------------------- bad params
select tests.authenticate_as('owner');
select throws_ok(format($$ select reports.request_market_report(%L, '{"cities": ["A"], "period_start": "2026-10-01", "period_end": "2026-10-31", "colour": "red"}') $$, :'team'),
  '22023', 'colour: not a market report parameter', 'an unknown parameter is refused by name');
select throws_ok(format($$ select reports.request_market_report(%L, '{"cities": ["A"], "period_start": "2026-02-30", "period_end": "2026-10-31"}') $$, :'team'),
  '22023', 'period_start: must be a date (YYYY-MM-DD)', 'a date that does not exist');
select throws_ok(format($$ select reports.request_market_report(%L, '{"cities": "Austin", "period_start": "2026-10-01", "period_end": "2026-10-31"}') $$, :'team'),
  '22023', 'cities: must be an array of strings', 'cities must be a list');
select throws_ok(format($$ select reports.request_market_report(%L, '{"period_start": "2026-10-01", "period_end": "2026-10-31"}') $$, :'team'),
  '22023', 'cities: give at least one city or ZIP code', 'no area');
select throws_ok(format($$ select reports.request_market_report(%L, '{"cities": ["A"], "period_start": "2026-10-01", "period_end": "2026-09-30"}') $$, :'team'),
  '22023', 'period_end: must be on or after period_start', 'a period ending before it starts');
select throws_ok(format($$ select reports.request_market_report(%L, '{"cities": ["A"], "period_start": "2026-10-01", "period_end": "2026-10-31", "formats": ["docx"]}') $$, :'team'),
  '22023', 'formats: one or more of html, json, csv, pdf', 'an unknown format');
select throws_ok(format($$ select reports.request_market_report(%L, jsonb_build_object('cities', array['A'], 'period_start', current_date + 1, 'period_end', current_date + 2)) $$, :'team'),
  '22023', 'period_start: must not be in the future', 'a period that has not begun');
select throws_ok(format($$ select reports.request_market_report(%L, '[1]') $$, :'team'),
  '22023', 'params: must be an object', 'params must be an object');

-- ---------------------------------------------------------------- the allowance (Free: 5 a month)
select is((select count(*)::int from (select reports.request_market_report(:'team', (select p from params)) from generate_series(1, 4)) s), 4,
  'four more reports: five this month');
select throws_ok(format($$ select reports.request_market_report(%L, (select p from params)) $$, :'team'), 'PT402', null,
  'the sixth is refused: 402, the Free allowance is used up');
select is((select count(*)::int from reports.report_generations where account_id = :'team'), 5, 'and no report was created for it');
select is((select count(*)::int from public.usage_events where account_id = :'team' and feature = 'reports.market_report'), 5,
  'nor any usage');

select tests.clear_authentication();
update public.accounts set monthly_report_limit_override = 6 where id = :'team';
select tests.authenticate_as('owner');
select is((public.check_entitlement(:'team', 'reports.market_report') ->> 'quota')::int, 6, 'the account''s override is its quota');
select isnt(reports.request_market_report(:'team', (select p from params)), null, 'so a sixth report is allowed');
select throws_ok(format($$ select reports.request_market_report(%L, (select p from params)) $$, :'team'), 'PT402', null,
  'and a seventh is not (Free sells no overage)');
select tests.clear_authentication();
update public.accounts set monthly_report_limit_override = 0 where id = :'team';
select is((public.check_entitlement(:'team', 'reports.market_report') ->> 'allowed')::boolean, false,
  'an override of 0 allows none, below the plan''s 5');
update public.accounts set monthly_report_limit_override = null where id = :'team';

-- Overage: team-b on Reports Team (250 a month, then $0.40), its override 1.
select count(*) from private.billing_upsert_subscription('stripe', 'sub_rp_team_b', :'team_b',
  (select id from public.plans where code = 'reports_team'), 'active', now(), 'month', now() - interval '1 day', now() + interval '29 days');
update public.accounts set monthly_report_limit_override = 1 where id = :'team_b';
select tests.authenticate_as('rival');
select reports.request_market_report(:'team_b', (select p from params)) as b1 \gset
select reports.request_market_report(:'team_b', (select p from params)) as b2 \gset
select tests.clear_authentication();
select is((select billable from reports.report_generations where id = :'b1'), false, 'the first is within the allowance');
select is((select billable from reports.report_generations where id = :'b2'), true, 'the second is billed as overage');
select results_eq(format($$ select billable, unit_price, amount, currency::text from public.usage_events where idempotency_key = 'report:' || %L $$, :'b2'),
  $$ values (true, 0.40::numeric, 0.40::numeric, 'USD') $$, 'at the plan''s overage price');

-- ---------------------------------------------------------------- one request, one charge
select tests.authenticate_as('rival');
select reports.request_market_report(:'team_b', (select p || '{"idempotency_key": "retry-1"}' from params)) as k1 \gset
select is(reports.request_market_report(:'team_b', (select p || '{"idempotency_key": "retry-1"}' from params)), :'k1'::uuid,
  'the same idempotency key returns the first report');
select throws_ok(format($$ select reports.request_market_report(%L, (select p || '{"idempotency_key": "retry-1", "formats": ["csv"]}' from params)) $$, :'team_b'),
  'PT409', 'idempotency_key: already used for a report with other params', 'the key cannot be reused for other params');
select tests.clear_authentication();
select is((select count(*)::int from public.usage_events where account_id = :'team_b' and reference_id = :'k1'), 1, 'charged once');

-- ---------------------------------------------------------------- the lifecycle
select tests.authenticate_as_service_role();
select is(private.reports_begin_generation(:'r1') ->> 'id', :'r1', 'begin returns the params with the report id');
select is((select status from reports.report_generations where id = :'r1'), 'processing', 'pending -> processing');
select is(private.reports_begin_generation(:'r1') ->> 'period_end', '2026-10-31', 'a retried job resumes a processing report');
select throws_ok(format($$ select private.reports_complete_generation(%L, '{"pdf": "%s/%s/report.pdf"}', 10) $$, :'r1', :'team_b', :'r1'),
  '22023', null, 'an object path of another account is refused');
select lives_ok(format($$ select private.reports_complete_generation(%L, '{"html_url": "%s/%s/report.html", "pdf": "%s/%s/report.pdf"}', 1234) $$,
  :'r1', :'team', :'r1', :'team', :'r1'), 'completes with its object paths');
select results_eq(format($$ select status, html_url, pdf_url, json_url, processing_time_ms, generated_at is not null from reports.report_generations where id = %L $$, :'r1'),
  format($$ values ('completed'::text, %L::text, %L::text, null::text, 1234, true) $$, :'team' || '/' || :'r1' || '/report.html', :'team' || '/' || :'r1' || '/report.pdf'),
  'completed: paths, time taken, generated_at');
select lives_ok(format($$ select private.reports_complete_generation(%L, '{}', 1) $$, :'r1'), 'a repeated completion changes nothing');
select throws_ok(format($$ select private.reports_begin_generation(%L) $$, :'r1'), 'PT409', null, 'a completed report cannot begin again');
select throws_ok(format($$ select private.reports_fail_generation(%L, 'late') $$, :'r1'), 'PT409', null, 'nor fail');

select id as r2 from reports.report_generations where account_id = :'team' and status = 'pending' order by created_at, id limit 1 \gset
select private.reports_begin_generation(:'r2');
select private.reports_fail_generation(:'r2', 'renderer crashed');
select results_eq(format($$ select status, error_message, generated_at is null from reports.report_generations where id = %L $$, :'r2'),
  $$ values ('failed'::text, 'renderer crashed'::text, true) $$, 'failed, with why');
select results_eq(format($$ select count(*)::int, bool_and(refunded_at is not null), min(refund_reason) from public.usage_events where reference_id = %L $$, :'r2'),
  $$ values (1, true, 'report failed: renderer crashed'::text) $$,
  'the failed report''s one usage event is refunded (20261202401100), with the error');
select ok((select refunded_at is null from public.usage_events where reference_id = :'r1'),
  'a completed report keeps its charge');

select tests.clear_authentication();
select throws_ok(format($$ update reports.report_generations set status = 'pending' where id = %L $$, :'r2'), 'PT409',
  'status: a report cannot go from failed to pending', 'the status machine holds even for the table owner');
select tests.authenticate_as_service_role();
select throws_ok(format($$ insert into reports.report_generations (account_id, status, generated_at) values (%L, 'completed', now()) $$, :'team'),
  'PT409', 'status: a report starts pending', 'the backend cannot insert a finished report');

select tests.authenticate_as('owner');
select throws_ok(format($$ select private.reports_begin_generation(%L) $$, :'r1'), '42501', null, 'users cannot drive the lifecycle');

select * from finish();
rollback;
