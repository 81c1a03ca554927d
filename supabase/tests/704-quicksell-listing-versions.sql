-- quicksell.listing_versions, written by private.quicksell_write_listing_version():
--   * the insert is version 1 with every field set (old null); each edit the
--     next version with exactly the fields that changed ({field: {old, new}})
--     and the listing's title/description/price/status after it;
--   * an update that changes nothing but the view counters writes nothing;
--   * created_by: the signed-in user acting, or the seller for the backend;
--   * rights: the seller (and platform admins) read his listings' history;
--     nobody, not even service_role or the table owner, writes, edits or
--     deletes it; it goes only with its listing, when the backend deletes one.
-- (Dense numbering under concurrent edits: tests/quicksell-versions-race.test.ts.)

begin;
select plan(24);

select tests.quicksell_data() as seller \gset

select format('select 1 from quicksell.listing_versions where listing_id in %s',
         tests.qs_in(array['listing:pub', 'listing:draft', 'listing:sold', 'listing:rival'])) as read_sql,
       format($q$ insert into quicksell.listing_versions (listing_id, changes, version, created_by)
                  values (%L, '{}', 99, %L) $q$, tests.qs('listing:pub'), :'seller') as insert_sql,
       format($q$ update quicksell.listing_versions set changes = '{}' where listing_id = %L $q$, tests.qs('listing:pub')) as update_sql,
       format($q$ delete from quicksell.listing_versions where listing_id = %L $q$, tests.qs('listing:pub')) as delete_sql \gset

select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'anon: no history at all');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'a stranger sees no one''s history');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=4, insert 42501, update 42501, delete 42501', 'the seller reads his listings'' history and cannot touch it');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'a teammate sees none');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'the buyer sees none');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=5, insert 42501, update 42501, delete 42501', 'a platform admin reads all, writes none');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=5, insert 42501, update 42501, delete 42501', 'service_role reads all, writes none');
select throws_ok(:'insert_sql', '42501', 'listing_versions: written only by the listing''s own trigger',
  'not even the table owner writes history');
select throws_ok(:'update_sql', '42501', 'listing_versions: history cannot be changed or deleted', 'nor edits it');
select throws_ok(:'delete_sql', '42501', 'listing_versions: history cannot be changed or deleted', 'nor deletes it');
select throws_ok('truncate quicksell.listing_versions cascade', '42501', null, 'nor truncates it');

-- ---------------------------------------------------------------- what is written
select tests.authenticate_as('owner');
insert into quicksell.listings (title, description, category, condition, price)
values ('Versioned lamp', 'brass', 'home', 'good', 40) returning id as l \gset
update quicksell.listings set price = 35, title = 'Versioned lamp (brass)' where id = :'l';
update quicksell.listings set price = 35 where id = :'l';
update quicksell.listings set status = 'published' where id = :'l';
select tests.clear_authentication();

select results_eq(format($q$ select version, created_by from quicksell.listing_versions where listing_id = %L order by version $q$, :'l'),
  format($q$ values (1, %1$L::uuid), (2, %1$L::uuid), (3, %1$L::uuid) $q$, :'seller'),
  'insert, edit, publish: versions 1, 2, 3 by the seller; the no-op edit wrote none');
select is((select changes from quicksell.listing_versions where listing_id = :'l' and version = 1) -> 'title',
  '{"old": null, "new": "Versioned lamp"}'::jsonb, 'version 1 holds every field set, with old null');
select ok(not ((select changes from quicksell.listing_versions where listing_id = :'l' and version = 1) ?| array['id', 'user_id', 'created_at', 'updated_at', 'view_count', 'click_count']),
  'bookkeeping columns and counters are not part of a diff');
select is((select changes from quicksell.listing_versions where listing_id = :'l' and version = 2),
  '{"price": {"old": 40.00, "new": 35.00}, "title": {"old": "Versioned lamp", "new": "Versioned lamp (brass)"}}'::jsonb,
  'version 2 holds exactly the two fields that changed');
select results_eq(format($q$ select title::text, description, price, status::text from quicksell.listing_versions where listing_id = %L and version = 2 $q$, :'l'),
  $$ values ('Versioned lamp (brass)', 'brass', 35.00::numeric, 'draft') $$, 'and the listing as it stood after the edit');
select is((select (changes -> 'status') from quicksell.listing_versions where listing_id = :'l' and version = 3),
  '{"old": "draft", "new": "published"}'::jsonb, 'publishing is a version (with its published_at)');
select ok((select changes ? 'published_at' from quicksell.listing_versions where listing_id = :'l' and version = 3),
  'published_at, set by the database, is in the diff');

update quicksell.listings set view_count = view_count + 1, click_count = click_count + 1 where id = :'l';
select is((select max(version) from quicksell.listing_versions where listing_id = :'l'), 3, 'counting views writes no version');

select is(tests.probe('service_role', format($q$ update quicksell.listings set estimated_price = 38 where id = %L $q$, :'l')), 'rows=1',
  'the backend sets an estimate');
update quicksell.listings set estimated_price = 38 where id = :'l';
select is((select created_by from quicksell.listing_versions where listing_id = :'l' and version = 4), :'seller'::uuid,
  'a backend write without a user is recorded as the seller''s');

-- A definer RPC acting for a signed-in user (e.g. a buyer's purchase): that user.
select tests.authenticate_as('member');
set local role postgres;
update quicksell.listings set status = 'sold' where id = :'l';
select tests.clear_authentication();
select is((select created_by from quicksell.listing_versions where listing_id = :'l' and version = 5), tests.get_supabase_uid('member'),
  'a definer function''s write is recorded as the signed-in user acting');

-- History goes with its listing when the backend deletes one (a draft, no sales).
select is(tests.probe('service_role', format($q$ delete from quicksell.listings where id = %L $q$, tests.qs('listing:draft'))), 'rows=1',
  'the backend deletes a draft');
delete from quicksell.listings where id = tests.qs('listing:draft');
select is_empty(format($q$ select 1 from quicksell.listing_versions where listing_id = %L $q$, tests.qs('listing:draft')),
  'and its history goes with it');

select * from finish();
rollback;
