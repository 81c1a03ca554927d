-- public.account_memberships: who belongs to which account with which role.
--   * members see everyone in their accounts; platform admins see all;
--     strangers and anon see nothing;
--   * nobody inserts through the API (invitations and RPCs do);
--   * owners and admins change roles, but only owners grant or take away
--     'owner', and the primary owner is never demoted or removed;
--   * account_id and user_id of a membership never change (42501);
--   * a member may leave; admins remove members; nobody else removes anyone.

begin;
select plan(40);

-- The shared cast (tests.fixture()): owner, admin and member of team-a; stranger; platform_admin; rival of team-b.
-- team-a gets two more co-owners, another admin and another member.
do $$
declare v_acme uuid := tests.fixture();
begin
  perform tests.create_supabase_user('olga');    -- co-owner
  perform tests.create_supabase_user('otto');    -- another co-owner
  perform tests.create_supabase_user('ada');     -- admin
  perform tests.create_supabase_user('max');     -- member
  perform tests.add_account_member(v_acme, 'olga', 'owner');
  perform tests.add_account_member(v_acme, 'otto', 'owner');
  perform tests.add_account_member(v_acme, 'ada', 'admin');
  perform tests.add_account_member(v_acme, 'max', 'member');
end $$;

-- Everyone's role in team-a, read as the test runner.
create temp view acme_roles as
  select u.identifier, m.role::text as role
  from public.account_memberships m
  join (select identifier, tests.get_supabase_uid(identifier) as id
        from unnest(array['owner', 'olga', 'otto', 'admin', 'ada', 'member', 'max', 'stranger', 'platform_admin']) identifier) u
    on u.id = m.user_id
  where m.account_id = tests.account_id('team-a');

-- ---------------------------------------------------------------- read
select tests.authenticate_as_anon();
select throws_ok($$ select * from public.account_memberships $$, '42501', null,
  'anon cannot read memberships');

select tests.authenticate_as('member');
select is((select count(*)::int from public.account_memberships where account_id = tests.account_id('team-a')), 7,
  'a member sees every membership of her team');
select tests.authenticate_as('stranger');
select is_empty($$ select 1 from public.account_memberships where account_id = tests.account_id('team-a') $$,
  'a stranger sees none of the team''s memberships');
select results_eq($$ select account_id, role::text from public.account_memberships $$,
  $$ values (auth.uid(), 'owner') $$,
  'a stranger sees only his own personal-account membership');
select tests.authenticate_as('platform_admin');
select is((select count(*)::int from public.account_memberships where account_id = tests.account_id('team-a')), 7,
  'a platform admin sees every membership');
select tests.authenticate_as_service_role();
select is((select count(*)::int from public.account_memberships where account_id = tests.account_id('team-a')), 7,
  'service_role sees every membership');

-- ---------------------------------------------------------------- insert
select tests.authenticate_as('owner');
select throws_ok(
  $$ insert into public.account_memberships (account_id, user_id, role)
     values (tests.account_id('team-a'), tests.get_supabase_uid('stranger'), 'member') $$,
  '42501', null, 'even the owner cannot insert memberships directly (invitations do)');
select tests.authenticate_as('stranger');
select throws_ok(
  $$ insert into public.account_memberships (account_id, user_id, role)
     values (tests.account_id('team-a'), auth.uid(), 'owner') $$,
  '42501', null, 'a stranger cannot add himself to the team');

-- ---------------------------------------------------------------- roles: admins
select tests.authenticate_as('admin');
select results_eq(
  $$ update public.account_memberships set role = 'admin'
     where account_id = tests.account_id('team-a') and user_id = tests.get_supabase_uid('member') returning role::text $$,
  $$ values ('admin') $$, 'an admin promotes a member to admin');
select results_eq(
  $$ update public.account_memberships set role = 'member'
     where account_id = tests.account_id('team-a') and user_id = tests.get_supabase_uid('ada') returning role::text $$,
  $$ values ('member') $$, 'an admin demotes another admin to member');
select throws_ok(
  $$ update public.account_memberships set role = 'owner'
     where account_id = tests.account_id('team-a') and user_id = tests.get_supabase_uid('max') $$,
  '42501', null, 'an admin cannot grant the owner role');
select throws_ok(
  $$ update public.account_memberships set role = 'owner'
     where account_id = tests.account_id('team-a') and user_id = auth.uid() $$,
  '42501', null, 'an admin cannot promote himself to owner');
select throws_ok(
  $$ update public.account_memberships set role = 'admin'
     where account_id = tests.account_id('team-a') and user_id = tests.get_supabase_uid('olga') $$,
  '42501', null, 'an admin cannot demote a co-owner');
select throws_ok(
  $$ update public.account_memberships set role = 'member'
     where account_id = tests.account_id('team-a') and user_id = tests.get_supabase_uid('owner') $$,
  '42501', null, 'an admin cannot demote the primary owner');
select throws_ok(
  $$ update public.account_memberships set user_id = auth.uid()
     where account_id = tests.account_id('team-a') and user_id = tests.get_supabase_uid('max') $$,
  '42501', null, 'an admin cannot move a membership to another user');
select throws_ok(
  $$ update public.account_memberships set account_id = tests.account_id('team-a')
     where account_id = auth.uid() $$,
  '42501', null, 'a membership cannot be moved to another account');
select throws_ok(
  $$ update public.account_memberships set invited_by = auth.uid()
     where account_id = tests.account_id('team-a') and user_id = tests.get_supabase_uid('max') $$,
  '42501', null, 'invited_by is not writable');

-- ---------------------------------------------------------------- roles: everyone else
select tests.authenticate_as('max');
select is_empty(
  $$ update public.account_memberships set role = 'admin'
     where account_id = tests.account_id('team-a') and user_id = auth.uid() returning 1 $$,
  'a member cannot promote himself (0 rows)');
select is_empty(
  $$ update public.account_memberships set role = 'member'
     where account_id = tests.account_id('team-a') and user_id = tests.get_supabase_uid('admin') returning 1 $$,
  'a member cannot demote an admin (0 rows)');
select tests.authenticate_as('stranger');
select is_empty(
  $$ update public.account_memberships set role = 'admin'
     where account_id = tests.account_id('team-a') and user_id = tests.get_supabase_uid('max') returning 1 $$,
  'a stranger cannot change roles (0 rows)');
select tests.authenticate_as('platform_admin');
select is_empty(
  $$ update public.account_memberships set role = 'admin'
     where account_id = tests.account_id('team-a') and user_id = tests.get_supabase_uid('max') returning 1 $$,
  'a platform admin cannot change roles through the API (0 rows)');

select tests.clear_authentication();
select results_eq($$ select identifier, role from acme_roles order by 1 $$,
  $$ values ('ada', 'member'), ('admin', 'admin'), ('max', 'member'), ('member', 'admin'),
            ('olga', 'owner'), ('otto', 'owner'), ('owner', 'owner') $$,
  'only the admin''s legitimate role changes took effect');

-- ---------------------------------------------------------------- roles: owners
select tests.authenticate_as('olga');
select throws_ok(
  $$ update public.account_memberships set role = 'admin'
     where account_id = tests.account_id('team-a') and user_id = tests.get_supabase_uid('owner') $$,
  '42501', null, 'a co-owner cannot demote the primary owner');
select results_eq(
  $$ update public.account_memberships set role = 'owner'
     where account_id = tests.account_id('team-a') and user_id = tests.get_supabase_uid('max') returning role::text $$,
  $$ values ('owner') $$, 'an owner grants the owner role');
select results_eq(
  $$ update public.account_memberships set role = 'member'
     where account_id = tests.account_id('team-a') and user_id = tests.get_supabase_uid('max') returning role::text $$,
  $$ values ('member') $$, 'an owner takes the owner role away again');
select tests.authenticate_as('owner');
select throws_ok(
  $$ update public.account_memberships set role = 'admin'
     where account_id = tests.account_id('team-a') and user_id = auth.uid() $$,
  '42501', null, 'the primary owner cannot demote herself (transfer ownership first)');

-- ---------------------------------------------------------------- delete
select tests.authenticate_as('max');
select is_empty(
  $$ delete from public.account_memberships
     where account_id = tests.account_id('team-a') and user_id = tests.get_supabase_uid('ada') returning 1 $$,
  'a member cannot remove another member (0 rows)');
select tests.authenticate_as('stranger');
select is_empty(
  $$ delete from public.account_memberships where account_id = tests.account_id('team-a') returning 1 $$,
  'a stranger cannot remove anyone (0 rows)');
select tests.authenticate_as('platform_admin');
select is_empty(
  $$ delete from public.account_memberships where account_id = tests.account_id('team-a') returning 1 $$,
  'a platform admin cannot remove members through the API (0 rows)');

select tests.authenticate_as('ada');
select results_eq(
  $$ delete from public.account_memberships
     where account_id = tests.account_id('team-a') and user_id = auth.uid() returning role::text $$,
  $$ values ('member') $$, 'a member leaves the team');
select is_empty($$ select 1 from public.accounts where slug = 'team-a' $$,
  'after leaving, the team is no longer visible to her');

select tests.authenticate_as('owner');
select throws_ok(
  $$ delete from public.account_memberships where account_id = tests.account_id('team-a') and user_id = auth.uid() $$,
  '42501', null, 'the primary owner cannot leave her team');
select throws_ok(
  $$ delete from public.account_memberships where account_id = auth.uid() and user_id = auth.uid() $$,
  '42501', null, 'nobody can leave their own personal account');

select tests.authenticate_as('admin');
select results_eq(
  $$ delete from public.account_memberships
     where account_id = tests.account_id('team-a') and user_id = tests.get_supabase_uid('max') returning 1 $$,
  $$ values (1) $$, 'an admin removes a member');
select throws_ok(
  $$ delete from public.account_memberships
     where account_id = tests.account_id('team-a') and user_id = tests.get_supabase_uid('owner') $$,
  '42501', null, 'an admin cannot remove the primary owner');
select throws_ok(
  $$ delete from public.account_memberships
     where account_id = tests.account_id('team-a') and user_id = tests.get_supabase_uid('olga') $$,
  '42501', null, 'an admin cannot remove a co-owner (only owners take away ''owner'')');

select tests.authenticate_as('owner');
select results_eq(
  $$ delete from public.account_memberships
     where account_id = tests.account_id('team-a') and user_id = tests.get_supabase_uid('otto') returning role::text $$,
  $$ values ('owner') $$, 'an owner removes a co-owner');

select tests.authenticate_as_service_role();
select results_eq(
  $$ delete from public.account_memberships
     where account_id = tests.account_id('team-a') and user_id = tests.get_supabase_uid('member') returning 1 $$,
  $$ values (1) $$, 'service_role removes any member');

select tests.clear_authentication();
select results_eq($$ select identifier from acme_roles order by 1 $$,
  $$ values ('admin'), ('olga'), ('owner') $$,
  'exactly the permitted removals happened');

-- ---------------------------------------------------------------- updated_at
update public.account_memberships set updated_at = '2000-01-01'
where account_id = tests.account_id('team-a') and user_id = tests.get_supabase_uid('admin');
select is(
  (select updated_at from public.account_memberships
   where account_id = tests.account_id('team-a') and user_id = tests.get_supabase_uid('admin')),
  now(), 'account_memberships.updated_at is stamped by the trigger');

select * from finish();
rollback;
