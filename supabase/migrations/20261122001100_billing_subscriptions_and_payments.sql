-- Adds what providers tell us about money:
--   * public.billing_customers: an account's customer id at each provider
--     (seed 004 accounts.stripe_customer_id, seed 002 payfast_customer_id);
--   * public.subscriptions: one live subscription per account and product,
--     Stripe or PayFast, with the union of the seeds' statuses;
--   * public.payments (seed 000 payments) and public.refunds;
--   * public.billing_events (seed 004 billing_events): every provider event
--     received, raw, signature outcome, processing outcome and error.
-- Writes happen only in the private.billing_* functions below (called by
-- the webhook functions as service_role), which make each event's effect
-- happen once and never let an older subscription event overwrite a newer
-- state. Clients read their account's billing under RLS and write none of it.

create type public.subscription_status as enum ('trialing', 'active', 'past_due', 'paused', 'canceled', 'expired');
create type public.payment_status as enum ('pending', 'succeeded', 'failed', 'refunded', 'partially_refunded', 'canceled');

create table public.billing_customers (
  account_id uuid not null references public.accounts (id) on delete cascade,
  provider public.billing_provider not null,
  customer_ref text not null,
  created_at timestamptz not null default now(),
  primary key (account_id, provider),
  unique (provider, customer_ref)
);

comment on table public.billing_customers is 'An account''s customer id at each payment provider.';

create table public.subscriptions (
  id uuid primary key default extensions.gen_random_uuid(),
  account_id uuid not null references public.accounts (id) on delete cascade,
  plan_id uuid not null references public.plans (id),
  product text not null,
  provider public.billing_provider not null,
  provider_subscription_id text,
  provider_customer_id text,
  status public.subscription_status not null,
  billing_interval public.billing_interval not null default 'month',
  price numeric(12, 2) not null default 0 check (price >= 0),
  currency char(3) not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
  credits_per_period integer not null default 0 check (credits_per_period >= 0),
  current_period_start timestamptz,
  current_period_end timestamptz,
  cancel_at_period_end boolean not null default false,
  auto_renew boolean generated always as (not cancel_at_period_end and status in ('trialing', 'active', 'past_due')) stored,
  trial_end timestamptz,
  canceled_at timestamptz,
  provider_state_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (provider, provider_subscription_id),
  constraint subscriptions_period_order check (current_period_end is null or current_period_start is null or current_period_end >= current_period_start)
);

comment on table public.subscriptions is 'Account subscriptions to a product plan (seeds 000, 001, 002 subscriptions), Stripe or PayFast.';
comment on column public.subscriptions.provider_state_at is 'Creation time of the provider event that set the current state; older events are ignored.';

create unique index subscriptions_one_live_per_product
  on public.subscriptions (account_id, product)
  where status in ('trialing', 'active', 'past_due', 'paused');
create index subscriptions_account_id_status_idx on public.subscriptions (account_id, status);
create index subscriptions_plan_id_idx on public.subscriptions (plan_id);

create trigger subscriptions_set_updated_at
  before update on public.subscriptions
  for each row execute function private.set_updated_at();

create table public.payments (
  id uuid primary key default extensions.gen_random_uuid(),
  account_id uuid not null references public.accounts (id) on delete cascade,
  subscription_id uuid references public.subscriptions (id) on delete set null,
  purpose text not null check (purpose in ('subscription', 'credit_pack', 'marketplace')),
  plan_id uuid references public.plans (id),
  credit_pack_id uuid references public.credit_packs (id),
  billing_interval public.billing_interval,
  amount numeric(12, 2) not null check (amount > 0),
  currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
  amount_refunded numeric(12, 2) not null default 0,
  provider public.billing_provider not null,
  provider_ref text,
  checkout_ref text unique,
  status public.payment_status not null default 'pending',
  failure_reason text,
  description text,
  metadata jsonb not null default '{}'::jsonb,
  processed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (provider, provider_ref),
  constraint payments_refund_within_amount check (amount_refunded >= 0 and amount_refunded <= amount),
  constraint payments_item check (
    (purpose = 'subscription' and plan_id is not null)
    or (purpose = 'credit_pack' and credit_pack_id is not null)
    or purpose = 'marketplace')
);

comment on table public.payments is 'Payment attempts and their outcome (seed 000 payments); checkout_ref is our order id at the provider.';

create index payments_account_id_created_at_idx on public.payments (account_id, created_at desc);
create index payments_subscription_id_idx on public.payments (subscription_id);
create index payments_plan_id_idx on public.payments (plan_id);
create index payments_credit_pack_id_idx on public.payments (credit_pack_id);

create trigger payments_set_updated_at
  before update on public.payments
  for each row execute function private.set_updated_at();

create table public.refunds (
  id uuid primary key default extensions.gen_random_uuid(),
  payment_id uuid not null references public.payments (id) on delete cascade,
  account_id uuid not null references public.accounts (id) on delete cascade,
  amount numeric(12, 2) not null check (amount > 0),
  currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
  provider public.billing_provider not null,
  provider_ref text not null,
  reason text,
  created_at timestamptz not null default now(),
  unique (provider, provider_ref)
);

comment on table public.refunds is 'Refunds of payments, one row per provider refund.';

create index refunds_payment_id_idx on public.refunds (payment_id);
create index refunds_account_id_idx on public.refunds (account_id);

create table public.billing_events (
  id uuid primary key default extensions.gen_random_uuid(),
  provider public.billing_provider not null,
  event_id text,
  event_type text not null,
  account_id uuid references public.accounts (id) on delete set null,
  payload jsonb not null,
  signature_valid boolean not null,
  status text not null default 'received'
    check (status in ('received', 'processed', 'ignored', 'failed', 'rejected', 'duplicate')),
  error text,
  source_ip inet,
  event_created_at timestamptz,
  received_at timestamptz not null default now(),
  processed_at timestamptz,
  attempts integer not null default 1
);

comment on table public.billing_events is 'Every provider event received, raw, with its signature and processing outcome (seed 004 billing_events).';

-- One row per genuine event; forged or replayed copies are logged beside it.
create unique index billing_events_provider_event_id
  on public.billing_events (provider, event_id)
  where signature_valid and status <> 'duplicate';
create index billing_events_account_id_idx on public.billing_events (account_id);
create index billing_events_received_at_idx on public.billing_events (received_at desc);

-- ------------------------------------------------------------ privileges & policies

alter table public.billing_customers enable row level security;
alter table public.subscriptions enable row level security;
alter table public.payments enable row level security;
alter table public.refunds enable row level security;
alter table public.billing_events enable row level security;

revoke all on public.billing_customers, public.subscriptions, public.payments, public.refunds, public.billing_events
  from anon, authenticated;
grant select on public.billing_customers, public.subscriptions, public.payments, public.refunds, public.billing_events
  to authenticated;
-- service_role reads everything; it writes only through the functions below.
revoke all on public.billing_customers, public.subscriptions, public.payments, public.refunds, public.billing_events
  from service_role;
grant select on public.billing_customers, public.subscriptions, public.payments, public.refunds, public.billing_events
  to service_role;

create policy "subscriptions: account members read"
  on public.subscriptions for select to authenticated
  using (account_id in (select private.my_account_ids()) or (select private.is_platform_admin()));

create policy "billing_customers: account admins read"
  on public.billing_customers for select to authenticated
  using (account_id in (select private.my_admin_account_ids()) or (select private.is_platform_admin()));

create policy "payments: account admins read"
  on public.payments for select to authenticated
  using (account_id in (select private.my_admin_account_ids()) or (select private.is_platform_admin()));

create policy "refunds: account admins read"
  on public.refunds for select to authenticated
  using (account_id in (select private.my_admin_account_ids()) or (select private.is_platform_admin()));

create policy "billing_events: platform admins read"
  on public.billing_events for select to authenticated
  using ((select private.is_platform_admin()));

-- Money-moving rows are audited.
create trigger subscriptions_audit
  after insert or update or delete on public.subscriptions
  for each row execute function private.audit_row_change();
create trigger payments_audit
  after insert or update or delete on public.payments
  for each row execute function private.audit_row_change();
create trigger refunds_audit
  after insert or update or delete on public.refunds
  for each row execute function private.audit_row_change();

-- ------------------------------------------------------------ derived state

create or replace function private.subscriptions_fill_product()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  select p.product into new.product from public.plans p where p.id = new.plan_id;
  return new;
end;
$$;

create trigger subscriptions_fill_product
  before insert or update of plan_id on public.subscriptions
  for each row execute function private.subscriptions_fill_product();

-- accounts.billing_status mirrors the account's best live subscription.
create or replace function private.refresh_account_billing_status()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_account uuid := coalesce(new.account_id, old.account_id);
  v_status text;
begin
  select coalesce(
    (select s.status::text from public.subscriptions s
     where s.account_id = v_account
     order by array_position(array['active', 'trialing', 'past_due', 'paused', 'canceled', 'expired'], s.status::text),
              s.updated_at desc
     limit 1),
    'none') into v_status;
  update public.accounts a set billing_status = v_status
  where a.id = v_account and a.billing_status is distinct from v_status;
  return null;
end;
$$;

create trigger subscriptions_refresh_account_billing_status
  after insert or update of status or delete on public.subscriptions
  for each row execute function private.refresh_account_billing_status();

-- Tell the account's owners and admins.
create or replace function private.notify_account_admins(
  p_account_id uuid, p_type text, p_title text, p_message text, p_data jsonb default '{}'::jsonb
)
returns void
language sql
volatile
security definer
set search_path = ''
as $$
  select private.notify(m.user_id, p_type, p_title, p_message, 'platform', null, p_data, p_account_id)
  from public.account_memberships m
  where m.account_id = p_account_id and m.role in ('owner', 'admin');
$$;

revoke execute on all functions in schema private from public;
