-- Adds the append-only credit ledger (seed 002 credit_transactions, seed
-- 004 sms_credits, seed 003 PLATFORM_CREDITS) with reservations for
-- asynchronous AI work:
--   * public.credit_balances: one row per account and pool ('credits' for
--     AI credits, 'sms' for SMS credits): `balance` always equals the sum of
--     the ledger, `held` the sum of open reservations, and balance - held
--     never goes below zero (checks, not hopes);
--   * public.credit_transactions: the ledger; every row records the balance
--     after it; idempotent by (account, pool, idempotency_key);
--   * public.credit_reservations: credits held for a job, then captured
--     (becoming one usage row) or released; stale holds expire on pg_cron.
-- All changes go through private.credit_* functions that lock the balance
-- row, so concurrent spends serialise per account and never overdraw.

create type public.credit_transaction_type as enum (
  'purchase', 'usage', 'refund', 'subscription', 'grant', 'adjustment'
);

create table public.credit_balances (
  account_id uuid not null references public.accounts (id) on delete cascade,
  pool text not null default 'credits' check (pool in ('credits', 'sms')),
  balance integer not null default 0 check (balance >= 0),
  held integer not null default 0 check (held >= 0),
  low_threshold integer not null default 10 check (low_threshold >= 0),
  updated_at timestamptz not null default now(),
  primary key (account_id, pool),
  constraint credit_balances_held_within_balance check (held <= balance)
);

comment on table public.credit_balances is 'Credit balance per account and pool; balance = sum of the ledger, held = open reservations.';

create table public.credit_transactions (
  id uuid primary key default extensions.gen_random_uuid(),
  account_id uuid not null references public.accounts (id) on delete cascade,
  pool text not null default 'credits' check (pool in ('credits', 'sms')),
  amount integer not null check (amount <> 0),
  type public.credit_transaction_type not null,
  balance_after integer not null check (balance_after >= 0),
  idempotency_key text not null check (char_length(idempotency_key) between 1 and 200),
  description text,
  reservation_id uuid,
  subscription_id uuid references public.subscriptions (id) on delete set null,
  payment_id uuid references public.payments (id) on delete set null,
  reference_id text,
  created_by uuid,
  created_at timestamptz not null default now(),
  unique (account_id, pool, idempotency_key),
  constraint credit_transactions_sign check (
    (type in ('purchase', 'subscription', 'grant') and amount > 0)
    or (type = 'usage' and amount < 0)
    or type in ('refund', 'adjustment'))
);

comment on table public.credit_transactions is 'Append-only credit ledger (seed 002 credit_transactions); balance_after is the running balance.';

create index credit_transactions_account_pool_created_idx on public.credit_transactions (account_id, pool, created_at desc);
create index credit_transactions_type_idx on public.credit_transactions (type);
create index credit_transactions_subscription_id_idx on public.credit_transactions (subscription_id) where subscription_id is not null;
create index credit_transactions_payment_id_idx on public.credit_transactions (payment_id) where payment_id is not null;
create index credit_transactions_reservation_id_idx on public.credit_transactions (reservation_id) where reservation_id is not null;

create table public.credit_reservations (
  id uuid primary key default extensions.gen_random_uuid(),
  account_id uuid not null references public.accounts (id) on delete cascade,
  pool text not null default 'credits' check (pool in ('credits', 'sms')),
  amount integer not null check (amount > 0),
  status text not null default 'held' check (status in ('held', 'captured', 'released', 'expired')),
  captured_amount integer check (captured_amount >= 0),
  idempotency_key text not null check (char_length(idempotency_key) between 1 and 200),
  purpose text,
  reference_id text,
  expires_at timestamptz not null,
  created_at timestamptz not null default now(),
  settled_at timestamptz,
  unique (account_id, pool, idempotency_key),
  constraint credit_reservations_capture_within_amount check (captured_amount is null or captured_amount <= amount)
);

comment on table public.credit_reservations is 'Credits held for asynchronous work until captured, released or expired.';

create index credit_reservations_held_expiry_idx on public.credit_reservations (expires_at) where status = 'held';
create index credit_reservations_account_id_idx on public.credit_reservations (account_id, pool);

-- Append-only: history is corrected by new rows, never by edits. The one
-- exception is the account itself being deleted: its ledger goes with it
-- (the cascade from accounts, and the set-null from its payments).
create or replace function private.credit_ledger_is_append_only()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op in ('UPDATE', 'DELETE') and tg_level = 'ROW'
     and not exists (select 1 from public.accounts a where a.id = old.account_id) then
    return case when tg_op = 'DELETE' then old else new end;
  end if;
  raise exception 'credit_transactions is append-only' using errcode = '42501';
end;
$$;

create trigger credit_transactions_append_only
  before update or delete on public.credit_transactions
  for each row execute function private.credit_ledger_is_append_only();

create trigger credit_transactions_no_truncate
  before truncate on public.credit_transactions
  for each statement execute function private.credit_ledger_is_append_only();

alter table public.credit_balances enable row level security;
alter table public.credit_transactions enable row level security;
alter table public.credit_reservations enable row level security;

revoke all on public.credit_balances, public.credit_transactions, public.credit_reservations
  from anon, authenticated, service_role;
grant select on public.credit_balances, public.credit_transactions, public.credit_reservations
  to authenticated, service_role;

create policy "credit_balances: account members read"
  on public.credit_balances for select to authenticated
  using (account_id in (select private.my_account_ids()) or (select private.is_platform_admin()));

create policy "credit_transactions: account members read"
  on public.credit_transactions for select to authenticated
  using (account_id in (select private.my_account_ids()) or (select private.is_platform_admin()));

create policy "credit_reservations: account members read"
  on public.credit_reservations for select to authenticated
  using (account_id in (select private.my_account_ids()) or (select private.is_platform_admin()));

-- ------------------------------------------------------------ ledger operations

-- Locks (creating if needed) the balance row every change goes through.
create or replace function private.credit_lock_balance(p_account_id uuid, p_pool text)
returns public.credit_balances
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_row public.credit_balances;
begin
  select * into v_row from public.credit_balances b
  where b.account_id = p_account_id and b.pool = p_pool
  for update;
  if not found then
    insert into public.credit_balances (account_id, pool) values (p_account_id, p_pool)
    on conflict (account_id, pool) do nothing;
    select * into v_row from public.credit_balances b
    where b.account_id = p_account_id and b.pool = p_pool
    for update;
  end if;
  return v_row;
end;
$$;

-- Tells the account's admins when available credits fall below the threshold.
create or replace function private.credit_check_low(p_before public.credit_balances, p_after_available integer)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  if p_before.balance - p_before.held >= p_before.low_threshold and p_after_available < p_before.low_threshold then
    perform private.notify_account_admins(
      p_before.account_id, 'credit_low', 'Credits running low',
      format('%s %s left; top up to keep working.', p_after_available, p_before.pool),
      jsonb_build_object('pool', p_before.pool, 'available', p_after_available));
  end if;
end;
$$;

-- The one way the ledger changes. Positive amounts add, negative spend;
-- a repeated idempotency key returns the original row and changes nothing.
-- Spending more than is available (balance - held) raises DM402.
-- Hot path (every spend): one locked read of the balance row, one ledger
-- insert whose unique key doubles as the idempotency check, one update.
create or replace function private.credit_apply(
  p_account_id uuid,
  p_pool text,
  p_amount integer,
  p_type public.credit_transaction_type,
  p_idempotency_key text,
  p_description text default null,
  p_reservation_id uuid default null,
  p_subscription_id uuid default null,
  p_payment_id uuid default null,
  p_reference_id text default null,
  p_allow_partial boolean default false
)
returns public.credit_transactions
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_balance public.credit_balances;
  v_amount integer := p_amount;
  v_available integer;
  v_row public.credit_transactions;
begin
  if p_amount is null or p_amount = 0 then
    raise exception 'amount: must be a non-zero whole number of credits' using errcode = '22023';
  end if;
  if p_idempotency_key is null or char_length(p_idempotency_key) = 0 then
    raise exception 'idempotency_key: required' using errcode = '22023';
  end if;
  -- The sign must match the type (as the table's check says) before anything moves.
  if (p_type = 'usage' and p_amount > 0) or (p_type in ('purchase', 'subscription', 'grant') and p_amount < 0) then
    raise exception 'amount: a % must % credits', p_type, case when p_type = 'usage' then 'spend' else 'add' end
      using errcode = '22023';
  end if;

  select * into v_balance from public.credit_balances b
  where b.account_id = p_account_id and b.pool = p_pool
  for update;
  if not found then
    v_balance := private.credit_lock_balance(p_account_id, p_pool);
  end if;
  v_available := v_balance.balance - v_balance.held;

  if v_amount < 0 and v_available + v_amount < 0 then
    -- A replay of a spend that already happened is not an overdraft.
    select * into v_row from public.credit_transactions t
    where t.account_id = p_account_id and t.pool = p_pool and t.idempotency_key = p_idempotency_key;
    if found then
      return v_row;
    end if;
    if not p_allow_partial then
      raise exception 'insufficient credits: % available, % needed', v_available, -v_amount
        using errcode = 'DM402';
    end if;
    -- Claw back only what is there (refunds of already-spent credits).
    v_amount := -v_available;
    if v_amount = 0 then
      return null;
    end if;
  end if;

  insert into public.credit_transactions (
    account_id, pool, amount, type, balance_after, idempotency_key, description,
    reservation_id, subscription_id, payment_id, reference_id, created_by
  ) values (
    p_account_id, p_pool, v_amount, p_type, v_balance.balance + v_amount, p_idempotency_key, p_description,
    p_reservation_id, p_subscription_id, p_payment_id, p_reference_id, (select auth.uid())
  )
  on conflict (account_id, pool, idempotency_key) do nothing
  returning * into v_row;

  if v_row.id is null then
    -- Same key as an earlier change: the balance row lock makes this read exact.
    select * into v_row from public.credit_transactions t
    where t.account_id = p_account_id and t.pool = p_pool and t.idempotency_key = p_idempotency_key;
    return v_row;
  end if;

  update public.credit_balances b
  set balance = b.balance + v_amount, updated_at = now()
  where b.account_id = p_account_id and b.pool = p_pool;

  -- A capture already warned when its credits were reserved.
  if v_amount < 0 and p_reservation_id is null
     and v_available >= v_balance.low_threshold and v_available + v_amount < v_balance.low_threshold then
    perform private.credit_check_low(v_balance, v_available + v_amount);
  end if;
  return v_row;
end;
$$;

-- Holds credits for asynchronous work. Idempotent by key.
create or replace function private.credit_reserve(
  p_account_id uuid,
  p_pool text,
  p_amount integer,
  p_idempotency_key text,
  p_purpose text default null,
  p_reference_id text default null,
  p_ttl interval default interval '15 minutes'
)
returns public.credit_reservations
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_balance public.credit_balances;
  v_row public.credit_reservations;
begin
  if p_amount is null or p_amount <= 0 then
    raise exception 'amount: must be a positive whole number of credits' using errcode = '22023';
  end if;
  v_balance := private.credit_lock_balance(p_account_id, p_pool);

  select * into v_row from public.credit_reservations r
  where r.account_id = p_account_id and r.pool = p_pool and r.idempotency_key = p_idempotency_key;
  if found then
    return v_row;
  end if;

  if v_balance.balance - v_balance.held < p_amount then
    raise exception 'insufficient credits: % available, % needed', v_balance.balance - v_balance.held, p_amount
      using errcode = 'DM402';
  end if;

  update public.credit_balances b set held = b.held + p_amount, updated_at = now()
  where b.account_id = p_account_id and b.pool = p_pool;

  insert into public.credit_reservations (account_id, pool, amount, idempotency_key, purpose, reference_id, expires_at)
  values (p_account_id, p_pool, p_amount, p_idempotency_key, p_purpose, p_reference_id, now() + p_ttl)
  returning * into v_row;

  perform private.credit_check_low(v_balance, v_balance.balance - v_balance.held - p_amount);
  return v_row;
end;
$$;

-- Turns a hold into spending: one usage row for what was used (at most the
-- hold); the rest is freed. Capturing twice returns the first capture.
create or replace function private.credit_capture(p_reservation_id uuid, p_amount integer default null)
returns public.credit_transactions
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_res public.credit_reservations;
  v_amount integer;
  v_row public.credit_transactions;
begin
  select * into v_res from public.credit_reservations r where r.id = p_reservation_id;
  if not found then
    raise exception 'reservation_id: no such reservation' using errcode = '22023';
  end if;
  perform private.credit_lock_balance(v_res.account_id, v_res.pool);
  select * into v_res from public.credit_reservations r where r.id = p_reservation_id for update;

  if v_res.status = 'captured' then
    select * into v_row from public.credit_transactions t
    where t.reservation_id = v_res.id and t.type = 'usage';
    return v_row;
  end if;
  if v_res.status <> 'held' then
    raise exception 'reservation %: already %', v_res.id, v_res.status using errcode = '55000';
  end if;

  v_amount := coalesce(p_amount, v_res.amount);
  if v_amount < 0 or v_amount > v_res.amount then
    raise exception 'amount: must be between 0 and the reserved %', v_res.amount using errcode = '22023';
  end if;

  update public.credit_balances b set held = b.held - v_res.amount, updated_at = now()
  where b.account_id = v_res.account_id and b.pool = v_res.pool;
  update public.credit_reservations r
  set status = 'captured', captured_amount = v_amount, settled_at = now()
  where r.id = v_res.id;

  if v_amount = 0 then
    return null;
  end if;
  return private.credit_apply(
    v_res.account_id, v_res.pool, -v_amount, 'usage', 'reservation:' || v_res.id,
    coalesce(v_res.purpose, 'usage'), v_res.id, null, null, v_res.reference_id);
end;
$$;

-- Frees a hold (job failed or cancelled, or it expired). Idempotent.
create or replace function private.credit_release(p_reservation_id uuid, p_status text default 'released')
returns public.credit_reservations
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_res public.credit_reservations;
begin
  if p_status not in ('released', 'expired') then
    raise exception 'status: released or expired' using errcode = '22023';
  end if;
  select * into v_res from public.credit_reservations r where r.id = p_reservation_id;
  if not found then
    raise exception 'reservation_id: no such reservation' using errcode = '22023';
  end if;
  perform private.credit_lock_balance(v_res.account_id, v_res.pool);
  select * into v_res from public.credit_reservations r where r.id = p_reservation_id for update;
  if v_res.status <> 'held' then
    return v_res;
  end if;
  update public.credit_balances b set held = b.held - v_res.amount, updated_at = now()
  where b.account_id = v_res.account_id and b.pool = v_res.pool;
  update public.credit_reservations r set status = p_status, settled_at = now()
  where r.id = v_res.id
  returning * into v_res;
  return v_res;
end;
$$;

-- pg_cron: a crashed worker never keeps credits held forever.
create or replace function private.expire_credit_reservations()
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_id uuid;
  v_count integer := 0;
begin
  for v_id in
    select r.id from public.credit_reservations r
    where r.status = 'held' and r.expires_at < now()
    order by r.expires_at
    limit 1000
  loop
    perform private.credit_release(v_id, 'expired');
    v_count := v_count + 1;
  end loop;
  return v_count;
end;
$$;

select cron.schedule('expire-credit-reservations', '* * * * *', 'select private.expire_credit_reservations()');

-- Proof of the invariants, for tests, benchmarks and operators: returns one
-- row per pool whose balance disagrees with its ledger or holds.
create or replace function private.credit_invariant_violations()
returns table (account_id uuid, pool text, balance integer, ledger_sum bigint, held integer, open_holds bigint)
language sql
stable
security definer
set search_path = ''
as $$
  select b.account_id, b.pool, b.balance,
         coalesce((select sum(t.amount) from public.credit_transactions t
                   where t.account_id = b.account_id and t.pool = b.pool), 0) as ledger_sum,
         b.held,
         coalesce((select sum(r.amount) from public.credit_reservations r
                   where r.account_id = b.account_id and r.pool = b.pool and r.status = 'held'), 0) as open_holds
  from public.credit_balances b
  where b.balance <> coalesce((select sum(t.amount) from public.credit_transactions t
                               where t.account_id = b.account_id and t.pool = b.pool), 0)
     or b.held <> coalesce((select sum(r.amount) from public.credit_reservations r
                            where r.account_id = b.account_id and r.pool = b.pool and r.status = 'held'), 0);
$$;

-- Edge functions (service_role) spend and reserve on an account's behalf.
create or replace function public.spend_credits(
  account_id uuid,
  amount integer,
  idempotency_key text,
  description text default null,
  pool text default 'credits'
)
returns public.credit_transactions
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  -- credit_apply refuses a zero or negative spend (22023) before anything moves.
  return private.credit_apply(
    spend_credits.account_id, spend_credits.pool, -spend_credits.amount, 'usage',
    spend_credits.idempotency_key, spend_credits.description);
end;
$$;

comment on function public.spend_credits(uuid, integer, text, text, text) is
  'Spends credits idempotently (service_role only); raises DM402 when too few are available.';

revoke execute on function public.spend_credits(uuid, integer, text, text, text) from public, anon, authenticated;
grant execute on function public.spend_credits(uuid, integer, text, text, text) to service_role;

revoke execute on all functions in schema private from public;
grant execute on function
  private.credit_apply(uuid, text, integer, public.credit_transaction_type, text, text, uuid, uuid, uuid, text, boolean),
  private.credit_reserve(uuid, text, integer, text, text, text, interval),
  private.credit_capture(uuid, integer),
  private.credit_release(uuid, text),
  private.credit_invariant_violations()
to service_role;
