-- tools.marketplace_purchases and marketplace_cart: every role x action.
-- Purchases: the account's members read; no client writes (checkout RPCs
-- and service_role do); nobody deletes, service_role included.
-- Cart: the line's user and the account's owners and admins read; only the
-- line's user changes or removes it.

begin;
select plan(16);

select tests.tools_data() as team \gset
insert into tools.marketplace_purchases (id, organization_id, user_id, tool_id, purchase_type, amount, payment_method, payment_status, activated_at)
values ('00000000-0000-4000-a624-000000000001', :'team', tests.get_supabase_uid('owner'), tests.tools_id(2), 'TOOL', 5, 'CREDIT_CARD', 'COMPLETED', now());
insert into tools.marketplace_cart (id, organization_id, user_id, bundle_id, item_type)
values ('00000000-0000-4000-a624-000000000002', :'team', tests.get_supabase_uid('member'), tests.tools_id(21), 'BUNDLE');

create temp table purchase_sql (r text, i text, u text, d text);
insert into purchase_sql values (
  $$ select 1 from tools.marketplace_purchases where id = '00000000-0000-4000-a624-000000000001' $$,
  format($$ insert into tools.marketplace_purchases (organization_id, user_id, tool_id, purchase_type, amount, payment_method)
            values (%L, %L, %L, 'TOOL', 0, 'INVOICE') $$, :'team', tests.get_supabase_uid('owner'), tests.tools_id(3)),
  $$ update tools.marketplace_purchases set payment_status = 'COMPLETED', status = 'ACTIVE' where id = '00000000-0000-4000-a624-000000000001' $$,
  $$ delete from tools.marketplace_purchases where id = '00000000-0000-4000-a624-000000000001' $$);
grant select on purchase_sql to anon, authenticated, service_role;

create temp table cart_sql (r text, i text, u text, d text);
insert into cart_sql values (
  $$ select 1 from tools.marketplace_cart where id = '00000000-0000-4000-a624-000000000002' $$,
  format($$ insert into tools.marketplace_cart (organization_id, tool_id, item_type) values (%L, %L, 'TOOL') $$, :'team', tests.tools_id(12)),
  $$ update tools.marketplace_cart set quantity = 2 where id = '00000000-0000-4000-a624-000000000002' $$,
  $$ delete from tools.marketplace_cart where id = '00000000-0000-4000-a624-000000000002' $$);
grant select on cart_sql to anon, authenticated, service_role;

create function pg_temp.purchase_rights(who text) returns text language sql as $$
  select tests.rights(who, r, i, u, d) from purchase_sql;
$$;
create function pg_temp.cart_rights(who text) returns text language sql as $$
  select tests.rights(who, r, i, u, d) from cart_sql;
$$;

-- ---------------------------------------------------------------- purchases
select is(pg_temp.purchase_rights('anon'), 'read 42501, insert 42501, update 42501, delete 42501', 'purchases: anon nothing');
select is(pg_temp.purchase_rights('stranger'), 'read rows=0, insert 42501, update 42501, delete 42501', 'purchases: a stranger sees none');
select is(pg_temp.purchase_rights('rival'), 'read rows=0, insert 42501, update 42501, delete 42501', 'purchases: another account''s owner sees none');
select is(pg_temp.purchase_rights('member'), 'read rows=1, insert 42501, update 42501, delete 42501', 'purchases: a member reads, writes nothing');
select is(pg_temp.purchase_rights('admin'), 'read rows=1, insert 42501, update 42501, delete 42501', 'purchases: an admin reads, writes nothing');
select is(pg_temp.purchase_rights('owner'), 'read rows=1, insert 42501, update 42501, delete 42501', 'purchases: the owner reads, writes nothing (not even a payment status)');
select is(pg_temp.purchase_rights('platform_admin'), 'read rows=0, insert 42501, update 42501, delete 42501',
  'purchases: a platform admin outside the account sees none (RPCs refund and mark paid)');
select is(pg_temp.purchase_rights('service_role'), 'read rows=1, insert rows=1, update rows=1, delete 42501',
  'purchases: service_role reads and writes, never deletes');

-- ---------------------------------------------------------------- cart
select is(pg_temp.cart_rights('anon'), 'read 42501, insert 42501, update 42501, delete 42501', 'cart: anon nothing');
select is(pg_temp.cart_rights('stranger'), 'read rows=0, insert 42501, update rows=0, delete rows=0', 'cart: a stranger nothing');
select is(pg_temp.cart_rights('rival'), 'read rows=0, insert 42501, update rows=0, delete rows=0', 'cart: another account nothing');
select is(pg_temp.cart_rights('member'), 'read rows=1, insert rows=1, update rows=1, delete rows=1', 'cart: the line''s user does all');
select is(pg_temp.cart_rights('admin'), 'read rows=1, insert rows=1, update rows=0, delete rows=0',
  'cart: an admin reads the line, adds to their own cart, cannot change another''s line');
select is(pg_temp.cart_rights('owner'), 'read rows=1, insert rows=1, update rows=0, delete rows=0', 'cart: the owner likewise');
select is(pg_temp.cart_rights('platform_admin'), 'read rows=0, insert 42501, update rows=0, delete rows=0', 'cart: a platform admin outside the account nothing');
select is(pg_temp.cart_rights('service_role'), 'read rows=1, insert 23502, update rows=1, delete rows=1',
  'cart: service_role does all (an insert needs a user_id: no auth.uid() default)');

select * from finish();
rollback;
