-- QuickSell activity triggers and posting streaks (20261202110200): a listing
-- created, first published and a photo uploaded each count and score once;
-- posting streaks run in the user's own time zone (tested across a midnight
-- in Tokyo that is not a UTC midnight) and break after a missed day (the
-- pg_cron job called with a moved clock).

begin;
select plan(27);

select tests.fixture() is not null as ok \gset
select tests.get_supabase_uid('owner') as owner, tests.get_supabase_uid('rival') as rival,
       tests.get_supabase_uid('stranger') as stranger \gset

create function pg_temp.stats(p_user uuid) returns table (listings_created int, photos_uploaded int, total_points int)
language sql as $$ select listings_created, photos_uploaded, total_points from quicksell.user_stats where user_id = p_user $$;

-- ---------------------------------------------------------------- listing created
select tests.authenticate_as('owner');
insert into quicksell.listings (title, description, category, condition, price)
values ('Lamp', 'A lamp', 'home', 'good', 12) returning id as l1 \gset
select tests.clear_authentication();
select results_eq(format('select * from pg_temp.stats(%L)', :'owner'), $$ values (1, 0, 5) $$,
  'a listing created counts in listings_created and scores listing_created (5)');
select is((select idempotency_key from quicksell.points_ledger where user_id = :'owner' and event = 'listing_created'), 'listing:' || :'l1',
  'keyed by the listing');
select is(private.quicksell_award(:'owner', 'listing_created', 'listing:' || :'l1'), 0, 'a replay of the event scores nothing');

-- ---------------------------------------------------------------- first publish
-- Publishing is the status machine's (qs-core), which sets published_at; as the backend here.
update quicksell.listings set status = 'published', published_at = coalesce(published_at, now()) where id = :'l1';
select is((select total_points from quicksell.user_stats where user_id = :'owner'), 15, 'the first publish scores listing_published (10)');
update quicksell.listings set status = 'delisted' where id = :'l1';
update quicksell.listings set status = 'published' where id = :'l1';
select tests.authenticate_as('owner');
update quicksell.listings set title = 'Lamp (brass)' where id = :'l1';
select tests.clear_authentication();
select is((select total_points from quicksell.user_stats where user_id = :'owner'), 15, 'publishing again or editing scores nothing more');
select is((select count(*)::int from quicksell.points_ledger where user_id = :'owner' and event = 'listing_published'), 1,
  'one listing_published row');

-- ---------------------------------------------------------------- photos
-- A photo is an uploaded object <seller>/<listing>/<file> of the quicksell-photos
-- bucket (qs-media's photo rules, 770): the files are uploaded first.
insert into storage.objects (bucket_id, name, owner, metadata)
select 'quicksell-photos', f, :'owner', '{"mimetype": "image/jpeg", "size": 1024}'
from unnest(array[:'owner' || '/' || :'l1' || '/1.jpg', :'owner' || '/' || :'l1' || '/2.jpg']) f;
select tests.authenticate_as('owner');
insert into quicksell.photos (listing_id, original_url)
values (:'l1', auth.uid() || '/' || :'l1' || '/1.jpg'),
       (:'l1', auth.uid() || '/' || :'l1' || '/2.jpg');
select tests.clear_authentication();
select results_eq(format('select * from pg_temp.stats(%L)', :'owner'), $$ values (1, 2, 19) $$,
  'each photo counts in photos_uploaded and scores photo_uploaded (2)');

-- ---------------------------------------------------------------- counters cannot be forged
select tests.authenticate_as('owner');
select throws_ok($$ update quicksell.user_stats set total_points = 1000000 where user_id = auth.uid() $$, '42501', null,
  'a user cannot write his own stats');
select tests.clear_authentication();

-- ---------------------------------------------------------------- badges from counters
insert into quicksell.badges (badge_key, badge_name, requirement_type, requirement_value) values
  ('test_two_listings', 'Two listings', 'listings_created', 2), ('test_three_photos', 'Three photos', 'photos_uploaded', 3);
select tests.authenticate_as('owner');
insert into quicksell.listings (title, description, category, condition, price) values ('Chair', 'A chair', 'home', 'fair', 30) returning id as l2 \gset
select tests.clear_authentication();
insert into storage.objects (bucket_id, name, owner, metadata)
values ('quicksell-photos', :'owner' || '/' || :'l2' || '/1.jpg', :'owner', '{"mimetype": "image/jpeg", "size": 1024}');
select tests.authenticate_as('owner');
insert into quicksell.photos (listing_id, original_url) values (:'l2', auth.uid() || '/' || :'l2' || '/1.jpg');
select tests.clear_authentication();
select results_eq(format($$ select b.badge_key::text from quicksell.user_badges ub join quicksell.badges b on b.id = ub.badge_id
                           where ub.user_id = %L and b.badge_key like 'test_%%' order by 1 $$, :'owner'),
  $$ values ('test_three_photos'), ('test_two_listings') $$, 'listings_created and photos_uploaded badges unlock at their values');

-- ---------------------------------------------------------------- streaks in the user's zone
update public.profiles set time_zone = 'Asia/Tokyo' where id = :'rival';
update public.profiles set time_zone = 'UTC' where id = :'stranger';
-- 2027-03-01 14:30 UTC is 23:30 on the 1st in Tokyo; 15:30 UTC is 00:30 on the 2nd.
select is(private.quicksell_record_posting(:'rival', '2027-03-01 14:30+00'), 1, 'Tokyo: a first posting day starts a streak of 1');
select is(private.quicksell_record_posting(:'rival', '2027-03-01 14:50+00'), 1, 'the same local day again changes nothing');
select is(private.quicksell_record_posting(:'rival', '2027-03-01 15:30+00'), 2,
  'one hour later it is the next day in Tokyo (same UTC date): the streak is 2');
select is(private.quicksell_record_posting(:'stranger', '2027-03-01 14:30+00'), 1, 'UTC: 14:30 starts a streak');
select is(private.quicksell_record_posting(:'stranger', '2027-03-01 15:30+00'), 1, 'and 15:30 is the same day in UTC: still 1');
select results_eq(format('select current_posting_streak, best_posting_streak, last_activity_date from quicksell.user_stats where user_id = %L', :'rival'),
  $$ values (2, 2, '2027-03-02'::date) $$, 'last_activity_date is the local date');
select is(private.quicksell_record_posting(:'rival', '2027-03-02 16:00+00'), 3, 'Tokyo, the 3rd (01:00 local): 3');

-- The break job: yesterday (local) still counts; a whole missed day breaks it.
create function pg_temp.streak(p_user uuid) returns int language sql as $$
  select current_posting_streak from quicksell.user_stats where user_id = p_user $$;
select is(private.quicksell_break_streaks('2027-03-03 14:00+00') >= 1 and pg_temp.streak(:'rival') = 3, true,
  '23:00 on the 3rd in Tokyo: the streak stands');
select is(pg_temp.streak(:'stranger'), 0, 'while the UTC user (last day the 1st, nothing on the 2nd) has lost his');
select is(private.quicksell_break_streaks('2027-03-03 15:30+00') >= 0 and pg_temp.streak(:'rival') = 3, true,
  '00:30 on the 4th: the 3rd was yesterday, it stands');
select is(private.quicksell_break_streaks('2027-03-04 15:30+00') >= 1 and pg_temp.streak(:'rival') = 0, true,
  '00:30 on the 5th in Tokyo: the 4th was missed, broken');
select results_eq(format('select current_posting_streak, best_posting_streak from quicksell.user_stats where user_id = %L', :'rival'),
  $$ values (0, 3) $$, 'current is 0, best keeps 3');
select is(private.quicksell_record_posting(:'rival', '2027-03-05 01:00+00'), 1, 'posting again starts at 1');
select is(private.quicksell_record_posting(:'rival', '2027-03-07 01:00+00'), 1,
  'a gap of a day resets to 1 even without the job');
select is((select best_posting_streak from quicksell.user_stats where user_id = :'rival'), 3, 'best is still 3');

insert into quicksell.badges (badge_key, badge_name, requirement_type, requirement_value) values ('test_streak', 'On a roll', 'posting_streak', 2);
select is(private.quicksell_record_posting(:'rival', '2027-03-07 16:00+00'), 2, 'two days in a row again');
select ok(exists (select 1 from quicksell.user_badges ub join quicksell.badges b on b.id = ub.badge_id
                  where ub.user_id = :'rival' and b.badge_key = 'test_streak'), 'posting_streak badges unlock on the streak');

-- A created listing is a posting day today, in the owner's zone.
select is((select last_activity_date from quicksell.user_stats where user_id = :'owner'), (now() at time zone 'UTC')::date,
  'creating listings marks today as a posting day');

select * from finish();
rollback;
