-- QuickSell points engine (20261202110000): rules, levels, the append-only
-- ledger and the leaderboards. Who may read and write each table, the award
-- (idempotent, daily cap, levels, leaderboards), and the refusals.

begin;
select plan(44);

select tests.fixture() is not null as ok \gset
select tests.get_supabase_uid('owner') as owner, tests.get_supabase_uid('stranger') as stranger,
       tests.get_supabase_uid('rival') as rival \gset

-- Points without any listing: the engine's own rule for this file.
insert into quicksell.points_rules (event, points, daily_cap, description) values ('test_points', 40, null, 'pgTAP'), ('test_capped', 7, 2, 'pgTAP');

-- ---------------------------------------------------------------- award
select is(private.quicksell_award(:'owner', 'test_points', 'k1'), 40, 'an event scores its rule''s points');
select is(private.quicksell_award(:'owner', 'test_points', 'k1'), 0, 'the same idempotency key scores nothing the second time');
select is(private.quicksell_award(:'owner', 'test_points', 'k1', '{"other": true}'), 0, 'whatever ref comes with it');
select is((select count(*)::int from quicksell.points_ledger where user_id = :'owner' and event = 'test_points'), 1,
  'one ledger row for the event');
select is((select total_points from quicksell.user_stats where user_id = :'owner'), 40, 'user_stats.total_points follows the ledger');
select is(private.quicksell_award(:'owner', 'test_points', 'k2'), 40, 'a new key scores again');
select is(private.quicksell_award(:'owner', 'test_points', 'k3'), 40, 'and again');
select results_eq(format('select total_points, current_level from quicksell.user_stats where user_id = %L', :'owner'),
  $$ values (120, 2) $$, '120 points reach level 2 (threshold 100), not level 3 (300)');
select is((select total_after from quicksell.points_ledger where user_id = :'owner' and idempotency_key = 'k3'), 120,
  'each ledger row records the total after it');

select is(private.quicksell_award(:'rival', 'test_capped', 'c1'), 7, 'a capped rule scores');
select is(private.quicksell_award(:'rival', 'test_capped', 'c2'), 7, 'up to its daily cap');
select is(private.quicksell_award(:'rival', 'test_capped', 'c3'), 0, 'and then nothing for the rest of the day');
select is((select count(*)::int from quicksell.points_ledger where user_id = :'rival' and event = 'test_capped'), 3,
  'the capped event is still recorded (with 0 points), so its key stays used');

select throws_ok(format($$ select private.quicksell_award(%L, 'no_such_event', 'x') $$, :'owner'), '22023', null,
  'an unknown event is refused naming the field');
select throws_ok(format($$ select private.quicksell_award(%L, 'test_points', '') $$, :'owner'), '22023', null,
  'an empty idempotency key is refused');
select throws_ok(format($$ select private.quicksell_award(%L, 'test_points', 'k9', '[1]') $$, :'owner'), '22023', null,
  'a ref that is not an object is refused');

-- ---------------------------------------------------------------- leaderboards
select results_eq(format($$ select period, points from quicksell.leaderboard_entries where user_id = %L order by period $$, :'owner'),
  $$ values ('monthly', 120), ('weekly', 120) $$, 'the weekly and monthly leaderboards are current at commit');
select is((select period_start from quicksell.leaderboard_entries where user_id = :'owner' and period = 'weekly'),
  date_trunc('week', now() at time zone 'UTC')::date, 'the weekly row is this ISO week (Monday, UTC)');
select is((select period_start from quicksell.leaderboard_entries where user_id = :'owner' and period = 'monthly'),
  date_trunc('month', now() at time zone 'UTC')::date, 'the monthly row is this month (UTC)');
select is_empty($$ select * from private.quicksell_points_violations() $$, 'ledger, totals and leaderboards agree');
select results_eq($$ select user_id from quicksell.leaderboard_entries
                     where period = 'weekly' and period_start = date_trunc('week', now() at time zone 'UTC')::date
                       and user_id in (select tests.get_supabase_uid(x) from unnest(array['owner', 'rival']) x)
                     order by points desc, user_id limit 10 $$,
  format('values (%L::uuid), (%L::uuid)', :'owner', :'rival'), 'the top N reads by points');

-- ---------------------------------------------------------------- append-only
select throws_ok(format($$ update quicksell.points_ledger set points = 1000 where user_id = %L $$, :'owner'), '42501', null,
  'the ledger cannot be edited, not even by the database owner');
select throws_ok(format($$ delete from quicksell.points_ledger where user_id = %L $$, :'owner'), '42501', null,
  'nor deleted from');
select throws_ok($$ truncate quicksell.points_ledger $$, '42501', null, 'nor truncated');
select tests.authenticate_as_service_role();
select throws_ok(format($$ insert into quicksell.points_ledger (user_id, event, points, idempotency_key, total_after)
                           values (%L, 'test_points', 1000, 'forged', 1000) $$, :'owner'), '42501', null,
  'service_role cannot write the ledger directly');
select tests.clear_authentication();

-- ---------------------------------------------------------------- rights
create temp view pl_sql as select
  $$ select 1 from quicksell.points_ledger where event = 'test_points' $$ as r,
  format($$ insert into quicksell.points_ledger (user_id, event, points, idempotency_key, total_after) values (%L, 'test_points', 5, 'f', 5) $$,
         tests.get_supabase_uid('owner')) as i,
  $$ update quicksell.points_ledger set points = 999 where event = 'test_points' $$ as u,
  $$ delete from quicksell.points_ledger where event = 'test_points' $$ as d;
grant select on pl_sql to anon, authenticated, service_role;

select is(tests.rights('anon', r, i, u, d), 'read 42501, insert 42501, update 42501, delete 42501', 'anon: no ledger') from pl_sql;
select is(tests.rights('owner', r, i, u, d), 'read rows=3, insert 42501, update 42501, delete 42501', 'owner: reads his own rows only') from pl_sql;
select is(tests.rights('stranger', r, i, u, d), 'read rows=0, insert 42501, update 42501, delete 42501', 'stranger: sees nobody''s rows') from pl_sql;
select is(tests.rights('member', r, i, u, d), 'read rows=0, insert 42501, update 42501, delete 42501', 'a teammate does not see them either') from pl_sql;
select is(tests.rights('admin', r, i, u, d), 'read rows=0, insert 42501, update 42501, delete 42501', 'nor an account admin') from pl_sql;
select is(tests.rights('platform_admin', r, i, u, d), 'read rows=3, insert 42501, update 42501, delete 42501', 'platform admins read every row') from pl_sql;
select is(tests.rights('service_role', r, i, u, d), 'read rows=3, insert 42501, update 42501, delete 42501', 'service_role reads, never writes') from pl_sql;

create temp view lb_sql as select
  format($$ select 1 from quicksell.leaderboard_entries where user_id = %L $$, tests.get_supabase_uid('owner')) as r,
  format($$ insert into quicksell.leaderboard_entries (period, period_start, user_id, points) values ('weekly', date_trunc('week', now())::date - 7, %L, 1) $$,
         tests.get_supabase_uid('stranger')) as i,
  $$ update quicksell.leaderboard_entries set points = 1000000 $$ as u,
  $$ delete from quicksell.leaderboard_entries $$ as d;
grant select on lb_sql to anon, authenticated, service_role;
select is(tests.rights('anon', r, i, u, d), 'read rows=2, insert 42501, update 42501, delete 42501', 'anon reads the leaderboards') from lb_sql;
select is(tests.rights('stranger', r, i, u, d), 'read rows=2, insert 42501, update 42501, delete 42501', 'so does anyone signed in, read-only') from lb_sql;
select is(tests.rights('owner', r, i, u, d), 'read rows=2, insert 42501, update 42501, delete 42501', 'a user cannot raise his own rank') from lb_sql;
select is(tests.rights('platform_admin', r, i, u, d), 'read rows=2, insert 42501, update 42501, delete 42501', 'platform admins read') from lb_sql;
select is(tests.rights('service_role', r, i, u, d), 'read rows=2, insert 42501, update 42501, delete 42501', 'service_role reads; only the engine writes') from lb_sql;

create temp view rules_sql as select
  $$ select 1 from quicksell.points_rules where event = 'test_points' $$ as r,
  $$ insert into quicksell.points_rules (event, points) values ('forged_event', 100000) $$ as i,
  $$ update quicksell.points_rules set points = 100000 where event = 'test_points' $$ as u,
  $$ delete from quicksell.points_rules where event = 'test_capped' $$ as d;
grant select on rules_sql to anon, authenticated, service_role;
select is(tests.rights('anon', r, i, u, d), 'read rows=1, insert 42501, update 42501, delete 42501', 'anon reads the rules') from rules_sql;
select is(tests.rights('owner', r, i, u, d), 'read rows=1, insert 42501, update 42501, delete 42501', 'users read the rules, never set them') from rules_sql;
select is(tests.rights('platform_admin', r, i, u, d), 'read rows=1, insert 42501, update 42501, delete 42501', 'platform admins too (rules are config)') from rules_sql;
select is(tests.rights('service_role', r, i, u, d), 'read rows=1, insert rows=1, update rows=1, delete 23503', 'service_role edits the rules; a used rule cannot be removed') from rules_sql;

create temp view levels_sql as select
  $$ select 1 from quicksell.levels $$ as r,
  $$ insert into quicksell.levels (level, min_points, title) values (99, 99999999, 'x') $$ as i,
  $$ update quicksell.levels set min_points = 0 where level = 7 $$ as u,
  $$ delete from quicksell.levels where level = 7 $$ as d;
grant select on levels_sql to anon, authenticated, service_role;
select is(tests.rights('anon', r, i, u, d), 'read rows=7, insert 42501, update 42501, delete 42501', 'anon reads the levels') from levels_sql;
select is(tests.rights('stranger', r, i, u, d), 'read rows=7, insert 42501, update 42501, delete 42501', 'users read the levels') from levels_sql;
select is(tests.rights('service_role', r, i, u, d), 'read rows=7, insert rows=1, update 23505, delete rows=1', 'service_role edits them (thresholds stay unique)') from levels_sql;

select * from finish();
rollback;
