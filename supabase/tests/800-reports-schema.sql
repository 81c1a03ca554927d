-- reports (seed 004), the shape: the twelve part-1 tables with every seed
-- column (plus schedules.time_zone and consumer_reports.account_id), the
-- listed values and ranges the database enforces, the seed's unique keys, an
-- index for every foreign key, the updated_at triggers, the schedule's time
-- zone from its account, branding only for affiliates, the render queue.

begin;
select plan(61);

select tests.fixture() as team_a \gset
select tests.account_id('team-b') as team_b \gset
update public.accounts set time_zone = 'America/Chicago' where id = :'team_a';

-- ---------------------------------------------------------------- tables and columns
select is_empty($$ select unnest(array['report_generations', 'schedules', 'schedule_runs', 'property_reports',
  'property_report_stats', 'property_report_stats_daily', 'consumer_reports', 'report_analytics', 'email_log',
  'email_suppressions', 'sms_logs', 'affiliate_branding'])
  except select tablename::text from pg_tables where schemaname = 'reports' $$, 'the twelve part-1 tables exist');
select is_empty($$ select unnest(array['leads', 'blocked_ips', 'lead_rate_limits', 'contacts', 'contact_groups',
  'contact_group_members', 'api_keys', 'webhooks', 'webhook_deliveries'])
  except select tablename::text from pg_tables where schemaname = 'reports' $$, 'the nine part-2 tables exist (leads: 870, contacts: 880, api_keys: 890, webhooks: 910)');

create temp table seed_columns (t text, c text);
insert into seed_columns
select 'report_generations', unnest(array['id', 'account_id', 'user_id', 'report_type', 'input_params', 'cities', 'status',
  'html_url', 'json_url', 'csv_url', 'pdf_url', 'error_message', 'processing_time_ms', 'billable', 'generated_at', 'created_at', 'updated_at'])
union all select 'schedules', unnest(array['id', 'account_id', 'report_type', 'city', 'zip_codes', 'cadence', 'weekly_dow',
  'monthly_dom', 'send_hour', 'send_minute', 'recipients', 'filters', 'active', 'consecutive_failures', 'last_run_at',
  'next_run_at', 'created_at', 'updated_at', 'time_zone'])
union all select 'schedule_runs', unnest(array['id', 'schedule_id', 'report_run_id', 'status', 'error', 'started_at', 'finished_at'])
union all select 'property_reports', unnest(array['id', 'account_id', 'user_id', 'report_type', 'theme', 'property_address',
  'property_city', 'property_state', 'property_zip', 'apn', 'sitex_data', 'comparables', 'pdf_url', 'status', 'short_code',
  'qr_code_url', 'view_count', 'unique_visitors', 'is_active', 'expires_at', 'selected_pages', 'created_at', 'updated_at'])
union all select 'property_report_stats', unnest(array['id', 'property_report_id', 'total_views', 'unique_views', 'total_leads', 'updated_at'])
union all select 'property_report_stats_daily', unnest(array['id', 'property_report_id', 'date', 'views', 'unique_views', 'leads'])
union all select 'consumer_reports', unnest(array['id', 'agent_id', 'agent_code', 'consumer_phone', 'consumer_email',
  'consent_given', 'property_address', 'property_city', 'property_state', 'property_zip', 'property_data', 'comparables',
  'market_stats', 'value_estimate', 'status', 'pdf_url', 'view_count', 'unique_views', 'created_at', 'updated_at', 'account_id'])
union all select 'report_analytics', unnest(array['id', 'report_id', 'event_type', 'event_data', 'session_id', 'device_type', 'created_at'])
union all select 'email_log', unnest(array['id', 'account_id', 'schedule_id', 'report_id', 'provider', 'to_emails', 'subject',
  'response_code', 'error', 'created_at'])
union all select 'email_suppressions', unnest(array['id', 'account_id', 'email', 'reason', 'created_at'])
union all select 'sms_logs', unnest(array['id', 'account_id', 'lead_id', 'to_phone', 'from_phone', 'message', 'status', 'twilio_sid', 'created_at'])
union all select 'affiliate_branding', unnest(array['account_id', 'brand_display_name', 'logo_url', 'primary_color', 'accent_color',
  'created_at', 'updated_at']);

select is_empty($$ select t || '.' || c from seed_columns
  except select table_name::text || '.' || column_name::text from information_schema.columns where table_schema = 'reports' $$,
  'every seed column (and the two added ones) exists');
select is((select count(*)::int from seed_columns), 137, 'the seed''s 135 columns plus time_zone and account_id');
select is_empty($$ select c.table_name || '.' || c.column_name from information_schema.columns c
  where c.table_schema = 'reports' and (c.column_name like '%\_at' or c.column_name = 'date') and c.data_type not in ('timestamp with time zone', 'date') $$,
  'every time is a timestamptz (and the daily date a date)');
select is_empty($$ select c.table_name || '.' || c.column_name from information_schema.columns c
  where c.table_schema = 'reports' and c.column_name ~ '(^id|_id)$' and c.column_name <> 'session_id'
    -- webhook_deliveries.message_id is the Standard Webhooks webhook-id (msg_...), text by the spec
    and (c.table_name, c.column_name) <> ('webhook_deliveries', 'message_id') and c.data_type <> 'uuid' $$,
  'every id is a uuid');
select is_empty($$ select c.table_name || '.' || c.column_name || ' ' || c.data_type from information_schema.columns c
  join seed_columns s on s.t = c.table_name and s.c = c.column_name
  where c.table_schema = 'reports' and c.column_name in ('status', 'report_type', 'cadence', 'event_type', 'reason', 'device_type')
    and c.data_type <> 'text' $$,
  'listed-values columns keep type text (checked, not enums)');

select col_is_fk('reports', 'report_generations', 'account_id', 'report_generations.account_id references accounts');
select fk_ok('reports', 'consumer_reports', 'account_id', 'public', 'accounts', 'id', 'consumer_reports.account_id -> public.accounts');
select fk_ok('reports', 'consumer_reports', 'agent_id', 'public', 'profiles', 'id', 'consumer_reports.agent_id -> public.profiles');
select fk_ok('reports', 'schedule_runs', 'report_run_id', 'reports', 'report_generations', 'id', 'schedule_runs.report_run_id -> report_generations');
select fk_ok('reports', 'report_analytics', 'report_id', 'reports', 'consumer_reports', 'id', 'report_analytics.report_id -> consumer_reports');
select fk_ok('reports', 'sms_logs', 'lead_id', 'reports', 'leads', 'id', 'sms_logs.lead_id -> leads (issue 13)');
select col_is_pk('reports', 'affiliate_branding', 'account_id', 'affiliate_branding is keyed by the affiliate account');

-- Every foreign key column leads some index (deletes of a parent and the policies use them).
select is_empty($$
  select c.conrelid::regclass::text || '.' || a.attname
  from pg_constraint c
  join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
  where c.contype = 'f' and c.connamespace = 'reports'::regnamespace
    and not exists (select 1 from pg_index i where i.indrelid = c.conrelid and i.indkey[0] = c.conkey[1]) $$,
  'every foreign key column has an index');

select is_empty($$ select unnest(array['report_generations', 'schedules', 'property_reports', 'consumer_reports', 'affiliate_branding',
  'property_report_stats']) except
  select c.relname::text from pg_trigger t join pg_class c on c.oid = t.tgrelid
  where c.relnamespace = 'reports'::regnamespace and t.tgfoid = 'private.set_updated_at()'::regprocedure $$,
  'the seed''s updated_at triggers (and the stats'')');
select results_eq($$ select worker_function from public.job_queues where queue = 'reports.render' $$,
  $$ values ('report-generate'::text) $$, 'the render queue reports.render is drained by report-generate');

-- ---------------------------------------------------------------- report_generations
select throws_ok(format($$ insert into reports.report_generations (account_id, status) values (%L, 'done') $$, :'team_a'),
  '23514', null, 'status is one of pending, processing, completed, failed');
select throws_ok(format($$ insert into reports.report_generations (account_id, report_type) values (%L, 'weekly') $$, :'team_a'),
  '23514', null, 'report_type is market, property or consumer');
select throws_ok(format($$ insert into reports.report_generations (account_id, status) values (%L, 'failed') $$, :'team_a'),
  '23514', null, 'a failed generation says why');
select throws_ok(format($$ insert into reports.report_generations (account_id, status) values (%L, 'completed') $$, :'team_a'),
  '23514', null, 'a completed generation says when');
select throws_ok(format($$ insert into reports.report_generations (account_id, input_params) values (%L, '{"cities": "Austin"}') $$, :'team_a'),
  '22023', 'input_params: cities must be an array of names', 'input_params.cities must be an array');
insert into reports.report_generations (id, account_id, input_params)
values ('00000000-0000-4000-e800-000000000001', :'team_a', '{"cities": ["Austin", "Round Rock"], "period_start": "2026-01-01"}');
select is((select cities from reports.report_generations where id = '00000000-0000-4000-e800-000000000001'),
  array['Austin', 'Round Rock'], 'cities mirrors input_params.cities on insert');
update reports.report_generations set input_params = '{"cities": ["Dallas"]}', updated_at = '2000-01-01'
where id = '00000000-0000-4000-e800-000000000001';
select is((select cities from reports.report_generations where id = '00000000-0000-4000-e800-000000000001'),
  array['Dallas'], 'and on update');
select ok((select updated_at > '2000-01-02' from reports.report_generations where id = '00000000-0000-4000-e800-000000000001'),
  'updated_at is set by the database on update');

-- ---------------------------------------------------------------- schedules
select $q$ insert into reports.schedules (account_id, city, cadence, weekly_dow, monthly_dom, send_hour, send_minute) values $q$ as ins \gset
select throws_ok(format(:'ins' || $$ (%L, 'Austin', 'hourly', null, null, 8, 0) $$, :'team_a'), '23514', null, 'cadence is daily, weekly or monthly');
select throws_ok(format(:'ins' || $$ (%L, 'Austin', 'weekly', null, null, 8, 0) $$, :'team_a'), '23514', null, 'weekly needs weekly_dow');
select throws_ok(format(:'ins' || $$ (%L, 'Austin', 'monthly', null, null, 8, 0) $$, :'team_a'), '23514', null, 'monthly needs monthly_dom');
select throws_ok(format(:'ins' || $$ (%L, 'Austin', 'daily', 3, null, 8, 0) $$, :'team_a'), '23514', null, 'daily takes no weekly_dow');
select throws_ok(format(:'ins' || $$ (%L, 'Austin', 'weekly', 7, null, 8, 0) $$, :'team_a'), '23514', null, 'weekly_dow is 0-6');
select throws_ok(format(:'ins' || $$ (%L, 'Austin', 'monthly', null, 0, 8, 0) $$, :'team_a'), '23514', null, 'monthly_dom is at least 1');
select throws_ok(format(:'ins' || $$ (%L, 'Austin', 'monthly', null, 32, 8, 0) $$, :'team_a'), '23514', null, 'monthly_dom is at most 31');
select throws_ok(format(:'ins' || $$ (%L, 'Austin', 'daily', null, null, 24, 0) $$, :'team_a'), '23514', null, 'send_hour is 0-23');
select throws_ok(format(:'ins' || $$ (%L, 'Austin', 'daily', null, null, 8, 60) $$, :'team_a'), '23514', null, 'send_minute is 0-59');
select throws_ok(format(:'ins' || $$ (%L, null, 'daily', null, null, 8, 0) $$, :'team_a'), '23514', null, 'a schedule names a city or ZIP codes');
select lives_ok(format(:'ins' || $$ (%L, 'Austin', 'monthly', null, 31, 23, 59), (%L, 'Austin', 'weekly', 0, null, 0, 0) $$, :'team_a', :'team_a'),
  'the edges of every range are accepted');
insert into reports.schedules (id, account_id, city, cadence, send_hour)
values ('00000000-0000-4000-e800-000000000010', :'team_a', 'Austin', 'daily', 7),
       ('00000000-0000-4000-e800-000000000011', :'team_b', 'Austin', 'daily', 7);
select results_eq($$ select time_zone from reports.schedules where id::text like '00000000-0000-4000-e800-00000000001%' order by id $$,
  $$ values ('America/Chicago'::text), ('UTC') $$, 'a schedule''s time zone defaults to its account''s');
select throws_ok(format($$ insert into reports.schedules (account_id, city, cadence, send_hour, time_zone) values (%L, 'Austin', 'daily', 7, 'Mars/Olympus') $$, :'team_a'),
  '22023', 'time_zone: unknown time zone "Mars/Olympus"', 'an unknown time zone is refused naming the field');
select throws_ok(format($$ insert into reports.schedules (account_id, city, cadence, send_hour, recipients) values (%L, 'Austin', 'daily', 7, array['ok@example.com', 'not-an-address']) $$, :'team_a'),
  '22023', 'recipients: "not-an-address" is not an email address', 'every recipient must be an email address');
select throws_ok(format($$ insert into reports.schedules (account_id, zip_codes, cadence, send_hour) values (%L, array['78701', '<script>'], 'daily', 7) $$, :'team_a'),
  '22023', 'zip_codes: "<script>" is not a postal code', 'every ZIP code must look like one');

-- ---------------------------------------------------------------- property reports and stats
select throws_ok(format($$ insert into reports.property_reports (account_id, property_address, theme) values (%L, '1 Main St', 6) $$, :'team_a'),
  '23514', null, 'theme is 1-5');
select throws_ok(format($$ insert into reports.property_reports (account_id, property_address, selected_pages) values (%L, '1 Main St', '["cover", "secrets"]') $$, :'team_a'),
  '23514', null, 'selected_pages come from the page list');
select throws_ok(format($$ insert into reports.property_reports (account_id, property_address, short_code) values (%L, '1 Main St', 'ABCDEF0O') $$, :'team_a'),
  '23514', null, 'a short code never uses 0 or O (nor 1, I, L)');
select throws_ok(format($$ insert into reports.property_reports (account_id, property_address, view_count, unique_visitors) values (%L, '1 Main St', 1, 2) $$, :'team_a'),
  '23514', null, 'unique visitors never exceed views');
insert into reports.property_reports (id, account_id, property_address, short_code)
values ('00000000-0000-4000-e800-000000000020', :'team_a', '1 Main St', 'ABCDEFGH');
select throws_ok(format($$ insert into reports.property_reports (account_id, property_address, short_code) values (%L, '2 Main St', 'ABCDEFGH') $$, :'team_a'),
  '23505', null, 'short_code is unique');
insert into reports.property_report_stats (property_report_id) values ('00000000-0000-4000-e800-000000000020');
select throws_ok($$ insert into reports.property_report_stats (property_report_id) values ('00000000-0000-4000-e800-000000000020') $$,
  '23505', null, 'one stats row per property report');
insert into reports.property_report_stats_daily (property_report_id, date) values ('00000000-0000-4000-e800-000000000020', '2026-12-01');
select throws_ok($$ insert into reports.property_report_stats_daily (property_report_id, date) values ('00000000-0000-4000-e800-000000000020', '2026-12-01') $$,
  '23505', null, 'one daily row per property report and date');

-- ---------------------------------------------------------------- consumer reports and analytics
select throws_ok(format($$ insert into reports.consumer_reports (account_id, consumer_email, property_address) values (%L, 'c@example.com', '1 Main St') $$, :'team_a'),
  '23514', null, 'no consumer report without consent');
select throws_ok(format($$ insert into reports.consumer_reports (account_id, consent_given, property_address) values (%L, true, '1 Main St') $$, :'team_a'),
  '23514', null, 'no consumer report without a phone or email');
select throws_ok(format($$ insert into reports.consumer_reports (account_id, consent_given, consumer_phone, property_address) values (%L, true, '555-1234', '1 Main St') $$, :'team_a'),
  '23514', null, 'a phone is E.164');
insert into reports.consumer_reports (id, account_id, consent_given, consumer_phone, property_address)
values ('00000000-0000-4000-e800-000000000030', :'team_a', true, '+15125550100', '1 Main St');
select throws_ok($$ insert into reports.report_analytics (report_id, event_type) values ('00000000-0000-4000-e800-000000000030', 'purchase') $$,
  '23514', null, 'event_type is open, page_view, cta_click or share');
select throws_ok(format($$ insert into reports.report_analytics (report_id, event_type, event_data) values ('00000000-0000-4000-e800-000000000030', 'open', %L) $$,
  jsonb_build_object('blob', repeat('x', 3000))), '23514', null, 'event_data is capped');

-- ---------------------------------------------------------------- messaging
insert into reports.email_suppressions (account_id, email) values (:'team_a', ' Someone@Example.com ');
select is((select email from reports.email_suppressions where account_id = :'team_a'), 'someone@example.com',
  'a suppressed address is stored trimmed and lower-cased');
select throws_ok(format($$ insert into reports.email_suppressions (account_id, email) values (%L, 'SOMEONE@example.com') $$, :'team_a'),
  '23505', null, 'one suppression per account and address, whatever the case');
insert into reports.email_suppressions (account_id, email, reason) values (null, 'global@example.com', 'complaint');
select throws_ok($$ insert into reports.email_suppressions (account_id, email, reason) values (null, 'GLOBAL@example.com', 'bounce') $$,
  '23505', null, 'one global suppression per address (account_id null is not distinct)');
select throws_ok(format($$ insert into reports.email_suppressions (account_id, email, reason) values (%L, 'x@example.com', 'angry') $$, :'team_a'),
  '23514', null, 'reason is unsubscribe, bounce, complaint or manual');
select throws_ok(format($$ insert into reports.sms_logs (account_id, to_phone, status) values (%L, '+15125550100', 'lost') $$, :'team_a'),
  '23514', null, 'an SMS status is a known one');
select throws_ok(format($$ insert into reports.sms_logs (account_id, lead_id, to_phone) values (%L, extensions.gen_random_uuid(), '+15125550100') $$, :'team_a'),
  '23503', null, 'lead_id names a lead (issue 13)');

-- ---------------------------------------------------------------- branding
select throws_ok(format($$ insert into reports.affiliate_branding (account_id, brand_display_name) values (%L, 'Team A') $$, :'team_a'),
  '22023', 'account_id: branding belongs to an affiliate account', 'only affiliate accounts have branding');
update public.accounts set account_type = 'affiliate' where id = :'team_b';
select throws_ok(format($$ insert into reports.affiliate_branding (account_id, primary_color) values (%L, 'blue') $$, :'team_b'),
  '23514', null, 'colours are #rrggbb');
select lives_ok(format($$ insert into reports.affiliate_branding (account_id, brand_display_name, primary_color, accent_color) values (%L, 'Team B', '#112233', '#aabbcc') $$, :'team_b'),
  'an affiliate account has its branding');

select * from finish();
rollback;
