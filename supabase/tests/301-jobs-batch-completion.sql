-- Batch completion (private.complete_jobs): one call settles a claim, and
-- leases are still honoured: a worker whose lease expired and whose job was
-- reclaimed by another worker cannot complete it, in a batch or alone.
begin;
select plan(15);

insert into public.job_queues (queue, worker_function) values ('tests.batch', 'test-worker');
select count(*) from (select private.enqueue_job('tests.batch', jsonb_build_object('n', g), null, 'b' || g) from generate_series(1, 4) g) s;
select array_agg(id order by id) as ids from private.claim_jobs('tests.batch', 'old', 3) \gset
select id as j4 from public.jobs where queue = 'tests.batch' and status = 'queued' \gset
-- The fourth job stays unclaimed (not due yet).
update public.jobs set run_at = now() + interval '1 hour' where id = :'j4';

-- The old worker crashes (its lease runs out) holding the first job; the
-- reaper queues it again and a new worker claims it.
update public.jobs set lease_expires_at = now() - interval '1 second' where id = (:'ids'::bigint[])[1];
select is(private.reap_expired_jobs(), 1, 'the expired lease is reaped');
select is((select count(*)::int from private.claim_jobs('tests.batch', 'new', 1)), 1, 'the new worker claims the job again');
select is((select locked_by from public.jobs where id = (:'ids'::bigint[])[1]), 'new', 'so the job is now the new worker''s');

select set_eq(
  format($$ select private.complete_jobs(%L::bigint[], 'old', '[{"r": 1}, {"r": 2}, {"r": 3}]') $$, :'ids'),
  format($$ select unnest((%L::bigint[])[2:3]) $$, :'ids'),
  'the old worker''s batch completes only the jobs it still holds');
select results_eq(
  format($$ select status, locked_by, result from public.jobs where id = (%L::bigint[])[1] $$, :'ids'),
  $$ values ('running'::text, 'new'::text, null::jsonb) $$,
  'the reclaimed job keeps running under the new worker, with no result from the old one');
select results_eq(
  format($$ select result from public.jobs where id = any((%L::bigint[])[2:3]) order by id $$, :'ids'),
  $$ values ('{"r": 2}'::jsonb), ('{"r": 3}'::jsonb) $$,
  'each completed job gets its own result, by position');
select is((select count(*)::int from public.jobs where id = any(:'ids'::bigint[]) and status = 'succeeded' and finished_at is not null and lease_expires_at is null), 2,
  'completed jobs are finished and hold no lease');

select is_empty(format($$ select private.complete_jobs(%L::bigint[], 'old') $$, :'ids'),
  'completing again changes nothing (no job succeeds twice)');
select throws_ok(format($$ select private.complete_job(%s, 'old', null) $$, (:'ids'::bigint[])[1]), 'PT409', null,
  'nor can the old worker complete the reclaimed job alone');
select is_empty(format($$ select private.complete_jobs(array[%s]::bigint[], 'old') $$, :'j4'),
  'a job that was never claimed cannot be completed');

select is(array(select private.complete_jobs(array[(:'ids'::bigint[])[1]], 'new')), array[(:'ids'::bigint[])[1]],
  'the new worker completes it (no results: result stays null)');

-- The queue calls stamp updated_at themselves; any other update still gets it from the trigger.
select ok((select updated_at = now() from public.jobs where id = (:'ids'::bigint[])[1]), 'a claim stamps updated_at');
update public.jobs set updated_at = now() - interval '1 day' where id = :'j4';
update public.jobs set priority = 5 where id = :'j4';
select ok((select updated_at = now() from public.jobs where id = :'j4'), 'an update that does not set updated_at still gets it stamped');

select tests.create_supabase_user('batch_user');
select tests.authenticate_as('batch_user');
select throws_ok($$ select private.complete_jobs('{}'::bigint[], 'nobody') $$, '42501', null, 'signed-in users cannot complete jobs');
select tests.authenticate_as_service_role();
select lives_ok($$ select private.complete_jobs('{}'::bigint[], 'nobody') $$, 'service_role (the workers) may call complete_jobs');
select tests.clear_authentication();

select * from finish();
rollback;
