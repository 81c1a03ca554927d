-- The worker's side of the pipeline, in the database:
--   * private.studio_claim_jobs hands each due job to one worker (SKIP
--     LOCKED under a lease): the AI job and its project turn 'processing';
--   * success (private.studio_complete_job): hold captured once, media
--     item written, job and project completed, job_completed notification;
--   * a transient failure requeues the job and keeps its hold; a permanent
--     one, or the last attempt, kills it: hold released exactly once,
--     project failed, the user told (notification type 'system');
--   * a reaped lease requeues the job (processing -> pending), or kills it
--     on its last attempt; a stale worker's late report changes nothing;
--   * a hold that expires first kills the queued job; a job whose hold has
--     expired is never run or charged.

begin;
select plan(33);

select tests.studio_data() as team \gset
select tests.get_supabase_uid('owner') as owner_id \gset
-- Only this file's jobs are due.
update public.jobs set run_at = now() + interval '1 day' where queue = 'studio.ai_job' and status = 'queued';

create temp table started (key text primary key, project_id uuid, job_id uuid, queue_job_id bigint) on commit drop;
create function pg_temp.start(p_key text, p_type studio.project_type default 'template') returns void language sql as $$
  insert into started
  select p_key, (r -> 'project' ->> 'id')::uuid, (r -> 'jobs' -> 0 ->> 'id')::uuid,
         (r -> 'jobs' -> 0 ->> 'queue_job_id')::bigint
  from (select private.studio_start_project(tests.get_supabase_uid('owner'), tests.account_id('team-a'), p_type, p_key, 'replicate', null,
                                            '{}', p_key) as r) s;
$$;
create function pg_temp.state(p_key text) returns text language sql as $$
  select p.status || '/' || j.status || '/' || r.status || '/' || q.status
  from started s join studio.projects p on p.id = s.project_id join studio.ai_jobs j on j.id = s.job_id
  join public.credit_reservations r on r.id = j.reservation_id join public.jobs q on q.id = s.queue_job_id
  where s.key = p_key;
$$;
create function pg_temp.available() returns integer language sql as $$
  select balance - held from public.credit_balances where account_id = tests.account_id('team-a') and pool = 'credits';
$$;

select pg_temp.start('ok') is null as a, pg_temp.start('flaky') is null as b, pg_temp.start('broken') is null as c \gset
select pg_temp.available() as avail_start \gset
select is(pg_temp.state('ok'), 'pending/pending/held/queued', 'a started job waits: project and job pending, credits held, queued');

-- ---------------------------------------------------------------- claim
select is((select count(*)::int from private.studio_claim_jobs('w-1', 2)), 2, 'a worker claims up to its batch');
select is((select count(*)::int from private.studio_claim_jobs('w-2', 10)), 1, 'another worker gets only what is left');
select is((select count(*)::int from private.studio_claim_jobs('w-3', 10)), 0, 'nothing is handed out twice');
select is(pg_temp.state('ok'), 'processing/processing/held/running', 'claimed: processing, still held, running');
select is((select attempts from studio.ai_jobs where id = (select job_id from started where key = 'ok')), 1, 'the attempt is counted');

-- ---------------------------------------------------------------- success
select locked_by as ok_worker from public.jobs where id = (select queue_job_id from started where key = 'ok') \gset
select is(private.studio_complete_job((select queue_job_id from started where key = 'ok'), 'not-the-holder', 'http://x/ok.svg'), 'lease_lost',
  'only the lease holder may report');
select is(private.studio_complete_job((select queue_job_id from started where key = 'ok'), :'ok_worker', 'http://x/ok.svg',
  '{"mode": "local"}', 812, 0.0030, '{"mime_type": "image/svg+xml", "file_size": 2048, "storage_path": "x/ok.svg"}'), 'completed', 'the holder completes');
select is(pg_temp.state('ok'), 'completed/completed/captured/succeeded', 'job, project, hold and queue row all finished');
select results_eq($$ select j.latency_ms, j.api_cost, j.output_url, j.output ->> 'mode' from studio.ai_jobs j where j.id = (select job_id from started where key = 'ok') $$,
  $$ values (812, 0.0030::numeric, 'http://x/ok.svg'::text, 'local'::text) $$, 'latency, provider cost, output and mode are recorded');
select results_eq($$ select type::text, url, mime_type, file_size, credits_used, account_id from studio.media_items where ai_job_id = (select job_id from started where key = 'ok') $$,
  format($q$ values ('template'::text, 'http://x/ok.svg'::text, 'image/svg+xml'::text, 2048, 2, %L::uuid) $q$, :'team'),
  'one media item of the right type, with its cost and paying account');
select is(private.studio_complete_job((select queue_job_id from started where key = 'ok'), :'ok_worker', 'http://x/ok2.svg'), 'lease_lost',
  'completing twice changes nothing');
select is((select count(*)::int from public.credit_transactions where reservation_id = (select reservation_id from studio.ai_jobs where id = (select job_id from started where key = 'ok'))), 1,
  'charged exactly once');
select results_eq($$ select type, product, data ->> 'status' from public.notifications where data ->> 'project_id' = (select project_id::text from started where key = 'ok') $$,
  $$ values ('job_completed'::text, 'studio'::text, 'completed'::text) $$, 'the agent is told the job completed');

-- ---------------------------------------------------------------- transient failure, then retry
select locked_by as flaky_worker from public.jobs where id = (select queue_job_id from started where key = 'flaky') \gset
select is(private.studio_fail_job((select queue_job_id from started where key = 'flaky'), :'flaky_worker', 'replicate: HTTP 503', true, 120), 'retrying',
  'a transient failure is retried');
select is(pg_temp.state('flaky'), 'processing/pending/held/queued', 'the job waits for its retry; the hold stays');
select is((select error_message from studio.ai_jobs where id = (select job_id from started where key = 'flaky')), 'replicate: HTTP 503', 'the error is recorded');
select ok((select run_at > now() from public.jobs where id = (select queue_job_id from started where key = 'flaky')), 'with backoff');
update public.jobs set run_at = now() where id = (select queue_job_id from started where key = 'flaky');
select is((select count(*)::int from private.studio_claim_jobs('w-4', 10)), 1, 'the retry is claimed again');
select is(private.studio_complete_job((select queue_job_id from started where key = 'flaky'), 'w-4', 'http://x/flaky.svg'), 'completed', 'and succeeds');
select is((select count(*)::int from public.credit_transactions where reservation_id = (select reservation_id from studio.ai_jobs where id = (select job_id from started where key = 'flaky'))), 1,
  'two attempts, one charge');

-- ---------------------------------------------------------------- permanent failure
select locked_by as broken_worker from public.jobs where id = (select queue_job_id from started where key = 'broken') \gset
select is(private.studio_fail_job((select queue_job_id from started where key = 'broken'), :'broken_worker', 'replicate: Prediction failed: NSFW', false), 'failed',
  'a permanent failure is not retried');
select is(pg_temp.state('broken'), 'failed/failed/released/dead', 'job dead, project failed, hold released');
select results_eq($$ select type, title, data ->> 'status' from public.notifications where data ->> 'project_id' = (select project_id::text from started where key = 'broken') $$,
  $$ values ('system'::text, 'Your template failed'::text, 'failed'::text) $$, 'the agent is told it failed');
select is(pg_temp.available(), :avail_start + 6 - 2 - 2, 'credits: the two successes paid 2 each; the failure''s 2 came back');

-- ---------------------------------------------------------------- crashed workers
select pg_temp.start('crash') is null as d, pg_temp.start('crash-last') is null as e \gset
update public.jobs set max_attempts = 1 where id = (select queue_job_id from started where key = 'crash-last');
select count(*) as crashed_claims from private.studio_claim_jobs('w-crashed', 10) \gset
update public.jobs set lease_expires_at = now() - interval '1 second' where locked_by = 'w-crashed';
select is(private.reap_expired_jobs(), 2, 'the reaper finds both expired leases');
select is(pg_temp.state('crash'), 'processing/pending/held/queued', 'a job with attempts left is queued again, its hold kept');
select is(pg_temp.state('crash-last'), 'failed/failed/released/dead', 'a job on its last attempt dies and its hold is released');
select is(private.studio_complete_job((select queue_job_id from started where key = 'crash'), 'w-crashed', 'http://x/late.svg'), 'lease_lost',
  'the crashed worker''s late success changes nothing');
select is(private.studio_fail_job((select queue_job_id from started where key = 'crash'), 'w-crashed', 'late', false), 'lease_lost',
  'nor does its late failure');

-- ---------------------------------------------------------------- expired holds
update public.credit_reservations set expires_at = now() - interval '1 second'
where id = (select reservation_id from studio.ai_jobs where id = (select job_id from started where key = 'crash'));
select cmp_ok(private.expire_credit_reservations(), '>=', 1, 'pg_cron''s expiry finds the stale hold');
select is(pg_temp.state('crash'), 'failed/failed/expired/dead', 'the queued job dies with it: nothing reserved or pending forever');
select is_empty($$ select * from private.credit_invariant_violations() $$, 'the ledger is exact after all of it');

select * from finish();
rollback;
