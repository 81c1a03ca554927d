-- Demo: leads on the property reports of two accounts (Acme Realty and
-- Harbor Homes, supabase/demo/500_reports.sql) in every status, the SMS
-- that told their agents, the rate-limit windows they left, and a blocked
-- address and range. Leads are inserted directly (the public form is
-- functions/reports-leads), so no notification job is queued; the stats
-- (total_leads, daily leads) are counted by the leads trigger.
-- ids 00000000-0000-4000-8540-0000000000NN.

insert into reports.leads (id, account_id, property_report_id, agent_id, name, email, phone, message, source, consent_given,
                           status, sms_sent_at, email_sent_at, created_at)
select ('00000000-0000-4000-8540-' || lpad(l.n::text, 12, '0'))::uuid, l.account_id::uuid,
       ('00000000-0000-4000-8520-' || lpad(l.report::text, 12, '0'))::uuid, l.agent_id::uuid,
       l.name, l.email, l.phone, l.message, l.source, true, l.status,
       case when l.sms then now() - make_interval(days => l.days_ago) + interval '1 minute' end,
       now() - make_interval(days => l.days_ago) + interval '1 minute',
       now() - make_interval(days => l.days_ago)
from (values
  (1, '10000000-0000-4000-8000-000000000001', 1, '00000000-0000-4000-8000-000000000001', 'Morgan Lee', 'morgan.lee@example.com',
   '+15125550141', 'Is the house still available? We would like a viewing this weekend.', 'landing_page', 'new', true, 0),
  (2, '10000000-0000-4000-8000-000000000001', 1, '00000000-0000-4000-8000-000000000001', 'Sam Ortiz', 'sam.ortiz@example.com',
   null, 'What would my place two streets over sell for?', 'qr_code', 'contacted', false, 2),
  (3, '10000000-0000-4000-8000-000000000001', 1, '00000000-0000-4000-8000-000000000001', 'Jo Park', null,
   '+15125550143', null, 'share_link', 'qualified', true, 4),
  (4, '10000000-0000-4000-8000-000000000001', 2, '00000000-0000-4000-8000-000000000003', 'Riley Chen', 'riley.chen@example.com',
   '+15125550144', 'Ready to list in spring.', 'landing_page', 'converted', true, 9),
  (5, '10000000-0000-4000-8000-000000000001', 2, '00000000-0000-4000-8000-000000000003', 'Alex Kim', 'alex.kim@example.com',
   null, null, 'email', 'lost', false, 12),
  (6, '10000000-0000-4000-8000-000000000002', 3, '00000000-0000-4000-8000-000000000004', 'Taylor Reed', 'taylor.reed@example.com',
   '+13035550146', 'Please call after 5pm.', 'landing_page', 'new', true, 0),
  (7, '10000000-0000-4000-8000-000000000002', 3, '00000000-0000-4000-8000-000000000004', 'Casey Brown', 'casey.brown@example.com',
   null, null, 'qr_code', 'contacted', false, 1),
  (8, '10000000-0000-4000-8000-000000000002', 4, '00000000-0000-4000-8000-000000000005', 'Jamie Fox', null,
   '+13035550148', 'Interested in the Elm Ct listing.', 'sms', 'qualified', true, 3),
  (9, '10000000-0000-4000-8000-000000000002', 3, '00000000-0000-4000-8000-000000000004', 'Drew Hall', 'drew.hall@example.com',
   '+13035550149', null, 'landing_page', 'converted', true, 6),
  (10, '10000000-0000-4000-8000-000000000002', 4, '00000000-0000-4000-8000-000000000005', 'Pat Young', 'pat.young@example.com',
   null, 'Just browsing.', 'other', 'lost', false, 8)
) as l(n, account_id, report, agent_id, name, email, phone, message, source, status, sms, days_ago);

-- The agents' lead alerts (one 'sms' credit each), tied to their leads.
insert into reports.sms_logs (account_id, lead_id, to_phone, from_phone, message, status, twilio_sid, created_at)
select l.account_id, l.id, case when l.account_id = '10000000-0000-4000-8000-000000000001' then '+15125550101' else '+13035550104' end,
       '+15005550006', format('New lead: %s (%s) on %s', l.name, coalesce(l.email, l.phone), r.property_address),
       'delivered', 'LOCALDEMO' || right(l.id::text, 4), l.sms_sent_at
from reports.leads l join reports.property_reports r on r.id = l.property_report_id
where l.id::text like '00000000-0000-4000-8540-%' and l.sms_sent_at is not null;

-- The sliding windows those leads left (one row per sender, report and minute).
insert into reports.lead_rate_limits (ip_address, property_report_id, attempt_count, refused_count, window_start)
select ('203.0.113.' || (40 + right(l.id::text, 2)::int))::inet, l.property_report_id, 1, 0, date_trunc('minute', l.created_at)
from reports.leads l where l.id::text like '00000000-0000-4000-8540-%';
-- A sender that went past the limit today: five accepted, three refused.
insert into reports.lead_rate_limits (ip_address, property_report_id, attempt_count, refused_count, window_start) values
  ('2001:db8:42:7::/64', '00000000-0000-4000-8520-000000000003', 5, 3, date_trunc('minute', now() - interval '3 minutes'));

insert into reports.blocked_ips (ip_address, reason, created_by, hit_count, last_hit_at, created_at) values
  ('45.155.205.233', 'scripted spam leads on several landing pages', null, 17, now() - interval '2 hours', now() - interval '20 days'),
  ('185.220.101.0/24', 'lead form abuse from this range', null, 4, now() - interval '1 day', now() - interval '9 days');
