-- public.check_entitlement(account_id, feature, units): may this account use
-- the feature now, and would it be billable? Read-only.
--   * members of the account (any role), platform admins and service_role
--     may ask; strangers get 42501; anon may not call it at all (42501);
--   * the answer names the plan, quota, used and remaining units; past the
--     quota it is billable when the plan sells overage (with the price),
--     else not allowed, with the reason; unlimited plans have no quota.

begin;
select plan(16);

select tests.billing_data() as acme \gset
select tests.get_supabase_uid('stranger') as stranger_acct \gset

-- ---------------------------------------------------------------- who may ask
select tests.authenticate_as_anon();
select throws_ok(format($q$ select public.check_entitlement(%L, 'reports.market_report') $q$, :'acme'),
  '42501', null, 'anon cannot call check_entitlement');
select tests.authenticate_as('stranger');
select throws_ok(format($q$ select public.check_entitlement(%L, 'reports.market_report') $q$, :'acme'),
  '42501', null, 'a stranger cannot ask about another account (42501)');
select tests.authenticate_as('member');
select results_eq(
  format($q$ select e ->> 'allowed', e ->> 'billable', e ->> 'plan', e ->> 'quota', e ->> 'used', e ->> 'remaining'
            from public.check_entitlement(%L, 'reports.market_report') e $q$, :'acme'),
  $$ values ('true'::text, 'false'::text, 'reports_solo'::text, '50'::text, '1'::text, '49'::text) $$,
  'a plain member asks and gets the plan, quota, used and remaining');
select tests.authenticate_as('owner');
select is((public.check_entitlement(:'acme', 'reports.market_report') ->> 'allowed'), 'true', 'the owner may ask');
select tests.authenticate_as('admin');
select is((public.check_entitlement(:'acme', 'reports.market_report') ->> 'allowed'), 'true', 'an account admin may ask');
select tests.authenticate_as('platform_admin');
select is((public.check_entitlement(:'acme', 'reports.market_report') ->> 'plan'), 'reports_solo', 'a platform admin may ask');
select tests.authenticate_as_service_role();
select is((public.check_entitlement(:'acme', 'reports.market_report') ->> 'plan'), 'reports_solo', 'service_role may ask');

-- ---------------------------------------------------------------- the answers
select tests.authenticate_as('stranger');
select results_eq(
  format($q$ select e ->> 'allowed', e ->> 'plan', e ->> 'quota', e ->> 'remaining'
            from public.check_entitlement(%L, 'reports.market_report') e $q$, :'stranger_acct'),
  $$ values ('true'::text, 'reports_free'::text, '5'::text, '5'::text) $$,
  'without a subscription the free plan applies: 5 market reports a month');
select results_eq(
  format($q$ select e ->> 'allowed', e ->> 'billable', e ->> 'reason'
            from public.check_entitlement(%L, 'reports.market_report', 6) e $q$, :'stranger_acct'),
  $$ values ('false'::text, 'false'::text, 'the reports.market_report allowance of 5 per period is used up'::text) $$,
  'asking for more than the free allowance is not allowed, with the reason');
select results_eq(
  format($q$ select e ->> 'allowed', e ->> 'quota' from public.check_entitlement(%L, 'reports.property_report') e $q$, :'stranger_acct'),
  $$ values ('true'::text, '3'::text) $$,
  'the free plan includes 3 property reports');
select results_eq(
  format($q$ select e ->> 'allowed', e ->> 'reason' from public.check_entitlement(%L, 'quicksell.advanced_analytics') e $q$, :'stranger_acct'),
  $$ values ('false'::text, 'quicksell.advanced_analytics is not included in plan quicksell_free'::text) $$,
  'a feature outside the plan is not allowed');
select throws_ok(format($q$ select public.check_entitlement(%L, 'reports.market_report', 0) $q$, :'stranger_acct'),
  '22023', null, 'zero units are refused (22023)');

select tests.authenticate_as('member');
select results_eq(
  format($q$ select e ->> 'allowed', e ->> 'billable', (e ->> 'overage_units')::int, (e ->> 'overage_unit_price')::numeric,
                   (e ->> 'overage_amount')::numeric, e ->> 'currency'
            from public.check_entitlement(%L, 'reports.market_report', 60) e $q$, :'acme'),
  $$ values ('true'::text, 'true'::text, 11, 0.50::numeric, 5.50::numeric, 'USD'::text) $$,
  'past the solo allowance, overage is allowed and billable, priced per unit');

select tests.clear_authentication();
select private.billing_upsert_subscription('stripe', 'sub_b_acme_affiliate', :'acme', (select id from public.plans where code = 'reports_affiliate'), 'active', now()) is not null as ok \gset
select tests.authenticate_as('member');
select results_eq(
  format($q$ select e ->> 'allowed', e ->> 'billable', e ->> 'quota', e ->> 'plan'
            from public.check_entitlement(%L, 'reports.market_report', 100000) e $q$, :'acme'),
  $$ values ('true'::text, 'false'::text, null::text, 'reports_affiliate'::text) $$,
  'an unlimited plan allows any number and bills nothing');

select tests.clear_authentication();
select is((select used from public.usage_counters where account_id = :'acme' and feature = 'reports.market_report'), 1,
  'asking never records usage');
select is(
  (select p.provolatile from pg_proc p where p.oid = 'public.check_entitlement(uuid,text,integer)'::regprocedure), 's',
  'check_entitlement is declared stable (read-only)');

select * from finish();
rollback;
