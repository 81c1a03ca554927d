-- Homes search: numeric filters that are NaN, infinite or past bigint cents
-- are refused with 22023 naming the field (issue 14 §2), instead of the
-- casts' 22003 "cannot convert NaN to bigint" that named none. Copied from
-- 20261122002030_homes_search.sql with only those checks added (its raises
-- are all 22023 already). Who may call it: unchanged (anon, authenticated,
-- service_role; security invoker, so RLS applies).

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
  -- NaN and the infinities (and amounts past bigint cents) would fail the
  -- casts below with an error that names no field.
  if search_listings.min_price is not null and not (search_listings.min_price > -1e12 and search_listings.min_price < 1e12) then
    raise exception 'min_price: must be a finite amount (below 1e12)' using errcode = '22023';
  end if;
  if search_listings.max_price is not null and not (search_listings.max_price > -1e12 and search_listings.max_price < 1e12) then
    raise exception 'max_price: must be a finite amount (below 1e12)' using errcode = '22023';
  end if;
  if search_listings.min_bathrooms is not null
     and not (search_listings.min_bathrooms > -1000 and search_listings.min_bathrooms < 1000) then
    raise exception 'min_bathrooms: must be a finite number' using errcode = '22023';
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
