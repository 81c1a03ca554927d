-- What happens when Supabase Auth creates a user (private.handle_new_user
-- and private.accept_signup_invitation on auth.users):
--   * a profile from the sign-up metadata, a personal account whose id is
--     the user's id, and an owner membership of it;
--   * invite-based sign-up: `invitation_token` in the metadata joins the
--     invited account with the invited role; a bad, used, expired or
--     misaddressed token refuses the whole sign-up;
--   * deleting the auth user removes the profile, personal account and
--     memberships.

begin;
select plan(26);

do $$
begin
  perform tests.create_supabase_user('dora', 'Dora@Test.Local', jsonb_build_object(
    'full_name', '  Dora Explorer ', 'first_name', 'Dora', 'last_name', 'Explorer',
    'avatar_url', 'https://example.com/dora.png'));
  perform tests.create_supabase_user('alice');
  perform tests.create_team('alice', 'acme');
end $$;

-- ---------------------------------------------------------------- plain sign-up
select results_eq(
  $$ select email, full_name, first_name, last_name, avatar_url from public.profiles where id = tests.get_supabase_uid('dora') $$,
  $$ values ('Dora@Test.Local'::text, 'Dora Explorer'::text, 'Dora'::text, 'Explorer'::text, 'https://example.com/dora.png'::text) $$,
  'sign-up creates a profile from the metadata (name trimmed)');
select results_eq(
  $$ select account_status, theme, language, marketplace_role from public.profiles where id = tests.get_supabase_uid('dora') $$,
  $$ values ('active'::text, 'light'::text, 'en'::text, 'dual'::text) $$,
  'the profile starts active with default preferences');
select matches((select agent_code from public.profiles where id = tests.get_supabase_uid('dora')), '^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$',
  'the profile gets an 8-character agent code (private.generate_agent_code: no 0/O/1/I/L)');
select results_eq(
  $$ select name, slug, account_type::text, primary_owner_user_id from public.accounts where id = tests.get_supabase_uid('dora') $$,
  $$ values ('Dora Explorer'::text, 'u-' || replace(tests.get_supabase_uid('dora')::text, '-', ''), 'personal'::text,
             tests.get_supabase_uid('dora')) $$,
  'sign-up creates a personal account whose id is the user''s id');
select results_eq(
  $$ select account_id, role::text from public.account_memberships where user_id = tests.get_supabase_uid('dora') $$,
  $$ values (tests.get_supabase_uid('dora'), 'owner'::text) $$,
  'the new user is the owner member of her personal account, and of nothing else');

insert into auth.users (id, email, raw_user_meta_data)
values ('00000000-0000-4000-8000-0000000000e1', 'erin.smith@test.local', '{"name": "Erin S", "picture": "https://example.com/e.png"}'),
       ('00000000-0000-4000-8000-0000000000e2', 'frank@test.local', null),
       ('00000000-0000-4000-8000-0000000000e3', null, '{}');
select results_eq(
  $$ select p.full_name, p.avatar_url, a.name from public.profiles p join public.accounts a on a.id = p.id
     where p.id = '00000000-0000-4000-8000-0000000000e1' $$,
  $$ values ('Erin S'::text, 'https://example.com/e.png'::text, 'Erin S'::text) $$,
  'OAuth-style metadata (name, picture) is understood too');
select results_eq(
  $$ select p.full_name, a.name from public.profiles p join public.accounts a on a.id = p.id
     where p.id = '00000000-0000-4000-8000-0000000000e2' $$,
  $$ values (null::text, 'frank'::text) $$,
  'without a name, the personal account is named after the email''s local part');
select results_eq(
  $$ select p.email, a.name from public.profiles p join public.accounts a on a.id = p.id
     where p.id = '00000000-0000-4000-8000-0000000000e3' $$,
  $$ values (''::text, 'me'::text) $$,
  'a user without email (phone sign-up) still gets a profile and personal account');
select is(
  (select count(*)::int from public.audit_log where resource_type = 'public.accounts' and action = 'INSERT'
     and resource_id in (select tests.get_supabase_uid('dora')::text) and actor_id is null),
  1, 'the personal account''s creation is audited');

-- ---------------------------------------------------------------- invite-based sign-up
create temp table tokens (label text primary key, token text);
grant all on tokens to authenticated;
select tests.authenticate_as('alice');
insert into tokens
  select 'open', public.create_invitation(tests.account_id('acme'), 'admin') ->> 'token'
  union all select 'for-gina', public.create_invitation(tests.account_id('acme'), 'member', 'gina@test.local') ->> 'token'
  union all select 'expired', public.create_invitation(tests.account_id('acme'), 'member') ->> 'token';
select tests.clear_authentication();
update public.invitations set expires_at = now() - interval '1 second'
where token_hash = private.hash_token((select token from tokens where label = 'expired'));

select lives_ok(
  $$ select tests.create_supabase_user('hank', null, jsonb_build_object('invitation_token', (select token from tokens where label = 'open'))) $$,
  'a sign-up carrying an invitation token succeeds');
select results_eq(
  $$ select account_id, role::text from public.account_memberships where user_id = tests.get_supabase_uid('hank') order by role $$,
  $$ values (tests.account_id('acme'), 'admin'::text), (tests.get_supabase_uid('hank'), 'owner'::text) $$,
  'the invited user owns a personal account and joined the team with the invited role');
select results_eq(
  $$ select accepted_by from public.invitations where token_hash = private.hash_token((select token from tokens where label = 'open')) $$,
  $$ values (tests.get_supabase_uid('hank')) $$,
  'the invitation is marked accepted by the new user');
select is(
  (select count(*)::int from public.notifications where user_id = tests.get_supabase_uid('alice') and type = 'member_joined'),
  1, 'the inviter is told that the new user joined');

select throws_ok(
  $$ select tests.create_supabase_user('ivan', null, jsonb_build_object('invitation_token', (select token from tokens where label = 'open'))) $$,
  '22023', null, 'a sign-up with an already used token is refused');
select throws_ok(
  $$ select tests.create_supabase_user('ivan', null, '{"invitation_token": "not-a-real-token"}') $$,
  '22023', null, 'a sign-up with a bogus token is refused');
select throws_ok(
  $$ select tests.create_supabase_user('ivan', null, jsonb_build_object('invitation_token', (select token from tokens where label = 'expired'))) $$,
  '22023', null, 'a sign-up with an expired token is refused');
select throws_ok(
  $$ select tests.create_supabase_user('ivan', 'ivan@test.local', jsonb_build_object('invitation_token', (select token from tokens where label = 'for-gina'))) $$,
  '42501', null, 'a sign-up with a token addressed to another email is refused');
select is_empty($$ select 1 from auth.users where email = 'ivan@test.local' $$,
  'a refused sign-up leaves no auth user behind');
select is_empty($$ select 1 from public.profiles where email = 'ivan@test.local' $$,
  'nor a profile');
select lives_ok(
  $$ select tests.create_supabase_user('gina', 'GINA@test.local', jsonb_build_object('invitation_token', (select token from tokens where label = 'for-gina'))) $$,
  'the addressee signs up with her token (email compared case-insensitively)');
select results_eq(
  $$ select role::text from public.account_memberships where account_id = tests.account_id('acme') and user_id = tests.get_supabase_uid('gina') $$,
  $$ values ('member'::text) $$, 'and joins the team as a member');
select lives_ok($$ select tests.create_supabase_user('jill', null, '{"invitation_token": ""}') $$,
  'an empty invitation_token is ignored');
select is_empty(
  $$ select 1 from public.account_memberships where user_id = tests.get_supabase_uid('jill') and account_id <> tests.get_supabase_uid('jill') $$,
  'and joins nothing');

-- ---------------------------------------------------------------- deleting the user
create temp table dora_ref as select tests.get_supabase_uid('dora') as id;
delete from auth.users where id = (select id from dora_ref);
select is_empty($$ select 1 from public.profiles where id = (select id from dora_ref) $$,
  'deleting the auth user deletes the profile');
select is_empty($$ select 1 from public.accounts where id = (select id from dora_ref) $$,
  'and the personal account');
select is_empty($$ select 1 from public.account_memberships where user_id = (select id from dora_ref) $$,
  'and every membership');

select * from finish();
rollback;
