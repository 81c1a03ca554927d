-- Tools marketplace (issue 10): MONTHLY and ANNUAL purchases paid with
-- platform credits renew themselves; everything else runs one period and
-- expires.
--
-- Adds:
--   * private.tools_auto_renew_only_for_credits() (trigger): auto_renew is
--     true only on an ACTIVE subscription paid with PLATFORM_CREDITS. Card,
--     ACH and invoice purchases are bought one period at a time (Stripe
--     Checkout in payment mode, or an invoice), so they never auto-renew and
--     simply expire at subscription_end. Existing rows are corrected;
--   * private.tools_renew_due_purchases() on pg_cron (every 5 minutes): each
--     ACTIVE, COMPLETED, auto_renew purchase whose subscription_end is within
--     the next hour is charged the next period's catalogue price in credits
--     (price_amount * 100) and its subscription_end moves on by one month or
--     one year. When the credits are short (or the tool can no longer be
--     renewed: DISABLED, not a subscription any more, not priced in USD) it
--     is not renewed: auto_renew goes off, the account's owners and admins
--     are notified (product tools, type tools_renewal_failed), and
--     private.tools_expire_purchases expires it at its end.
--
-- Who may do what:
--   * tools_renew_due_purchases: pg_cron (the database owner) only;
--   * tools.cancel_purchase (unchanged, 20261201007210) already turns
--     auto_renew off, so a cancelled purchase is never renewed; the trigger
--     also turns it off on any purchase leaving ACTIVE.
--
-- Invariants:
--   * one charge per purchase and period: the ledger's idempotency key is
--     'tools.renew:<purchase id>:<period end being renewed>', the purchase row
--     is locked (skip locked: a concurrent run leaves it to the run holding
--     it) and re-checked after the lock, so a rerun or two concurrent runs
--     never charge twice;
--   * the debit and the new period are one transaction, under the balance row
--     lock (no overdraft, the ledger invariant holds);
--   * the price comes from the catalogue at renewal time.

-- ---------------------------------------------------------------- who renews
create or replace function private.tools_auto_renew_only_for_credits()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.auto_renew and not (new.is_subscription and new.payment_method = 'PLATFORM_CREDITS' and new.status = 'ACTIVE'
                             and new.payment_status in ('PENDING', 'PROCESSING', 'COMPLETED')) then
    new.auto_renew := false;
  end if;
  return new;
end;
$$;
revoke execute on function private.tools_auto_renew_only_for_credits() from public, anon, authenticated;

create trigger marketplace_purchases_auto_renew_only_for_credits
  before insert or update of auto_renew, payment_method, is_subscription, status, payment_status
  on tools.marketplace_purchases
  for each row execute function private.tools_auto_renew_only_for_credits();

update tools.marketplace_purchases p
set auto_renew = false
where p.auto_renew
  and not (p.is_subscription and p.payment_method = 'PLATFORM_CREDITS' and p.status = 'ACTIVE'
           and p.payment_status in ('PENDING', 'PROCESSING', 'COMPLETED'));

-- ---------------------------------------------------------------- renewal job
create or replace function private.tools_renew_due_purchases()
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_id uuid;
  v_row tools.marketplace_purchases;
  v_tool tools.marketplace_tools;
  v_period interval;
  v_cost integer;
  v_key text;
  v_balance public.credit_balances;
  v_reason text;
  v_renewed integer := 0;
begin
  for v_id in
    select p.id from tools.marketplace_purchases p
    where p.status = 'ACTIVE' and p.payment_status = 'COMPLETED' and p.auto_renew
      and p.subscription_end is not null and p.subscription_end <= now() + interval '1 hour'
    order by p.subscription_end, p.id
    limit 1000
  loop
    -- Re-checked under the row lock: a run that got here first has moved
    -- the end past the window, or turned auto_renew off.
    select * into v_row from tools.marketplace_purchases p
    where p.id = v_id and p.status = 'ACTIVE' and p.payment_status = 'COMPLETED' and p.auto_renew
      and p.subscription_end is not null and p.subscription_end <= now() + interval '1 hour'
    for update skip locked;
    if not found then
      continue;
    end if;

    select * into v_tool from tools.marketplace_tools t where t.id = v_row.tool_id;
    v_period := case v_tool.price_model when 'MONTHLY' then interval '1 month' when 'ANNUAL' then interval '1 year' end;
    v_reason := case
      when v_tool.id is null or v_tool.status = 'DISABLED' then 'the tool is no longer available'
      when v_period is null then 'the tool is no longer sold by subscription'
      when v_tool.currency <> 'USD' then 'credits pay for USD prices only'
    end;

    if v_reason is null then
      v_cost := round(v_tool.price_amount * 100)::integer;
      v_key := 'tools.renew:' || v_row.id || ':'
               || to_char(v_row.subscription_end at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
      if v_cost > 0 then
        v_balance := private.credit_lock_balance(v_row.organization_id, 'credits');
        if v_balance.balance - v_balance.held < v_cost
           and not exists (select 1 from public.credit_transactions t
                           where t.account_id = v_row.organization_id and t.pool = 'credits' and t.idempotency_key = v_key) then
          v_reason := format('%s credits needed, %s available', v_cost, v_balance.balance - v_balance.held);
        else
          perform private.credit_apply(v_row.organization_id, 'credits', -v_cost, 'usage', v_key,
            'Tools marketplace renewal: ' || v_tool.name, p_reference_id => v_row.id::text);
        end if;
      end if;
    end if;

    if v_reason is null then
      update tools.marketplace_purchases p
      set subscription_end = p.subscription_end + v_period
      where p.id = v_row.id;
      v_renewed := v_renewed + 1;
    else
      update tools.marketplace_purchases p set auto_renew = false where p.id = v_row.id;
      perform private.notify(m.user_id, 'tools_renewal_failed', 'Tool subscription not renewed',
        format('%s was not renewed (%s); access ends %s.', coalesce(v_tool.name, 'A tool'), v_reason,
               to_char(v_row.subscription_end at time zone 'UTC', 'YYYY-MM-DD HH24:MI "UTC"')),
        'tools', null,
        jsonb_build_object('purchase_id', v_row.id, 'tool_id', v_row.tool_id, 'subscription_end', v_row.subscription_end),
        v_row.organization_id)
      from public.account_memberships m
      where m.account_id = v_row.organization_id and m.role in ('owner', 'admin');
    end if;
  end loop;
  return v_renewed;
end;
$$;
revoke execute on function private.tools_renew_due_purchases() from public, anon, authenticated, service_role;

select cron.schedule('tools-renew-purchases', '*/5 * * * *', 'select private.tools_renew_due_purchases()');

create index marketplace_purchases_renewal_idx on tools.marketplace_purchases (subscription_end)
  where status = 'ACTIVE' and auto_renew;

comment on function private.tools_renew_due_purchases() is
  'pg_cron: charges the next period of each credit-paid auto_renew subscription ending within the hour (once per period) and extends it, or turns auto_renew off and notifies the account''s admins.';
