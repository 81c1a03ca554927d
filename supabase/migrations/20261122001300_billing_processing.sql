-- Adds the functions that apply provider events to billing state, exactly
-- once and in order. The webhook edge functions (service_role) call them:
--   1. private.billing_record_event: store the event (even forged ones,
--      as 'rejected'); a redelivery is stored as 'duplicate' and not applied;
--   2. the apply functions below, idempotent by provider ids;
--   3. private.billing_finish_event: outcome and error.
-- Also private.billing_begin_checkout, which prices an order from the
-- catalogue and creates the pending payment the provider will confirm.

-- Returns the event's id and whether it still needs applying.
create or replace function private.billing_record_event(
  p_provider public.billing_provider,
  p_event_id text,
  p_event_type text,
  p_payload jsonb,
  p_signature_valid boolean,
  p_event_created_at timestamptz default null,
  p_source_ip inet default null,
  p_error text default null
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
                                       source_ip, event_created_at, processed_at)
    values (p_provider, p_event_id, coalesce(p_event_type, 'unknown'), coalesce(p_payload, '{}'::jsonb), false,
            'rejected', coalesce(p_error, 'signature verification failed'), p_source_ip, p_event_created_at, now())
    returning id into v_id;
    return query select v_id, false, 'rejected'::text;
    return;
  end if;

  insert into public.billing_events (provider, event_id, event_type, payload, signature_valid, source_ip, event_created_at)
  values (p_provider, p_event_id, p_event_type, p_payload, true, p_source_ip, p_event_created_at)
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
                                       source_ip, event_created_at, processed_at, error)
    values (p_provider, p_event_id, p_event_type, p_payload, true, 'duplicate', p_source_ip, p_event_created_at,
            now(), 'in progress as ' || v_existing.id);
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
                                     source_ip, event_created_at, processed_at, error)
  values (p_provider, p_event_id, p_event_type, p_payload, true, 'duplicate', p_source_ip, p_event_created_at,
          now(), 'already ' || v_existing.status || ' as ' || v_existing.id);
  return query select v_existing.id, false, 'duplicate'::text;
end;
$$;

create or replace function private.billing_finish_event(
  p_id uuid,
  p_status text,
  p_error text default null,
  p_account_id uuid default null
)
returns void
language sql
volatile
security definer
set search_path = ''
as $$
  update public.billing_events e
  set status = p_status, error = p_error, processed_at = now(), account_id = coalesce(p_account_id, e.account_id)
  where e.id = p_id;
$$;

-- Applies a provider's view of a subscription unless a newer one was
-- already applied. Returns the row and whether this call changed it.
create or replace function private.billing_upsert_subscription(
  p_provider public.billing_provider,
  p_provider_subscription_id text,
  p_account_id uuid,
  p_plan_id uuid,
  p_status public.subscription_status,
  p_state_at timestamptz,
  p_interval public.billing_interval default null,
  p_period_start timestamptz default null,
  p_period_end timestamptz default null,
  p_cancel_at_period_end boolean default false,
  p_customer_ref text default null,
  p_trial_end timestamptz default null
)
returns table (subscription public.subscriptions, applied boolean)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_sub public.subscriptions;
  v_plan public.plans;
  v_price numeric(12, 2);
  v_interval public.billing_interval;
  v_was public.subscription_status;
begin
  if p_provider_subscription_id is null then
    raise exception 'provider_subscription_id: required' using errcode = '22023';
  end if;

  select * into v_sub from public.subscriptions s
  where s.provider = p_provider and s.provider_subscription_id = p_provider_subscription_id
  for update;

  if v_sub.id is not null and v_sub.provider_state_at is not null and p_state_at < v_sub.provider_state_at then
    return query select v_sub, false;  -- an older event arrived late: keep the newer state
    return;
  end if;

  if p_plan_id is not null then
    select * into v_plan from public.plans p where p.id = p_plan_id;
  elsif v_sub.id is not null then
    select * into v_plan from public.plans p where p.id = v_sub.plan_id;
  end if;
  if v_plan.id is null then
    raise exception 'plan: unknown plan for subscription %', p_provider_subscription_id using errcode = '22023';
  end if;
  -- A caller that does not know the interval keeps the current one.
  v_interval := coalesce(p_interval, v_sub.billing_interval, 'month');
  v_price := case when v_interval = 'year' then coalesce(v_plan.annual_price, v_plan.monthly_price * 12) else v_plan.monthly_price end;
  v_was := v_sub.status;

  if p_customer_ref is not null and coalesce(p_account_id, v_sub.account_id) is not null then
    insert into public.billing_customers (account_id, provider, customer_ref)
    values (coalesce(p_account_id, v_sub.account_id), p_provider, p_customer_ref)
    on conflict do nothing;
  end if;

  if v_sub.id is null then
    if p_account_id is null then
      raise exception 'account_id: unknown account for subscription %', p_provider_subscription_id using errcode = '22023';
    end if;
    -- A new live subscription supersedes the account's previous one in the product.
    if p_status in ('trialing', 'active', 'past_due', 'paused') then
      update public.subscriptions s set status = 'canceled', canceled_at = now(), cancel_at_period_end = false
      where s.account_id = p_account_id and s.product = v_plan.product
        and s.status in ('trialing', 'active', 'past_due', 'paused');
    end if;
    insert into public.subscriptions (
      account_id, plan_id, provider, provider_subscription_id, provider_customer_id, status, billing_interval,
      price, currency, credits_per_period, current_period_start, current_period_end, cancel_at_period_end,
      trial_end, canceled_at, provider_state_at
    ) values (
      p_account_id, v_plan.id, p_provider, p_provider_subscription_id, p_customer_ref, p_status, v_interval,
      v_price, v_plan.currency, v_plan.credits_per_period, p_period_start, p_period_end, p_cancel_at_period_end,
      p_trial_end, case when p_status in ('canceled', 'expired') then now() end, p_state_at
    )
    returning * into v_sub;
    return query select v_sub, true;
    return;
  end if;

  update public.subscriptions s set
    plan_id = v_plan.id,
    status = p_status,
    billing_interval = v_interval,
    price = v_price,
    currency = v_plan.currency,
    credits_per_period = v_plan.credits_per_period,
    current_period_start = coalesce(p_period_start, s.current_period_start),
    current_period_end = coalesce(p_period_end, s.current_period_end),
    cancel_at_period_end = p_cancel_at_period_end,
    provider_customer_id = coalesce(p_customer_ref, s.provider_customer_id),
    trial_end = coalesce(p_trial_end, s.trial_end),
    canceled_at = case when p_status in ('canceled', 'expired') then coalesce(s.canceled_at, now()) end,
    provider_state_at = p_state_at
  where s.id = v_sub.id
  returning * into v_sub;

  if p_status = 'canceled' and v_was is distinct from 'canceled' then
    perform private.notify_account_admins(v_sub.account_id, 'subscription_canceled', 'Subscription canceled',
      format('Your %s subscription was canceled.', v_plan.name), jsonb_build_object('subscription_id', v_sub.id));
  end if;
  return query select v_sub, true;
end;
$$;

-- Records a payment's outcome. The first time a payment succeeds it grants
-- what was bought: a credit pack's credits, or a subscription period's
-- credits (ledger key payment:<id>, so a redelivery grants nothing more).
create or replace function private.billing_record_payment(
  p_provider public.billing_provider,
  p_provider_ref text,
  p_account_id uuid,
  p_purpose text,
  p_amount numeric,
  p_currency text,
  p_status public.payment_status,
  p_plan_id uuid default null,
  p_credit_pack_id uuid default null,
  p_subscription_id uuid default null,
  p_checkout_ref text default null,
  p_description text default null,
  p_failure_reason text default null
)
returns public.payments
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_payment public.payments;
  v_was public.payment_status;
  v_pack public.credit_packs;
  v_sub public.subscriptions;
  v_plan public.plans;
  v_previous_paid integer;
begin
  if p_provider_ref is null and p_checkout_ref is null then
    raise exception 'provider_ref: a payment needs a provider reference or a checkout reference' using errcode = '22023';
  end if;

  select * into v_payment from public.payments p
  where (p_provider_ref is not null and p.provider = p_provider and p.provider_ref = p_provider_ref)
  for update;
  if not found and p_checkout_ref is not null then
    select * into v_payment from public.payments p
    where p.checkout_ref = p_checkout_ref and p.provider = p_provider
    for update;
  end if;

  -- Orders must be paid in full; only a Stripe subscription's first invoice
  -- may legitimately differ (coupons, proration), and records what was paid.
  if v_payment.id is not null and p_amount is not null and v_payment.status = 'pending'
     and not (v_payment.purpose = 'subscription' and p_provider = 'stripe')
     and (v_payment.amount <> p_amount or v_payment.currency <> upper(p_currency)) then
    raise exception 'amount: % % does not match the order''s % %', p_amount, upper(p_currency), v_payment.amount, v_payment.currency
      using errcode = '22023';
  end if;

  if v_payment.id is null then
    if p_account_id is null then
      raise exception 'account_id: unknown account for payment %', p_provider_ref using errcode = '22023';
    end if;
    insert into public.payments (account_id, subscription_id, purpose, plan_id, credit_pack_id, amount, currency,
                                 provider, provider_ref, checkout_ref, status, description, failure_reason)
    values (p_account_id, p_subscription_id, p_purpose, p_plan_id, p_credit_pack_id, p_amount, upper(p_currency),
            p_provider, p_provider_ref, p_checkout_ref, 'pending', p_description, p_failure_reason)
    returning * into v_payment;
  end if;

  v_was := v_payment.status;
  -- Terminal states stay; a late 'failed' or 'pending' never undoes a success.
  if v_was in ('succeeded', 'refunded', 'partially_refunded') and p_status in ('pending', 'failed', 'canceled') then
    return v_payment;
  end if;

  update public.payments p set
    status = case when v_was in ('refunded', 'partially_refunded') then v_was else p_status end,
    -- A retried payment that succeeds keeps the reference of the attempt that paid.
    provider_ref = case when p_status = 'succeeded' and v_was <> 'succeeded' then coalesce(p_provider_ref, p.provider_ref)
                        else coalesce(p.provider_ref, p_provider_ref) end,
    amount = case when p.purpose = 'subscription' and p_provider = 'stripe' and v_was = 'pending'
                  then coalesce(p_amount, p.amount) else p.amount end,
    currency = case when p.purpose = 'subscription' and p_provider = 'stripe' and v_was = 'pending'
                    then coalesce(upper(p_currency), p.currency) else p.currency end,
    subscription_id = coalesce(p_subscription_id, p.subscription_id),
    failure_reason = case when p_status = 'failed' then p_failure_reason end,
    processed_at = case when p_status in ('succeeded', 'failed', 'canceled') then now() else p.processed_at end
  where p.id = v_payment.id
  returning * into v_payment;

  if p_status = 'failed' and v_was <> 'failed' then
    perform private.notify_account_admins(v_payment.account_id, 'payment_failed', 'Payment failed',
      format('A payment of %s %s failed%s.', v_payment.amount, v_payment.currency,
             coalesce(': ' || p_failure_reason, '')),
      jsonb_build_object('payment_id', v_payment.id));
  end if;

  if p_status <> 'succeeded' or v_was in ('succeeded', 'refunded', 'partially_refunded') then
    return v_payment;
  end if;

  if v_payment.purpose = 'credit_pack' then
    select * into v_pack from public.credit_packs c where c.id = v_payment.credit_pack_id;
    perform private.credit_apply(v_payment.account_id, v_pack.pool, v_pack.credits, 'purchase',
      'payment:' || v_payment.id, format('%s (%s credits)', v_pack.name, v_pack.credits),
      null, null, v_payment.id, v_payment.provider_ref);
    perform private.notify_account_admins(v_payment.account_id, 'payment_success', 'Payment received',
      format('%s %s for %s. %s credits added.', v_payment.amount, v_payment.currency, v_pack.name, v_pack.credits),
      jsonb_build_object('payment_id', v_payment.id));
  elsif v_payment.purpose = 'subscription' then
    select * into v_sub from public.subscriptions s where s.id = v_payment.subscription_id;
    select * into v_plan from public.plans p where p.id = coalesce(v_sub.plan_id, v_payment.plan_id);
    if coalesce(v_sub.credits_per_period, v_plan.credits_per_period, 0) > 0 then
      perform private.credit_apply(v_payment.account_id, 'credits', coalesce(v_sub.credits_per_period, v_plan.credits_per_period),
        'subscription', 'payment:' || v_payment.id, format('%s: credits for the period', v_plan.name),
        null, v_sub.id, v_payment.id, v_payment.provider_ref);
    end if;
    select count(*) into v_previous_paid from public.payments p
    where p.subscription_id = v_payment.subscription_id and p.id <> v_payment.id
      and p.status in ('succeeded', 'refunded', 'partially_refunded');
    if v_previous_paid > 0 then
      perform private.notify_account_admins(v_payment.account_id, 'subscription_renewal', 'Subscription renewed',
        format('%s renewed: %s %s.', v_plan.name, v_payment.amount, v_payment.currency),
        jsonb_build_object('payment_id', v_payment.id, 'subscription_id', v_sub.id));
    else
      perform private.notify_account_admins(v_payment.account_id, 'payment_success', 'Payment received',
        format('%s %s for %s.', v_payment.amount, v_payment.currency, v_plan.name),
        jsonb_build_object('payment_id', v_payment.id));
    end if;
  end if;
  return v_payment;
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
    raise exception 'payment: no such payment %', p_payment_id using errcode = '22023';
  end if;
  select * into v_refund from public.refunds r where r.provider = p_provider and r.provider_ref = p_refund_ref;
  if found then
    return v_refund;
  end if;
  if v_payment.status not in ('succeeded', 'partially_refunded') then
    raise exception 'payment: only a paid payment can be refunded (this one is %)', v_payment.status using errcode = '22023';
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
    v_credits := floor(v_pack.credits * (p_amount / v_payment.amount));
    if v_credits > 0 then
      perform private.credit_apply(v_payment.account_id, v_pack.pool, -v_credits, 'refund', 'refund:' || v_refund.id,
        format('refund of %s %s', p_amount, v_payment.currency), null, null, v_payment.id, p_refund_ref, true);
    end if;
  end if;
  return v_refund;
end;
$$;

-- Prices an order from the catalogue and opens the pending payment the
-- provider will confirm. Only the account's owners and admins may buy.
create or replace function private.billing_begin_checkout(
  p_account_id uuid,
  p_user_id uuid,
  p_item_type text,
  p_code text,
  p_provider public.billing_provider,
  p_interval public.billing_interval default 'month'
)
returns public.payments
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_plan public.plans;
  v_pack public.credit_packs;
  v_payment public.payments;
begin
  if coalesce(private.member_role(p_account_id, p_user_id) in ('owner', 'admin'), false) is false then
    raise exception 'account_id: only an owner or admin of the account can buy for it' using errcode = '42501';
  end if;
  if p_item_type = 'plan' then
    select * into v_plan from public.plans p where p.code = p_code and p.is_active;
    if not found then
      raise exception 'plan_code: no active plan "%"', p_code using errcode = '22023';
    end if;
    if v_plan.monthly_price = 0 then
      raise exception 'plan_code: "%" is free; nothing to buy', p_code using errcode = '22023';
    end if;
    insert into public.payments (account_id, purpose, plan_id, billing_interval, amount, currency, provider, checkout_ref, description)
    values (p_account_id, 'subscription', v_plan.id, p_interval,
            case when p_interval = 'year' then coalesce(v_plan.annual_price, v_plan.monthly_price * 12) else v_plan.monthly_price end,
            v_plan.currency, p_provider, extensions.gen_random_uuid()::text,
            format('%s (%s)', v_plan.name, p_interval))
    returning * into v_payment;
  elsif p_item_type = 'credit_pack' then
    select * into v_pack from public.credit_packs c where c.code = p_code and c.is_active;
    if not found then
      raise exception 'pack_code: no active credit pack "%"', p_code using errcode = '22023';
    end if;
    insert into public.payments (account_id, purpose, credit_pack_id, amount, currency, provider, checkout_ref, description)
    values (p_account_id, 'credit_pack', v_pack.id, v_pack.price, v_pack.currency, p_provider,
            extensions.gen_random_uuid()::text, v_pack.name)
    returning * into v_payment;
  else
    raise exception 'item.type: plan or credit_pack' using errcode = '22023';
  end if;
  return v_payment;
end;
$$;

revoke execute on all functions in schema private from public;
grant execute on function
  private.billing_record_event(public.billing_provider, text, text, jsonb, boolean, timestamptz, inet, text),
  private.billing_finish_event(uuid, text, text, uuid),
  private.billing_upsert_subscription(public.billing_provider, text, uuid, uuid, public.subscription_status, timestamptz,
    public.billing_interval, timestamptz, timestamptz, boolean, text, timestamptz),
  private.billing_record_payment(public.billing_provider, text, uuid, text, numeric, text, public.payment_status, uuid, uuid,
    uuid, text, text, text),
  private.billing_record_refund(public.billing_provider, text, uuid, numeric, text),
  private.billing_begin_checkout(uuid, uuid, text, text, public.billing_provider, public.billing_interval)
to service_role;
