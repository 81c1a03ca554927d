-- Adds the Storage bucket for QuickSell photos, `quicksell-photos`: PRIVATE
-- (a draft's, a delisted or a deleted listing's photos must not be readable
-- by whoever kept a URL), up to 10 MB per file, JPEG and PNG only (the
-- processing function checks the bytes as well; the type a client names is
-- not trusted).
-- Object names: `<seller id>/<listing id>/<file>` for the seller's uploads
-- (originals), `<seller id>/<listing id>/<photo id>/thumb.jpg` and
-- `.../optimized.jpg` for the renditions the quicksell-photos function
-- writes as service_role.
-- Who may do what (storage.objects, this bucket):
--   * read: the seller his whole folder; anyone (anon too) the originals and
--     renditions of photos of a public listing (published or sold, not
--     deleted), from the moment it is public until it is not; platform
--     admins everything;
--   * upload: signed-in sellers, only `<own id>/<own, not deleted listing>/<file>`
--     (exactly that depth: renditions one level deeper are the backend's);
--   * replace and delete: the seller, his own uploads that no photo row
--     references yet (a processed photo's file cannot change under it; a
--     photo is removed by deleting its row, and its files go with retention).
-- The service role bypasses these policies, as on hosted Supabase.

insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values ('quicksell-photos', 'quicksell-photos', false, 10485760, array['image/jpeg', 'image/png'])
on conflict (id) do nothing;

-- The text of a uuid, or null (a policy must never raise on a stranger's object name).
create or replace function private.quicksell_uuid_or_null(p_text text)
returns uuid
language sql
immutable
set search_path = ''
as $$
  select case when p_text ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
              then p_text::uuid end
$$;

-- May the caller upload (or replace/delete) this object name? `<own id>/<own listing>/<file>` only.
create or replace function private.quicksell_may_write_object(p_name text)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_uid uuid := (select auth.uid());
  v_parts text[] := storage.foldername(p_name);
  v_listing uuid;
begin
  if v_uid is null or coalesce(array_length(v_parts, 1), 0) <> 2 or v_parts[1] <> v_uid::text then
    return false;
  end if;
  v_listing := private.quicksell_uuid_or_null(v_parts[2]);
  return v_listing is not null and exists (
    select 1 from quicksell.listings l where l.id = v_listing and l.user_id = v_uid and l.deleted_at is null);
end;
$$;

-- Is an upload free to change (no photo row references it yet)?
create or replace function private.quicksell_object_unreferenced(p_name text)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select not exists (select 1 from quicksell.photos p where p.storage_path = p_name)
$$;

-- May the caller read this object?
create or replace function private.quicksell_object_readable(p_name text)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_uid uuid := (select auth.uid());
  v_parts text[] := storage.foldername(p_name);
  v_seller uuid := private.quicksell_uuid_or_null(v_parts[1]);
  v_listing uuid := private.quicksell_uuid_or_null(v_parts[2]);
  v_photo uuid := private.quicksell_uuid_or_null(v_parts[3]);
begin
  if v_uid is not null and v_parts[1] = v_uid::text then
    return true;
  end if;
  if v_uid is not null and private.is_platform_admin() then
    return true;
  end if;
  if v_seller is null or v_listing is null then
    return false;
  end if;
  -- A public listing's photo: its original, or a rendition in its photo folder.
  return exists (
    select 1 from quicksell.listings l
    where l.id = v_listing and l.user_id = v_seller
      and l.status in ('published', 'sold') and l.deleted_at is null
      and (exists (select 1 from quicksell.photos p where p.storage_path = p_name and p.listing_id = l.id)
           or (coalesce(array_length(v_parts, 1), 0) = 3 and v_photo is not null
               and exists (select 1 from quicksell.photos p where p.id = v_photo and p.listing_id = l.id))));
end;
$$;

revoke execute on function private.quicksell_uuid_or_null(text), private.quicksell_may_write_object(text),
  private.quicksell_object_unreferenced(text), private.quicksell_object_readable(text) from public;
-- The policies below call them with the caller's rights.
grant execute on function private.quicksell_object_readable(text) to anon, authenticated, service_role;
revoke execute on function private.quicksell_uuid_or_null(text) from anon, authenticated;
grant execute on function private.quicksell_may_write_object(text), private.quicksell_object_unreferenced(text) to authenticated, service_role;

create policy "quicksell-photos: sellers upload into their listing folders"
  on storage.objects for insert to authenticated
  with check (bucket_id = 'quicksell-photos' and private.quicksell_may_write_object(name));

create policy "quicksell-photos: sellers, public listings and admins read"
  on storage.objects for select to anon, authenticated
  using (bucket_id = 'quicksell-photos' and private.quicksell_object_readable(name));

create policy "quicksell-photos: sellers replace unprocessed uploads"
  on storage.objects for update to authenticated
  using (bucket_id = 'quicksell-photos' and private.quicksell_may_write_object(name)
         and private.quicksell_object_unreferenced(name))
  with check (bucket_id = 'quicksell-photos' and private.quicksell_may_write_object(name));

create policy "quicksell-photos: sellers delete unattached uploads"
  on storage.objects for delete to authenticated
  using (bucket_id = 'quicksell-photos' and private.quicksell_may_write_object(name)
         and private.quicksell_object_unreferenced(name));
