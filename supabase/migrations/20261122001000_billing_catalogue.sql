-- Adds the one billing catalogue every product sells from:
--   * public.plans: each product's tiers (seed 000 subscription_plans, seed
--     001 free/premium/premium_plus, seed 002 free/basic/pro/enterprise with
--     monthly credits, seed 003 FREE..ENTERPRISE tiers, seed 004 plans);
--   * public.plan_entitlements: what a plan includes per feature and period
--     (seed 000 included_valuations, seed 004 monthly_report_limit /
--     allow_overage / overage_price_cents / property_reports_per_month /
--     sms_credits_per_month), with overage pricing;
--   * public.credit_packs: top-ups for the credit ledger (AI credits, SMS).
-- Money is numeric with a currency. Rows live in supabase/seed.sql; the
-- catalogue is public to read and written only by service_role.

create type public.billing_provider as enum ('stripe', 'payfast', 'manual');
create type public.billing_interval as enum ('month', 'year');

create table public.plans (
  id uuid primary key default extensions.gen_random_uuid(),
  product text not null check (product in ('homes', 'quicksell', 'studio', 'tools', 'reports')),
  code text not null unique check (code ~ '^[a-z][a-z0-9_]{2,40}$'),
  name text not null check (char_length(name) between 1 and 100),
  description text,
  tier text not null check (tier ~ '^[a-z_]{2,30}$'),
  tier_rank smallint not null default 0 check (tier_rank >= 0),
  is_default boolean not null default false,
  monthly_price numeric(12, 2) not null default 0 check (monthly_price >= 0),
  annual_price numeric(12, 2) check (annual_price >= 0),
  currency char(3) not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
  credits_per_period integer not null default 0 check (credits_per_period >= 0),
  trial_days integer not null default 0 check (trial_days between 0 and 90),
  stripe_price_id_monthly text unique,
  stripe_price_id_annual text unique,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (product, tier)
);

comment on table public.plans is 'Every product''s subscription tiers (seeds 000-004), one catalogue.';
comment on column public.plans.tier_rank is 'Order within a product; features gated by a minimum tier compare ranks (seed 003).';
comment on column public.plans.is_default is 'The plan an account has in a product without a live subscription (its free tier).';
comment on column public.plans.credits_per_period is 'Credits granted to the ledger on each paid period (seed 002 monthly_credits).';

create unique index plans_one_default_per_product on public.plans (product) where is_default;

create trigger plans_set_updated_at
  before update on public.plans
  for each row execute function private.set_updated_at();

create table public.plan_entitlements (
  plan_id uuid not null references public.plans (id) on delete cascade,
  feature text not null check (feature ~ '^[a-z]+\.[a-z_]+$'),
  quota integer check (quota >= 0),
  overage_allowed boolean not null default false,
  overage_unit_price numeric(12, 4) check (overage_unit_price >= 0),
  primary key (plan_id, feature),
  constraint plan_entitlements_overage_priced check (not overage_allowed or overage_unit_price is not null)
);

comment on table public.plan_entitlements is 'Per-period allowance of a feature under a plan; quota null = unlimited.';

create table public.credit_packs (
  id uuid primary key default extensions.gen_random_uuid(),
  product text not null check (product in ('homes', 'quicksell', 'studio', 'tools', 'reports')),
  code text not null unique check (code ~ '^[a-z][a-z0-9_]{2,40}$'),
  name text not null,
  pool text not null default 'credits' check (pool in ('credits', 'sms')),
  credits integer not null check (credits > 0),
  price numeric(12, 2) not null check (price > 0),
  currency char(3) not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
  stripe_price_id text unique,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

comment on table public.credit_packs is 'Top-ups for the credit ledger: AI credits (seed 002, seed 003 PLATFORM_CREDITS) and SMS credits (seed 004).';

create trigger credit_packs_set_updated_at
  before update on public.credit_packs
  for each row execute function private.set_updated_at();

alter table public.plans enable row level security;
alter table public.plan_entitlements enable row level security;
alter table public.credit_packs enable row level security;

revoke all on public.plans, public.plan_entitlements, public.credit_packs from anon, authenticated;
grant select on public.plans, public.plan_entitlements, public.credit_packs to anon, authenticated;
grant all on public.plans, public.plan_entitlements, public.credit_packs to service_role;

-- The pricing page is public: active rows for everyone.
create policy "plans: active plans are public"
  on public.plans for select to anon, authenticated
  using (is_active);

create policy "plan_entitlements: entitlements of active plans are public"
  on public.plan_entitlements for select to anon, authenticated
  using (plan_id in (select p.id from public.plans p where p.is_active));

create policy "credit_packs: active packs are public"
  on public.credit_packs for select to anon, authenticated
  using (is_active);
