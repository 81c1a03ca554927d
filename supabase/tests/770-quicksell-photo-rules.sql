-- quicksell.photos rules (20261202130000_quicksell_photo_rules.sql):
--   * original_url must name an existing object in the seller's own
--     listing folder; storage_path is derived from it;
--   * one primary photo per listing, whatever the seller sets or deletes;
--   * display_order dense 0..n-1 after inserts (anywhere), moves, deletes
--     and quicksell.reorder_photos (seller only, every photo exactly once);
--   * every insert enqueues one photo_process job;
--   * what the file is (width, height, size, type, renditions, AI fields)
--     is written only by the backend's private.quicksell_photo_processed.

begin;
select plan(36);

select tests.fixture() as team \gset
select tests.get_supabase_uid('owner') as owner_id, tests.get_supabase_uid('rival') as rival_id \gset

insert into quicksell.listings (id, user_id, title, description, category, condition, price)
values ('00000000-0000-4000-8000-00000000a770', :'owner_id', 'Desk lamp', 'Brass desk lamp', 'home', 'good', 25),
       ('00000000-0000-4000-8000-00000000b770', :'rival_id', 'Rival lamp', 'Another lamp', 'home', 'good', 20);
\set l '00000000-0000-4000-8000-00000000a770'
\set r '00000000-0000-4000-8000-00000000b770'

insert into storage.objects (bucket_id, name, owner)
select 'quicksell-photos', :'owner_id' || '/' || :'l' || '/' || f, :'owner_id'
from unnest(array['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg', 'e.jpg']) f;
insert into storage.objects (bucket_id, name, owner) values ('quicksell-photos', :'rival_id' || '/' || :'r' || '/x.jpg', :'rival_id');

create temp table ids (label text primary key, id uuid);
grant select, insert on ids to authenticated, anon, service_role;

create function pg_temp.add_photo(p_label text, p_order integer default null)
returns uuid language plpgsql as $$
declare v uuid;
begin
  insert into quicksell.photos (listing_id, original_url, filename, display_order)
  values ('00000000-0000-4000-8000-00000000a770',
          tests.get_supabase_uid('owner') || '/00000000-0000-4000-8000-00000000a770/' || p_label || '.jpg', p_label || '.jpg', p_order)
  returning id into v;
  insert into ids values (p_label, v);
  return v;
end $$;

create function pg_temp.layout()
returns text language sql as $$
  select string_agg(i.label || p.display_order || case when p.is_primary then '*' else '' end, ' ' order by p.display_order)
  from quicksell.photos p join ids i on i.id = p.id
  where p.listing_id = '00000000-0000-4000-8000-00000000a770'
$$;

-- ---------------------------------------------------------------- inserts
select tests.authenticate_as('owner');
select lives_ok($$ select pg_temp.add_photo('a') $$, 'the seller adds a photo of an object he uploaded');
select is(pg_temp.layout(), 'a0*', 'the first photo is primary, at position 0');
select is((select storage_path from quicksell.photos where id = (select id from ids where label = 'a')),
          tests.get_supabase_uid('owner') || '/00000000-0000-4000-8000-00000000a770/a.jpg', 'storage_path is the object name');
select pg_temp.add_photo('b');
select pg_temp.add_photo('c', 99);
select is(pg_temp.layout(), 'a0* b1 c2', 'later photos append (an order past the end is clamped)');
select pg_temp.add_photo('d', 0);
select is(pg_temp.layout(), 'd0 a1* b2 c3', 'a photo inserted at 0 shifts the others down');

select throws_ok(
  format($q$ insert into quicksell.photos (listing_id, original_url) values (%L, %L) $q$,
         :'l', :'owner_id' || '/' || :'l' || '/missing.jpg'),
  '22023', 'original_url: no such object in quicksell-photos (upload it first)', 'a photo needs its uploaded object');
select throws_ok(
  format($q$ insert into quicksell.photos (listing_id, original_url) values (%L, %L) $q$,
         :'l', :'rival_id' || '/' || :'r' || '/x.jpg'),
  '22023', null, 'nor may it point at another seller''s file');
select throws_ok(
  format($q$ insert into quicksell.photos (listing_id, original_url) values (%L, %L) $q$,
         :'l', :'owner_id' || '/' || :'l' || '/../' || :'l' || '/a.jpg'),
  '22023', null, 'or climb out of the folder');
select throws_ok(
  format($q$ insert into quicksell.photos (listing_id, original_url) values (%L, %L) $q$,
         :'r', :'owner_id' || '/' || :'l' || '/e.jpg'),
  '42501', null, 'a seller cannot attach photos to another seller''s listing');
select lives_ok(
  format($q$ insert into quicksell.photos (listing_id, original_url) values (%L, %L) $q$,
         :'l', 'http://127.0.0.1:54321/storage/v1/object/authenticated/quicksell-photos/' || :'owner_id' || '/' || :'l' || '/e.jpg'),
  'a Storage URL of the object is accepted too');
insert into ids select 'e', p.id from quicksell.photos p where p.storage_path like '%/e.jpg';
select is(pg_temp.layout(), 'd0 a1* b2 c3 e4', 'appended at the end');

-- What the file is comes from the file: clients cannot write it.
select throws_ok(format($q$ update quicksell.photos set width = 4000, mime_type = 'image/png' where id = %L $q$, (select id from ids where label = 'a')),
  '42501', null, 'the seller cannot set width or mime_type');
select throws_ok(format($q$ update quicksell.photos set thumb_url = 'https://evil.example/x.jpg' where id = %L $q$, (select id from ids where label = 'a')),
  '42501', null, 'nor thumb_url');
select throws_ok(format($q$ update quicksell.photos set quality_score = 1 where id = %L $q$, (select id from ids where label = 'a')),
  '42501', null, 'nor the AI fields');
select throws_ok(
 format($q$ insert into quicksell.photos (listing_id, original_url, width, file_size) values (%L, %L, 10, 10) $q$,
         :'l', :'owner_id' || '/' || :'l' || '/a.jpg'),
  '42501', null, 'nor supply them on insert');

-- ---------------------------------------------------------------- primary
select lives_ok(format($q$ update quicksell.photos set is_primary = true where id = %L $q$, (select id from ids where label = 'c')),
  'the seller makes another photo primary');
select is(pg_temp.layout(), 'd0 a1 b2 c3* e4', 'the old primary is cleared');
update quicksell.photos set is_primary = false where id = (select id from ids where label = 'c');
select is(pg_temp.layout(), 'd0* a1 b2 c3 e4', 'unsetting the primary hands it to the first photo');
select is((select count(*)::int from quicksell.photos where listing_id = :'l' and is_primary), 1, 'exactly one primary');

-- ---------------------------------------------------------------- moves, deletes
update quicksell.photos set display_order = 0 where id = (select id from ids where label = 'b');
select is(pg_temp.layout(), 'b0 d1* a2 c3 e4', 'moving up shifts the photos between down');
update quicksell.photos set display_order = 3 where id = (select id from ids where label = 'b');
select is(pg_temp.layout(), 'd0* a1 c2 b3 e4', 'moving down shifts them up');
update quicksell.photos set display_order = -5 where id = (select id from ids where label = 'e');
select is(pg_temp.layout(), 'e0 d1* a2 c3 b4', 'a negative position is clamped to 0');
delete from quicksell.photos where id = (select id from ids where label = 'd');
select is(pg_temp.layout(), 'e0* a1 c2 b3', 'deleting the primary closes the gap and hands the primary on');
delete from quicksell.photos where id = (select id from ids where label = 'a');
select is(pg_temp.layout(), 'e0* c1 b2', 'deleting another photo closes the gap');

-- ---------------------------------------------------------------- reorder
select is((select string_agg(p.display_order::text, ',' order by p.display_order)
           from quicksell.reorder_photos(:'l', array[(select id from ids where label = 'b'), (select id from ids where label = 'e'), (select id from ids where label = 'c')]) p),
  '0,1,2', 'reorder_photos returns the photos in their new order');
select is(pg_temp.layout(), 'b0 e1* c2', 'and the order is exactly the one given (the primary stays)');
select throws_ok(format($q$ select quicksell.reorder_photos(%L, array[%L, %L]::uuid[]) $q$, :'l', (select id from ids where label = 'b'), (select id from ids where label = 'e')),
  '22023', 'p_photo_ids: must list every photo of the listing exactly once (3 photos)', 'every photo must be listed');
select throws_ok(format($q$ select quicksell.reorder_photos(%L, array[%L, %L, %L]::uuid[]) $q$, :'l',
                        (select id from ids where label = 'b'), (select id from ids where label = 'b'), (select id from ids where label = 'e')),
  '22023', null, 'exactly once');
select throws_ok(format($q$ select quicksell.reorder_photos(%L, array[]::uuid[]) $q$, '00000000-0000-4000-8000-000000000000'),
  'PT404', null, 'an unknown listing is 404');
select tests.authenticate_as('rival');
select throws_ok(format($q$ select quicksell.reorder_photos(%L, array[%L, %L, %L]::uuid[]) $q$, :'l',
                        (select id from ids where label = 'b'), (select id from ids where label = 'e'), (select id from ids where label = 'c')),
  '42501', null, 'only the seller reorders');
select tests.authenticate_as_anon();
select throws_ok(format($q$ select quicksell.reorder_photos(%L, array[]::uuid[]) $q$, :'l'), '42501', null, 'anon cannot call it');

-- ---------------------------------------------------------------- backend
select tests.clear_authentication();
select is((select count(*)::int from public.jobs j where j.queue = 'quicksell.photo' and j.payload ->> 'kind' = 'photo_process'
           and (j.payload ->> 'photo_id')::uuid in (select id from ids)), 5, 'every insert enqueued one photo_process job');
insert into quicksell.photos (id, listing_id, user_id, original_url)
values ('00000000-0000-4000-8000-0000000f0770', :'l', :'owner_id', :'owner_id' || '/' || :'l' || '/not-yet.jpg');
select is((select count(*)::int from public.jobs j where j.queue = 'quicksell.photo' and j.payload ->> 'photo_id' = '00000000-0000-4000-8000-0000000f0770'), 0,
  'a row the backend links ahead of its file queues nothing (the job could only fail)');
delete from quicksell.photos where id = '00000000-0000-4000-8000-0000000f0770';
select tests.authenticate_as_service_role();
select ok(private.quicksell_photo_processed((select id from ids where label = 'b'),
  '{"mime_type": "image/jpeg", "width": 1200, "height": 800, "file_size": 12345, "thumb_url": "t", "optimized_url": "o"}',
  '{"background_type": "plain_white", "quality_score": 0.9, "object_confidence": 0.8, "contains_faces": null, "contains_hands": null}'),
  'the processing function records what the file is');
select results_eq(format($q$ select width, height, file_size, mime_type::text, background_type::text, quality_score, contains_faces from quicksell.photos where id = %L $q$, (select id from ids where label = 'b')),
  $$ values (1200, 800, 12345, 'image/jpeg', 'plain_white', 0.90::numeric, null::boolean) $$, 'width, height, size, type and analysis are stored');
select ok(not private.quicksell_photo_processed('00000000-0000-4000-8000-000000000000', '{"mime_type": "image/jpeg"}'), 'a photo deleted meanwhile is skipped');

select * from finish();
rollback;
