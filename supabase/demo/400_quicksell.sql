-- Demo QuickSell (seed 001), loaded after 000_platform.sql: five sellers with
-- listings in every state (draft, published, sold, delisted, archived, and a
-- soft-deleted one), photos, marketplace accounts and cross-posted copies in
-- every sync state, sales in every state with ratings, and the core's
-- badges, challenges and standings. 410/420/430 add gamification,
-- cross-posting and media on top.
--
--   seller   listings
--   alice    camera (published, on eBay + Etsy), lamp (draft), bike (sold to frank)
--   bob      guitar (published; a cancelled sale), desk (delisted), jacket (archived after a sale to grace)
--   carol    sofa (published, local board), sneakers (sold to heidi), mug (archived draft)
--   dave     drone (published, then deleted by dave), kettle (sold, sale pending with erin)
--   erin     watch (published; a refunded sale), vase (sold on eBay)
--
-- Rows go in as the table owner with their final state (the RPCs and triggers
-- that produce them are exercised by the tests). Versions and standings are
-- written only if the database's own triggers have not written them already,
-- so the file keeps working as the product's triggers land.

begin;

-- ------------------------------------------------------------ listings
insert into quicksell.listings (id, user_id, title, description, category, condition, price, currency, estimated_price,
  status, brand, model, color, size, weight_kg, dimensions, local_pickup_available, shipping_available,
  estimated_shipping_cost, view_count, click_count, ai_description_generated, ai_price_estimated, confidence_score,
  created_at, published_at, deleted_at)
values
  ('00000000-0000-4000-9400-000000000001', '00000000-0000-4000-8000-000000000001', 'Leica M3 rangefinder camera',
   'Double-stroke M3 from 1956, shutter serviced last year, light brassing on the top plate.', 'cameras', 'good',
   1450.00, 'USD', 1390.00, 'published', 'Leica', 'M3', 'chrome', null, 0.60, '14 x 8 x 4 cm', true, true, 18.50,
   212, 31, true, true, 0.82, now() - interval '20 days', now() - interval '19 days', null),
  ('00000000-0000-4000-9400-000000000002', '00000000-0000-4000-8000-000000000001', 'Brass desk lamp',
   '', 'home', 'fair', 35.00, 'USD', null, 'draft', null, null, 'brass', null, 1.20, null, true, false, null,
   0, 0, false, false, null, now() - interval '2 days', null, null),
  ('00000000-0000-4000-9400-000000000003', '00000000-0000-4000-8000-000000000001', 'Road bike, 56 cm steel frame',
   'Reynolds 531 frame, Shimano 105 groupset, new tyres.', 'sports', 'good', 420.00, 'USD', null, 'sold', 'Peugeot',
   'PX-10', 'white', '56 cm', 10.40, null, true, false, null, 98, 12, false, false, null,
   now() - interval '40 days', now() - interval '39 days', null),
  ('00000000-0000-4000-9400-000000000004', '00000000-0000-4000-8000-000000000002', 'Fender Stratocaster (Mexico)',
   'Player series, sunburst, with gig bag. Plays great, two small dings on the back.', 'music', 'like_new', 550.00,
   'USD', 575.00, 'published', 'Fender', 'Player Stratocaster', 'sunburst', null, 3.60, '100 x 33 x 6 cm', true, true,
   45.00, 143, 22, false, true, 0.64, now() - interval '12 days', now() - interval '12 days', null),
  ('00000000-0000-4000-9400-000000000005', '00000000-0000-4000-8000-000000000002', 'Standing desk frame',
   'Dual motor, memory presets; top not included.', 'furniture', 'good', 180.00, 'USD', null, 'delisted', 'Flexispot',
   'E7', 'black', null, 32.00, null, true, false, null, 57, 4, false, false, null,
   now() - interval '30 days', now() - interval '29 days', null),
  ('00000000-0000-4000-9400-000000000006', '00000000-0000-4000-8000-000000000002', 'Waxed cotton jacket',
   'Classic waxed jacket, rewaxed in the spring.', 'clothing', 'good', 120.00, 'EUR', null, 'archived', 'Barbour',
   'Bedale', 'olive', 'M', 1.40, null, false, true, 9.00, 76, 9, true, false, null,
   now() - interval '90 days', now() - interval '88 days', null),
  ('00000000-0000-4000-9400-000000000007', '00000000-0000-4000-8000-000000000003', 'Three-seat linen sofa',
   'Slipcovered, washable covers, smoke-free home. Pickup only.', 'furniture', 'good', 300.00, 'USD', null, 'published',
   null, null, 'oat', null, 55.00, '210 x 90 x 85 cm', true, false, null, 64, 7, false, false, null,
   now() - interval '8 days', now() - interval '8 days', null),
  ('00000000-0000-4000-9400-000000000008', '00000000-0000-4000-8000-000000000003', 'Running sneakers, size 39',
   'Worn twice, too small for me.', 'shoes', 'like_new', 60.00, 'USD', 65.00, 'sold', 'Asics', 'Gel-Nimbus', 'blue',
   '39', 0.60, null, false, true, 7.50, 41, 11, true, true, 0.71, now() - interval '15 days', now() - interval '15 days', null),
  ('00000000-0000-4000-9400-000000000009', '00000000-0000-4000-8000-000000000003', 'Hand-thrown mug',
   'Never finished this one.', 'home', 'new', 20.00, 'USD', null, 'archived', null, null, null, null, null, null,
   true, true, null, 0, 0, false, false, null, now() - interval '60 days', null, null),
  ('00000000-0000-4000-9400-000000000010', '00000000-0000-4000-8000-000000000004', 'Camera drone with 3 batteries',
   'Removed by the seller.', 'electronics', 'good', 380.00, 'USD', null, 'published', 'DJI', 'Mini 3', 'grey', null,
   0.25, null, true, true, 12.00, 33, 5, false, false, null, now() - interval '10 days', now() - interval '10 days',
   now() - interval '1 day'),
  ('00000000-0000-4000-9400-000000000011', '00000000-0000-4000-8000-000000000004', 'Gooseneck kettle',
   'Variable temperature, 0.9 l.', 'kitchen', 'like_new', 70.00, 'USD', null, 'sold', 'Fellow', 'Stagg EKG', 'matte black',
   null, 1.10, null, true, true, 10.00, 19, 3, false, false, null, now() - interval '6 days', now() - interval '6 days', null),
  ('00000000-0000-4000-9400-000000000012', '00000000-0000-4000-8000-000000000005', 'Automatic dive watch',
   'Serviced 2024, box and papers.', 'watches', 'good', 890.00, 'USD', 910.00, 'published', 'Seiko', 'SPB143', 'steel',
   '40 mm', 0.15, null, false, true, 15.00, 187, 40, true, true, 0.77, now() - interval '18 days', now() - interval '18 days', null),
  ('00000000-0000-4000-9400-000000000013', '00000000-0000-4000-8000-000000000005', 'Studio pottery vase',
   'Signed, 1970s, no chips.', 'art', 'good', 140.00, 'USD', null, 'sold', null, null, 'celadon', null, 0.90, '28 cm tall',
   false, true, 14.00, 52, 8, false, false, null, now() - interval '25 days', now() - interval '24 days', null);

-- ------------------------------------------------------------ listing_versions (if no trigger wrote them)
insert into quicksell.listing_versions (listing_id, title, description, price, status, changes, version, created_at, created_by)
select l.id, l.title, l.description, l.price, l.status,
       jsonb_build_object('title', jsonb_build_object('old', null, 'new', l.title),
                          'price', jsonb_build_object('old', null, 'new', l.price),
                          'status', jsonb_build_object('old', null, 'new', l.status)),
       1, l.created_at, l.user_id
from quicksell.listings l
where l.id::text like '00000000-0000-4000-9400-%'
  and not exists (select 1 from quicksell.listing_versions v where v.listing_id = l.id);

-- A price change on the guitar, the desk taken off the market.
insert into quicksell.listing_versions (listing_id, title, description, price, status, changes, version, created_at, created_by)
select l.id, l.title, l.description, l.price, l.status, c.changes, 2, l.created_at + interval '1 day', l.user_id
from quicksell.listings l
join (values
  ('00000000-0000-4000-9400-000000000004'::uuid, '{"price": {"old": 600.00, "new": 550.00}}'::jsonb),
  ('00000000-0000-4000-9400-000000000005'::uuid, '{"status": {"old": "published", "new": "delisted"}}'::jsonb)
) as c (listing_id, changes) on c.listing_id = l.id
where not exists (select 1 from quicksell.listing_versions v where v.listing_id = l.id and v.version = 2);

-- ------------------------------------------------------------ photos
insert into quicksell.photos (id, listing_id, user_id, original_url, thumb_url, optimized_url, filename, file_size,
  mime_type, width, height, contains_faces, contains_hands, background_type, quality_score, object_confidence,
  display_order, is_primary)
values
  ('00000000-0000-4000-9401-000000000001', '00000000-0000-4000-9400-000000000001', '00000000-0000-4000-8000-000000000001',
   '00000000-0000-4000-8000-000000000001/00000000-0000-4000-9400-000000000001/front.jpg',
   '00000000-0000-4000-8000-000000000001/00000000-0000-4000-9400-000000000001/front.thumb.jpg',
   '00000000-0000-4000-8000-000000000001/00000000-0000-4000-9400-000000000001/front.opt.jpg',
   'front.jpg', 482113, 'image/jpeg', 2400, 1600, null, null, 'plain', 0.88, 0.93, 0, true),
  ('00000000-0000-4000-9401-000000000002', '00000000-0000-4000-9400-000000000001', '00000000-0000-4000-8000-000000000001',
   '00000000-0000-4000-8000-000000000001/00000000-0000-4000-9400-000000000001/top.jpg', null, null,
   'top.jpg', null, null, null, null, null, null, null, null, null, 1, false),
  ('00000000-0000-4000-9401-000000000003', '00000000-0000-4000-9400-000000000002', '00000000-0000-4000-8000-000000000001',
   '00000000-0000-4000-8000-000000000001/00000000-0000-4000-9400-000000000002/lamp.jpg', null, null,
   'lamp.jpg', null, null, null, null, null, null, null, null, null, 0, true),
  ('00000000-0000-4000-9401-000000000004', '00000000-0000-4000-9400-000000000004', '00000000-0000-4000-8000-000000000002',
   '00000000-0000-4000-8000-000000000002/00000000-0000-4000-9400-000000000004/body.jpg',
   '00000000-0000-4000-8000-000000000002/00000000-0000-4000-9400-000000000004/body.thumb.jpg',
   '00000000-0000-4000-8000-000000000002/00000000-0000-4000-9400-000000000004/body.opt.jpg',
   'body.jpg', 731002, 'image/jpeg', 3000, 2000, null, null, 'cluttered', 0.71, 0.90, 0, true),
  ('00000000-0000-4000-9401-000000000005', '00000000-0000-4000-9400-000000000007', '00000000-0000-4000-8000-000000000003',
   '00000000-0000-4000-8000-000000000003/00000000-0000-4000-9400-000000000007/sofa.png', null, null,
   'sofa.png', 1204551, 'image/png', 1920, 1080, null, null, 'room', 0.66, 0.85, 0, true),
  ('00000000-0000-4000-9401-000000000006', '00000000-0000-4000-9400-000000000012', '00000000-0000-4000-8000-000000000005',
   '00000000-0000-4000-8000-000000000005/00000000-0000-4000-9400-000000000012/dial.jpg',
   '00000000-0000-4000-8000-000000000005/00000000-0000-4000-9400-000000000012/dial.thumb.jpg',
   '00000000-0000-4000-8000-000000000005/00000000-0000-4000-9400-000000000012/dial.opt.jpg',
   'dial.jpg', 355870, 'image/jpeg', 2000, 2000, null, null, 'plain', 0.92, 0.96, 0, true),
  ('00000000-0000-4000-9401-000000000007', '00000000-0000-4000-9400-000000000008', '00000000-0000-4000-8000-000000000003',
   '00000000-0000-4000-8000-000000000003/00000000-0000-4000-9400-000000000008/pair.jpg', null, null,
   'pair.jpg', null, null, null, null, null, null, null, null, null, 0, true);

-- ------------------------------------------------------------ marketplace accounts and copies
-- No tokens here: real ones are ciphertext the marketplace-sync function writes (420 connects accounts).
insert into quicksell.marketplace_accounts (id, user_id, marketplace_name, marketplace_user_id, account_name,
  seller_rating, total_sales_on_platform, is_active, auto_sync_enabled, token_expires_at)
values
  ('00000000-0000-4000-9402-000000000001', '00000000-0000-4000-8000-000000000001', 'ebay', 'alice_cameras', 'Alice''s Cameras', 4.90, 37, true, true, null),
  ('00000000-0000-4000-9402-000000000002', '00000000-0000-4000-8000-000000000001', 'etsy', '58120334', 'AliceFinds', 4.80, 12, true, false, null),
  ('00000000-0000-4000-9402-000000000003', '00000000-0000-4000-8000-000000000002', 'etsy', '70011822', 'BobsBasement', 4.20, 5, true, true, null),
  ('00000000-0000-4000-9402-000000000004', '00000000-0000-4000-8000-000000000003', 'local', 'carol', 'Carol (local)', null, 0, true, true, null),
  ('00000000-0000-4000-9402-000000000005', '00000000-0000-4000-8000-000000000005', 'ebay', 'erin_vintage', 'Erin Vintage', 5.00, 88, false, true, null);

insert into quicksell.marketplace_listings (id, listing_id, marketplace_account_id, marketplace_name, marketplace_listing_id,
  marketplace_url, sync_status, last_sync_at, views_on_marketplace, clicks_on_marketplace, posted_price, synced_data,
  posted_at, expires_at)
values
  ('00000000-0000-4000-9403-000000000001', '00000000-0000-4000-9400-000000000001', '00000000-0000-4000-9402-000000000001', 'ebay',
   'local-ebay-110000000001', 'http://127.0.0.1/local/ebay/itm/110000000001', 'active', now() - interval '1 hour', 340, 41, 1450.00,
   '{"title": "Leica M3 rangefinder camera", "price": 1450.00}', now() - interval '19 days', now() + interval '11 days'),
  ('00000000-0000-4000-9403-000000000002', '00000000-0000-4000-9400-000000000001', '00000000-0000-4000-9402-000000000002', 'etsy',
   'local-etsy-1500000001', 'http://127.0.0.1/local/etsy/listing/1500000001', 'active', now() - interval '1 hour', 120, 9, 1450.00,
   '{"title": "Leica M3 rangefinder camera", "price": 1450.00}', now() - interval '18 days', now() + interval '102 days'),
  ('00000000-0000-4000-9403-000000000003', '00000000-0000-4000-9400-000000000002', '00000000-0000-4000-9402-000000000001', 'ebay',
   null, null, 'draft', null, 0, 0, null, null, null, null),
  ('00000000-0000-4000-9403-000000000004', '00000000-0000-4000-9400-000000000003', '00000000-0000-4000-9402-000000000001', 'ebay',
   'local-ebay-110000000002', 'http://127.0.0.1/local/ebay/itm/110000000002', 'delisted', now() - interval '30 days', 88, 6, 420.00,
   '{"title": "Road bike, 56 cm steel frame", "price": 420.00}', now() - interval '39 days', null),
  ('00000000-0000-4000-9403-000000000005', '00000000-0000-4000-9400-000000000004', '00000000-0000-4000-9402-000000000003', 'etsy',
   null, null, 'error', now() - interval '3 hours', 0, 0, 550.00, '{"error": "taxonomy_id: musical instruments need a shipping profile"}',
   null, null),
  ('00000000-0000-4000-9403-000000000006', '00000000-0000-4000-9400-000000000007', '00000000-0000-4000-9402-000000000004', 'local',
   'local-board-000007', null, 'active', now() - interval '8 days', 25, 3, 300.00, '{"title": "Three-seat linen sofa"}',
   now() - interval '8 days', null),
  ('00000000-0000-4000-9403-000000000007', '00000000-0000-4000-9400-000000000013', '00000000-0000-4000-9402-000000000005', 'ebay',
   'local-ebay-110000000003', 'http://127.0.0.1/local/ebay/itm/110000000003', 'sold', now() - interval '20 days', 210, 17, 140.00,
   '{"title": "Studio pottery vase", "price": 140.00}', now() - interval '24 days', null);

-- ------------------------------------------------------------ sales
insert into quicksell.sales (id, listing_id, buyer_id, seller_id, marketplace_name, sale_price, currency, shipping_cost,
  final_amount, status, sale_date, completed_date, shipping_carrier, tracking_number, shipped_at, delivered_at,
  seller_rating, seller_review, buyer_rating, buyer_review)
values
  -- alice's bike to frank, on QuickSell, both rated
  ('00000000-0000-4000-9404-000000000001', '00000000-0000-4000-9400-000000000003', '00000000-0000-4000-8000-000000000006',
   '00000000-0000-4000-8000-000000000001', null, 400.00, 'USD', 0, 400.00, 'completed', now() - interval '31 days',
   now() - interval '29 days', null, null, null, null, 5, 'Bike exactly as described, lovely seller.', 5, 'Quick payment, easy pickup.'),
  -- bob's jacket to grace, shipped
  ('00000000-0000-4000-9404-000000000002', '00000000-0000-4000-9400-000000000006', '00000000-0000-4000-8000-000000000007',
   '00000000-0000-4000-8000-000000000002', null, 110.00, 'EUR', 9.00, 119.00, 'completed', now() - interval '80 days',
   now() - interval '74 days', 'DHL', 'JD014600006281', now() - interval '79 days', now() - interval '76 days', 4, 'Good jacket, slow shipping.', null, null),
  -- carol's sneakers to heidi
  ('00000000-0000-4000-9404-000000000003', '00000000-0000-4000-9400-000000000008', '00000000-0000-4000-8000-000000000008',
   '00000000-0000-4000-8000-000000000003', null, 55.00, 'USD', 7.50, 62.50, 'completed', now() - interval '9 days',
   now() - interval '5 days', 'USPS', '9400111899560000000001', now() - interval '8 days', now() - interval '5 days', 5, null, 4, null),
  -- erin's vase, sold on eBay (the buyer is not a QuickSell user)
  ('00000000-0000-4000-9404-000000000004', '00000000-0000-4000-9400-000000000013', null,
   '00000000-0000-4000-8000-000000000005', 'ebay', 140.00, 'USD', 14.00, 154.00, 'completed', now() - interval '20 days',
   now() - interval '16 days', 'UPS', '1Z999AA10123456784', now() - interval '19 days', now() - interval '16 days', null, null, null, null),
  -- dave's kettle, erin has not paid yet
  ('00000000-0000-4000-9404-000000000005', '00000000-0000-4000-9400-000000000011', '00000000-0000-4000-8000-000000000005',
   '00000000-0000-4000-8000-000000000004', null, 70.00, 'USD', 10.00, 80.00, 'pending', now() - interval '1 day',
   null, null, null, null, null, null, null, null, null),
  -- bob's guitar: grace cancelled, the listing went back on the market
  ('00000000-0000-4000-9404-000000000006', '00000000-0000-4000-9400-000000000004', '00000000-0000-4000-8000-000000000007',
   '00000000-0000-4000-8000-000000000002', null, 540.00, 'USD', 45.00, 585.00, 'cancelled', now() - interval '7 days',
   null, null, null, null, null, null, null, null, null),
  -- erin's watch: frank returned it, refunded
  ('00000000-0000-4000-9404-000000000007', '00000000-0000-4000-9400-000000000012', '00000000-0000-4000-8000-000000000006',
   '00000000-0000-4000-8000-000000000005', null, 880.00, 'USD', 15.00, 895.00, 'refunded', now() - interval '14 days',
   now() - interval '12 days', 'FedEx', '449044304137821', now() - interval '13 days', now() - interval '12 days', null, null, null, null);

-- ------------------------------------------------------------ badges, challenges
insert into quicksell.badges (badge_key, badge_name, badge_description, badge_tier, requirement_type, requirement_value)
values
  ('first_listing', 'First listing', 'Published your first listing.', '1', 'listings_created', 1),
  ('first_sale', 'First sale', 'Sold your first item.', '1', 'total_items_sold', 1),
  ('ten_sales', 'Ten sales', 'Sold ten items.', '2', 'total_items_sold', 10),
  ('shutterbug', 'Shutterbug', 'Uploaded 25 photos.', '2', 'photos_uploaded', 25),
  ('week_streak', 'Seven-day streak', 'Posted something seven days in a row.', '3', 'current_posting_streak', 7),
  ('founding_seller', 'Founding seller', 'Sold on QuickSell in its first season.', 'special', null, null)
on conflict (badge_key) do nothing;

insert into quicksell.challenges (challenge_key, challenge_name, description, challenge_type, reward_points, reward_badge_id,
  starts_at, ends_at, is_active)
values
  ('demo_list_five_this_week', 'List five items this week', 'Publish five listings before Sunday.', 'weekly', 50, null,
   date_trunc('week', now()), date_trunc('week', now()) + interval '7 days', true),
  ('demo_monthly_three_sales', 'Three sales this month', 'Complete three sales this month.', 'monthly', 150,
   (select id from quicksell.badges where badge_key = 'first_sale'),
   date_trunc('month', now()), date_trunc('month', now()) + interval '1 month', true),
  ('demo_spring_clean', 'Spring clean', 'Sell ten items over the season.', 'seasonal', 300,
   (select id from quicksell.badges where badge_key = 'founding_seller'),
   now() - interval '80 days', now() - interval '10 days', false)
on conflict (challenge_key) do nothing;

insert into quicksell.user_badges (user_id, badge_id, unlocked_at)
select u.user_id::uuid, b.id, now() - u.ago
from (values
  ('00000000-0000-4000-8000-000000000001', 'first_listing', interval '19 days'),
  ('00000000-0000-4000-8000-000000000001', 'first_sale', interval '29 days'),
  ('00000000-0000-4000-8000-000000000002', 'first_listing', interval '88 days'),
  ('00000000-0000-4000-8000-000000000002', 'founding_seller', interval '74 days'),
  ('00000000-0000-4000-8000-000000000003', 'first_sale', interval '5 days'),
  ('00000000-0000-4000-8000-000000000005', 'first_sale', interval '16 days')
) as u (user_id, badge_key, ago)
join quicksell.badges b on b.badge_key = u.badge_key
on conflict (user_id, badge_id) do nothing;

insert into quicksell.user_challenges (user_id, challenge_id, progress, progress_percentage, status, started_at, completed_at)
select u.user_id::uuid, c.id, u.progress, u.pct, u.status::quicksell.user_challenge_status, now() - interval '3 days',
       case when u.status = 'completed' then now() - interval '1 day' end
from (values
  ('00000000-0000-4000-8000-000000000001', 'demo_list_five_this_week', 2, 40.00, 'active'),
  ('00000000-0000-4000-8000-000000000003', 'demo_list_five_this_week', 5, 100.00, 'completed'),
  ('00000000-0000-4000-8000-000000000002', 'demo_spring_clean', 1, 10.00, 'expired'),
  ('00000000-0000-4000-8000-000000000005', 'demo_monthly_three_sales', 1, 33.33, 'active')
) as u (user_id, challenge_key, progress, pct, status)
join quicksell.challenges c on c.challenge_key = u.challenge_key
on conflict (user_id, challenge_id) do nothing;

-- ------------------------------------------------------------ standings (if the gamification triggers wrote none)
insert into quicksell.user_stats (user_id, total_points, current_level, total_items_sold, total_revenue, average_sale_price,
  positive_ratings, negative_ratings, average_rating, listings_created, photos_uploaded, current_posting_streak,
  best_posting_streak, last_activity_date)
select p.id,
       10 * count(distinct l.id) + 100 * count(distinct s.id),
       1 + (count(distinct s.id) >= 1)::int,
       count(distinct s.id),
       coalesce(sum(s.sale_price), 0),
       avg(s.sale_price),
       count(distinct s.id) filter (where s.seller_rating >= 4),
       count(distinct s.id) filter (where s.seller_rating <= 2),
       avg(s.seller_rating),
       count(distinct l.id),
       (select count(*) from quicksell.photos ph where ph.user_id = p.id),
       0, 2, (max(l.created_at))::date
from public.profiles p
join quicksell.listings l on l.user_id = p.id
left join quicksell.sales s on s.listing_id = l.id and s.status = 'completed'
group by p.id
on conflict (user_id) do nothing;

commit;
