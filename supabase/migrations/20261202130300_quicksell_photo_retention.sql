-- Adds retention of unattached QuickSell photos (seed 001: "Temporary files
-- (photos): clean up after 30 days if unused"). A photo is unattached when
--   * its listing was deleted (deleted_at) 30 or more days ago: the photo
--     row goes, and with it its original and renditions; or
--   * it is an object in quicksell-photos that no photo row references (an
--     upload never linked to a listing, or the files of a photo row the
--     seller deleted) and it was stored 30 or more days ago.
-- Archived and sold listings keep their photos (they are history, not litter).
-- private.quicksell_photo_retention(now, limit) deletes the rows and returns
-- every object name to remove; the quicksell-photos function removes those
-- objects from Storage (rows first: an object whose removal fails is an old
-- orphan, found again by the next sweep). pg_cron enqueues one 'retention'
-- job a day on 'quicksell.photo'. Tests move the clock through p_now.
-- Invariants: supabase/tests/773-quicksell-photo-retention.sql,
-- functions/quicksell-photos/index.test.ts.

create or replace function private.quicksell_photo_retention(p_now timestamptz default now(), p_limit integer default 1000)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_cutoff timestamptz := coalesce(p_now, now()) - interval '30 days';
  v_limit integer := least(greatest(coalesce(p_limit, 1000), 1), 5000);
  v_rows integer;
  v_names text[];
  v_orphans text[];
begin
  with doomed as (
    select p.id from quicksell.photos p
    join quicksell.listings l on l.id = p.listing_id
    where l.deleted_at is not null and l.deleted_at <= v_cutoff
    order by l.deleted_at
    limit v_limit
    for update of p skip locked
  ), gone as (
    delete from quicksell.photos p using doomed d where p.id = d.id
    returning p.id, p.user_id, p.listing_id, p.storage_path
  )
  select count(distinct g.id)::integer,
         coalesce(array_agg(n.name) filter (where n.name is not null), '{}')
  into v_rows, v_names
  from gone g
  cross join lateral (values (g.storage_path),
                             (g.user_id || '/' || g.listing_id || '/' || g.id || '/thumb.jpg'),
                             (g.user_id || '/' || g.listing_id || '/' || g.id || '/optimized.jpg')) n(name);

  select coalesce(array_agg(o.name), '{}') into v_orphans
  from (
    select o.name from storage.objects o
    where o.bucket_id = 'quicksell-photos' and o.created_at <= v_cutoff
      and not (o.name = any (v_names))
      and not exists (select 1 from quicksell.photos p where p.storage_path = o.name)
      and not exists (select 1 from quicksell.photos p
                      where p.id = private.quicksell_uuid_or_null((storage.foldername(o.name))[3])
                        and coalesce(array_length(storage.foldername(o.name), 1), 0) = 3)
    order by o.created_at
    limit v_limit
  ) o;

  return jsonb_build_object('photos', v_rows, 'objects', to_jsonb(v_names || v_orphans), 'cutoff', v_cutoff);
end;
$$;

revoke execute on function private.quicksell_photo_retention(timestamptz, integer) from public, anon, authenticated;
grant execute on function private.quicksell_photo_retention(timestamptz, integer) to service_role;

-- Daily at 03:41 UTC: one retention job (one per day, by key) for the quicksell-photos worker.
select cron.schedule('quicksell-photo-retention', '41 3 * * *',
  $$select private.enqueue_job('quicksell.photo', '{"kind": "retention"}'::jsonb, null, 'retention:' || to_char(now() at time zone 'UTC', 'YYYY-MM-DD'))$$);
