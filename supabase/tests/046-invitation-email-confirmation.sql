-- Email-bound invitations and unconfirmed addresses. Whoever holds a token
-- can sign up with the invited address; only Auth's confirmation proves the
-- address is theirs. So:
--   * a sign-up whose address is not yet confirmed keeps its email-bound
--     invitation pending (not a member, invitation unused), while a bad
--     token still refuses the sign-up;
--   * accept_invitation refuses an email-bound invitation until the
--     caller's address is confirmed (42501);
--   * when Auth confirms the address (auth.users.email_confirmed_at set),
--     the pending invitation is accepted; if it went stale meanwhile the
--     confirmation still succeeds, without it;
--   * open invitations (no email) and sign-ups confirmed at once are
--     accepted at sign-up as before.

begin;
select plan(20);

-- A sign-up as Auth records it while confirmations are on: email_confirmed_at null.
create or replace function tests.sign_up_unconfirmed(identifier text, email text, metadata jsonb default '{}')
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare v_id uuid := extensions.gen_random_uuid();
begin
  insert into auth.users (id, aud, role, email, email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
  values (v_id, 'authenticated', 'authenticated', email, null, '{"provider": "email", "providers": ["email"]}',
          metadata || jsonb_build_object('test_identifier', identifier, 'full_name', identifier), now(), now());
  insert into auth.sessions (id, user_id) values (tests.session_id_of(identifier), v_id);
  return v_id;
end;
$$;

-- Auth confirming the address.
create or replace function tests.confirm_email(identifier text)
returns void
language sql
security definer
set search_path = ''
as $$
  update auth.users set email_confirmed_at = now() where id = tests.get_supabase_uid(identifier);
$$;

do $$
declare v_acme uuid;
begin
  perform tests.create_supabase_user('alice');   -- owner of Acme
  perform tests.create_supabase_user('adam');    -- admin of Acme, removed later
  v_acme := tests.create_team('alice', 'acme');
  perform tests.add_account_member(v_acme, 'adam', 'admin');
end $$;

create temp table tokens (label text primary key, token text);
grant all on tokens to authenticated;
select tests.authenticate_as('alice');
insert into tokens values
  ('for-nora', public.create_invitation(tests.account_id('acme'), 'member', 'nora@test.local') ->> 'token'),
  ('for-olga', public.create_invitation(tests.account_id('acme'), 'member', 'olga@test.local') ->> 'token'),
  ('for-rita', public.create_invitation(tests.account_id('acme'), 'member', 'rita@test.local') ->> 'token'),
  ('for-cleo', public.create_invitation(tests.account_id('acme'), 'admin', 'cleo@test.local') ->> 'token'),
  ('open', public.create_invitation(tests.account_id('acme'), 'member') ->> 'token');
select tests.authenticate_as('adam');
insert into tokens values
  ('for-stan', public.create_invitation(tests.account_id('acme'), 'member', 'stan@test.local') ->> 'token');
select tests.clear_authentication();

create view acme_members as
  select u.raw_user_meta_data ->> 'test_identifier' as who, m.role::text as role
  from public.account_memberships m join auth.users u on u.id = m.user_id
  where m.account_id = tests.account_id('acme');

-- ---------------------------------------------------------------- sign-up, unconfirmed
select lives_ok(
  $$ select tests.sign_up_unconfirmed('nora', 'nora@test.local', jsonb_build_object('invitation_token', (select token from tokens where label = 'for-nora'))) $$,
  'a sign-up with the invited address, not yet confirmed, succeeds');
select is_empty($$ select 1 from acme_members where who = 'nora' $$,
  'but does not join the account while the address is unconfirmed');
select is(
  (select accepted_at from public.invitations where token_hash = private.hash_token((select token from tokens where label = 'for-nora'))),
  null, 'and leaves the invitation unused');
select throws_ok(
  $$ select tests.sign_up_unconfirmed('ivan', 'ivan@test.local', jsonb_build_object('invitation_token', (select token from tokens where label = 'for-olga'))) $$,
  '42501', null, 'an unconfirmed sign-up with a token addressed to another email is still refused');
select throws_ok(
  $$ select tests.sign_up_unconfirmed('ivan', 'ivan@test.local', '{"invitation_token": "not-a-real-token"}') $$,
  '22023', null, 'and so is one with a bogus token');

select tests.authenticate_as('nora');
select throws_ok($$ select public.accept_invitation((select token from tokens where label = 'for-nora')) $$,
  '42501', null, 'the unconfirmed user cannot accept the invitation through the RPC either');

-- ---------------------------------------------------------------- confirmation
select tests.clear_authentication();
select lives_ok($$ select tests.confirm_email('nora') $$, 'Auth confirms the address');
select results_eq($$ select role from acme_members where who = 'nora' $$, $$ values ('member'::text) $$,
  'confirming the address accepts the pending invitation');
select is(
  (select accepted_by from public.invitations where token_hash = private.hash_token((select token from tokens where label = 'for-nora'))),
  tests.get_supabase_uid('nora'), 'which is marked accepted by her');
select is(
  (select count(*)::int from public.notifications where user_id = tests.get_supabase_uid('alice') and type = 'member_joined'),
  1, 'and the inviter is told she joined');

-- Later acceptance through the RPC, once confirmed.
do $$ begin perform tests.sign_up_unconfirmed('olga', 'olga@test.local'); end $$;
select tests.authenticate_as('olga');
select throws_ok($$ select public.accept_invitation((select token from tokens where label = 'for-olga')) $$,
  '42501', null, 'a user who signed up without the token cannot accept it before confirming');
select tests.clear_authentication();
do $$ begin perform tests.confirm_email('olga'); end $$;
select tests.authenticate_as('olga');
select is(public.accept_invitation((select token from tokens where label = 'for-olga')), tests.account_id('acme'),
  'once confirmed, she accepts it through the RPC');

-- Stale by the time the address is confirmed: revoked, or its sender lost the right.
select tests.clear_authentication();
do $$ begin perform tests.sign_up_unconfirmed('rita', 'rita@test.local', jsonb_build_object('invitation_token', (select token from tokens where label = 'for-rita'))); end $$;
do $$ begin perform tests.sign_up_unconfirmed('stan', 'stan@test.local', jsonb_build_object('invitation_token', (select token from tokens where label = 'for-stan'))); end $$;
delete from public.invitations where token_hash = private.hash_token((select token from tokens where label = 'for-rita'));
delete from public.account_memberships where account_id = tests.account_id('acme') and user_id = tests.get_supabase_uid('adam');
select lives_ok($$ select tests.confirm_email('rita') $$,
  'confirming an address whose invitation was revoked meanwhile still succeeds');
select lives_ok($$ select tests.confirm_email('stan') $$,
  'as does confirming one whose invitation''s sender was removed meanwhile');
select is_empty($$ select 1 from acme_members where who in ('rita', 'stan') $$,
  'neither joins the account');
select isnt(
  (select email_confirmed_at from auth.users where id = tests.get_supabase_uid('stan')), null,
  'and the confirmation was recorded');

-- ---------------------------------------------------------------- unchanged cases
do $$ begin perform tests.sign_up_unconfirmed('otto', 'otto@test.local', jsonb_build_object('invitation_token', (select token from tokens where label = 'open'))); end $$;
select results_eq($$ select role from acme_members where who = 'otto' $$, $$ values ('member'::text) $$,
  'an open invitation (no email) is accepted at sign-up, confirmed or not');
select lives_ok($$ select tests.confirm_email('otto') $$,
  'and the later confirmation, finding it already used, still succeeds');
select lives_ok(
  $$ select tests.create_supabase_user('cleo', 'cleo@test.local', jsonb_build_object('invitation_token', (select token from tokens where label = 'for-cleo'))) $$,
  'a sign-up confirmed at once (confirmations off, or an admin-created user) with the invited address succeeds');
select results_eq($$ select role from acme_members where who = 'cleo' $$, $$ values ('admin'::text) $$,
  'and joins at sign-up');

select * from finish();
rollback;
