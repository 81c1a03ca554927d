-- The gamification tables and the marketplaces, who may do what (the
-- engine that writes them is qs-game's; these are the rights it relies on):
--   * user_stats and user_badges are public (leaderboards, profiles); nobody
--     but the database (service_role, definer code) writes them, not even
--     the user they describe;
--   * user_challenges: the user's own progress (and platform admins'); same
--     writers;
--   * badges, challenges, marketplaces: public catalogues written by
--     service_role only (a platform admin's API session is not enough).

begin;
select plan(45);

select tests.quicksell_data() as seller \gset
select tests.get_supabase_uid('member') as buyer, tests.get_supabase_uid('stranger') as stranger \gset
-- Spares for the backend's deletes (nothing references them).
insert into quicksell.badges (badge_key, badge_name) values ('probe_spare', 'Spare');
insert into quicksell.challenges (challenge_key, challenge_name) values ('probe_spare', 'Spare');
insert into quicksell.marketplaces (name, display_name) values ('probe_spare', 'Spare');

-- ---------------------------------------------------------------- user_stats: public standings: everyone reads, the database writes (not even the user himself)
select format('select 1 from quicksell.user_stats where user_id in (%L, %L)', :'seller', :'buyer') as read_sql,
       format($q$ insert into quicksell.user_stats (user_id) values (%L) $q$, :'stranger') as insert_sql,
       format($q$ update quicksell.user_stats set total_points = 999999, current_level = 99 where user_id = %L $q$, :'seller') as update_sql,
       format($q$ delete from quicksell.user_stats where user_id = %L $q$, :'buyer') as delete_sql \gset
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert 42501, update 42501, delete 42501', 'user_stats: anon');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert 42501, update 42501, delete 42501', 'user_stats: a stranger');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert 42501, update 42501, delete 42501', 'user_stats: the seller');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert 42501, update 42501, delete 42501', 'user_stats: a teammate (admin)');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert 42501, update 42501, delete 42501', 'user_stats: the buyer (member)');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert 42501, update 42501, delete 42501', 'user_stats: a platform admin');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert rows=1, update rows=1, delete rows=1', 'user_stats: service_role');

-- ---------------------------------------------------------------- badges: the badge catalogue: everyone reads, service_role writes (not platform admins through the API)
select format('select 1 from quicksell.badges where id = %L', tests.qs('badge')) as read_sql,
       $q$ insert into quicksell.badges (badge_key, badge_name) values ('probe_forged', 'Forged') $q$ as insert_sql,
       format($q$ update quicksell.badges set requirement_value = requirement_value + 1 where id = %L $q$, tests.qs('badge')) as update_sql,
       $q$ delete from quicksell.badges where badge_key = 'probe_spare' $q$ as delete_sql \gset
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'badges: anon');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'badges: a stranger');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'badges: the seller');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'badges: a teammate (admin)');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'badges: the buyer (member)');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'badges: a platform admin');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'badges: service_role');

-- ---------------------------------------------------------------- user_badges: unlocked badges: public (profiles), written by the database only
select format('select 1 from quicksell.user_badges where badge_id = %L', tests.qs('badge')) as read_sql,
       format($q$ insert into quicksell.user_badges (user_id, badge_id) values (%L, %L) $q$, :'stranger', tests.qs('badge')) as insert_sql,
       format($q$ update quicksell.user_badges set unlocked_at = now() - interval '1 year' where badge_id = %L $q$, tests.qs('badge')) as update_sql,
       format($q$ delete from quicksell.user_badges where badge_id = %L $q$, tests.qs('badge')) as delete_sql \gset
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'user_badges: anon');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'user_badges: a stranger');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'user_badges: the seller');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'user_badges: a teammate (admin)');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'user_badges: the buyer (member)');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'user_badges: a platform admin');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'user_badges: service_role');

-- ---------------------------------------------------------------- challenges: the challenge catalogue: everyone reads, service_role writes
select format('select 1 from quicksell.challenges where id = %L', tests.qs('challenge')) as read_sql,
       $q$ insert into quicksell.challenges (challenge_key, challenge_name) values ('probe_forged', 'Forged') $q$ as insert_sql,
       format($q$ update quicksell.challenges set reward_points = 100000 where id = %L $q$, tests.qs('challenge')) as update_sql,
       $q$ delete from quicksell.challenges where challenge_key = 'probe_spare' $q$ as delete_sql \gset
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'challenges: anon');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'challenges: a stranger');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'challenges: the seller');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'challenges: a teammate (admin)');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'challenges: the buyer (member)');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'challenges: a platform admin');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'challenges: service_role');

-- ---------------------------------------------------------------- user_challenges: challenge progress: the user's own (and platform admins'), written by the database only
select format('select 1 from quicksell.user_challenges where challenge_id = %L', tests.qs('challenge')) as read_sql,
       format($q$ insert into quicksell.user_challenges (user_id, challenge_id) values (%L, %L) $q$, :'stranger', tests.qs('challenge')) as insert_sql,
       format($q$ update quicksell.user_challenges set progress = 100, progress_percentage = 100 where challenge_id = %L $q$, tests.qs('challenge')) as update_sql,
       format($q$ delete from quicksell.user_challenges where challenge_id = %L $q$, tests.qs('challenge')) as delete_sql \gset
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'user_challenges: anon');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'user_challenges: a stranger');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'user_challenges: the seller');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'user_challenges: a teammate (admin)');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'user_challenges: the buyer (member)');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'user_challenges: a platform admin');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'user_challenges: service_role');

-- ---------------------------------------------------------------- marketplaces: the marketplaces: everyone reads, service_role writes
select $q$ select 1 from quicksell.marketplaces where name in ('ebay', 'etsy', 'local') $q$ as read_sql,
       $q$ insert into quicksell.marketplaces (name, display_name) values ('probe_forged', 'Forged') $q$ as insert_sql,
       $q$ update quicksell.marketplaces set is_active = false where name = 'ebay' $q$ as update_sql,
       $q$ delete from quicksell.marketplaces where name = 'probe_spare' $q$ as delete_sql \gset
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=3, insert 42501, update 42501, delete 42501', 'marketplaces: anon');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=3, insert 42501, update 42501, delete 42501', 'marketplaces: a stranger');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=3, insert 42501, update 42501, delete 42501', 'marketplaces: the seller');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=3, insert 42501, update 42501, delete 42501', 'marketplaces: a teammate (admin)');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=3, insert 42501, update 42501, delete 42501', 'marketplaces: the buyer (member)');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=3, insert 42501, update 42501, delete 42501', 'marketplaces: a platform admin');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=3, insert rows=1, update rows=1, delete rows=1', 'marketplaces: service_role');
-- ---------------------------------------------------------------- references
select is(tests.probe('service_role', 'delete from quicksell.marketplaces where name = ''ebay'''), '23503',
  'a marketplace with accounts on it cannot be removed');
delete from quicksell.badges where id = tests.qs('badge');
select is((select reward_badge_id from quicksell.challenges where id = tests.qs('challenge')), null::uuid,
  'removing a badge clears it as a challenge reward');
select is_empty(format('select 1 from quicksell.user_badges where badge_id = %L', tests.qs('badge')),
  'and takes its unlocks with it');

select * from finish();
rollback;
