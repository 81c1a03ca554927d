-- The access matrix of every table the QuickSell gamification, sales and
-- retention migrations add (20261202110000, 20261202110400): each of the cast
-- (anon, stranger, owner, member, admin, platform admin, service_role) x
-- read / insert / update / delete. The owner is the user the rows belong to.

begin;
select plan(42);

select tests.fixture() is not null as ok \gset
select tests.get_supabase_uid('owner') as owner \gset

insert into quicksell.points_rules (event, points) values ('rights_points', 10), ('rights_unused', 1);
select private.quicksell_award(:'owner', 'rights_points', 'r1') + private.quicksell_award(:'owner', 'rights_points', 'r2') as pts \gset
insert into quicksell.listings_archive (id, user_id, deleted_at, listing) values (extensions.gen_random_uuid(), :'owner', now() - interval '100 days', '{}');
insert into quicksell.analytics_events_archive (id, user_id, product, event_type, created_at) values (-735, :'owner', 'quicksell', 'listing.view', now() - interval '2 years');

create temp table matrix (tbl text, who text, expected text);
insert into matrix values
  ('points_rules', 'anon', 'read rows=1, insert 42501, update 42501, delete 42501'),
  ('points_rules', 'stranger', 'read rows=1, insert 42501, update 42501, delete 42501'),
  ('points_rules', 'owner', 'read rows=1, insert 42501, update 42501, delete 42501'),
  ('points_rules', 'member', 'read rows=1, insert 42501, update 42501, delete 42501'),
  ('points_rules', 'admin', 'read rows=1, insert 42501, update 42501, delete 42501'),
  ('points_rules', 'platform_admin', 'read rows=1, insert 42501, update 42501, delete 42501'),
  ('points_rules', 'service_role', 'read rows=1, insert rows=1, update rows=1, delete rows=1'),
  ('levels', 'anon', 'read rows=1, insert 42501, update 42501, delete 42501'),
  ('levels', 'stranger', 'read rows=1, insert 42501, update 42501, delete 42501'),
  ('levels', 'owner', 'read rows=1, insert 42501, update 42501, delete 42501'),
  ('levels', 'member', 'read rows=1, insert 42501, update 42501, delete 42501'),
  ('levels', 'admin', 'read rows=1, insert 42501, update 42501, delete 42501'),
  ('levels', 'platform_admin', 'read rows=1, insert 42501, update 42501, delete 42501'),
  ('levels', 'service_role', 'read rows=1, insert rows=1, update rows=1, delete rows=1'),
  ('points_ledger', 'anon', 'read 42501, insert 42501, update 42501, delete 42501'),
  ('points_ledger', 'stranger', 'read rows=0, insert 42501, update 42501, delete 42501'),
  ('points_ledger', 'owner', 'read rows=2, insert 42501, update 42501, delete 42501'),
  ('points_ledger', 'member', 'read rows=0, insert 42501, update 42501, delete 42501'),
  ('points_ledger', 'admin', 'read rows=0, insert 42501, update 42501, delete 42501'),
  ('points_ledger', 'platform_admin', 'read rows=2, insert 42501, update 42501, delete 42501'),
  ('points_ledger', 'service_role', 'read rows=2, insert 42501, update 42501, delete 42501'),
  ('leaderboard_entries', 'anon', 'read rows=2, insert 42501, update 42501, delete 42501'),
  ('leaderboard_entries', 'stranger', 'read rows=2, insert 42501, update 42501, delete 42501'),
  ('leaderboard_entries', 'owner', 'read rows=2, insert 42501, update 42501, delete 42501'),
  ('leaderboard_entries', 'member', 'read rows=2, insert 42501, update 42501, delete 42501'),
  ('leaderboard_entries', 'admin', 'read rows=2, insert 42501, update 42501, delete 42501'),
  ('leaderboard_entries', 'platform_admin', 'read rows=2, insert 42501, update 42501, delete 42501'),
  ('leaderboard_entries', 'service_role', 'read rows=2, insert 42501, update 42501, delete 42501'),
  ('listings_archive', 'anon', 'read 42501, insert 42501, update 42501, delete 42501'),
  ('listings_archive', 'stranger', 'read rows=0, insert 42501, update 42501, delete 42501'),
  ('listings_archive', 'owner', 'read rows=1, insert 42501, update 42501, delete 42501'),
  ('listings_archive', 'member', 'read rows=0, insert 42501, update 42501, delete 42501'),
  ('listings_archive', 'admin', 'read rows=0, insert 42501, update 42501, delete 42501'),
  ('listings_archive', 'platform_admin', 'read rows=1, insert 42501, update 42501, delete 42501'),
  ('listings_archive', 'service_role', 'read rows=1, insert 42501, update 42501, delete 42501'),
  ('analytics_events_archive', 'anon', 'read 42501, insert 42501, update 42501, delete 42501'),
  ('analytics_events_archive', 'stranger', 'read rows=0, insert 42501, update 42501, delete 42501'),
  ('analytics_events_archive', 'owner', 'read rows=1, insert 42501, update 42501, delete 42501'),
  ('analytics_events_archive', 'member', 'read rows=0, insert 42501, update 42501, delete 42501'),
  ('analytics_events_archive', 'admin', 'read rows=0, insert 42501, update 42501, delete 42501'),
  ('analytics_events_archive', 'platform_admin', 'read rows=1, insert 42501, update 42501, delete 42501'),
  ('analytics_events_archive', 'service_role', 'read rows=1, insert 42501, update 42501, delete 42501');

-- The four statements per table; the owner's rows only (the demo data has others).
create temp table statements (tbl text primary key, r text, i text, u text, d text);
insert into statements values
  ('points_rules',
   $$ select 1 from quicksell.points_rules where event = 'rights_points' $$,
   $$ insert into quicksell.points_rules (event, points) values ('rights_forged', 100000) $$,
   $$ update quicksell.points_rules set points = 100000 where event = 'rights_points' $$,
   $$ delete from quicksell.points_rules where event = 'rights_unused' $$),
  ('levels',
   $$ select 1 from quicksell.levels where level = 7 $$,
   $$ insert into quicksell.levels (level, min_points, title) values (99, 99999999, 'Forged') $$,
   $$ update quicksell.levels set title = 'Renamed' where level = 7 $$,
   $$ delete from quicksell.levels where level = 7 $$),
  ('points_ledger',
   format($$ select 1 from quicksell.points_ledger where user_id = %L and event = 'rights_points' $$, :'owner'),
   format($$ insert into quicksell.points_ledger (user_id, event, points, idempotency_key, total_after) values (%L, 'rights_points', 5, 'forged', 5) $$, :'owner'),
   format($$ update quicksell.points_ledger set points = 999 where user_id = %L $$, :'owner'),
   format($$ delete from quicksell.points_ledger where user_id = %L $$, :'owner')),
  ('leaderboard_entries',
   format($$ select 1 from quicksell.leaderboard_entries where user_id = %L $$, :'owner'),
   format($$ insert into quicksell.leaderboard_entries (period, period_start, user_id, points) values ('monthly', '2020-01-01', %L, 1) $$, :'owner'),
   format($$ update quicksell.leaderboard_entries set points = 1000000 where user_id = %L $$, :'owner'),
   format($$ delete from quicksell.leaderboard_entries where user_id = %L $$, :'owner')),
  ('listings_archive',
   format($$ select 1 from quicksell.listings_archive where user_id = %L $$, :'owner'),
   format($$ insert into quicksell.listings_archive (id, user_id, deleted_at, listing) values (extensions.gen_random_uuid(), %L, now(), '{}') $$, :'owner'),
   format($$ update quicksell.listings_archive set listing = '{"forged": true}' where user_id = %L $$, :'owner'),
   format($$ delete from quicksell.listings_archive where user_id = %L $$, :'owner')),
  ('analytics_events_archive',
   format($$ select 1 from quicksell.analytics_events_archive where user_id = %L $$, :'owner'),
   format($$ insert into quicksell.analytics_events_archive (id, user_id, product, event_type, created_at) values (-736, %L, 'quicksell', 'x', now()) $$, :'owner'),
   format($$ update quicksell.analytics_events_archive set event_type = 'forged' where user_id = %L $$, :'owner'),
   format($$ delete from quicksell.analytics_events_archive where user_id = %L $$, :'owner'));
grant select on matrix, statements to anon, authenticated, service_role;

select is(tests.rights(m.who, s.r, s.i, s.u, s.d), m.expected, format('%s: %s', m.tbl, m.who))
from matrix m join statements s on s.tbl = m.tbl
order by m.tbl, m.who;

select * from finish();
rollback;
