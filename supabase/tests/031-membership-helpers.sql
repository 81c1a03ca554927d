-- The set-returning membership helpers every policy calls
-- (20261201009100_platform_membership_helpers_plpgsql.sql):
--   * they are plpgsql (a security definer sql function is planned afresh on
--     every call, which made RLS queries slower than the owner's), stable,
--     security definer, with an empty search_path;
--   * each returns exactly the caller's rows: all accounts, the ones where
--     the caller is owner or admin, the ones where the caller is owner, and
--     everyone sharing an account with the caller (the caller included);
--   * anon, and service_role without a user, get nothing;
--   * a plan cached in the session does not keep a previous caller's answer.

begin;
select plan(14);

do $$
declare v_acme uuid; v_beta uuid;
begin
  perform tests.create_supabase_user('alice');   -- owner of Acme
  perform tests.create_supabase_user('adam');    -- admin of Acme, member of Beta
  perform tests.create_supabase_user('mia');     -- member of Acme
  perform tests.create_supabase_user('bob');     -- owner of Beta
  perform tests.create_supabase_user('sam');     -- no team
  v_acme := tests.create_team('alice', 'acme');
  v_beta := tests.create_team('bob', 'beta');
  perform tests.add_account_member(v_acme, 'adam', 'admin');
  perform tests.add_account_member(v_acme, 'mia', 'member');
  perform tests.add_account_member(v_beta, 'adam', 'member');
end $$;

select is(
  (select count(*)::int from pg_proc p
   where p.pronamespace = 'private'::regnamespace
     and p.proname in ('my_account_ids', 'my_admin_account_ids', 'my_owner_account_ids', 'my_teammate_ids')
     and p.pronargs = 0
     and p.prolang = (select oid from pg_language where lanname = 'plpgsql')
     and p.prosecdef and p.provolatile = 's' and p.proretset
     and p.proconfig @> array['search_path=""']),
  4, 'the four helpers are plpgsql, stable, security definer, set-returning, with an empty search_path');

select tests.authenticate_as('adam');
select set_eq($$ select private.my_account_ids() $$,
  array[tests.get_supabase_uid('adam'), tests.account_id('acme'), tests.account_id('beta')],
  'my_account_ids: personal account and every team');
select set_eq($$ select private.my_admin_account_ids() $$,
  array[tests.get_supabase_uid('adam'), tests.account_id('acme')],
  'my_admin_account_ids: accounts where the caller is owner or admin');
select set_eq($$ select private.my_owner_account_ids() $$,
  array[tests.get_supabase_uid('adam')],
  'my_owner_account_ids: only the personal account for an admin');
select set_eq($$ select private.my_teammate_ids() $$,
  array[tests.get_supabase_uid('adam'), tests.get_supabase_uid('alice'), tests.get_supabase_uid('mia'), tests.get_supabase_uid('bob')],
  'my_teammate_ids: everyone in the caller''s accounts, once each');

-- Same session, another caller: the cached plans must read auth.uid() afresh.
select tests.authenticate_as('mia');
select set_eq($$ select private.my_account_ids() $$,
  array[tests.get_supabase_uid('mia'), tests.account_id('acme')],
  'my_account_ids follows the caller within one session');
select is_empty($$ select private.my_admin_account_ids() except select tests.get_supabase_uid('mia') $$,
  'a member administers only the personal account');
select set_eq($$ select private.my_teammate_ids() $$,
  array[tests.get_supabase_uid('mia'), tests.get_supabase_uid('alice'), tests.get_supabase_uid('adam')],
  'my_teammate_ids of a member of one team');

select tests.authenticate_as('bob');
select set_eq($$ select private.my_owner_account_ids() $$,
  array[tests.get_supabase_uid('bob'), tests.account_id('beta')],
  'my_owner_account_ids: personal account and the owned team');

select tests.authenticate_as('sam');
select set_eq($$ select private.my_teammate_ids() $$, array[tests.get_supabase_uid('sam')],
  'a user with no team is only their own teammate');

select tests.authenticate_as_service_role();
select is_empty($$ select private.my_account_ids() $$, 'service_role without a user gets no accounts');
select is_empty($$ select private.my_teammate_ids() $$, 'service_role without a user gets no teammates');

select tests.authenticate_as_anon();
select throws_ok($$ select private.my_account_ids() $$, '42501', null, 'anon cannot call my_account_ids');
select throws_ok($$ select private.my_teammate_ids() $$, '42501', null, 'anon cannot call my_teammate_ids');

select * from finish();
rollback;
