-- Usage refunds: giving back a metered use whose action did not deliver.
--
-- Adds public.usage_events.refunded_at / refund_reason and
-- private.refund_usage(account, idempotency_key, reason). A refund gives the
-- units back to the period's counter (so the allowance is spent only on what
-- was delivered) and marks the event refunded; the event itself stays, as a
-- payment stays beside its refund, so "what happened" is never rewritten.
--
-- Who may do what: service_role (the workers) and other definer code refund;
-- members still only read their account's events (the existing policy).
-- Invariants:
--   * a use is refunded at most once: a second refund of the same key
--     returns the event unchanged;
--   * the counter never goes below zero, and moves under the same row lock
--     record_usage takes, so a refund racing a new use is serialised;
--   * an overage use that is refunded keeps its price for the record; anything
--     that bills overage counts only events with refunded_at null;
--   * refunding a key that was never recorded returns null, not an error
--     (a failure before the charge has nothing to give back).

alter table public.usage_events
  add column refunded_at timestamptz,
  add column refund_reason text
    constraint usage_events_refund_reason_length check (char_length(refund_reason) <= 500),
  add constraint usage_events_refund_reason_with_time check (refund_reason is null or refunded_at is not null);

comment on column public.usage_events.refunded_at is
  'When the use was given back (private.refund_usage): its units no longer count against the allowance, and overage billing skips it.';

create or replace function private.refund_usage(p_account_id uuid, p_idempotency_key text, p_reason text)
returns public.usage_events
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_event public.usage_events;
begin
  select * into v_event from public.usage_events u
  where u.account_id = p_account_id and u.idempotency_key = p_idempotency_key;
  if v_event.id is null then
    return null;
  end if;
  -- The counter row first, as record_usage locks it: one order, no deadlock.
  perform 1 from public.usage_counters c
  where c.account_id = v_event.account_id and c.feature = v_event.feature and c.period_start = v_event.period_start
  for update;
  select * into v_event from public.usage_events u where u.id = v_event.id for update;
  if v_event.refunded_at is not null then
    return v_event;
  end if;
  update public.usage_counters c set used = greatest(c.used - v_event.units, 0), updated_at = now()
  where c.account_id = v_event.account_id and c.feature = v_event.feature and c.period_start = v_event.period_start;
  update public.usage_events u set refunded_at = now(), refund_reason = left(p_reason, 500)
  where u.id = v_event.id
  returning * into v_event;
  return v_event;
end;
$$;

comment on function private.refund_usage(uuid, text, text) is
  'Gives a recorded use back (by its idempotency key): the units return to the period''s counter, the event is marked refunded. Once per key; null when the key was never recorded. service_role.';

revoke execute on function private.refund_usage(uuid, text, text) from public, anon, authenticated;
grant execute on function private.refund_usage(uuid, text, text) to service_role;
