-- Time zones on profiles and accounts: who may set them, and only real zones.
begin;
select plan(9);

select tests.fixture() is not null as cast_ready \gset

select is((select time_zone from public.profiles where id = tests.get_supabase_uid('owner')), 'UTC',
  'a profile starts in UTC');
select is((select time_zone from public.accounts where id = tests.get_supabase_uid('owner')), 'UTC',
  'an account starts in UTC');

select tests.authenticate_as('owner');
select lives_ok($$ update public.profiles set time_zone = 'Africa/Johannesburg' where id = auth.uid() $$,
  'a user sets her own time zone');
select throws_ok($$ update public.profiles set time_zone = 'Mars/Olympus' where id = auth.uid() $$,
  '22023', 'time_zone: unknown time zone "Mars/Olympus"', 'an unknown zone is refused, naming the field');
select lives_ok($$ update public.accounts set time_zone = 'America/New_York' where slug = 'team-a' $$,
  'an owner sets her team''s time zone');
select tests.clear_authentication();
select is((select time_zone from public.accounts where slug = 'team-a'), 'America/New_York',
  'the team''s zone is stored');

select tests.authenticate_as('member');
select is_empty($$ update public.accounts set time_zone = 'Europe/Paris' where slug = 'team-a' returning 1 $$,
  'a member cannot change the team''s zone (no row passes the update policy)');
select is_empty($$ update public.profiles set time_zone = 'Europe/Paris' where id = tests.get_supabase_uid('owner') returning 1 $$,
  'a user cannot change someone else''s zone');
select tests.clear_authentication();

select ok(not private.is_time_zone(repeat('x', 100)) and not private.is_time_zone(null) and private.is_time_zone('UTC'),
  'is_time_zone refuses long, null and unknown names');

select * from finish();
rollback;
