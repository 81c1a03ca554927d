-- Studio: error codes PostgREST answers right (issue 14 section 1).
-- Re-creates studio_start_project unchanged but for one code: too few credits
-- for the project's jobs raised DM402 (PostgREST: 400); now PT402 (402).
-- Rights, grants and comments are unchanged: create or replace keeps them (the
-- private helpers are revoked again all the same, as every private function is).
-- Invariant, checked on the live definitions by
-- supabase/tests/002-error-codes-as-postgrest-answers.sql: no raise a caller can
-- cause answers 5xx through PostgREST.

CREATE OR REPLACE FUNCTION private.studio_start_project(p_user_id uuid, p_account_id uuid, p_type studio.project_type, p_name text, p_service studio.ai_service DEFAULT NULL::studio.ai_service, p_model text DEFAULT NULL::text, p_input jsonb DEFAULT '{}'::jsonb, p_idempotency_key text DEFAULT NULL::text, p_template_id uuid DEFAULT NULL::uuid, p_listing_id uuid DEFAULT NULL::uuid, p_contact_id uuid DEFAULT NULL::uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
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
      using errcode = 'PT402';
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
$function$
;

revoke execute on function private.studio_start_project(p_user_id uuid, p_account_id uuid, p_type studio.project_type, p_name text, p_service studio.ai_service, p_model text, p_input jsonb, p_idempotency_key text, p_template_id uuid, p_listing_id uuid, p_contact_id uuid) from public, anon, authenticated;

