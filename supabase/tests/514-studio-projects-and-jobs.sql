-- studio.projects and studio.ai_jobs: AI work and what it cost.
--   * read by the agent who started it, by members of the account that paid,
--     and by platform admins; strangers see nothing; anon has no access;
--   * no API user creates, re-prices or re-states them: the ai-jobs
--     function creates them via private.studio_start_project and the worker
--     settles them (service_role keeps full table access, as everywhere);
--   * the agent may rename a project, link it to their own listing or
--     contact, and delete it once it is finished.

begin;
select plan(25);

select tests.studio_data() as team \gset
select tests.studio_id('project', 's-done') as done, tests.studio_id('project', 's-running') as running,
       tests.studio_id('job', 's-done') as done_job, tests.studio_id('listing', 'oak') as oak,
       tests.get_supabase_uid('owner') as owner_id, tests.get_supabase_uid('stranger') as stranger_id \gset

-- ---------------------------------------------------------------- projects
select format($q$ select 1 from studio.projects where id = %L $q$, :'running') as read_sql,
       format($q$ insert into studio.projects (user_id, account_id, name, type) values (%L, %L, 'Free work', 'video') $q$, :'owner_id', :'team') as insert_sql,
       format($q$ update studio.projects set name = 'Renamed' where id = %L $q$, :'running') as update_sql,
       format($q$ delete from studio.projects where id = %L $q$, :'running') as delete_sql \gset

select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'projects: anon has no access');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update rows=0, delete rows=0', 'projects: a stranger sees and changes nothing');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=1, delete rows=0', 'projects: the agent reads and renames; a running project cannot be deleted; none is created directly');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=0, delete rows=0', 'projects: a member of the paying team reads, does not write');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=0, delete rows=0', 'projects: a platform admin reads every project');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'projects: service_role has full access');

select is(tests.probe('owner', format($q$ update studio.projects set status = 'completed' where id = %L $q$, :'running')), '42501',
  'the agent cannot finish a project by hand');
select is(tests.probe('owner', format($q$ update studio.projects set credit_cost = 0 where id = %L $q$, :'running')), '42501',
  'nor change what it costs');
select is(tests.probe('owner', format($q$ update studio.projects set account_id = %L where id = %L $q$, :'owner_id', :'running')), '42501',
  'nor who pays');
select is(tests.probe('owner', format($q$ update studio.projects set output_data = '{}' where id = %L $q$, :'done')), '42501',
  'nor its output');
select is(tests.probe('owner', format($q$ update studio.projects set listing_id = %L where id = %L $q$, :'oak', :'running')), 'rows=1',
  'the agent links a project to their own listing');
select is(tests.probe('owner', format($q$ update studio.projects set listing_id = null, contact_id = null where id = %L $q$, :'running')), 'rows=1',
  'and unlinks it');
select is(tests.probe('owner', format($q$ delete from studio.projects where id = %L $q$, :'done')), 'rows=1',
  'a finished project can be deleted by its agent');
select is(tests.probe('member', format($q$ delete from studio.projects where id = %L $q$, :'done')), 'rows=0',
  'but not by a teammate');
select throws_ok(format($q$ update studio.projects set status = 'completed' where id = %L $q$, :'running'),
  '23514', null, 'a completed project always has completed_at (even for the table owner)');

-- ---------------------------------------------------------------- ai_jobs
select format($q$ select 1 from studio.ai_jobs where id = %L $q$, :'done_job') as read_sql,
       format($q$ insert into studio.ai_jobs (user_id, account_id, service, model) values (%L, %L, 'qwen', 'x') $q$, :'owner_id', :'team') as insert_sql,
       format($q$ update studio.ai_jobs set credit_cost = 0 where id = %L $q$, :'done_job') as update_sql,
       format($q$ delete from studio.ai_jobs where id = %L $q$, :'done_job') as delete_sql \gset

select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'ai_jobs: anon has no access');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'ai_jobs: a stranger sees nothing and writes nothing');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'ai_jobs: the agent follows their jobs, writes nothing');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'ai_jobs: a member of the paying team follows them');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'ai_jobs: a platform admin reads every job');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'ai_jobs: service_role has full access');

select results_eq(format($q$ select status::text, credit_cost, latency_ms, api_cost, output_url, attempts from studio.ai_jobs where id = %L $q$, :'done_job'),
  $$ values ('completed'::text, 5, 42, 0.0000::numeric, 'http://storage.test/s-done.png'::text, 1) $$,
  'a completed job records status, cost, latency, provider cost, output and attempts');
select results_eq(format($q$ select r.status, r.captured_amount from public.credit_reservations r join studio.ai_jobs j on j.reservation_id = r.id where j.id = %L $q$, :'done_job'),
  $$ values ('captured'::text, 5) $$, 'its hold was captured for its price');

-- Deleting a project keeps its jobs and media (seed: ON DELETE SET NULL).
delete from studio.projects where id = :'done';
select is((select count(*)::int from studio.ai_jobs where id = :'done_job' and project_id is null), 1, 'the job outlives its deleted project');
select is((select count(*)::int from studio.media_items where ai_job_id = :'done_job' and project_id is null), 1, 'and so does its media item');

select * from finish();
rollback;
