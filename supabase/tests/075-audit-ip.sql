-- private.request_ip(), the client address written to audit_log and
-- analytics_events: taken only from cf-connecting-ip, which the edge
-- (Cloudflare, locally the gateway) sets and overwrites. A forged
-- X-Forwarded-For or X-Real-IP is never used, not even as a fallback; a
-- missing or unparsable value is recorded as null and never fails the write.

begin;
select plan(13);

do $$
begin
  perform tests.create_supabase_user('alice');
  perform tests.create_team('alice', 'acme');
end $$;

select tests.authenticate_as('alice');

-- ---------------------------------------------------------------- request_ip()
set local request.headers = '{"x-forwarded-for": "203.0.113.66", "x-real-ip": "203.0.113.67"}';
select is(private.request_ip(), null, 'a forged x-forwarded-for or x-real-ip alone gives no address');
set local request.headers = '{"cf-connecting-ip": "198.51.100.9", "x-forwarded-for": "203.0.113.66, 198.51.100.9"}';
select is(private.request_ip(), '198.51.100.9'::inet, 'cf-connecting-ip wins over whatever x-forwarded-for says');
set local request.headers = '{"cf-connecting-ip": " 2001:db8::7 "}';
select is(private.request_ip(), '2001:db8::7'::inet, 'an IPv6 address is read (surrounding blanks ignored)');
set local request.headers = '{"cf-connecting-ip": "not-an-address"}';
select is(private.request_ip(), null, 'an unparsable value is unknown');
set local request.headers = '{"cf-connecting-ip": "198.51.100.9, 203.0.113.66"}';
select is(private.request_ip(), null, 'a list is not an address');
set local request.headers = '{"cf-connecting-ip": "10.0.0.0/8"}';
select is(private.request_ip(), null, 'a network is not an address');
set local request.headers = 'not json';
select is(private.request_ip(), null, 'malformed request headers give no address');
reset request.headers;
select is(private.request_ip(), null, 'no request headers give no address');

-- ---------------------------------------------------------------- what gets written
set local request.headers = '{"x-forwarded-for": "203.0.113.66"}';
update public.accounts set name = 'Acme Forged' where slug = 'acme';
set local request.headers = '{"cf-connecting-ip": "198.51.100.9", "x-forwarded-for": "203.0.113.66"}';
update public.accounts set name = 'Acme Trusted' where slug = 'acme';
set local request.headers = '{"cf-connecting-ip": "garbage"}';
select lives_ok($$ update public.accounts set name = 'Acme Garbage' where slug = 'acme' $$,
  'an unparsable address does not fail the audited write');
select tests.clear_authentication();
select results_eq(
  $$ select new_values ->> 'name', ip_address from public.audit_log
     where resource_type = 'public.accounts' and action = 'UPDATE' and account_id = tests.account_id('acme')
     order by id $$,
  $$ values ('Acme Forged'::text, null::inet), ('Acme Trusted', '198.51.100.9'), ('Acme Garbage', null) $$,
  'the audit log records the trusted address, and null for a forged header or garbage');

select tests.authenticate_as('alice');
set local request.headers = '{"x-forwarded-for": "203.0.113.66"}';
select results_eq(
  $$ insert into public.analytics_events (product, event_type) values ('platform', 'test.forged') returning ip_address $$,
  $$ values (null::inet) $$,
  'an analytics event with only a forged x-forwarded-for records no address');
set local request.headers = '{"cf-connecting-ip": "198.51.100.9"}';
insert into public.analytics_events (product, event_type) values ('platform', 'test.trusted');
reset request.headers;
select tests.clear_authentication();
select is(
  (select ip_address from public.analytics_events where event_type = 'test.trusted'),
  '198.51.100.9'::inet, 'an analytics event records the trusted address');
select is(
  (select ip_address from public.analytics_events where event_type = 'test.forged'),
  null, 'and the forged one stayed null');

select * from finish();
rollback;
