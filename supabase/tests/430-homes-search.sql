-- homes.search_listings: buyers browse active listings.
--   * filters: city, state, postal code, price range, bedrooms, bathrooms,
--     living area; only active listings; anon and signed-in users alike;
--   * sorts: newest (published_at desc, id desc), price_asc, price_desc;
--   * keyset pages: the last row's cursor as `after` gives the next page,
--     with no row twice and none skipped; a cursor of another sort is refused;
--   * runs as the caller (security invoker): RLS applies; service_role,
--     which bypasses RLS, still finds active listings only;
--   * bad arguments are 22023 naming the field.

begin;
select plan(22);

do $$
declare v_s uuid; v_i int;
begin
  perform tests.fixture();
  v_s := tests.get_supabase_uid('owner');  -- sells all twelve
  for v_i in 1..12 loop
    insert into homes.properties (id, owner_id, address, city, state, postal_code, bedrooms, bathrooms, living_area_sqft)
    values (('00000000-0000-4000-a300-0000000000' || lpad(v_i::text, 2, '0'))::uuid, v_s, v_i || ' Search St',
            case when v_i <= 8 then 'Searchville' else 'Findtown' end, 'QQ',
            case when v_i % 2 = 0 then 'SRC02' else 'SRC01' end,
            1 + v_i % 4, 1 + (v_i % 3) * 0.5, 1000 + v_i * 100);
    insert into homes.listings (id, property_id, seller_id, asking_price)
    values (('00000000-0000-4000-b300-0000000000' || lpad(v_i::text, 2, '0'))::uuid,
            ('00000000-0000-4000-a300-0000000000' || lpad(v_i::text, 2, '0'))::uuid, v_s, 100000 + v_i * 10000);
    if v_i <> 12 then  -- listing 12 stays a draft
      update homes.listings set status = 'active', published_at = now() - make_interval(days => v_i)
      where id = ('00000000-0000-4000-b300-0000000000' || lpad(v_i::text, 2, '0'))::uuid;
    end if;
  end loop;
end $$;

select tests.authenticate_as_anon();
select is((select count(*)::int from homes.search_listings(state => 'QQ', page_size => 100)), 11,
  'anon finds every active listing of the state (not the draft)');
select results_eq(
  $$ select address from homes.search_listings(city => 'Searchville', state => 'QQ', page_size => 3) $$,
  array['1 Search St', '2 Search St', '3 Search St'], 'newest first within a city');
select results_eq(
  $$ select asking_price from homes.search_listings(state => 'QQ', sort => 'price_asc', page_size => 2) $$,
  array[110000.00::numeric(14,2), 120000.00], 'cheapest first');
select results_eq(
  $$ select asking_price from homes.search_listings(state => 'QQ', sort => 'price_desc', page_size => 2) $$,
  array[210000.00::numeric(14,2), 200000.00], 'dearest first (the draft at 220,000 is not listed)');

select tests.authenticate_as('stranger');
select is((select count(*)::int from homes.search_listings(postal_code => 'SRC01', page_size => 100)), 6,
  'by postal code');
select is((select count(*)::int from homes.search_listings(state => 'QQ', min_price => 150000, max_price => 180000, page_size => 100)), 4,
  'by price range (inclusive)');
select is((select count(*)::int from homes.search_listings(state => 'QQ', min_bedrooms => 4, page_size => 100)), 3,
  'by bedrooms');
select is((select count(*)::int from homes.search_listings(state => 'QQ', max_bedrooms => 1, page_size => 100)), 2,
  'by a bedroom ceiling');
select is((select count(*)::int from homes.search_listings(state => 'QQ', min_bathrooms => 2, page_size => 100)), 4,
  'by bathrooms');
select is((select count(*)::int from homes.search_listings(state => 'QQ', min_living_area => 1500, max_living_area => 1900, page_size => 100)), 5,
  'by living area');
select is((select count(*)::int from homes.search_listings(city => 'Findtown', state => 'QQ', min_bedrooms => 2, max_price => 200000, page_size => 100)), 2,
  'filters combine');

-- Keyset pages.
select results_eq(
  $$ with p1 as (select * from homes.search_listings(state => 'QQ', page_size => 4)),
          p2 as (select * from homes.search_listings(state => 'QQ', page_size => 4,
                   after => (select "cursor" from p1 order by published_at asc limit 1))),
          p3 as (select * from homes.search_listings(state => 'QQ', page_size => 4,
                   after => (select "cursor" from p2 order by published_at asc limit 1)))
     select count(*)::int, count(distinct id)::int from (select id from p1 union all select id from p2 union all select id from p3) x $$,
  $$ values (11, 11) $$, 'three newest-first pages return all 11 listings once');
select results_eq(
  $$ with p1 as (select * from homes.search_listings(state => 'QQ', sort => 'price_asc', page_size => 5)),
          p2 as (select * from homes.search_listings(state => 'QQ', sort => 'price_asc', page_size => 5,
                   after => (select "cursor" from p1 order by asking_price desc limit 1)))
     select min(asking_price) from p2 $$,
  array[160000.00::numeric(14,2)], 'the price_asc page after 150,000 starts at 160,000');
select results_eq(
  $$ with p1 as (select * from homes.search_listings(state => 'QQ', sort => 'price_desc', page_size => 5)),
          p2 as (select * from homes.search_listings(state => 'QQ', sort => 'price_desc', page_size => 5,
                   after => (select "cursor" from p1 order by asking_price asc limit 1)))
     select max(asking_price) from p2 $$,
  array[160000.00::numeric(14,2)], 'the price_desc page after 170,000 starts at 160,000');

select throws_ok(
  $$ select * from homes.search_listings(sort => 'price_asc',
       after => (select "cursor" from homes.search_listings(state => 'QQ', page_size => 1))) $$,
  '22023', 'after: not a cursor of this sort (pass a row''s cursor from the same search)', 'a cursor belongs to its sort');
select throws_ok($$ select * from homes.search_listings(after => 'n~yesterday~nope') $$, '22023', 'after: not a valid cursor',
  'a garbled cursor is refused');
select throws_ok($$ select * from homes.search_listings(sort => 'cheapest') $$, '22023', null, 'unknown sort');
select throws_ok($$ select * from homes.search_listings(page_size => 1000) $$, '22023', 'page_size: must be between 1 and 100',
  'page size is bounded');
select throws_ok($$ select * from homes.search_listings(min_price => 10, max_price => 5) $$, '22023', null,
  'an empty price range is refused');

-- Security invoker: the seller's draft stays hidden even to a search that would match it.
select tests.authenticate_as('owner');
select is((select count(*)::int from homes.search_listings(state => 'QQ', page_size => 100)), 11,
  'search lists active listings only, even for their seller');
select tests.clear_authentication();
select is(tests.probe('platform_admin', $$ select 1 from homes.search_listings(state => 'QQ', page_size => 100) $$), 'rows=11',
  'a platform admin finds the same 11');
select is(tests.probe('service_role', $$ select 1 from homes.search_listings(state => 'QQ', page_size => 100) $$), 'rows=11',
  'and so does service_role, which bypasses RLS: the draft is filtered by the search itself');

select * from finish();
rollback;
