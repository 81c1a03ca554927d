-- QuickSell events in the shared public.analytics_events (seed 001
-- analytics_events): the seed's listing_id and marketplace_name live in
-- `context` under those keys (no foreign key from public into a product
-- schema; a listing's events go when the retention job moves them).
--   * a QuickSell event's context.listing_id, when present, is a uuid, and
--     context.marketplace_name a marketplace name (lower-case, as
--     quicksell.marketplaces.name), so a query by listing can trust them;
--   * one partial index serves "a listing's events, newest first" (the
--     listing analytics and the record_view events);
--   * private.quicksell_record_event(...) lets the backend (marketplace-sync,
--     the AI jobs, the sales RPCs) record one with the keys spelled right.
-- Who may do what: unchanged (users record their own events; account admins
-- and platform admins read; service_role everything).

alter table public.analytics_events
  add constraint analytics_events_quicksell_context check (
    product <> 'quicksell'
    or ((not context ? 'listing_id' or context -> 'listing_id' = 'null'::jsonb
         or context ->> 'listing_id' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
        and (not context ? 'marketplace_name' or context -> 'marketplace_name' = 'null'::jsonb
             or context ->> 'marketplace_name' ~ '^[a-z][a-z0-9_]{1,49}$'))
  );

create index analytics_events_quicksell_listing_idx
  on public.analytics_events (((context ->> 'listing_id')::uuid), created_at desc)
  where product = 'quicksell' and context ? 'listing_id' and context -> 'listing_id' <> 'null'::jsonb;

create or replace function private.quicksell_record_event(
  p_user uuid,
  p_event_type text,
  p_listing_id uuid default null,
  p_marketplace_name text default null,
  p_data jsonb default '{}'::jsonb
)
returns bigint
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_id bigint;
begin
  if p_event_type is null or p_event_type !~ '^[a-z][a-z0-9_.]{1,99}$' then
    raise exception 'p_event_type: lower-case words and dots, e.g. listing.crossposted' using errcode = '22023';
  end if;
  if p_data is null or jsonb_typeof(p_data) <> 'object' then
    raise exception 'p_data: a JSON object' using errcode = '22023';
  end if;
  if p_marketplace_name is not null
     and not exists (select 1 from quicksell.marketplaces m where m.name = p_marketplace_name) then
    raise exception 'p_marketplace_name: no such marketplace' using errcode = '22023';
  end if;
  insert into public.analytics_events (user_id, product, event_type, context, event_data)
  values (p_user, 'quicksell', p_event_type,
          jsonb_strip_nulls(jsonb_build_object('listing_id', p_listing_id, 'marketplace_name', p_marketplace_name)),
          p_data)
  returning id into v_id;
  return v_id;
end;
$$;

comment on function private.quicksell_record_event(uuid, text, uuid, text, jsonb) is
  'Backend: records a QuickSell analytics event with context {listing_id, marketplace_name}.';

revoke execute on function private.quicksell_record_event(uuid, text, uuid, text, jsonb) from public, anon, authenticated;
grant execute on function private.quicksell_record_event(uuid, text, uuid, text, jsonb) to service_role;

revoke execute on all functions in schema private from public;
