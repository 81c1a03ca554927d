-- public.products: the one list of products (and the shared platform) that
-- every product column references.
--   * readable by anon, any signed-in user, a platform admin and service_role;
--   * written by nobody through the API, service_role included (42501): only
--     migrations change it, since a product also needs its schema;
--   * plans, credit packs, subscriptions, notifications and analytics events
--     name a product only by reference (23503 for an unknown one), and only
--     notifications and analytics events may name the platform (23514);
--   * a product in use cannot be deleted; a row's schema must exist.

begin;
select plan(27);

select tests.create_supabase_user('p_user');
select tests.create_supabase_user('p_padmin');
select tests.make_platform_admin('p_padmin');

select $q$ insert into public.products (code, name, description, schema_name, sort_order) values ('cinema', 'Cinema', 'x', 'public', 99) $q$ as insert_sql,
       $q$ update public.products set name = 'Renamed' where code = 'homes' $q$ as update_sql,
       $q$ delete from public.products where code = 'reports' $q$ as delete_sql \gset

-- ---------------------------------------------------------------- who may do what
select tests.authenticate_as_anon();
select is((select count(*)::int from public.products), 6, 'anon reads the whole list');
select throws_ok(:'insert_sql', '42501', null, 'anon cannot add a product');
select throws_ok(:'update_sql', '42501', null, 'anon cannot rename a product');
select throws_ok(:'delete_sql', '42501', null, 'anon cannot delete a product');

select tests.authenticate_as('p_user');
select is((select count(*)::int from public.products), 6, 'a signed-in user reads the whole list');
select throws_ok(:'insert_sql', '42501', null, 'a signed-in user cannot add a product');
select throws_ok(:'update_sql', '42501', null, 'a signed-in user cannot rename a product');
select throws_ok(:'delete_sql', '42501', null, 'a signed-in user cannot delete a product');

select tests.authenticate_as('p_padmin');
select is((select count(*)::int from public.products), 6, 'a platform admin reads the whole list');
select throws_ok(:'insert_sql', '42501', null, 'a platform admin cannot add a product through the API');
select throws_ok(:'update_sql', '42501', null, 'a platform admin cannot rename a product through the API');
select throws_ok(:'delete_sql', '42501', null, 'a platform admin cannot delete a product through the API');

select tests.authenticate_as_service_role();
select is((select count(*)::int from public.products), 6, 'service_role reads the whole list');
select throws_ok(:'insert_sql', '42501', null, 'service_role cannot add a product: only migrations do');
select throws_ok(:'update_sql', '42501', null, 'service_role cannot rename a product');
select throws_ok(:'delete_sql', '42501', null, 'service_role cannot delete a product');

-- ---------------------------------------------------------------- the list
select results_eq(
  $$ select count(*)::int, count(*) filter (where kind = 'platform')::int from public.products $$,
  $$ values (6, 1) $$,
  'five products and one platform row');
select is((select schema_name from public.products where code = 'platform'), 'public', 'the platform lives in public');
select is_empty(
  $$ select code from public.products where kind = 'product' and code <> schema_name $$,
  'each product''s tables live in the schema named after it');

-- ---------------------------------------------------------------- references (as service_role, who may write these tables)
select throws_ok(
  $$ insert into public.credit_packs (product, code, name, credits, price) values ('cinema', 'p_cinema_pack', 'Cinema', 5, 1) $$,
  '23503', null, 'a credit pack for an unknown product is refused');
select throws_ok(
  $$ insert into public.credit_packs (product, code, name, credits, price) values ('platform', 'p_platform_pack', 'Platform', 5, 1) $$,
  '23514', null, 'the platform sells no credit packs');
select throws_ok(
  $$ insert into public.plans (product, code, name, tier) values ('platform', 'p_platform_plan', 'Platform', 'free') $$,
  '23514', null, 'the platform sells no plans');
select throws_ok(
  $$ insert into public.notifications (user_id, product, type, title, message) values (tests.get_supabase_uid('p_user'), 'cinema', 'system', 't', 'm') $$,
  '23503', null, 'a notification for an unknown product is refused');
select lives_ok(
  $$ insert into public.notifications (user_id, product, type, title, message) values (tests.get_supabase_uid('p_user'), 'platform', 'system', 't', 'm') $$,
  'a notification may belong to the platform');

-- ---------------------------------------------------------------- as a migration would
select tests.clear_authentication();
select throws_ok(
  $$ delete from public.products where code = 'studio' $$,
  '23503', null, 'a product with plans cannot be deleted');
select throws_ok(
  $$ insert into public.products (code, name, description, schema_name, sort_order) values ('cinema', 'Cinema', 'Films.', 'cinema', 99) $$,
  '22023', 'schema_name: schema cinema does not exist; create it in the same migration',
  'a product needs its schema first');
create schema cinema;
select lives_ok(
  $$ insert into public.products (code, name, description, schema_name, sort_order) values ('cinema', 'Cinema', 'Films.', 'cinema', 99) $$,
  'a migration adds a product with one insert once its schema exists');

select * from finish();
rollback;
