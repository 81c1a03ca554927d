-- public.invitations and the RPCs create_invitation and accept_invitation.
--   * only owners and admins of a team invite; the plain token is returned
--     once and only its SHA-256 hash is stored; token_hash itself is not
--     readable through the API (column grant: 42501);
--   * account admins (and platform admins) read the account's invitations;
--     members, strangers and anon do not;
--   * invitations are never inserted or edited directly; admins revoke them;
--   * accepting joins the caller with the invited role, exactly once, only
--     before expiry and only for the invited email; the inviter is notified.

begin;
select plan(42);

-- The shared cast (tests.fixture()): owner, admin and member of team-a; stranger; platform_admin; rival of team-b.
do $$
begin
  perform tests.fixture();
  perform tests.create_supabase_user('ivy');     -- invitee
  perform tests.create_supabase_user('nina', 'nina@test.local');  -- invitee by email
  perform tests.create_supabase_user('wanda');   -- holds someone else's invitation
end $$;

-- Tokens handed back by create_invitation, kept for later steps.
create temp table tokens (label text primary key, token text, invitation jsonb);
grant all on tokens to authenticated;

-- ---------------------------------------------------------------- create_invitation
select tests.authenticate_as_anon();
select throws_ok($$ select public.create_invitation(tests.account_id('team-a')) $$, '42501', null,
  'anon cannot create invitations');
select tests.authenticate_as('member');
select throws_ok($$ select public.create_invitation(tests.account_id('team-a')) $$, '42501', null,
  'a plain member cannot invite');
select tests.authenticate_as('stranger');
select throws_ok($$ select public.create_invitation(tests.account_id('team-a')) $$, '42501', null,
  'a stranger cannot invite into the team');
select tests.authenticate_as('platform_admin');
select throws_ok($$ select public.create_invitation(tests.account_id('team-a')) $$, '42501', null,
  'a platform admin who is not an account admin cannot invite');

select tests.authenticate_as('admin');
insert into tokens select 'open', i ->> 'token', i from public.create_invitation(tests.account_id('team-a'), 'admin') i;
insert into tokens select 'for-nina', i ->> 'token', i from public.create_invitation(tests.account_id('team-a'), 'member', 'NINA@Test.Local') i;
insert into tokens select 'to-revoke', i ->> 'token', i from public.create_invitation(tests.account_id('team-a')) i;
insert into tokens select 'to-expire', i ->> 'token', i from public.create_invitation(tests.account_id('team-a'), 'member', null, 1) i;
select matches((select token from tokens where label = 'open'), '^[0-9a-f]{48}$',
  'an admin invites and gets a 48-hex-digit token back');
select is((select invitation ->> 'role' from tokens where label = 'open'), 'admin',
  'the invitation carries the requested role');
select is((select invitation ->> 'email' from tokens where label = 'for-nina'), 'nina@test.local',
  'the invited email is stored in lower case');
select is((select (invitation ->> 'expires_at')::timestamptz from tokens where label = 'to-expire'), now() + interval '1 day',
  'expires_in_days sets the expiry');
select tests.authenticate_as('owner');
select isnt((select public.create_invitation(tests.account_id('team-a')) ->> 'token'), null,
  'the owner can invite too');

select throws_ok($$ select public.create_invitation(auth.uid()) $$, '22023', null,
  'nobody can be invited into a personal account');
select throws_ok($$ select public.create_invitation(tests.account_id('team-a'), 'owner') $$, '22023', null,
  'nobody can be invited as owner');
select throws_ok($$ select public.create_invitation(tests.account_id('team-a'), 'member', 'not-an-email') $$, '22023', null,
  'a malformed email is refused');
select throws_ok($$ select public.create_invitation(tests.account_id('team-a'), 'member', null, 0) $$, '22023', null,
  'an expiry under a day is refused');
select throws_ok($$ select public.create_invitation(tests.account_id('team-a'), 'member', null, 31) $$, '22023', null,
  'an expiry over 30 days is refused');

select tests.clear_authentication();
select is(
  (select i.token_hash from public.invitations i join tokens t on i.id = (t.invitation ->> 'id')::uuid where t.label = 'open'),
  encode(extensions.digest((select token from tokens where label = 'open'), 'sha256'), 'hex'),
  'only the SHA-256 hash of the token is stored');

-- ---------------------------------------------------------------- read
select tests.authenticate_as('admin');
select is((select count(*)::int from public.invitations where account_id = tests.account_id('team-a')), 5,
  'an account admin sees the account''s invitations');
select throws_ok($$ select token_hash from public.invitations $$, '42501', null,
  'token_hash is not readable through the API, even by an admin');
select throws_ok($$ select * from public.invitations $$, '42501', null,
  'select * is refused because token_hash is not granted');
select tests.authenticate_as('owner');
select is((select count(*)::int from public.invitations where account_id = tests.account_id('team-a')), 5,
  'the owner sees the account''s invitations');
select tests.authenticate_as('member');
select is_empty($$ select id from public.invitations $$, 'a plain member sees no invitations');
select tests.authenticate_as('stranger');
select is_empty($$ select id from public.invitations $$, 'a stranger sees no invitations');
select tests.authenticate_as('platform_admin');
select is((select count(*)::int from public.invitations where account_id = tests.account_id('team-a')), 5,
  'a platform admin sees every invitation');
select tests.authenticate_as_anon();
select throws_ok($$ select id from public.invitations $$, '42501', null, 'anon cannot read invitations');

-- ---------------------------------------------------------------- write directly
select tests.authenticate_as('admin');
select throws_ok(
  $$ insert into public.invitations (account_id, token_hash, invited_by)
     values (tests.account_id('team-a'), repeat('a', 64), auth.uid()) $$,
  '42501', null, 'invitations cannot be inserted directly (only the RPC knows the token)');
select throws_ok(
  $$ update public.invitations set expires_at = now() + interval '1 year' $$,
  '42501', null, 'invitations cannot be edited, e.g. to extend them');
select tests.authenticate_as('member');
select is_empty($$ delete from public.invitations returning id $$, 'a plain member cannot revoke invitations (0 rows)');
select tests.authenticate_as('stranger');
select is_empty($$ delete from public.invitations returning id $$, 'a stranger cannot revoke invitations (0 rows)');
select tests.authenticate_as('platform_admin');
select is_empty($$ delete from public.invitations returning id $$,
  'a platform admin cannot revoke invitations through the API (0 rows)');
select tests.authenticate_as('admin');
select results_eq(
  $$ delete from public.invitations where id = (select (invitation ->> 'id')::uuid from tokens where label = 'to-revoke') returning 1 $$,
  $$ values (1) $$, 'an admin revokes an invitation');

-- ---------------------------------------------------------------- accept_invitation
select tests.authenticate_as_anon();
select throws_ok($$ select public.accept_invitation((select token from tokens where label = 'open')) $$, '42501', null,
  'anon cannot accept invitations');

select tests.authenticate_as('ivy');
select throws_ok($$ select public.accept_invitation('not-a-token') $$, '22023', null,
  'a malformed token is refused');
select throws_ok($$ select public.accept_invitation(repeat('ab', 24)) $$, '22023', null,
  'an unknown token is refused');
select throws_ok($$ select public.accept_invitation((select token from tokens where label = 'to-revoke')) $$, '22023', null,
  'a revoked invitation cannot be accepted');
select is(public.accept_invitation((select token from tokens where label = 'open')), tests.account_id('team-a'),
  'the invitee accepts and gets the account id back');
select results_eq(
  $$ select role::text, invited_by from public.account_memberships
     where account_id = tests.account_id('team-a') and user_id = auth.uid() $$,
  $$ values ('admin'::text, tests.get_supabase_uid('admin')) $$,
  'the invitee joined with the invited role, recorded as invited by the admin');

select tests.clear_authentication();
select results_eq(
  $$ select accepted_by, accepted_at from public.invitations
     where id = (select (invitation ->> 'id')::uuid from tokens where label = 'open') $$,
  $$ values (tests.get_supabase_uid('ivy'), now()) $$,
  'the invitation is marked accepted by the invitee');
select results_eq(
  $$ select type, account_id from public.notifications where user_id = tests.get_supabase_uid('admin') $$,
  $$ values ('member_joined'::text, tests.account_id('team-a')) $$,
  'the inviter is notified that someone joined');

select tests.authenticate_as('stranger');
select throws_ok($$ select public.accept_invitation((select token from tokens where label = 'open')) $$, '22023', null,
  'an accepted invitation cannot be used again');
select is_empty($$ select 1 from public.accounts where slug = 'team-a' $$,
  'the failed reuse did not let the stranger in');

select tests.authenticate_as('wanda');
select throws_ok($$ select public.accept_invitation((select token from tokens where label = 'for-nina')) $$, '42501', null,
  'an invitation sent to another email address cannot be accepted');
select tests.authenticate_as('nina');
select is(public.accept_invitation((select token from tokens where label = 'for-nina')), tests.account_id('team-a'),
  'the addressee accepts her invitation (email compared case-insensitively)');

select tests.clear_authentication();
update public.invitations set expires_at = now() - interval '1 second'
where id = (select (invitation ->> 'id')::uuid from tokens where label = 'to-expire');
select tests.authenticate_as('stranger');
select throws_ok($$ select public.accept_invitation((select token from tokens where label = 'to-expire')) $$, '22023', null,
  'an expired invitation cannot be accepted');

select * from finish();
rollback;
