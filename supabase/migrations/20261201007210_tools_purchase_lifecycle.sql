-- Tools marketplace (issue 10): paying with platform credits or by invoice,
-- and a purchase's life after checkout (refund of credits, cancellation,
-- renewal, expiry, metered use).
--
-- Adds:
--   * tools.checkout_with_credits(account_id): the caller's cart, priced in
--     credits from the catalogue (1 credit = 0.01 USD: price_amount * 100),
--     debited from the shared ledger and activated in one transaction, or
--     neither (PT402 naming the shortfall);
--   * tools.refund_purchase(purchase_id): platform admins give a credit
--     purchase's credits back to the ledger; the purchase is REFUNDED;
--   * tools.checkout_by_invoice(account_id) / tools.mark_invoice_paid(checkout_ref);
--   * tools.cancel_purchase(purchase_id);
--   * private.tools_renew_purchase(purchase_id, new_end) for the webhook;
--   * private.tools_expire_purchases() on pg_cron;
--   * tools.record_tool_use(account_id, tool_id): one use, metered through
--     private.record_usage (feature `tools.usage`) for USAGE_BASED tools.
--
-- Who may do what:
--   * checkout_with_credits, record_tool_use: the account's members;
--   * checkout_by_invoice, cancel_purchase: the account's owners and admins;
--   * refund_purchase, mark_invoice_paid: platform admins;
--   * tools_renew_purchase: service_role; tools_expire_purchases: pg_cron.
--
-- Invariants:
--   * credits and purchases move together: the debit, the activation and
--     the refund are each one transaction; the balance row lock serialises
--     concurrent checkouts of one account, so they cannot overspend;
--   * the price always comes from the catalogue;
--   * a use of a USAGE_BASED tool records units = its price_amount in cents;
--     tools.usage is priced 0.01 USD per unit of overage with no included
--     units, so each use bills exactly the tool's per-use price.

-- ---------------------------------------------------------------- credits
create or replace function tools.checkout_with_credits(account_id uuid)
returns setof tools.marketplace_purchases
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_user uuid := (select auth.uid());
  v_ref text := 'credits:' || extensions.gen_random_uuid();
  v_cost integer;
  v_other_currency text;
  v_balance public.credit_balances;
begin
  if v_user is null or not private.is_account_member(checkout_with_credits.account_id) then
    raise exception 'account_id: not a member of this account' using errcode = '42501';
  end if;
  perform private.tools_checkout_begin(checkout_with_credits.account_id, v_user, 'PLATFORM_CREDITS', v_ref);

  select coalesce(sum(round(p.amount * 100)), 0)::integer, min(p.currency) filter (where p.currency <> 'USD')
  into v_cost, v_other_currency
  from tools.marketplace_purchases p where p.checkout_ref = v_ref;
  if v_other_currency is not null then
    raise exception 'currency: credits pay for USD prices only (the cart has %)', v_other_currency using errcode = '22023';
  end if;

  if v_cost > 0 then
    v_balance := private.credit_lock_balance(checkout_with_credits.account_id, 'credits');
    if v_balance.balance - v_balance.held < v_cost then
      raise exception 'credits: % more credits needed (% available, the cart costs %)',
        v_cost - (v_balance.balance - v_balance.held), v_balance.balance - v_balance.held, v_cost
        using errcode = 'PT402';
    end if;
    perform private.credit_apply(checkout_with_credits.account_id, 'credits', -v_cost, 'usage',
      'tools.checkout:' || v_ref, 'Tools marketplace checkout', p_reference_id => v_ref);
  end if;
  perform private.tools_checkout_complete(v_ref, null, null);

  return query select * from tools.marketplace_purchases p where p.checkout_ref = v_ref order by p.created_at, p.id;
end;
$$;

create or replace function tools.refund_purchase(purchase_id uuid)
returns tools.marketplace_purchases
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_row tools.marketplace_purchases;
  v_credits integer;
begin
  if not (private.is_platform_admin() or private.tools_is_backend()) then
    raise exception 'purchase_id: only platform admins refund purchases' using errcode = '42501';
  end if;
  select * into v_row from tools.marketplace_purchases p where p.id = refund_purchase.purchase_id for update;
  if not found then
    raise exception 'purchase_id: no such purchase' using errcode = 'PT404';
  end if;
  if v_row.payment_method <> 'PLATFORM_CREDITS' then
    raise exception 'purchase_id: a % purchase is refunded through its payment provider', v_row.payment_method using errcode = 'PT409';
  end if;
  if v_row.payment_status <> 'COMPLETED' then
    raise exception 'purchase_id: the purchase is % and cannot be refunded', v_row.payment_status using errcode = 'PT409';
  end if;
  v_credits := round(v_row.amount * 100)::integer;
  if v_credits > 0 then
    perform private.credit_apply(v_row.organization_id, 'credits', v_credits, 'refund',
      'tools.refund:' || v_row.id, 'Tools marketplace refund', p_reference_id => v_row.id::text);
  end if;
  update tools.marketplace_purchases p
  set payment_status = 'REFUNDED', status = 'REFUNDED', refunded_at = now(), auto_renew = false
  where p.id = v_row.id
  returning * into v_row;
  return v_row;
end;
$$;

-- ---------------------------------------------------------------- invoice
create or replace function tools.checkout_by_invoice(account_id uuid)
returns setof tools.marketplace_purchases
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_user uuid := (select auth.uid());
  v_ref text := 'invoice:' || extensions.gen_random_uuid();
begin
  if v_user is null or not private.is_account_admin(checkout_by_invoice.account_id) then
    raise exception 'account_id: only the account''s owners and admins order by invoice' using errcode = '42501';
  end if;
  perform private.tools_checkout_begin(checkout_by_invoice.account_id, v_user, 'INVOICE', v_ref);
  -- The order is placed: the lines leave the cart, and the cart's rules
  -- refuse the same items again until the invoice is paid or cancelled.
  delete from tools.marketplace_cart c
  using tools.marketplace_purchases p
  where p.checkout_ref = v_ref and c.organization_id = p.organization_id and c.user_id = p.user_id
    and c.tool_id is not distinct from p.tool_id and c.bundle_id is not distinct from p.bundle_id;
  return query select * from tools.marketplace_purchases p where p.checkout_ref = v_ref order by p.created_at, p.id;
end;
$$;

create or replace function tools.mark_invoice_paid(checkout_ref text)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  if not (private.is_platform_admin() or private.tools_is_backend()) then
    raise exception 'checkout_ref: only platform admins mark invoices paid' using errcode = '42501';
  end if;
  if exists (select 1 from tools.marketplace_purchases p
             where p.checkout_ref = mark_invoice_paid.checkout_ref and p.payment_method <> 'INVOICE') then
    raise exception 'checkout_ref: not an invoice checkout' using errcode = 'PT409';
  end if;
  return private.tools_checkout_complete(mark_invoice_paid.checkout_ref, null, null);
end;
$$;

-- ---------------------------------------------------------------- cancel, renew, expire
-- An unpaid purchase is simply called off; a paid subscription runs to its
-- period end (no renewal); anything else loses access now.
create or replace function tools.cancel_purchase(purchase_id uuid)
returns tools.marketplace_purchases
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_row tools.marketplace_purchases;
begin
  select * into v_row from tools.marketplace_purchases p where p.id = cancel_purchase.purchase_id for update;
  if not found or not (private.is_account_member(v_row.organization_id) or private.tools_is_backend()) then
    raise exception 'purchase_id: no such purchase' using errcode = 'PT404';
  end if;
  if not private.tools_is_backend() and not private.is_account_admin(v_row.organization_id) then
    raise exception 'purchase_id: only the account''s owners and admins cancel purchases' using errcode = '42501';
  end if;
  if v_row.status <> 'ACTIVE' or v_row.payment_status not in ('PENDING', 'PROCESSING', 'COMPLETED') then
    raise exception 'purchase_id: the purchase is % (payment %) and cannot be cancelled', v_row.status, v_row.payment_status
      using errcode = 'PT409';
  end if;
  update tools.marketplace_purchases p
  set status = 'CANCELLED',
      payment_status = case when p.payment_status = 'COMPLETED' then p.payment_status else 'CANCELLED' end,
      cancelled_at = now(),
      auto_renew = false
  where p.id = v_row.id
  returning * into v_row;
  return v_row;
end;
$$;

-- The webhook saw the subscription renew: the period moves to new_end.
create or replace function private.tools_renew_purchase(p_purchase_id uuid, p_new_end timestamptz)
returns tools.marketplace_purchases
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_row tools.marketplace_purchases;
begin
  select * into v_row from tools.marketplace_purchases p where p.id = p_purchase_id for update;
  if not found then
    raise exception 'purchase_id: no such purchase' using errcode = 'PT404';
  end if;
  if not v_row.is_subscription or v_row.payment_status <> 'COMPLETED' or v_row.status not in ('ACTIVE', 'EXPIRED') then
    raise exception 'purchase_id: the purchase is % (payment %, subscription %) and cannot renew',
      v_row.status, v_row.payment_status, v_row.is_subscription using errcode = 'PT409';
  end if;
  if p_new_end is null or p_new_end <= coalesce(v_row.subscription_end, v_row.subscription_start) then
    raise exception 'new_end: must be after the current end (%)', v_row.subscription_end using errcode = '22023';
  end if;
  update tools.marketplace_purchases p
  set subscription_end = p_new_end, status = 'ACTIVE'
  where p.id = v_row.id
  returning * into v_row;
  return v_row;
end;
$$;

-- pg_cron: subscriptions past their end (not renewed) become EXPIRED.
-- A cancelled one keeps CANCELLED: its access ended at the same moment.
create or replace function private.tools_expire_purchases()
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  update tools.marketplace_purchases p
  set status = 'EXPIRED'
  where p.status = 'ACTIVE' and p.payment_status = 'COMPLETED'
    and p.subscription_end is not null and p.subscription_end <= now();
  get diagnostics v_count = row_count;
  return v_count;
end;
$$;
create index marketplace_purchases_active_end_idx on tools.marketplace_purchases (subscription_end)
  where status = 'ACTIVE' and subscription_end is not null;
select cron.schedule('tools-expire-purchases', '*/5 * * * *', 'select private.tools_expire_purchases()');

-- ---------------------------------------------------------------- metered use
-- One use of a tool the account may use; returns the purchase's usage_count
-- after it (0 for a tool included by tier: there is no purchase to count on).
create or replace function tools.record_tool_use(account_id uuid, tool_id uuid)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_tool tools.marketplace_tools;
  v_purchase uuid;
  v_count integer := 0;
begin
  if not private.tools_is_backend() and not private.is_account_member(record_tool_use.account_id) then
    raise exception 'account_id: not a member of this account' using errcode = '42501';
  end if;
  select * into v_tool from tools.marketplace_tools t where t.id = record_tool_use.tool_id;
  if not found then
    raise exception 'tool_id: no such tool' using errcode = 'PT404';
  end if;
  if not private.tools_may_use(record_tool_use.account_id, v_tool.id) then
    raise exception 'tool_id: the account may not use "%" (buy it or upgrade)', v_tool.name using errcode = 'PT402';
  end if;
  if v_tool.price_model = 'USAGE_BASED' and v_tool.price_amount > 0 then
    perform private.record_usage(record_tool_use.account_id, 'tools.usage', round(v_tool.price_amount * 100)::integer,
      'tools.use:' || extensions.gen_random_uuid(), (select auth.uid()), v_tool.id::text);
  end if;
  v_purchase := private.tools_access_purchase(record_tool_use.account_id, v_tool.id);
  if v_purchase is not null then
    update tools.marketplace_purchases p
    set usage_count = p.usage_count + 1, last_used_at = now()
    where p.id = v_purchase
    returning p.usage_count into v_count;
  end if;
  return v_count;
end;
$$;

-- ---------------------------------------------------------------- grants
revoke execute on function
  tools.checkout_with_credits(uuid),
  tools.refund_purchase(uuid),
  tools.checkout_by_invoice(uuid),
  tools.mark_invoice_paid(text),
  tools.cancel_purchase(uuid),
  tools.record_tool_use(uuid, uuid)
from public, anon;
grant execute on function
  tools.checkout_with_credits(uuid),
  tools.refund_purchase(uuid),
  tools.checkout_by_invoice(uuid),
  tools.mark_invoice_paid(text),
  tools.cancel_purchase(uuid),
  tools.record_tool_use(uuid, uuid)
to authenticated, service_role;

revoke execute on function private.tools_renew_purchase(uuid, timestamptz), private.tools_expire_purchases()
  from public, anon, authenticated;
grant execute on function private.tools_renew_purchase(uuid, timestamptz) to service_role;
revoke execute on function private.tools_expire_purchases() from service_role;

comment on function tools.checkout_with_credits(uuid) is
  'Pays the caller''s cart for the account with platform credits (price_amount * 100 each): debited and activated together, or PT402.';
comment on function tools.may_use_tool(uuid, uuid) is
  'May this account use the tool now? Owned directly, through a bundle, or FREE and included in its tier.';
comment on function tools.record_tool_use(uuid, uuid) is
  'Records one use; USAGE_BASED tools are metered as tools.usage (units = price in cents). Returns the purchase''s usage_count.';
