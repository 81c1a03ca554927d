-- quicksell.sales, who may do what: the seller and the buyer (and platform
-- admins) read a sale; nobody else does; no client writes one (the sales
-- RPCs and the backend do); nobody deletes one, not service_role, not the
-- table owner. And the shape of a sale: its seller is the listing's (filled
-- in when the backend leaves it out), never its buyer; ratings 1-5; money
-- finite and not negative, with a currency; the marketplace is a known one
-- or NULL (sold on QuickSell).

begin;
select plan(21);

select tests.quicksell_data() as seller \gset
select tests.get_supabase_uid('member') as buyer \gset

select format('select 1 from quicksell.sales where id = %L', tests.qs('sale:sold')) as read_sql,
       format($q$ insert into quicksell.sales (listing_id, buyer_id, sale_price) values (%L, %L, 100) $q$, tests.qs('listing:pub'), :'buyer') as insert_sql,
       format($q$ update quicksell.sales set seller_rating = 1, seller_review = 'changed my mind' where id = %L $q$, tests.qs('sale:sold')) as update_sql,
       format($q$ delete from quicksell.sales where id = %L $q$, tests.qs('sale:sold')) as delete_sql \gset

select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'anon: no sales');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'a stranger sees no one''s sale and writes none');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'the seller reads his sale; RPCs change it');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'a teammate of the seller sees nothing');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'the buyer reads it and cannot rewrite his rating directly');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'a platform admin reads it');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete 42501', 'service_role writes sales and never deletes one');
select throws_ok(:'delete_sql', '42501', 'sales: a sale is never deleted (cancel or refund it)', 'not even the table owner deletes a sale');
select throws_ok('truncate quicksell.sales cascade', '42501', null, 'nor truncates the table');

select tests.authenticate_as_service_role();
insert into quicksell.sales (listing_id, buyer_id, sale_price) values (tests.qs('listing:pub'), :'buyer', 100) returning id as s \gset
select tests.clear_authentication();
select results_eq(format($q$ select seller_id, marketplace_name, currency, status::text, shipping_cost from quicksell.sales where id = %L $q$, :'s'),
  format($q$ values (%L::uuid, null::text, 'USD'::text, 'pending'::text, 0.00::numeric) $q$, :'seller'),
  'a new sale: the listing''s seller, on QuickSell (no marketplace), USD, pending, no shipping');

select is(tests.probe('service_role', format($q$ insert into quicksell.sales (listing_id, seller_id, buyer_id, sale_price) values (%L, %L, %L, 1) $q$,
  tests.qs('listing:pub'), :'buyer', :'seller')), '22023', 'the seller is the listing''s, not whoever the caller says');
select is(tests.probe('service_role', format($q$ insert into quicksell.sales (listing_id, buyer_id, sale_price) values (%L, %L, 1) $q$,
  tests.qs('listing:pub'), :'seller')), '23514', 'a seller does not buy his own item');
select is(tests.probe('service_role', format($q$ insert into quicksell.sales (listing_id, sale_price, marketplace_name) values (%L, 1, 'etsy') $q$,
  tests.qs('listing:pub'))), 'rows=1', 'a marketplace sale has no QuickSell buyer');
select is(tests.probe('service_role', format($q$ insert into quicksell.sales (listing_id, sale_price, marketplace_name) values (%L, 1, 'gumtree') $q$,
  tests.qs('listing:pub'))), '23503', 'on a known marketplace');
select is(tests.probe('service_role', format($q$ update quicksell.sales set buyer_rating = 6 where id = %L $q$, :'s')), '23514', 'ratings are 1-5');
select is(tests.probe('service_role', format($q$ update quicksell.sales set seller_rating = 0 where id = %L $q$, :'s')), '23514', 'at least 1');
select is(tests.probe('service_role', format($q$ update quicksell.sales set sale_price = 'NaN' where id = %L $q$, :'s')), '23514', 'a price is a number');
select is(tests.probe('service_role', format($q$ update quicksell.sales set shipping_cost = -5 where id = %L $q$, :'s')), '23514', 'shipping is not negative');
select is(tests.probe('service_role', format($q$ update quicksell.sales set final_amount = 'NaN' where id = %L $q$, :'s')), '23514', 'nor NaN');
select is(tests.probe('service_role', format($q$ update quicksell.sales set currency = 'dollars' where id = %L $q$, :'s')), '23514', 'a currency is three capital letters');
select is(tests.probe('service_role', format($q$ update quicksell.sales set seller_review = repeat('x', 5001) where id = %L $q$, :'s')), '23514', 'a review is at most 5,000 characters');

select * from finish();
rollback;
