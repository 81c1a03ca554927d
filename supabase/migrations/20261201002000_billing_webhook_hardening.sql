-- Adds what the payment webhooks need to record every request, apply
-- concurrent partial refunds exactly, and let a platform admin replay an
-- event whose processing failed (issue 8 section 1):
--   * public.billing_events.payload_sha256 / payload_bytes: the hash and size
--     of the body exactly as received. The stored payload is capped by the
--     webhook (a rejected oversize or garbage body keeps only a prefix), so
--     the hash is what identifies the bytes a provider (or attacker) sent.
--   * private.billing_record_event: same behaviour, now also stores the hash
--     and size (new trailing parameters with defaults, so older callers work).
--   * private.billing_record_refund: error codes of the shared contract
--     (PT404 no payment, PT409 payment not refundable, 22023 bad amount), and
--     credits clawed back by the cumulative refunded share, so refunds split in
--     any order claw back the same total as one refund would.
--   * private.billing_record_refunded_total: Stripe's charge.refunded without
--     a refunds list says only the charge's running total. The new amount is
--     computed UNDER the payment's row lock, so two such events delivered at
--     once both apply exactly (whichever locks second records only what is
--     left, or nothing) instead of the second exceeding the payment.
--   * private.billing_begin_replay: a platform admin (checked by user id; the
--     billing-replay function passes the verified caller) claims a recorded,
--     genuine event whose processing failed, or died unfinished, to apply it
--     again. Claiming is exclusive: a second claim while one is applying is
--     refused (PT409), and applying again is safe (every effect is idempotent).
-- Who may call: service_role only (the webhook and replay functions);
-- anon and authenticated execute none of these.

alter table public.billing_events
  add column payload_sha256 text check (payload_sha256 ~ '^[0-9a-f]{64}$'),
  add column payload_bytes integer check (payload_bytes >= 0);

comment on column public.billing_events.payload_sha256 is 'sha256 (hex) of the request body exactly as received; the stored payload may be a capped prefix.';
comment on column public.billing_events.payload_bytes is 'Size in bytes of the request body as received.';

drop function private.billing_record_event(public.billing_provider, text, text, jsonb, boolean, timestamptz, inet, text);

-- Returns the event's id and whether it still needs applying.
create function private.billing_record_event(
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

  select * into v_existing from public.billing_events e
  where e.provider = p_provider and e.event_id = p_event_id and e.signature_valid and e.status <> 'duplicate';
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

-- Records a refund once and claws back the credits it paid for (as many as
-- are still unspent: the balance never goes negative).
create or replace function private.billing_record_refund(
  p_provider public.billing_provider,
  p_refund_ref text,
  p_payment_id uuid,
  p_amount numeric,
  p_reason text default null
)
returns public.refunds
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_payment public.payments;
  v_refund public.refunds;
  v_pack public.credit_packs;
  v_credits integer;
begin
  select * into v_payment from public.payments p where p.id = p_payment_id for update;
  if not found then
    raise exception 'payment: no such payment %', p_payment_id using errcode = 'PT404';
  end if;
  select * into v_refund from public.refunds r where r.provider = p_provider and r.provider_ref = p_refund_ref;
  if found then
    return v_refund;
  end if;
  if v_payment.status not in ('succeeded', 'partially_refunded') then
    raise exception 'payment: only a paid payment can be refunded (this one is %)', v_payment.status using errcode = 'PT409';
  end if;
  if p_amount is null or p_amount <= 0 then
    raise exception 'amount: a refund must be positive' using errcode = '22023';
  end if;
  if v_payment.amount_refunded + p_amount > v_payment.amount then
    raise exception 'amount: refunds would exceed the payment (% of % already refunded)', v_payment.amount_refunded, v_payment.amount
      using errcode = '22023';
  end if;

  insert into public.refunds (payment_id, account_id, amount, currency, provider, provider_ref, reason)
  values (v_payment.id, v_payment.account_id, p_amount, v_payment.currency, p_provider, p_refund_ref, p_reason)
  returning * into v_refund;

  update public.payments p set
    amount_refunded = p.amount_refunded + p_amount,
    status = case when p.amount_refunded + p_amount >= p.amount then 'refunded' else 'partially_refunded' end::public.payment_status
  where p.id = v_payment.id;

  if v_payment.purpose = 'credit_pack' then
    select * into v_pack from public.credit_packs c where c.id = v_payment.credit_pack_id;
    -- The refunded share after this refund minus the share before it: split
    -- refunds claw back, in total, exactly what one refund of the sum would.
    v_credits := floor(v_pack.credits * ((v_payment.amount_refunded + p_amount) / v_payment.amount))
               - floor(v_pack.credits * (v_payment.amount_refunded / v_payment.amount));
    if v_credits > 0 then
      perform private.credit_apply(v_payment.account_id, v_pack.pool, -v_credits, 'refund', 'refund:' || v_refund.id,
        format('refund of %s %s', p_amount, v_payment.currency), null, null, v_payment.id, p_refund_ref, true);
    end if;
  end if;
  return v_refund;
end;
$$;

-- A provider's running refunded total for a payment (Stripe charge.refunded
-- without a refunds list). Records the part not yet recorded under
-- p_refund_ref (the caller keys it by the total, e.g. '<charge>:<total>');
-- returns null when the total is already covered (an older or repeated
-- state, or a concurrent delivery that got there first).
create or replace function private.billing_record_refunded_total(
  p_provider public.billing_provider,
  p_refund_ref text,
  p_payment_id uuid,
  p_total_refunded numeric,
  p_reason text default null
)
returns public.refunds
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_payment public.payments;
begin
  if p_refund_ref is null or btrim(p_refund_ref) = '' then
    raise exception 'refund_ref: required' using errcode = '22023';
  end if;
  if p_total_refunded is null or p_total_refunded < 0 then
    raise exception 'total_refunded: must be zero or more' using errcode = '22023';
  end if;
  -- The lock makes the read of amount_refunded and the refund one step.
  select * into v_payment from public.payments p where p.id = p_payment_id for update;
  if not found then
    raise exception 'payment: no such payment %', p_payment_id using errcode = 'PT404';
  end if;
  if p_total_refunded > v_payment.amount then
    raise exception 'total_refunded: % exceeds the payment''s %', p_total_refunded, v_payment.amount using errcode = '22023';
  end if;
  if p_total_refunded <= v_payment.amount_refunded then
    return null;
  end if;
  return private.billing_record_refund(p_provider, p_refund_ref, p_payment_id,
    p_total_refunded - v_payment.amount_refunded, p_reason);
end;
$$;

-- Claims a recorded event for applying again. Only genuine events whose
-- processing failed, or was left 'received' for over 2 minutes (the worker
-- died after PayFast got its 200), can be claimed.
create or replace function private.billing_begin_replay(p_billing_event_id uuid, p_user_id uuid)
returns public.billing_events
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_event public.billing_events;
begin
  if p_user_id is null or not exists (select 1 from public.platform_admins pa where pa.user_id = p_user_id) then
    raise exception 'user: only a platform admin can replay billing events' using errcode = '42501';
  end if;
  select * into v_event from public.billing_events e where e.id = p_billing_event_id for update;
  if not found then
    raise exception 'id: no billing event %', p_billing_event_id using errcode = 'PT404';
  end if;
  if not v_event.signature_valid or v_event.status in ('rejected', 'duplicate') then
    raise exception 'id: event % was %; only a genuine recorded event can be replayed', v_event.id, v_event.status
      using errcode = 'PT409';
  end if;
  if v_event.status in ('processed', 'ignored') then
    raise exception 'id: event % is already %', v_event.id, v_event.status using errcode = 'PT409';
  end if;
  if v_event.status = 'received' and v_event.received_at > now() - interval '2 minutes' then
    raise exception 'id: event % is being processed right now; retry later', v_event.id using errcode = 'PT409';
  end if;
  update public.billing_events e
  set status = 'received', received_at = now(), attempts = e.attempts + 1
  where e.id = v_event.id
  returning * into v_event;
  return v_event;
end;
$$;

revoke execute on function
  private.billing_record_event(public.billing_provider, text, text, jsonb, boolean, timestamptz, inet, text, text, integer),
  private.billing_record_refund(public.billing_provider, text, uuid, numeric, text),
  private.billing_record_refunded_total(public.billing_provider, text, uuid, numeric, text),
  private.billing_begin_replay(uuid, uuid)
from public, anon, authenticated;
grant execute on function
  private.billing_record_event(public.billing_provider, text, text, jsonb, boolean, timestamptz, inet, text, text, integer),
  private.billing_record_refund(public.billing_provider, text, uuid, numeric, text),
  private.billing_record_refunded_total(public.billing_provider, text, uuid, numeric, text),
  private.billing_begin_replay(uuid, uuid)
to service_role;
