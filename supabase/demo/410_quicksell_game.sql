-- Demo QuickSell gamification (seed 001), loaded after 400_quicksell.sql:
-- running challenges with progress (one completed, one expired by the
-- pg_cron job), new listings and photos that score points, sales recorded,
-- completed and rated through the RPCs (one refunded, one pending), posting
-- streaks in the sellers' own time zones, and the retention job run once so
-- both archives hold rows. Every point, badge, counter and leaderboard row is
-- written by the database's own triggers and functions, not inserted here.
--
--   seller   adds                                             sells (buyer)
--   alice    3 listings (New York), photos                     2 (bob, carol), both rated
--   dave     2 listings                                        1 (heidi), rated
--   heidi    3 listings, an 8-day streak (Berlin)               2 (alice completed; grace pending)
--   grace    2 listings, a 3-day streak (Tokyo)                 1 (frank), refunded
--   frank    1 listing, long deleted (archived)
--
-- Sales are recorded as the seller (JWT claims set as PostgREST does), so the
-- rights of the RPCs apply.

begin;

-- ------------------------------------------------------------ challenges
insert into quicksell.challenges (challenge_key, challenge_name, description, challenge_type, reward_points, reward_badge_id,
                                  starts_at, ends_at, is_active, requirement_type, requirement_value)
values
  ('demo_weekly_lister', 'Three new listings this week', 'Create three listings before Monday.', 'weekly', 40, null,
   date_trunc('week', now()), date_trunc('week', now()) + interval '7 days', true, 'listings_created', 3),
  ('demo_monthly_seller', 'Two sales this month', 'Complete two sales this month.', 'monthly', 100,
   (select id from quicksell.badges where badge_key = 'challenge_champion'),
   date_trunc('month', now()), date_trunc('month', now()) + interval '1 month', true, 'items_sold', 2),
  ('demo_photo_week', 'Four photos this week', 'Upload four photos this week.', 'weekly', 20, null,
   date_trunc('week', now()), date_trunc('week', now()) + interval '7 days', true, 'photos_uploaded', 4),
  ('demo_autumn_sprint', 'Autumn sprint', 'Publish five listings in the sprint.', 'limited', 60, null,
   now() - interval '20 days', now() - interval '2 days', true, 'listings_published', 5)
on conflict (challenge_key) do nothing;

do $$
declare
  alice constant uuid := '00000000-0000-4000-8000-000000000001';
  bob constant uuid := '00000000-0000-4000-8000-000000000002';
  carol constant uuid := '00000000-0000-4000-8000-000000000003';
  dave constant uuid := '00000000-0000-4000-8000-000000000004';
  frank constant uuid := '00000000-0000-4000-8000-000000000006';
  grace constant uuid := '00000000-0000-4000-8000-000000000007';
  heidi constant uuid := '00000000-0000-4000-8000-000000000008';
  v_sale uuid;
  d integer;
begin
  update public.profiles set time_zone = 'America/New_York' where id = alice;
  update public.profiles set time_zone = 'Europe/Berlin' where id = heidi;
  update public.profiles set time_zone = 'Asia/Tokyo' where id = grace;

  -- heidi took part in the sprint (it ended two days ago) without finishing.
  insert into quicksell.user_challenges (user_id, challenge_id, progress, progress_percentage, started_at)
  select heidi, c.id, 2, 40.00, now() - interval '15 days' from quicksell.challenges c where c.challenge_key = 'demo_autumn_sprint'
  on conflict (user_id, challenge_id) do nothing;
  perform private.quicksell_expire_challenges(now());

  -- Posting days before today's listings (a streak only moves forward in time).
  for d in reverse 7..1 loop
    perform private.quicksell_record_posting(heidi, now() - make_interval(days => d));
  end loop;
  for d in reverse 2..1 loop
    perform private.quicksell_record_posting(grace, now() - make_interval(days => d));
  end loop;

  -- ---------------------------------------------------------- listings and photos
  insert into quicksell.listings (id, user_id, title, description, category, condition, price, brand, created_at)
  values
    ('00000000-0000-4000-9410-000000000001', alice, 'Vintage film projector', 'Super 8, bulb works.', 'electronics', 'good', 85, 'Bell & Howell', now() - interval '3 hours'),
    ('00000000-0000-4000-9410-000000000002', alice, 'Wool throw blanket', 'Hand-woven, 130 x 170 cm.', 'home', 'like_new', 45, null, now() - interval '2 hours'),
    ('00000000-0000-4000-9410-000000000003', alice, 'Board game bundle', 'Five classics, complete.', 'toys', 'good', 60, null, now() - interval '1 hour'),
    ('00000000-0000-4000-9410-000000000004', dave, 'Espresso grinder', 'Conical burrs, 40 settings.', 'kitchen', 'good', 120, 'Baratza', now() - interval '5 hours'),
    ('00000000-0000-4000-9410-000000000005', dave, 'Trail running shoes', 'Size 44, 100 km on them.', 'shoes', 'good', 50, 'Salomon', now() - interval '4 hours'),
    ('00000000-0000-4000-9410-000000000006', heidi, 'Mid-century side table', 'Teak, minor marks.', 'furniture', 'good', 140, null, now() - interval '6 hours'),
    ('00000000-0000-4000-9410-000000000007', heidi, 'Vinyl records (20)', 'Jazz, 1960s pressings.', 'music', 'fair', 90, null, now() - interval '5 hours'),
    ('00000000-0000-4000-9410-000000000008', heidi, 'Ceramic planter set', 'Three sizes.', 'garden', 'new', 35, null, now() - interval '4 hours'),
    ('00000000-0000-4000-9410-000000000009', grace, 'Mechanical keyboard', 'Brown switches, PBT caps.', 'electronics', 'like_new', 95, 'Keychron', now() - interval '7 hours'),
    ('00000000-0000-4000-9410-000000000010', grace, 'Yoga mat', '6 mm, barely used.', 'sports', 'like_new', 25, null, now() - interval '6 hours')
  on conflict (id) do nothing;

  update quicksell.listings l set status = 'published', published_at = coalesce(l.published_at, now())
  where l.id in ('00000000-0000-4000-9410-000000000001', '00000000-0000-4000-9410-000000000002', '00000000-0000-4000-9410-000000000003',
                 '00000000-0000-4000-9410-000000000004', '00000000-0000-4000-9410-000000000005', '00000000-0000-4000-9410-000000000006',
                 '00000000-0000-4000-9410-000000000007', '00000000-0000-4000-9410-000000000008', '00000000-0000-4000-9410-000000000009')
    and l.status = 'draft';

  insert into quicksell.photos (listing_id, user_id, original_url, filename, display_order, is_primary)
  select l.id, l.user_id, l.user_id || '/' || l.id || '/' || n || '.jpg', n || '.jpg', n - 1, n = 1
  from quicksell.listings l cross join generate_series(1, 2) n
  where l.id::text like '00000000-0000-4000-9410-%' and l.id <> '00000000-0000-4000-9410-000000000010';

  -- ---------------------------------------------------------- sales, as the sellers and buyers
  perform set_config('request.jwt.claims', json_build_object('sub', alice, 'role', 'authenticated')::text, true);
  v_sale := quicksell.record_sale('00000000-0000-4000-9410-000000000001', 80, 12.50, bob);
  perform quicksell.complete_sale(v_sale);
  perform quicksell.rate_sale(v_sale, 5, 'Smooth buyer, paid at once.');
  perform set_config('request.jwt.claims', json_build_object('sub', bob, 'role', 'authenticated')::text, true);
  perform quicksell.rate_sale(v_sale, 5, 'Projector works perfectly.');
  perform set_config('request.jwt.claims', json_build_object('sub', alice, 'role', 'authenticated')::text, true);
  v_sale := quicksell.record_sale('00000000-0000-4000-9410-000000000002', 45, 6, carol);
  perform quicksell.complete_sale(v_sale);
  perform set_config('request.jwt.claims', json_build_object('sub', carol, 'role', 'authenticated')::text, true);
  perform quicksell.rate_sale(v_sale, 4, 'Lovely blanket, a bit late.');

  perform set_config('request.jwt.claims', json_build_object('sub', dave, 'role', 'authenticated')::text, true);
  v_sale := quicksell.record_sale('00000000-0000-4000-9410-000000000004', 110, 9, heidi);
  perform quicksell.complete_sale(v_sale);
  perform set_config('request.jwt.claims', json_build_object('sub', heidi, 'role', 'authenticated')::text, true);
  perform quicksell.rate_sale(v_sale, 2, 'Grinder arrived with a cracked hopper.');
  perform set_config('request.jwt.claims', json_build_object('sub', dave, 'role', 'authenticated')::text, true);
  perform quicksell.rate_sale(v_sale, 5, 'Fair and friendly.');

  perform set_config('request.jwt.claims', json_build_object('sub', heidi, 'role', 'authenticated')::text, true);
  v_sale := quicksell.record_sale('00000000-0000-4000-9410-000000000006', 130, 25, alice);
  perform quicksell.complete_sale(v_sale);
  perform set_config('request.jwt.claims', json_build_object('sub', alice, 'role', 'authenticated')::text, true);
  perform quicksell.rate_sale(v_sale, 5, 'Beautiful table.');
  perform set_config('request.jwt.claims', json_build_object('sub', heidi, 'role', 'authenticated')::text, true);
  perform quicksell.record_sale('00000000-0000-4000-9410-000000000007', 85, 8, grace);

  perform set_config('request.jwt.claims', json_build_object('sub', grace, 'role', 'authenticated')::text, true);
  v_sale := quicksell.record_sale('00000000-0000-4000-9410-000000000009', 90, 7, frank);
  perform quicksell.complete_sale(v_sale);
  perform quicksell.refund_sale(v_sale);
  perform set_config('request.jwt.claims', '', true);

  -- ---------------------------------------------------------- retention
  -- Listings deleted long ago and QuickSell events over a year old; the
  -- retention job (normally pg_cron, nightly) moves them to the archives.
  insert into quicksell.listings (id, user_id, title, description, category, condition, price, created_at)
  values ('00000000-0000-4000-9410-000000000011', frank, 'Old bread maker', 'Gone.', 'kitchen', 'fair', 15, now() - interval '140 days'),
         ('00000000-0000-4000-9410-000000000012', grace, 'Broken tripod', 'Gone.', 'electronics', 'poor', 5, now() - interval '130 days')
  on conflict (id) do nothing;
  update quicksell.listings set deleted_at = now() - interval '120 days'
  where id in ('00000000-0000-4000-9410-000000000011', '00000000-0000-4000-9410-000000000012');
  -- account_id: the user's personal account (same id).
  insert into public.analytics_events (user_id, account_id, product, event_type, event_name, context, created_at)
  values (alice, alice, 'quicksell', 'listing.view', 'Listing viewed', jsonb_build_object('listing_id', '00000000-0000-4000-9400-000000000001'), now() - interval '400 days'),
         (dave, dave, 'quicksell', 'listing.click', 'Listing clicked', jsonb_build_object('listing_id', '00000000-0000-4000-9400-000000000011', 'marketplace_name', 'ebay'), now() - interval '380 days'),
         (alice, alice, 'quicksell', 'listing.view', 'Listing viewed', jsonb_build_object('listing_id', '00000000-0000-4000-9410-000000000001'), now() - interval '2 days');
  perform private.quicksell_retention(now());
end $$;

commit;
