-- private.quicksell_price_estimate (20261202130200_quicksell_ai_assistance.sql):
-- comparable SOLD listings of the same category and condition in the same
-- currency, the same brand when at least 3 exist (else any brand), weighted
-- by similarity and recency; confidence from how many and how tight; fewer
-- than 3: not enough data. Completed sales' prices win over list prices.

begin;
select plan(14);

select tests.fixture() as team \gset
select tests.get_supabase_uid('owner') as owner_id \gset

-- A sold comparable: listed, published, sold `p_days` ago (a completed sale dates it).
create function pg_temp.sold(p_brand text, p_model text, p_category text, p_condition text, p_price numeric,
                             p_days integer, p_currency text default 'USD', p_sale_price numeric default null)
returns uuid language plpgsql as $$
declare v uuid;
begin
  insert into quicksell.listings (user_id, title, description, category, condition, price, currency, brand, model)
  values (tests.get_supabase_uid(case when random() < 0.5 then 'rival' else 'stranger' end), 'Comparable', 'sold item', p_category,
          p_condition::quicksell.listing_condition, p_price, p_currency, p_brand, p_model)
  returning id into v;
  update quicksell.listings set status = 'published', published_at = now() - make_interval(days => p_days + 1) where id = v;
  insert into quicksell.sales (listing_id, seller_id, sale_price, currency, status, sale_date, completed_date)
  select v, l.user_id, coalesce(p_sale_price, p_price), p_currency, 'completed', now() - make_interval(days => p_days), now() - make_interval(days => p_days)
  from quicksell.listings l where l.id = v;
  update quicksell.listings set status = 'sold' where id = v and status <> 'sold';
  return v;
end $$;

create function pg_temp.target(p_brand text, p_model text, p_category text, p_condition text default 'good', p_currency text default 'USD')
returns uuid language sql as $$
  insert into quicksell.listings (user_id, title, description, category, condition, price, currency, brand, model)
  values (tests.get_supabase_uid('owner'), 'Mine', 'to price', p_category, p_condition::quicksell.listing_condition, 1, p_currency, p_brand, p_model)
  returning id
$$;

select pg_temp.sold('Canon', 'AE-1', 'cameras', 'good', 200, 10);
select pg_temp.sold('Canon', 'AE-1', 'cameras', 'good', 220, 30);
select pg_temp.sold('Canon', 'A-1', 'cameras', 'good', 180, 5);
select pg_temp.sold('canon ', 'AE-1', 'cameras', 'good', 400, 20, 'USD', 210);   -- listed at 400, sold at 210
select pg_temp.sold('Nikon', 'FM2', 'cameras', 'good', 500, 3);
select pg_temp.sold('Nikon', 'FM2', 'cameras', 'good', 520, 4);
select pg_temp.sold('Nikon', 'FE', 'cameras', 'good', 480, 6);
select pg_temp.sold('Canon', 'AE-1', 'cameras', 'poor', 40, 2);                  -- other condition
select pg_temp.sold('Canon', 'AE-1', 'cameras', 'good', 9999, 2, 'EUR');         -- other currency

select pg_temp.target('Canon', 'AE-1', 'cameras') as t1 \gset
select private.quicksell_price_estimate(:'t1') as canon \gset
select is((:'canon'::jsonb) ->> 'status', 'estimated', 'four sold Canons: an estimate');
select is(((:'canon'::jsonb) ->> 'comparables')::int, 4, 'from the same brand only (the Nikons, the poor one and the euro one are out)');
select is((:'canon'::jsonb) ->> 'matched_on', 'category, brand and condition', 'matched on brand');
select ok(((:'canon'::jsonb) ->> 'estimated_price')::numeric between 180 and 220,
  'the estimate lies among the sale prices (the 400 list price lost to its 210 sale): ' || ((:'canon'::jsonb) ->> 'estimated_price'));
select ok(((:'canon'::jsonb) ->> 'confidence_score')::numeric > 0.2 and ((:'canon'::jsonb) ->> 'confidence_score')::numeric < 0.9,
  'confidence reflects four close comparables: ' || ((:'canon'::jsonb) ->> 'confidence_score'));

select pg_temp.target('Olympus', 'OM-1', 'cameras') as t2 \gset
select private.quicksell_price_estimate(:'t2') as relaxed \gset
select is(((:'relaxed'::jsonb) ->> 'comparables')::int || ' ' || ((:'relaxed'::jsonb) ->> 'matched_on'), '7 category and condition',
  'no sold Olympus: the brand is relaxed to every good camera');
select ok(((:'relaxed'::jsonb) ->> 'confidence_score')::numeric < ((:'canon'::jsonb) ->> 'confidence_score')::numeric,
  'with less confidence (mixed brands, wide spread)');

-- Tight and many beats few.
select pg_temp.sold('Sony', 'WH-1000', 'audio', 'like_new', 150 + i, i) from generate_series(1, 12) i;
select pg_temp.target('Sony', 'WH-1000', 'audio', 'like_new') as t3 \gset
select private.quicksell_price_estimate(:'t3') as tight \gset
select ok(((:'tight'::jsonb) ->> 'confidence_score')::numeric > ((:'canon'::jsonb) ->> 'confidence_score')::numeric,
  'twelve tight comparables give more confidence than four: ' || ((:'tight'::jsonb) ->> 'confidence_score'));
select ok(((:'tight'::jsonb) ->> 'estimated_price')::numeric between 151 and 162, 'and an estimate in their range');

-- Recency: three recent sales at 100 outweigh one at 1000 from three years ago.
select pg_temp.sold('Zeiss', 'Planar', 'lenses', 'good', 100, d) from unnest(array[3, 8, 12]) d;
select pg_temp.sold('Zeiss', 'Planar', 'lenses', 'good', 1000, 1100);
select pg_temp.target('Zeiss', 'Planar', 'lenses') as t4 \gset
select ok((private.quicksell_price_estimate(:'t4') ->> 'estimated_price')::numeric < 110,
  'old sales weigh little');

-- Not enough data.
select pg_temp.sold('DJI', 'Mini', 'drones', 'good', 300, 5);
select pg_temp.sold('DJI', 'Mini', 'drones', 'good', 320, 6);
select pg_temp.target('DJI', 'Mini', 'drones') as t5 \gset
select private.quicksell_price_estimate(:'t5') as few \gset
select is((:'few'::jsonb) ->> 'status', 'not_enough_data', 'two comparables are not enough');
select ok((:'few'::jsonb) ->> 'message' like 'not enough data: 2 comparable sold listings%at least 3 needed', 'and it says so');
select pg_temp.target('DJI', 'Mini', 'drones') as t6 \gset
select is(private.quicksell_price_estimate(:'t6') ->> 'estimated_price', null, 'with no price');
-- The clock: judged at a time before any of these sales, nothing is comparable.
select pg_temp.target('Canon', 'AE-1', 'cameras') as t7 \gset
select is(private.quicksell_price_estimate(:'t7', now() - interval '1 year') ->> 'status', 'not_enough_data',
  'sales after the given time do not count');

select * from finish();
rollback;
