-- Homes: create a property and, optionally, the owner's valuation snapshot in
-- one transaction (homes.create_property), so a client never leaves a property
-- behind when its snapshot is refused.
--
-- Who may call it: authenticated users (anon and public cannot). It runs as
-- the caller (security invoker): the insert policies and column grants of
-- homes.properties and homes.valuations apply exactly as for two direct
-- inserts, so owner_id is always the caller and a snapshot is always
-- source 'owner'.
--
-- Invariants: both rows or neither; only the columns a client may insert are
-- read from the arguments (others in the JSON are refused by name, never
-- silently dropped); bad values answer 4xx (22023 or the table's check, 23514).

create or replace function homes.create_property(property jsonb, snapshot jsonb default null)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_allowed constant text[] := array['address', 'city', 'state', 'postal_code', 'bedrooms', 'bathrooms',
    'living_area_sqft', 'lot_size_sqft', 'year_built', 'description', 'currency'];
  v_unknown text;
  v_property homes.properties;
  v_valuation homes.valuations;
begin
  if property is null or jsonb_typeof(property) <> 'object' then
    raise exception 'property: must be an object' using errcode = '22023';
  end if;
  select k into v_unknown from jsonb_object_keys(property) k where k <> all (v_allowed) limit 1;
  if v_unknown is not null then
    raise exception 'property.%: not a column a client may set', v_unknown using errcode = '22023';
  end if;
  if snapshot is not null and jsonb_typeof(snapshot) not in ('object', 'null') then
    raise exception 'snapshot: must be an object' using errcode = '22023';
  end if;

  insert into homes.properties (address, city, state, postal_code, bedrooms, bathrooms, living_area_sqft,
                                lot_size_sqft, year_built, description, currency)
  select r.address, r.city, r.state, r.postal_code, coalesce(r.bedrooms, 0), coalesce(r.bathrooms, 0),
         r.living_area_sqft, r.lot_size_sqft, r.year_built, r.description, coalesce(r.currency, 'USD')
  from jsonb_populate_record(null::homes.properties, property) r
  returning * into v_property;

  if snapshot is not null and jsonb_typeof(snapshot) = 'object' then
    select k into v_unknown from jsonb_object_keys(snapshot) k
    where k <> all (array['estimate', 'confidence', 'valuation_method']) limit 1;
    if v_unknown is not null then
      raise exception 'snapshot.%: not a field of a valuation snapshot', v_unknown using errcode = '22023';
    end if;
    insert into homes.valuations (property_id, estimate, confidence, valuation_method)
    select v_property.id, r.estimate, coalesce(r.confidence, 0), coalesce(r.valuation_method, 'owner_estimate')
    from jsonb_populate_record(null::homes.valuations, snapshot) r
    returning * into v_valuation;
  end if;

  return jsonb_build_object('property', to_jsonb(v_property),
                            'valuation', case when v_valuation.id is null then null else to_jsonb(v_valuation) end);
end;
$$;

comment on function homes.create_property(jsonb, jsonb) is
  'Creates a property owned by the caller and, optionally, the owner''s valuation snapshot, atomically.';

revoke execute on function homes.create_property(jsonb, jsonb) from public, anon;
grant execute on function homes.create_property(jsonb, jsonb) to authenticated, service_role;
