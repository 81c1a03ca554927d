-- Studio's pipeline is closed to API callers, and the studio-media bucket.
--   * the pipeline (start, claim, complete, fail) is for service_role only
--     (the ai-jobs function); API users reach it through that function.
--     Which roles may execute which function is pinned, for every schema,
--     in 005-function-privileges.sql; here the refusals are tried for real;
--   * storage.objects in studio-media: agents write, replace, read and
--     delete inside their own folder (<user id>/...); platform admins read
--     everything; nobody writes into another agent's folder.

begin;
select plan(13);

select tests.studio_data() as team \gset
select tests.get_supabase_uid('owner') as owner_id, tests.get_supabase_uid('stranger') as stranger_id \gset

select is(tests.probe('owner', format($q$ select private.studio_start_project(%L, %L, 'template', 'Sneaky', null, null, '{}', 'sneaky') $q$, :'owner_id', :'owner_id')),
  '42501', 'an agent cannot skip the function (and its checks) to start a project');
select is(tests.probe('owner', $$ select * from private.studio_claim_jobs('me', 10) $$), '42501', 'nor claim jobs');
select is(tests.probe('anon', $$ select * from private.studio_claim_jobs('me', 10) $$), '42501', 'nor can anon');

-- ---------------------------------------------------------------- storage
select format($q$ insert into storage.objects (bucket_id, name, owner) values ('studio-media', %L, %L) $q$, :'owner_id' || '/uploads/a.png', :'owner_id') as own_insert,
       format($q$ insert into storage.objects (bucket_id, name) values ('studio-media', %L) $q$, :'owner_id' || '/uploads/b.png') as foreign_insert \gset
select is(tests.probe('owner', :'own_insert'), 'rows=1', 'an agent uploads into their own folder');
select is(tests.probe('stranger', :'foreign_insert'), '42501', 'but not into another agent''s');
select is(tests.probe('anon', :'foreign_insert'), '42501', 'nor can anon');
select is(tests.probe('owner', $$ insert into storage.objects (bucket_id, name) values ('studio-media', 'uploads/rootless.png') $$), '42501',
  'every object lives under its owner''s id');

insert into storage.objects (bucket_id, name, metadata)
values ('studio-media', :'owner_id' || '/p/job.png', '{"size": 10, "mimetype": "image/png"}');
select format($q$ select 1 from storage.objects where bucket_id = 'studio-media' and name = %L $q$, :'owner_id' || '/p/job.png') as read_obj,
       format($q$ delete from storage.objects where bucket_id = 'studio-media' and name = %L $q$, :'owner_id' || '/p/job.png') as delete_obj \gset
select is(tests.probe('owner', :'read_obj'), 'rows=1', 'the agent reads the files the worker wrote for them');
select is(tests.probe('stranger', :'read_obj'), 'rows=0', 'a stranger does not list them (public URLs need no listing)');
select is(tests.probe('platform_admin', :'read_obj'), 'rows=1', 'a platform admin reads every file');
select is(tests.probe('stranger', :'delete_obj'), 'rows=0', 'a stranger cannot delete them');
select is(tests.probe('owner', :'delete_obj'), 'rows=1', 'the agent can');
select results_eq($$ select id, public, allowed_mime_types @> array['image/png', 'image/gif', 'image/svg+xml', 'video/mp4'] from storage.buckets where id = 'studio-media' $$,
  $$ values ('studio-media'::text, true, true) $$, 'the bucket takes the pipeline''s outputs: PNG, GIF, SVG, MP4');

select * from finish();
rollback;
