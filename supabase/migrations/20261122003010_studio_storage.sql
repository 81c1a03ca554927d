-- Adds the Storage bucket for Studio media, `studio-media`: public (media
-- libraries show their files by URL; object names carry random ids), up to
-- 50 MB per file, images, GIF, SVG and video only. Object names start with
-- the owner's user id: `<user_id>/<project_id>/<ai_job_id>.<ext>` for
-- generated media (written by the ai-jobs worker as service_role), and
-- `<user_id>/uploads/...` for an agent's own uploads (source photos).
-- Policies: agents upload, read and delete inside their own folder;
-- platform admins read everything. Public URLs need no policy.

insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values ('studio-media', 'studio-media', true, 52428800,
        array['image/png', 'image/jpeg', 'image/webp', 'image/gif', 'image/svg+xml', 'video/mp4', 'video/webm'])
on conflict (id) do nothing;

create policy "studio-media: agents upload into their own folder"
  on storage.objects for insert to authenticated
  with check (bucket_id = 'studio-media' and (storage.foldername(name))[1] = (select auth.uid())::text);

create policy "studio-media: owners and admins read"
  on storage.objects for select to authenticated
  using (bucket_id = 'studio-media'
         and ((storage.foldername(name))[1] = (select auth.uid())::text or (select private.is_platform_admin())));

create policy "studio-media: owners replace their files"
  on storage.objects for update to authenticated
  using (bucket_id = 'studio-media' and (storage.foldername(name))[1] = (select auth.uid())::text)
  with check (bucket_id = 'studio-media' and (storage.foldername(name))[1] = (select auth.uid())::text);

create policy "studio-media: owners delete their files"
  on storage.objects for delete to authenticated
  using (bucket_id = 'studio-media' and (storage.foldername(name))[1] = (select auth.uid())::text);
