-- Reports demo data: outgoing webhooks (issue 13), for the local stack only.
--
-- Acme Realty has two endpoints: one healthy (delivered report.completed
-- events, and a report.failed that failed twice before it was delivered, all
-- with one webhook-id) and one that answered 410 and was disabled (its owners
-- and admins were told); Harbor Homes has one whose last event went dead
-- after 8 attempts and was replayed by hand.
--
-- Secrets: the demo rows' `secret` is real ciphertext (functions/_shared/secret-box.ts,
-- context `reports.webhooks:<id>`) sealed under the FIXED, PUBLIC demo key
-- base64 `ZG9tdXMtZGVtby13ZWJob29rLWtleS0zMi1ieXRlcyE=` ("domus-demo-webhook-key-32-bytes!").
-- The local stack's REPORTS_WEBHOOK_KEY is random, so a new event to a demo
-- endpoint is recorded failed ("secret: does not open under this key; rotate
-- the endpoint's secret") until its owner rotates the secret through the
-- reports-webhooks function — which is also how a new user sees rotation.
-- Start the stack with REPORTS_WEBHOOK_KEY set to the demo key to have them
-- sign as-is. The plain demo secrets are not needed for anything.
-- No job is queued: these rows are history, and the URLs (example.com)
-- resolve nowhere useful.

begin;

insert into reports.webhooks (id, account_id, url, events, secret, is_active, created_at) values
  ('57000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000001', 'https://hooks.acme-realty.example/domus',
   array['report.completed', 'report.failed', 'schedule.run_failed'],
   'v1:BU/19YWt60VNe50b:sg/zjf31FOhaQc2gowQ49vkhqzMmPVnxzFrrt/tM7wcyQgabXZBPEa2QEFhlV9A/DKOoIQMKqEirJd9sJ25HzXto',
   true, now() - interval '20 days'),
  ('57000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000001', 'https://old-crm.acme-realty.example/webhook',
   array['lead.created'],
   'v1:bbRAA5YJrkMdv+w9:86h210k96Hzsg72caGimvbH+R8qpIfPI3FTt3AtUEI97L1WOOnbpNa0Ocj6d8RHo9QVbRAGCtkq2iGcK/QygufYb',
   true, now() - interval '40 days'),
  ('57000000-0000-4000-8000-000000000003', '10000000-0000-4000-8000-000000000002', 'https://harbor-homes.example/hooks/reports',
   array['report.completed', 'report.failed'],
   'v1:6Ye9knzJh2wUr7/g:TyTbOHziL3ek1l0J0APoPhr1uXKpVrERixi2NG1xEMVGVWZ5SllPSGe8fPmIxLN4mT6o3Aaa1VN5ujrN/jEXilcT',
   true, now() - interval '10 days');

-- Rotated three hours ago: the old secret still signs for 21 hours (its
-- ciphertext is the same demo secret, sealed again).
update reports.webhooks set previous_secret = secret, previous_secret_expires_at = now() + interval '21 hours'
where id = '57000000-0000-4000-8000-000000000001';

insert into reports.webhook_deliveries (id, account_id, webhook_id, event, payload, message_id, attempt, status,
                                        response_status, response_ms, error, next_attempt_at, attempted_at, replay_of, created_at)
select d.id::uuid, d.account_id::uuid, d.webhook_id::uuid, d.event,
       jsonb_build_object('type', d.event, 'timestamp', to_char(d.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                          'data', d.data::jsonb),
       d.message_id, d.attempt, d.status, d.response_status, d.response_ms, d.error, d.next_at, d.at, d.replay_of::uuid, d.at
from (values
  -- Acme, healthy endpoint: two delivered at once, one delivered on its third attempt.
  ('57100000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000001', '57000000-0000-4000-8000-000000000001',
   'report.completed', '{"report_id": "00000000-0000-4000-8500-000000000001", "report_type": "market", "status": "completed", "formats": ["html", "json", "csv", "pdf"]}',
   'msg_57a0000000000000000000000000001a', 1, 'delivered', 200, 84, null, null::timestamptz, now() - interval '6 days', null),
  ('57100000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000001', '57000000-0000-4000-8000-000000000001',
   'report.failed', '{"report_id": "00000000-0000-4000-8500-000000000003", "report_type": "market", "status": "failed", "error": "not enough sales"}',
   'msg_57a0000000000000000000000000002a', 1, 'failed', 503, 1203, 'HTTP 503: upstream unavailable', now() - interval '5 days' + interval '5 seconds',
   now() - interval '5 days', null),
  ('57100000-0000-4000-8000-000000000003', '10000000-0000-4000-8000-000000000001', '57000000-0000-4000-8000-000000000001',
   'report.failed', '{"report_id": "00000000-0000-4000-8500-000000000003", "report_type": "market", "status": "failed", "error": "not enough sales"}',
   'msg_57a0000000000000000000000000002a', 2, 'failed', null, 15000, 'timed out after 15000 ms', now() - interval '5 days' + interval '5 minutes 10 seconds',
   now() - interval '5 days' + interval '5 seconds', null),
  ('57100000-0000-4000-8000-000000000004', '10000000-0000-4000-8000-000000000001', '57000000-0000-4000-8000-000000000001',
   'report.failed', '{"report_id": "00000000-0000-4000-8500-000000000003", "report_type": "market", "status": "failed", "error": "not enough sales"}',
   'msg_57a0000000000000000000000000002a', 3, 'delivered', 204, 61, null, null, now() - interval '5 days' + interval '5 minutes 10 seconds', null),
  ('57100000-0000-4000-8000-000000000005', '10000000-0000-4000-8000-000000000001', '57000000-0000-4000-8000-000000000001',
   'webhook.test', '{"webhook_id": "57000000-0000-4000-8000-000000000001", "message": "A test event from Domus Reports."}',
   'msg_57a0000000000000000000000000003a', 1, 'delivered', 200, 47, null, null, now() - interval '3 hours', null),
  -- Acme, the old CRM: answered 410, so it was disabled.
  ('57100000-0000-4000-8000-000000000006', '10000000-0000-4000-8000-000000000001', '57000000-0000-4000-8000-000000000002',
   'lead.created', '{"lead_id": "57200000-0000-4000-8000-000000000001"}',
   'msg_57a0000000000000000000000000004a', 1, 'dead', 410, 132, '410 Gone: the endpoint is disabled', null, now() - interval '2 days', null),
  -- Harbor: a chain that went dead after 8 attempts, then a manual replay that was delivered.
  ('57100000-0000-4000-8000-000000000007', '10000000-0000-4000-8000-000000000002', '57000000-0000-4000-8000-000000000003',
   'report.completed', '{"report_id": "00000000-0000-4000-8500-000000000005", "report_type": "market", "status": "completed", "formats": ["html", "pdf"]}',
   'msg_57b0000000000000000000000000001b', 8, 'dead', 500, 230, 'HTTP 500: internal error', null, now() - interval '2 days', null),
  ('57100000-0000-4000-8000-000000000008', '10000000-0000-4000-8000-000000000002', '57000000-0000-4000-8000-000000000003',
   'report.completed', '{"report_id": "00000000-0000-4000-8500-000000000005", "report_type": "market", "status": "completed", "formats": ["html", "pdf"]}',
   'msg_57b0000000000000000000000000001b', 1, 'delivered', 200, 95, null, null, now() - interval '1 day', '57100000-0000-4000-8000-000000000007')
) as d(id, account_id, webhook_id, event, data, message_id, attempt, status, response_status, response_ms, error, next_at, at, replay_of);

select private.reports_webhook_disable('57000000-0000-4000-8000-000000000002', 'gone');
update reports.webhooks set failing_since = null where id = '57000000-0000-4000-8000-000000000003';

commit;
