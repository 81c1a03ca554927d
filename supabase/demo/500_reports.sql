-- Reports demo data (seed 004, part 1), for the local stack only.
--
-- Acme Realty (alice owner, bob admin, carol member) and Harbor Homes (dave
-- owner, erin admin; sponsored by the affiliate Northwind Mortgage) each have
-- market reports in every state (completed with their files, failed with the
-- reason, pending, processing), active and paused schedules with their runs
-- and the emails they sent, property (CMA) reports with landing-page views
-- and daily stats (one switched off, one expired), and consumer reports with
-- their analytics events. Grace also owns a second affiliate, Lakeside
-- Title; both affiliates have branding. Later files (510-530) add market
-- data, rendered files and the outbox.
--
-- Rows are written as the table owner (the backend's view of them): the
-- counters agree with the events, visitors and stats they summarise.

begin;

-- A second affiliate account (grace), so branding has more than one owner.
insert into public.accounts (id, name, slug, account_type, primary_owner_user_id, branding) values
  ('10000000-0000-4000-8000-000000000004', 'Lakeside Title', 'lakeside-title', 'affiliate',
   '00000000-0000-4000-8000-000000000007', '{}');
insert into public.account_memberships (account_id, user_id, role) values
  ('10000000-0000-4000-8000-000000000004', '00000000-0000-4000-8000-000000000007', 'owner');
update public.accounts set time_zone = 'America/Chicago' where id = '10000000-0000-4000-8000-000000000001';
update public.accounts set time_zone = 'America/Denver' where id = '10000000-0000-4000-8000-000000000002';

insert into reports.affiliate_branding (account_id, brand_display_name, logo_url, primary_color, accent_color) values
  ('10000000-0000-4000-8000-000000000003', 'Northwind Mortgage', 'https://northwind.example/logo.png',
   '#0f766e', '#f59e0b'),
  ('10000000-0000-4000-8000-000000000004', 'Lakeside Title', null, '#1e3a8a', '#22c55e');

-- ---------------------------------------------------------------- market reports
-- ids 00000000-0000-4000-8500-0000000000NN
insert into reports.report_generations (id, account_id, user_id, report_type, input_params, status, html_url, json_url,
                                        csv_url, pdf_url, error_message, processing_time_ms, billable, generated_at, created_at)
select ('00000000-0000-4000-8500-' || lpad(r.n::text, 12, '0'))::uuid, r.account_id::uuid, r.user_id::uuid, 'market',
       jsonb_build_object('cities', r.cities, 'zip_codes', r.zips, 'period_start', r.period_start, 'period_end', r.period_end,
                          'formats', jsonb_build_array('html', 'json', 'csv', 'pdf')),
       r.status,
       case when r.status = 'completed' then r.account_id || '/00000000-0000-4000-8500-' || lpad(r.n::text, 12, '0') || '/report.html' end,
       case when r.status = 'completed' then r.account_id || '/00000000-0000-4000-8500-' || lpad(r.n::text, 12, '0') || '/report.json' end,
       case when r.status = 'completed' then r.account_id || '/00000000-0000-4000-8500-' || lpad(r.n::text, 12, '0') || '/report.csv' end,
       case when r.status = 'completed' then r.account_id || '/00000000-0000-4000-8500-' || lpad(r.n::text, 12, '0') || '/report.pdf' end,
       r.error_message,
       case when r.status in ('completed', 'failed') then 1200 + r.n * 137 end,
       r.status <> 'failed',
       case when r.status = 'completed' then now() - make_interval(days => r.age) + interval '2 seconds' end,
       now() - make_interval(days => r.age)
from (values
  (1, '10000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000001', '["Austin"]'::jsonb, '[]'::jsonb,
   '2026-10-01', '2026-10-31', 'completed', null, 30),
  (2, '10000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', '[]', '["78701", "78704"]',
   '2026-09-01', '2026-11-30', 'completed', null, 12),
  (3, '10000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000003', '["Nowhere"]', '[]',
   '2026-10-01', '2026-10-31', 'failed', 'Not enough sales in Nowhere for 2026-10 (0 closed, 5 needed)', 9),
  (4, '10000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000001', '["Austin", "Denver"]', '[]',
   '2026-11-01', '2026-11-30', 'pending', null, 0),
  (5, '10000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000004', '["Denver"]', '[]',
   '2026-10-01', '2026-10-31', 'completed', null, 20),
  (6, '10000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000005', '["Seattle"]', '[]',
   '2026-10-01', '2026-10-31', 'failed', 'Renderer crashed: PDF font missing (retried 3 times)', 5),
  (7, '10000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000004', '["Denver"]', '[]',
   '2026-11-01', '2026-11-30', 'processing', null, 0)
) as r(n, account_id, user_id, cities, zips, period_start, period_end, status, error_message, age);

-- ---------------------------------------------------------------- schedules and runs
-- ids 00000000-0000-4000-8510-0000000000NN
insert into reports.schedules (id, account_id, report_type, city, zip_codes, cadence, weekly_dow, monthly_dom, send_hour,
                               send_minute, recipients, filters, active, consecutive_failures, last_run_at, next_run_at,
                               time_zone, created_at)
values
  ('00000000-0000-4000-8510-000000000001', '10000000-0000-4000-8000-000000000001', 'market', 'Austin', '{}', 'weekly', 1, null,
   8, 0, array['alice@demo.domus.dev', 'clients@acme.example'], '{"property_types": ["single_family"]}', true, 0,
   now() - interval '6 days', now() + interval '1 day', 'America/Chicago', now() - interval '40 days'),
  ('00000000-0000-4000-8510-000000000002', '10000000-0000-4000-8000-000000000001', 'market', null, array['78701', '78704'],
   'monthly', null, 31, 9, 30, array['bob@demo.domus.dev'], '{}', false, 3,
   now() - interval '9 days', null, 'America/Chicago', now() - interval '90 days'),
  ('00000000-0000-4000-8510-000000000003', '10000000-0000-4000-8000-000000000002', 'market', 'Denver', '{}', 'daily', null, null,
   7, 15, array['dave@demo.domus.dev', 'erin@demo.domus.dev', 'unsubscribed@harbor.example'], '{}', true, 1,
   now() - interval '1 day', now() + interval '10 hours', 'America/Denver', now() - interval '25 days'),
  ('00000000-0000-4000-8510-000000000004', '10000000-0000-4000-8000-000000000002', 'market', 'Seattle', '{}', 'weekly', 5, null,
   17, 45, array['dave@demo.domus.dev'], '{}', false, 0, null, null, 'America/Los_Angeles', now() - interval '3 days');

insert into reports.schedule_runs (schedule_id, report_run_id, status, error, started_at, finished_at) values
  ('00000000-0000-4000-8510-000000000001', '00000000-0000-4000-8500-000000000001', 'completed', null,
   now() - interval '30 days', now() - interval '30 days' + interval '4 seconds'),
  ('00000000-0000-4000-8510-000000000002', '00000000-0000-4000-8500-000000000003', 'failed',
   'Not enough sales in Nowhere for 2026-10 (0 closed, 5 needed)', now() - interval '9 days', now() - interval '9 days' + interval '1 second'),
  ('00000000-0000-4000-8510-000000000003', '00000000-0000-4000-8500-000000000005', 'completed', null,
   now() - interval '20 days', now() - interval '20 days' + interval '3 seconds'),
  ('00000000-0000-4000-8510-000000000003', '00000000-0000-4000-8500-000000000006', 'failed',
   'Renderer crashed: PDF font missing (retried 3 times)', now() - interval '5 days', now() - interval '5 days' + interval '9 seconds'),
  ('00000000-0000-4000-8510-000000000003', '00000000-0000-4000-8500-000000000007', 'started', null, now() - interval '1 day', null);

insert into reports.email_log (account_id, schedule_id, report_id, provider, to_emails, subject, response_code, error, created_at) values
  ('10000000-0000-4000-8000-000000000001', '00000000-0000-4000-8510-000000000001', '00000000-0000-4000-8500-000000000001', 'local',
   array['alice@demo.domus.dev', 'clients@acme.example'], 'Austin market report: October 2026', 202, null, now() - interval '30 days'),
  ('10000000-0000-4000-8000-000000000001', '00000000-0000-4000-8510-000000000002', null, 'local',
   array['bob@demo.domus.dev'], 'Schedule paused after 3 failures', 202, null, now() - interval '9 days'),
  ('10000000-0000-4000-8000-000000000002', '00000000-0000-4000-8510-000000000003', '00000000-0000-4000-8500-000000000005', 'local',
   array['dave@demo.domus.dev', 'erin@demo.domus.dev'], 'Denver market report: October 2026', 202, null, now() - interval '20 days'),
  ('10000000-0000-4000-8000-000000000002', '00000000-0000-4000-8510-000000000003', '00000000-0000-4000-8500-000000000005', 'local',
   array['unsubscribed@harbor.example'], 'Denver market report: October 2026', null, 'suppressed: unsubscribe', now() - interval '20 days');

insert into reports.email_suppressions (account_id, email, reason, created_at) values
  ('10000000-0000-4000-8000-000000000002', 'unsubscribed@harbor.example', 'unsubscribe', now() - interval '22 days'),
  ('10000000-0000-4000-8000-000000000001', 'old-client@acme.example', 'manual', now() - interval '50 days'),
  ('10000000-0000-4000-8000-000000000001', 'bounced@acme.example', 'bounce', now() - interval '15 days'),
  (null, 'complained@example.com', 'complaint', now() - interval '60 days');

insert into reports.sms_logs (account_id, lead_id, to_phone, from_phone, message, status, twilio_sid, created_at) values
  ('10000000-0000-4000-8000-000000000001', null, '+15125550101', '+15125550000', 'Your Austin home report is ready: open it from your email.',
   'delivered', 'local-sms-0001', now() - interval '10 days'),
  ('10000000-0000-4000-8000-000000000002', null, '+13035550104', '+13035550000', 'Your Denver home report is ready.',
   'sent', 'local-sms-0002', now() - interval '4 days'),
  ('10000000-0000-4000-8000-000000000002', null, '+13035550105', '+13035550000', 'Your Denver home report is ready.',
   'refused', null, now() - interval '2 days');

-- ---------------------------------------------------------------- property (CMA) reports
-- ids 00000000-0000-4000-8520-0000000000NN; views by day in the stats tables.
create temporary table demo_views (n int, day int, views int, unique_views int) on commit drop;
insert into demo_views values
  (1, 1, 5, 4), (1, 2, 3, 2), (1, 4, 7, 5),
  (2, 1, 2, 2), (2, 3, 4, 3),
  (3, 6, 6, 6),
  (4, 2, 1, 1);

insert into reports.property_reports (id, account_id, user_id, report_type, theme, property_address, property_city,
                                      property_state, property_zip, apn, sitex_data, comparables, pdf_url, status, short_code,
                                      qr_code_url, view_count, unique_visitors, is_active, expires_at, selected_pages, created_at)
select ('00000000-0000-4000-8520-' || lpad(p.n::text, 12, '0'))::uuid, p.account_id::uuid, p.user_id::uuid, p.report_type, p.theme,
       p.address, p.city, p.state, p.zip, p.apn,
       jsonb_build_object('source', 'demo', 'bedrooms', 3, 'living_area_sqft', 1850),
       jsonb_build_array(
         jsonb_build_object('address', '12 Oak St', 'sold_price', 452000, 'living_area_sqft', 1800),
         jsonb_build_object('address', '40 Maple Ave', 'sold_price', 471500, 'living_area_sqft', 1920)),
       case when p.status = 'completed' then p.account_id || '/property/00000000-0000-4000-8520-' || lpad(p.n::text, 12, '0') || '/report.pdf' end,
       p.status, p.code,
       case when p.status = 'completed' then p.account_id || '/property/00000000-0000-4000-8520-' || lpad(p.n::text, 12, '0') || '/qr.png' end,
       coalesce((select sum(v.views) from demo_views v where v.n = p.n), 0),
       -- visitor k of a day is the same person every day (see report_visitors below)
       coalesce((select max(v.unique_views) from demo_views v where v.n = p.n), 0),
       p.active, p.expires_at, p.pages, now() - make_interval(days => 14 - p.n)
from (values
  (1, '10000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000001', 'seller', 2, '1200 Oak St', 'Austin', 'TX',
   '78704', '0101-0042', 'completed', 'ACME2345', true, null::timestamptz, '["cover", "property", "comparables", "market", "estimate", "agent"]'::jsonb),
  (2, '10000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000003', 'buyer', 4, '77 Cedar Ln', 'Austin', 'TX',
   '78745', null, 'completed', 'ACMEB7KQ', false, null, '["cover", "comparables", "agent"]'),
  (3, '10000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000004', 'cma', 1, '5 Pine Dr', 'Denver', 'CO',
   '80205', '0502-1180', 'completed', 'HARBR234', true, now() + interval '30 days', '["cover", "property", "comparables", "estimate", "agent"]'),
  (4, '10000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000005', 'listing', 5, '9 Elm Ct', 'Denver', 'CO',
   '80219', null, 'completed', 'HARBRXP9', true, now() - interval '1 day', '["cover", "property", "agent"]'),
  (5, '10000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000004', 'cma', 3, '310 Willow Way', 'Denver', 'CO',
   '80202', null, 'pending', 'HARBRNEW', true, null, '["cover", "property", "comparables", "market", "estimate", "agent"]')
) as p(n, account_id, user_id, report_type, theme, address, city, state, zip, apn, status, code, active, expires_at, pages);

insert into reports.property_report_stats (property_report_id, total_views, unique_views, total_leads, updated_at)
select r.id, r.view_count, r.unique_visitors, 0, now() - interval '1 day'
from reports.property_reports r where r.id::text like '00000000-0000-4000-8520-%';

insert into reports.property_report_stats_daily (property_report_id, date, views, unique_views, leads)
select ('00000000-0000-4000-8520-' || lpad(v.n::text, 12, '0'))::uuid, (now() at time zone 'UTC')::date - v.day, v.views, v.unique_views, 0
from demo_views v;

-- The hashed visitors behind those counts: visitor k of report n.
insert into reports.report_visitors (property_report_id, visitor_hash, day)
select ('00000000-0000-4000-8520-' || lpad(v.n::text, 12, '0'))::uuid,
       encode(extensions.digest('demo-visitor-' || v.n || '-' || k, 'sha256'), 'hex'),
       (now() at time zone 'UTC')::date - v.day
from demo_views v cross join lateral generate_series(1, v.unique_views) k;

-- ---------------------------------------------------------------- consumer reports and their events
-- ids 00000000-0000-4000-8530-0000000000NN; view_count = 'open' events, unique_views = their distinct sessions.
insert into reports.consumer_reports (id, account_id, agent_id, agent_code, consumer_phone, consumer_email, consent_given,
                                      property_address, property_city, property_state, property_zip, property_data, comparables,
                                      market_stats, value_estimate, status, pdf_url, created_at)
select ('00000000-0000-4000-8530-' || lpad(c.n::text, 12, '0'))::uuid, c.account_id::uuid, c.agent_id::uuid,
       (select p.agent_code from public.profiles p where p.id = c.agent_id::uuid),
       c.phone, c.email, true, c.address, c.city, c.state, c.zip,
       case when c.status = 'completed' then '{"bedrooms": 3, "bathrooms": 2, "living_area_sqft": 1700}'::jsonb end,
       case when c.status = 'completed' then '[{"address": "18 Birch St", "sold_price": 438000}]'::jsonb end,
       case when c.status = 'completed' then '{"median_sale_price": 455000, "median_days_on_market": 31}'::jsonb end,
       case when c.status = 'completed' then '{"estimate": 449000, "low": 426000, "high": 472000, "currency": "USD"}'::jsonb end,
       c.status,
       case when c.status = 'completed' then c.account_id || '/consumer/00000000-0000-4000-8530-' || lpad(c.n::text, 12, '0') || '/report.pdf' end,
       now() - make_interval(days => 8 - c.n)
from (values
  (1, '10000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000001', '+15125550101', null, '48 Aspen Ct', 'Austin', 'TX', '78701', 'completed'),
  (2, '10000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', null, 'homeowner@example.com', '3 Juniper Ave', 'Austin', 'TX', '78704', 'completed'),
  (3, '10000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000004', '+13035550104', 'seller@example.org', '21 Magnolia Dr', 'Denver', 'CO', '80202', 'completed'),
  (4, '10000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000005', '+13035550105', null, '600 Pine St', 'Denver', 'CO', '80219', 'pending')
) as c(n, account_id, agent_id, phone, email, address, city, state, zip, status);

insert into reports.report_analytics (report_id, event_type, event_data, session_id, device_type, created_at)
select ('00000000-0000-4000-8530-' || lpad(e.n::text, 12, '0'))::uuid, e.event_type, e.data::jsonb, e.session_id, e.device,
       now() - make_interval(hours => 100 - e.seq)
from (values
  (1, 1, 'open', '{}', 'cs-1a', 'mobile'), (1, 2, 'page_view', '{"page": "comparables"}', 'cs-1a', 'mobile'),
  (1, 3, 'open', '{}', 'cs-1a', 'mobile'), (1, 4, 'cta_click', '{"cta": "call_agent"}', 'cs-1a', 'mobile'),
  (1, 5, 'open', '{}', 'cs-1b', 'desktop'), (1, 6, 'share', '{"channel": "email"}', 'cs-1b', 'desktop'),
  (2, 7, 'open', '{}', 'cs-2a', 'desktop'), (2, 8, 'page_view', '{"page": "estimate"}', 'cs-2a', 'desktop'),
  (3, 9, 'open', '{}', 'cs-3a', 'tablet'), (3, 10, 'open', '{}', 'cs-3b', 'mobile'),
  (3, 11, 'cta_click', '{"cta": "book_valuation"}', 'cs-3b', 'mobile')
) as e(n, seq, event_type, data, session_id, device);

update reports.consumer_reports c set
  view_count = (select count(*) from reports.report_analytics a where a.report_id = c.id and a.event_type = 'open'),
  unique_views = (select count(distinct a.session_id) from reports.report_analytics a where a.report_id = c.id and a.event_type = 'open')
where c.id::text like '00000000-0000-4000-8530-%';

insert into reports.report_visitors (consumer_report_id, visitor_hash, day)
select distinct a.report_id, encode(extensions.digest('demo-consumer-' || a.session_id, 'sha256'), 'hex'),
       (a.created_at at time zone 'UTC')::date
from reports.report_analytics a where a.event_type = 'open';

commit;
