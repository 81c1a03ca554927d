-- QuickSell badges and challenges (20261202110100): a badge unlocks once when
-- its requirement is reached and is notified once; challenges count
-- progress and percentage, complete once (reward points, reward badge,
-- notification), and expire on pg_cron when their window ends (the job is
-- called with a moved clock).

begin;
select plan(32);

select tests.fixture() is not null as ok \gset
select tests.get_supabase_uid('owner') as owner, tests.get_supabase_uid('stranger') as stranger,
       tests.get_supabase_uid('rival') as rival \gset
insert into quicksell.points_rules (event, points) values ('test_points', 25);

insert into quicksell.badges (badge_key, badge_name, badge_description, requirement_type, requirement_value) values
  ('test_fifty', 'Fifty', 'Fifty points', 'total_points', 50),
  ('test_hundred', 'Hundred', 'A hundred points', 'total_points', 100),
  ('test_reward', 'Challenger', 'Given by a challenge', null, null);

-- ---------------------------------------------------------------- badges
select is(private.quicksell_award(:'owner', 'test_points', 'b1'), 25, '25 points');
select is_empty(format($$ select 1 from quicksell.user_badges ub join quicksell.badges b on b.id = ub.badge_id
                         where ub.user_id = %L and b.badge_key like 'test_%%' $$, :'owner'), 'no badge below its requirement');
select is(private.quicksell_award(:'owner', 'test_points', 'b2'), 25, '50 points');
select results_eq(format($$ select b.badge_key::text from quicksell.user_badges ub join quicksell.badges b on b.id = ub.badge_id
                           where ub.user_id = %L and b.badge_key like 'test_%%' order by 1 $$, :'owner'),
  $$ values ('test_fifty') $$, 'the badge unlocks when total_points reaches its requirement_value');
select is(private.quicksell_unlock_badges(:'owner', 'total_points', 60), 0, 'reaching it again unlocks nothing');
select is(private.quicksell_award(:'owner', 'test_points', 'b3') + private.quicksell_award(:'owner', 'test_points', 'b4'), 50, '100 points');
select results_eq(format($$ select b.badge_key::text, count(*)::int from quicksell.user_badges ub join quicksell.badges b on b.id = ub.badge_id
                           where ub.user_id = %L and b.badge_key like 'test_%%' group by 1 order by 1 $$, :'owner'),
  $$ values ('test_fifty', 1), ('test_hundred', 1) $$, 'each badge once');
select results_eq(format($$ select data ->> 'badge_key', count(*)::int from public.notifications
                           where user_id = %L and product = 'quicksell' and type = 'badge_unlocked' and data ->> 'badge_key' like 'test_%%'
                           group by 1 order by 1 $$, :'owner'),
  $$ values ('test_fifty', 1), ('test_hundred', 1) $$, 'each unlock notified once, product quicksell, data {badge_key}');
select is(private.quicksell_give_badge(:'owner', (select id from quicksell.badges where badge_key = 'test_fifty')), false,
  'giving a badge the user has changes nothing');
select throws_ok($$ insert into quicksell.badges (badge_key, badge_name, requirement_type, requirement_value) values ('x', 'x', 'bogus', 1) $$,
  '23514', null, 'a badge names a requirement the engine counts');
select throws_ok($$ insert into quicksell.badges (badge_key, badge_name, requirement_type) values ('y', 'y', 'items_sold') $$,
  '23514', null, 'and a value with it');

-- ---------------------------------------------------------------- challenges
insert into quicksell.challenges (challenge_key, challenge_name, description, challenge_type, reward_points, reward_badge_id,
                                  starts_at, ends_at, requirement_type, requirement_value)
values ('test_weekly', 'Earn 100 this week', 'Points count', 'weekly', 30, (select id from quicksell.badges where badge_key = 'test_reward'),
        now() - interval '1 day', now() + interval '6 days', 'points_earned', 100),
       ('test_ended', 'Old one', null, 'limited', 10, null, now() - interval '10 days', now() - interval '3 days', 'points_earned', 10),
       ('test_later', 'Next week', null, 'weekly', 10, null, now() + interval '7 days', now() + interval '14 days', 'points_earned', 10);
select id as weekly from quicksell.challenges where challenge_key = 'test_weekly' \gset

select is(private.quicksell_award(:'rival', 'test_points', 'c1'), 25, 'a first counted event');
select results_eq(format($$ select progress, progress_percentage, status::text from quicksell.user_challenges
                           where user_id = %L and challenge_id = %L $$, :'rival', :'weekly'),
  $$ values (25, 25.00::numeric, 'active') $$, 'enrols the user with progress 25 of 100 (25%)');
select is_empty(format($$ select 1 from quicksell.user_challenges uc join quicksell.challenges c on c.id = uc.challenge_id
                         where uc.user_id = %L and c.challenge_key in ('test_ended', 'test_later') $$, :'rival'),
  'challenges outside their window count nothing');
select is(private.quicksell_award(:'rival', 'test_points', 'c2') + private.quicksell_award(:'rival', 'test_points', 'c3'), 50, '75 points');
select is((select progress_percentage from quicksell.user_challenges where user_id = :'rival' and challenge_id = :'weekly'), 75.00::numeric,
  'progress_percentage follows');
select is(private.quicksell_award(:'rival', 'test_points', 'c4'), 25, 'the goal is reached');
select results_eq(format($$ select progress, progress_percentage, status::text, completed_at is not null from quicksell.user_challenges
                           where user_id = %L and challenge_id = %L $$, :'rival', :'weekly'),
  $$ values (100, 100.00::numeric, 'completed', true) $$, 'the challenge completes at 100%');
select is((select points from quicksell.points_ledger where user_id = :'rival' and event = 'challenge_completed'), 30,
  'its reward_points are awarded as challenge_completed (read from the challenge)');
select is((select total_points from quicksell.user_stats where user_id = :'rival'), 130, '100 + 30 points');
select ok(exists (select 1 from quicksell.user_badges ub join quicksell.badges b on b.id = ub.badge_id
                  where ub.user_id = :'rival' and b.badge_key = 'test_reward'), 'and its reward badge is unlocked');
select is((select count(*)::int from public.notifications where user_id = :'rival' and type = 'challenge_completed'
           and data ->> 'challenge_key' = 'test_weekly'), 1, 'the completion is notified once');
select is(private.quicksell_award(:'rival', 'test_points', 'c5'), 25, 'more points after completion');
select results_eq(format($$ select progress, status::text from quicksell.user_challenges where user_id = %L and challenge_id = %L $$, :'rival', :'weekly'),
  $$ values (100, 'completed') $$, 'do not move a completed challenge, nor complete it twice');
select is((select count(*)::int from quicksell.points_ledger where user_id = :'rival' and event = 'challenge_completed'), 1,
  'the reward once');

-- join_challenge
select tests.authenticate_as('stranger');
select is((quicksell.join_challenge(:'weekly')).progress, 0, 'a signed-in user joins a running challenge with progress 0');
select throws_ok(format($$ select quicksell.join_challenge(%L) $$, (select id from quicksell.challenges where challenge_key = 'test_later')),
  'PT409', null, 'not one that has not started');
select tests.authenticate_as_anon();
select throws_ok(format($$ select quicksell.join_challenge(%L) $$, :'weekly'), '42501', null, 'anon cannot join');
select tests.clear_authentication();

-- ---------------------------------------------------------------- expiry (pg_cron, moved clock)
select private.quicksell_expire_challenges(now() + interval '3 days') >= 0 as ran \gset
select is((select status::text from quicksell.user_challenges where challenge_id = :'weekly' and user_id = :'stranger'), 'active',
  'nothing expires before the end');
select ok(private.quicksell_expire_challenges(now() + interval '7 days') >= 1,
  'a week later the job expires the stranger''s active challenge');
select is((select is_active from quicksell.challenges where id = :'weekly'), false, 'and the challenge is no longer active');
select results_eq(format($$ select uc.user_id = %L, uc.status::text from quicksell.user_challenges uc where uc.challenge_id = %L order by 1 $$,
                         :'rival', :'weekly'),
  $$ values (false, 'expired'), (true, 'completed') $$, 'expired for the one who did not finish, completed for the one who did');

select * from finish();
rollback;
