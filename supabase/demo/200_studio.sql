-- Studio (seed 002) demo data, after 000_platform.sql and 010_billing.sql.
-- Everything goes through the same functions the ai-jobs function uses, so
-- credits, holds, queue rows and notifications are exactly what real use
-- leaves behind:
--   * CRM: contacts and listings of alice, dave, heidi and bob;
--   * templates: two public (alice's, dave's), two private;
--   * finished projects: completed photo edits and a template render, a
--     failed video (refunded) and a failed template (refunded), with their
--     media items; their files are not on disk (demo rows only);
--   * two projects left queued (bob on the Acme account, carol on her own):
--     on `npm start` the ai-jobs worker renders them for real with the local
--     provider, so their media files exist in the studio-media bucket;
--   * two uploads in the media library (favourites, tags).
-- Acme Realty (alice owner, bob admin, carol member) pays for alice's and
-- bob's projects; dave, heidi and carol pay from their personal accounts
-- (first project: 50 welcome credits).

begin;

do $$
declare
  alice constant uuid := '00000000-0000-4000-8000-000000000001';
  bob constant uuid := '00000000-0000-4000-8000-000000000002';
  carol constant uuid := '00000000-0000-4000-8000-000000000003';
  dave constant uuid := '00000000-0000-4000-8000-000000000004';
  heidi constant uuid := '00000000-0000-4000-8000-000000000008';
  acme constant uuid := '10000000-0000-4000-8000-000000000001';
  -- npm start sets domus.public_url to its gateway's address (the port it really uses).
  base_url constant text := coalesce(nullif(current_setting('domus.public_url', true), ''), 'http://127.0.0.1:54321')
    || '/storage/v1/object/public/studio-media/';
  c_buyer uuid;
  c_seller uuid;
  c_dave uuid;
  c_heidi uuid;
  l_oak uuid;
  l_harbor uuid;
  l_heidi uuid;
  t_promo uuid;
  t_open uuid;
  v_started jsonb;
  v_job record;
  v_fail text[] := '{}';
begin
  -- ------------------------------------------------------------ CRM
  insert into studio.crm_contacts (user_id, name, email, phone, type, status, notes, tags, last_contacted_at)
  values (alice, 'Maria Lopez', 'maria.lopez@example.com', '+1 512 555 0142', 'seller', 'active',
          'Selling the Oak Street bungalow; wants photos by Friday.', '{oak-street,priority}', now() - interval '2 days')
  returning id into c_seller;
  insert into studio.crm_contacts (user_id, name, email, type, status, tags)
  values (alice, 'Tom Becker', 'tom.becker@example.com', 'buyer', 'lead', '{first-time-buyer}')
  returning id into c_buyer;
  insert into studio.crm_contacts (user_id, name, email, type, status, notes)
  values (alice, 'Riverside Capital', 'deals@riverside.example', 'investor', 'closed', 'Bought two duplexes in 2025.');
  insert into studio.crm_contacts (user_id, name, phone, type, status, tags)
  values (dave, 'Sipho Ndlovu', '+27 21 555 0190', 'seller', 'active', '{waterfront}')
  returning id into c_dave;
  insert into studio.crm_contacts (user_id, name, email, type)
  values (dave, 'Anna Smit', 'anna.smit@example.com', 'buyer');
  insert into studio.crm_contacts (user_id, name, email, type, status)
  values (heidi, 'Jonas Weber', 'jonas.weber@example.com', 'seller', 'active')
  returning id into c_heidi;
  insert into studio.crm_contacts (user_id, name, type) values (bob, 'Lee Park', 'other');

  insert into studio.crm_listings (user_id, contact_id, address, city, state, zip_code, price, bedrooms, bathrooms, sqft, status, notes)
  values (alice, c_seller, '1402 Oak Street', 'Austin', 'TX', '78704', 649000, 3, 2.0, 1650, 'active', 'Corner lot, new roof.')
  returning id into l_oak;
  insert into studio.crm_listings (user_id, address, city, state, zip_code, price, bedrooms, bathrooms, sqft, status)
  values (alice, '88 Barton Hills Dr', 'Austin', 'TX', '78704', 1125000, 4, 3.5, 2890, 'pending');
  insert into studio.crm_listings (user_id, contact_id, address, city, state, price, bedrooms, bathrooms, status)
  values (dave, c_dave, '12 Harbor View Rd', 'Cape Town', 'Western Cape', 4850000, 3, 2.5, 'active')
  returning id into l_harbor;
  insert into studio.crm_listings (user_id, contact_id, address, city, price, bedrooms, bathrooms, sqft, status)
  values (heidi, c_heidi, '7 Linden Allee', 'Cape Town', 3200000, 2, 1.0, 95, 'sold')
  returning id into l_heidi;

  -- ------------------------------------------------------------ templates
  insert into studio.templates (user_id, name, type, description, prompt_template, settings, is_public)
  values (alice, 'Just Listed - Classic', 'listing_promo', 'Navy header, hero photo, price and key facts.',
          'A clean "Just listed" graphic for {{address}} at {{price}}, {{bedrooms}} bedrooms.',
          '{"palette": "navy", "aspect": "1:1"}', true)
  returning id into t_promo;
  insert into studio.templates (user_id, name, type, description, prompt_template, is_public)
  values (dave, 'Open House Sunday', 'open_house', 'Open house flyer with date and time.',
          'Open house at {{address}} on {{date}} from {{time}}.', true)
  returning id into t_open;
  insert into studio.templates (user_id, name, type, description, settings)
  values (heidi, 'My reel intro', 'instagram_reel', 'Private: reel cover in brand colours.', '{"palette": "sage"}');
  insert into studio.templates (user_id, name, type, prompt_template)
  values (bob, 'Price reduced', 'custom', 'Price reduced on {{address}}: now {{price}}.');

  -- ------------------------------------------------------------ finished projects
  v_started := private.studio_start_project(alice, acme, 'photo_edit', 'Oak Street - living room', 'nano_banana', null,
    '{"style": "virtual_staging", "images": [{"url": "https://images.example.com/oak/living.jpg"}, {"url": "https://images.example.com/oak/kitchen.jpg"}]}',
    'demo-alice-oak-photos', null, l_oak, c_seller);
  v_started := private.studio_start_project(alice, acme, 'template', 'Oak Street - just listed', 'replicate', null,
    '{"fields": {"headline": "Just listed", "address": "1402 Oak Street", "price": "$649,000", "bedrooms": "3"}}',
    'demo-alice-oak-promo', t_promo, l_oak, null);
  v_started := private.studio_start_project(alice, acme, 'video', 'Oak Street - walkthrough', 'replicate', null,
    '{"image": {"url": "https://images.example.com/oak/front.jpg"}, "durationSeconds": 5}',
    'demo-alice-oak-video', null, l_oak, null);
  v_fail := v_fail || ((v_started -> 'jobs' -> 0 ->> 'id'));
  v_started := private.studio_start_project(dave, null, 'photo_edit', 'Harbor View - twilight', 'qwen', null,
    '{"style": "twilight", "images": [{"url": "https://images.example.com/harbor/front.jpg"}]}',
    'demo-dave-twilight', null, l_harbor, c_dave);
  v_started := private.studio_start_project(dave, null, 'template', 'Harbor View - open house', 'qwen', null,
    '{"fields": {"headline": "Open house", "address": "12 Harbor View Rd", "date": "Sunday", "time": "2-4 pm"}}',
    'demo-dave-open-house', t_open, l_harbor, null);
  v_started := private.studio_start_project(heidi, null, 'photo_edit', 'Linden Allee - declutter', 'nano_banana', null,
    '{"style": "declutter", "images": [{"url": "https://images.example.com/linden/bedroom.jpg"}]}',
    'demo-heidi-declutter', null, l_heidi, c_heidi);
  v_started := private.studio_start_project(heidi, null, 'template', 'Linden Allee - sold', 'nano_banana', null,
    '{"fields": {"headline": "Sold", "address": "7 Linden Allee"}}', 'demo-heidi-sold', t_promo, l_heidi, null);
  v_fail := v_fail || ((v_started -> 'jobs' -> 0 ->> 'id'));

  -- A demo worker runs them: two fail (refunded), the rest are delivered.
  for v_job in select * from private.studio_claim_jobs('demo-worker', 100) loop
    if v_job.ai_job_id::text = any (v_fail) then
      perform private.studio_fail_job(v_job.queue_job_id, 'demo-worker',
        case when v_job.project_type = 'video' then 'replicate: Prediction failed: input image could not be downloaded'
             else 'nano_banana: SAFETY' end, false, 2300);
    else
      perform private.studio_complete_job(v_job.queue_job_id, 'demo-worker',
        base_url || v_job.user_id || '/demo/' || v_job.ai_job_id || case v_job.project_type when 'template' then '.svg' else '.png' end,
        jsonb_build_object('mode', 'local', 'provider', 'local:' || v_job.service, 'demo', true),
        1200 + (random() * 3000)::int, 0,
        jsonb_build_object(
          'storage_path', v_job.user_id || '/demo/' || v_job.ai_job_id || case v_job.project_type when 'template' then '.svg' else '.png' end,
          'mime_type', case v_job.project_type when 'template' then 'image/svg+xml' else 'image/png' end,
          'file_size', 180000 + (random() * 90000)::int));
    end if;
  end loop;

  -- ------------------------------------------------------------ queued: rendered by the worker on npm start
  perform private.studio_start_project(bob, acme, 'photo_edit', 'Barton Hills - enhance', 'nano_banana', null,
    '{"style": "enhance", "width": 800, "height": 600}', 'demo-bob-enhance');
  perform private.studio_start_project(carol, null, 'template', 'Carol - brand card', 'replicate', null,
    '{"fields": {"headline": "Carol Chen, Realtor", "phone": "+1 512 555 0103"}}', 'demo-carol-card');

  -- ------------------------------------------------------------ the media library
  update studio.media_items set is_favorite = true, tags = tags || '{hero}'::text[]
  where id = (select m.id from studio.media_items m where m.user_id = alice and m.type = 'image' order by m.created_at, m.id limit 1);
  insert into studio.media_items (user_id, listing_id, contact_id, type, title, description, url, storage_path, mime_type, file_size, tags, is_favorite)
  values
    (alice, l_oak, c_seller, 'image', 'Oak Street - original front', 'Uploaded by the agent.',
     base_url || alice || '/uploads/oak-front.jpg', alice || '/uploads/oak-front.jpg', 'image/jpeg', 412000, '{original,exterior}', false),
    (heidi, l_heidi, null, 'image', 'Linden Allee - garden', null,
     base_url || heidi || '/uploads/linden-garden.jpg', heidi || '/uploads/linden-garden.jpg', 'image/jpeg', 356000, '{garden}', true);
end
$$;

commit;
