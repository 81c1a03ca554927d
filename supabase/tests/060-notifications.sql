-- public.notifications and private.notify().
--   * a notification is visible only to its recipient: not to teammates,
--     not to account admins, not to platform admins, not to anon;
--   * the recipient may only flip `read` (read_at is stamped by a trigger)
--     and delete it; every other column is read-only (42501);
--   * notifications are created by private.notify(), which only
--     service_role (and security definer code) may call.

begin;
select plan(28);

-- The shared cast (tests.fixture()): owner, admin and member of team-a; stranger; platform_admin; rival of team-b.
do $$
declare v_acme uuid := tests.fixture();
begin
  perform private.notify(tests.get_supabase_uid('owner'), 'welcome', 'Welcome', 'Hello Owner');
  perform private.notify(tests.get_supabase_uid('owner'), 'credit_low', 'Credits low', 'Top up', 'studio',
                         '/studio/credits', '{"credits": 3}', v_acme);
  perform private.notify(tests.get_supabase_uid('member'), 'welcome', 'Welcome', 'Hello Member');
end $$;

-- ---------------------------------------------------------------- read
select tests.authenticate_as_anon();
select throws_ok($$ select * from public.notifications $$, '42501', null, 'anon cannot read notifications');

select tests.authenticate_as('owner');
select results_eq($$ select type from public.notifications order by type $$,
  $$ values ('credit_low'::text), ('welcome') $$,
  'the recipient sees her own notifications and nobody else''s');
select results_eq(
  $$ select product, action_url, data ->> 'credits', account_id from public.notifications where type = 'credit_low' $$,
  $$ values ('studio'::text, '/studio/credits'::text, '3'::text, tests.account_id('team-a')) $$,
  'private.notify stored product, action_url, data and account');

select tests.authenticate_as('member');
select is_empty($$ select 1 from public.notifications where user_id = tests.get_supabase_uid('owner') $$,
  'a teammate cannot read the owner''s notifications, even account-scoped ones');
select tests.authenticate_as('stranger');
select is_empty($$ select 1 from public.notifications $$, 'a stranger sees no notifications');
select tests.authenticate_as('platform_admin');
select is_empty($$ select 1 from public.notifications where user_id <> auth.uid() $$,
  'a platform admin cannot read other people''s notifications');
select tests.authenticate_as_service_role();
select is((select count(*)::int from public.notifications
           where user_id in (tests.get_supabase_uid('owner'), tests.get_supabase_uid('member'))), 3,
  'service_role sees every notification');

-- ---------------------------------------------------------------- mark read
select tests.authenticate_as('owner');
select results_eq(
  $$ update public.notifications set read = true where type = 'welcome' returning read, read_at $$,
  $$ values (true, now()) $$, 'the recipient marks a notification read and read_at is stamped');
select results_eq(
  $$ update public.notifications set read = false where type = 'welcome' returning read, read_at $$,
  $$ values (false, null::timestamptz) $$, 'marking it unread clears read_at');
select throws_ok($$ update public.notifications set read_at = '2000-01-01' $$, '42501', null,
  'read_at cannot be written directly');
select throws_ok($$ update public.notifications set title = 'Edited' $$, '42501', null,
  'the title is read-only');
select throws_ok($$ update public.notifications set message = 'Edited' $$, '42501', null,
  'the message is read-only');
select throws_ok($$ update public.notifications set action_url = 'https://evil.example' $$, '42501', null,
  'the action_url is read-only');
select throws_ok($$ update public.notifications set user_id = tests.get_supabase_uid('member') $$, '42501', null,
  'a notification cannot be handed to someone else');
select is_empty(
  $$ update public.notifications set read = true where user_id = tests.get_supabase_uid('member') returning 1 $$,
  'the owner cannot mark a teammate''s notification read (0 rows)');
select tests.authenticate_as('stranger');
select is_empty(
  $$ update public.notifications set read = true where user_id = tests.get_supabase_uid('owner') returning 1 $$,
  'a stranger cannot touch the owner''s notifications (0 rows)');
select tests.authenticate_as('platform_admin');
select is_empty(
  $$ update public.notifications set read = true where user_id = tests.get_supabase_uid('owner') returning 1 $$,
  'a platform admin cannot mark other people''s notifications read (0 rows)');

-- ---------------------------------------------------------------- insert & delete
select tests.authenticate_as('owner');
select throws_ok(
  $$ insert into public.notifications (user_id, type, title, message)
     values (tests.get_supabase_uid('member'), 'phish', 'Reset your password', 'Click here') $$,
  '42501', null, 'users cannot insert notifications, for others or themselves');
select is_empty(
  $$ delete from public.notifications where user_id = tests.get_supabase_uid('member') returning 1 $$,
  'the owner cannot delete a teammate''s notification (0 rows)');
select tests.authenticate_as('platform_admin');
select is_empty(
  $$ delete from public.notifications where user_id = tests.get_supabase_uid('owner') returning 1 $$,
  'a platform admin cannot delete other people''s notifications (0 rows)');
select tests.authenticate_as('owner');
select results_eq($$ delete from public.notifications where type = 'welcome' returning type $$,
  $$ values ('welcome'::text) $$, 'the recipient deletes her own notification');

-- ---------------------------------------------------------------- private.notify
select tests.authenticate_as_service_role();
select isnt(private.notify(tests.get_supabase_uid('stranger'), 'system', 'Maintenance', 'Tonight at 2am'), null,
  'service_role creates notifications with private.notify');
select throws_ok(
  $$ select private.notify(tests.get_supabase_uid('stranger'), 'Not A Type', 'x', 'y') $$, '23514', null,
  'private.notify refuses a malformed type');
select results_eq(
  $$ insert into public.notifications (user_id, type, title, message)
     values (tests.get_supabase_uid('stranger'), 'system', 'Direct', 'Inserted by an edge function') returning product $$,
  $$ values ('platform'::text) $$, 'service_role may also insert directly');
select tests.authenticate_as('stranger');
select is((select count(*)::int from public.notifications), 2, 'the recipient sees what service_role sent him');

select tests.authenticate_as('owner');
select throws_ok(
  $$ select private.notify(tests.get_supabase_uid('member'), 'phish', 'Reset your password', 'Click here') $$,
  '42501', null, 'a signed-in user cannot call private.notify to message other users');
select tests.authenticate_as_anon();
select throws_ok(
  $$ select private.notify(tests.get_supabase_uid('member'), 'phish', 'Reset your password', 'Click here') $$,
  '42501', null, 'anon cannot call private.notify');
select tests.clear_authentication();
select is_empty($$ select 1 from public.notifications where type = 'phish' $$,
  'no notification was planted by a user or anon');

select * from finish();
rollback;
