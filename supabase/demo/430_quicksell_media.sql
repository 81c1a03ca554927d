-- QuickSell media demo data (qs-media), on top of 400_quicksell.sql:
--   * more photos for demo listings of several sellers, processed (width,
--     height, size, type, rendition URLs in the layout the quicksell-photos
--     function writes) and analysed (background_type, quality_score,
--     object_confidence in the local analysis' vocabulary; faces and hands
--     NULL: the local analysis does not guess them);
--   * 400's analysed photos brought to that vocabulary ('plain', 'cluttered',
--     'room' were placeholders before the analysis existed);
--   * AI requests in every final state: delivered descriptions and price
--     estimates (their allowance use recorded), a "not enough data"
--     estimate, a failed request.
-- The Storage objects of these rows are ABSENT (a fresh stack has no
-- files): their URLs answer 404 until the seller uploads a real photo, and
-- no processing job is queued for them (20261202130400). Upload a file to
-- `<seller>/<listing>/<name>` and POST quicksell-photos {"photoId"} to see
-- the pipeline work on it.

do $$
declare
  v_base text := coalesce(nullif(current_setting('domus.public_url', true), ''), 'http://127.0.0.1:54321')
                 || '/storage/v1/object/authenticated/quicksell-photos/';
begin
  update quicksell.photos p set background_type = case p.background_type
      when 'plain' then 'plain_white' when 'cluttered' then 'busy' when 'room' then 'busy' else p.background_type end
  where p.background_type in ('plain', 'cluttered', 'room');

  insert into quicksell.photos (id, listing_id, user_id, original_url, filename, display_order, is_primary)
  values
    ('00000000-0000-4000-9430-000000000001', '00000000-0000-4000-9400-000000000004', '00000000-0000-4000-8000-000000000002',
     '00000000-0000-4000-8000-000000000002/00000000-0000-4000-9400-000000000004/headstock.jpg', 'headstock.jpg', 1, false),
    ('00000000-0000-4000-9430-000000000002', '00000000-0000-4000-9400-000000000004', '00000000-0000-4000-8000-000000000002',
     '00000000-0000-4000-8000-000000000002/00000000-0000-4000-9400-000000000004/back.jpg', 'back.jpg', 2, false),
    ('00000000-0000-4000-9430-000000000003', '00000000-0000-4000-9400-000000000012', '00000000-0000-4000-8000-000000000005',
     '00000000-0000-4000-8000-000000000005/00000000-0000-4000-9400-000000000012/caseback.png', 'caseback.png', 1, false),
    ('00000000-0000-4000-9430-000000000004', '00000000-0000-4000-9400-000000000013', '00000000-0000-4000-8000-000000000005',
     '00000000-0000-4000-8000-000000000005/00000000-0000-4000-9400-000000000013/vase.jpg', 'vase.jpg', 0, true),
    ('00000000-0000-4000-9430-000000000005', '00000000-0000-4000-9400-000000000011', '00000000-0000-4000-8000-000000000004',
     '00000000-0000-4000-8000-000000000004/00000000-0000-4000-9400-000000000011/kettle.jpg', 'kettle.jpg', 0, true),
    ('00000000-0000-4000-9430-000000000006', '00000000-0000-4000-9400-000000000007', '00000000-0000-4000-8000-000000000003',
     '00000000-0000-4000-8000-000000000003/00000000-0000-4000-9400-000000000007/cushions.jpg', 'cushions.jpg', 1, false)
  on conflict (id) do nothing;

  -- What processing and the analysis would have recorded (the one backend write).
  perform private.quicksell_photo_processed(d.id,
    jsonb_build_object('mime_type', d.mime, 'width', d.w, 'height', d.h, 'file_size', d.size,
      'thumb_url', v_base || p.user_id || '/' || p.listing_id || '/' || p.id || '/thumb.jpg',
      'optimized_url', v_base || p.user_id || '/' || p.listing_id || '/' || p.id || '/optimized.jpg'),
    jsonb_build_object('background_type', d.bg, 'quality_score', d.q, 'object_confidence', d.o,
      'contains_faces', null, 'contains_hands', null))
  from (values
    ('00000000-0000-4000-9430-000000000001'::uuid, 'image/jpeg', 3000, 2000, 688412, 'busy', 0.74, 0.41),
    ('00000000-0000-4000-9430-000000000002'::uuid, 'image/jpeg', 3000, 2000, 702954, 'plain_color', 0.81, 0.88),
    ('00000000-0000-4000-9430-000000000003'::uuid, 'image/png', 1600, 1600, 2204117, 'plain_white', 0.93, 0.97),
    ('00000000-0000-4000-9430-000000000004'::uuid, 'image/jpeg', 1800, 2400, 512330, 'plain_dark', 0.86, 0.92),
    ('00000000-0000-4000-9430-000000000005'::uuid, 'image/jpeg', 2400, 1800, 431876, 'plain_white', 0.52, 0.83),
    ('00000000-0000-4000-9430-000000000006'::uuid, 'image/jpeg', 4032, 3024, 1893420, 'busy', 0.38, 0.22)
  ) as d (id, mime, w, h, size, bg, q, o)
  join quicksell.photos p on p.id = d.id;
end $$;

-- ------------------------------------------------------------ AI requests
-- Delivered requests used their seller's allowance (quicksell.ai_listing), as the worker records it.
insert into quicksell.ai_requests (id, listing_id, user_id, account_id, kind, status, paid_by, credits, provider, result,
  attempts, created_at, completed_at)
values
  ('00000000-0000-4000-9431-000000000001', '00000000-0000-4000-9400-000000000001', '00000000-0000-4000-8000-000000000001',
   '00000000-0000-4000-8000-000000000001', 'description', 'completed', 'allowance', 0, 'local:template',
   '{"mode": "local", "provider": "local:template", "description": "Leica M3 rangefinder camera by Leica M3, in good condition, with light signs of use."}',
   1, now() - interval '19 days', now() - interval '19 days'),
  ('00000000-0000-4000-9431-000000000002', '00000000-0000-4000-9400-000000000001', '00000000-0000-4000-8000-000000000001',
   '00000000-0000-4000-8000-000000000001', 'price_estimate', 'completed', 'allowance', 0, 'local:comparables',
   '{"provider": "local:comparables", "estimate": {"status": "estimated", "estimated_price": 1390.00, "confidence_score": 0.82, "comparables": 9, "matched_on": "category, brand and condition", "currency": "USD"}}',
   1, now() - interval '19 days', now() - interval '19 days'),
  ('00000000-0000-4000-9431-000000000003', '00000000-0000-4000-9400-000000000004', '00000000-0000-4000-8000-000000000002',
   '00000000-0000-4000-8000-000000000002', 'photo_analysis', 'completed', 'allowance', 0, 'local:pixels',
   '{"mode": "local", "provider": "local:pixels", "photos": []}', 1, now() - interval '11 days', now() - interval '11 days'),
  ('00000000-0000-4000-9431-000000000004', '00000000-0000-4000-9400-000000000007', '00000000-0000-4000-8000-000000000003',
   '00000000-0000-4000-8000-000000000003', 'price_estimate', 'not_enough_data', 'allowance', 0, 'local:comparables',
   '{"provider": "local:comparables", "estimate": {"status": "not_enough_data", "comparables": 1, "needed": 3, "message": "not enough data: 1 comparable sold listing in furniture (good), at least 3 needed"}}',
   1, now() - interval '7 days', now() - interval '7 days'),
  ('00000000-0000-4000-9431-000000000005', '00000000-0000-4000-9400-000000000012', '00000000-0000-4000-8000-000000000005',
   '00000000-0000-4000-8000-000000000005', 'description', 'failed', 'credits', 0, null, null,
   3, now() - interval '17 days', now() - interval '17 days')
on conflict (id) do nothing;

update quicksell.ai_requests set error_message = 'openai: HTTP 503 (three attempts); the 2 credits held were released'
where id = '00000000-0000-4000-9431-000000000005';

do $$
declare r record;
begin
  for r in select a.id, a.account_id, a.user_id, a.listing_id from quicksell.ai_requests a
           where a.id::text like '00000000-0000-4000-9431-%' and a.status = 'completed' and a.usage_event_id is null loop
    update quicksell.ai_requests a set usage_event_id = (
      private.record_usage(r.account_id, 'quicksell.ai_listing', 1, 'quicksell.ai:' || r.id, r.user_id, r.listing_id::text)).id
    where a.id = r.id;
  end loop;
end $$;
