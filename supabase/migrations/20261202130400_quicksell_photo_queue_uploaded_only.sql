-- Changes what the photos insert trigger queues: a 'photo_process' job only
-- when the photo's object is in the quicksell-photos bucket. An API caller's
-- photo always has one (20261202130000_quicksell_photo_rules.sql refuses it
-- otherwise); a row the backend or the demo data links ahead of its file
-- would only fail the job ("no object"), so it waits: the seller's
-- `POST /functions/v1/quicksell-photos {"photoId"}` processes it once the
-- file is there. Who may do what is unchanged.
-- Invariant: supabase/tests/770-quicksell-photo-rules.sql.

create or replace function private.quicksell_photos_enqueue_processing()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if exists (select 1 from storage.objects o where o.bucket_id = 'quicksell-photos' and o.name = new.storage_path) then
    perform private.enqueue_job('quicksell.photo',
      jsonb_build_object('kind', 'photo_process', 'photo_id', new.id, 'listing_id', new.listing_id),
      new.user_id, 'photo_process:' || new.id || ':' || md5(new.storage_path));
  end if;
  return null;
end;
$$;

revoke execute on function private.quicksell_photos_enqueue_processing() from public, anon, authenticated;
