-- The shared job queue: who sees jobs, and the worker protocol (claim with
-- SKIP LOCKED under a lease, complete, fail with retry and backoff, reap
-- crashed workers).
begin;
select plan(16);

insert into public.job_queues (queue, worker_function) values ('tests.work', 'test-worker');
select tests.create_supabase_user('job_owner');
select tests.create_supabase_user('job_stranger');

select id as j1 from private.enqueue_job('tests.work', '{"n": 1}', tests.get_supabase_uid('job_owner'), 'k1') \gset
select is((select id from private.enqueue_job('tests.work', '{"n": 1}', tests.get_supabase_uid('job_owner'), 'k1')), :'j1'::bigint,
  'enqueueing the same key twice returns the first job');
select id as j2 from private.enqueue_job('tests.work', '{"n": 2}', tests.get_supabase_uid('job_owner'), 'k2', now() + interval '1 hour') \gset

-- Visibility.
select tests.authenticate_as('job_owner');
select is((select count(*)::int from public.jobs where queue = 'tests.work'), 2, 'account members follow their jobs');
select throws_ok($$ update public.jobs set status = 'succeeded' $$, '42501', null, 'members cannot change a job');
select tests.authenticate_as('job_stranger');
select is_empty($$ select 1 from public.jobs where queue = 'tests.work' $$, 'a stranger sees none of them');
select tests.authenticate_as_anon();
select throws_ok($$ select 1 from public.jobs $$, '42501', null, 'anon cannot read jobs');
select tests.authenticate_as_service_role();
select throws_ok($$ insert into public.jobs (queue) values ('tests.work') $$, '42501', null, 'service_role enqueues only through private.enqueue_job');
select tests.clear_authentication();

-- Claiming: due jobs only, each to one worker.
select results_eq($$ select id, status, attempts, locked_by from private.claim_jobs('tests.work', 'w1', 10) $$,
  format($q$ values (%s::bigint, 'running'::text, 1, 'w1'::text) $q$, :'j1'),
  'a worker claims the due job (the future one waits)');
select is_empty($$ select * from private.claim_jobs('tests.work', 'w2', 10) $$, 'a second worker gets nothing while it runs');
select throws_ok(format($$ select private.complete_job(%s, 'w2', null) $$, :'j1'), 'PT409', null,
  'only the lease holder may complete a job');

-- Failing: retry later with backoff, then dead after max_attempts.
select is((select status from private.fail_job(:'j1', 'w1', 'provider timeout')), 'queued', 'a failed attempt is queued again');
select ok((select run_at > now() from public.jobs where id = :'j1'), 'after a backoff delay');
update public.jobs set run_at = now() - interval '1 second', max_attempts = 2 where id = :'j1';
select is((select attempts from private.claim_jobs('tests.work', 'w1', 1)), 2, 'the retry is a second attempt');
select is((select status from private.fail_job(:'j1', 'w1', 'provider timeout again')), 'dead', 'past max_attempts the job is dead');

-- Crashed workers: an expired lease puts the job back.
update public.jobs set run_at = now() - interval '1 second' where id = :'j2';
select is((select count(*)::int from private.claim_jobs('tests.work', 'crashy', 1)), 1, 'a worker claims the other job');
update public.jobs set lease_expires_at = now() - interval '1 second' where id = :'j2';
select is(private.reap_expired_jobs(), 1, 'the reaper finds the expired lease');
select is((select status || ':' || last_error from public.jobs where id = :'j2'), 'queued:lease expired: worker crashy did not finish',
  'and queues the job again, saying why');

select * from finish();
rollback;
