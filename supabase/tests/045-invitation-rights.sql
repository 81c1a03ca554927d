-- An invitation is only as good as its sender's right to grant it: once the
-- sender is no longer an owner or admin of the account (removed, left,
-- demoted), neither accept_invitation nor an invite-based sign-up can use it
-- (22023, nothing joined, the invitation stays unused). The check is made at
-- acceptance: a sender whose right comes back makes it usable again, and an
-- owner's invitation outlives the owner handing the account on.

begin;
select plan(14);

do $$
declare v_acme uuid;
begin
  perform tests.create_supabase_user('alice');   -- primary owner of Acme
  perform tests.create_supabase_user('adam');    -- admin, removed by the owner
  perform tests.create_supabase_user('ada');     -- admin, demoted to member
  perform tests.create_supabase_user('abe');     -- admin, leaves of his own accord
  perform tests.create_supabase_user('mia');     -- member, receives the account
  perform tests.create_supabase_user('ivy');     -- invitee
  v_acme := tests.create_team('alice', 'acme');
  perform tests.add_account_member(v_acme, 'adam', 'admin');
  perform tests.add_account_member(v_acme, 'ada', 'admin');
  perform tests.add_account_member(v_acme, 'abe', 'admin');
  perform tests.add_account_member(v_acme, 'mia', 'member');
end $$;

create temp table tokens (label text primary key, token text);
grant all on tokens to authenticated;

select tests.authenticate_as('adam');
insert into tokens values
  ('adam-admin', public.create_invitation(tests.account_id('acme'), 'admin') ->> 'token'),
  ('adam-member', public.create_invitation(tests.account_id('acme'), 'member') ->> 'token'),
  ('adam-signup', public.create_invitation(tests.account_id('acme'), 'member') ->> 'token');
select tests.authenticate_as('ada');
insert into tokens values ('ada-admin', public.create_invitation(tests.account_id('acme'), 'admin', null, 30) ->> 'token');
select tests.authenticate_as('abe');
insert into tokens values ('abe-member', public.create_invitation(tests.account_id('acme'), 'member') ->> 'token');
select tests.authenticate_as('alice');
insert into tokens values ('alice-admin', public.create_invitation(tests.account_id('acme'), 'admin') ->> 'token');

-- The sender loses the right in each of the three ways.
delete from public.account_memberships
where account_id = tests.account_id('acme') and user_id = tests.get_supabase_uid('adam');
update public.account_memberships set role = 'member'
where account_id = tests.account_id('acme') and user_id = tests.get_supabase_uid('ada');
select tests.authenticate_as('abe');
delete from public.account_memberships where account_id = tests.account_id('acme') and user_id = auth.uid();

-- ---------------------------------------------------------------- refused
select tests.authenticate_as('ivy');
select throws_ok($$ select public.accept_invitation((select token from tokens where label = 'adam-admin')) $$,
  '22023', null, 'an admin invitation from a removed admin no longer admits anyone');
select throws_ok($$ select public.accept_invitation((select token from tokens where label = 'adam-member')) $$,
  '22023', null, 'nor does a member invitation from him');
select throws_ok($$ select public.accept_invitation((select token from tokens where label = 'ada-admin')) $$,
  '22023', null, 'an admin invitation from an admin demoted to member no longer admits anyone');
select throws_ok($$ select public.accept_invitation((select token from tokens where label = 'abe-member')) $$,
  '22023', null, 'an invitation from an admin who left no longer admits anyone');
select is_empty($$ select 1 from public.accounts where slug = 'acme' $$,
  'the invitee did not get in');

select tests.clear_authentication();
select throws_ok(
  $$ select tests.create_supabase_user('hank', null, jsonb_build_object('invitation_token', (select token from tokens where label = 'adam-signup'))) $$,
  '22023', null, 'a sign-up with an invitation from a removed admin is refused');
select is(
  (select count(*)::int from public.invitations where account_id = tests.account_id('acme') and accepted_at is not null),
  0, 'no invitation was used up by the refusals');

-- ---------------------------------------------------------------- still valid
update public.account_memberships set role = 'admin'
where account_id = tests.account_id('acme') and user_id = tests.get_supabase_uid('ada');
select tests.authenticate_as('ivy');
select is(public.accept_invitation((select token from tokens where label = 'ada-admin')), tests.account_id('acme'),
  'once the sender is an admin again, her invitation works: the right is checked at acceptance');
select results_eq(
  $$ select role::text from public.account_memberships where account_id = tests.account_id('acme') and user_id = auth.uid() $$,
  $$ values ('admin'::text) $$, 'and the invitee joins as admin');

select tests.authenticate_as('alice');
select is(
  (select primary_owner_user_id from public.transfer_account_ownership(tests.account_id('acme'), tests.get_supabase_uid('mia'))),
  tests.get_supabase_uid('mia'), 'the owner hands the account to mia (and stays an owner member)');
select tests.clear_authentication();
select lives_ok(
  $$ select tests.create_supabase_user('gus', null, jsonb_build_object('invitation_token', (select token from tokens where label = 'alice-admin'))) $$,
  'an invitation from an owner who is still an owner works at sign-up');
select results_eq(
  $$ select role::text from public.account_memberships where account_id = tests.account_id('acme') and user_id = tests.get_supabase_uid('gus') $$,
  $$ values ('admin'::text) $$, 'and admits the new user as admin');

-- Demoting the sender after the invitation was accepted undoes nothing.
update public.account_memberships set role = 'member'
where account_id = tests.account_id('acme') and user_id = tests.get_supabase_uid('ada');
select is(
  (select role::text from public.account_memberships where account_id = tests.account_id('acme') and user_id = tests.get_supabase_uid('ivy')),
  'admin', 'a sender''s later demotion does not touch members already admitted');
select is(
  (select accepted_by from public.invitations i where i.token_hash = private.hash_token((select token from tokens where label = 'ada-admin'))),
  tests.get_supabase_uid('ivy'), 'the used invitation records who accepted it');

select * from finish();
rollback;
