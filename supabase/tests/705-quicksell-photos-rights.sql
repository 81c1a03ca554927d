-- quicksell.photos, who may do what:
--   * a photo is public while its listing is (published or sold, not
--     deleted); the seller reads all of his; platform admins read all;
--   * the seller adds photos to his own listings only, reorders them
--     (display_order, is_primary) and deletes them;
--   * the file facts (file_size, mime_type, width, height), the derived
--     files (thumb_url, optimized_url) and the AI analysis are the
--     backend's: no client sets them, on insert or update;
--   * a photo cannot be moved to another listing or another user.

begin;
select plan(22);

select tests.quicksell_data() as seller \gset

-- The photo rules (770) take only an uploaded object <seller>/<listing>/<file>
-- of the quicksell-photos bucket as original_url: upload it first.
select format('%s/%s/desk.jpg', :'seller', tests.qs('listing:delisted')) as desk \gset
insert into storage.objects (bucket_id, name, owner, metadata)
values ('quicksell-photos', :'desk', :'seller', '{"mimetype": "image/jpeg", "size": 1024}');

select format('select 1 from quicksell.photos where id in %s', tests.qs_in(array['photo:pub', 'photo:draft'])) as read_sql,
       format($q$ insert into quicksell.photos (listing_id, original_url, filename, display_order)
                  values (%L, %L, 'desk.jpg', 1) $q$, tests.qs('listing:delisted'), :'desk') as insert_sql,
       format($q$ update quicksell.photos set display_order = 3, is_primary = false where id = %L $q$, tests.qs('photo:pub')) as update_sql,
       format($q$ delete from quicksell.photos where id = %L $q$, tests.qs('photo:draft')) as delete_sql \gset

select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'anon sees the public listing''s photo, writes nothing');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=0, delete rows=0', 'a stranger sees the public photo, adds none to another''s listing');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert rows=1, update rows=1, delete rows=1', 'the seller reads, adds, reorders and deletes his photos');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=0, delete rows=0', 'a teammate has no rights on them');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=0, delete rows=0', 'nor a member');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert 42501, update rows=0, delete rows=0', 'a platform admin reads them all');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert rows=1, update rows=1, delete rows=1', 'service_role reads and writes (user_id defaults to the seller)');

select is(tests.probe('owner', format($q$ insert into quicksell.photos (listing_id, original_url) values (%L, 'x.jpg') $q$, tests.qs('listing:rival'))),
  '42501', 'the seller cannot add a photo to another seller''s listing');
select is(tests.probe('owner', format($q$ insert into quicksell.photos (listing_id, user_id, original_url) values (%L, %L, 'x.jpg') $q$,
  tests.qs('listing:delisted'), :'seller')), '42501', 'user_id is never a client''s to set');
select is(tests.probe('owner', format($q$ insert into quicksell.photos (listing_id, original_url, width, height, file_size, mime_type)
  values (%L, 'x.jpg', 10000, 10000, 1, 'image/png') $q$, tests.qs('listing:delisted'))), '42501', 'nor the file facts on insert');
select is(tests.probe('owner', format($q$ insert into quicksell.photos (listing_id, original_url, thumb_url)
  values (%L, 'x.jpg', 'https://evil.example/t.jpg') $q$, tests.qs('listing:delisted'))), '42501', 'nor a derived URL');
select is(tests.probe('owner', format($q$ update quicksell.photos set width = 1 where id = %L $q$, tests.qs('photo:pub'))), '42501', 'width is the backend''s');
select is(tests.probe('owner', format($q$ update quicksell.photos set file_size = 1, mime_type = 'image/gif' where id = %L $q$, tests.qs('photo:pub'))), '42501', 'so are file_size and mime_type');
select is(tests.probe('owner', format($q$ update quicksell.photos set optimized_url = 'x' where id = %L $q$, tests.qs('photo:pub'))), '42501', 'and optimized_url');
select is(tests.probe('owner', format($q$ update quicksell.photos set quality_score = 1, contains_faces = false where id = %L $q$, tests.qs('photo:pub'))), '42501', 'and the AI analysis');
select is(tests.probe('owner', format($q$ update quicksell.photos set original_url = 'other.jpg' where id = %L $q$, tests.qs('photo:pub'))), '42501', 'the original is not swapped under its analysis');
select is(tests.probe('owner', format($q$ update quicksell.photos set listing_id = %L where id = %L $q$, tests.qs('listing:delisted'), tests.qs('photo:pub'))),
  '42501', 'a photo stays on its listing');
select is(tests.probe('service_role', format($q$ update quicksell.photos set width = 2400, height = 1600, file_size = 1000, mime_type = 'image/jpeg',
  thumb_url = 't.jpg', optimized_url = 'o.jpg', quality_score = 0.8, background_type = 'plain' where id = %L $q$, tests.qs('photo:pub'))),
  'rows=1', 'the photo function fills them in');
select is(tests.probe('service_role', format($q$ update quicksell.photos set mime_type = 'text/html' where id = %L $q$, tests.qs('photo:pub'))),
  '23514', 'a photo is an image');
select is(tests.probe('service_role', format($q$ update quicksell.photos set quality_score = 'NaN' where id = %L $q$, tests.qs('photo:pub'))),
  '23514', 'scores are finite, 0..1');
select is(tests.probe('anon', format($q$ select 1 from quicksell.photos where id = %L $q$, tests.qs('photo:draft'))),
  'rows=0', 'a draft''s photo is not public');
select is(tests.probe('owner', format($q$ select 1 from quicksell.photos p where p.id = %L $q$, tests.qs('photo:draft'))),
  'rows=1', 'its seller sees it');

select * from finish();
rollback;
