-- Homes (seed 000), part 4: listing search for buyers.
-- homes.search_listings(filters..., sort, after, page_size): active
-- listings filtered by city, state, postal code, price range, bedrooms,
-- bathrooms and living area; sorted by newest (published_at desc, id desc)
-- or price (asking_price asc/desc, id); paged by keyset: each row carries
-- `cursor`, and passing the last row's cursor as `after` returns the next
-- page. Runs as the caller (security invoker), so RLS applies as it does to
-- direct reads. It builds only the conditions it was given (dynamic SQL with
-- bound parameters), so every query is planned for its own filters and
-- lands on one of the partial indexes of the listings migration. Every
-- index condition it writes is leakproof (text, integer, bigint cents,
-- timestamptz, uuid), so RLS does not push it behind the policy.

create type homes.listing_search_result as (
  id uuid,
  property_id uuid,
  seller_id uuid,
  status text,
  asking_price numeric(14, 2),
  currency char(3),
  published_at timestamptz,
  address text,
  city text,
  state text,
  postal_code text,
  bedrooms smallint,
  bathrooms numeric(3, 1),
  living_area_sqft integer,
  lot_size_sqft integer,
  year_built smallint,
  "cursor" text
);

comment on type homes.listing_search_result is 'A row of homes.search_listings: the listing, its property, and its keyset cursor.';

create or replace function homes.search_listings(
  city text default null,
  state text default null,
  postal_code text default null,
  min_price numeric default null,
  max_price numeric default null,
  min_bedrooms integer default null,
  max_bedrooms integer default null,
  min_bathrooms numeric default null,
  min_living_area integer default null,
  max_living_area integer default null,
  sort text default 'newest',
  after text default null,
  page_size integer default 20
)
returns setof homes.listing_search_result
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_sort text := coalesce(search_listings.sort, 'newest');
  v_where text := 'l.status = ''active''';
  v_order text;
  v_cursor text;
  v_prefix text;
  v_after_ts timestamptz;
  v_after_cents bigint;
  v_after_id uuid;
begin
  if search_listings.page_size is null or search_listings.page_size not between 1 and 100 then
    raise exception 'page_size: must be between 1 and 100' using errcode = '22023';
  end if;
  if v_sort not in ('newest', 'price_asc', 'price_desc') then
    raise exception 'sort: must be newest, price_asc or price_desc' using errcode = '22023';
  end if;
  if search_listings.min_price is not null and search_listings.max_price is not null
     and search_listings.min_price > search_listings.max_price then
    raise exception 'min_price: must not exceed max_price' using errcode = '22023';
  end if;

  if search_listings.city is not null then v_where := v_where || ' and l.city = $1'; end if;
  if search_listings.state is not null then v_where := v_where || ' and l.state = $2'; end if;
  if search_listings.postal_code is not null then v_where := v_where || ' and l.postal_code = $3'; end if;
  if search_listings.min_price is not null then v_where := v_where || ' and l.asking_price_cents >= $4'; end if;
  if search_listings.max_price is not null then v_where := v_where || ' and l.asking_price_cents <= $5'; end if;
  if search_listings.min_bedrooms is not null then v_where := v_where || ' and l.bedrooms >= $6'; end if;
  if search_listings.max_bedrooms is not null then v_where := v_where || ' and l.bedrooms <= $7'; end if;
  if search_listings.min_bathrooms is not null then v_where := v_where || ' and l.bathrooms_half >= $8'; end if;
  if search_listings.min_living_area is not null then v_where := v_where || ' and l.living_area_sqft >= $9'; end if;
  if search_listings.max_living_area is not null then v_where := v_where || ' and l.living_area_sqft <= $10'; end if;

  v_prefix := case v_sort when 'newest' then 'n' when 'price_asc' then 'pa' else 'pd' end;
  if v_sort = 'newest' then
    v_order := 'l.published_at desc, l.id desc';
    v_cursor := '''n~'' || (to_json(l.published_at) #>> ''{}'') || ''~'' || l.id';
  else
    v_order := case when v_sort = 'price_asc' then 'l.asking_price_cents, l.id' else 'l.asking_price_cents desc, l.id desc' end;
    v_cursor := quote_literal(v_prefix || '~') || ' || l.asking_price_cents || ''~'' || l.id';
  end if;

  if search_listings.after is not null then
    if split_part(search_listings.after, '~', 1) <> v_prefix or split_part(search_listings.after, '~', 3) = '' then
      raise exception 'after: not a cursor of this sort (pass a row''s cursor from the same search)' using errcode = '22023';
    end if;
    begin
      v_after_id := split_part(search_listings.after, '~', 3)::uuid;
      if v_sort = 'newest' then
        v_after_ts := split_part(search_listings.after, '~', 2)::timestamptz;
      else
        v_after_cents := split_part(search_listings.after, '~', 2)::bigint;
      end if;
    exception when others then
      raise exception 'after: not a valid cursor' using errcode = '22023';
    end;
    -- Keyset as "key <= last and (key < last or id < last id)": the first
    -- part is a leakproof index condition even under RLS (a row
    -- comparison is not leakproof, so it would be a filter after the policy).
    v_where := v_where || case v_sort
      when 'newest' then ' and l.published_at <= $11 and (l.published_at < $11 or l.id < $13)'
      when 'price_asc' then ' and l.asking_price_cents >= $12 and (l.asking_price_cents > $12 or l.id > $13)'
      else ' and l.asking_price_cents <= $12 and (l.asking_price_cents < $12 or l.id < $13)' end;
  end if;

  return query execute format(
    'select l.id, l.property_id, l.seller_id, l.status, l.asking_price, l.currency, l.published_at,
            p.address, l.city, l.state, l.postal_code, l.bedrooms, l.bathrooms, l.living_area_sqft,
            p.lot_size_sqft, p.year_built, %s
     from homes.listings l join homes.properties p on p.id = l.property_id
     where %s
     order by %s
     limit $14', v_cursor, v_where, v_order)
  using search_listings.city, search_listings.state, search_listings.postal_code,
        ceil(search_listings.min_price * 100)::bigint, floor(search_listings.max_price * 100)::bigint,
        search_listings.min_bedrooms, search_listings.max_bedrooms,
        ceil(search_listings.min_bathrooms * 2)::integer, search_listings.min_living_area, search_listings.max_living_area,
        v_after_ts, v_after_cents, v_after_id, search_listings.page_size;
end;
$$;

comment on function homes.search_listings(text, text, text, numeric, numeric, integer, integer, numeric, integer, integer, text, text, integer) is
  'Active listings by city/state/postal code, price, rooms and area; newest or by price; keyset pages via `cursor`/`after`.';

revoke execute on function homes.search_listings(text, text, text, numeric, numeric, integer, integer, numeric, integer, integer, text, text, integer) from public;
grant execute on function homes.search_listings(text, text, text, numeric, numeric, integer, integer, numeric, integer, integer, text, text, integer)
  to anon, authenticated, service_role;
