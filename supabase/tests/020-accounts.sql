-- public.accounts and the account RPCs create_team_account and
-- transfer_account_ownership.
--   * members see their accounts; members of a sponsoring (affiliate)
--     account see the accounts it sponsors; platform admins see all;
--     strangers and anon see nothing;
--   * only owners and admins edit, and only name, slug and branding;
--     primary owner, type, billing, activity and sponsor are not writable
--     through the API (42501);
--   * only owners delete, and never a personal account;
--   * create_team_account makes the caller the owner and validates slugs;
--   * only the primary owner transfers ownership, to an existing member.

begin;
select plan(49);

-- The shared cast (tests.fixture()): owner, admin and member of team-a; stranger; platform_admin; rival of team-b.
-- team-b is made an affiliate that sponsors team-a.
do $$
declare v_acme uuid := tests.fixture();
begin
  update public.accounts set account_type = 'affiliate' where slug = 'team-b';
  update public.accounts set sponsor_account_id = tests.account_id('team-b') where id = v_acme;
end $$;

-- ---------------------------------------------------------------- anon
select tests.authenticate_as_anon();
select throws_ok($$ select * from public.accounts $$, '42501', null, 'anon cannot read accounts');
select throws_ok($$ select public.create_team_account('Anon Inc', 'anon-inc') $$, '42501', null,
  'anon cannot call create_team_account');
select throws_ok($$ select public.transfer_account_ownership(tests.account_id('team-a'), gen_random_uuid()) $$,
  '42501', null, 'anon cannot call transfer_account_ownership');

-- ---------------------------------------------------------------- read
select tests.authenticate_as('owner');
select results_eq(
  $$ select account_type::text, id = auth.uid() from public.accounts
     where primary_owner_user_id = auth.uid() or slug = 'team-a' order by 1 $$,
  $$ values ('personal', true), ('team', false) $$,
  'the owner sees her personal account and her team');
select is_empty($$ select 1 from public.accounts where id = tests.get_supabase_uid('member') $$,
  'the owner cannot see a teammate''s personal account');

select tests.authenticate_as('member');
select isnt_empty($$ select 1 from public.accounts where slug = 'team-a' $$, 'a member sees the team account');

select tests.authenticate_as('stranger');
select is_empty($$ select 1 from public.accounts where slug = 'team-a' $$, 'a stranger cannot see the team account');
select is_empty($$ select 1 from public.accounts where id = tests.get_supabase_uid('owner') $$,
  'a stranger cannot see another user''s personal account');
select results_eq($$ select id from public.accounts $$, $$ values (auth.uid()) $$,
  'a stranger sees only his own personal account');

select tests.authenticate_as('rival');
select isnt_empty($$ select 1 from public.accounts where slug = 'team-a' $$,
  'a member of the sponsoring affiliate account sees the sponsored account');

select tests.authenticate_as('platform_admin');
select is((select count(*)::int from public.accounts where slug in ('team-a', 'team-b') or id = tests.get_supabase_uid('stranger')), 3,
  'a platform admin sees every account');

select tests.authenticate_as_service_role();
select isnt_empty($$ select 1 from public.accounts where slug = 'team-a' $$, 'service_role sees every account');

-- ---------------------------------------------------------------- create_team_account
select tests.authenticate_as('stranger');
select results_eq(
  $$ select name, slug, account_type::text, primary_owner_user_id = auth.uid()
     from public.create_team_account('Sam Co', 'sam-co') $$,
  $$ values ('Sam Co'::text, 'sam-co'::text, 'team'::text, true) $$,
  'create_team_account creates a team whose primary owner is the caller');
select results_eq(
  $$ select role::text from public.account_memberships where account_id = tests.account_id('sam-co') and user_id = auth.uid() $$,
  $$ values ('owner') $$,
  'the creator becomes an owner member of the new team');
select is((select slug from public.create_team_account('  Sam''s Second Shop  ')), 'sam-s-second-shop',
  'without a slug, one is made from the name');
select matches((select slug from public.create_team_account('Team A')), '^team-a-[0-9a-f]{6}$',
  'a generated slug that is taken gets a random suffix');
select throws_ok($$ select public.create_team_account('Bad', 'Bad Slug!') $$, '22023', null,
  'a malformed slug is refused (22023)');
select throws_ok($$ select public.create_team_account('Copycat', 'team-a') $$, '23505', null,
  'a taken slug is refused (23505)');
select throws_ok($$ select public.create_team_account('   ') $$, '22023', null,
  'a blank name is refused (22023)');
select throws_ok(
  $$ insert into public.accounts (name, slug, primary_owner_user_id) values ('Direct', 'direct', auth.uid()) $$,
  '42501', null, 'accounts cannot be inserted directly, only through the RPC');

-- ---------------------------------------------------------------- update
select tests.authenticate_as('owner');
select results_eq($$ update public.accounts set name = 'Acme Corp' where slug = 'team-a' returning name $$,
  $$ values ('Acme Corp'::text) $$, 'the owner renames the team');
select tests.authenticate_as('admin');
select results_eq(
  $$ update public.accounts set branding = '{"color": "#ff0000"}' where slug = 'team-a' returning branding ->> 'color' $$,
  $$ values ('#ff0000'::text) $$, 'an account admin edits the branding');
select throws_ok($$ update public.accounts set branding = '[]' where slug = 'team-a' $$, '23514', null,
  'branding must be a JSON object');
select throws_ok($$ update public.accounts set slug = 'sam-co' where slug = 'team-a' $$, '23505', null,
  'an admin cannot take another account''s slug');
select throws_ok($$ update public.accounts set primary_owner_user_id = auth.uid() where slug = 'team-a' $$,
  '42501', null, 'an admin cannot make himself primary owner');
select throws_ok($$ update public.accounts set billing_status = 'active' where slug = 'team-a' $$,
  '42501', null, 'an admin cannot change billing_status');
select throws_ok($$ update public.accounts set account_type = 'affiliate' where slug = 'team-a' $$,
  '42501', null, 'an admin cannot change the account type');
select throws_ok($$ update public.accounts set is_active = false where slug = 'team-a' $$,
  '42501', null, 'an admin cannot deactivate the account');
select throws_ok($$ update public.accounts set sponsor_account_id = null where slug = 'team-a' $$,
  '42501', null, 'an admin cannot change the sponsor');
select throws_ok($$ update public.accounts set monthly_report_limit_override = 1000 where slug = 'team-a' $$,
  '42501', null, 'an admin cannot raise the report limit override');

select tests.authenticate_as('member');
select is_empty($$ update public.accounts set name = 'Mia''s now' where slug = 'team-a' returning 1 $$,
  'a plain member cannot rename the team (0 rows)');
select tests.authenticate_as('stranger');
select is_empty($$ update public.accounts set name = 'Pwned' where slug = 'team-a' returning 1 $$,
  'a stranger cannot rename the team (0 rows)');
select tests.authenticate_as('rival');
select is_empty($$ update public.accounts set name = 'Sponsored' where slug = 'team-a' returning 1 $$,
  'a sponsor can see but not rename the sponsored account (0 rows)');
select tests.authenticate_as('platform_admin');
select is_empty($$ update public.accounts set name = 'Admin was here' where slug = 'team-a' returning 1 $$,
  'a platform admin cannot rename accounts through the API (0 rows)');
select tests.clear_authentication();
select is((select name from public.accounts where slug = 'team-a'), 'Acme Corp',
  'the team name is the owner''s, unchanged by the refused updates');

-- ---------------------------------------------------------------- transfer_account_ownership
select tests.authenticate_as('admin');
select throws_ok($$ select public.transfer_account_ownership(tests.account_id('team-a'), auth.uid()) $$,
  '42501', null, 'an admin cannot transfer the account to himself');
select tests.authenticate_as('owner');
select throws_ok($$ select public.transfer_account_ownership(auth.uid(), tests.get_supabase_uid('member')) $$,
  '22023', null, 'a personal account cannot be transferred');
select throws_ok($$ select public.transfer_account_ownership(tests.account_id('team-a'), tests.get_supabase_uid('stranger')) $$,
  'PT404', null, 'ownership cannot go to someone outside the account');
select is(
  (select primary_owner_user_id from public.transfer_account_ownership(tests.account_id('team-a'), tests.get_supabase_uid('member'))),
  tests.get_supabase_uid('member'),
  'the primary owner transfers the account to a member');
select results_eq(
  $$ select u.identifier, m.role::text from public.account_memberships m
     join (values ('owner'), ('member')) u(identifier) on m.user_id = tests.get_supabase_uid(u.identifier)
     where m.account_id = tests.account_id('team-a') order by 1 $$,
  $$ values ('member', 'owner'), ('owner', 'owner') $$,
  'the new primary owner is an owner member and the previous one stays an owner');
select throws_ok($$ select public.transfer_account_ownership(tests.account_id('team-a'), auth.uid()) $$,
  '42501', null, 'the previous primary owner can no longer transfer the account');

-- ---------------------------------------------------------------- delete
select tests.authenticate_as('owner');
select throws_ok($$ delete from public.accounts where id = auth.uid() $$, '42501', null,
  'a personal account cannot be deleted, even by its owner');
select tests.authenticate_as('admin');
select is_empty($$ delete from public.accounts where slug = 'team-a' returning 1 $$,
  'an account admin cannot delete the team (0 rows)');
select tests.authenticate_as('stranger');
select is_empty($$ delete from public.accounts where slug = 'team-a' returning 1 $$,
  'a stranger cannot delete the team (0 rows)');
select tests.authenticate_as('platform_admin');
select is_empty($$ delete from public.accounts where slug = 'team-a' returning 1 $$,
  'a platform admin cannot delete accounts through the API (0 rows)');
select tests.authenticate_as('member');
select results_eq($$ delete from public.accounts where slug = 'team-a' returning slug $$,
  $$ values ('team-a'::text) $$, 'an owner deletes the team account');
select tests.clear_authentication();
select is_empty($$ select 1 from public.account_memberships m left join public.accounts a on a.id = m.account_id where a.id is null $$,
  'deleting the team removes its memberships');
select tests.authenticate_as_service_role();
select results_eq($$ delete from public.accounts where slug = 'sam-co' returning slug $$,
  $$ values ('sam-co'::text) $$, 'service_role can delete any team account');

-- ---------------------------------------------------------------- updated_at
select tests.clear_authentication();
update public.accounts set updated_at = '2000-01-01' where slug = 'team-b';
select is((select updated_at from public.accounts where slug = 'team-b'), now(),
  'accounts.updated_at is stamped by the trigger');

select * from finish();
rollback;
