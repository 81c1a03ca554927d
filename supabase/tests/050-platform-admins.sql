-- public.platform_admins and private.is_platform_admin().
--   * an admin sees the list; a user sees at most their own row; anon nothing;
--   * nobody grants or revokes admin rights through the API, not even an
--     admin: only service_role (an operator) writes the table;
--   * is_platform_admin() is what every admin policy relies on, and it
--     follows the table immediately.

begin;
select plan(18);

do $$
begin
  perform tests.create_supabase_user('pat');     -- platform admin
  perform tests.create_supabase_user('paula');   -- platform admin
  perform tests.create_supabase_user('sam');     -- ordinary user
  perform tests.make_platform_admin('pat');
  perform tests.make_platform_admin('paula');
  perform tests.create_team('sam', 'sams-shop');
end $$;

select tests.authenticate_as_anon();
select throws_ok($$ select * from public.platform_admins $$, '42501', null, 'anon cannot read platform admins');
select is(private.is_platform_admin(), false, 'anon is not a platform admin');

select tests.authenticate_as('sam');
select is_empty($$ select * from public.platform_admins $$, 'an ordinary user cannot list platform admins');
select is(private.is_platform_admin(), false, 'an ordinary user is not a platform admin');
select throws_ok($$ insert into public.platform_admins (user_id) values (auth.uid()) $$, '42501', null,
  'a user cannot make himself platform admin');

select tests.authenticate_as('pat');
select is(private.is_platform_admin(), true, 'a platform admin is recognised as one');
select results_eq(
  $$ select user_id from public.platform_admins where user_id in (tests.get_supabase_uid('pat'), tests.get_supabase_uid('paula')) order by user_id $$,
  $$ select unnest(array[tests.get_supabase_uid('pat'), tests.get_supabase_uid('paula')]) order by 1 $$,
  'a platform admin sees the list of platform admins');
select throws_ok($$ insert into public.platform_admins (user_id) values (tests.get_supabase_uid('sam')) $$, '42501', null,
  'a platform admin cannot grant admin rights through the API');
select throws_ok($$ delete from public.platform_admins where user_id = tests.get_supabase_uid('paula') $$, '42501', null,
  'a platform admin cannot revoke another admin through the API');
select throws_ok($$ update public.platform_admins set note = 'x' where user_id = auth.uid() $$, '42501', null,
  'platform admin rows cannot be edited through the API');
select isnt_empty($$ select 1 from public.accounts where slug = 'sams-shop' $$,
  'a platform admin sees every account (through is_platform_admin)');

-- Operators manage the list with service_role.
select tests.authenticate_as_service_role();
select results_eq(
  $$ insert into public.platform_admins (user_id, granted_by, note)
     values (tests.get_supabase_uid('sam'), tests.get_supabase_uid('pat'), 'support rota') returning note $$,
  $$ values ('support rota'::text) $$, 'service_role grants platform admin rights');
select tests.authenticate_as('sam');
select is(private.is_platform_admin(), true, 'the grant takes effect at once');
select results_eq($$ select user_id from public.platform_admins where user_id = auth.uid() $$,
  $$ values (auth.uid()) $$, 'an admin sees his own row');

select tests.authenticate_as_service_role();
select results_eq(
  $$ delete from public.platform_admins where user_id = tests.get_supabase_uid('pat') returning 1 $$,
  $$ values (1) $$, 'service_role revokes platform admin rights');
select tests.authenticate_as('pat');
select is(private.is_platform_admin(), false, 'the revocation takes effect at once');
select is_empty($$ select 1 from public.accounts where slug = 'sams-shop' $$,
  'a former platform admin no longer sees other people''s accounts');
select is_empty($$ select 1 from public.platform_admins $$,
  'a former platform admin no longer sees the admin list');

select * from finish();
rollback;
