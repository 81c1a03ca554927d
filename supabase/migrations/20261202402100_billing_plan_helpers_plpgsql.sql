-- Redefines private.account_plan() and private.usage_period_start() in
-- plpgsql instead of sql, with the same bodies.
--
-- Why: both are security definer sql functions, which PostgreSQL 15 never
-- inlines and plans afresh on every call, and every metered action pays them
-- more than once: private.record_usage asks usage_period_start, then
-- private.entitlement asks account_plan and usage_period_start, then
-- record_usage asks account_plan again. npm run bench -- reports found
-- record_usage to be most of what an API-key call costs. Measured statement
-- by statement on the local stack: account_plan 0.50 ms a call as sql,
-- 0.16 ms as plpgsql, whose plans are prepared once per session.
--
-- Who may do what (unchanged): service_role executes both; nobody else
-- (005-function-privileges.sql).
-- Invariants (unchanged): account_plan is the plan of the account's live
-- subscription (trialing, active, past_due; the latest) in the product, else
-- the product's default plan, else null; usage_period_start is that
-- subscription's current period start while it is current, else the start
-- of the UTC calendar month. Both stable, security definer, empty search_path.

create or replace function private.account_plan(p_account_id uuid, p_product text)
returns public.plans
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return coalesce(
    (select p from public.subscriptions s join public.plans p on p.id = s.plan_id
     where s.account_id = p_account_id and s.product = p_product and s.status in ('trialing', 'active', 'past_due')
     order by s.updated_at desc limit 1),
    (select p from public.plans p where p.product = p_product and p.is_default)
  );
end;
$$;

create or replace function private.usage_period_start(p_account_id uuid, p_product text)
returns timestamptz
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return coalesce(
    (select s.current_period_start from public.subscriptions s
     where s.account_id = p_account_id and s.product = p_product and s.status in ('trialing', 'active', 'past_due')
       and s.current_period_start <= now() and (s.current_period_end is null or s.current_period_end > now())
     order by s.updated_at desc limit 1),
    date_trunc('month', now() at time zone 'UTC') at time zone 'UTC'
  );
end;
$$;
