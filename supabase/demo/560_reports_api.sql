-- Reports API keys demo data (issue 13), for the local stack only.
--
-- Acme Realty (alice, owner) and Harbor Homes (dave, owner) each have an
-- active key and a revoked one, with this minute's rate window of the active
-- keys. Only the prefix and SHA-256 are stored, as for real keys; the demo
-- keys are deterministic so the local stack can be called at once (they are
-- demo data: never use them anywhere else):
--   Acme Realty,  active  (reports:read, reports:write, leads:read, schedules:read, schedules:write; 120/min):
--     select 'trk_DemoAcmeRealtyActiveApiKey0001' || private.reports_api_key_checksum('trk_DemoAcmeRealtyActiveApiKey0001');
--   Harbor Homes, active (reports:read, schedules:read; 60/min):
--     select 'trk_DemoHarborHomesActiveApiKey001' || private.reports_api_key_checksum('trk_DemoHarborHomesActiveApiKey001');
-- (the query prints the whole key: curl -H "Authorization: Bearer <key>"
-- http://127.0.0.1:54321/functions/v1/api/reports). New keys come from
-- reports.create_api_key, which shows a random key once.

begin;

with demo (id, account_id, body, name, scopes, rate_limit, created_by, created_at, last_used_at, revoked_at) as (
  values
    ('56000000-0000-4000-8000-000000000001'::uuid, '10000000-0000-4000-8000-000000000001'::uuid,
     'trk_DemoAcmeRealtyActiveApiKey0001', 'CRM sync',
     '{reports:read,reports:write,leads:read,schedules:read,schedules:write}'::text[], 120,
     '00000000-0000-4000-8000-000000000001'::uuid, now() - interval '40 days', now() - interval '2 hours', null::timestamptz),
    ('56000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000001',
     'trk_DemoAcmeRealtyRevokedApiKey001', 'Old website', '{reports:read}', 60,
     '00000000-0000-4000-8000-000000000001', now() - interval '200 days', now() - interval '41 days', now() - interval '40 days'),
    ('56000000-0000-4000-8000-000000000003', '10000000-0000-4000-8000-000000000002',
     'trk_DemoHarborHomesActiveApiKey001', 'Reporting dashboard', '{reports:read,schedules:read}', 60,
     '00000000-0000-4000-8000-000000000004', now() - interval '10 days', now() - interval '1 day', null),
    ('56000000-0000-4000-8000-000000000004', '10000000-0000-4000-8000-000000000002',
     'trk_DemoHarborHomesRevokedApiKey01', 'Leaked in a screenshot', '{reports:read,reports:write}', 30,
     '00000000-0000-4000-8000-000000000004', now() - interval '30 days', now() - interval '12 days', now() - interval '12 days')
)
insert into reports.api_keys (id, account_id, key_prefix, key_hash, name, scopes, rate_limit, is_active, created_at,
                              last_used_at, revoked_at, created_by)
select d.id, d.account_id, left(d.body, 12),
       encode(extensions.digest(d.body || private.reports_api_key_checksum(d.body), 'sha256'), 'hex'),
       d.name, d.scopes, d.rate_limit, d.revoked_at is null, d.created_at, d.last_used_at, d.revoked_at, d.created_by
from demo d;

insert into reports.api_key_windows (key_id, window_start, hits, max_hits) values
  ('56000000-0000-4000-8000-000000000001', date_trunc('minute', now()), 4, 120),
  ('56000000-0000-4000-8000-000000000003', date_trunc('minute', now()), 1, 60);

commit;
