-- public.revoked_tokens, the revocation RPCs (revoke_session,
-- revoke_all_sessions) and PostgREST's db-pre-request hook
-- private.check_request().
--   * after a sign-out, every request carrying that session's JWT is
--     refused with SQLSTATE PGRST (HTTP 401); the user's other sessions and
--     other users keep working;
--   * a user revokes only their own sessions; "sign out everywhere" covers
--     every session Auth knows plus the current one;
--   * suspended and deleted profiles are refused on every request;
--   * users read their own revocations and cannot undo them.

begin;
select plan(35);

do $$
begin
  perform tests.create_supabase_user('alice');
  perform tests.create_supabase_user('bob');
  perform tests.create_supabase_user('carol');
  perform tests.create_supabase_user('pat');     -- platform admin
  perform tests.make_platform_admin('pat');
  -- Alice is also signed in on a second device; Bob on a tablet.
  insert into auth.sessions (id, user_id) values
    ('00000000-0000-4000-8000-00000000a002', tests.get_supabase_uid('alice')),
    ('00000000-0000-4000-8000-00000000b002', tests.get_supabase_uid('bob'));
end $$;

-- ---------------------------------------------------------------- the hook is wired
select ok(
  exists (select 1 from pg_db_role_setting s join pg_roles r on r.oid = s.setrole
          where r.rolname = 'authenticator' and 'pgrst.db_pre_request=private.check_request' = any (s.setconfig)),
  'PostgREST runs private.check_request before every request');

-- ---------------------------------------------------------------- nothing revoked yet
select tests.authenticate_as_anon();
select lives_ok($$ select private.check_request() $$, 'an anonymous request goes through');
select tests.authenticate_as_service_role();
select lives_ok($$ select private.check_request() $$, 'a service_role request goes through');
select tests.authenticate_as('alice');
select lives_ok($$ select private.check_request() $$, 'a signed-in request goes through');

-- ---------------------------------------------------------------- revoke_session
select lives_ok($$ select public.revoke_session() $$, 'a user signs out of the current session');
select throws_ok($$ select private.check_request() $$, 'PGRST', null,
  'a request with the signed-out session''s JWT is refused (PGRST → HTTP 401)');
select throws_like($$ select private.check_request() $$, '%"message" : "session revoked"%',
  'the refusal says the session was revoked');
select tests.clear_authentication();
select results_eq(
  $$ select token_hash, reason, user_id, expires_at > now() + interval '1 day' from public.revoked_tokens
     where user_id = tests.get_supabase_uid('alice') $$,
  $$ values (encode(extensions.digest(tests.session_id_of('alice')::text, 'sha256'), 'hex'), 'sign_out'::text,
             tests.get_supabase_uid('alice'), true) $$,
  'the revocation stores only a hash of the session id, until a day after the token expires');

select tests.authenticate_as('alice', '00000000-0000-4000-8000-00000000a002');
select lives_ok($$ select private.check_request() $$, 'the same user''s other session still works');
select tests.authenticate_as('bob');
select lives_ok($$ select private.check_request() $$, 'another user is unaffected');

select tests.authenticate_as('alice', '00000000-0000-4000-8000-00000000a003');
select lives_ok($$ select public.revoke_session('00000000-0000-4000-8000-00000000a002') $$,
  'a user signs out another of her own sessions');
select tests.authenticate_as('alice', '00000000-0000-4000-8000-00000000a002');
select throws_ok($$ select private.check_request() $$, 'PGRST', null, 'that other session is now refused');
select tests.authenticate_as('alice', '00000000-0000-4000-8000-00000000a003');
select lives_ok($$ select private.check_request() $$, 'while the session that signed it out goes on');
select throws_ok($$ select public.revoke_session('00000000-0000-4000-8000-00000000b002') $$, '42501', null,
  'a user cannot sign out another user''s session');
select throws_ok($$ select public.revoke_session(gen_random_uuid()) $$, '42501', null,
  'a user cannot revoke a session id that is not hers');
select tests.authenticate_as('bob', '00000000-0000-4000-8000-00000000b002');
select lives_ok($$ select private.check_request() $$, 'the session the attacker tried to revoke still works');

select tests.authenticate_as_anon();
select throws_ok($$ select public.revoke_session(gen_random_uuid()) $$, '42501', null, 'anon cannot revoke sessions');
select throws_ok($$ select public.revoke_all_sessions() $$, '42501', null, 'anon cannot sign out everywhere');

-- ---------------------------------------------------------------- revoke_all_sessions
select tests.authenticate_as('bob', '00000000-0000-4000-8000-00000000b003');
select is(public.revoke_all_sessions(), 3,
  'signing out everywhere revokes every known session plus the current one');
select throws_ok($$ select private.check_request() $$, 'PGRST', null, 'the current session is refused afterwards');
select tests.authenticate_as('bob', '00000000-0000-4000-8000-00000000b002');
select throws_ok($$ select private.check_request() $$, 'PGRST', null, 'the tablet session is refused too');
select tests.authenticate_as('alice', '00000000-0000-4000-8000-00000000a003');
select lives_ok($$ select private.check_request() $$, 'other users are unaffected by a sign-out everywhere');

-- ---------------------------------------------------------------- reading revocations
select tests.authenticate_as_anon();
select throws_ok($$ select * from public.revoked_tokens $$, '42501', null, 'anon cannot read revocations');
select tests.authenticate_as('alice', '00000000-0000-4000-8000-00000000a003');
select results_eq($$ select user_id, count(*)::int from public.revoked_tokens group by 1 $$,
  $$ values (auth.uid(), 2) $$, 'a user reads her own revocations and nobody else''s');
select throws_ok($$ delete from public.revoked_tokens $$, '42501', null, 'a user cannot undo a revocation');
select throws_ok($$ update public.revoked_tokens set token_hash = repeat('0', 64) $$, '42501', null,
  'a user cannot alter a revocation');
select throws_ok(
  $$ insert into public.revoked_tokens (token_hash, user_id, expires_at)
     values (repeat('0', 64), tests.get_supabase_uid('bob'), now() + interval '1 day') $$,
  '42501', null, 'a user cannot plant revocations (e.g. for another user)');
select tests.authenticate_as('pat');
select is((select count(*)::int from public.revoked_tokens
           where user_id in (tests.get_supabase_uid('alice'), tests.get_supabase_uid('bob'))), 5,
  'a platform admin reads every revocation');

-- ---------------------------------------------------------------- suspended and deleted profiles
select tests.clear_authentication();
update public.profiles set account_status = 'suspended' where id = tests.get_supabase_uid('carol');
select tests.authenticate_as('carol');
select throws_like($$ select private.check_request() $$, '%"message" : "account suspended"%',
  'a suspended user''s requests are refused');
select tests.clear_authentication();
update public.profiles set account_status = 'deleted' where id = tests.get_supabase_uid('carol');
select tests.authenticate_as('carol');
select throws_like($$ select private.check_request() $$, '%"message" : "account deleted"%',
  'a deleted user''s requests are refused');
select tests.clear_authentication();
update public.profiles set account_status = 'active' where id = tests.get_supabase_uid('carol');
select tests.authenticate_as('carol');
select lives_ok($$ select private.check_request() $$, 'a reinstated user''s requests go through again');

select is(private.request_is_revoked('{"role": "authenticated", "sub": "not-a-uuid"}'), 'malformed subject',
  'a token with a malformed subject is refused');

-- ---------------------------------------------------------------- housekeeping
select tests.clear_authentication();
update public.revoked_tokens set expires_at = now() - interval '1 minute'
where user_id = tests.get_supabase_uid('alice');
select cmp_ok(private.purge_expired_revocations(), '>=', 2, 'the purge reports what it removed');
select is_empty($$ select 1 from public.revoked_tokens where user_id = tests.get_supabase_uid('alice') $$,
  'expired revocations whose sessions are gone are purged');
select is((select count(*)::int from public.revoked_tokens where user_id = tests.get_supabase_uid('bob')), 3,
  'unexpired revocations are kept');

select * from finish();
rollback;
