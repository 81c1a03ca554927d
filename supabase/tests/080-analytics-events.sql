-- public.analytics_events.
--   * signed-in users record events as themselves only: user_id comes from
--     the JWT (not in the insert grant, so forging it is 42501), the IP from
--     the request, and account_id must be one of their own accounts;
--   * users read their own events; account owners/admins read their
--     accounts' events; platform admins read all; nobody edits or deletes;
--   * anon can neither record nor read.

begin;
select plan(25);

-- The shared cast (tests.fixture()): owner, admin and member of team-a; stranger; platform_admin; rival of team-b.
select tests.fixture() is not null as cast_ready \gset

-- The users of this file (other rows, e.g. demo data, may exist).
create function tests.cast_ids() returns uuid[] language sql stable security definer set search_path = '' as $$
  select array_agg(tests.get_supabase_uid(i)) from unnest(array['owner', 'admin', 'member', 'stranger', 'platform_admin']) i
$$;
grant execute on function tests.cast_ids() to authenticated, service_role;

-- ---------------------------------------------------------------- anon
select tests.authenticate_as_anon();
select throws_ok($$ insert into public.analytics_events (product, event_type) values ('homes', 'page.view') $$,
  '42501', null, 'anon cannot record events');
select throws_ok($$ select * from public.analytics_events $$, '42501', null, 'anon cannot read events');

-- ---------------------------------------------------------------- record
select tests.authenticate_as('member');
set local request.headers = '{"cf-connecting-ip": "198.51.100.4"}';
select results_eq(
  $$ insert into public.analytics_events (product, event_type, event_name, context)
     values ('quicksell', 'listing.viewed', 'Viewed listing', '{"listing_id": "00000000-0000-4000-9700-0000000000a1"}')
     returning user_id, ip_address $$,
  $$ values (auth.uid(), '198.51.100.4'::inet) $$,
  'a user records an event; user_id and IP are filled in from the request');
reset request.headers;
select results_eq(
  $$ insert into public.analytics_events (account_id, product, event_type)
     values (tests.account_id('team-a'), 'reports', 'report.generated') returning account_id $$,
  $$ values (tests.account_id('team-a')) $$,
  'a member records an event against her team');
select throws_ok(
  $$ insert into public.analytics_events (user_id, product, event_type)
     values (tests.get_supabase_uid('stranger'), 'homes', 'page.view') $$,
  '42501', null, 'a user cannot record events in someone else''s name (user_id not writable)');
select throws_ok(
  $$ insert into public.analytics_events (account_id, product, event_type)
     values (tests.get_supabase_uid('stranger'), 'homes', 'page.view') $$,
  '42501', null, 'a user cannot record events against an account she is not in');
select throws_ok(
  $$ insert into public.analytics_events (product, event_type, ip_address)
     values ('homes', 'page.view', '1.2.3.4') $$,
  '42501', null, 'a user cannot spoof the IP address');
select throws_ok(
  $$ insert into public.analytics_events (product, event_type, created_at)
     values ('homes', 'page.view', '2000-01-01') $$,
  '42501', null, 'a user cannot back-date events');
select throws_ok(
  $$ insert into public.analytics_events (product, event_type) values ('homes', 'Not Valid') $$,
  '23514', null, 'a malformed event type is refused');
select throws_ok(
  $$ insert into public.analytics_events (product, event_type) values ('elsewhere', 'page.view') $$,
  '23503', null, 'an unknown product is refused (not in public.products)');

select tests.authenticate_as('stranger');
insert into public.analytics_events (product, event_type) values ('homes', 'search.run');
insert into public.analytics_events (account_id, product, event_type) values (auth.uid(), 'homes', 'listing.saved');
select tests.authenticate_as('owner');
insert into public.analytics_events (product, event_type) values ('studio', 'job.started');

select tests.authenticate_as('platform_admin');
select throws_ok(
  $$ insert into public.analytics_events (account_id, product, event_type)
     values (tests.account_id('team-a'), 'homes', 'page.view') $$,
  '42501', null, 'a platform admin cannot record events against accounts he is not in');

-- ---------------------------------------------------------------- read
select tests.authenticate_as('member');
select results_eq($$ select event_type from public.analytics_events order by 1 $$,
  $$ values ('listing.viewed'::text), ('report.generated') $$,
  'a member reads only her own events');
select tests.authenticate_as('owner');
select results_eq($$ select event_type from public.analytics_events order by 1 $$,
  $$ values ('job.started'::text), ('report.generated') $$,
  'the owner reads her own events and her team''s, not members'' personal events');
select tests.authenticate_as('admin');
select results_eq($$ select event_type from public.analytics_events order by 1 $$,
  $$ values ('report.generated'::text) $$,
  'an account admin reads the team''s events');
select tests.authenticate_as('stranger');
select results_eq($$ select event_type from public.analytics_events order by 1 $$,
  $$ values ('listing.saved'::text), ('search.run') $$,
  'a stranger reads only his own events');
select tests.authenticate_as('platform_admin');
select is((select count(*)::int from public.analytics_events where user_id = any (tests.cast_ids())), 5,
  'a platform admin reads every event');
select tests.authenticate_as_service_role();
select is((select count(*)::int from public.analytics_events where user_id = any (tests.cast_ids())), 5,
  'service_role reads every event');

-- ---------------------------------------------------------------- no edits
select tests.authenticate_as('member');
select throws_ok($$ update public.analytics_events set event_type = 'x.y' $$, '42501', null,
  'a user cannot edit her events');
select throws_ok($$ delete from public.analytics_events $$, '42501', null,
  'a user cannot delete her events');
select tests.authenticate_as('owner');
select throws_ok($$ update public.analytics_events set account_id = null $$, '42501', null,
  'an account owner cannot edit the team''s events');
select throws_ok($$ delete from public.analytics_events where account_id = tests.account_id('team-a') $$, '42501', null,
  'an account owner cannot delete the team''s events');
select tests.authenticate_as('platform_admin');
select throws_ok($$ delete from public.analytics_events $$, '42501', null,
  'a platform admin cannot delete events through the API');

-- ---------------------------------------------------------------- service_role
select tests.authenticate_as_service_role();
select results_eq(
  $$ insert into public.analytics_events (user_id, product, event_type)
     values (tests.get_supabase_uid('stranger'), 'tools', 'purchase.completed') returning user_id $$,
  $$ values (tests.get_supabase_uid('stranger')) $$,
  'service_role records server-side events for any user');
select lives_ok($$ delete from public.analytics_events where event_type = 'purchase.completed' $$,
  'service_role may delete events (retention jobs)');

-- ---------------------------------------------------------------- account removal
select tests.clear_authentication();
delete from public.account_memberships where account_id = tests.account_id('team-a') and user_id = tests.get_supabase_uid('member');
select tests.authenticate_as('member');
select throws_ok(
  $$ insert into public.analytics_events (account_id, product, event_type)
     values (tests.account_id('team-a'), 'homes', 'page.view') $$,
  '42501', null, 'a former member can no longer record events against the team');

select * from finish();
rollback;
