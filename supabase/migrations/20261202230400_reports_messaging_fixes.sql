-- Reports messaging (rp-msg), corrections to 20261202230100-230300 found
-- once they ran against rp-core's tables:
--   * provider references are text, and every `*_id` column in schema
--     reports is a uuid (800-reports-schema.sql): email_events.event_id
--     becomes event_ref, email_log.provider_message_id provider_message_ref;
--     the functions that use them are redefined;
--   * the next_run_at trigger leaves out-of-range schedule fields to the
--     table's checks (23514 naming the constraint, as rp-core's tests
--     expect) instead of raising its own 22023 first.
-- Who may do what and the invariants are unchanged.

alter table reports.email_events rename column event_id to event_ref;
alter table reports.email_log rename column provider_message_id to provider_message_ref;
alter index reports.email_events_provider_event_id rename to email_events_provider_event_ref;
alter index reports.email_log_provider_message_id_idx rename to email_log_provider_message_ref_idx;

create or replace function private.reports_schedules_next_run()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' and current_setting('reports.dispatching', true) = 'on' then
    return new;
  end if;
  if tg_op = 'INSERT'
     or new.cadence is distinct from old.cadence
     or new.weekly_dow is distinct from old.weekly_dow
     or new.monthly_dom is distinct from old.monthly_dom
     or new.send_hour is distinct from old.send_hour
     or new.send_minute is distinct from old.send_minute
     or new.time_zone is distinct from old.time_zone
     or (new.active and not old.active) then
    -- Out-of-range fields: no due time; the table's checks refuse the row.
    if new.cadence in ('daily', 'weekly', 'monthly')
       and new.send_hour between 0 and 23 and coalesce(new.send_minute, 0) between 0 and 59
       and (new.cadence <> 'weekly' or new.weekly_dow between 0 and 6)
       and (new.cadence <> 'monthly' or new.monthly_dom between 1 and 31)
       and private.is_time_zone(new.time_zone) then
      new.next_run_at := private.reports_next_run_at(new.cadence, new.weekly_dow, new.monthly_dom, new.send_hour,
                                                     new.send_minute, new.time_zone, now());
    else
      new.next_run_at := null;
    end if;
  else
    new.next_run_at := old.next_run_at;
  end if;
  if tg_op = 'UPDATE' and new.active and not old.active then
    new.consecutive_failures := 0;
  end if;
  return new;
end;
$$;

create or replace function private.reports_email_record_event(
  p_provider text,
  p_event_id text,
  p_event_type text,
  p_payload jsonb,
  p_signature_valid boolean,
  p_event_created_at timestamptz default null,
  p_source_ip inet default null,
  p_error text default null,
  p_payload_sha256 text default null,
  p_payload_bytes integer default null
)
returns table (email_event_id uuid, should_apply boolean, outcome text)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_id uuid;
  v_existing reports.email_events;
begin
  if not p_signature_valid then
    insert into reports.email_events (provider, event_ref, event_type, payload, signature_valid, status, error,
                                      source_ip, event_created_at, processed_at, payload_sha256, payload_bytes)
    values (p_provider, left(p_event_id, 200), left(coalesce(p_event_type, 'unknown'), 200), coalesce(p_payload, '{}'::jsonb),
            false, 'rejected', coalesce(p_error, 'signature verification failed'), p_source_ip, p_event_created_at, now(),
            p_payload_sha256, p_payload_bytes)
    returning id into v_id;
    return query select v_id, false, 'rejected'::text;
    return;
  end if;

  insert into reports.email_events (provider, event_ref, event_type, payload, signature_valid, source_ip, event_created_at,
                                    payload_sha256, payload_bytes)
  values (p_provider, p_event_id, p_event_type, p_payload, true, p_source_ip, p_event_created_at,
          p_payload_sha256, p_payload_bytes)
  on conflict (provider, event_ref) where signature_valid and status <> 'duplicate' do nothing
  returning id into v_id;

  if v_id is not null then
    return query select v_id, true, 'received'::text;
    return;
  end if;

  -- Locked, so the decision is made on what a concurrent delivery committed.
  select * into v_existing from reports.email_events e
  where e.provider = p_provider and e.event_ref = p_event_id and e.signature_valid and e.status <> 'duplicate'
  for update;
  update reports.email_events e set attempts = e.attempts + 1 where e.id = v_existing.id;

  if v_existing.status = 'received' and v_existing.received_at > now() - interval '2 minutes' then
    insert into reports.email_events (provider, event_ref, event_type, payload, signature_valid, status,
                                      source_ip, event_created_at, processed_at, error, payload_sha256, payload_bytes)
    values (p_provider, p_event_id, p_event_type, p_payload, true, 'duplicate', p_source_ip, p_event_created_at,
            now(), 'in progress as ' || v_existing.id, p_payload_sha256, p_payload_bytes);
    return query select v_existing.id, false, 'in_progress'::text;
    return;
  end if;

  if v_existing.status in ('received', 'failed') then
    update reports.email_events e set status = 'received', received_at = now() where e.id = v_existing.id;
    return query select v_existing.id, true, v_existing.status;
    return;
  end if;

  insert into reports.email_events (provider, event_ref, event_type, payload, signature_valid, status,
                                    source_ip, event_created_at, processed_at, error, payload_sha256, payload_bytes)
  values (p_provider, p_event_id, p_event_type, p_payload, true, 'duplicate', p_source_ip, p_event_created_at,
          now(), 'already ' || v_existing.status || ' as ' || v_existing.id, p_payload_sha256, p_payload_bytes);
  return query select v_existing.id, false, 'duplicate'::text;
end;
$$;

create or replace function private.reports_mail_finish_recipient(
  p_email_log_id uuid, p_provider text, p_status text, p_response_code integer, p_message_id text, p_error text
)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  if p_status not in ('sent', 'failed') then
    raise exception 'status: sent or failed' using errcode = '22023';
  end if;
  update reports.email_log l
  set provider = p_provider,
      status = p_status,
      response_code = case when p_response_code between 100 and 599 then p_response_code end,
      provider_message_ref = left(p_message_id, 200),
      error = left(p_error, 2000)
  where l.id = p_email_log_id and l.status in ('sending', 'failed');
end;
$$;

create or replace function private.reports_email_suppress_from_event(
  p_provider text, p_kind text, p_email text, p_message_id text
)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_email text := lower(btrim(p_email));
  v_reason text := case p_kind when 'hard_bounce' then 'bounce' when 'complaint' then 'complaint' end;
  v_accounts uuid[];
  v_account uuid;
begin
  if v_reason is null then
    raise exception 'kind: hard_bounce or complaint' using errcode = '22023';
  end if;
  if v_email is null or char_length(v_email) > 254 or v_email !~ '^[^[:space:]@]+@[^[:space:]@]+\.[^[:space:]@]+$' then
    raise exception 'email: not an email address' using errcode = '22023';
  end if;

  -- Everywhere: our provider account will not deliver to it for anyone.
  insert into reports.email_suppressions (account_id, email, reason)
  values (null, v_email, v_reason)
  on conflict (account_id, lower(email)) do nothing;

  -- And for the account whose message it was, where its members see it.
  select array_agg(distinct l.account_id) into v_accounts
  from reports.email_log l
  where p_message_id is not null and l.provider = p_provider and l.provider_message_ref = p_message_id
    and l.account_id is not null;
  foreach v_account in array coalesce(v_accounts, '{}') loop
    insert into reports.email_suppressions (account_id, email, reason)
    values (v_account, v_email, v_reason)
    on conflict (account_id, lower(email)) do update set reason = excluded.reason
      where reports.email_suppressions.reason = 'manual';
  end loop;
  return to_jsonb(coalesce(v_accounts, '{}'));
end;
$$;
