-- studio.job_prices: what an AI job costs.
--   * signed-in users read active prices (the client shows them before a
--     job starts); inactive ones only platform admins; anon nothing;
--   * nobody writes prices through the API but service_role (seed.sql);
--     every price change is audit-logged.

begin;
select plan(12);

select tests.studio_data() as team \gset

select $q$ select 1 from studio.job_prices where job_type = 'photo_edit' and service = 'qwen' $q$ as read_sql,
       $q$ insert into studio.job_prices (job_type, service, model, credits) values ('video', 'nano_banana', 'veo-3', 60) $q$ as insert_sql,
       $q$ update studio.job_prices set credits = 1 where job_type = 'photo_edit' and service = 'qwen' $q$ as update_sql,
       $q$ delete from studio.job_prices where job_type = 'photo_edit' and service = 'qwen' $q$ as delete_sql \gset

select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'anon can neither read nor write prices');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'any signed-in agent reads prices, writes none');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'the owner reads prices, writes none');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'a team member reads prices, writes none');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'a platform admin reads prices, writes none through the API');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'service_role maintains prices');

update studio.job_prices set active = false where job_type = 'video' and service = 'qwen';
select is(tests.probe('owner', $$ select 1 from studio.job_prices where job_type = 'video' and service = 'qwen' $$), 'rows=0',
  'an inactive price is hidden from agents');
select is(tests.probe('platform_admin', $$ select 1 from studio.job_prices where job_type = 'video' and service = 'qwen' $$), 'rows=1',
  'and visible to platform admins');

select throws_ok($$ insert into studio.job_prices (job_type, service, model, credits) values ('video', 'qwen', 'wan-2', 0) $$,
  '23514', null, 'a price is a positive number of credits');
select throws_ok($$ insert into studio.job_prices (job_type, service, model, credits, is_default) values ('photo_edit', 'qwen', 'qwen-image-edit-plus', 5, true) $$,
  '23505', null, 'one default model per job type and service');
select throws_ok($$ insert into studio.job_prices (job_type, service, model, credits) values ('video', 'qwen', 'bad model!', 5) $$,
  '23514', null, 'model identifiers are checked');
select isnt_empty($$ select 1 from public.audit_log where resource_type = 'studio.job_prices' and action = 'UPDATE' $$,
  'price changes are audit-logged');

select * from finish();
rollback;
