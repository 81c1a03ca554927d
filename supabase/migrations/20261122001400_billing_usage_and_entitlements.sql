-- Adds usage metering (seed 004 usage_tracking) and the one question every
-- product asks before a metered action: "may this account do X now, and is
-- it billable?"
--   * public.usage_counters: units used per account, feature and period;
--   * public.usage_events: every recorded use, billable or included, priced;
--   * public.check_entitlement(account_id, feature, units): the answer;
--   * private.record_usage(...): records a use atomically with the action
--     (call it in the action's transaction), refusing with DM402 past the
--     allowance unless the plan allows priced overage.
-- A plan's allowance comes from the account's live subscription in the
-- feature's product, else the product's default (free) plan. The period is
-- the subscription's current period, else the calendar month (UTC).

create table public.usage_counters (
  account_id uuid not null references public.accounts (id) on delete cascade,
  feature text not null check (feature ~ '^[a-z]+\.[a-z_]+$'),
  period_start timestamptz not null,
  used integer not null default 0 check (used >= 0),
  updated_at timestamptz not null default now(),
  primary key (account_id, feature, period_start)
);

comment on table public.usage_counters is 'Units of a feature used by an account in a billing period.';

create table public.usage_events (
  id bigint generated always as identity primary key,
  account_id uuid not null references public.accounts (id) on delete cascade,
  user_id uuid references public.profiles (id) on delete set null,
  feature text not null check (feature ~ '^[a-z]+\.[a-z_]+$'),
  units integer not null default 1 check (units > 0),
  billable boolean not null,
  unit_price numeric(12, 4),
  amount numeric(12, 4) not null default 0 check (amount >= 0),
  currency char(3),
  period_start timestamptz not null,
  plan_id uuid references public.plans (id),
  idempotency_key text not null check (char_length(idempotency_key) between 1 and 200),
  reference_id text,
  created_at timestamptz not null default now(),
  unique (account_id, idempotency_key)
);

comment on table public.usage_events is 'Metered uses (seed 004 usage_tracking); billable rows carry their overage price.';

create index usage_events_account_feature_created_idx on public.usage_events (account_id, feature, created_at desc);
create index usage_events_user_id_idx on public.usage_events (user_id);
create index usage_events_plan_id_idx on public.usage_events (plan_id);

alter table public.usage_counters enable row level security;
alter table public.usage_events enable row level security;

revoke all on public.usage_counters, public.usage_events from anon, authenticated, service_role;
grant select on public.usage_counters, public.usage_events to authenticated, service_role;

create policy "usage_counters: account members read"
  on public.usage_counters for select to authenticated
  using (account_id in (select private.my_account_ids()) or (select private.is_platform_admin()));

create policy "usage_events: account members read"
  on public.usage_events for select to authenticated
  using (account_id in (select private.my_account_ids()) or (select private.is_platform_admin()));

-- The plan an account has in a product right now.
create or replace function private.account_plan(p_account_id uuid, p_product text)
returns public.plans
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(
    (select p from public.subscriptions s join public.plans p on p.id = s.plan_id
     where s.account_id = p_account_id and s.product = p_product and s.status in ('trialing', 'active', 'past_due')
     order by s.updated_at desc limit 1),
    (select p from public.plans p where p.product = p_product and p.is_default)
  );
$$;

create or replace function private.usage_period_start(p_account_id uuid, p_product text)
returns timestamptz
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(
    (select s.current_period_start from public.subscriptions s
     where s.account_id = p_account_id and s.product = p_product and s.status in ('trialing', 'active', 'past_due')
       and s.current_period_start <= now() and (s.current_period_end is null or s.current_period_end > now())
     order by s.updated_at desc limit 1),
    date_trunc('month', now() at time zone 'UTC') at time zone 'UTC'
  );
$$;

-- The decision, without recording anything.
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

create or replace function public.check_entitlement(account_id uuid, feature text, units integer default 1)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  -- API users must belong to the account; service_role and direct database
  -- sessions (no JWT) are trusted.
  if coalesce((select auth.role()), 'service_role') <> 'service_role'
     and not private.is_account_member(check_entitlement.account_id)
     and not private.is_platform_admin() then
    raise exception 'account_id: not a member of this account' using errcode = '42501';
  end if;
  return private.entitlement(check_entitlement.account_id, check_entitlement.feature, check_entitlement.units);
end;
$$;

comment on function public.check_entitlement(uuid, text, integer) is
  'May this account use `units` of `feature` now, and would it be billable? Read-only.';

-- Records a use in the caller's transaction, serialised per account and
-- feature by the counter row. Idempotent by key.
create or replace function private.record_usage(
  p_account_id uuid,
  p_feature text,
  p_units integer,
  p_idempotency_key text,
  p_user_id uuid default null,
  p_reference_id text default null
)
returns public.usage_events
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_product text := split_part(p_feature, '.', 1);
  v_period timestamptz := private.usage_period_start(p_account_id, v_product);
  v_existing public.usage_events;
  v_decision jsonb;
  v_plan public.plans;
  v_row public.usage_events;
begin
  insert into public.usage_counters (account_id, feature, period_start) values (p_account_id, p_feature, v_period)
  on conflict do nothing;
  perform 1 from public.usage_counters c
  where c.account_id = p_account_id and c.feature = p_feature and c.period_start = v_period
  for update;

  select * into v_existing from public.usage_events u
  where u.account_id = p_account_id and u.idempotency_key = p_idempotency_key;
  if found then
    return v_existing;
  end if;

  v_decision := private.entitlement(p_account_id, p_feature, p_units);
  if not (v_decision ->> 'allowed')::boolean then
    raise exception '%', v_decision ->> 'reason' using errcode = 'DM402', detail = v_decision::text;
  end if;
  v_plan := private.account_plan(p_account_id, v_product);

  update public.usage_counters c set used = c.used + p_units, updated_at = now()
  where c.account_id = p_account_id and c.feature = p_feature and c.period_start = v_period;

  insert into public.usage_events (account_id, user_id, feature, units, billable, unit_price, amount, currency,
                                   period_start, plan_id, idempotency_key, reference_id)
  values (p_account_id, p_user_id, p_feature, p_units, (v_decision ->> 'billable')::boolean,
          (v_decision ->> 'overage_unit_price')::numeric, coalesce((v_decision ->> 'overage_amount')::numeric, 0),
          v_decision ->> 'currency', v_period, v_plan.id, p_idempotency_key, p_reference_id)
  returning * into v_row;
  return v_row;
end;
$$;

revoke execute on function public.check_entitlement(uuid, text, integer) from public, anon;
grant execute on function public.check_entitlement(uuid, text, integer) to authenticated, service_role;

revoke execute on all functions in schema private from public;
grant execute on function
  private.record_usage(uuid, text, integer, text, uuid, text),
  private.entitlement(uuid, text, integer),
  private.account_plan(uuid, text)
to service_role;
