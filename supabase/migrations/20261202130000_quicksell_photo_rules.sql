-- Adds the rules of quicksell.photos that qs-core's table leaves to media:
--   * photos.storage_path: the original's object name in the quicksell-photos
--     bucket, derived by trigger from original_url (an object name, or a
--     Storage URL ending in /quicksell-photos/<name>) and checked: it must be
--     `<seller id>/<listing id>/<file>` of this very photo's seller and
--     listing, and (for a client's insert) the object must exist;
--   * one primary photo per listing: the first photo is primary, setting one
--     primary clears the others, unsetting the primary hands it to the next
--     photo, deleting it too (a deferred exclusion constraint as the backstop);
--   * display_order dense 0..n-1 per listing: an insert goes where asked
--     (clamped; default last) and shifts the rest, a move shifts the photos
--     between, a delete closes the gap; quicksell.reorder_photos(listing,
--     ids[]) sets the whole order at once (seller only; every photo once);
--   * every insert enqueues a 'photo_process' job on queue 'quicksell.photo'
--     (drained by the quicksell-photos function), and
--     private.quicksell_photo_processed() is the one way its results
--     (width, height, file_size, mime_type, thumb_url, optimized_url and,
--     when asked, the AI fields) are written: read from the file, never
--     taken from the client (column grants keep clients off those columns).
-- Every photo change locks its listing row first, so two sellers' sessions
-- (or a reorder and an upload) racing on one listing serialise.
-- Invariants: supabase/tests/770-quicksell-photo-rules.sql.

alter table quicksell.photos add column storage_path text
  check (storage_path is null or (char_length(storage_path) between 5 and 1024 and storage_path !~ '(^|/)\.\.?(/|$)'));

comment on column quicksell.photos.storage_path is
  'The original''s object name in bucket quicksell-photos (<seller>/<listing>/<file>), derived from original_url.';

-- No default: an insert that names no position goes last (the trigger
-- places it; 0 would always mean "first").
alter table quicksell.photos alter column display_order drop default;

create unique index photos_storage_path_key on quicksell.photos (storage_path);
-- Deferred: a hand-over sets the next photo primary before the old one's row is written.
alter table quicksell.photos add constraint photos_one_primary_per_listing
  exclude using btree (listing_id with =) where (is_primary) deferrable initially deferred;

-- The two queues of QuickSell media (queue names are `<product>.<name>`).
insert into public.job_queues (queue, worker_function, batch_size, lease_seconds) values
  ('quicksell.photo', 'quicksell-photos', 4, 120),
  ('quicksell.ai', 'quicksell-ai', 4, 300)
on conflict (queue) do nothing;

-- original_url -> object name; null when it is not one of ours.
create or replace function private.quicksell_object_name(p_url text)
returns text
language sql
immutable
set search_path = ''
as $$
  select case
    when p_url is null then null
    when p_url ~ '^https?://' then nullif(substring(p_url from '/storage/v1/object/(?:public/|authenticated/|sign/)?quicksell-photos/([^?#]+)'), '')
    else nullif(regexp_replace(p_url, '^/+', ''), '')
  end
$$;

revoke execute on function private.quicksell_object_name(text) from public, anon, authenticated;

-- Locks the listing (the per-listing serialisation point of every photo change).
create or replace function private.quicksell_lock_listing_photos(p_listing_id uuid)
returns void
language sql
volatile
security definer
set search_path = ''
as $$
  select null::void from (select 1 from quicksell.listings l where l.id = p_listing_id for update) x
$$;

revoke execute on function private.quicksell_lock_listing_photos(uuid) from public, anon, authenticated;

-- Set only by quicksell.reorder_photos for its own update (API callers
-- cannot set settings: PostgREST exposes no set_config): the reorder
-- writes the whole order itself, so the shifting steps aside.
create or replace function private.quicksell_photos_reordering()
returns boolean
language sql
stable
set search_path = ''
as $$
  select coalesce(current_setting('quicksell.reordering', true), '') = 'on'
$$;

revoke execute on function private.quicksell_photos_reordering() from public, anon, authenticated;

create or replace function private.quicksell_photos_before_write()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_count integer;
  v_name text;
  v_parts text[];
  v_target integer;
begin
  -- Rows this trigger's own statements move (shifts, hand-overs) pass untouched.
  if pg_trigger_depth() > 1 then
    return new;
  end if;

  if tg_op = 'UPDATE' then
    if new.listing_id is distinct from old.listing_id then
      raise exception 'listing_id: a photo cannot move to another listing' using errcode = '22023';
    end if;
    if new.user_id is distinct from old.user_id then
      raise exception 'user_id: cannot change' using errcode = '22023';
    end if;
  end if;

  perform private.quicksell_lock_listing_photos(new.listing_id);
  if not exists (select 1 from quicksell.listings l where l.id = new.listing_id and l.user_id = new.user_id) then
    raise exception 'listing_id: a photo belongs to its listing''s seller' using errcode = '42501';
  end if;

  if tg_op = 'INSERT' or new.original_url is distinct from old.original_url then
    v_name := private.quicksell_object_name(new.original_url);
    v_parts := storage.foldername(v_name);
    if v_name is null or coalesce(array_length(v_parts, 1), 0) <> 2
       or v_parts[1] <> new.user_id::text or v_parts[2] <> new.listing_id::text then
      raise exception 'original_url: must name an object in quicksell-photos under %/%/', new.user_id, new.listing_id
        using errcode = '22023';
    end if;
    -- API callers must have uploaded it; the backend and demo data may link ahead of the file.
    if coalesce((select auth.role()), '') in ('anon', 'authenticated')
       and not exists (select 1 from storage.objects o where o.bucket_id = 'quicksell-photos' and o.name = v_name) then
      raise exception 'original_url: no such object in quicksell-photos (upload it first)' using errcode = '22023';
    end if;
    if tg_op = 'UPDATE' then
      -- A new file: what was measured from the old one no longer holds.
      new.width := null; new.height := null; new.file_size := null; new.mime_type := null;
      new.thumb_url := null; new.optimized_url := null;
      new.background_type := null; new.quality_score := null; new.object_confidence := null;
      new.contains_faces := null; new.contains_hands := null;
    end if;
    new.storage_path := v_name;
  end if;

  if private.quicksell_photos_reordering() then
    return new;
  end if;

  select count(*)::integer into v_count from quicksell.photos p
  where p.listing_id = new.listing_id and (tg_op = 'INSERT' or p.id <> new.id);

  if tg_op = 'INSERT' then
    v_target := least(greatest(coalesce(new.display_order, v_count), 0), v_count);
    update quicksell.photos p set display_order = p.display_order + 1
    where p.listing_id = new.listing_id and p.display_order >= v_target;
    new.display_order := v_target;
    if v_count = 0 then
      new.is_primary := true;
    end if;
  elsif new.display_order is distinct from old.display_order then
    v_target := least(greatest(coalesce(new.display_order, old.display_order), 0), v_count);
    if v_target > old.display_order then
      update quicksell.photos p set display_order = p.display_order - 1
      where p.listing_id = new.listing_id and p.id <> new.id and p.display_order > old.display_order and p.display_order <= v_target;
    elsif v_target < old.display_order then
      update quicksell.photos p set display_order = p.display_order + 1
      where p.listing_id = new.listing_id and p.id <> new.id and p.display_order >= v_target and p.display_order < old.display_order;
    end if;
    new.display_order := v_target;
  end if;

  if coalesce(new.is_primary, false) then
    update quicksell.photos p set is_primary = false
    where p.listing_id = new.listing_id and p.is_primary and (tg_op = 'INSERT' or p.id <> new.id);
  elsif tg_op = 'UPDATE' and old.is_primary then
    -- Unsetting the primary hands it to the first other photo; a lone photo stays primary.
    if v_count = 0 then
      new.is_primary := true;
    else
      update quicksell.photos p set is_primary = true
      where p.id = (select q.id from quicksell.photos q where q.listing_id = new.listing_id and q.id <> new.id
                    order by q.display_order, q.created_at, q.id limit 1);
    end if;
  end if;
  new.is_primary := coalesce(new.is_primary, false);
  return new;
end;
$$;

create trigger photos_before_write
  before insert or update of listing_id, user_id, original_url, display_order, is_primary on quicksell.photos
  for each row execute function private.quicksell_photos_before_write();

-- After a delete: close the gap, hand over the primary.
create or replace function private.quicksell_photos_after_delete()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if pg_trigger_depth() > 1 then
    return null;
  end if;
  -- The listing itself is being deleted: nothing to keep tidy.
  if not exists (select 1 from quicksell.listings l where l.id = old.listing_id) then
    return null;
  end if;
  perform private.quicksell_lock_listing_photos(old.listing_id);
  update quicksell.photos p set display_order = o.position
  from (select q.id, (row_number() over (order by q.display_order, q.created_at, q.id) - 1)::integer as position
        from quicksell.photos q where q.listing_id = old.listing_id) o
  where p.id = o.id and p.display_order <> o.position;
  if old.is_primary and not exists (select 1 from quicksell.photos p where p.listing_id = old.listing_id and p.is_primary) then
    update quicksell.photos p set is_primary = true
    where p.id = (select q.id from quicksell.photos q where q.listing_id = old.listing_id
                  order by q.display_order, q.created_at, q.id limit 1);
  end if;
  return null;
end;
$$;

create trigger photos_after_delete
  after delete on quicksell.photos
  for each row execute function private.quicksell_photos_after_delete();

-- Every new photo is processed (idempotent per photo).
create or replace function private.quicksell_photos_enqueue_processing()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.enqueue_job('quicksell.photo',
    jsonb_build_object('kind', 'photo_process', 'photo_id', new.id, 'listing_id', new.listing_id),
    new.user_id, 'photo_process:' || new.id || ':' || md5(new.storage_path));
  return null;
end;
$$;

create trigger photos_enqueue_processing
  after insert or update of storage_path on quicksell.photos
  for each row when (new.storage_path is not null)
  execute function private.quicksell_photos_enqueue_processing();

revoke execute on function private.quicksell_photos_before_write(), private.quicksell_photos_after_delete(),
  private.quicksell_photos_enqueue_processing() from public, anon, authenticated;

-- The seller sets the whole order of his listing's photos at once.
create or replace function quicksell.reorder_photos(p_listing_id uuid, p_photo_ids uuid[])
returns setof quicksell.photos
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := (select auth.uid());
  v_seller uuid;
  v_count integer;
begin
  if p_listing_id is null then
    raise exception 'p_listing_id: required' using errcode = '22023';
  end if;
  select l.user_id into v_seller from quicksell.listings l where l.id = p_listing_id and l.deleted_at is null;
  if v_seller is null then
    raise exception 'p_listing_id: no such listing' using errcode = 'PT404';
  end if;
  if v_uid is null or v_seller <> v_uid then
    raise exception 'p_listing_id: only the seller may reorder its photos' using errcode = '42501';
  end if;
  perform private.quicksell_lock_listing_photos(p_listing_id);
  select count(*)::integer into v_count from quicksell.photos p where p.listing_id = p_listing_id;
  if p_photo_ids is null or cardinality(p_photo_ids) <> v_count
     or (select count(distinct x) from unnest(p_photo_ids) x) <> v_count
     or exists (select 1 from unnest(p_photo_ids) x
                where not exists (select 1 from quicksell.photos p where p.id = x and p.listing_id = p_listing_id)) then
    raise exception 'p_photo_ids: must list every photo of the listing exactly once (% photos)', v_count using errcode = '22023';
  end if;
  perform set_config('quicksell.reordering', 'on', true);
  update quicksell.photos p set display_order = (o.ord - 1)::integer
  from unnest(p_photo_ids) with ordinality as o(id, ord)
  where p.id = o.id and p.display_order <> (o.ord - 1)::integer;
  perform set_config('quicksell.reordering', '', true);
  return query select * from quicksell.photos p where p.listing_id = p_listing_id order by p.display_order;
end;
$$;

revoke execute on function quicksell.reorder_photos(uuid, uuid[]) from public, anon;
grant execute on function quicksell.reorder_photos(uuid, uuid[]) to authenticated;

-- The processing function's one write: what the file is, where its
-- renditions are, and (when asked) what the analysis saw. False when the
-- photo is gone (deleted while it was being processed).
create or replace function private.quicksell_photo_processed(p_photo_id uuid, p_info jsonb, p_analysis jsonb default null)
returns boolean
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_listing uuid;
begin
  select p.listing_id into v_listing from quicksell.photos p where p.id = p_photo_id;
  if v_listing is null then
    return false;
  end if;
  perform private.quicksell_lock_listing_photos(v_listing);
  if (p_info ->> 'mime_type') not in ('image/jpeg', 'image/png') then
    raise exception 'mime_type: image/jpeg or image/png' using errcode = '22023';
  end if;
  update quicksell.photos p set
    mime_type = p_info ->> 'mime_type',
    width = (p_info ->> 'width')::integer,
    height = (p_info ->> 'height')::integer,
    file_size = (p_info ->> 'file_size')::integer,
    thumb_url = p_info ->> 'thumb_url',
    optimized_url = p_info ->> 'optimized_url',
    background_type = case when p_analysis is null then p.background_type else p_analysis ->> 'background_type' end,
    quality_score = case when p_analysis is null then p.quality_score else (p_analysis ->> 'quality_score')::numeric end,
    object_confidence = case when p_analysis is null then p.object_confidence else (p_analysis ->> 'object_confidence')::numeric end,
    contains_faces = case when p_analysis is null then p.contains_faces else (p_analysis ->> 'contains_faces')::boolean end,
    contains_hands = case when p_analysis is null then p.contains_hands else (p_analysis ->> 'contains_hands')::boolean end
  where p.id = p_photo_id;
  return found;
end;
$$;

revoke execute on function private.quicksell_photo_processed(uuid, jsonb, jsonb) from public, anon, authenticated;
grant execute on function private.quicksell_photo_processed(uuid, jsonb, jsonb) to service_role;
