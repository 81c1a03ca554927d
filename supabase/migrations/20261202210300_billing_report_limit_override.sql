-- Billing: an account's monthly_report_limit_override (seed 004) is its
-- market report allowance. private.entitlement, which public.check_entitlement
-- and private.record_usage both ask, took the quota of feature
-- reports.market_report from the plan only, so an account given 100 reports
-- on the free plan was refused at 5 (and one cut to 0 was still given 5).
--   * now: for reports.market_report the account's override, when set,
--     replaces the plan's quota, unlimited plans included; overage
--     (allowed or not, and its price) stays the plan's;
--   * who may set the override: nobody through the API (the accounts column
--     grants leave it out); platform admins through the backend;
--   * every other feature and every other answer field is unchanged: the
--     function is copied from 20261122001400_billing_usage_and_entitlements.sql
--     with only the override added (grants kept by create or replace).

create or replace function private.entitlement(p_account_id uuid, p_feature text, p_units integer default 1)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_product text := split_part(p_feature, '.', 1);
  v_plan public.plans;
  v_ent public.plan_entitlements;
  v_period timestamptz;
  v_used integer;
  v_remaining integer;
  v_over integer;
begin
  if p_units is null or p_units <= 0 then
    raise exception 'units: must be a positive whole number' using errcode = '22023';
  end if;
  v_plan := private.account_plan(p_account_id, v_product);
  if v_plan.id is null then
    return jsonb_build_object('allowed', false, 'billable', false, 'reason', 'no plan for product ' || v_product);
  end if;
  select * into v_ent from public.plan_entitlements e where e.plan_id = v_plan.id and e.feature = p_feature;
  if not found then
    return jsonb_build_object('allowed', false, 'billable', false, 'plan', v_plan.code,
      'reason', format('%s is not included in plan %s', p_feature, v_plan.code));
  end if;
  -- An account's own market report limit replaces its plan's (set by
  -- platform admins for special deals); the plan's overage terms still apply.
  if p_feature = 'reports.market_report' then
    select coalesce(a.monthly_report_limit_override, v_ent.quota) into v_ent.quota
    from public.accounts a where a.id = p_account_id;
  end if;
  v_period := private.usage_period_start(p_account_id, v_product);
  select coalesce((select c.used from public.usage_counters c
                   where c.account_id = p_account_id and c.feature = p_feature and c.period_start = v_period), 0)
  into v_used;

  if v_ent.quota is null then
    return jsonb_build_object('allowed', true, 'billable', false, 'plan', v_plan.code, 'quota', null,
      'used', v_used, 'remaining', null, 'period_start', v_period);
  end if;
  v_remaining := greatest(v_ent.quota - v_used, 0);
  v_over := greatest(p_units - v_remaining, 0);
  if v_over = 0 then
    return jsonb_build_object('allowed', true, 'billable', false, 'plan', v_plan.code, 'quota', v_ent.quota,
      'used', v_used, 'remaining', v_remaining, 'period_start', v_period);
  end if;
  if v_ent.overage_allowed then
    return jsonb_build_object('allowed', true, 'billable', true, 'plan', v_plan.code, 'quota', v_ent.quota,
      'used', v_used, 'remaining', v_remaining, 'period_start', v_period, 'overage_units', v_over,
      'overage_unit_price', v_ent.overage_unit_price, 'overage_amount', v_over * v_ent.overage_unit_price,
      'currency', v_plan.currency);
  end if;
  return jsonb_build_object('allowed', false, 'billable', false, 'plan', v_plan.code, 'quota', v_ent.quota,
    'used', v_used, 'remaining', v_remaining, 'period_start', v_period,
    'reason', format('the %s allowance of %s per period is used up', p_feature, v_ent.quota));
end;
$$;

revoke execute on function private.entitlement(uuid, text, integer) from public, anon, authenticated;
