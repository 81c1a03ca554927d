-- Redefines private.billing_record_event so that two deliveries of one event
-- (or a delivery and a platform admin's replay) never apply it side by side.
--
-- Before, the recorded event was looked up without a lock. A redelivery of a
-- failed event that arrived while another delivery (or billing_begin_replay)
-- had just set it back to 'received' read the stale 'failed', waited on the
-- row for its update, then also answered should_apply = true: two deliveries
-- applied the same event at once, which the 'in progress' rule exists to
-- prevent (found by the audit, functions/_shared/record-event-race.test.ts).
--
-- Who may call (unchanged): service_role only (the payment webhooks).
--
-- Invariants:
--   * the lookup of the recorded event locks its row (FOR UPDATE), so the
--     decision (apply again, in progress, duplicate) is made on the state a
--     concurrent delivery or replay committed, never on a stale read;
--   * at most one delivery or replay holds an event as 'received' at a time
--     (until that claim goes stale after 2 minutes, as before);
--   * everything else is as in 20261201002000_billing_webhook_hardening.sql.

create or replace function private.billing_record_event(
  p_provider public.billing_provider,
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
returns table (billing_event_id uuid, should_apply boolean, outcome text)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_id uuid;
  v_existing public.billing_events;
begin
  if not p_signature_valid then
    insert into public.billing_events (provider, event_id, event_type, payload, signature_valid, status, error,
                                       source_ip, event_created_at, processed_at, payload_sha256, payload_bytes)
    values (p_provider, p_event_id, coalesce(p_event_type, 'unknown'), coalesce(p_payload, '{}'::jsonb), false,
            'rejected', coalesce(p_error, 'signature verification failed'), p_source_ip, p_event_created_at, now(),
            p_payload_sha256, p_payload_bytes)
    returning id into v_id;
    return query select v_id, false, 'rejected'::text;
    return;
  end if;

  insert into public.billing_events (provider, event_id, event_type, payload, signature_valid, source_ip, event_created_at,
                                     payload_sha256, payload_bytes)
  values (p_provider, p_event_id, p_event_type, p_payload, true, p_source_ip, p_event_created_at,
          p_payload_sha256, p_payload_bytes)
  on conflict (provider, event_id) where signature_valid and status <> 'duplicate' do nothing
  returning id into v_id;

  if v_id is not null then
    return query select v_id, true, 'received'::text;
    return;
  end if;

  -- Locked: a concurrent delivery or replay that claimed the event is seen
  -- as it committed ('received' just now), not as the 'failed' it was.
  select * into v_existing from public.billing_events e
  where e.provider = p_provider and e.event_id = p_event_id and e.signature_valid and e.status <> 'duplicate'
  for update;
  update public.billing_events e set attempts = e.attempts + 1 where e.id = v_existing.id;

  if v_existing.status = 'received' and v_existing.received_at > now() - interval '2 minutes' then
    -- Another delivery is applying it right now: don't run the two side by
    -- side; the caller answers so that the provider retries later.
    insert into public.billing_events (provider, event_id, event_type, payload, signature_valid, status,
                                       source_ip, event_created_at, processed_at, error, payload_sha256, payload_bytes)
    values (p_provider, p_event_id, p_event_type, p_payload, true, 'duplicate', p_source_ip, p_event_created_at,
            now(), 'in progress as ' || v_existing.id, p_payload_sha256, p_payload_bytes);
    return query select v_existing.id, false, 'in_progress'::text;
    return;
  end if;

  if v_existing.status in ('received', 'failed') then
    -- An earlier delivery failed or died: apply again (the effects are idempotent).
    update public.billing_events e set status = 'received', received_at = now() where e.id = v_existing.id;
    return query select v_existing.id, true, v_existing.status;
    return;
  end if;

  insert into public.billing_events (provider, event_id, event_type, payload, signature_valid, status,
                                     source_ip, event_created_at, processed_at, error, payload_sha256, payload_bytes)
  values (p_provider, p_event_id, p_event_type, p_payload, true, 'duplicate', p_source_ip, p_event_created_at,
          now(), 'already ' || v_existing.status || ' as ' || v_existing.id, p_payload_sha256, p_payload_bytes);
  return query select v_existing.id, false, 'duplicate'::text;
end;
$$;

revoke execute on function
  private.billing_record_event(public.billing_provider, text, text, jsonb, boolean, timestamptz, inet, text, text, integer)
from public, anon, authenticated;
grant execute on function
  private.billing_record_event(public.billing_provider, text, text, jsonb, boolean, timestamptz, inet, text, text, integer)
to service_role;
