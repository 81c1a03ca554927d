-- Redefines private.billing_upsert_subscription so that two provider events
-- stamped with the same second cannot revive a subscription that one of them
-- ended.
--
-- Stripe stamps events in whole seconds, and cancelling a subscription at
-- once sends customer.subscription.updated and customer.subscription.deleted
-- with the same `created`. Before, a tie was applied like a newer event, so
-- with the deletion delivered first the late 'active' update made the
-- subscription active again: entitlements and renewal credits without a
-- paying subscription (found by the audit; supabase/tests/907-audit-subscription-tie.sql).
--
-- Who may call (unchanged): service_role only (the payment webhooks).
--
-- Invariants:
--   * an event older than the applied one changes nothing (as before);
--   * of events stamped with the same instant, a terminal state ('canceled',
--     'expired') wins over a live one, whatever the delivery order;
--   * everything else is as in 20261122001300_billing_processing.sql; its
--     raises are already 22023 (bad input), which PostgREST answers 400.

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
  -- Two events of the same second (a provider's timestamps are whole
  -- seconds) arrive in either order: the one that ends the subscription wins,
  -- so a late 'active' of that second never revives a canceled subscription.
  if v_sub.id is not null and p_state_at = v_sub.provider_state_at
     and v_sub.status in ('canceled', 'expired') and p_status not in ('canceled', 'expired') then
    return query select v_sub, false;
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

revoke execute on function
  private.billing_upsert_subscription(public.billing_provider, text, uuid, uuid, public.subscription_status, timestamptz,
    public.billing_interval, timestamptz, timestamptz, boolean, text, timestamptz)
from public, anon, authenticated;
grant execute on function
  private.billing_upsert_subscription(public.billing_provider, text, uuid, uuid, public.subscription_status, timestamptz,
    public.billing_interval, timestamptz, timestamptz, boolean, text, timestamptz)
to service_role;
