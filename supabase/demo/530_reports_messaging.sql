-- Reports messaging demo data (rp-msg), for the local stack only; after
-- 500_reports.sql (schedules, runs, email_log, suppressions, sms_logs).
--
--   * reports.email_events: provider webhook requests as they arrive: a
--     Resend hard bounce of Acme's mail, a Postmark spam complaint about
--     Harbor's, a forged request refused, a redelivery kept as a duplicate;
--   * email_log: the added columns on 500's rows (the suppressed address is
--     'skipped'; provider message refs), the runs' own per-recipient rows;
--   * sms_logs: segments of 500's messages;
--   * the outbox: Acme's completed weekly run gets its mail job on queue
--     'reports.mail', so `npm start` (whose scheduler wakes reports-mail)
--     writes the report email to <state dir>/outbox/email/*.eml: open it in
--     any mail client (List-Unsubscribe included).

begin;

-- ---------------------------------------------------------------- email_log: the added columns
update reports.email_log set status = 'skipped', response_code = null
where error like 'suppressed%';
update reports.email_log set provider_message_ref = 'demo-' || left(id::text, 8) || '@outbox.domus.local'
where status = 'sent' and provider_message_ref is null;

-- ---------------------------------------------------------------- provider webhook requests
insert into reports.email_events (provider, event_ref, event_type, account_id, payload, signature_valid, status, error,
                                  source_ip, payload_sha256, payload_bytes, event_created_at, received_at, processed_at, attempts)
values
  ('resend', 'msg_demo_bounce_1', 'email.bounced', '10000000-0000-4000-8000-000000000001',
   '{"type": "email.bounced", "data": {"email_id": "re_demo_1", "to": ["bounced@acme.example"], "bounce": {"type": "Permanent", "message": "550 5.1.1 user unknown"}}}',
   true, 'processed', null, '44.228.126.217', repeat('a', 64), 188, now() - interval '15 days', now() - interval '15 days',
   now() - interval '15 days', 1),
  ('resend', 'msg_demo_bounce_1', 'email.bounced', null,
   '{"type": "email.bounced", "data": {"email_id": "re_demo_1", "to": ["bounced@acme.example"]}}',
   true, 'duplicate', 'already processed', '44.228.126.217', repeat('a', 64), 188, now() - interval '15 days',
   now() - interval '15 days' + interval '5 minutes', now() - interval '15 days' + interval '5 minutes', 1),
  ('postmark', 'SpamComplaint:4323372036854775807', 'SpamComplaint:SpamComplaint', '10000000-0000-4000-8000-000000000002',
   '{"RecordType": "SpamComplaint", "ID": 4323372036854775807, "Type": "SpamComplaint", "Email": "complained@example.com"}',
   true, 'processed', null, '50.31.156.6', repeat('b', 64), 120, now() - interval '60 days', now() - interval '60 days',
   now() - interval '60 days', 1),
  ('resend', 'msg_forged', 'email.complained', null,
   '{"raw": "{\"type\": \"email.complained\", \"data\": {\"to\": [\"ceo@acme.example\"]}}", "truncated": false}',
   false, 'rejected', 'webhook-signature: no valid v1 signature', '198.51.100.66', repeat('c', 64), 61,
   null, now() - interval '3 days', now() - interval '3 days', 1);

-- ---------------------------------------------------------------- sms_logs: segments
update reports.sms_logs set segments = 1, provider = case when status = 'refused' then null else 'local' end
where segments is null;
update reports.sms_logs set error = 'sms_credits: 0 available, 1 needed' where status = 'refused' and error is null;

-- ---------------------------------------------------------------- the outbox
-- Acme's weekly Austin schedule: its completed run is mailed by the worker.
select private.enqueue_job('reports.mail',
  jsonb_build_object('kind', 'schedule_run', 'schedule_run_id', r.id),
  s.account_id, 'schedule_run:' || r.id)
from reports.schedule_runs r
join reports.schedules s on s.id = r.schedule_id
where r.schedule_id = '00000000-0000-4000-8510-000000000001' and r.status = 'completed';

commit;
