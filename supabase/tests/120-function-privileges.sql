-- Who may call which function.
--   * every function in public and private pins its search_path;
--   * anon may call only the helpers the pre-request hook and policies
--     need, plus request_ip (column default of analytics_events);
--     authenticated additionally the membership helpers and the six RPCs;
--   * private.notify, the Auth hook, accept_invitation_for and
--     purge_expired_revocations are for service_role / Auth / definer code
--     only (the migration's per-schema `alter default privileges ... revoke
--     execute from public` is a no-op in PostgreSQL, so every private
--     function must be revoked from PUBLIC explicitly);
--   * the RPCs are closed to anon and open to authenticated.
-- Trigger functions are left out: PostgreSQL refuses to call them directly.

begin;
select plan(22);

create temp view callable as
  select r.rolname as grantee, p.oid::regprocedure::text as fn
  from pg_proc p
  join pg_namespace n on n.oid = p.pronamespace
  cross join pg_roles r
  where n.nspname in ('public', 'private')
    and p.prorettype <> 'pg_catalog.trigger'::regtype
    and r.rolname in ('anon', 'authenticated')
    and has_function_privilege(r.oid, p.oid, 'execute');

select is_empty(
  $$ select p.oid::regprocedure from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname in ('public', 'private')
       and not exists (select 1 from unnest(p.proconfig) c where c like 'search_path=%') $$,
  'every function in public and private pins its search_path');

select set_eq(
  $$ select fn from callable where grantee = 'anon' $$,
  array['private.check_request()', 'private.is_platform_admin()', 'private.request_is_revoked(jsonb)',
        'private.request_ip()'],
  'anon may call only the pre-request helpers and request_ip');

select set_eq(
  $$ select fn from callable where grantee = 'authenticated' $$,
  array[
    'private.check_request()', 'private.is_platform_admin()', 'private.request_is_revoked(jsonb)',
    'private.my_account_ids()', 'private.my_admin_account_ids()', 'private.my_owner_account_ids()',
    'private.my_teammate_ids()', 'private.account_role_of(uuid)', 'private.is_account_member(uuid)',
    'private.is_account_admin(uuid)', 'private.is_account_owner(uuid)', 'private.request_ip()',
    'create_team_account(text,text)', 'transfer_account_ownership(uuid,uuid)',
    'create_invitation(uuid,account_role,text,integer)', 'accept_invitation(text)',
    'revoke_session(uuid)', 'revoke_all_sessions()', 'check_entitlement(uuid,text,integer)'
  ],
  'authenticated may call the policy helpers, request_ip and the RPCs, nothing else');

select ok(not has_function_privilege('authenticated', 'private.notify(uuid,text,text,text,text,text,jsonb,uuid)', 'execute'),
  'authenticated cannot call private.notify');
select ok(not has_function_privilege('authenticated', 'private.password_verification_attempt_hook(jsonb)', 'execute'),
  'authenticated cannot call the password verification hook');
select ok(not has_function_privilege('authenticated', 'private.accept_invitation_for(uuid,text)', 'execute'),
  'authenticated cannot accept invitations on someone else''s behalf');
select ok(not has_function_privilege('anon', 'private.purge_expired_revocations()', 'execute'),
  'anon cannot run the revocation purge');
select ok(has_function_privilege('service_role', 'private.notify(uuid,text,text,text,text,text,jsonb,uuid)', 'execute'),
  'service_role can call private.notify');
select ok(has_function_privilege('supabase_auth_admin', 'private.password_verification_attempt_hook(jsonb)', 'execute'),
  'Supabase Auth can call the password verification hook');

select function_privs_are('public', 'create_team_account', array['text', 'text'], 'anon', array[]::text[],
  'anon cannot execute create_team_account');
select function_privs_are('public', 'transfer_account_ownership', array['uuid', 'uuid'], 'anon', array[]::text[],
  'anon cannot execute transfer_account_ownership');
select function_privs_are('public', 'create_invitation', array['uuid', 'account_role', 'text', 'integer'], 'anon', array[]::text[],
  'anon cannot execute create_invitation');
select function_privs_are('public', 'accept_invitation', array['text'], 'anon', array[]::text[],
  'anon cannot execute accept_invitation');
select function_privs_are('public', 'revoke_session', array['uuid'], 'anon', array[]::text[],
  'anon cannot execute revoke_session');
select function_privs_are('public', 'revoke_all_sessions', array[]::text[], 'anon', array[]::text[],
  'anon cannot execute revoke_all_sessions');
select function_privs_are('public', 'create_team_account', array['text', 'text'], 'authenticated', array['EXECUTE'],
  'authenticated can execute create_team_account');
select function_privs_are('public', 'transfer_account_ownership', array['uuid', 'uuid'], 'authenticated', array['EXECUTE'],
  'authenticated can execute transfer_account_ownership');
select function_privs_are('public', 'create_invitation', array['uuid', 'account_role', 'text', 'integer'], 'authenticated', array['EXECUTE'],
  'authenticated can execute create_invitation');
select function_privs_are('public', 'accept_invitation', array['text'], 'authenticated', array['EXECUTE'],
  'authenticated can execute accept_invitation');
select function_privs_are('public', 'revoke_session', array['uuid'], 'authenticated', array['EXECUTE'],
  'authenticated can execute revoke_session');
select function_privs_are('public', 'revoke_all_sessions', array[]::text[], 'authenticated', array['EXECUTE'],
  'authenticated can execute revoke_all_sessions');

-- The request_ip grant matters: analytics_events.ip_address defaults to it.
select tests.create_supabase_user('alice') is not null as created \gset
select tests.authenticate_as('alice');
select lives_ok($$ insert into public.analytics_events (product, event_type) values ('homes', 'page.view') $$,
  'a signed-in user can still record an event (request_ip default is callable)');

select * from finish();
rollback;
