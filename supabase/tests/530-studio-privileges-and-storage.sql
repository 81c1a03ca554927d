-- Who may call Studio's pipeline functions, and the studio-media bucket.
--   * the pipeline (start, claim, complete, fail) is for service_role only
--     (the ai-jobs function); API users reach it through that function;
--   * no studio function is callable by anon or authenticated, and every
--     one pins its search_path;
--   * storage.objects in studio-media: agents write, replace, read and
--     delete inside their own folder (<user id>/...); platform admins read
--     everything; nobody writes into another agent's folder.

begin;
select plan(20);

select tests.studio_fixture() as team \gset
select tests.get_supabase_uid('s_owner') as owner_id, tests.get_supabase_uid('s_stranger') as stranger_id \gset

select is_empty($$
  select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where n.nspname = 'private' and p.proname like 'studio%' and p.prorettype <> 'pg_catalog.trigger'::regtype
    and (has_function_privilege('anon', p.oid, 'execute') or has_function_privilege('authenticated', p.oid, 'execute')) $$,
  'no studio pipeline function is callable by anon or authenticated');
select is_empty($$
  select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where (n.nspname = 'studio' or (n.nspname = 'private' and p.proname like 'studio%'))
    and not exists (select 1 from unnest(p.proconfig) c where c like 'search_path=%') $$,
  'every studio function pins its search_path');
select ok(has_function_privilege('service_role', 'private.studio_start_project(uuid,uuid,studio.project_type,text,studio.ai_service,text,jsonb,text,uuid,uuid,uuid)', 'execute'),
  'service_role starts projects');
select ok(has_function_privilege('service_role', 'private.studio_claim_jobs(text,integer)', 'execute'), 'service_role claims jobs');
select ok(has_function_privilege('service_role', 'private.studio_complete_job(bigint,text,text,jsonb,integer,numeric,jsonb)', 'execute'), 'service_role completes jobs');
select ok(has_function_privilege('service_role', 'private.studio_fail_job(bigint,text,text,boolean,integer)', 'execute'), 'service_role fails jobs');
select ok(not has_function_privilege('service_role', 'private.studio_settle_project(uuid)', 'execute'), 'settling is internal to the pipeline');
select is(tests.billing_probe('s_owner', format($q$ select private.studio_start_project(%L, %L, 'template', 'Sneaky', null, null, '{}', 'sneaky') $q$, :'owner_id', :'owner_id')),
  '42501', 'an agent cannot skip the function (and its checks) to start a project');
select is(tests.billing_probe('s_owner', $$ select * from private.studio_claim_jobs('me', 10) $$), '42501', 'nor claim jobs');
select is(tests.billing_probe('anon', $$ select * from private.studio_claim_jobs('me', 10) $$), '42501', 'nor can anon');

-- ---------------------------------------------------------------- storage
select format($q$ insert into storage.objects (bucket_id, name, owner) values ('studio-media', %L, %L) $q$, :'owner_id' || '/uploads/a.png', :'owner_id') as own_insert,
       format($q$ insert into storage.objects (bucket_id, name) values ('studio-media', %L) $q$, :'owner_id' || '/uploads/b.png') as foreign_insert \gset
select is(tests.billing_probe('s_owner', :'own_insert'), 'rows=1', 'an agent uploads into their own folder');
select is(tests.billing_probe('s_stranger', :'foreign_insert'), '42501', 'but not into another agent''s');
select is(tests.billing_probe('anon', :'foreign_insert'), '42501', 'nor can anon');
select is(tests.billing_probe('s_owner', $$ insert into storage.objects (bucket_id, name) values ('studio-media', 'uploads/rootless.png') $$), '42501',
  'every object lives under its owner''s id');

insert into storage.objects (bucket_id, name, metadata)
values ('studio-media', :'owner_id' || '/p/job.png', '{"size": 10, "mimetype": "image/png"}');
select format($q$ select 1 from storage.objects where bucket_id = 'studio-media' and name = %L $q$, :'owner_id' || '/p/job.png') as read_obj,
       format($q$ delete from storage.objects where bucket_id = 'studio-media' and name = %L $q$, :'owner_id' || '/p/job.png') as delete_obj \gset
select is(tests.billing_probe('s_owner', :'read_obj'), 'rows=1', 'the agent reads the files the worker wrote for them');
select is(tests.billing_probe('s_stranger', :'read_obj'), 'rows=0', 'a stranger does not list them (public URLs need no listing)');
select is(tests.billing_probe('s_padmin', :'read_obj'), 'rows=1', 'a platform admin reads every file');
select is(tests.billing_probe('s_stranger', :'delete_obj'), 'rows=0', 'a stranger cannot delete them');
select is(tests.billing_probe('s_owner', :'delete_obj'), 'rows=1', 'the agent can');
select results_eq($$ select id, public, allowed_mime_types @> array['image/png', 'image/gif', 'image/svg+xml', 'video/mp4'] from storage.buckets where id = 'studio-media' $$,
  $$ values ('studio-media'::text, true, true) $$, 'the bucket takes the pipeline''s outputs: PNG, GIF, SVG, MP4');

select * from finish();
rollback;
