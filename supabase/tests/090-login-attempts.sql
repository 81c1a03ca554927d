-- public.login_attempts and the Auth hook
-- private.password_verification_attempt_hook.
--   * the hook, called by Supabase Auth (supabase_auth_admin) on every
--     password check, records the attempt and, after 5 failures within 15
--     minutes, rejects further attempts for that email (even a correct
--     password) and records the lock-out;
--   * users read their own attempts, platform admins all, anon none;
--   * nobody but service_role and the hook writes the table, and only Auth
--     may call the hook.

begin;
select plan(22);

do $$
begin
  perform tests.create_supabase_user('alice');
  perform tests.create_supabase_user('sam');
  perform tests.create_supabase_user('pat');     -- platform admin
  perform tests.make_platform_admin('pat');
end $$;

create temp table ids as
  select identifier, tests.get_supabase_uid(identifier) as id from unnest(array['alice', 'sam', 'pat']) identifier;
grant select on ids to public;

-- Calls the hook as Supabase Auth does.
create function pg_temp.attempt(identifier text, valid boolean) returns jsonb
language plpgsql as $$
declare v jsonb;
begin
  set local role supabase_auth_admin;
  v := private.password_verification_attempt_hook(
    jsonb_build_object('user_id', (select id from ids where ids.identifier = attempt.identifier), 'valid', valid));
  reset role;
  return v;
end $$;

-- ---------------------------------------------------------------- the hook
select ok(has_function_privilege('supabase_auth_admin', 'private.password_verification_attempt_hook(jsonb)', 'execute'),
  'Supabase Auth may call the hook');
select is(pg_temp.attempt('alice', true), '{"decision": "continue"}', 'a correct password continues');
select results_eq(
  $$ select success, failure_reason, email from public.login_attempts where user_id = (select id from ids where identifier = 'alice') $$,
  $$ values (true, null::text, 'alice@test.local'::text) $$,
  'the successful attempt is recorded with the user''s email');
select is(pg_temp.attempt('alice', false), '{"decision": "continue"}', 'a first wrong password continues');
select results_eq(
  $$ select failure_reason from public.login_attempts where user_id = (select id from ids where identifier = 'alice') and not success $$,
  $$ values ('invalid_password'::text) $$, 'the failure is recorded as invalid_password');
select is(pg_temp.attempt('alice', false) || pg_temp.attempt('alice', false) || pg_temp.attempt('alice', false)
          || pg_temp.attempt('alice', false), '{"decision": "continue"}',
  'the 2nd to 5th wrong passwords still continue');
select is(pg_temp.attempt('alice', true) ->> 'decision', 'reject',
  'after 5 failures the next attempt is rejected, even with the right password');
select results_eq(
  $$ select success, count(*)::int from public.login_attempts
     where user_id = (select id from ids where identifier = 'alice') and failure_reason = 'locked_out' group by 1 $$,
  $$ values (false, 1) $$, 'the rejected attempt is recorded as a locked_out failure');
select is(pg_temp.attempt('sam', false), '{"decision": "continue"}', 'another user is not affected by the lock-out');

select tests.clear_authentication();
update public.login_attempts set attempted_at = now() - interval '16 minutes'
where user_id = (select id from ids where identifier = 'alice');
select is(pg_temp.attempt('alice', true), '{"decision": "continue"}', 'failures older than 15 minutes no longer count');

-- ---------------------------------------------------------------- read
select tests.authenticate_as_anon();
select throws_ok($$ select * from public.login_attempts $$, '42501', null, 'anon cannot read login attempts');
select tests.authenticate_as('alice');
select is((select count(*)::int from public.login_attempts), 8, 'a user reads all her own attempts');
select is_empty($$ select 1 from public.login_attempts where user_id is distinct from auth.uid() $$,
  'a user reads nobody else''s attempts');
select tests.authenticate_as('sam');
select is((select count(*)::int from public.login_attempts), 1, 'the other user reads only his own attempt');
select tests.authenticate_as('pat');
select is((select count(*)::int from public.login_attempts where user_id in (select id from ids)), 9,
  'a platform admin reads every attempt');

-- ---------------------------------------------------------------- write
select tests.authenticate_as('alice');
select throws_ok(
  $$ insert into public.login_attempts (email, user_id, success) values ('alice@test.local', auth.uid(), true) $$,
  '42501', null, 'a user cannot record attempts herself');
select throws_ok($$ delete from public.login_attempts $$, '42501', null,
  'a user cannot erase her failed attempts to lift a lock-out');
select throws_ok($$ update public.login_attempts set success = true $$, '42501', null,
  'a user cannot turn failures into successes');
select tests.authenticate_as_service_role();
select lives_ok(
  $$ insert into public.login_attempts (email, success, failure_reason) values ('nobody@test.local', false, 'unknown_email') $$,
  'service_role records attempts (e.g. for unknown emails)');

-- ---------------------------------------------------------------- only Auth calls the hook
select tests.authenticate_as('sam');
select throws_ok(
  $$ select private.password_verification_attempt_hook(
       jsonb_build_object('user_id', (select id from ids where identifier = 'alice'), 'valid', false)) $$,
  '42501', null, 'a signed-in user cannot call the hook (it would lock other users out)');
select tests.authenticate_as_anon();
select throws_ok(
  $$ select private.password_verification_attempt_hook(
       jsonb_build_object('user_id', (select id from ids where identifier = 'alice'), 'valid', false)) $$,
  '42501', null, 'anon cannot call the hook');
select tests.clear_authentication();
select is((select count(*)::int from public.login_attempts where user_id = (select id from ids where identifier = 'alice')), 8,
  'no attempt was recorded for the owner by anyone but Auth');

select * from finish();
rollback;
