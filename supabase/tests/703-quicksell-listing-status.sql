-- quicksell.listings, the rules of private.quicksell_guard_listing():
--   * the status machine: the seller's moves (draft -> published | archived,
--     published -> delisted, delisted -> published | archived, sold ->
--     archived), the backend's (published -> sold for a sale, sold ->
--     published when it is undone), and PT409 naming `status` for anything else;
--   * published_at: set on the first publish, kept when republished;
--   * publishing needs a description (22023 naming `description`);
--   * soft delete: stamped by the database, gone from every public read at
--     once (listings, photos, views), never restored (42501) or edited
--     (PT409) by a client;
--   * a sold or archived listing's content is frozen for clients;
--   * updated_at moves with edits, not with counted views;
--   * consistency: a photo / copy / sale belongs to the listing's seller;
--     sales are never deleted.

begin;
select plan(44);

select tests.quicksell_data() as seller \gset

-- A fresh draft to walk through the machine.
select tests.authenticate_as('owner');
insert into quicksell.listings (title, description, category, condition, price)
values ('Machine lamp', '', 'home', 'good', 10) returning id as l \gset
select tests.clear_authentication();

select is(tests.probe('owner', format($q$ update quicksell.listings set status = 'published' where id = %L $q$, :'l')),
  '22023', 'an empty draft cannot be published');
select tests.authenticate_as('owner');
select throws_ok(format($q$ update quicksell.listings set status = 'published' where id = %L $q$, :'l'),
  '22023', 'description: a published listing needs a description', 'the refusal names the field');
update quicksell.listings set description = 'a brass lamp' where id = :'l';
select is(tests.probe('owner', format($q$ update quicksell.listings set status = 'sold' where id = %L $q$, :'l')),
  'PT409', 'draft -> sold is refused');
select is(tests.probe('owner', format($q$ update quicksell.listings set status = 'delisted' where id = %L $q$, :'l')),
  'PT409', 'draft -> delisted is refused');
update quicksell.listings set status = 'published' where id = :'l';
select tests.clear_authentication();
select ok((select published_at is not null and published_at <= now() from quicksell.listings where id = :'l'),
  'draft -> published sets published_at');
select published_at as first_published from quicksell.listings where id = :'l' \gset

select is(tests.probe('owner', format($q$ update quicksell.listings set status = 'draft' where id = %L $q$, :'l')),
  'PT409', 'published -> draft is refused');
select is(tests.probe('owner', format($q$ update quicksell.listings set status = 'archived' where id = %L $q$, :'l')),
  'PT409', 'published -> archived is refused (delist it first)');
select is(tests.probe('owner', format($q$ update quicksell.listings set status = 'sold' where id = %L $q$, :'l')),
  'PT409', 'a client cannot mark his listing sold (a sale does)');
select tests.authenticate_as('owner');
select throws_ok(format($q$ update quicksell.listings set status = 'sold' where id = %L $q$, :'l'),
  'PT409', 'status: a listing cannot go from published to sold', 'the refusal names the field and both states');
update quicksell.listings set status = 'delisted' where id = :'l';
update quicksell.listings set status = 'published' where id = :'l';
select tests.clear_authentication();
select is((select published_at from quicksell.listings where id = :'l'), :'first_published'::timestamptz,
  'delisted -> published keeps the first published_at');

select is(tests.probe('service_role', format($q$ update quicksell.listings set status = 'sold' where id = %L $q$, :'l')),
  'rows=1', 'the backend marks a published listing sold');
select is(tests.probe('postgres', format($q$ update quicksell.listings set status = 'sold' where id = %L $q$, :'l')),
  'rows=1', 'so does definer code (private.quicksell_mark_sold runs as the owner)');
select is(tests.probe('service_role', format($q$ update quicksell.listings set status = 'sold' where id = %L $q$, tests.qs('listing:delisted'))),
  'PT409', 'not a delisted one, not even the backend');
select is(tests.probe('service_role', format($q$ update quicksell.listings set status = 'sold' where id = %L $q$, tests.qs('listing:draft'))),
  'PT409', 'nor a draft');
select is(tests.probe('service_role', format($q$ update quicksell.listings set status = 'published' where id = %L $q$, tests.qs('listing:sold'))),
  'rows=1', 'the backend puts a sold listing back on the market (its sale was cancelled)');
select is(tests.probe('owner', format($q$ update quicksell.listings set status = 'published' where id = %L $q$, tests.qs('listing:sold'))),
  'PT409', 'a client cannot');
select is(tests.probe('owner', format($q$ update quicksell.listings set status = 'archived' where id = %L $q$, tests.qs('listing:sold'))),
  'rows=1', 'sold -> archived');
select is(tests.probe('owner', format($q$ update quicksell.listings set status = 'archived' where id = %L $q$, tests.qs('listing:delisted'))),
  'rows=1', 'delisted -> archived');
select is(tests.probe('owner', format($q$ update quicksell.listings set status = 'archived' where id = %L $q$, tests.qs('listing:draft'))),
  'rows=1', 'draft -> archived');
select is(tests.probe('owner', format($q$ update quicksell.listings set status = 'published' where id = %L $q$, tests.qs('listing:archived'))),
  'PT409', 'archived is the end: no way back');
select is(tests.probe('service_role', format($q$ update quicksell.listings set status = 'draft' where id = %L $q$, tests.qs('listing:archived'))),
  'PT409', 'not for the backend either');

-- Inserts.
select is(tests.probe('owner', $q$ insert into quicksell.listings (title, description, category, condition, price, status)
  values ('Sold already', 'x', 'home', 'good', 1, 'sold') $q$), 'PT409', 'a client cannot insert a sold listing');
select is(tests.probe('owner', $q$ insert into quicksell.listings (title, description, category, condition, price, status)
  values ('Archived already', 'x', 'home', 'good', 1, 'archived') $q$), 'PT409', 'nor an archived one');
select is(tests.probe('owner', $q$ insert into quicksell.listings (title, description, category, condition, price, status)
  values ('Empty', '', 'home', 'good', 1, 'published') $q$), '22023', 'nor publish one without a description');
select tests.authenticate_as('owner');
insert into quicksell.listings (title, description, category, condition, price, status)
values ('Straight to market', 'ready', 'home', 'good', 1, 'published') returning id as direct \gset
select tests.clear_authentication();
select ok((select published_at is not null from quicksell.listings where id = :'direct'), 'a listing published at insert gets its published_at');
select is(tests.probe('service_role', format($q$ insert into quicksell.listings (user_id, title, description, category, condition, price, status)
  values (%L, 'Imported sale', 'x', 'home', 'good', 1, 'sold') $q$, :'seller')), 'rows=1', 'the backend imports a listing in any state');

-- ---------------------------------------------------------------- frozen content
select is(tests.probe('owner', format($q$ update quicksell.listings set price = 1 where id = %L $q$, tests.qs('listing:sold'))),
  'PT409', 'a sold listing''s price is final');
select is(tests.probe('owner', format($q$ update quicksell.listings set title = 'x' where id = %L $q$, tests.qs('listing:archived'))),
  'PT409', 'an archived listing''s content is frozen');

-- ---------------------------------------------------------------- soft delete
select tests.authenticate_as('owner');
update quicksell.listings set deleted_at = '2000-01-01' where id = :'direct';
select tests.clear_authentication();
select ok((select deleted_at > now() - interval '1 minute' from quicksell.listings where id = :'direct'),
  'deleted_at is stamped by the database (no back-dating into the retention window)');
select is(tests.probe('anon', format($q$ select 1 from quicksell.listings where id = %L $q$, :'direct')), 'rows=0',
  'a deleted listing is gone for anon at once');
select is(tests.probe('stranger', format($q$ select 1 from quicksell.listings where id = %L $q$, :'direct')), 'rows=0',
  'and for every other user');
select is(tests.probe('owner', format($q$ select 1 from quicksell.listings where id = %L $q$, :'direct')), 'rows=1',
  'its seller still sees it (until the retention job archives it)');
select is(tests.probe('anon', format($q$ select 1 from quicksell.photos where id = %L $q$, tests.qs('photo:pub'))), 'rows=1',
  'a photo of a public listing is public');
select tests.authenticate_as('owner');
update quicksell.listings set deleted_at = now() where id = tests.qs('listing:pub');
select tests.clear_authentication();
select is(tests.probe('anon', format($q$ select 1 from quicksell.photos where id = %L $q$, tests.qs('photo:pub'))), 'rows=0',
  'deleting the listing hides its photos at once');
select is(tests.probe('stranger', format($q$ select 1 from quicksell.listing_performance_view where id = %L $q$, tests.qs('listing:pub'))), 'rows=0',
  'and its row in the views');
select is(tests.probe('owner', format($q$ update quicksell.listings set deleted_at = null where id = %L $q$, :'direct')),
  '42501', 'a client cannot restore a deleted listing');
select is(tests.probe('owner', format($q$ update quicksell.listings set price = 2 where id = %L $q$, :'direct')),
  'PT409', 'nor edit it');
select is(tests.probe('owner', format($q$ delete from quicksell.listings where id = %L $q$, :'direct')),
  '42501', 'nor hard-delete it');

-- ---------------------------------------------------------------- updated_at
select tests.authenticate_as('owner');
insert into quicksell.listings (title, description, category, condition, price, status)
values ('Clock', 'x', 'home', 'good', 1, 'published') returning id as clock \gset
select tests.clear_authentication();
-- Placing the clock back needs the trigger out of the way (it ignores a written updated_at).
alter table quicksell.listings disable trigger listings_touch_updated_at;
update quicksell.listings set updated_at = '2001-01-01' where id = :'clock';
alter table quicksell.listings enable trigger listings_touch_updated_at;
update quicksell.listings set view_count = view_count + 5, updated_at = now() where id = :'clock';
select is((select updated_at from quicksell.listings where id = :'clock'), '2001-01-01'::timestamptz,
  'a counter-only update (a counted view) leaves updated_at alone, even when it writes one');
update quicksell.listings set price = 2 where id = :'clock';
select ok((select updated_at > '2001-01-01' from quicksell.listings where id = :'clock'), 'an edit moves updated_at');

-- ---------------------------------------------------------------- consistency
select is(tests.probe('service_role', format($q$ insert into quicksell.photos (listing_id, user_id, original_url)
  values (%L, %L, 'x/y/z.jpg') $q$, tests.qs('listing:delisted'), tests.get_supabase_uid('rival'))),
  '42501', 'a photo belongs to its listing''s seller, whoever writes it');
-- (sales are written only through the sale RPCs, as the table owner:
-- sales_guard_write refuses service_role, 707; the rule holds for them too)
select is(tests.probe('postgres', format($q$ insert into quicksell.sales (listing_id, seller_id, sale_price)
  values (%L, %L, 1) $q$, tests.qs('listing:delisted'), tests.get_supabase_uid('rival'))),
  '22023', 'a sale''s seller is the listing''s seller');
insert into quicksell.marketplace_accounts (id, user_id, marketplace_name)
values ('00000000-0000-4000-9713-000000000001', tests.get_supabase_uid('rival'), 'etsy');
select is(tests.probe('service_role', format($q$ insert into quicksell.marketplace_listings (listing_id, marketplace_account_id, marketplace_name)
  values (%L, '00000000-0000-4000-9713-000000000001', 'etsy') $q$, tests.qs('listing:delisted'))),
  '22023', 'a listing is cross-posted only through its seller''s own account');
select throws_ok(format($q$ delete from quicksell.sales where id = %L $q$, tests.qs('sale:sold')),
  '42501', 'sales are kept forever: a sale is cancelled or refunded, never deleted', 'a sale is never deleted, not even by the table owner');

select * from finish();
rollback;
