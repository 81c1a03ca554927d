-- Billing: error codes PostgREST answers right (issue 14 section 1).
-- Re-creates the credit ledger and usage functions unchanged but for one code:
-- too few credits (credit_apply, credit_reserve) and a usage refusal past the
-- plan's allowance (record_usage) raised DM402, which PostgREST answers 400 like
-- any unknown code; they now raise PT402 (402 Payment Required). A reservation
-- captured twice (credit_capture) raised 55000, answered 500; now PT409 (409).
-- Rights, grants and comments are unchanged: create or replace keeps them (the
-- private helpers are revoked again all the same, as every private function is).
-- Invariant, checked on the live definitions by
-- supabase/tests/002-error-codes-as-postgrest-answers.sql: no raise a caller can
-- cause answers 5xx through PostgREST.

CREATE OR REPLACE FUNCTION private.credit_apply(p_account_id uuid, p_pool text, p_amount integer, p_type public.credit_transaction_type, p_idempotency_key text, p_description text DEFAULT NULL::text, p_reservation_id uuid DEFAULT NULL::uuid, p_subscription_id uuid DEFAULT NULL::uuid, p_payment_id uuid DEFAULT NULL::uuid, p_reference_id text DEFAULT NULL::text, p_allow_partial boolean DEFAULT false)
 RETURNS public.credit_transactions
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
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
        using errcode = 'PT402';
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
$function$
;

revoke execute on function private.credit_apply(p_account_id uuid, p_pool text, p_amount integer, p_type public.credit_transaction_type, p_idempotency_key text, p_description text, p_reservation_id uuid, p_subscription_id uuid, p_payment_id uuid, p_reference_id text, p_allow_partial boolean) from public, anon, authenticated;

CREATE OR REPLACE FUNCTION private.credit_reserve(p_account_id uuid, p_pool text, p_amount integer, p_idempotency_key text, p_purpose text DEFAULT NULL::text, p_reference_id text DEFAULT NULL::text, p_ttl interval DEFAULT '00:15:00'::interval)
 RETURNS public.credit_reservations
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
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
      using errcode = 'PT402';
  end if;

  update public.credit_balances b set held = b.held + p_amount, updated_at = now()
  where b.account_id = p_account_id and b.pool = p_pool;

  insert into public.credit_reservations (account_id, pool, amount, idempotency_key, purpose, reference_id, expires_at)
  values (p_account_id, p_pool, p_amount, p_idempotency_key, p_purpose, p_reference_id, now() + p_ttl)
  returning * into v_row;

  perform private.credit_check_low(v_balance, v_balance.balance - v_balance.held - p_amount);
  return v_row;
end;
$function$
;

revoke execute on function private.credit_reserve(p_account_id uuid, p_pool text, p_amount integer, p_idempotency_key text, p_purpose text, p_reference_id text, p_ttl interval) from public, anon, authenticated;

CREATE OR REPLACE FUNCTION private.credit_capture(p_reservation_id uuid, p_amount integer DEFAULT NULL::integer)
 RETURNS public.credit_transactions
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
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
    raise exception 'reservation %: already %', v_res.id, v_res.status using errcode = 'PT409';
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
$function$
;

revoke execute on function private.credit_capture(p_reservation_id uuid, p_amount integer) from public, anon, authenticated;

CREATE OR REPLACE FUNCTION private.record_usage(p_account_id uuid, p_feature text, p_units integer, p_idempotency_key text, p_user_id uuid DEFAULT NULL::uuid, p_reference_id text DEFAULT NULL::text)
 RETURNS public.usage_events
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
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
    raise exception '%', v_decision ->> 'reason' using errcode = 'PT402', detail = v_decision::text;
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
$function$
;

revoke execute on function private.record_usage(p_account_id uuid, p_feature text, p_units integer, p_idempotency_key text, p_user_id uuid, p_reference_id text) from public, anon, authenticated;

comment on function public.spend_credits(account_id uuid, amount integer, idempotency_key text, description text, pool text) is
  'Spends credits idempotently (service_role only); raises PT402 (402) when too few are available.';
