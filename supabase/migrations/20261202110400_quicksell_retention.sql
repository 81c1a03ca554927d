-- QuickSell (seed 001): data retention ("Data Retention & Archival").
--   * quicksell.listings_archive: a listing soft-deleted (deleted_at) more
--     than 90 days ago is moved here whole (the row as JSON, with its
--     listing_versions, photos and marketplace copies as JSON arrays), and
--     its rows leave the hot tables in one statement (the children by their
--     ON DELETE CASCADE), so no foreign key breaks. A listing that has a sale is never moved: sales
--     are kept forever and so is what they reference (it stays soft-deleted);
--   * quicksell.analytics_events_archive: QuickSell's public.analytics_events
--     older than a year are moved here (same columns) and removed from the
--     hot table, in one statement (DELETE ... RETURNING into the archive);
--   * private.quicksell_retention(at) on pg_cron (daily, 03:20 UTC): both
--     moves, in batches (p_batch rows each), relative to p_at so tests move
--     the clock by passing it. Photos in Storage are qs-media's (orphaned
--     photos cleanup); the archive keeps their paths.
-- Who may do what: a seller reads his own archived listings, a user his own
-- archived events, platform admins all of both; nobody writes either table
-- except the retention job (no grants; service_role reads).

create table quicksell.listings_archive (
  id uuid primary key,
  user_id uuid not null references public.profiles (id) on delete cascade,
  deleted_at timestamptz not null,
  archived_at timestamptz not null default now(),
  listing jsonb not null check (jsonb_typeof(listing) = 'object'),
  versions jsonb not null default '[]'::jsonb check (jsonb_typeof(versions) = 'array'),
  photos jsonb not null default '[]'::jsonb check (jsonb_typeof(photos) = 'array'),
  marketplace_listings jsonb not null default '[]'::jsonb check (jsonb_typeof(marketplace_listings) = 'array')
);
comment on table quicksell.listings_archive is
  'QuickSell listings deleted more than 90 days ago, with their versions, photos and marketplace copies (seed 001 retention).';
create index listings_archive_user_id_idx on quicksell.listings_archive (user_id, deleted_at desc);

create table quicksell.analytics_events_archive (
  id bigint primary key,
  user_id uuid references public.profiles (id) on delete set null,
  account_id uuid references public.accounts (id) on delete cascade,
  product text not null check (product = 'quicksell'),
  event_type text not null,
  event_name text,
  context jsonb not null default '{}'::jsonb,
  event_data jsonb not null default '{}'::jsonb,
  session_id text,
  ip_address inet,
  user_agent text,
  created_at timestamptz not null,
  archived_at timestamptz not null default now()
);
comment on table quicksell.analytics_events_archive is
  'QuickSell analytics events older than a year, moved out of public.analytics_events (seed 001 retention).';
create index analytics_events_archive_user_id_idx on quicksell.analytics_events_archive (user_id, created_at desc);
create index analytics_events_archive_account_id_idx on quicksell.analytics_events_archive (account_id);

-- The job reads the hot table by product and age.
create index analytics_events_product_created_at_idx on public.analytics_events (product, created_at);
-- The job finds listings deleted long ago.
create index listings_deleted_at_idx on quicksell.listings (deleted_at) where deleted_at is not null;

alter table quicksell.listings_archive enable row level security;
alter table quicksell.analytics_events_archive enable row level security;
revoke all on quicksell.listings_archive, quicksell.analytics_events_archive from anon, authenticated, service_role;
grant select on quicksell.listings_archive, quicksell.analytics_events_archive to authenticated, service_role;

create policy "listings_archive: seller and platform admins read" on quicksell.listings_archive for select to authenticated
  using (user_id = (select auth.uid()) or (select private.is_platform_admin()));
create policy "analytics_events_archive: own and platform admins read" on quicksell.analytics_events_archive for select to authenticated
  using (user_id = (select auth.uid()) or (select private.is_platform_admin()));

-- Removes archived listings from the hot tables: their versions, photos and
-- marketplace copies go by their foreign keys' ON DELETE CASCADE, in the
-- same statement (so a history guard that lets a row go with its listing
-- lets these go too).
create or replace function private.quicksell_purge_listings(p_ids uuid[])
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  if cardinality(p_ids) = 0 then
    return;
  end if;
  delete from quicksell.listings l where l.id = any (p_ids);
end;
$$;
revoke execute on function private.quicksell_purge_listings(uuid[]) from public, anon, authenticated;

create or replace function private.quicksell_retention(p_at timestamptz default now(), p_batch integer default 1000)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_ids uuid[];
  v_listings integer;
  v_events integer;
begin
  if p_batch is null or p_batch not between 1 and 100000 then
    raise exception 'batch: 1 to 100000' using errcode = '22023';
  end if;

  select coalesce(array_agg(l.id), '{}') into v_ids from (
    select l.id from quicksell.listings l
    where l.deleted_at is not null and l.deleted_at < p_at - interval '90 days'
      and not exists (select 1 from quicksell.sales s where s.listing_id = l.id)
    order by l.deleted_at
    limit p_batch
    for update skip locked
  ) l;

  insert into quicksell.listings_archive (id, user_id, deleted_at, archived_at, listing, versions, photos, marketplace_listings)
  select l.id, l.user_id, l.deleted_at, p_at, to_jsonb(l),
         coalesce((select jsonb_agg(to_jsonb(v) order by v.version) from quicksell.listing_versions v where v.listing_id = l.id), '[]'),
         coalesce((select jsonb_agg(to_jsonb(p) order by p.display_order) from quicksell.photos p where p.listing_id = l.id), '[]'),
         coalesce((select jsonb_agg(to_jsonb(m) order by m.created_at) from quicksell.marketplace_listings m where m.listing_id = l.id), '[]')
  from quicksell.listings l
  where l.id = any (v_ids)
  on conflict (id) do nothing;

  perform private.quicksell_purge_listings(v_ids);
  v_listings := cardinality(v_ids);

  with moved as (
    delete from public.analytics_events e
    where e.id in (select x.id from public.analytics_events x
                   where x.product = 'quicksell' and x.created_at < p_at - interval '1 year'
                   order by x.created_at limit p_batch)
    returning e.*
  )
  insert into quicksell.analytics_events_archive (id, user_id, account_id, product, event_type, event_name, context, event_data,
                                                  session_id, ip_address, user_agent, created_at, archived_at)
  select m.id, m.user_id, m.account_id, m.product, m.event_type, m.event_name, m.context, m.event_data,
         m.session_id, m.ip_address, m.user_agent, m.created_at, p_at
  from moved m
  on conflict (id) do nothing;
  get diagnostics v_events = row_count;

  return jsonb_build_object('listings_archived', v_listings, 'analytics_events_archived', v_events);
end;
$$;
revoke execute on function private.quicksell_retention(timestamptz, integer) from public, anon, authenticated;

select cron.schedule('quicksell-retention', '20 3 * * *', 'select private.quicksell_retention()');
