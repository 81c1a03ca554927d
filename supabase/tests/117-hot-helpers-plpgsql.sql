-- The helpers every policy or metered call asks are plpgsql, so their plans
-- are prepared once per session (20261202402000, 20261202402100): a security
-- definer sql function is planned afresh on every call. Same answers as
-- before.
begin;
select plan(7);

select is(
  (select count(*)::int from pg_proc p
   where p.oid in ('private.is_platform_admin()'::regprocedure, 'private.account_plan(uuid,text)'::regprocedure,
                   'private.usage_period_start(uuid,text)'::regprocedure)
     and p.prolang = (select oid from pg_language where lanname = 'plpgsql')
     and p.prosecdef and p.provolatile = 's' and p.proconfig @> array['search_path=""']),
  3, 'is_platform_admin, account_plan and usage_period_start are plpgsql, stable, security definer, with an empty search_path');

select tests.fixture() is not null as cast_ready \gset
select tests.get_supabase_uid('stranger') as stranger \gset

select is((private.account_plan(:'stranger', 'reports')).code, 'reports_free',
  'account_plan: without a subscription, the product''s default plan');
select ok((private.account_plan(:'stranger', 'nosuchproduct')).id is null,
  'account_plan: no plan for an unknown product');
select is(private.usage_period_start(:'stranger', 'reports'), date_trunc('month', now() at time zone 'UTC') at time zone 'UTC',
  'usage_period_start: without a subscription, the UTC calendar month');

select tests.authenticate_as('platform_admin');
select ok(private.is_platform_admin(), 'is_platform_admin: a platform admin');
select tests.authenticate_as('owner');
select ok(not private.is_platform_admin(), 'is_platform_admin: an account owner is not');
select tests.authenticate_as_anon();
select ok(not private.is_platform_admin(), 'is_platform_admin: anon is not');
select tests.clear_authentication();

select * from finish();
rollback;
