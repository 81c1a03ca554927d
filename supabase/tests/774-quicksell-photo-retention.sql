-- Retention of unattached photos (20261202130300_quicksell_photo_retention.sql),
-- by moving the clock: 30 days after its listing was deleted a photo row
-- goes and its objects are returned for removal; objects no photo row
-- references go 30 days after upload; everything else stays.

begin;
select plan(9);

select tests.fixture() as team \gset
select tests.get_supabase_uid('owner') as owner_id \gset

insert into quicksell.listings (id, user_id, title, description, category, condition, price) values
  ('00000000-0000-4000-8000-00000000a774', :'owner_id', 'Deleted', 'gone', 'toys', 'good', 5),
  ('00000000-0000-4000-8000-00000000b774', :'owner_id', 'Kept', 'here', 'toys', 'good', 5),
  ('00000000-0000-4000-8000-00000000c774', :'owner_id', 'Archived', 'history', 'toys', 'good', 5);
\set gone '00000000-0000-4000-8000-00000000a774'
\set kept '00000000-0000-4000-8000-00000000b774'
\set arch '00000000-0000-4000-8000-00000000c774'
update quicksell.listings set status = 'archived' where id = :'arch';

insert into storage.objects (bucket_id, name, owner) values
  ('quicksell-photos', :'owner_id' || '/' || :'gone' || '/g.jpg', :'owner_id'),
  ('quicksell-photos', :'owner_id' || '/' || :'gone' || '/00000000-0000-4000-8000-0000000a0774/thumb.jpg', null),
  ('quicksell-photos', :'owner_id' || '/' || :'kept' || '/k.jpg', :'owner_id'),
  ('quicksell-photos', :'owner_id' || '/' || :'kept' || '/00000000-0000-4000-8000-0000000b0774/thumb.jpg', null),
  ('quicksell-photos', :'owner_id' || '/' || :'arch' || '/a.jpg', :'owner_id'),
  ('quicksell-photos', :'owner_id' || '/' || :'kept' || '/never-linked.jpg', :'owner_id'),
  ('studio-media', :'owner_id' || '/uploads/not-ours.png', :'owner_id');
insert into quicksell.photos (id, listing_id, user_id, original_url) values
  ('00000000-0000-4000-8000-0000000a0774', :'gone', :'owner_id', :'owner_id' || '/' || :'gone' || '/g.jpg'),
  ('00000000-0000-4000-8000-0000000b0774', :'kept', :'owner_id', :'owner_id' || '/' || :'kept' || '/k.jpg'),
  ('00000000-0000-4000-8000-0000000c0774', :'arch', :'owner_id', :'owner_id' || '/' || :'arch' || '/a.jpg');
update quicksell.listings set deleted_at = now() where id = :'gone';

select tests.authenticate_as_service_role();
select is(private.quicksell_photo_retention(now() + interval '29 days'), '{"photos": 0, "objects": []}'::jsonb - 'cutoff' || '{}'::jsonb
          || jsonb_build_object('cutoff', now() + interval '29 days' - interval '30 days'),
  '29 days on, nothing is due');
select private.quicksell_photo_retention(now() + interval '31 days') as due \gset
select is(((:'due'::jsonb) ->> 'photos')::int, 1, '31 days after its listing was deleted, the photo row goes');
select is((select count(*)::int from quicksell.photos where id = '00000000-0000-4000-8000-0000000a0774'), 0, 'gone from the table');
select set_eq(format($q$ select jsonb_array_elements_text(%L::jsonb -> 'objects') $q$, :'due'),
  array[:'owner_id' || '/' || :'gone' || '/g.jpg',
        :'owner_id' || '/' || :'gone' || '/00000000-0000-4000-8000-0000000a0774/thumb.jpg',
        :'owner_id' || '/' || :'gone' || '/00000000-0000-4000-8000-0000000a0774/optimized.jpg',
        :'owner_id' || '/' || :'kept' || '/never-linked.jpg'],
  'its original and renditions, and the upload never linked, are returned for removal');
select is((select count(*)::int from quicksell.photos where id in ('00000000-0000-4000-8000-0000000b0774', '00000000-0000-4000-8000-0000000c0774')), 2,
  'photos of a live listing and of an archived one stay');
select tests.clear_authentication();
delete from storage.objects where bucket_id = 'quicksell-photos' and name = any (array(select jsonb_array_elements_text((:'due'::jsonb) -> 'objects')));
select tests.authenticate_as_service_role();
select is(private.quicksell_photo_retention(now() + interval '31 days') -> 'objects', '[]'::jsonb, 'once removed, a second sweep finds nothing');

-- The seller deletes a photo: its files become orphans, removed 30 days after upload.
select tests.clear_authentication();
delete from quicksell.photos where id = '00000000-0000-4000-8000-0000000b0774';
select tests.authenticate_as_service_role();
select set_eq(format($q$ select jsonb_array_elements_text(%L::jsonb -> 'objects') $q$, private.quicksell_photo_retention(now() + interval '31 days')),
  array[:'owner_id' || '/' || :'kept' || '/k.jpg', :'owner_id' || '/' || :'kept' || '/00000000-0000-4000-8000-0000000b0774/thumb.jpg'],
  'a deleted photo''s files are orphans and go');
select is(tests.probe('owner', $$ select private.quicksell_photo_retention(now(), 10) $$), '42501', 'only the backend sweeps');
select tests.clear_authentication();
select is((select count(*)::int from cron.job where jobname = 'quicksell-photo-retention'), 1, 'pg_cron schedules the daily sweep');

select * from finish();
rollback;
