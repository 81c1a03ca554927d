-- studio.users: seed 002's users row over the shared platform.
--   * runs with the caller's rights: self, teammates and platform admins see
--     a profile (profiles' own policy); strangers and anon nothing;
--   * role 'admin' is a platform_admins row; credits are what the personal
--     account can spend (ledger balance minus holds); tier comes from the
--     live Studio subscription, else 'free'; brokerage, market, use_case
--     are the profile's.

begin;
select plan(9);

select tests.studio_data() as team \gset
select tests.get_supabase_uid('owner') as owner_id, tests.get_supabase_uid('platform_admin') as padmin_id \gset
update public.profiles set brokerage = 'Acme Realty', market = 'Austin, TX', use_case = 'photos' where id = :'owner_id';
select private.credit_apply(:'owner_id', 'credits', 120, 'grant', 's-owner-grant') is not null as granted \gset
select private.credit_reserve(:'owner_id', 'credits', 20, 's-owner-hold') is not null as held \gset
select (r.subscription).id is not null as subscribed
from private.billing_upsert_subscription('payfast', 'pf-s-owner', :'owner_id', (select id from public.plans where code = 'studio_pro'),
  'active', now(), 'month', now(), now() + interval '1 month') r \gset

select tests.authenticate_as('owner');
select results_eq(format($q$ select brokerage, market, use_case::text, role::text, credits, subscription_tier::text from studio.users where id = %L $q$, :'owner_id'),
  $$ values ('Acme Realty'::text, 'Austin, TX'::text, 'photos'::text, 'agent'::text, 100, 'pro'::text) $$,
  'an agent sees the seed''s fields: brokerage, market, use case, role, credits available (120 - 20 held), tier');
select tests.authenticate_as('platform_admin');
select results_eq(format($q$ select role::text, credits, subscription_tier::text from studio.users where id = %L $q$, :'padmin_id'),
  $$ values ('admin'::text, 0, 'free'::text) $$, 'a platform admin is role admin; no credits or subscription: 0, free');
select is((select count(*)::int from studio.users where id = :'owner_id'), 1, 'a platform admin sees every user');
select tests.authenticate_as('member');
select is((select count(*)::int from studio.users where id = :'owner_id'), 1, 'a teammate sees the profile');
select is((select credits from studio.users where id = :'owner_id'), 0, 'but not the personal account''s credits');
select tests.authenticate_as('stranger');
select is((select count(*)::int from studio.users where id = :'owner_id'), 0, 'a stranger sees nothing');
select tests.clear_authentication();
select is(tests.probe('anon', 'select 1 from studio.users'), '42501', 'anon has no access');
select is(tests.probe('owner', format($q$ update studio.users set brokerage = 'x' where id = %L $q$, :'owner_id')), '42501',
  'the view is read-only: profile fields change in public.profiles');
select is(tests.probe('service_role', format($q$ select 1 from studio.users where id = %L $q$, :'owner_id')), 'rows=1',
  'service_role reads it');

select * from finish();
rollback;
