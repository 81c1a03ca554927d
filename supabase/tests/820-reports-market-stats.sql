-- private.reports_market_stats: every statistic against a hand-built market.
-- The fixture (city "Pgtap Springs", ZIP 99901; period June 2026, min 3 sales):
--   June sales  S1 300k/1000 sqft/asking 300k/10 days, S2 400k/2000/380k/20,
--               S3 600k/1500/600k/40, S4 100k/1000/250k/30 (60% off list:
--               left out of sale-to-list only);
--   May sales   M1 250k/1250/250k/5, M2 320k/1600/320k/15, M3 500k/2000/500k/25;
--   June 2025   Y1, Y2: two sales only (YoY medians are not enough data);
--   on market   A1 active from May 15, A2 from July 5, A3 from Jan 10,
--               U1 under contract from June 10, W1 withdrawn June 15,
--               W2 withdrawn July 10, W3 withdrawn before withdrawn_at
--               existed (its last update, May 20), X1 sold July 3, D1 draft;
--   elsewhere   "Other Town" / 99909 one June sale (never counted unless
--               asked), "Lonely Hollow" / 99902 one June sale (not enough).
-- Every expected value is worked out by hand in the assertion's comment.

begin;
select plan(53);

select tests.fixture();

set local session_replication_role = replica;

create temp table market (tag text, status text, asking numeric, sold numeric, area int, pub timestamptz,
                          sold_at timestamptz, withdrawn_at timestamptz, updated timestamptz, city text, zip text)
  on commit drop;
insert into market values
  ('S1', 'sold', 300000, 300000, 1000, '2026-06-01 12:00Z', '2026-06-11 12:00Z', null, null, 'Pgtap Springs', '99901'),
  ('S2', 'sold', 380000, 400000, 2000, '2026-06-01 12:00Z', '2026-06-21 12:00Z', null, null, 'Pgtap Springs', '99901'),
  ('S3', 'sold', 600000, 600000, 1500, '2026-05-16 12:00Z', '2026-06-25 12:00Z', null, null, 'Pgtap Springs', '99901'),
  ('S4', 'sold', 250000, 100000, 1000, '2026-05-31 12:00Z', '2026-06-30 12:00Z', null, null, 'Pgtap Springs', '99901'),
  ('M1', 'sold', 250000, 250000, 1250, '2026-04-26 12:00Z', '2026-05-01 12:00Z', null, null, 'Pgtap Springs', '99901'),
  ('M2', 'sold', 320000, 320000, 1600, '2026-04-20 12:00Z', '2026-05-05 12:00Z', null, null, 'Pgtap Springs', '99901'),
  ('M3', 'sold', 500000, 500000, 2000, '2026-04-10 12:00Z', '2026-05-05 12:00Z', null, null, 'Pgtap Springs', '99901'),
  ('Y1', 'sold', 200000, 200000, 1000, '2025-06-01 12:00Z', '2025-06-10 12:00Z', null, null, 'Pgtap Springs', '99901'),
  ('Y2', 'sold', 200000, 220000, 1100, '2025-06-02 12:00Z', '2025-06-20 12:00Z', null, null, 'Pgtap Springs', '99901'),
  ('A1', 'active', 410000, null, 1400, '2026-05-15 12:00Z', null, null, null, 'Pgtap Springs', '99901'),
  ('A2', 'active', 420000, null, 1400, '2026-07-05 12:00Z', null, null, null, 'Pgtap Springs', '99901'),
  ('A3', 'active', 430000, null, 1400, '2026-01-10 12:00Z', null, null, null, 'Pgtap Springs', '99901'),
  ('U1', 'under_contract', 440000, null, 1400, '2026-06-10 12:00Z', null, null, null, 'Pgtap Springs', '99901'),
  ('W1', 'withdrawn', 450000, null, 1400, '2026-04-01 12:00Z', null, '2026-06-15 12:00Z', null, 'Pgtap Springs', '99901'),
  ('W2', 'withdrawn', 460000, null, 1400, '2026-04-01 12:00Z', null, '2026-07-10 12:00Z', null, 'Pgtap Springs', '99901'),
  ('W3', 'withdrawn', 470000, null, 1400, '2026-04-01 12:00Z', null, null, '2026-05-20 12:00Z', 'Pgtap Springs', '99901'),
  ('X1', 'sold', 450000, 450000, 1500, '2026-06-20 12:00Z', '2026-07-03 12:00Z', null, null, 'Pgtap Springs', '99901'),
  ('D1', 'draft', 480000, null, 1400, null, null, null, null, 'Pgtap Springs', '99901'),
  ('O1', 'sold', 900000, 900000, 3000, '2026-06-01 12:00Z', '2026-06-15 12:00Z', null, null, 'Other Town', '99909'),
  ('L1', 'sold', 150000, 150000, 900, '2026-06-01 12:00Z', '2026-06-15 12:00Z', null, null, 'Lonely Hollow', '99902');

insert into homes.properties (id, owner_id, address, city, state, postal_code, living_area_sqft)
select md5('pgtap-market-' || m.tag)::uuid, tests.get_supabase_uid('owner'), m.tag || ' Market St', m.city, 'TX', m.zip, m.area
from market m;
insert into homes.listings (property_id, seller_id, status, asking_price, published_at, sold_price, sold_at, withdrawn_at,
                            city, state, postal_code, living_area_sqft, updated_at)
select md5('pgtap-market-' || m.tag)::uuid, tests.get_supabase_uid('owner'), m.status, m.asking, m.pub, m.sold, m.sold_at,
       m.withdrawn_at, m.city, 'TX', m.zip, m.area, coalesce(m.updated, now())
from market m;

set local session_replication_role = origin;

create temp table june on commit drop as
  select private.reports_market_stats(array['pgtap springs'], null, '2026-06-01', '2026-06-30', 3) as r;

-- The document's frame.
select is((select r -> 'areas' from june), '{"cities": ["pgtap springs"], "zip_codes": []}'::jsonb, 'the areas asked for');
select is((select r -> 'period' from june), '{"start": "2026-06-01", "end": "2026-06-30"}'::jsonb, 'the period');
select is((select r ->> 'currency' from june), 'USD', 'in USD');
select is((select (r ->> 'min_sales')::int from june), 3, 'with the minimum asked for');
select is((select (r ->> 'closed_sales')::int from june), 4, 'four closed sales in June (S1-S4; X1 closed in July)');
select is((select (r ->> 'enough_data')::boolean from june), true, 'enough data');
select is((select r -> 'message' from june), 'null'::jsonb, 'and no message');

-- June's statistics.
select is((select (r #>> '{metrics,median_sale_price,value}')::numeric from june), (300000 + 400000) / 2.0,
  'median sale price: middle of 100k, 300k, 400k, 600k = 350,000');
select is((select (r #>> '{metrics,median_price_per_sqft,value}')::numeric from june), (200 + 300) / 2.0,
  'median $/sqft: middle of 100, 200, 300, 400 = 250');
select isnt((select (r #>> '{metrics,median_price_per_sqft,value}')::numeric from june), 350000 / ((1000 + 1500) / 2.0),
  'a median of ratios, not median price / median area (350,000 / 1,250 = 280)');
select is((select (r #>> '{metrics,median_days_on_market,value}')::numeric from june), (20 + 30) / 2.0,
  'median days on market: middle of 10, 20, 30, 40 = 25');
select is((select (r #>> '{metrics,avg_sale_to_list_pct,value}')::numeric from june),
  round((1 + 400000 / 380000.0 + 1) / 3 * 100, 2),
  'sale-to-list: S1, S2, S3 averaged; S4 (40% of list) left out');
select is((select (r #>> '{metrics,active_inventory,value}')::int from june), 5,
  'inventory at June''s end: A1, A3, U1, W2, X1 (not A2, W1, W3, D1 or the June sales)');
select is((select (r #>> '{metrics,months_of_supply,value}')::numeric from june), round(5 / 4.0, 2),
  'months of supply: 5 listings / 4 sales in the month');
select is((select (r #>> '{metrics,absorption_rate_pct,value}')::numeric from june), round(4 / 5.0 * 100, 2),
  'absorption: 4 sales / 5 listings = 80%');
select is((select (r #>> '{metrics,closed_sales,value}')::int from june), 4, 'closed sales as a metric too');

-- Month over month (May: 3 sales, inventory 6 = A1, A3, W1, W2, S3, S4).
select is((select (r #>> '{metrics,median_sale_price,mom_pct}')::numeric from june), round((350000 - 320000) / 320000.0 * 100, 2),
  'MoM median price against May''s 320,000');
select is((select (r #>> '{metrics,median_price_per_sqft,mom_pct}')::numeric from june), round((250 - 200) / 200.0 * 100, 2),
  'MoM $/sqft against May''s median of 200, 200, 250');
select is((select (r #>> '{metrics,median_days_on_market,mom_pct}')::numeric from june), round((25 - 15) / 15.0 * 100, 2),
  'MoM days on market against May''s 15');
select is((select (r #>> '{metrics,active_inventory,mom_pct}')::numeric from june), round((5 - 6) / 6.0 * 100, 2),
  'MoM inventory against 6 at May''s end');
select is((select (r #>> '{metrics,months_of_supply,mom_pct}')::numeric from june), round((1.25 - 2) / 2 * 100, 2),
  'MoM months of supply against May''s 6 / 3 = 2');
select is((select (r #>> '{metrics,absorption_rate_pct,mom_pct}')::numeric from june), round((80 - 50) / 50.0 * 100, 2),
  'MoM absorption against May''s 3 / 6 = 50%');
select is((select (r #>> '{metrics,avg_sale_to_list_pct,mom_pct}')::numeric from june),
  round((round((1 + 400000 / 380000.0 + 1) / 3 * 100, 2) - 100) / 100 * 100, 2),
  'MoM sale-to-list against May''s 100%');
select is((select (r #>> '{metrics,closed_sales,mom_pct}')::numeric from june), round((4 - 3) / 3.0 * 100, 2),
  'MoM closed sales: 4 against 3');

-- Year over year (June 2025: two sales, under the minimum; no inventory).
select is((select (r #>> '{metrics,closed_sales,yoy_pct}')::numeric from june), round((4 - 2) / 2.0 * 100, 2),
  'YoY closed sales: 4 against 2');
select is((select r #> '{metrics,median_sale_price,yoy_pct}' from june), 'null'::jsonb,
  'no YoY median price: June 2025 had too few sales for one');
select is((select r #> '{metrics,active_inventory,yoy_pct}' from june), 'null'::jsonb,
  'no YoY inventory change from 0 listings');

-- The monthly series.
select is((select jsonb_array_length(r -> 'series') from june), 13, '13 months in the series');
select is((select r #>> '{series,0,month}' from june) || '..' || (select r #>> '{series,12,month}' from june), '2025-06..2026-06',
  'from June 2025 to June 2026');
select is((select r -> 'series' -> 12 from june),
  jsonb_build_object('month', '2026-06', 'closed_sales', 4, 'median_sale_price', 350000.00, 'median_price_per_sqft', 250.00,
                     'median_days_on_market', 25.0, 'active_inventory', 5, 'months_of_supply', 1.25),
  'its last month is the period');
select is((select r -> 'series' -> 10 from june),
  jsonb_build_object('month', '2026-04', 'closed_sales', 0, 'median_sale_price', null, 'median_price_per_sqft', null,
                     'median_days_on_market', null, 'active_inventory', 7, 'months_of_supply', null),
  'April: no sales, 7 on the market at its end (A3, W1, W2, W3, M1, M2, M3)');
select is((select (r #>> '{series,11,median_sale_price}')::numeric from june), 320000.00, 'May''s median in the series');
select is((select (r #>> '{series,11,months_of_supply}')::numeric from june), 2.00, 'May''s months of supply in the series');

-- A two-month period: supply per month of sales.
select is((select (private.reports_market_stats(array['Pgtap Springs'], null, '2026-05-01', '2026-06-30', 3)
                   #>> '{metrics,months_of_supply,value}')::numeric),
  round(5 / (7 / 2.0), 2), 'May-June: 5 listings / (7 sales / 2 months)');

-- Areas: case-insensitive cities, exact ZIP codes, no double counting.
select is((select (private.reports_market_stats(null, array['99901'], '2026-06-01', '2026-06-30', 3) ->> 'closed_sales')::int),
  4, 'by ZIP code');
select is((select private.reports_market_stats(array['PGTAP SPRINGS', ' pgtap springs '], null, '2026-06-01', '2026-06-30', 3)
                  -> 'areas' -> 'cities'), '["PGTAP SPRINGS"]'::jsonb, 'a city named twice counts once');
select is((select (private.reports_market_stats(array['Pgtap Springs'], array['99901'], '2026-06-01', '2026-06-30', 3)
                   ->> 'closed_sales')::int), 4, 'a sale in both a city and a ZIP code asked for counts once');
select is((select (private.reports_market_stats(array['Pgtap Springs', 'Other Town'], null, '2026-06-01', '2026-06-30', 3)
                   ->> 'closed_sales')::int), 5, 'two cities together');
select is((select (private.reports_market_stats(null, array['9990'], '2026-06-01', '2026-06-30', 1) ->> 'closed_sales')::int),
  0, 'ZIP codes match exactly, never by prefix');

-- Too few sales: says so, no noise.
create temp table lonely on commit drop as
  select private.reports_market_stats(null, array['99902'], '2026-06-01', '2026-06-30') as r;
select is((select (r ->> 'enough_data')::boolean from lonely), false, 'one sale is not enough (default minimum 5)');
select matches((select r ->> 'message' from lonely), '^Not enough sales', 'and the document says so');
select is((select r #> '{metrics,median_sale_price,value}' from lonely), 'null'::jsonb, 'no median price from one sale');
select is((select (r #>> '{metrics,closed_sales,value}')::int from lonely), 1, 'the count is still given');

-- Bad input: 22023 naming the field.
select throws_ok($$ select private.reports_market_stats(array['A'], null, '2026-06-30', '2026-06-01') $$,
  '22023', 'period_end: must be on or after period_start', 'a period ending before it starts');
select throws_ok($$ select private.reports_market_stats(array['A'], null, '2025-01-01', '2026-06-01') $$,
  '22023', 'period_end: a period covers at most 366 days', 'a period longer than a year');
select throws_ok($$ select private.reports_market_stats(array[]::text[], array[]::text[], '2026-06-01', '2026-06-30') $$,
  '22023', 'cities: give at least one city or ZIP code', 'no area');
select throws_ok($$ select private.reports_market_stats(array(select 'City ' || g from generate_series(1, 21) g), null, '2026-06-01', '2026-06-30') $$,
  '22023', 'cities: at most 20 cities', 'too many cities');
select throws_ok($$ select private.reports_market_stats(null, array['99901; drop'], '2026-06-01', '2026-06-30') $$,
  '22023', 'zip_codes: each ZIP code is 2 to 12 letters, digits, spaces or dashes', 'a ZIP code that is not one');
select throws_ok($$ select private.reports_market_stats(array['A'], null, null, '2026-06-30') $$,
  '22023', 'period_start: required (YYYY-MM-DD)', 'no start');

-- Helpers: month shifts keep month ends; part months count by days.
select is(private.reports_shift_months('2026-02-28', -1), '2026-01-31'::date, 'a month''s last day shifts to the last day');
select is(private.reports_shift_months('2024-02-29', -12), '2023-02-28'::date, 'a leap day a year back is February''s end');
select is(private.reports_months_in_period('2026-01-15', '2026-02-14'), 17 / 31.0 + 14 / 28.0, 'part months by their days');

-- Only the backend.
select tests.authenticate_as('owner');
select throws_ok($$ select private.reports_market_stats(array['Pgtap Springs'], null, '2026-06-01', '2026-06-30') $$,
  '42501', null, 'a signed-in user cannot call it');

select * from finish();
rollback;
