-- Adds batch completion to the job queue, so a worker settles a whole claim
-- in one round trip instead of one call per job, and makes each queue call
-- cheaper, since a worker makes two per batch (issue 8 §3):
--   * private.complete_jobs(ids, worker, results): completes every listed
--     job that is still running under this worker, in one statement, and
--     returns the ids it completed. A job whose lease ran out and was
--     reclaimed (reaped, then handed to another worker) is no longer running
--     under the old worker, so it is left alone and its id is missing from
--     the answer: the caller learns which results were lost. Nothing raises
--     for a lost lease, so one lost job never undoes the rest of the batch.
--   * private.claim_jobs: same claim (SKIP LOCKED under a lease), now in
--     PL/pgSQL so its plan is cached per connection instead of planned on
--     every call (a SQL function with SET is never inlined or cached);
--   * jobs_set_updated_at fires only when a statement did not set
--     updated_at itself; the queue calls set it, saving a trigger call per
--     row on every claim and completion;
--   * private.complete_job / private.fail_job: same protocol as before, with
--     "not running under worker" raised as PT409 (a state conflict, 409
--     through PostgREST) instead of 55000 (which PostgREST answers 500).
-- Who may call: service_role only (workers), as for the other queue calls.
-- Invariants kept: only the lease holder settles a job; a settled job is
-- never settled again (the status = 'running' guard), so no job succeeds
-- twice even if a stale worker retries its completion.

create or replace function private.complete_jobs(p_job_ids bigint[], p_worker text, p_results jsonb default null)
returns setof bigint
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  -- p_results, when given, is a JSON array aligned with p_job_ids (null or
  -- missing elements complete the job without a result).
  return query
  update public.jobs j set
    status = 'succeeded',
    result = case when jsonb_typeof(p_results) = 'array' then nullif(p_results -> (w.ord::integer - 1), 'null'::jsonb) end,
    finished_at = now(),
    updated_at = now(),
    lease_expires_at = null,
    last_error = null
  from unnest(p_job_ids) with ordinality as w(id, ord)
  where j.id = w.id and j.status = 'running' and j.locked_by = p_worker
  returning j.id;
end;
$$;

comment on function private.complete_jobs(bigint[], text, jsonb) is
  'Completes the listed jobs still running under p_worker in one statement; returns the ids completed (a lost lease is skipped, not raised).';

create or replace function private.claim_jobs(p_queue text, p_worker text, p_limit integer default 1, p_lease interval default null)
returns setof public.jobs
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  return query
  update public.jobs j set
    status = 'running',
    attempts = j.attempts + 1,
    locked_by = p_worker,
    updated_at = now(),
    lease_expires_at = now() + coalesce(p_lease, make_interval(secs => (select q.lease_seconds from public.job_queues q where q.queue = p_queue)))
  where j.id in (
    select d.id from public.jobs d
    where d.queue = p_queue and d.status = 'queued' and d.run_at <= now()
    order by d.priority desc, d.run_at
    limit greatest(p_limit, 1)
    for update skip locked
  )
  returning j.*;
end;
$$;

-- Statements that set updated_at themselves (every queue call) skip the
-- trigger; any other update still gets it stamped. Setting it twice in one
-- transaction leaves old = new = now(), so the trigger fires and writes the
-- same value: the column is right either way.
drop trigger jobs_set_updated_at on public.jobs;
create trigger jobs_set_updated_at
  before update on public.jobs
  for each row
  when (new.updated_at is not distinct from old.updated_at)
  execute function private.set_updated_at();

-- A worker's success. Only the lease holder may complete; a stale worker
-- (its lease expired and the job was handed out again) is told so.
create or replace function private.complete_job(p_job_id bigint, p_worker text, p_result jsonb default null)
returns public.jobs
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_job public.jobs;
begin
  update public.jobs j set status = 'succeeded', result = p_result, finished_at = now(), updated_at = now(),
    lease_expires_at = null, last_error = null
  where j.id = p_job_id and j.status = 'running' and j.locked_by = p_worker
  returning * into v_job;
  if v_job.id is null then
    raise exception 'job %: not running under worker %', p_job_id, p_worker using errcode = 'PT409';
  end if;
  return v_job;
end;
$$;

-- A worker's failure: retry with exponential backoff, or give up ('dead')
-- after max_attempts (or at once when p_retry is false).
create or replace function private.fail_job(p_job_id bigint, p_worker text, p_error text, p_retry boolean default true)
returns public.jobs
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_job public.jobs;
begin
  update public.jobs j set
    status = case when p_retry and j.attempts < j.max_attempts then 'queued' else 'dead' end,
    run_at = case when p_retry and j.attempts < j.max_attempts
                  then now() + make_interval(secs => least(power(2, j.attempts) * 5, 600)) else j.run_at end,
    finished_at = case when p_retry and j.attempts < j.max_attempts then null else now() end,
    last_error = left(p_error, 2000),
    locked_by = null,
    lease_expires_at = null,
    updated_at = now()
  where j.id = p_job_id and j.status = 'running' and j.locked_by = p_worker
  returning * into v_job;
  if v_job.id is null then
    raise exception 'job %: not running under worker %', p_job_id, p_worker using errcode = 'PT409';
  end if;
  return v_job;
end;
$$;

revoke execute on function private.complete_jobs(bigint[], text, jsonb) from public, anon, authenticated;
grant execute on function private.complete_jobs(bigint[], text, jsonb) to service_role;
