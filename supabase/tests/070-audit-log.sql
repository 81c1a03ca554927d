-- public.audit_log and private.audit_row_change().
--   * changes to accounts, memberships, invitations, platform admins and a
--     profile's account_status are logged by triggers, with the actor, the
--     role, whether they were a platform admin, before/after values (never
--     token hashes) and the client IP;
--   * account owners and admins read their accounts' entries, platform
--     admins read everything; members, strangers and anon read nothing;
--   * the log is append-only: no insert, update, delete or truncate through
--     any role, even service_role and the table owner;
--   * it outlives the people in it: deleting a user keeps their entries.

begin;
select plan(33);

do $$
begin
  perform tests.create_supabase_user('alice');   -- owner of Acme
  perform tests.create_supabase_user('adam');    -- admin of Acme
  perform tests.create_supabase_user('mia');     -- member of Acme
  perform tests.create_supabase_user('sam');     -- stranger
  perform tests.create_supabase_user('pat');     -- platform admin
end $$;

-- Alice builds her team through the API.
select tests.authenticate_as('alice');
select public.create_team_account('Acme', 'acme') is not null as created \gset
select tests.clear_authentication();
select tests.add_account_member(tests.account_id('acme'), 'adam', 'admin');
select tests.add_account_member(tests.account_id('acme'), 'mia', 'member');
select tests.authenticate_as('alice');
set local request.headers = '{"cf-connecting-ip": "203.0.113.7", "x-forwarded-for": "10.0.0.1"}';
update public.accounts set name = 'Acme Corp' where slug = 'acme';
reset request.headers;
update public.accounts set name = 'Acme Corp' where slug = 'acme';   -- changes nothing
update public.account_memberships set role = 'admin'
  where account_id = tests.account_id('acme') and user_id = tests.get_supabase_uid('mia');
select public.create_invitation(tests.account_id('acme'), 'member') is not null as invited \gset
select tests.authenticate_as_service_role();
insert into public.platform_admins (user_id) values (tests.get_supabase_uid('pat'));
select tests.clear_authentication();
update public.profiles set account_status = 'suspended' where id = tests.get_supabase_uid('mia');
update public.profiles set account_status = 'active' where id = tests.get_supabase_uid('mia');
select tests.authenticate_as('pat');
select public.create_team_account('Pat Ops', 'pat-ops') is not null as created \gset
select tests.clear_authentication();

-- ---------------------------------------------------------------- what is written
select results_eq(
  $$ select action, actor_id, actor_role, by_platform_admin, new_values ->> 'slug'
     from public.audit_log where resource_type = 'public.accounts' and resource_id = tests.account_id('acme')::text
       and action = 'INSERT' $$,
  $$ values ('INSERT'::text, tests.get_supabase_uid('alice'), 'authenticated'::text, false, 'acme'::text) $$,
  'creating a team is logged with the creator as actor');
select results_eq(
  $$ select new_values ->> 'role', account_id from public.audit_log
     where resource_type = 'public.account_memberships' and action = 'INSERT'
       and actor_id = tests.get_supabase_uid('alice') $$,
  $$ values ('owner'::text, tests.account_id('acme')) $$,
  'the creator''s owner membership is logged against the account');
select results_eq(
  $$ select old_values ->> 'name', new_values ->> 'name', ip_address
     from public.audit_log where resource_type = 'public.accounts' and action = 'UPDATE'
       and account_id = tests.account_id('acme') $$,
  $$ values ('Acme'::text, 'Acme Corp'::text, '203.0.113.7'::inet) $$,
  'a rename is logged once, with old and new values and the trusted client IP; a no-op update is not logged');
select results_eq(
  $$ select old_values ->> 'role', new_values ->> 'role', actor_id from public.audit_log
     where resource_type = 'public.account_memberships' and action = 'UPDATE' $$,
  $$ values ('member'::text, 'admin'::text, tests.get_supabase_uid('alice')) $$,
  'a role change is logged with before and after');
select results_eq(
  $$ select account_id, new_values ? 'token_hash', new_values ->> 'role' from public.audit_log
     where resource_type = 'public.invitations' and action = 'INSERT' and actor_id = tests.get_supabase_uid('alice') $$,
  $$ values (tests.account_id('acme'), false, 'member'::text) $$,
  'an invitation is logged against its account, without its token hash');
select results_eq(
  $$ select actor_role, resource_id from public.audit_log
     where resource_type = 'public.platform_admins' and resource_id = tests.get_supabase_uid('pat')::text $$,
  $$ values ('service_role'::text, tests.get_supabase_uid('pat')::text) $$,
  'granting platform admin rights is logged with the service role as actor');
select results_eq(
  $$ select old_values ->> 'account_status', new_values ->> 'account_status' from public.audit_log
     where resource_type = 'public.profiles' and resource_id = tests.get_supabase_uid('mia')::text order by id $$,
  $$ values ('active'::text, 'suspended'::text), ('suspended', 'active') $$,
  'suspending and reinstating a profile are logged');
select results_eq(
  $$ select by_platform_admin from public.audit_log
     where resource_type = 'public.accounts' and new_values ->> 'slug' = 'pat-ops' $$,
  $$ values (true) $$,
  'an action by a platform admin is flagged as such');

-- ---------------------------------------------------------------- who reads it
select tests.authenticate_as_anon();
select throws_ok($$ select * from public.audit_log $$, '42501', null, 'anon cannot read the audit log');

select tests.authenticate_as('alice');
select is((select count(*)::int from public.audit_log where account_id = tests.account_id('acme')), 7,
  'the owner reads every entry of her account');
select is_empty(
  $$ select 1 from public.audit_log where account_id is distinct from tests.account_id('acme') and account_id <> auth.uid() $$,
  'the owner reads nothing outside her own accounts');
select tests.authenticate_as('adam');
select is((select count(*)::int from public.audit_log where account_id = tests.account_id('acme')), 7,
  'an account admin reads the account''s entries');
-- Mia was promoted to admin above; demote her back to check a plain member.
select tests.clear_authentication();
update public.account_memberships set role = 'member'
  where account_id = tests.account_id('acme') and user_id = tests.get_supabase_uid('mia');
select tests.authenticate_as('mia');
select is_empty($$ select 1 from public.audit_log where account_id = tests.account_id('acme') $$,
  'a member who is not an admin reads none of the account''s entries');
select tests.authenticate_as('sam');
select is_empty($$ select 1 from public.audit_log where account_id = tests.account_id('acme') $$,
  'a stranger reads none of the account''s entries');
select is_empty($$ select 1 from public.audit_log where resource_type in ('public.platform_admins', 'public.profiles') $$,
  'a stranger reads no platform-level entries');
select tests.authenticate_as('pat');
select isnt_empty($$ select 1 from public.audit_log where account_id = tests.account_id('acme') $$,
  'a platform admin reads other accounts'' entries');
select isnt_empty($$ select 1 from public.audit_log where resource_type = 'public.profiles' $$,
  'a platform admin reads platform-level entries');
select tests.authenticate_as_service_role();
select isnt_empty($$ select 1 from public.audit_log where account_id = tests.account_id('acme') $$,
  'service_role reads the log');

-- ---------------------------------------------------------------- append-only
select tests.authenticate_as('alice');
select throws_ok(
  $$ insert into public.audit_log (actor_role, action, resource_type) values ('authenticated', 'DELETE', 'public.accounts') $$,
  '42501', null, 'a user cannot forge entries');
select throws_ok($$ update public.audit_log set actor_id = null where account_id = tests.account_id('acme') $$,
  '42501', null, 'an account owner cannot rewrite entries');
select throws_ok($$ delete from public.audit_log where account_id = tests.account_id('acme') $$,
  '42501', null, 'an account owner cannot erase entries');
select tests.authenticate_as('pat');
select throws_ok($$ delete from public.audit_log $$, '42501', null, 'a platform admin cannot erase entries');
select tests.authenticate_as_service_role();
select throws_ok($$ update public.audit_log set actor_role = 'x' $$, '42501', null, 'service_role cannot rewrite entries');
select throws_ok($$ delete from public.audit_log $$, '42501', null, 'service_role cannot erase entries');
select throws_ok(
  $$ insert into public.audit_log (actor_role, action, resource_type, resource_id)
     values ('service_role', 'UPDATE', 'public.accounts', 'forged') $$,
  '42501', null, 'service_role cannot forge entries (only the audit triggers write)');
select tests.clear_authentication();
select throws_ok($$ update public.audit_log set actor_role = 'x' $$, '42501', 'audit_log is append-only',
  'even the table owner cannot rewrite entries');
select throws_ok($$ delete from public.audit_log $$, '42501', 'audit_log is append-only',
  'even the table owner cannot erase entries');

-- ---------------------------------------------------------------- outlives users
select tests.authenticate_as('sam');
update public.accounts set name = 'Sam himself' where id = auth.uid();
select tests.clear_authentication();
select is((select count(*)::int from public.audit_log where actor_id = tests.get_supabase_uid('sam')), 1,
  'the stranger''s own edit was logged with him as actor');
create temp table sam_ref as select tests.get_supabase_uid('sam') as id;
select lives_ok($$ delete from auth.users where id = (select id from sam_ref) $$,
  'a user whose actions are in the audit log can still be deleted');
select results_eq(
  $$ select action from public.audit_log
     where resource_type = 'public.accounts' and resource_id = (select id::text from sam_ref) order by id $$,
  $$ values ('INSERT'::text), ('UPDATE'), ('DELETE') $$,
  'the deleted user''s entries stay: creation, edit and deletion of his account');

-- The restriction that does apply: team accounts need an owner.
create temp table pat_ref as select tests.get_supabase_uid('pat') as id;
select throws_ok($$ delete from auth.users where id = (select id from pat_ref) $$, '23503', null,
  'a user who still owns a team cannot be deleted (transfer or delete the team first)');

-- ---------------------------------------------------------------- no truncate
-- Last, because a truncate that wrongly succeeds empties the log.
select tests.authenticate_as_service_role();
select throws_ok($$ truncate public.audit_log $$, '42501', null,
  'service_role cannot truncate the log (TRUNCATE skips row triggers)');
select tests.clear_authentication();
select throws_ok($$ truncate public.audit_log $$, '42501', null,
  'even the table owner cannot truncate the log');

select * from finish();
rollback;
