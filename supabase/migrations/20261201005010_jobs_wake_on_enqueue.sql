-- Adds the hosted wake on enqueue: workers are woken when jobs arrive, not
-- only by the minute's pg_cron tick (issue 8 §3).
--   * private.wake_job_workers: after each INSERT statement on public.jobs,
--     one pg_net POST per queue that received due jobs, to that queue's
--     worker function (public.job_queues.worker_function) with the
--     service-role key, exactly as the 'wake-job-workers' cron job does.
--     pg_net sends from its own queue table after commit, so a rolled-back
--     enqueue wakes nobody and the enqueuing transaction never waits on HTTP.
--   * It does nothing where pg_net is absent or app.settings.functions_url /
--     app.settings.service_role_key are unset (the local stack, whose
--     gateway LISTENs to NOTIFY domus_jobs instead).
-- Who may call: nobody directly (trigger only). Invariant: waking is only a
-- hint; a lost wake delays a job until the next tick, never loses it.

create or replace function private.wake_job_workers()
returns trigger
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_url text := nullif(current_setting('app.settings.functions_url', true), '');
  v_key text := nullif(current_setting('app.settings.service_role_key', true), '');
  v_queue record;
begin
  if v_url is null or v_key is null or not exists (
    select 1 from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'net' and p.proname = 'http_post'
  ) then
    return null;
  end if;
  for v_queue in
    select distinct q.queue, q.worker_function
    from new_jobs j join public.job_queues q on q.queue = j.queue
    where j.status = 'queued' and j.run_at <= now()
  loop
    -- Dynamic: pg_net may not exist where this is compiled (and linted).
    execute 'select net.http_post(url := $1, body := $2, headers := $3)'
      using v_url || '/' || v_queue.worker_function,
            jsonb_build_object('queue', v_queue.queue),
            jsonb_build_object('authorization', 'Bearer ' || v_key, 'content-type', 'application/json');
  end loop;
  return null;
end;
$$;

create trigger jobs_wake_workers
  after insert on public.jobs
  referencing new table as new_jobs
  for each statement execute function private.wake_job_workers();

revoke execute on function private.wake_job_workers() from public, anon, authenticated;
