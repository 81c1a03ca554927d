-- QuickSell view counting: quicksell.record_view(p_listing_id, p_kind)
-- counts listings.view_count ('view') or click_count ('click') at most once
-- per viewer, listing, kind and clock hour, for anon and signed-in callers.
--   * viewer: the signed-in user (auth.uid()); for anon, the trusted client
--     address private.request_ip() (cf-connecting-ip, set by the edge). No
--     client-chosen session id is taken: a new one per call would make every
--     call a new viewer. Callers with no known address share one anonymous
--     viewer. Only a SHA-256 of the viewer is stored;
--   * quicksell.listing_view_marks (viewer_hash, listing_id, kind,
--     hour_bucket) remembers who was counted when; only the current hour's
--     marks decide, the last day's are kept for platform admins to review
--     abuse, and pg_cron prunes older ones hourly (private.quicksell_prune_view_marks);
--   * refusals: an unknown, draft, delisted, archived or deleted listing is
--     PT404 (it does not exist for the caller); a kind other than view/click
--     is 22023 `p_kind:`; the seller's own views are not counted;
--   * returns true when this call counted, false for a repeat;
--   * each counted view is also an analytics event (product quicksell,
--     event_type listing.view / listing.click, context {listing_id,
--     marketplace_name: null}).
-- Who may do what: anon and authenticated call the RPC; the marks are read
-- by platform admins only and written only by the RPC.

create table quicksell.listing_view_marks (
  listing_id uuid not null references quicksell.listings (id) on delete cascade,
  kind text not null check (kind in ('view', 'click')),
  hour_bucket timestamptz not null,
  viewer_hash bytea not null check (octet_length(viewer_hash) = 32),
  created_at timestamptz not null default now(),
  primary key (listing_id, kind, hour_bucket, viewer_hash)
);

comment on table quicksell.listing_view_marks is
  'Who quicksell.record_view counted, per hour (viewer as a SHA-256); kept a day, pruned hourly by pg_cron.';

create index listing_view_marks_hour_bucket_idx on quicksell.listing_view_marks (hour_bucket);

alter table quicksell.listing_view_marks enable row level security;
revoke all on quicksell.listing_view_marks from anon, authenticated, service_role;
grant select on quicksell.listing_view_marks to authenticated;
grant select, delete on quicksell.listing_view_marks to service_role;

create policy "listing_view_marks: platform admins read"
  on quicksell.listing_view_marks for select to authenticated
  using ((select private.is_platform_admin()));

create or replace function quicksell.record_view(p_listing_id uuid, p_kind text default 'view')
returns boolean
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := (select auth.uid());
  v_listing quicksell.listings;
  v_viewer text;
  v_inserted integer;
begin
  if p_kind is null or p_kind not in ('view', 'click') then
    raise exception 'p_kind: must be view or click' using errcode = '22023';
  end if;
  if p_listing_id is null then
    raise exception 'p_listing_id: required' using errcode = '22023';
  end if;
  select * into v_listing from quicksell.listings l
  where l.id = p_listing_id and l.status in ('published', 'sold') and l.deleted_at is null;
  if v_listing.id is null then
    raise exception 'p_listing_id: no such listing' using errcode = 'PT404';
  end if;
  if v_uid is not null and v_uid = v_listing.user_id then
    return false;
  end if;
  v_viewer := case when v_uid is not null then 'user:' || v_uid::text
                   else 'ip:' || coalesce(host(private.request_ip()), 'unknown') end;
  insert into quicksell.listing_view_marks (listing_id, kind, hour_bucket, viewer_hash)
  values (v_listing.id, p_kind, date_trunc('hour', now()), sha256(convert_to(v_viewer, 'UTF8')))
  on conflict do nothing;
  get diagnostics v_inserted = row_count;
  if v_inserted = 0 then
    return false;
  end if;
  if p_kind = 'view' then
    update quicksell.listings l set view_count = l.view_count + 1 where l.id = v_listing.id;
  else
    update quicksell.listings l set click_count = l.click_count + 1 where l.id = v_listing.id;
  end if;
  insert into public.analytics_events (user_id, product, event_type, context)
  values (v_uid, 'quicksell', 'listing.' || p_kind,
          jsonb_build_object('listing_id', v_listing.id, 'marketplace_name', null));
  return true;
end;
$$;

comment on function quicksell.record_view(uuid, text) is
  'Counts a view or click of a public listing once per viewer and hour; true when counted. PT404 for a listing not on the market, 22023 for a bad kind.';

revoke execute on function quicksell.record_view(uuid, text) from public;
grant execute on function quicksell.record_view(uuid, text) to anon, authenticated, service_role;

create or replace function private.quicksell_prune_view_marks()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_deleted integer;
begin
  delete from quicksell.listing_view_marks m where m.hour_bucket < now() - interval '1 day';
  get diagnostics v_deleted = row_count;
  return v_deleted;
end;
$$;
revoke execute on function private.quicksell_prune_view_marks() from public, anon, authenticated, service_role;

select cron.schedule('quicksell-prune-view-marks', '7 * * * *', 'select private.quicksell_prune_view_marks()');

revoke execute on all functions in schema private from public;
