-- quicksell.listings, who may do what (the access matrix):
--   * everyone, anon too, reads published and sold listings that are not
--     deleted; the seller reads all of his own (drafts, delisted, archived,
--     deleted); platform admins read all; service_role everything;
--   * any signed-in user lists an item (as himself); anon cannot;
--   * only the seller edits, and only his own; platform admins only read;
--   * no client hard-deletes, not even the seller (soft delete: 703); the
--     backend deletes a listing only while it has no sale;
--   * the fields QuickSell sets (user_id, counters, AI results,
--     published_at) are refused to every client, on insert and on update.

begin;
select plan(31);

select tests.quicksell_data() as seller \gset
select tests.get_supabase_uid('rival') as rival \gset

select format('select 1 from quicksell.listings where id in %s',
         tests.qs_in(array['listing:pub', 'listing:draft', 'listing:sold', 'listing:delisted', 'listing:deleted',
                           'listing:archived', 'listing:rival'])) as read_sql,
       $q$ insert into quicksell.listings (title, description, category, condition, price)
           values ('Probe new', 'x', 'home', 'good', 1) $q$ as insert_sql,
       format($q$ update quicksell.listings set title = 'Renamed' where id = %L $q$, tests.qs('listing:pub')) as update_sql,
       format($q$ delete from quicksell.listings where id = %L $q$, tests.qs('listing:draft')) as delete_sql \gset

select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert 42501, update 42501, delete 42501', 'anon reads the two on the market and writes nothing');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert rows=1, update rows=0, delete 42501', 'a stranger reads the market, lists his own item, edits no one''s');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=6, insert rows=1, update rows=1, delete 42501', 'the seller reads all six of his, lists and edits, never hard-deletes');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert rows=1, update rows=0, delete 42501', 'a teammate (admin of the seller''s team) has no rights on his personal listings');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert rows=1, update rows=0, delete 42501', 'a member (and the buyer of the sold one) reads only the market');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=7, insert rows=1, update rows=0, delete 42501', 'a platform admin reads every listing and edits none');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=7, insert 23502, update rows=1, delete rows=1', 'service_role reads and writes all (and must name the seller)');
select is(tests.probe('service_role', format($q$ insert into quicksell.listings (user_id, title, description, category, condition, price)
  values (%L, 'Backend import', 'x', 'home', 'good', 1) $q$, :'seller')), 'rows=1', 'service_role lists for a named seller');
select is(tests.probe('service_role', format($q$ delete from quicksell.listings where id = %L $q$, tests.qs('listing:sold'))),
  '23503', 'nobody deletes a listing that has a sale, not even service_role');
select is(tests.probe('owner', format($q$ select 1 from quicksell.listings where id = %L $q$, tests.qs('listing:rival'))),
  'rows=0', 'the seller does not see another seller''s draft');
select is(tests.probe('owner', format($q$ update quicksell.listings set title = 'mine now' where id = %L $q$, tests.qs('listing:rival'))),
  'rows=0', 'nor edit it');

-- ---------------------------------------------------------------- fields only QuickSell sets
select is(tests.probe('owner', format($q$ insert into quicksell.listings (user_id, title, description, category, condition, price)
  values (%L, 'Forged', 'x', 'home', 'good', 1) $q$, :'rival')), '42501', 'a client cannot list in another user''s name');
select is(tests.probe('owner', format($q$ insert into quicksell.listings (user_id, title, description, category, condition, price)
  values (%L, 'Own, explicit', 'x', 'home', 'good', 1) $q$, :'seller')), '42501', 'user_id is never a client''s to set, even his own');
select is(tests.probe('owner', format($q$ update quicksell.listings set user_id = %L where id = %L $q$, :'rival', tests.qs('listing:pub'))),
  '42501', 'a listing cannot be handed to someone else');
select is(tests.probe('owner', $q$ insert into quicksell.listings (title, description, category, condition, price, view_count)
  values ('Popular', 'x', 'home', 'good', 1, 1000) $q$), '42501', 'a new listing cannot come with views');
select is(tests.probe('owner', $q$ insert into quicksell.listings (title, description, category, condition, price, published_at)
  values ('Backdated', 'x', 'home', 'good', 1, now() - interval '1 year') $q$), '42501', 'nor with a published_at');
select is(tests.probe('owner', $q$ insert into quicksell.listings (title, description, category, condition, price, ai_price_estimated, confidence_score)
  values ('Blessed', 'x', 'home', 'good', 1, true, 0.99) $q$), '42501', 'nor with AI results');
select is(tests.probe('owner', $q$ insert into quicksell.listings (title, description, category, condition, price, deleted_at)
  values ('Gone', 'x', 'home', 'good', 1, now()) $q$), '42501', 'nor already deleted');
select is(tests.probe('owner', format($q$ update quicksell.listings set view_count = 1000 where id = %L $q$, tests.qs('listing:pub'))),
  '42501', 'the seller cannot set view_count');
select is(tests.probe('owner', format($q$ update quicksell.listings set click_count = 1000 where id = %L $q$, tests.qs('listing:pub'))),
  '42501', 'nor click_count');
select is(tests.probe('owner', format($q$ update quicksell.listings set estimated_price = 9999 where id = %L $q$, tests.qs('listing:pub'))),
  '42501', 'nor estimated_price');
select is(tests.probe('owner', format($q$ update quicksell.listings set ai_description_generated = true where id = %L $q$, tests.qs('listing:pub'))),
  '42501', 'nor ai_description_generated');
select is(tests.probe('owner', format($q$ update quicksell.listings set ai_price_estimated = true where id = %L $q$, tests.qs('listing:pub'))),
  '42501', 'nor ai_price_estimated');
select is(tests.probe('owner', format($q$ update quicksell.listings set confidence_score = 1 where id = %L $q$, tests.qs('listing:pub'))),
  '42501', 'nor confidence_score');
select is(tests.probe('owner', format($q$ update quicksell.listings set published_at = now() - interval '1 year' where id = %L $q$, tests.qs('listing:pub'))),
  '42501', 'nor published_at');
select is(tests.probe('owner', format($q$ update quicksell.listings set created_at = now() - interval '1 year' where id = %L $q$, tests.qs('listing:pub'))),
  '42501', 'nor created_at');
select is(tests.probe('service_role', format($q$ update quicksell.listings set estimated_price = 95, ai_price_estimated = true, confidence_score = 0.8 where id = %L $q$, tests.qs('listing:pub'))),
  'rows=1', 'the backend (the price estimator) sets the AI results');

-- A new listing is the caller's, a draft unless published at once, and has no views.
select tests.authenticate_as('stranger');
insert into quicksell.listings (title, description, category, condition, price)
values ('Stranger''s first', 'x', 'home', 'good', 3) returning id as stranger_listing \gset
select tests.clear_authentication();
select results_eq(format($q$ select user_id, status::text, view_count, published_at is null from quicksell.listings where id = %L $q$, :'stranger_listing'),
  format($q$ values (%L::uuid, 'draft', 0, true) $q$, tests.get_supabase_uid('stranger')),
  'a new listing is the caller''s draft, with no views and no published_at');
select is(tests.probe('anon', format($q$ select 1 from quicksell.listings where id = %L $q$, :'stranger_listing')),
  'rows=0', 'nobody else sees the draft');
select is(tests.probe('stranger', format($q$ select 1 from quicksell.listings where id = %L $q$, :'stranger_listing')),
  'rows=1', 'its seller does');
select is(tests.probe('owner', format($q$ update quicksell.listings set price = 1 where id = %L $q$, :'stranger_listing')),
  'rows=0', 'another seller cannot touch it');

select * from finish();
rollback;
