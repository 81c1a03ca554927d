-- public.profiles: who may see and change a person's profile.
--   * anon: nothing (no grant at all);
--   * a user: sees themselves, their teammates (anyone sharing an account)
--     and nobody else; edits only their own descriptive fields;
--   * id, email, account_status, agent_code, deleted_at, created_at are not
--     writable through the API (column grants: 42501);
--   * platform admins read every profile but cannot edit them;
--   * service_role reads and writes everything.

begin;
select plan(30);

-- The shared cast (tests.fixture()): owner, admin and member of team-a; stranger; platform_admin; rival of team-b.
select tests.fixture() is not null as cast_ready \gset

create temp table cast_ids as
  select identifier, tests.get_supabase_uid(identifier) as id
  from unnest(array['owner', 'admin', 'member', 'stranger', 'platform_admin']) as identifier;
grant select on cast_ids to anon, authenticated, service_role;

-- ---------------------------------------------------------------- anon
select tests.authenticate_as_anon();
select throws_ok($$ select * from public.profiles $$, '42501', null,
  'anon cannot read profiles at all');
select throws_ok($$ update public.profiles set full_name = 'x' $$, '42501', null,
  'anon cannot update profiles');

-- ---------------------------------------------------------------- read
select tests.authenticate_as('owner');
select results_eq(
  $$ select c.identifier from public.profiles p join cast_ids c using (id) order by 1 $$,
  $$ values ('admin'), ('member'), ('owner') $$,
  'the owner sees herself and her teammates, not the stranger or the platform admin');

select tests.authenticate_as('member');
select results_eq(
  $$ select c.identifier from public.profiles p join cast_ids c using (id) order by 1 $$,
  $$ values ('admin'), ('member'), ('owner') $$,
  'a member sees the other members of her team');

select tests.authenticate_as('stranger');
select results_eq(
  $$ select c.identifier from public.profiles p join cast_ids c using (id) $$,
  $$ values ('stranger') $$,
  'a stranger sees only his own profile');
select is_empty(
  $$ select 1 from public.profiles where id = tests.get_supabase_uid('owner') $$,
  'a stranger cannot look up the owner''s profile by id');

select tests.authenticate_as('platform_admin');
select results_eq(
  $$ select c.identifier from public.profiles p join cast_ids c using (id) order by 1 $$,
  $$ values ('admin'), ('member'), ('owner'), ('platform_admin'), ('stranger') $$,
  'a platform admin sees every profile');

select tests.authenticate_as_service_role();
select is((select count(*)::int from public.profiles p join cast_ids c using (id)), 5,
  'service_role sees every profile');

-- ---------------------------------------------------------------- own edits
select tests.authenticate_as('owner');
select results_eq(
  $$ update public.profiles set full_name = 'Alice Liddell', bio = 'Down the rabbit hole', theme = 'dark'
     where id = auth.uid() returning full_name, theme $$,
  $$ values ('Alice Liddell'::text, 'dark'::text) $$,
  'a user edits her own descriptive fields');
select results_eq(
  $$ update public.profiles set username = 'alice_l' where id = auth.uid() returning username $$,
  $$ values ('alice_l'::text) $$,
  'a user picks her own username');
select throws_ok(
  $$ update public.profiles set username = 'Not Valid!' where id = auth.uid() $$,
  '23514', null,
  'a malformed username is refused by its check constraint');

-- ---------------------------------------------------------------- protected columns
select throws_ok($$ update public.profiles set email = 'evil@test.local' where id = auth.uid() $$,
  '42501', null, 'a user cannot change her profile email (Auth owns it)');
select throws_ok($$ update public.profiles set account_status = 'active' where id = auth.uid() $$,
  '42501', null, 'a user cannot change her account_status');
select throws_ok($$ update public.profiles set agent_code = 'HACKED01' where id = auth.uid() $$,
  '42501', null, 'a user cannot change her agent_code');
select throws_ok($$ update public.profiles set id = gen_random_uuid() where id = auth.uid() $$,
  '42501', null, 'a user cannot change her profile id');
select throws_ok($$ update public.profiles set deleted_at = now() where id = auth.uid() $$,
  '42501', null, 'a user cannot set deleted_at');
select throws_ok($$ update public.profiles set created_at = now() where id = auth.uid() $$,
  '42501', null, 'a user cannot rewrite created_at');

-- ---------------------------------------------------------------- others' profiles
select is_empty(
  $$ update public.profiles set full_name = 'Owned by Alice' where id = tests.get_supabase_uid('member') returning 1 $$,
  'a user cannot edit a teammate''s profile (0 rows)');
select tests.authenticate_as('stranger');
select is_empty(
  $$ update public.profiles set full_name = 'Owned by Sam' where id = tests.get_supabase_uid('owner') returning 1 $$,
  'a stranger cannot edit the owner''s profile (0 rows)');
select tests.authenticate_as('admin');
select is_empty(
  $$ update public.profiles set full_name = 'Owned by Adam' where id = tests.get_supabase_uid('member') returning 1 $$,
  'an account admin cannot edit a member''s profile (0 rows)');
select tests.authenticate_as('platform_admin');
select is_empty(
  $$ update public.profiles set full_name = 'Owned by Pat' where id = tests.get_supabase_uid('stranger') returning 1 $$,
  'a platform admin cannot edit profiles through the API (0 rows)');

select tests.clear_authentication();
select is((select full_name from public.profiles where id = tests.get_supabase_uid('member')), 'Member',
  'the teammate''s name is unchanged after the refused edits');

-- ---------------------------------------------------------------- insert & delete
select tests.authenticate_as('stranger');
select throws_ok(
  $$ insert into public.profiles (id, email) values (gen_random_uuid(), 'ghost@test.local') $$,
  '42501', null, 'a user cannot insert profiles');
select throws_ok($$ delete from public.profiles where id = auth.uid() $$,
  '42501', null, 'a user cannot delete even his own profile (account deletion goes through Auth)');
select tests.authenticate_as('platform_admin');
select throws_ok($$ delete from public.profiles where id = tests.get_supabase_uid('stranger') $$,
  '42501', null, 'a platform admin cannot delete profiles through the API');

-- ---------------------------------------------------------------- service_role
select tests.authenticate_as_service_role();
select results_eq(
  $$ update public.profiles set account_status = 'suspended' where id = tests.get_supabase_uid('stranger')
     returning account_status $$,
  $$ values ('suspended'::text) $$,
  'service_role can suspend a profile');

-- ---------------------------------------------------------------- updated_at
select tests.clear_authentication();
update public.profiles set updated_at = '2000-01-01' where id = tests.get_supabase_uid('member');
select is((select updated_at from public.profiles where id = tests.get_supabase_uid('member')), now(),
  'updated_at is stamped by the trigger and cannot be back-dated');

-- ---------------------------------------------------------------- visibility follows membership
select tests.authenticate_as('member');
delete from public.account_memberships where user_id = auth.uid() and account_id = tests.account_id('team-a');
select is_empty(
  $$ select 1 from public.profiles where id = tests.get_supabase_uid('owner') $$,
  'after leaving the team a former member no longer sees its owner''s profile');
select tests.authenticate_as('owner');
select is_empty(
  $$ select 1 from public.profiles where id = tests.get_supabase_uid('member') $$,
  'and the owner no longer sees the former member''s profile');

-- ---------------------------------------------------------------- email sync
select tests.clear_authentication();
update auth.users set email = 'alice.new@test.local' where id = tests.get_supabase_uid('owner');
select is((select email from public.profiles where id = tests.get_supabase_uid('owner')), 'alice.new@test.local',
  'a change of email in Auth is copied to the profile');

select * from finish();
rollback;
