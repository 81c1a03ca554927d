-- Adds the Studio AI job pipeline on the shared credit ledger and job queue:
--   * private.studio_start_project: prices the request from
--     studio.job_prices, reserves the credits, inserts the project and its
--     ai_jobs and enqueues them on 'studio.ai_job', all in one transaction
--     (DM402 and nothing created when credits are short); idempotent per
--     user and client key, so a retried request never charges twice;
--   * private.studio_claim_jobs: the worker's claim (FOR UPDATE SKIP LOCKED
--     through private.claim_jobs), refusing jobs whose credit hold expired;
--   * private.studio_complete_job / private.studio_fail_job: one call per
--     outcome. Success captures the hold, writes the media item, completes
--     the job and, when it was the project's last, the project (with a
--     job_completed notification). Failure either requeues the job keeping
--     its hold (transient errors), or kills it;
--   * trigger studio_ai_jobs_follow_queue on public.jobs: ai_jobs mirror
--     their queue row (running -> processing, requeued -> pending), and a
--     job that dies, however it died (no retry, retries used up, its lease
--     reaped once too often), has its hold released exactly once, its
--     project settled as failed and its user told;
--   * trigger studio_hold_expired on public.credit_reservations: a hold that
--     expires (pg_cron) before its job ran kills the queued job, so nothing
--     stays reserved, or pending, forever.
-- Lock order everywhere: queue row, project, AI job, then the ledger.

-- Holds outlive every retry: 3 attempts x 300 s lease + backoff, with margin.
create or replace function private.studio_hold_ttl()
returns interval
language sql
immutable
set search_path = ''
as $$ select interval '1 hour' $$;

-- Every project's settlement: once no job is pending or processing, the
-- project is completed (all jobs completed) or failed, its cost becomes what
-- was actually spent, the template used is credited, and the user is told.
create or replace function private.studio_settle_project(p_project_id uuid)
returns studio.projects
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_project studio.projects;
  v_open integer;
  v_failed integer;
  v_total integer;
  v_spent integer;
  v_error text;
  v_media jsonb;
  v_label text;
begin
  select * into v_project from studio.projects p where p.id = p_project_id for update;
  if not found or v_project.status in ('completed', 'failed') then
    return v_project;
  end if;

  select count(*) filter (where j.status in ('pending', 'processing'))::integer,
         count(*) filter (where j.status = 'failed')::integer,
         count(*)::integer,
         coalesce(sum(j.credit_cost) filter (where j.status = 'completed'), 0)::integer,
         min(j.error_message) filter (where j.status = 'failed')
  into v_open, v_failed, v_total, v_spent, v_error
  from studio.ai_jobs j where j.project_id = p_project_id;
  if v_open > 0 then
    return v_project;
  end if;

  select coalesce(jsonb_agg(jsonb_build_object('media_id', m.id, 'url', m.url, 'type', m.type) order by m.created_at), '[]'::jsonb)
  into v_media
  from studio.media_items m where m.project_id = p_project_id;

  update studio.projects p set
    status = case when v_failed = 0 then 'completed'::studio.job_status else 'failed'::studio.job_status end,
    completed_at = now(),
    credit_cost = v_spent,
    error_message = case when v_failed = 0 then null else v_error end,
    output_data = p.output_data || jsonb_build_object(
      'media', v_media, 'jobs', v_total, 'failed_jobs', v_failed, 'credits_spent', v_spent)
  where p.id = p_project_id
  returning * into v_project;

  if v_spent > 0 and v_project.template_id is not null then
    update studio.templates t set credits_used = t.credits_used + v_spent where t.id = v_project.template_id;
  end if;

  v_label := replace(v_project.type::text, '_', ' ');
  if v_failed = 0 then
    perform private.notify(
      v_project.user_id, 'job_completed', format('Your %s is ready', v_label),
      format('"%s" is done: %s credits spent. Find it in your media library.', v_project.name, v_spent),
      'studio', '/studio/projects/' || v_project.id,
      jsonb_build_object('project_id', v_project.id, 'status', 'completed', 'media', v_media),
      v_project.account_id);
  else
    perform private.notify(
      v_project.user_id, 'system', format('Your %s failed', v_label),
      format('"%s" could not be finished (%s). %s', v_project.name, coalesce(v_error, 'unknown error'),
             case when v_spent = 0 then 'No credits were charged.'
                  else format('%s credits were charged for the parts that succeeded; the rest were returned.', v_spent) end),
      'studio', '/studio/projects/' || v_project.id,
      jsonb_build_object('project_id', v_project.id, 'status', 'failed', 'error', v_error),
      v_project.account_id);
  end if;
  return v_project;
end;
$$;

-- A job that will never run again: release its hold (idempotent), record
-- the error, settle the project.
create or replace function private.studio_job_died(p_queue_job_id bigint, p_error text)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_job studio.ai_jobs;
begin
  select * into v_job from studio.ai_jobs j where j.queue_job_id = p_queue_job_id;
  if not found or v_job.status in ('completed', 'failed') then
    return;
  end if;
  if v_job.project_id is not null then
    perform 1 from studio.projects p where p.id = v_job.project_id for update;
  end if;
  select * into v_job from studio.ai_jobs j where j.id = v_job.id for update;
  if v_job.status in ('completed', 'failed') then
    return;
  end if;
  if v_job.reservation_id is not null then
    perform private.credit_release(v_job.reservation_id);
  end if;
  update studio.ai_jobs j set
    status = 'failed', error_message = coalesce(left(p_error, 2000), 'failed'), credit_cost = 0, completed_at = now()
  where j.id = v_job.id;
  if v_job.project_id is not null then
    perform private.studio_settle_project(v_job.project_id);
  end if;
end;
$$;

-- ai_jobs follow their queue rows.
create or replace function private.studio_follow_queue()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_project_id uuid;
begin
  if new.status = 'running' then
    select j.project_id into v_project_id from studio.ai_jobs j where j.queue_job_id = new.id;
    if v_project_id is not null then
      update studio.projects p set status = 'processing' where p.id = v_project_id and p.status = 'pending';
    end if;
    update studio.ai_jobs j set status = 'processing', attempts = new.attempts, started_at = now()
    where j.queue_job_id = new.id and j.status in ('pending', 'processing');
  elsif new.status = 'queued' then
    update studio.ai_jobs j set status = 'pending', error_message = new.last_error
    where j.queue_job_id = new.id and j.status = 'processing';
  elsif new.status = 'dead' then
    perform private.studio_job_died(new.id, new.last_error);
  end if;
  return null;
end;
$$;

create trigger studio_ai_jobs_follow_queue
  after update of status on public.jobs
  for each row when (new.queue = 'studio.ai_job' and new.status is distinct from old.status)
  execute function private.studio_follow_queue();

-- A hold that expired before its job ran: the job dies (and its project fails).
-- A job being claimed or finished right now is skipped (SKIP LOCKED): that
-- path sees the expired hold itself.
create or replace function private.studio_hold_expired()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_queue_job_id bigint;
  v_project_id uuid;
begin
  select j.queue_job_id, j.project_id into v_queue_job_id, v_project_id
  from studio.ai_jobs j where j.reservation_id = new.id;
  if v_queue_job_id is null then
    return null;
  end if;
  -- Never wait here (this runs holding the balance lock): a busy project is
  -- left to the claim, which kills a job whose hold has expired.
  perform 1 from studio.projects p where p.id = v_project_id for update skip locked;
  if not found then
    return null;
  end if;
  update public.jobs q set status = 'dead', finished_at = now(),
    last_error = 'credit hold expired before the job ran'
  where q.id in (select d.id from public.jobs d where d.id = v_queue_job_id and d.status = 'queued'
                 for update skip locked);
  return null;
end;
$$;

create trigger studio_hold_expired
  after update of status on public.credit_reservations
  for each row when (new.status = 'expired' and old.status = 'held' and new.purpose like 'studio.%')
  execute function private.studio_hold_expired();

-- ------------------------------------------------------------------ start
-- Called by the ai-jobs function for a signed-in user (service_role only).
-- p_input may hold `images` (photo_edit): one AI job per image. Returns
-- {"project": ..., "jobs": [...], "replayed": bool}.
create or replace function private.studio_start_project(
  p_user_id uuid,
  p_account_id uuid,
  p_type studio.project_type,
  p_name text,
  p_service studio.ai_service default null,
  p_model text default null,
  p_input jsonb default '{}'::jsonb,
  p_idempotency_key text default null,
  p_template_id uuid default null,
  p_listing_id uuid default null,
  p_contact_id uuid default null
)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_account_id uuid := coalesce(p_account_id, p_user_id);
  v_input jsonb := coalesce(p_input, '{}'::jsonb);
  v_price studio.job_prices;
  v_project studio.projects;
  v_job_inputs jsonb;
  v_job_input jsonb;
  v_job_id uuid;
  v_hold public.credit_reservations;
  v_queued public.jobs;
  v_count integer;
  v_available integer;
  v_jobs jsonb;
begin
  if p_user_id is null then
    raise exception 'user_id: required' using errcode = '22023';
  end if;
  if p_name is null or char_length(btrim(p_name)) not between 1 and 200 then
    raise exception 'name: 1 to 200 characters' using errcode = '22023';
  end if;
  if jsonb_typeof(v_input) <> 'object' then
    raise exception 'input: must be an object' using errcode = '22023';
  end if;
  if p_idempotency_key is not null and char_length(p_idempotency_key) not between 1 and 200 then
    raise exception 'idempotency_key: 1 to 200 characters' using errcode = '22023';
  end if;

  -- The same key from the same user: the first project, charged once.
  if p_idempotency_key is not null then
    perform pg_advisory_xact_lock(hashtextextended('studio:' || p_user_id::text || ':' || p_idempotency_key, 0));
    select * into v_project from studio.projects p
    where p.user_id = p_user_id and p.idempotency_key = p_idempotency_key;
    if found then
      select coalesce(jsonb_agg(to_jsonb(j) order by j.created_at, j.id), '[]'::jsonb) into v_jobs
      from studio.ai_jobs j where j.project_id = v_project.id;
      return jsonb_build_object('project', to_jsonb(v_project), 'jobs', v_jobs, 'replayed', true);
    end if;
  end if;

  if not exists (select 1 from public.account_memberships m where m.account_id = v_account_id and m.user_id = p_user_id) then
    raise exception 'account_id: you are not a member of this account' using errcode = '42501';
  end if;

  select * into v_price from studio.job_prices jp
  where jp.job_type = p_type and jp.active
    and (p_service is null or jp.service = p_service)
    and (p_model is null or jp.model = p_model)
  order by jp.is_default desc, jp.credits, jp.service, jp.model
  limit 1;
  if not found then
    if p_model is not null then
      raise exception 'model: % has no % model "%"', coalesce(p_service::text, 'no service'), p_type, p_model using errcode = '22023';
    end if;
    raise exception 'service: % does not offer %', coalesce(p_service::text, 'no service'), p_type using errcode = '22023';
  end if;

  if p_template_id is not null and not exists (
    select 1 from studio.templates t where t.id = p_template_id and (t.user_id = p_user_id or t.is_public)) then
    raise exception 'template_id: no such template' using errcode = '22023';
  end if;
  if p_listing_id is not null and not exists (
    select 1 from studio.crm_listings l where l.id = p_listing_id and l.user_id = p_user_id) then
    raise exception 'listing_id: no such listing' using errcode = '22023';
  end if;
  if p_contact_id is not null and not exists (
    select 1 from studio.crm_contacts c where c.id = p_contact_id and c.user_id = p_user_id) then
    raise exception 'contact_id: no such contact' using errcode = '22023';
  end if;

  if p_type = 'photo_edit' and jsonb_typeof(v_input -> 'images') = 'array' and jsonb_array_length(v_input -> 'images') > 0 then
    if jsonb_array_length(v_input -> 'images') > 10 then
      raise exception 'input.images: at most 10 images per project' using errcode = '22023';
    end if;
    select jsonb_agg((v_input - 'images') || jsonb_build_object('image', e.image) order by e.n)
    into v_job_inputs
    from jsonb_array_elements(v_input -> 'images') with ordinality as e(image, n);
  else
    v_job_inputs := jsonb_build_array(v_input - 'images');
  end if;
  v_count := jsonb_array_length(v_job_inputs);

  -- Seed 002 users start with 50 credits: the first Studio project of a
  -- personal account grants them, once (by ledger key).
  if v_account_id = p_user_id then
    perform private.credit_apply(v_account_id, 'credits', 50, 'grant', 'studio-welcome', 'Studio welcome credits');
  end if;
  -- The whole request must fit (each hold below checks again, under the balance lock).
  select coalesce(sum(b.balance - b.held), 0)::integer into v_available
  from public.credit_balances b where b.account_id = v_account_id and b.pool = 'credits';
  if v_available < v_price.credits * v_count then
    raise exception 'insufficient credits: % available, % needed', v_available, v_price.credits * v_count
      using errcode = 'DM402';
  end if;
  -- Metered (studio.ai_job is unlimited on every Studio plan today).
  perform private.record_usage(v_account_id, 'studio.ai_job', v_count,
    'studio:project:' || p_user_id::text || ':' || coalesce(p_idempotency_key, extensions.gen_random_uuid()::text), p_user_id);

  insert into studio.projects (user_id, account_id, name, type, credit_cost, input_data, template_id,
                               listing_id, contact_id, idempotency_key)
  values (p_user_id, v_account_id, btrim(p_name), p_type, v_price.credits * v_count, v_input, p_template_id,
          p_listing_id, p_contact_id, p_idempotency_key)
  returning * into v_project;

  for v_job_input in select e.value from jsonb_array_elements(v_job_inputs) as e loop
    v_job_id := extensions.gen_random_uuid();
    v_hold := private.credit_reserve(v_account_id, 'credits', v_price.credits, 'studio:ai_job:' || v_job_id::text,
      'studio.' || p_type::text, v_job_id::text, private.studio_hold_ttl());
    v_queued := private.enqueue_job('studio.ai_job',
      jsonb_build_object('ai_job_id', v_job_id, 'project_id', v_project.id),
      v_account_id, 'studio:ai_job:' || v_job_id::text, now(), 3);
    insert into studio.ai_jobs (id, user_id, account_id, project_id, service, model, input, credit_cost,
                                reservation_id, queue_job_id)
    values (v_job_id, p_user_id, v_account_id, v_project.id, v_price.service, v_price.model, v_job_input,
            v_price.credits, v_hold.id, v_queued.id);
  end loop;

  select coalesce(jsonb_agg(to_jsonb(j) order by j.created_at, j.id), '[]'::jsonb) into v_jobs
  from studio.ai_jobs j where j.project_id = v_project.id;
  return jsonb_build_object('project', to_jsonb(v_project), 'jobs', v_jobs, 'replayed', false);
end;
$$;

-- ------------------------------------------------------------------ worker
-- Claims up to p_limit due jobs for p_worker (SKIP LOCKED under a lease) and
-- returns what the worker needs to run them. A job without its studio row,
-- or whose hold already expired, dies at once instead (nothing to charge).
create or replace function private.studio_claim_jobs(p_worker text, p_limit integer default 4)
returns table (
  queue_job_id bigint,
  ai_job_id uuid,
  project_id uuid,
  user_id uuid,
  account_id uuid,
  project_type studio.project_type,
  service studio.ai_service,
  model text,
  input jsonb,
  attempt integer,
  max_attempts integer,
  api_cost_estimate numeric
)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_queued public.jobs;
  v_hold_status text;
begin
  for v_queued in select * from private.claim_jobs('studio.ai_job', p_worker, p_limit) loop
    select j.id, j.project_id, j.user_id, j.account_id, p.type, j.service, j.model, j.input, r.status,
           coalesce(jp.api_cost_estimate, 0)
    into ai_job_id, project_id, user_id, account_id, project_type, service, model, input, v_hold_status,
         api_cost_estimate
    from studio.ai_jobs j
    join studio.projects p on p.id = j.project_id
    left join public.credit_reservations r on r.id = j.reservation_id
    left join studio.job_prices jp on jp.job_type = p.type and jp.service = j.service and jp.model = j.model
    where j.queue_job_id = v_queued.id;
    if not found then
      perform private.fail_job(v_queued.id, p_worker, 'no studio project for this job', false);
      continue;
    end if;
    if v_hold_status is distinct from 'held' then
      perform private.fail_job(v_queued.id, p_worker, 'credit hold expired before the job ran', false);
      continue;
    end if;
    queue_job_id := v_queued.id;
    attempt := v_queued.attempts;
    max_attempts := v_queued.max_attempts;
    return next;
  end loop;
end;
$$;

-- Success, in one transaction: job completed, hold captured, media item
-- written, AI job recorded, project settled. Returns 'completed',
-- 'lease_lost' (another worker owns the job now: nothing is written) or
-- 'hold_expired' (the job dies; nothing is charged).
create or replace function private.studio_complete_job(
  p_queue_job_id bigint,
  p_worker text,
  p_output_url text,
  p_output jsonb default '{}'::jsonb,
  p_latency_ms integer default null,
  p_api_cost numeric default null,
  p_media jsonb default '{}'::jsonb
)
returns text
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_queued public.jobs;
  v_job studio.ai_jobs;
  v_project studio.projects;
  v_hold_status text;
begin
  if p_output_url is null or char_length(p_output_url) = 0 then
    raise exception 'output_url: required' using errcode = '22023';
  end if;
  select * into v_queued from public.jobs q where q.id = p_queue_job_id for update;
  if not found or v_queued.status <> 'running' or v_queued.locked_by is distinct from p_worker then
    return 'lease_lost';
  end if;
  select * into v_job from studio.ai_jobs j where j.queue_job_id = p_queue_job_id;
  if not found then
    perform private.complete_job(p_queue_job_id, p_worker, jsonb_build_object('error', 'no studio job'));
    return 'lease_lost';
  end if;
  select * into v_project from studio.projects p where p.id = v_job.project_id for update;
  select * into v_job from studio.ai_jobs j where j.id = v_job.id for update;
  select r.status into v_hold_status from public.credit_reservations r where r.id = v_job.reservation_id;
  if v_hold_status is distinct from 'held' then
    perform private.fail_job(p_queue_job_id, p_worker, 'credit hold expired before the result was delivered', false);
    return 'hold_expired';
  end if;

  perform private.complete_job(p_queue_job_id, p_worker,
    jsonb_build_object('ai_job_id', v_job.id, 'output_url', p_output_url));
  perform private.credit_capture(v_job.reservation_id, v_job.credit_cost);

  insert into studio.media_items (user_id, account_id, listing_id, contact_id, project_id, ai_job_id, type, title,
                                  description, url, thumbnail_url, storage_path, mime_type, file_size, credits_used, tags)
  values (
    v_job.user_id, v_job.account_id, v_project.listing_id, v_project.contact_id, v_project.id, v_job.id,
    case v_project.type when 'photo_edit' then 'image'::studio.media_type
                        when 'video' then 'video'::studio.media_type
                        else 'template'::studio.media_type end,
    left(coalesce(p_media ->> 'title', v_project.name), 300),
    left(p_media ->> 'description', 5000),
    p_output_url,
    coalesce(p_media ->> 'thumbnail_url', case when v_project.type = 'photo_edit' then p_output_url end),
    p_media ->> 'storage_path',
    p_media ->> 'mime_type',
    (p_media ->> 'file_size')::integer,
    v_job.credit_cost,
    array[v_project.type::text, v_job.service::text]
  );

  update studio.ai_jobs j set
    status = 'completed', output_url = p_output_url, output = coalesce(p_output, '{}'::jsonb),
    latency_ms = p_latency_ms, api_cost = p_api_cost, error_message = null, completed_at = now()
  where j.id = v_job.id;

  perform private.studio_settle_project(v_project.id);
  return 'completed';
end;
$$;

-- Failure: a transient error requeues the job with backoff and keeps its
-- hold (the retry is not charged again); otherwise, or once its attempts
-- are used up, the job dies and the queue trigger refunds and settles.
-- Returns 'retrying', 'failed' or 'lease_lost'.
create or replace function private.studio_fail_job(
  p_queue_job_id bigint,
  p_worker text,
  p_error text,
  p_retry boolean default true,
  p_latency_ms integer default null
)
returns text
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_queued public.jobs;
begin
  select * into v_queued from public.jobs q where q.id = p_queue_job_id for update;
  if not found or v_queued.status <> 'running' or v_queued.locked_by is distinct from p_worker then
    return 'lease_lost';
  end if;
  update studio.ai_jobs j set latency_ms = p_latency_ms
  where j.queue_job_id = p_queue_job_id and p_latency_ms is not null;
  v_queued := private.fail_job(p_queue_job_id, p_worker, coalesce(p_error, 'failed'), p_retry);
  return case when v_queued.status = 'queued' then 'retrying' else 'failed' end;
end;
$$;

revoke execute on all functions in schema private from public;
grant execute on function
  private.studio_start_project(uuid, uuid, studio.project_type, text, studio.ai_service, text, jsonb, text, uuid, uuid, uuid),
  private.studio_claim_jobs(text, integer),
  private.studio_complete_job(bigint, text, text, jsonb, integer, numeric, jsonb),
  private.studio_fail_job(bigint, text, text, boolean, integer)
to service_role;
