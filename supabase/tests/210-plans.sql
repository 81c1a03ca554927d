-- public.plans: every product's subscription tiers (seed.sql).
--   * the pricing page is public: anon and every signed-in user read the
--     active plans; a retired (inactive) plan is hidden from all of them;
--   * only service_role writes the catalogue (and sees retired plans);
--     anon and authenticated, platform admins included, get 42501;
--   * one default (free) plan per product.

begin;
select plan(14);

select tests.billing_data() as acme \gset
insert into public.plans (product, code, name, tier, tier_rank, monthly_price, is_active)
values ('reports', 'b_retired', 'Reports Retired', 'retired_b', 9, 5, false);

select $q$ select 1 from public.plans where code in ('reports_solo', 'b_retired') $q$ as read_sql,
       $q$ insert into public.plans (product, code, name, tier) values ('reports', 'b_new_plan', 'New', 'new_b') $q$ as insert_sql,
       $q$ update public.plans set description = 'changed' where code = 'reports_solo' $q$ as update_sql,
       $q$ delete from public.plans where code = 'b_retired' $q$ as delete_sql \gset

-- ---------------------------------------------------------------- who may do what
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501',
  'anon reads active plans only and writes nothing');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501',
  'a stranger reads active plans only and writes nothing');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501',
  'an account owner reads active plans only and writes nothing');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501',
  'another member reads active plans only and writes nothing');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501',
  'an account admin reads active plans only and writes nothing');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501',
  'a platform admin reads active plans only and writes nothing through the API');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert rows=1, update rows=1, delete rows=1',
  'service_role reads every plan, retired ones too, and writes the catalogue');

-- ---------------------------------------------------------------- the pricing page
select tests.authenticate_as_anon();
select is_empty($$ select 1 from public.plans where not is_active $$, 'anon never sees an inactive plan');
select is((select count(*)::int from public.plans), (select count(*)::int from public.plans where is_active),
  'anon sees every active plan');
select results_eq(
  $$ select product, code from public.plans where is_default order by product $$,
  $$ values ('homes'::text, 'homes_free'::text), ('quicksell', 'quicksell_free'), ('reports', 'reports_free'),
            ('studio', 'studio_free'), ('tools', 'tools_free') $$,
  'each product has exactly one default (free) plan');
select results_eq(
  $$ select monthly_price, annual_price, currency::text, credits_per_period from public.plans where code = 'studio_pro' $$,
  $$ values (799.00::numeric, 7990.00::numeric, 'ZAR', 400) $$,
  'prices are numeric with a currency, and plans state the credits they grant per period');

select tests.clear_authentication();
select throws_ok($$ insert into public.plans (product, code, name, tier, is_default) values ('reports', 'b_second_free', 'Free 2', 'free_b', true) $$,
  '23505', null, 'a product cannot have two default plans');
select throws_ok($$ insert into public.plans (product, code, name, tier) values ('reports', 'b_dupe_tier', 'Dupe', 'solo') $$,
  '23505', null, 'a tier appears once per product');
select throws_ok($$ insert into public.plans (product, code, name, tier) values ('cinema', 'b_cinema', 'Cinema', 'free') $$,
  '23503', null, 'plans belong to a product in public.products');

select * from finish();
rollback;
