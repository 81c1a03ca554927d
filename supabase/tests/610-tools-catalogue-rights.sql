-- tools catalogue (marketplace_tools, marketplace_bundles, marketplace_bundle_items):
--   * everyone reads it, anon included;
--   * only platform admins (and service_role) write it; account owners,
--     admins, members and strangers are refused (42501 on insert, no row on
--     update and delete);
--   * the counters (purchase_count, view_count, avg_rating, review_count) are
--     the database's: not even a platform admin writes them;
--   * every change is audit-logged with the platform admin as actor.

begin;
select plan(35);

select tests.fixture() is not null as cast_ready \gset
-- A tool and a bundle in no other bundle, so deleting them breaks no price.
insert into tools.marketplace_tools (id, name, description, category, price_model, price_amount, required_tier, integration_type, provider)
values ('00000000-0000-4000-c610-000000000001', 'Loose Tool', 'in no bundle', 'CRM_TOOLS', 'ONE_TIME', 10, 'CUSTOM', 'API', 'Internal');
insert into tools.marketplace_bundles (id, name, description, price_amount, discount_percent, required_tier)
values ('00000000-0000-4000-c610-000000000002', 'Empty Bundle', 'no tools yet', 0, 0, 'FREE');

-- ---------------------------------------------------------------- marketplace_tools
select $q$ select 1 from tools.marketplace_tools where id in ('00000000-0000-4000-a003-000000000001', '00000000-0000-4000-a003-000000000052') $q$ as read_sql,
       $q$ insert into tools.marketplace_tools (name, description, category, price_model, price_amount, required_tier, integration_type, provider)
           values ('Probe Tool', 'x', 'CRM_TOOLS', 'ONE_TIME', 10, 'CUSTOM', 'API', 'Internal') $q$ as insert_sql,
       $q$ update tools.marketplace_tools set description = 'changed' where id = '00000000-0000-4000-a003-000000000001' $q$ as update_sql,
       $q$ delete from tools.marketplace_tools where id = '00000000-0000-4000-c610-000000000001' $q$ as delete_sql \gset

select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert 42501, update 42501, delete 42501', 'tools: anon reads the catalogue and writes nothing');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert 42501, update rows=0, delete rows=0', 'tools: a stranger reads and writes nothing');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert 42501, update rows=0, delete rows=0', 'tools: an account owner reads and writes nothing');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert 42501, update rows=0, delete rows=0', 'tools: an account admin reads and writes nothing');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert 42501, update rows=0, delete rows=0', 'tools: a member reads and writes nothing');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert rows=1, update rows=1, delete rows=1', 'tools: a platform admin reads and writes');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert rows=1, update rows=1, delete rows=1', 'tools: service_role reads and writes');

-- ---------------------------------------------------------------- marketplace_bundles
select $q$ select 1 from tools.marketplace_bundles where id::text like '00000000-0000-4000-b003-%' $q$ as read_sql,
       $q$ insert into tools.marketplace_bundles (name, description, price_amount, discount_percent, required_tier)
           values ('Probe Bundle', 'x', 0, 0, 'FREE') $q$ as insert_sql,
       $q$ update tools.marketplace_bundles set description = 'changed' where id = '00000000-0000-4000-b003-000000000001' $q$ as update_sql,
       $q$ delete from tools.marketplace_bundles where id = '00000000-0000-4000-c610-000000000002' $q$ as delete_sql \gset

select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=5, insert 42501, update 42501, delete 42501', 'bundles: anon reads the catalogue and writes nothing');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=5, insert 42501, update rows=0, delete rows=0', 'bundles: a stranger reads and writes nothing');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=5, insert 42501, update rows=0, delete rows=0', 'bundles: an account owner reads and writes nothing');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=5, insert 42501, update rows=0, delete rows=0', 'bundles: an account admin reads and writes nothing');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=5, insert 42501, update rows=0, delete rows=0', 'bundles: a member reads and writes nothing');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=5, insert rows=1, update rows=1, delete rows=1', 'bundles: a platform admin reads and writes');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=5, insert rows=1, update rows=1, delete rows=1', 'bundles: service_role reads and writes');

-- ---------------------------------------------------------------- marketplace_bundle_items
select $q$ select 1 from tools.marketplace_bundle_items where bundle_id = '00000000-0000-4000-b003-000000000001' $q$ as read_sql,
       $q$ insert into tools.marketplace_bundle_items (bundle_id, tool_id, position)
           values ('00000000-0000-4000-c610-000000000002', '00000000-0000-4000-c610-000000000001', 1) $q$ as insert_sql,
       $q$ update tools.marketplace_bundle_items set position = 9
           where bundle_id = '00000000-0000-4000-b003-000000000001' and tool_id = '00000000-0000-4000-a003-000000000001' $q$ as update_sql,
       $q$ delete from tools.marketplace_bundle_items
           where bundle_id = '00000000-0000-4000-b003-000000000005' and tool_id = '00000000-0000-4000-a003-000000000052' $q$ as delete_sql \gset

select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=8, insert 42501, update 42501, delete 42501', 'bundle items: anon reads the catalogue and writes nothing');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=8, insert 42501, update rows=0, delete rows=0', 'bundle items: a stranger reads and writes nothing');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=8, insert 42501, update rows=0, delete rows=0', 'bundle items: an account owner reads and writes nothing');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=8, insert 42501, update rows=0, delete rows=0', 'bundle items: an account admin reads and writes nothing');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=8, insert 42501, update rows=0, delete rows=0', 'bundle items: a member reads and writes nothing');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=8, insert rows=1, update rows=1, delete rows=1', 'bundle items: a platform admin reads and writes');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=8, insert rows=1, update rows=1, delete rows=1', 'bundle items: service_role reads and writes');

-- ---------------------------------------------------------------- counters are the database's
select is(tests.probe('platform_admin', $$ update tools.marketplace_tools set purchase_count = 99 where id = '00000000-0000-4000-a003-000000000001' $$),
  '42501', 'a platform admin cannot set a tool''s purchase_count');
select is(tests.probe('platform_admin', $$ update tools.marketplace_tools set view_count = 99 where id = '00000000-0000-4000-a003-000000000001' $$),
  '42501', 'a platform admin cannot set a tool''s view_count');
select is(tests.probe('platform_admin', $$ update tools.marketplace_tools set avg_rating = 5 where id = '00000000-0000-4000-a003-000000000001' $$),
  '42501', 'a platform admin cannot set a tool''s avg_rating');
select is(tests.probe('platform_admin', $$ update tools.marketplace_tools set review_count = 99 where id = '00000000-0000-4000-a003-000000000001' $$),
  '42501', 'a platform admin cannot set a tool''s review_count');
select is(tests.probe('platform_admin', $$ insert into tools.marketplace_tools (name, description, category, price_model, required_tier, integration_type, provider, purchase_count, avg_rating)
  values ('Inflated', 'x', 'CRM_TOOLS', 'FREE', 'FREE', 'API', 'Internal', 1000, 5) $$),
  '42501', 'a platform admin cannot insert a tool with counters already filled in');
select is(tests.probe('platform_admin', $$ update tools.marketplace_bundles set purchase_count = 99 where id = '00000000-0000-4000-b003-000000000001' $$),
  '42501', 'a platform admin cannot set a bundle''s purchase_count');
select is(tests.probe('platform_admin', $$ update tools.marketplace_bundles set view_count = 99 where id = '00000000-0000-4000-b003-000000000001' $$),
  '42501', 'a platform admin cannot set a bundle''s view_count');
select is(tests.probe('platform_admin', $$ insert into tools.marketplace_bundles (name, description, price_amount, discount_percent, required_tier, purchase_count)
  values ('Inflated', 'x', 0, 0, 'FREE', 1000) $$),
  '42501', 'a platform admin cannot insert a bundle with a purchase_count');
select is(tests.probe('member', $$ update tools.marketplace_tools set purchase_count = 0 $$),
  '42501', 'a member cannot touch the counters either');

-- ---------------------------------------------------------------- every change is audited
select tests.get_supabase_uid('platform_admin') as admin_uid \gset
select tests.authenticate_as('platform_admin');
insert into tools.marketplace_tools (name, description, category, price_model, price_amount, required_tier, integration_type, provider)
values ('Audited Tool', 'x', 'CRM_TOOLS', 'ONE_TIME', 20, 'CUSTOM', 'API', 'Internal') returning id as audited_tool \gset
update tools.marketplace_tools set description = 'edited' where id = :'audited_tool';
delete from tools.marketplace_tools where id = :'audited_tool';
insert into tools.marketplace_bundles (name, description, price_amount, discount_percent, required_tier)
values ('Audited Bundle', 'x', 0, 0, 'FREE') returning id as audited_bundle \gset
update tools.marketplace_bundles set description = 'edited' where id = :'audited_bundle';
insert into tools.marketplace_bundle_items (bundle_id, tool_id, position)
values (:'audited_bundle', '00000000-0000-4000-a003-000000000052', 1) returning id as audited_item \gset
update tools.marketplace_bundle_items set position = 2 where id = :'audited_item';
delete from tools.marketplace_bundle_items where id = :'audited_item';
delete from tools.marketplace_bundles where id = :'audited_bundle';
select tests.clear_authentication();

select results_eq(
  format($$ select action, actor_id, by_platform_admin from public.audit_log
            where resource_type = 'tools.marketplace_tools' and resource_id = %L order by id $$, :'audited_tool'),
  format($$ values ('INSERT'::text, %1$L::uuid, true), ('UPDATE', %1$L::uuid, true), ('DELETE', %1$L::uuid, true) $$, :'admin_uid'),
  'a platform admin''s insert, update and delete of a tool are audited, naming the admin');
select results_eq(
  format($$ select action, actor_id, by_platform_admin from public.audit_log
            where resource_type = 'tools.marketplace_bundles' and resource_id = %L order by id $$, :'audited_bundle'),
  format($$ values ('INSERT'::text, %1$L::uuid, true), ('UPDATE', %1$L::uuid, true), ('DELETE', %1$L::uuid, true) $$, :'admin_uid'),
  'a platform admin''s insert, update and delete of a bundle are audited, naming the admin');
select results_eq(
  format($$ select action, actor_id, by_platform_admin from public.audit_log
            where resource_type = 'tools.marketplace_bundle_items' and resource_id = %L order by id $$, :'audited_item'),
  format($$ values ('INSERT'::text, %1$L::uuid, true), ('UPDATE', %1$L::uuid, true), ('DELETE', %1$L::uuid, true) $$, :'admin_uid'),
  'a platform admin''s insert, update and delete of a bundle item are audited, naming the admin');
select is(
  (select new_values ->> 'description' from public.audit_log
   where resource_type = 'tools.marketplace_tools' and resource_id = :'audited_tool' and action = 'UPDATE'),
  'edited', 'the audit row keeps the new values');
select is(
  (select old_values ->> 'name' from public.audit_log
   where resource_type = 'tools.marketplace_tools' and resource_id = :'audited_tool' and action = 'DELETE'),
  'Audited Tool', 'the audit row of a delete keeps the old values');

select * from finish();
rollback;
