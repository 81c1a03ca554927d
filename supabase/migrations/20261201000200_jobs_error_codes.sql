-- Jobs: error codes PostgREST answers right (issue 14 section 1).
-- Re-creates complete_job and fail_job unchanged but for one code: a worker that
-- lost its lease raised 55000 (PostgREST: 500); it now raises PT409 (409).
-- Rights, grants and comments are unchanged: create or replace keeps them (the
-- private helpers are revoked again all the same, as every private function is).
-- Invariant, checked on the live definitions by
-- supabase/tests/002-error-codes-as-postgrest-answers.sql: no raise a caller can
-- cause answers 5xx through PostgREST.

CREATE OR REPLACE FUNCTION private.complete_job(p_job_id bigint, p_worker text, p_result jsonb DEFAULT NULL::jsonb)
 RETURNS public.jobs
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  v_job public.jobs;
begin
  update public.jobs j set status = 'succeeded', result = p_result, finished_at = now(),
    lease_expires_at = null, last_error = null
  where j.id = p_job_id and j.status = 'running' and j.locked_by = p_worker
  returning * into v_job;
  if v_job.id is null then
    raise exception 'job %: not running under worker %', p_job_id, p_worker using errcode = 'PT409';
  end if;
  return v_job;
end;
$function$
;

revoke execute on function private.complete_job(p_job_id bigint, p_worker text, p_result jsonb) from public, anon, authenticated;

CREATE OR REPLACE FUNCTION private.fail_job(p_job_id bigint, p_worker text, p_error text, p_retry boolean DEFAULT true)
 RETURNS public.jobs
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
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
    raise exception 'job %: not running under worker %', p_job_id, p_worker using errcode = 'PT409';
  end if;
  return v_job;
end;
$function$
;

revoke execute on function private.fail_job(p_job_id bigint, p_worker text, p_error text, p_retry boolean) from public, anon, authenticated;

