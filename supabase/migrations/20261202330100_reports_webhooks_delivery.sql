-- Reports outgoing webhooks: events, deliveries and their retries in SQL.
--
--   private.reports_emit_event(account, event, data) -> integer   (service_role)
--     one delivery (attempt 1, pending) per active endpoint of the account
--     subscribed to the event, each a job on `reports.webhooks` whose
--     idempotency key is the delivery id; returns how many.
--   private.reports_webhook_create(id, account, url, events, secret) /
--   private.reports_webhook_rotate(id, secret)                    (service_role)
--     store the ciphertext the reports-webhooks function made; rotation keeps
--     the replaced secret as previous_secret for 24 hours.
--   private.reports_webhook_claim(worker, limit)                  (service_role)
--     claims due jobs with what an attempt needs (url, secrets — the previous
--     one only while valid — payload, message id, attempt).
--   private.reports_webhook_record_attempt(job, worker, delivery, outcome,
--     status, ms, error, retry_after)                             (service_role)
--     records the attempt, schedules the next one and completes the job, in
--     one transaction (a worker whose lease was lost is PT409 and records
--     nothing).
--   reports.send_test_webhook(webhook) / reports.replay_webhook_delivery(delivery)
--     (owners and admins of the endpoint's account; security definer).
--
-- Retry schedule (Standard Webhooks / Svix): after failed attempt n the next
-- is due after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (n = 1..7), each
-- times a random factor in [0.9, 1.1] so endpoints that failed together do
-- not retry together; a Retry-After the worker read (429 / 503) is a floor,
-- capped at 24 h. Attempt 8 failing makes the chain dead.
-- Disabling: a 410 disables at once ('gone'); a failure when the endpoint has
-- failed every attempt for 3 days disables it ('failing'). Either notifies
-- the account's owners and admins (public.notifications, product reports).
-- Attempts of a disabled endpoint are not sent: they are recorded dead.

create or replace function private.reports_webhook_retry_delays()
returns integer[]
language sql
immutable
set search_path = ''
as $$
  select array[5, 300, 1800, 7200, 18000, 36000, 36000];
$$;

comment on function private.reports_webhook_retry_delays() is 'Seconds before attempt n+1 after attempt n failed (n = 1..7); attempt 8 is the last.';

-- One attempt row and its job.
create or replace function private.reports_webhook_enqueue(
  p_webhook_id uuid, p_account_id uuid, p_event text, p_payload jsonb, p_message_id text,
  p_attempt integer, p_run_at timestamptz, p_replay_of uuid
)
returns uuid
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_id uuid;
begin
  insert into reports.webhook_deliveries (account_id, webhook_id, event, payload, message_id, attempt, status, next_attempt_at, replay_of)
  values (p_account_id, p_webhook_id, p_event, p_payload, p_message_id, p_attempt, 'pending', p_run_at, p_replay_of)
  returning id into v_id;
  perform private.enqueue_job('reports.webhooks', jsonb_build_object('delivery_id', v_id), p_account_id, v_id::text,
                              p_run_at, 5);
  return v_id;
end;
$$;

create or replace function private.reports_webhook_payload(p_event text, p_data jsonb)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object('type', p_event,
                            'timestamp', to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                            'data', coalesce(p_data, '{}'::jsonb));
$$;

create or replace function private.reports_webhook_message_id()
returns text
language sql
volatile
set search_path = ''
as $$
  select 'msg_' || replace(extensions.gen_random_uuid()::text, '-', '');
$$;

create or replace function private.reports_emit_event(p_account_id uuid, p_event text, p_data jsonb)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_payload jsonb;
  v_count integer := 0;
  w record;
begin
  if p_event is null or not p_event = any (private.reports_webhook_events()) then
    raise exception 'event: one of %', array_to_string(private.reports_webhook_events(), ', ') using errcode = '22023';
  end if;
  if p_data is not null and jsonb_typeof(p_data) <> 'object' then
    raise exception 'data: must be a JSON object' using errcode = '22023';
  end if;
  v_payload := private.reports_webhook_payload(p_event, p_data);
  if octet_length(v_payload::text) > 65536 then
    raise exception 'data: at most 64 KiB' using errcode = '22023';
  end if;
  for w in
    select h.id from reports.webhooks h
    where h.account_id = p_account_id and h.is_active and p_event = any (h.events)
    order by h.created_at, h.id
  loop
    perform private.reports_webhook_enqueue(w.id, p_account_id, p_event, v_payload, private.reports_webhook_message_id(),
                                            1, now(), null);
    v_count := v_count + 1;
  end loop;
  return v_count;
end;
$$;

comment on function private.reports_emit_event(uuid, text, jsonb) is
  'One pending delivery (and job on reports.webhooks) per active endpoint of the account subscribed to the event; returns how many.';

-- ---------------------------------------------------------------- secrets (the function makes them)
create or replace function private.reports_webhook_create(
  p_id uuid, p_account_id uuid, p_url text, p_events text[], p_secret text
)
returns reports.webhooks
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_row reports.webhooks;
begin
  if p_secret is null or p_secret !~ '^v1:[A-Za-z0-9+/]+={0,2}:[A-Za-z0-9+/]+={0,2}$' then
    raise exception 'secret: must be sealed ciphertext (v1:<iv>:<ciphertext>)' using errcode = '22023';
  end if;
  insert into reports.webhooks (id, account_id, url, events, secret)
  values (coalesce(p_id, extensions.gen_random_uuid()), p_account_id, p_url, p_events, p_secret)
  returning * into v_row;
  return v_row;
end;
$$;

create or replace function private.reports_webhook_rotate(p_id uuid, p_secret text)
returns reports.webhooks
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_row reports.webhooks;
begin
  if p_secret is null or p_secret !~ '^v1:[A-Za-z0-9+/]+={0,2}:[A-Za-z0-9+/]+={0,2}$' then
    raise exception 'secret: must be sealed ciphertext (v1:<iv>:<ciphertext>)' using errcode = '22023';
  end if;
  -- A second rotation within 24 h drops the oldest secret: two at most.
  update reports.webhooks w set
    previous_secret = w.secret,
    previous_secret_expires_at = now() + interval '24 hours',
    secret = p_secret
  where w.id = p_id
  returning * into v_row;
  if v_row.id is null then
    raise exception 'webhook_id: no such webhook' using errcode = 'PT404';
  end if;
  return v_row;
end;
$$;

-- ---------------------------------------------------------------- the worker
create or replace function private.reports_webhook_claim(p_worker text, p_limit integer)
returns table (
  job_id bigint, delivery_id uuid, webhook_id uuid, account_id uuid, event text, payload jsonb, message_id text,
  attempt integer, delivery_status text, url text, secret text, previous_secret text, is_active boolean
)
language sql
volatile
security definer
set search_path = ''
as $$
  with j as (select c.id, c.payload from private.claim_jobs('reports.webhooks', p_worker, p_limit) c)
  select j.id, (j.payload ->> 'delivery_id')::uuid, d.webhook_id, d.account_id, d.event, d.payload, d.message_id,
         d.attempt, d.status, w.url, w.secret,
         case when w.previous_secret_expires_at > now() then w.previous_secret end,
         w.is_active
  from j
  left join reports.webhook_deliveries d on d.id = (j.payload ->> 'delivery_id')::uuid
  left join reports.webhooks w on w.id = d.webhook_id;
$$;

create or replace function private.reports_webhook_disable(p_webhook_id uuid, p_reason text)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_w reports.webhooks;
begin
  update reports.webhooks w set is_active = false, disabled_reason = p_reason, disabled_at = now()
  where w.id = p_webhook_id and w.is_active
  returning * into v_w;
  if v_w.id is null then
    return;
  end if;
  perform private.notify(
    m.user_id, 'webhook_disabled', 'Webhook endpoint disabled',
    case p_reason
      when 'gone' then format('%s answered 410 Gone, so it receives no more events. Switch it on again once it is back.', v_w.url)
      else format('Every delivery to %s has failed since %s, so it receives no more events. Fix the receiver and switch it on again.',
                  v_w.url, to_char(v_w.failing_since at time zone 'UTC', 'YYYY-MM-DD HH24:MI "UTC"'))
    end,
    'reports', null, jsonb_build_object('webhook_id', v_w.id, 'reason', p_reason, 'url', v_w.url), v_w.account_id)
  from public.account_memberships m
  where m.account_id = v_w.account_id and m.role in ('owner', 'admin');
end;
$$;

create or replace function private.reports_webhook_record_attempt(
  p_job_id bigint, p_worker text, p_delivery_id uuid, p_outcome text,
  p_response_status integer default null, p_response_ms integer default null, p_error text default null,
  p_retry_after_seconds integer default null
)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_d reports.webhook_deliveries;
  v_w reports.webhooks;
  v_delay double precision;
  v_next timestamptz;
  v_next_id uuid;
  v_status text;
  v_disabled text;
  v_result jsonb;
begin
  if p_outcome is null or p_outcome not in ('delivered', 'failed', 'gone', 'disabled') then
    raise exception 'outcome: one of delivered, failed, gone, disabled' using errcode = '22023';
  end if;
  select * into v_d from reports.webhook_deliveries d where d.id = p_delivery_id for update;
  if v_d.id is null or v_d.status <> 'pending' then
    -- The endpoint was deleted, or this attempt was recorded already.
    v_result := jsonb_build_object('status', 'skipped', 'delivery_id', p_delivery_id);
    if p_job_id is not null then perform private.complete_job(p_job_id, p_worker, v_result); end if;
    return v_result;
  end if;
  select * into v_w from reports.webhooks w where w.id = v_d.webhook_id for update;

  if p_outcome = 'delivered' then
    v_status := 'delivered';
    update reports.webhooks w set failing_since = null where w.id = v_w.id and w.failing_since is not null;
  elsif p_outcome = 'disabled' then
    v_status := 'dead';
  elsif p_outcome = 'gone' then
    v_status := 'dead';
    v_disabled := 'gone';
  else
    update reports.webhooks w set failing_since = coalesce(w.failing_since, now()) where w.id = v_w.id
    returning * into v_w;
    if v_w.failing_since <= now() - interval '3 days' then
      v_status := 'dead';
      v_disabled := 'failing';
    elsif v_d.attempt >= 8 then
      v_status := 'dead';
    else
      v_status := 'failed';
      v_delay := (private.reports_webhook_retry_delays())[v_d.attempt] * (0.9 + random() * 0.2);
      if p_retry_after_seconds is not null and p_retry_after_seconds > 0 then
        v_delay := greatest(v_delay, least(p_retry_after_seconds, 86400)::double precision);
      end if;
      v_next := now() + make_interval(secs => v_delay);
    end if;
  end if;

  update reports.webhook_deliveries d set
    status = v_status,
    response_status = p_response_status,
    response_ms = greatest(p_response_ms, 0),
    error = case when v_status = 'delivered' then null
                 else left(coalesce(p_error, case when p_outcome = 'disabled' then 'endpoint disabled: not sent' end), 2000) end,
    attempted_at = now(),
    next_attempt_at = v_next
  where d.id = v_d.id;

  if v_next is not null then
    v_next_id := private.reports_webhook_enqueue(v_d.webhook_id, v_d.account_id, v_d.event, v_d.payload, v_d.message_id,
                                                 v_d.attempt + 1, v_next, v_d.replay_of);
  end if;
  if v_disabled is not null then
    perform private.reports_webhook_disable(v_w.id, v_disabled);
  end if;

  v_result := jsonb_build_object('status', v_status, 'delivery_id', v_d.id, 'attempt', v_d.attempt,
                                 'next_attempt_at', v_next, 'next_delivery_id', v_next_id, 'disabled', v_disabled);
  if p_job_id is not null then perform private.complete_job(p_job_id, p_worker, v_result); end if;
  return v_result;
end;
$$;

-- ---------------------------------------------------------------- owners' RPCs
-- The endpoint as its caller may manage it: PT404 when they cannot see it,
-- 42501 when they may only read it.
create or replace function private.reports_webhook_managed(p_webhook_id uuid)
returns reports.webhooks
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_w reports.webhooks;
begin
  select * into v_w from reports.webhooks w where w.id = p_webhook_id;
  if v_w.id is null or not (private.is_account_member(v_w.account_id) or private.is_platform_admin()) then
    raise exception 'webhook_id: no such webhook' using errcode = 'PT404';
  end if;
  if not private.is_account_admin(v_w.account_id) then
    raise exception 'webhook_id: only the account''s owners and admins may send to its endpoints' using errcode = '42501';
  end if;
  if not v_w.is_active then
    raise exception 'webhook_id: the endpoint is disabled (%); switch it on first', v_w.disabled_reason using errcode = 'PT409';
  end if;
  return v_w;
end;
$$;

create or replace function reports.send_test_webhook(p_webhook_id uuid)
returns uuid
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_w reports.webhooks := private.reports_webhook_managed(p_webhook_id);
begin
  return private.reports_webhook_enqueue(
    v_w.id, v_w.account_id, 'webhook.test',
    private.reports_webhook_payload('webhook.test',
      jsonb_build_object('webhook_id', v_w.id, 'message', 'A test event from Domus Reports.')),
    private.reports_webhook_message_id(), 1, now(), null);
end;
$$;

comment on function reports.send_test_webhook(uuid) is
  'Owners and admins: one webhook.test delivery to this endpoint only (whatever it subscribes to); returns the delivery id.';

create or replace function reports.replay_webhook_delivery(p_delivery_id uuid)
returns uuid
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_d reports.webhook_deliveries;
  v_w reports.webhooks;
begin
  select * into v_d from reports.webhook_deliveries d where d.id = p_delivery_id;
  if v_d.id is null or not (private.is_account_member(v_d.account_id) or private.is_platform_admin()) then
    raise exception 'delivery_id: no such delivery' using errcode = 'PT404';
  end if;
  v_w := private.reports_webhook_managed(v_d.webhook_id);
  -- One chain of a message at a time: replaying while one is pending would
  -- only race it.
  perform 1 from reports.webhooks w where w.id = v_w.id for update;
  if exists (select 1 from reports.webhook_deliveries d
             where d.webhook_id = v_d.webhook_id and d.message_id = v_d.message_id and d.status = 'pending') then
    raise exception 'delivery_id: an attempt of this message is still pending' using errcode = 'PT409';
  end if;
  return private.reports_webhook_enqueue(v_d.webhook_id, v_d.account_id, v_d.event, v_d.payload, v_d.message_id,
                                         1, now(), v_d.id);
end;
$$;

comment on function reports.replay_webhook_delivery(uuid) is
  'Owners and admins: a new attempt chain (attempt 1) with the same webhook-id and payload; returns its first delivery id.';

-- ---------------------------------------------------------------- privileges
revoke execute on function private.reports_webhook_retry_delays() from public, anon, authenticated;
revoke execute on function private.reports_webhook_enqueue(uuid, uuid, text, jsonb, text, integer, timestamptz, uuid) from public, anon, authenticated;
revoke execute on function private.reports_webhook_payload(text, jsonb) from public, anon, authenticated;
revoke execute on function private.reports_webhook_message_id() from public, anon, authenticated;
revoke execute on function private.reports_emit_event(uuid, text, jsonb) from public, anon, authenticated;
revoke execute on function private.reports_webhook_create(uuid, uuid, text, text[], text) from public, anon, authenticated;
revoke execute on function private.reports_webhook_rotate(uuid, text) from public, anon, authenticated;
revoke execute on function private.reports_webhook_claim(text, integer) from public, anon, authenticated;
revoke execute on function private.reports_webhook_disable(uuid, text) from public, anon, authenticated;
revoke execute on function private.reports_webhook_record_attempt(bigint, text, uuid, text, integer, integer, text, integer) from public, anon, authenticated;
revoke execute on function private.reports_webhook_managed(uuid) from public, anon, authenticated;
revoke execute on function reports.send_test_webhook(uuid) from public, anon;
revoke execute on function reports.replay_webhook_delivery(uuid) from public, anon;

grant execute on function private.reports_emit_event(uuid, text, jsonb) to service_role;
grant execute on function private.reports_webhook_create(uuid, uuid, text, text[], text) to service_role;
grant execute on function private.reports_webhook_rotate(uuid, text) to service_role;
grant execute on function private.reports_webhook_claim(text, integer) to service_role;
grant execute on function private.reports_webhook_record_attempt(bigint, text, uuid, text, integer, integer, text, integer) to service_role;
grant execute on function reports.send_test_webhook(uuid) to authenticated;
grant execute on function reports.replay_webhook_delivery(uuid) to authenticated;
