-- The quicksell-photos bucket (20261202130100_quicksell_photo_storage.sql):
-- private; the seller uploads only into `<own id>/<own listing>/<file>`;
-- anyone reads a public listing's photos (originals and renditions) and
-- nothing else; the seller reads his folder; platform admins read all; an
-- upload a photo row references can no longer be replaced or deleted.

begin;
select plan(27);

select tests.fixture() as team \gset
select tests.get_supabase_uid('owner') as owner_id, tests.get_supabase_uid('rival') as rival_id \gset

insert into quicksell.listings (id, user_id, title, description, category, condition, price)
values ('00000000-0000-4000-8000-00000000a771', :'owner_id', 'Draft chair', 'A chair', 'home', 'good', 40),
       ('00000000-0000-4000-8000-00000000b771', :'owner_id', 'Public chair', 'A chair', 'home', 'good', 40),
       ('00000000-0000-4000-8000-00000000c771', :'rival_id', 'Rival chair', 'A chair', 'home', 'good', 40);
update quicksell.listings set status = 'published', published_at = now() where id = '00000000-0000-4000-8000-00000000b771';
\set draft '00000000-0000-4000-8000-00000000a771'
\set pub '00000000-0000-4000-8000-00000000b771'
\set rl '00000000-0000-4000-8000-00000000c771'

select results_eq($$ select public, file_size_limit, allowed_mime_types from storage.buckets where id = 'quicksell-photos' $$,
  $$ values (false, 10485760::bigint, array['image/jpeg', 'image/png']) $$, 'the bucket is private, 10 MB, JPEG and PNG');

-- ---------------------------------------------------------------- upload
create function pg_temp.put(p_name text) returns text language sql as $$
  select format($q$ insert into storage.objects (bucket_id, name, owner) values ('quicksell-photos', %L, auth.uid()) $q$, p_name)
$$;
select is(tests.probe('owner', pg_temp.put(:'owner_id' || '/' || :'draft' || '/a.jpg')), 'rows=1', 'the seller uploads into his listing''s folder');
select is(tests.probe('owner', pg_temp.put(:'owner_id' || '/' || :'rl' || '/a.jpg')), '42501', 'not into a folder named after another seller''s listing');
select is(tests.probe('owner', pg_temp.put(:'rival_id' || '/' || :'rl' || '/a.jpg')), '42501', 'nor into another seller''s folder');
select is(tests.probe('owner', pg_temp.put(:'owner_id' || '/00000000-0000-4000-8000-000000000000/a.jpg')), '42501', 'nor for a listing that does not exist');
select is(tests.probe('owner', pg_temp.put(:'owner_id' || '/not-a-uuid/a.jpg')), '42501', 'nor under a name that is not a listing id');
select is(tests.probe('owner', pg_temp.put(:'owner_id' || '/a.jpg')), '42501', 'nor outside a listing folder');
select is(tests.probe('owner', pg_temp.put(:'owner_id' || '/' || :'draft' || '/00000000-0000-4000-8000-000000000001/thumb.jpg')), '42501',
  'renditions (one folder deeper) are the backend''s');
select is(tests.probe('anon', pg_temp.put(:'owner_id' || '/' || :'draft' || '/a.jpg')), '42501', 'anon uploads nothing');
update quicksell.listings set deleted_at = now() where id = :'rl';
select is(tests.probe('rival', pg_temp.put(:'rival_id' || '/' || :'rl' || '/late.jpg')), '42501', 'nor into a deleted listing');

-- ---------------------------------------------------------------- read
insert into storage.objects (bucket_id, name, owner) values
  ('quicksell-photos', :'owner_id' || '/' || :'draft' || '/d.jpg', :'owner_id'),
  ('quicksell-photos', :'owner_id' || '/' || :'pub' || '/p.jpg', :'owner_id'),
  ('quicksell-photos', :'owner_id' || '/' || :'pub' || '/loose.jpg', :'owner_id');
insert into quicksell.photos (id, listing_id, user_id, original_url) values
  ('00000000-0000-4000-8000-0000000d0771', :'draft', :'owner_id', :'owner_id' || '/' || :'draft' || '/d.jpg'),
  ('00000000-0000-4000-8000-0000000e0771', :'pub', :'owner_id', :'owner_id' || '/' || :'pub' || '/p.jpg');
insert into storage.objects (bucket_id, name) values
  ('quicksell-photos', :'owner_id' || '/' || :'pub' || '/00000000-0000-4000-8000-0000000e0771/thumb.jpg');

create function pg_temp.get(p_name text) returns text language sql as $$
  select format($q$ select 1 from storage.objects where bucket_id = 'quicksell-photos' and name = %L $q$, p_name)
$$;
select is(tests.probe('anon', pg_temp.get(:'owner_id' || '/' || :'pub' || '/p.jpg')), 'rows=1', 'anyone reads a public listing''s photo');
select is(tests.probe('anon', pg_temp.get(:'owner_id' || '/' || :'pub' || '/00000000-0000-4000-8000-0000000e0771/thumb.jpg')), 'rows=1',
  'and its renditions');
select is(tests.probe('stranger', pg_temp.get(:'owner_id' || '/' || :'pub' || '/p.jpg')), 'rows=1', 'signed in too');
select is(tests.probe('anon', pg_temp.get(:'owner_id' || '/' || :'pub' || '/loose.jpg')), 'rows=0', 'but not a loose upload in its folder');
select is(tests.probe('anon', pg_temp.get(:'owner_id' || '/' || :'draft' || '/d.jpg')), 'rows=0', 'nor a draft''s photo');
select is(tests.probe('rival', pg_temp.get(:'owner_id' || '/' || :'draft' || '/d.jpg')), 'rows=0', 'not even for another seller');
select is(tests.probe('owner', pg_temp.get(:'owner_id' || '/' || :'draft' || '/d.jpg')), 'rows=1', 'the seller reads his own');
select is(tests.probe('platform_admin', pg_temp.get(:'owner_id' || '/' || :'draft' || '/d.jpg')), 'rows=1', 'a platform admin reads everything');
update quicksell.listings set status = 'delisted' where id = :'pub';
select is(tests.probe('anon', pg_temp.get(:'owner_id' || '/' || :'pub' || '/p.jpg')), 'rows=0', 'a delisted listing''s photos stop being public at once');
update quicksell.listings set status = 'published' where id = :'pub';
update quicksell.listings set deleted_at = now() where id = :'pub';
select is(tests.probe('anon', pg_temp.get(:'owner_id' || '/' || :'pub' || '/00000000-0000-4000-8000-0000000e0771/thumb.jpg')), 'rows=0',
  'and a deleted one''s renditions too');
update quicksell.listings set deleted_at = null where id = :'pub';

-- ---------------------------------------------------------------- replace, delete
create function pg_temp.del(p_name text) returns text language sql as $$
  select format($q$ delete from storage.objects where bucket_id = 'quicksell-photos' and name = %L $q$, p_name)
$$;
create function pg_temp.touch(p_name text) returns text language sql as $$
  select format($q$ update storage.objects set metadata = '{"size": 1}' where bucket_id = 'quicksell-photos' and name = %L $q$, p_name)
$$;
select is(tests.probe('owner', pg_temp.touch(:'owner_id' || '/' || :'pub' || '/loose.jpg')), 'rows=1', 'the seller replaces an upload no photo uses');
select is(tests.probe('owner', pg_temp.touch(:'owner_id' || '/' || :'pub' || '/p.jpg')), 'rows=0', 'not a processed photo''s file');
select is(tests.probe('owner', pg_temp.del(:'owner_id' || '/' || :'pub' || '/p.jpg')), 'rows=0', 'nor deletes it (delete the photo instead)');
select is(tests.probe('owner', pg_temp.del(:'owner_id' || '/' || :'pub' || '/00000000-0000-4000-8000-0000000e0771/thumb.jpg')), 'rows=0',
  'nor touches renditions');
select is(tests.probe('rival', pg_temp.del(:'owner_id' || '/' || :'pub' || '/loose.jpg')), 'rows=0', 'another seller deletes nothing of his');
select is(tests.probe('anon', pg_temp.del(:'owner_id' || '/' || :'pub' || '/loose.jpg')), 'rows=0', 'anon deletes nothing');
select is(tests.probe('owner', pg_temp.del(:'owner_id' || '/' || :'pub' || '/loose.jpg')), 'rows=1', 'the seller deletes his loose upload');

select * from finish();
rollback;
