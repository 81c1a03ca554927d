-- QuickSell cross-posting demo (qs-sync): more connected marketplace accounts
-- and copies in several sync states, for three sellers. No tokens: a demo
-- database holds no key-encrypted secrets, so these accounts show as
-- connected with an expired token_expires_at; connecting again through
-- marketplace-sync (/connect, against the local fakes) gives them real ones.
insert into quicksell.marketplace_accounts (id, user_id, marketplace_name, marketplace_user_id, account_name,
  seller_rating, total_sales_on_platform, is_active, auto_sync_enabled, token_expires_at, refresh_token_expires_at, marketplace_data)
values
  ('00000000-0000-4000-9420-000000000001', '00000000-0000-4000-8000-000000000002', 'ebay', 'nYbobStrat', 'qs_bob',
   4.60, 14, true, true, now() - interval '1 day', now() + interval '500 days', '{}'),
  ('00000000-0000-4000-9420-000000000002', '00000000-0000-4000-8000-000000000003', 'etsy', '400000003', 'CarolFinds',
   4.90, 31, true, true, now() - interval '2 hours', now() + interval '60 days', '{"shop_id": "30000003"}'),
  ('00000000-0000-4000-9420-000000000003', '00000000-0000-4000-8000-000000000005', 'local', '00000000-0000-4000-8000-000000000005',
   'QuickSell', null, 0, true, true, null, null, '{}');

insert into quicksell.marketplace_listings (id, listing_id, marketplace_account_id, marketplace_name, marketplace_listing_id,
  marketplace_url, sync_status, last_sync_at, views_on_marketplace, clicks_on_marketplace, posted_price, synced_data,
  posted_at, expires_at, last_error, last_error_at)
values
  -- bob's Stratocaster, live on eBay
  ('00000000-0000-4000-9421-000000000001', '00000000-0000-4000-9400-000000000004', '00000000-0000-4000-9420-000000000001', 'ebay',
   '110000004201', 'http://127.0.0.1/local/ebay/itm/110000004201', 'active', now() - interval '2 hours', 64, 7, 550.00,
   '{"remote": {"sku": "QS-000000000000400094210000000001", "offerId": "5000004201", "listingId": "110000004201"},
     "listing": {"title": "Fender Stratocaster (Mexico)", "price": 550.00, "currency": "USD"}}',
   now() - interval '9 days', null, null, null),
  -- carol's sofa: once on Etsy, delisted
  ('00000000-0000-4000-9421-000000000002', '00000000-0000-4000-9400-000000000007', '00000000-0000-4000-9420-000000000002', 'etsy',
   '1000004202', 'http://127.0.0.1/local/etsy/listing/1000004202', 'delisted', now() - interval '3 days', 12, 1, 300.00,
   '{"remote": {"sku": "QS-000000000000400094210000000002", "listingId": "1000004202"}}',
   now() - interval '7 days', null, null, null),
  -- carol's sneakers: the Etsy publish gave up after its retries; the error is kept
  ('00000000-0000-4000-9421-000000000003', '00000000-0000-4000-9400-000000000008', '00000000-0000-4000-9420-000000000002', 'etsy',
   null, null, 'error', null, 0, 0, null, '{}', null, null,
   'etsy: Too many requests (retried 5 times; cross-post again to retry)', now() - interval '5 hours'),
  -- erin's dive watch on QuickSell's own marketplace
  ('00000000-0000-4000-9421-000000000004', '00000000-0000-4000-9400-000000000012', '00000000-0000-4000-9420-000000000003', 'local',
   'qs-QS-000000000000400094210000000004', null, 'active',
   now() - interval '18 days', 40, 9, 890.00, '{"listing": {"title": "Automatic dive watch", "price": 890.00}}',
   now() - interval '18 days', null, null, null);
