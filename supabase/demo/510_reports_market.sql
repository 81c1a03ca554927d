-- Reports demo: a market worth a report (market statistics, rp-stats).
-- Austin (homes demo city 0, TX) gets 130 more closed sales over the 13
-- months ending with the last full month (10 a month), plus 24 homes on the
-- market, so a market report for Austin and the last full month answers
-- enough_data = true with a full 13-month series. Marfa, TX (the lonely
-- cabin of 100_homes.sql) gets two sales in that month: its report says
-- there are not enough sales. Dates are relative to the day the demo is
-- loaded. Owners are the ten demo users in turn (as in 100_homes.sql).
-- Loaded as the table owner with triggers off, every derived column (the
-- listing's copy of its property, is_listed, last sale) written out.

begin;

set local session_replication_role = replica;

create temporary table demo_market on commit drop as
select g,
       md5('demo-market-property-' || g)::uuid as property_id,
       md5('demo-market-listing-' || g)::uuid as listing_id,
       ('00000000-0000-4000-8000-' || lpad((1 + (g * 3) % 10)::text, 12, '0'))::uuid as owner_id,
       case when g <= 154 then 'Austin' else 'Marfa' end as city,
       case when g <= 154 then (array['78701', '78704', '78745'])[1 + g % 3] else '79843' end as postal_code,
       case when g <= 130 or g > 154 then 'sold' else 'active' end as status,
       (900 + (g * 137) % 1900)::int as area,
       (case when g <= 154 then 265 else 150 end) * (0.9 + (g % 11) / 50.0) as ppsf,
       (date_trunc('month', current_date) - make_interval(months => 1 + case when g <= 130 then g % 13 else 0 end))::date
         + (g * 7) % 28 as sold_on,
       10 + (g * 13) % 60 as dom,
       0.96 + (g % 7) / 100.0 as sale_to_list
from generate_series(1, 156) g;

insert into homes.properties (id, owner_id, address, city, state, postal_code, bedrooms, bathrooms, living_area_sqft,
                              lot_size_sqft, year_built, description, currency, last_sold_price, last_sold_at, is_listed)
select m.property_id, m.owner_id, (2000 + m.g * 4) || ' ' || (array['Lamar Blvd', 'Guadalupe St', 'Riverside Dr', 'Burnet Rd'])[1 + m.g % 4],
       m.city, 'TX', m.postal_code, 2 + m.g % 3, 1 + (m.g % 3) * 0.5, m.area, 3000 + (m.g * 53) % 6000, 1960 + m.g % 60,
       format('%s-bedroom home in %s, TX.', 2 + m.g % 3, m.city), 'USD',
       case when m.status = 'sold' then round(m.area * m.ppsf / 500) * 500 end,
       case when m.status = 'sold' then m.sold_on end,
       m.status = 'active'
from demo_market m;

insert into homes.listings (id, property_id, seller_id, status, asking_price, currency, published_at, sold_price, sold_at,
                            city, state, postal_code, bedrooms, bathrooms, living_area_sqft, created_at)
select m.listing_id, m.property_id, m.owner_id, m.status,
       case when m.status = 'sold' then round(m.area * m.ppsf / m.sale_to_list / 1000) * 1000
            else round(m.area * m.ppsf * 1.02 / 1000) * 1000 end,
       'USD',
       case when m.status = 'sold' then (m.sold_on - m.dom)::timestamp at time zone 'UTC' + interval '10 hours'
            else now() - make_interval(days => 3 + (m.g * 11) % 80) end,
       case when m.status = 'sold' then round(m.area * m.ppsf / 500) * 500 end,
       case when m.status = 'sold' then m.sold_on::timestamp at time zone 'UTC' + interval '15 hours' end,
       p.city, p.state, p.postal_code, p.bedrooms, p.bathrooms, p.living_area_sqft,
       case when m.status = 'sold' then (m.sold_on - m.dom - 2)::timestamp at time zone 'UTC'
            else now() - make_interval(days => 5 + (m.g * 11) % 80) end
from demo_market m join homes.properties p on p.id = m.property_id;

commit;
