-- studio.templates: an agent's own templates, public ones for everyone.
--   * the owner reads and writes their own; public templates are readable by
--     every signed-in user; platform admins read all and may moderate
--     (update, delete) any, audit-logged; anon nothing;
--   * usage_count and credits_used belong to the database: a project using
--     the template counts one use, its settled spend adds to credits_used;
--   * nobody writes a template for someone else.

begin;
select plan(18);

select tests.studio_data() as team \gset
select tests.studio_id('template', 'private') as own, tests.studio_id('template', 'public') as pub,
       tests.get_supabase_uid('owner') as owner_id \gset

select format($q$ select 1 from studio.templates where id = %L $q$, :'own') as read_sql,
       format($q$ insert into studio.templates (user_id, name, type) values (%L, 'Forged', 'custom') $q$, :'owner_id') as insert_sql,
       format($q$ update studio.templates set description = 'edited' where id = %L $q$, :'own') as update_sql,
       format($q$ delete from studio.templates where id = %L $q$, :'own') as delete_sql \gset

select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'anon has no access to templates');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update rows=0, delete rows=0', 'a stranger neither sees nor touches a private template');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=1, delete rows=1', 'the owner reads, edits and deletes their template (user_id is not theirs to set)');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update rows=0, delete rows=0', 'a teammate does not see another agent''s private template');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=1, delete rows=1', 'a platform admin reads and moderates any template');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'service_role has full access');

select is(tests.probe('owner', format($q$ select 1 from studio.templates where id = %L $q$, :'pub')), 'rows=1',
  'a public template is readable by another agent');
select is(tests.probe('member', format($q$ select 1 from studio.templates where id = %L $q$, :'pub')), 'rows=1',
  'and by every signed-in user');
select is(tests.probe('owner', format($q$ update studio.templates set name = 'Mine now' where id = %L $q$, :'pub')), 'rows=0',
  'but only its owner may change it');
select is(tests.probe('owner', $$ insert into studio.templates (name, type, is_public) values ('New', 'open_house', true) $$), 'rows=1',
  'an agent creates their own template (owner from the token)');

select is(tests.probe('owner', format($q$ update studio.templates set usage_count = 99 where id = %L $q$, :'own')), '42501',
  'usage_count is not writable');
select is(tests.probe('owner', format($q$ update studio.templates set credits_used = 0 where id = %L $q$, :'own')), '42501',
  'credits_used is not writable');
select is(tests.probe('owner', format($q$ update studio.templates set user_id = %L where id = %L $q$, tests.get_supabase_uid('stranger'), :'own')), '42501',
  'nor is the owner');
select is(tests.probe('owner', $$ insert into studio.templates (name, type, usage_count) values ('Cheat', 'custom', 1000) $$), '42501',
  'a new template cannot start with uses');

select results_eq(format($q$ select usage_count, credits_used from studio.templates where id = %L $q$, :'pub'),
  $$ values (2, 5) $$, 'two projects used the public template; the settled one spent 5 credits with it');
select tests.authenticate_as_service_role();
select private.studio_start_project(:'owner_id', :'team', 'template', 'Third', 'replicate', null, '{}', 's-third', :'pub');
select tests.clear_authentication();
select is((select usage_count from studio.templates where id = :'pub'), 3, 'each new project counts one use');

-- Moderation by a platform admin is audit-logged; the owner's own edits are theirs.
select tests.authenticate_as('platform_admin');
update studio.templates set is_public = false where id = :'pub';
select tests.authenticate_as('owner');
update studio.templates set description = 'mine' where id = :'own';
select tests.clear_authentication();
select results_eq(format($q$ select action, by_platform_admin from public.audit_log where resource_type = 'studio.templates' and resource_id = %L $q$, :'pub'),
  $$ values ('UPDATE'::text, true) $$, 'an admin unpublishing a template is audit-logged');
select is_empty(format($q$ select 1 from public.audit_log where resource_type = 'studio.templates' and resource_id = %L $q$, :'own'),
  'an agent editing their own template is not an admin action');

select * from finish();
rollback;
