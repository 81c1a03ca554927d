-- public.transfer_account_ownership, one caller at a time (the concurrent
-- cases, a leave or removal racing the transfer, are in
-- tests/ownership-transfer-race.test.ts):
--   * refused with 42501 to anon, service_role without a user, and members
--     who are not the primary owner; PT404 for an account the caller cannot
--     see and for a new owner who is not (or no longer) a member; 22023 for
--     a personal account; a refusal leaves the account as it was;
--   * a transfer makes the new owner the primary owner and an owner member,
--     whose membership can then neither be left nor removed (42501).

begin;
select plan(18);

do $$
declare v_acme uuid;
begin
  perform tests.create_supabase_user('alice');   -- primary owner of Acme
  perform tests.create_supabase_user('adam');    -- admin of Acme
  perform tests.create_supabase_user('mia');     -- member of Acme, the new owner
  perform tests.create_supabase_user('leo');     -- member of Acme who leaves
  perform tests.create_supabase_user('sam');     -- stranger
  v_acme := tests.create_team('alice', 'acme');
  perform tests.add_account_member(v_acme, 'adam', 'admin');
  perform tests.add_account_member(v_acme, 'mia', 'member');
  perform tests.add_account_member(v_acme, 'leo', 'member');
end $$;

-- ---------------------------------------------------------------- refusals
select tests.authenticate_as_anon();
select throws_ok($$ select public.transfer_account_ownership(tests.account_id('acme'), tests.get_supabase_uid('mia')) $$,
  '42501', null, 'anon cannot transfer an account');
select tests.authenticate_as_service_role();
select throws_ok($$ select public.transfer_account_ownership(tests.account_id('acme'), tests.get_supabase_uid('mia')) $$,
  '42501', null, 'service_role without a signed-in user cannot transfer an account');
select tests.authenticate_as('sam');
select throws_ok($$ select public.transfer_account_ownership(tests.account_id('acme'), auth.uid()) $$,
  'PT404', null, 'a stranger is told the account does not exist');
select tests.authenticate_as('alice');
select throws_ok($$ select public.transfer_account_ownership(gen_random_uuid(), tests.get_supabase_uid('mia')) $$,
  'PT404', null, 'an unknown account is not found');
select tests.authenticate_as('adam');
select throws_ok($$ select public.transfer_account_ownership(tests.account_id('acme'), tests.get_supabase_uid('mia')) $$,
  '42501', null, 'an admin who is not the primary owner cannot transfer');
select tests.authenticate_as('alice');
select throws_ok($$ select public.transfer_account_ownership(auth.uid(), tests.get_supabase_uid('mia')) $$,
  '22023', null, 'a personal account cannot be transferred');
select throws_ok($$ select public.transfer_account_ownership(tests.account_id('acme'), tests.get_supabase_uid('sam')) $$,
  'PT404', null, 'the new owner must be a member');

select tests.authenticate_as('leo');
delete from public.account_memberships where account_id = tests.account_id('acme') and user_id = auth.uid();
select tests.authenticate_as('alice');
select throws_ok($$ select public.transfer_account_ownership(tests.account_id('acme'), tests.get_supabase_uid('leo')) $$,
  'PT404', null, 'a member who has left can no longer receive the account');

select tests.clear_authentication();
select results_eq(
  $$ select a.primary_owner_user_id, (select count(*)::int from public.account_memberships m
       where m.account_id = a.id and m.role = 'owner') from public.accounts a where a.slug = 'acme' $$,
  $$ values (tests.get_supabase_uid('alice'), 1) $$,
  'the refused transfers changed neither the primary owner nor any role');

-- ---------------------------------------------------------------- transfer
select tests.authenticate_as('alice');
select is(
  (select primary_owner_user_id from public.transfer_account_ownership(tests.account_id('acme'), tests.get_supabase_uid('mia'))),
  tests.get_supabase_uid('mia'), 'the primary owner hands the account to a member');
select results_eq(
  $$ select role::text from public.account_memberships
     where account_id = tests.account_id('acme') and user_id in (tests.get_supabase_uid('alice'), tests.get_supabase_uid('mia')) $$,
  $$ values ('owner'::text), ('owner'::text) $$,
  'both the new and the previous primary owner are owner members');
select throws_ok($$ select public.transfer_account_ownership(tests.account_id('acme'), auth.uid()) $$,
  '42501', null, 'the previous primary owner can no longer transfer it');

select tests.authenticate_as('mia');
select throws_ok(
  $$ delete from public.account_memberships where account_id = tests.account_id('acme') and user_id = auth.uid() $$,
  '42501', null, 'the new primary owner cannot leave (transfer first)');
select tests.authenticate_as('alice');
select throws_ok(
  $$ delete from public.account_memberships where account_id = tests.account_id('acme') and user_id = tests.get_supabase_uid('mia') $$,
  '42501', null, 'nor can another owner remove her');
select tests.authenticate_as('adam');
select throws_ok(
  $$ update public.account_memberships set role = 'member'
     where account_id = tests.account_id('acme') and user_id = tests.get_supabase_uid('mia') $$,
  '42501', null, 'nor can an admin demote her');

select tests.authenticate_as('mia');
select isnt_empty($$ select 1 from public.accounts where slug = 'acme' $$,
  'the new primary owner sees the team');
select is(
  (select primary_owner_user_id from public.transfer_account_ownership(tests.account_id('acme'), tests.get_supabase_uid('adam'))),
  tests.get_supabase_uid('adam'), 'and can transfer it on, here to the admin');
select tests.clear_authentication();
select is(
  (select role::text from public.account_memberships where account_id = tests.account_id('acme') and user_id = tests.get_supabase_uid('adam')),
  'owner', 'who becomes an owner member');

select * from finish();
rollback;
