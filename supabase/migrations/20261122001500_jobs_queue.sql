-- Adds the one queue for asynchronous work (AI jobs, valuations, report
-- renders, syncs, deliveries): public.jobs, drained by worker edge functions.
--   * private.enqueue_job: idempotent by (queue, idempotency_key); wakes
--     workers with NOTIFY domus_jobs;
--   * private.claim_jobs: hands out due jobs with FOR UPDATE SKIP LOCKED under
--     a lease, so concurrent workers never run one job twice;
--   * private.complete_job / private.fail_job: a worker's outcome; failures
--     retry with backoff until max_attempts, then the job is dead;
--   * private.reap_expired_jobs (pg_cron, every minute): a worker that
--     crashed mid-job loses its lease and the job runs again (or dies).
--   * private.job_queues: which worker function drains which queue. On
--     hosted Supabase, pg_cron wakes each worker through pg_net every minute;
--     the local stack's gateway does the same from this table.
-- Account members can follow their jobs (select); nobody writes them directly.

create table public.job_queues (
  queue text primary key check (queue ~ '^[a-z]+\.[a-z_]+$'),
  worker_function text not null check (worker_function ~ '^[a-z0-9-]+$'),
  batch_size integer not null default 10 check (batch_size between 1 and 100),
  lease_seconds integer not null default 300 check (lease_seconds between 5 and 3600),
  created_at timestamptz not null default now()
);

comment on table public.job_queues is 'Which worker edge function drains which job queue (read by pg_cron and the local gateway).';

-- The queues the products use; each product's worker function drains its own.
insert into public.job_queues (queue, worker_function, batch_size, lease_seconds) values
  ('homes.valuation', 'valuation', 20, 120),
  ('studio.ai_job', 'ai-jobs', 4, 300);

create table public.jobs (
  id bigint generated always as identity primary key,
  queue text not null references public.job_queues (queue),
  account_id uuid references public.accounts (id) on delete cascade,
  payload jsonb not null default '{}'::jsonb check (jsonb_typeof(payload) = 'object'),
  status text not null default 'queued' check (status in ('queued', 'running', 'succeeded', 'failed', 'dead')),
  priority smallint not null default 0,
  run_at timestamptz not null default now(),
  attempts integer not null default 0 check (attempts >= 0),
  max_attempts integer not null default 3 check (max_attempts between 1 and 20),
  idempotency_key text,
  locked_by text,
  lease_expires_at timestamptz,
  last_error text,
  result jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  finished_at timestamptz,
  unique (queue, idempotency_key)
);

comment on table public.jobs is 'Asynchronous work for every product, claimed by workers with SKIP LOCKED under a lease.';

create index jobs_due_idx on public.jobs (queue, priority desc, run_at) where status = 'queued';
create index jobs_running_lease_idx on public.jobs (lease_expires_at) where status = 'running';
create index jobs_account_id_idx on public.jobs (account_id, created_at desc);

create trigger jobs_set_updated_at
  before update on public.jobs
  for each row execute function private.set_updated_at();

alter table public.job_queues enable row level security;
alter table public.jobs enable row level security;

revoke all on public.job_queues, public.jobs from anon, authenticated, service_role;
grant select on public.job_queues to authenticated, service_role;
grant select on public.jobs to authenticated, service_role;

create policy "job_queues: signed-in users read the registry"
  on public.job_queues for select to authenticated
  using ((select auth.uid()) is not null);

create policy "jobs: account members follow their jobs"
  on public.jobs for select to authenticated
  using (account_id in (select private.my_account_ids()) or (select private.is_platform_admin()));

create or replace function private.enqueue_job(
  p_queue text,
  p_payload jsonb,
  p_account_id uuid default null,
  p_idempotency_key text default null,
  p_run_at timestamptz default now(),
  p_max_attempts integer default 3,
  p_priority smallint default 0
)
returns public.jobs
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_job public.jobs;
begin
  insert into public.jobs (queue, payload, account_id, idempotency_key, run_at, max_attempts, priority)
  values (p_queue, coalesce(p_payload, '{}'::jsonb), p_account_id, p_idempotency_key, coalesce(p_run_at, now()),
          p_max_attempts, p_priority)
  on conflict (queue, idempotency_key) do nothing
  returning * into v_job;
  if v_job.id is null then
    select * into v_job from public.jobs j where j.queue = p_queue and j.idempotency_key = p_idempotency_key;
    return v_job;
  end if;
  perform pg_notify('domus_jobs', p_queue);
  return v_job;
end;
$$;

create or replace function private.claim_jobs(p_queue text, p_worker text, p_limit integer default 1, p_lease interval default null)
returns setof public.jobs
language sql
volatile
security definer
set search_path = ''
as $$
  update public.jobs j set
    status = 'running',
    attempts = j.attempts + 1,
    locked_by = p_worker,
    lease_expires_at = now() + coalesce(p_lease, make_interval(secs => (select q.lease_seconds from public.job_queues q where q.queue = p_queue)))
  where j.id in (
    select d.id from public.jobs d
    where d.queue = p_queue and d.status = 'queued' and d.run_at <= now()
    order by d.priority desc, d.run_at
    limit greatest(p_limit, 1)
    for update skip locked
  )
  returning j.*;
$$;

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
  update public.jobs j set status = 'succeeded', result = p_result, finished_at = now(),
    lease_expires_at = null, last_error = null
  where j.id = p_job_id and j.status = 'running' and j.locked_by = p_worker
  returning * into v_job;
  if v_job.id is null then
    raise exception 'job %: not running under worker %', p_job_id, p_worker using errcode = '55000';
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
    lease_expires_at = null
  where j.id = p_job_id and j.status = 'running' and j.locked_by = p_worker
  returning * into v_job;
  if v_job.id is null then
    raise exception 'job %: not running under worker %', p_job_id, p_worker using errcode = '55000';
  end if;
  return v_job;
end;
$$;

-- pg_cron: leases that ran out belong to crashed workers.
create or replace function private.reap_expired_jobs()
returns integer
language sql
volatile
security definer
set search_path = ''
as $$
  with reaped as (
    update public.jobs j set
      status = case when j.attempts < j.max_attempts then 'queued' else 'dead' end,
      finished_at = case when j.attempts < j.max_attempts then null else now() end,
      last_error = 'lease expired: worker ' || coalesce(j.locked_by, '?') || ' did not finish',
      locked_by = null,
      lease_expires_at = null
    where j.status = 'running' and j.lease_expires_at < now()
    returning 1
  )
  select count(*)::integer from reaped;
$$;

select cron.schedule('reap-expired-jobs', '* * * * *', 'select private.reap_expired_jobs()');

-- Hosted Supabase: wake every registered worker each minute through pg_net
-- (the worker drains its queue). Skipped where pg_net is not available, as
-- in the Docker-free local stack, whose gateway does the same itself.
do $$
begin
  if exists (select 1 from pg_available_extensions where name = 'pg_net') then
    create extension if not exists pg_net;
    perform cron.schedule('wake-job-workers', '* * * * *', $cron$
      select net.http_post(
        url := current_setting('app.settings.functions_url', true) || '/' || q.worker_function,
        headers := jsonb_build_object('authorization', 'Bearer ' || current_setting('app.settings.service_role_key', true)),
        body := jsonb_build_object('queue', q.queue))
      from public.job_queues q
      where current_setting('app.settings.functions_url', true) is not null
    $cron$);
  end if;
end
$$;

revoke execute on all functions in schema private from public;
grant execute on function
  private.enqueue_job(text, jsonb, uuid, text, timestamptz, integer, smallint),
  private.claim_jobs(text, text, integer, interval),
  private.complete_job(bigint, text, jsonb),
  private.fail_job(bigint, text, text, boolean)
to service_role;
