-- quicksell.sales, who may do what: the seller and the buyer (and platform
-- admins) read a sale; nobody else does; nobody writes one directly, not
-- even service_role (trigger sales_guard_write: sales change only through
-- the sale RPCs, which write as the table owner; the backend calls them);
-- nobody deletes one, not service_role, not the table owner. And the shape of a sale: its seller is the listing's (filled
-- in when the backend leaves it out), never its buyer; ratings 1-5; money
-- finite and not negative, with a currency; the marketplace is a known one
-- or NULL (sold on QuickSell).

begin;
select plan(22);

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
  'read rows=1, insert 42501, update 42501, delete 42501', 'service_role reads sales, writes them only through the sale RPCs, never deletes one');
select throws_ok(:'delete_sql', '42501', 'sales are kept forever: a sale is cancelled or refunded, never deleted', 'not even the table owner deletes a sale');
select throws_ok('truncate quicksell.sales cascade', '42501', null, 'nor truncates the table');

-- The shape of a sale, written as the table owner (the identity the sale
-- RPCs write as; sales_guard_write lets only it through).
insert into quicksell.sales (listing_id, buyer_id, sale_price) values (tests.qs('listing:pub'), :'buyer', 100) returning id as s \gset
select results_eq(format($q$ select seller_id, marketplace_name, currency, status::text, shipping_cost from quicksell.sales where id = %L $q$, :'s'),
  format($q$ values (%L::uuid, null::text, 'USD'::text, 'pending'::text, 0.00::numeric) $q$, :'seller'),
  'a new sale: the listing''s seller, on QuickSell (no marketplace), USD, pending, no shipping');

-- (listing:pub has its one live sale now: sales_one_live_sale_per_listing)
select is(tests.probe('postgres', format($q$ insert into quicksell.sales (listing_id, seller_id, buyer_id, sale_price) values (%L, %L, %L, 1) $q$,
  tests.qs('listing:pub'), :'buyer', :'seller')), '22023', 'the seller is the listing''s, not whoever the caller says');
select is(tests.probe('postgres', format($q$ insert into quicksell.sales (listing_id, buyer_id, sale_price) values (%L, %L, 1) $q$,
  tests.qs('listing:pub'), :'seller')), '23514', 'a seller does not buy his own item');
select is(tests.probe('postgres', format($q$ insert into quicksell.sales (listing_id, sale_price, marketplace_name) values (%L, 1, 'etsy') $q$,
  tests.qs('listing:delisted'))), 'rows=1', 'a marketplace sale has no QuickSell buyer');
select is(tests.probe('postgres', format($q$ insert into quicksell.sales (listing_id, sale_price, marketplace_name) values (%L, 1, 'gumtree') $q$,
  tests.qs('listing:delisted'))), '23503', 'on a known marketplace');
select is(tests.probe('postgres', format($q$ update quicksell.sales set buyer_rating = 6 where id = %L $q$, :'s')), '23514', 'ratings are 1-5');
select is(tests.probe('postgres', format($q$ update quicksell.sales set seller_rating = 0 where id = %L $q$, :'s')), '23514', 'at least 1');
-- Amounts and currency are fixed once a sale is recorded (sales_guard_write),
-- so their checks are met on insert; final_amount is always the database's.
select is(tests.probe('postgres', format($q$ insert into quicksell.sales (listing_id, sale_price, marketplace_name) values (%L, 'NaN', 'etsy') $q$,
  tests.qs('listing:delisted'))), '23514', 'a price is a number');
select is(tests.probe('postgres', format($q$ insert into quicksell.sales (listing_id, sale_price, shipping_cost, marketplace_name) values (%L, 1, -5, 'etsy') $q$,
  tests.qs('listing:delisted'))), '23514', 'shipping is not negative');
select is(tests.probe('postgres', format($q$ update quicksell.sales set sale_price = 101 where id = %L $q$, :'s')), '42501', 'the amounts of a recorded sale never change');
select is(tests.probe('postgres', format($q$ insert into quicksell.sales (listing_id, sale_price, currency, marketplace_name) values (%L, 1, 'dollars', 'etsy') $q$,
  tests.qs('listing:delisted'))), '23514', 'a currency is three capital letters');
update quicksell.sales set final_amount = 'NaN' where id = :'s';
select is((select final_amount from quicksell.sales where id = :'s'), 100.00::numeric, 'final_amount is the database''s: sale_price + shipping_cost, whatever a writer says');
select is(tests.probe('postgres', format($q$ update quicksell.sales set seller_review = repeat('x', 5001) where id = %L $q$, :'s')), '23514', 'a review is at most 5,000 characters');

select * from finish();
rollback;
