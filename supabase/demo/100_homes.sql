-- Homes demo data (seed 000): 360 properties in six cities (three postal
-- codes each) owned by all ten demo users, listings in every status, offers
-- in every status, sale history, and engine valuations with their
-- comparables, so search and valuations show something real.
--
-- The bulk is loaded as the table owner with triggers off
-- (session_replication_role = replica), every derived column written out;
-- then a few steps run through the real API path (RPCs as the users), which
-- fires the state machine, the notifications and the valuation queue.
-- Alice (1) is on Homes Pro (25 valuations a month) so a newcomer signed in
-- as her can publish and watch valuations arrive; the others are on the free
-- plan (2 a month) and have used at most one.

begin;

select setseed(0.2026);

create temporary table demo_cities (k int, city text, state text, ppsf numeric, postal text[]) on commit drop;
insert into demo_cities values
  (0, 'Austin', 'TX', 265, array['78701', '78704', '78745']),
  (1, 'Denver', 'CO', 300, array['80202', '80205', '80219']),
  (2, 'Seattle', 'WA', 420, array['98103', '98115', '98118']),
  (3, 'Portland', 'OR', 330, array['97202', '97211', '97219']),
  (4, 'Raleigh', 'NC', 215, array['27601', '27605', '27610']),
  (5, 'Phoenix', 'AZ', 245, array['85004', '85016', '85032']);

create temporary table demo_homes on commit drop as
select g,
       ('00000000-0000-4000-8100-' || lpad(g::text, 12, '0'))::uuid as id,
       ('00000000-0000-4000-8000-' || lpad((1 + (g * 7) % 10)::text, 12, '0'))::uuid as owner_id,
       c.city, c.state, c.postal[1 + (g / 6) % 3] as postal_code,
       c.ppsf * (array[0.92, 1.0, 1.12])[1 + (g / 6) % 3] as ppsf,
       (array['Oak', 'Maple', 'Cedar', 'Elm', 'Pine', 'Willow', 'Birch', 'Aspen', 'Juniper', 'Magnolia'])[1 + g % 10]
         || ' ' || (array['St', 'Ave', 'Ln', 'Dr', 'Ct', 'Way'])[1 + (g / 10) % 6] as street,
       2 + floor(random() * 3)::int as bedrooms,
       random() as r_area, random() as r_lot, random() as r_year, random() as r_price, random() as r_sold,
       random() as r_list, random() as r_bath
from generate_series(1, 360) g
join demo_cities c on c.k = g % 6;

-- Triggers off for the bulk load (derived columns are written explicitly).
set local session_replication_role = replica;

insert into homes.properties (id, owner_id, address, city, state, postal_code, bedrooms, bathrooms, living_area_sqft,
                              lot_size_sqft, year_built, description, currency, last_sold_price, last_sold_at, created_at)
select h.id, h.owner_id, (100 + h.g * 3) || ' ' || h.street, h.city, h.state, h.postal_code, h.bedrooms,
       greatest(1, h.bedrooms - 1 + round(h.r_bath * 2) / 2.0),
       (round((700 + h.bedrooms * 380 + h.r_area * 700) / 10) * 10)::int,
       (round((2500 + h.r_lot * 9000) / 100) * 100)::int,
       (1950 + floor(h.r_year * 74))::int,
       format('%s-bedroom home in %s, %s.', h.bedrooms, h.city, h.state),
       'USD',
       case when h.r_sold < 0.45
            then round(h.ppsf * (700 + h.bedrooms * 380 + h.r_area * 700) * (0.9 + h.r_price * 0.2) / 1000) * 1000 end,
       case when h.r_sold < 0.45 then current_date - (30 + floor(h.r_sold * 3000))::int end,
       now() - make_interval(days => 120 - h.g % 100)
from demo_homes h;

-- Listings for about 60% of the homes: draft, active, under contract, sold, withdrawn.
create temporary table demo_listings on commit drop as
select h.g, ('00000000-0000-4000-8200-' || lpad(h.g::text, 12, '0'))::uuid as id, h.id as property_id, h.owner_id,
       1 + (h.g * 7) % 10 as seller_n,
       case when h.r_list < 0.05 then 'draft'
            when h.r_list < 0.40 then 'active'
            when h.r_list < 0.47 then 'under_contract'
            when h.r_list < 0.53 then 'sold'
            else 'withdrawn' end as status,
       round(p.living_area_sqft * h.ppsf * (0.95 + h.r_price * 0.15) / 1000) * 1000 as asking_price,
       now() - make_interval(days => 1 + h.g % 90, hours => h.g % 24) as published_at
from demo_homes h join homes.properties p on p.id = h.id
where h.r_list < 0.60;

-- A sold listing closed at its accepted offer (98% of asking, see below).
insert into homes.listings (id, property_id, seller_id, status, asking_price, currency, published_at, sold_price, sold_at,
                            city, state, postal_code, bedrooms, bathrooms, living_area_sqft, created_at)
select l.id, l.property_id, l.owner_id, l.status, l.asking_price, 'USD',
       case when l.status <> 'draft' then l.published_at end,
       case when l.status = 'sold' then round(l.asking_price * (0.93 + 2 * 0.025) / 500) * 500 end,
       case when l.status = 'sold' then l.published_at + interval '34 days' end,
       p.city, p.state, p.postal_code, p.bedrooms, p.bathrooms, p.living_area_sqft, l.published_at - interval '2 days'
from demo_listings l join homes.properties p on p.id = l.property_id;

-- Offers from the other demo users: open ones on active listings, an
-- accepted one (plus declined rivals) on each listing under contract or
-- sold, and some withdrawn and declined history.
insert into homes.offers (listing_id, buyer_id, seller_id, amount, currency, status, message, created_at, updated_at, decided_at)
select l.id,
       -- buyers 1..10 in turn, skipping the seller (never an offer on one's own listing)
       ('00000000-0000-4000-8000-' || lpad((case when 1 + (l.g + 3 * k + 1) % 10 = l.seller_n
                                               then 1 + (l.g + 3 * k + 6) % 10
                                               else 1 + (l.g + 3 * k + 1) % 10 end)::text, 12, '0'))::uuid,
       l.owner_id,
       round(l.asking_price * (0.93 + k * 0.025) / 500) * 500,
       'USD',
       case when l.status in ('under_contract', 'sold') and k = 2 then 'accepted'
            when l.status in ('under_contract', 'sold', 'withdrawn') then 'declined'
            when k = 0 and l.g % 3 = 0 then 'withdrawn'
            when k = 1 and l.g % 4 = 0 then 'declined'
            else 'submitted' end,
       (array['Can close in 30 days.', 'Pre-approved, flexible on dates.', 'Cash offer.', null])[1 + (l.g + k) % 4],
       l.published_at + make_interval(days => k + 1),
       l.published_at + make_interval(days => k + 2),
       case when l.status in ('under_contract', 'sold', 'withdrawn') or (k = 0 and l.g % 3 = 0) or (k = 1 and l.g % 4 = 0)
            then l.published_at + make_interval(days => k + 2) end
from demo_listings l
cross join generate_series(0, 2) k
where l.status <> 'draft' and (l.status <> 'active' or k < 1 + l.g % 3);

-- A sale becomes the property's last sale; an active listing makes it public.
update homes.properties p set is_listed = true
from homes.listings l where l.property_id = p.id and l.status = 'active';
update homes.properties p set last_sold_price = l.sold_price, last_sold_at = l.sold_at::date
from homes.listings l where l.property_id = p.id and l.status = 'sold';

set local session_replication_role = origin;

-- Owner snapshots (appraisals) on a few properties, as owners add them.
insert into homes.valuations (property_id, estimate, confidence, valuation_method, source, created_at)
select p.id, round(p.living_area_sqft * 280 / 1000) * 1000, 0.8, 'appraisal', 'owner', p.created_at + interval '1 hour'
from homes.properties p where p.id in (select id from demo_homes where g % 40 = 0);

-- Alice is on Homes Pro (her personal account).
select count(*) from private.billing_upsert_subscription(
  'stripe', 'sub_demo_alice_homes', '00000000-0000-4000-8000-000000000001',
  (select id from public.plans where code = 'homes_pro'), 'active', now(), 'month',
  now() - interval '3 days', now() + interval '27 days', false, 'cus_demo_alice');

-- Engine valuations with comparables: every active listing of Alice (up to
-- 12 of her 25), and one per other owner, all charged as the worker would.
select count(*) from (
  select private.homes_store_valuation(l.property_id, 'demo-valuation:' || l.id, null, l.id)
  from (
    select l.*, row_number() over (partition by l.seller_id order by l.published_at desc) as k
    from homes.listings l where l.status = 'active'
  ) l
  where (l.seller_id = '00000000-0000-4000-8000-000000000001' and l.k <= 12) or l.k = 1
) v;

-- A lonely cabin: too few comparables, so the engine says so (and charges nothing).
insert into homes.properties (id, owner_id, address, city, state, postal_code, bedrooms, bathrooms, living_area_sqft,
                              lot_size_sqft, year_built, description)
values ('00000000-0000-4000-8100-000000009999', '00000000-0000-4000-8000-000000000008', '1 Ridge Rd', 'Marfa', 'TX',
        '79843', 2, 1, 900, 40000, 1948, 'Cabin far from any comparable sale.');
select count(*) from private.homes_store_valuation('00000000-0000-4000-8100-000000009999', 'demo-valuation:lonely');

commit;

-- The API path: a draft published by its seller (queues a valuation job the
-- worker picks up under `npm start`), an offer made and one declined, each
-- as the user, through the RPCs: state machine and notifications included.
begin;
do $$
declare
  v_listing uuid;
  v_offer homes.offers;
  v_seller uuid;
  v_buyer uuid;
begin
  select l.id, l.seller_id into v_listing, v_seller from homes.listings l
  where l.status = 'draft' and l.seller_id = '00000000-0000-4000-8000-000000000001' order by l.id limit 1;
  if v_listing is null then
    select l.id, l.seller_id into v_listing, v_seller from homes.listings l where l.status = 'draft' order by l.id limit 1;
  end if;
  perform set_config('request.jwt.claims', json_build_object('sub', v_seller, 'role', 'authenticated')::text, true);
  perform set_config('role', 'authenticated', true);
  perform homes.publish_listing(v_listing);

  v_buyer := case when v_seller = '00000000-0000-4000-8000-000000000008' then '00000000-0000-4000-8000-000000000010'
                  else '00000000-0000-4000-8000-000000000008' end;
  perform set_config('request.jwt.claims', json_build_object('sub', v_buyer, 'role', 'authenticated')::text, true);
  v_offer := homes.submit_offer(v_listing, 425000, 'Lovely place; can we see it this weekend?');
  perform set_config('request.jwt.claims', json_build_object('sub', v_seller, 'role', 'authenticated')::text, true);
  perform homes.decline_offer(v_offer.id);
  perform set_config('request.jwt.claims', json_build_object('sub', v_buyer, 'role', 'authenticated')::text, true);
  perform homes.submit_offer(v_listing, 445000, 'Improved offer.');
  perform set_config('role', 'postgres', true);
  perform set_config('request.jwt.claims', '', true);
end
$$;
commit;

analyze homes.properties, homes.listings, homes.offers, homes.valuations, homes.valuation_comparables;
