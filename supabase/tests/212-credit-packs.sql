-- public.credit_packs: top-ups for the credit ledger.
--   * readable by anon and every signed-in user (active packs only; a
--     retired pack is hidden);
--   * written only by service_role (42501 for everyone else);
--   * a pack names its pool ('credits' or 'sms'), credits and price.

begin;
select plan(11);

select tests.billing_data() as acme \gset
insert into public.credit_packs (product, code, name, credits, price, is_active)
values ('tools', 'b_retired_pack', 'Retired pack', 10, 1.00, false);

select $q$ select 1 from public.credit_packs where code in ('tools_credits_1000', 'b_retired_pack') $q$ as read_sql,
       $q$ insert into public.credit_packs (product, code, name, credits, price) values ('tools', 'b_new_pack', 'New', 5, 1) $q$ as insert_sql,
       $q$ update public.credit_packs set price = 11.00 where code = 'tools_credits_1000' $q$ as update_sql,
       $q$ delete from public.credit_packs where code = 'b_retired_pack' $q$ as delete_sql \gset

-- ---------------------------------------------------------------- who may do what
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501',
  'anon reads active packs only and writes nothing');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501',
  'a stranger reads active packs only and writes nothing');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501',
  'an account owner reads active packs only and writes nothing');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501',
  'another member reads active packs only and writes nothing');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501',
  'an account admin reads active packs only and writes nothing');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501',
  'a platform admin reads active packs only and writes nothing through the API');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert rows=1, update rows=1, delete rows=1',
  'service_role reads every pack, retired ones too, and writes them');

-- ---------------------------------------------------------------- the packs
select tests.authenticate_as_anon();
select is_empty($$ select 1 from public.credit_packs where not is_active $$, 'anon never sees an inactive pack');
select results_eq(
  $$ select code, pool, credits, price, currency::text from public.credit_packs where code in ('tools_credits_1000', 'reports_sms_500') order by code $$,
  $$ values ('reports_sms_500'::text, 'sms'::text, 500, 15.00::numeric, 'USD'), ('tools_credits_1000', 'credits', 1000, 10.00, 'USD') $$,
  'packs state their pool, credits and price');

select tests.clear_authentication();
select throws_ok($$ insert into public.credit_packs (product, code, name, credits, price) values ('tools', 'b_free_pack', 'Free', 10, 0) $$,
  '23514', null, 'a pack has a positive price');
select throws_ok($$ insert into public.credit_packs (product, code, name, pool, credits, price) values ('tools', 'b_gold_pack', 'Gold', 'gold', 10, 1) $$,
  '23514', null, 'a pack fills the credits or the sms pool, nothing else');

select * from finish();
rollback;
