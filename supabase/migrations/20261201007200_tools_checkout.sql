-- Tools marketplace (issue 10): the rules of the cart, the card/ACH checkout
-- the `checkout` function drives, refunds of a Stripe payment, who may use
-- a tool, and purchase_count kept by the database.
--
-- Adds:
--   * marketplace_purchases.checkout_ref (not in the seed): the checkout a
--     purchase was made in (Stripe Checkout session, credits or invoice ref);
--     every line of one checkout shares it;
--   * the cart's rules, enforced on insert by a trigger;
--   * tools.may_use_tool(account_id, tool_id): owned directly, through a
--     bundle, or FREE and included in the account's tier;
--   * private.tools_checkout_begin / _complete / _fail and
--     private.tools_refund_payment for the checkout function and the
--     Stripe webhook (service_role only).
--
-- Who may do what:
--   * cart lines: a member adds lines for themself within an account they
--     belong to (42501 otherwise, checked before the item's rules so a
--     stranger learns nothing about the account);
--   * may_use_tool: the account's members and service_role (42501 others);
--   * the private checkout functions: service_role only.
--
-- Invariants:
--   * access = a purchase with payment COMPLETED that is ACTIVE (until
--     subscription_end if it has one) or CANCELLED with a subscription_end
--     still ahead (a cancelled subscription runs to its period end);
--     PENDING, FAILED, REFUNDED, EXPIRED give nothing;
--   * amounts come from the catalogue, never from the caller;
--   * one checkout ref is begun once and activated once: a repeat returns
--     the same rows / activates nothing;
--   * stripe_payment_id is UNIQUE per purchase (seed), so the lines of one
--     Stripe payment store `<payment id>:<n>` (n = 1.. in line order);
--     refunds find them by the part before the colon;
--   * purchase_count on tools and bundles counts activations, by trigger.

-- ---------------------------------------------------------------- checkout ref
alter table tools.marketplace_purchases
  add column checkout_ref text constraint marketplace_purchases_checkout_ref_length
    check (checkout_ref is null or char_length(checkout_ref) between 1 and 255);
comment on column tools.marketplace_purchases.checkout_ref is
  'Not in the seed: the checkout (Stripe session, credits or invoice reference) this purchase was made in.';
create index marketplace_purchases_checkout_ref_idx on tools.marketplace_purchases (checkout_ref);
-- Refunds arrive with the Stripe payment id; lines store `<payment id>:<n>`.
create index marketplace_purchases_stripe_payment_base_idx
  on tools.marketplace_purchases ((split_part(stripe_payment_id, ':', 1)))
  where stripe_payment_id is not null;
-- may_use_tool and the cart read an account's live purchases of an item.
create index marketplace_purchases_org_tool_idx on tools.marketplace_purchases (organization_id, tool_id) where tool_id is not null;
create index marketplace_purchases_org_bundle_idx on tools.marketplace_purchases (organization_id, bundle_id) where bundle_id is not null;

-- ---------------------------------------------------------------- access
-- Does this purchase give access now?
create or replace function private.tools_purchase_is_live(
  p_status tools.purchase_status,
  p_payment_status tools.payment_status,
  p_subscription_end timestamptz
)
returns boolean
language sql
stable
set search_path = ''
as $$
  select p_payment_status = 'COMPLETED'
     and ((p_status = 'ACTIVE' and (p_subscription_end is null or p_subscription_end > now()))
       or (p_status = 'CANCELLED' and p_subscription_end is not null and p_subscription_end > now()));
$$;
revoke execute on function private.tools_purchase_is_live(tools.purchase_status, tools.payment_status, timestamptz)
  from public, anon, authenticated;

-- The live purchase that gives the account this tool (direct first, then a
-- bundle), or null.
create or replace function private.tools_access_purchase(p_account_id uuid, p_tool_id uuid)
returns uuid
language sql
stable
security definer
set search_path = ''
as $$
  select p.id
  from tools.marketplace_purchases p
  where p.organization_id = p_account_id
    and (p.tool_id = p_tool_id
         or p.bundle_id in (select bi.bundle_id from tools.marketplace_bundle_items bi where bi.tool_id = p_tool_id))
    and private.tools_purchase_is_live(p.status, p.payment_status, p.subscription_end)
  order by (p.tool_id is null), p.activated_at
  limit 1;
$$;
revoke execute on function private.tools_access_purchase(uuid, uuid) from public, anon, authenticated;

create or replace function private.tools_owns_bundle(p_account_id uuid, p_bundle_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from tools.marketplace_purchases p
    where p.organization_id = p_account_id and p.bundle_id = p_bundle_id
      and private.tools_purchase_is_live(p.status, p.payment_status, p.subscription_end));
$$;
revoke execute on function private.tools_owns_bundle(uuid, uuid) from public, anon, authenticated;

-- FREE tools are included, without a purchase, from their required tier up.
create or replace function private.tools_included_by_tier(p_account_id uuid, p_tool_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce((
    select t.price_model = 'FREE' and t.required_tier <= private.tools_account_tier(p_account_id)
    from tools.marketplace_tools t where t.id = p_tool_id), false);
$$;
revoke execute on function private.tools_included_by_tier(uuid, uuid) from public, anon, authenticated;

-- The answer without the caller check, for the other tools functions.
-- COMING_SOON and DISABLED tools are usable by nobody; DEPRECATED ones
-- still work for those who have them.
create or replace function private.tools_may_use(p_account_id uuid, p_tool_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce((
    select t.status in ('ACTIVE', 'BETA', 'DEPRECATED')
       and (private.tools_included_by_tier(p_account_id, t.id)
            or private.tools_access_purchase(p_account_id, t.id) is not null)
    from tools.marketplace_tools t where t.id = p_tool_id), false);
$$;
revoke execute on function private.tools_may_use(uuid, uuid) from public, anon, authenticated;

-- True when the caller is service_role or postgres (no end-user claims).
create or replace function private.tools_is_backend()
returns boolean
language sql
stable
set search_path = ''
as $$
  select coalesce((select auth.role()), 'service_role') = 'service_role';
$$;
revoke execute on function private.tools_is_backend() from public, anon, authenticated;

create or replace function tools.may_use_tool(account_id uuid, tool_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if not private.tools_is_backend() and not private.is_account_member(may_use_tool.account_id) then
    raise exception 'account_id: not a member of this account' using errcode = '42501';
  end if;
  return private.tools_may_use(may_use_tool.account_id, may_use_tool.tool_id);
end;
$$;
comment on function tools.may_use_tool(uuid, uuid) is
  'May this account use the tool now? Owned directly, through a bundle, or FREE and included in its tier.';
revoke execute on function tools.may_use_tool(uuid, uuid) from public, anon;
grant execute on function tools.may_use_tool(uuid, uuid) to authenticated, service_role;

-- ---------------------------------------------------------------- the cart's rules
-- Raises the reason this account may not buy the item, else returns quietly.
-- Codes: PT404 unknown item, 22023 CUSTOM price, PT409 for every state
-- conflict (not on sale, already owned, tier too low).
create or replace function private.tools_check_buyable(p_account_id uuid, p_tool_id uuid, p_bundle_id uuid)
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_tool tools.marketplace_tools;
  v_bundle tools.marketplace_bundles;
  v_tier tools.subscription_tier := private.tools_account_tier(p_account_id);
  v_via text;
begin
  if p_tool_id is not null then
    select * into v_tool from tools.marketplace_tools t where t.id = p_tool_id;
    if not found then
      raise exception 'tool_id: no such tool' using errcode = 'PT404';
    end if;
    if v_tool.status not in ('ACTIVE', 'BETA') then
      raise exception 'tool_id: "%" is % and cannot be bought', v_tool.name, v_tool.status using errcode = 'PT409';
    end if;
    if v_tool.price_model = 'CUSTOM' then
      raise exception 'tool_id: "%" has custom pricing; contact for pricing', v_tool.name using errcode = '22023';
    end if;
    if private.tools_included_by_tier(p_account_id, p_tool_id) then
      raise exception 'tool_id: "%" is included in the account''s % tier', v_tool.name, v_tier using errcode = 'PT409';
    end if;
    select b.name into v_via
    from tools.marketplace_purchases p
    join tools.marketplace_bundles b on b.id = p.bundle_id
    where p.id = private.tools_access_purchase(p_account_id, p_tool_id);
    if v_via is not null then
      raise exception 'tool_id: the account already owns "%" through the bundle "%"', v_tool.name, v_via using errcode = 'PT409';
    end if;
    if private.tools_access_purchase(p_account_id, p_tool_id) is not null then
      raise exception 'tool_id: the account already owns "%"', v_tool.name using errcode = 'PT409';
    end if;
    if v_tool.required_tier > v_tier then
      raise exception 'tool_id: "%" needs the % tier or higher (the account is on %)', v_tool.name, v_tool.required_tier, v_tier
        using errcode = 'PT409';
    end if;
  elsif p_bundle_id is not null then
    select * into v_bundle from tools.marketplace_bundles b where b.id = p_bundle_id;
    if not found then
      raise exception 'bundle_id: no such bundle' using errcode = 'PT404';
    end if;
    if v_bundle.status <> 'ACTIVE' then
      raise exception 'bundle_id: "%" is % and cannot be bought', v_bundle.name, v_bundle.status using errcode = 'PT409';
    end if;
    if private.tools_owns_bundle(p_account_id, p_bundle_id) then
      raise exception 'bundle_id: the account already owns "%"', v_bundle.name using errcode = 'PT409';
    end if;
    if v_bundle.required_tier > v_tier then
      raise exception 'bundle_id: "%" needs the % tier or higher (the account is on %)', v_bundle.name, v_bundle.required_tier, v_tier
        using errcode = 'PT409';
    end if;
  else
    raise exception 'item_type: a tool or a bundle is required' using errcode = '22023';
  end if;
end;
$$;
revoke execute on function private.tools_check_buyable(uuid, uuid, uuid) from public, anon, authenticated;

create or replace function private.tools_cart_check()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- Rights first: RLS would refuse the row anyway, but only after this
  -- trigger had told a stranger what the account owns.
  if not private.tools_is_backend()
     and (new.user_id is distinct from (select auth.uid()) or not private.is_account_member(new.organization_id)) then
    raise exception 'organization_id: you may only add to your own cart within an account you belong to' using errcode = '42501';
  end if;
  -- A malformed line (both items, neither, wrong item_type) is the table
  -- checks' to refuse, with their 23514.
  if (new.item_type = 'TOOL' and new.tool_id is not null and new.bundle_id is null)
     or (new.item_type = 'BUNDLE' and new.bundle_id is not null and new.tool_id is null) then
    perform private.tools_check_buyable(new.organization_id, new.tool_id, new.bundle_id);
  end if;
  return new;
end;
$$;
revoke execute on function private.tools_cart_check() from public, anon, authenticated;
create trigger marketplace_cart_check before insert on tools.marketplace_cart
  for each row execute function private.tools_cart_check();

-- ---------------------------------------------------------------- purchase_count
create or replace function private.tools_count_activation()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.payment_status = 'COMPLETED' and (tg_op = 'INSERT' or old.payment_status is distinct from 'COMPLETED') then
    if new.tool_id is not null then
      update tools.marketplace_tools t set purchase_count = t.purchase_count + 1 where t.id = new.tool_id;
    else
      update tools.marketplace_bundles b set purchase_count = b.purchase_count + 1 where b.id = new.bundle_id;
    end if;
  end if;
  return null;
end;
$$;
revoke execute on function private.tools_count_activation() from public, anon, authenticated;
create trigger marketplace_purchases_count_activation after insert or update of payment_status on tools.marketplace_purchases
  for each row execute function private.tools_count_activation();

-- ---------------------------------------------------------------- checkout
-- Turns the user's cart lines for the account into PENDING purchases, one
-- per line, priced from the catalogue. Idempotent per checkout ref: a
-- second call returns the rows of the first (the cart is not re-read).
create or replace function private.tools_checkout_begin(
  p_account uuid,
  p_user uuid,
  p_method tools.payment_method,
  p_checkout_ref text
)
returns table (
  purchase_id uuid,
  item_type text,
  item_id uuid,
  name text,
  amount numeric,
  currency text,
  price_model tools.price_model
)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_line tools.marketplace_cart;
  v_tool tools.marketplace_tools;
  v_bundle tools.marketplace_bundles;
  v_count integer := 0;
begin
  if p_checkout_ref is null or char_length(p_checkout_ref) not between 1 and 255 then
    raise exception 'checkout_ref: 1 to 255 characters required' using errcode = '22023';
  end if;
  if p_method is null then
    raise exception 'payment_method: required' using errcode = '22023';
  end if;
  if p_account is null or p_user is null then
    raise exception 'account_id: account and user required' using errcode = '22023';
  end if;
  -- One begin per ref at a time: the repeat waits and then sees the rows.
  perform pg_advisory_xact_lock(hashtextextended('tools.checkout:' || p_checkout_ref, 0));

  if exists (select 1 from tools.marketplace_purchases p where p.checkout_ref = p_checkout_ref) then
    if exists (select 1 from tools.marketplace_purchases p
               where p.checkout_ref = p_checkout_ref
                 and (p.organization_id <> p_account or p.user_id <> p_user or p.payment_method <> p_method)) then
      raise exception 'checkout_ref: already used by another checkout' using errcode = 'PT409';
    end if;
  else
    if not exists (select 1 from public.account_memberships m where m.account_id = p_account and m.user_id = p_user) then
      raise exception 'account_id: the user is not a member of this account' using errcode = '42501';
    end if;
    for v_line in
      select * from tools.marketplace_cart c
      where c.organization_id = p_account and c.user_id = p_user
      order by c.added_at, c.id
      for update
    loop
      perform private.tools_check_buyable(p_account, v_line.tool_id, v_line.bundle_id);
      if v_line.tool_id is not null then
        select * into v_tool from tools.marketplace_tools t where t.id = v_line.tool_id;
        insert into tools.marketplace_purchases (
          organization_id, user_id, tool_id, purchase_type, amount, currency, payment_method, payment_status,
          is_subscription, auto_renew, status, checkout_ref)
        values (
          p_account, p_user, v_tool.id, 'TOOL', v_tool.price_amount, v_tool.currency, p_method, 'PENDING',
          v_tool.price_model in ('MONTHLY', 'ANNUAL'), v_tool.price_model in ('MONTHLY', 'ANNUAL'), 'ACTIVE', p_checkout_ref);
      else
        select * into v_bundle from tools.marketplace_bundles b where b.id = v_line.bundle_id;
        insert into tools.marketplace_purchases (
          organization_id, user_id, bundle_id, purchase_type, amount, currency, payment_method, payment_status,
          is_subscription, auto_renew, status, checkout_ref)
        values (
          p_account, p_user, v_bundle.id, 'BUNDLE', v_bundle.price_amount * v_line.quantity, v_bundle.currency, p_method,
          'PENDING', false, false, 'ACTIVE', p_checkout_ref);
      end if;
      v_count := v_count + 1;
    end loop;
    if v_count = 0 then
      raise exception 'cart: the cart is empty' using errcode = '22023';
    end if;
  end if;

  return query
    select p.id, p.purchase_type::text, coalesce(p.tool_id, p.bundle_id), coalesce(t.name, b.name)::text,
           p.amount, p.currency::text,
           -- A bundle is a one-time purchase of its tools.
           coalesce(t.price_model, 'ONE_TIME'::tools.price_model)
    from tools.marketplace_purchases p
    left join tools.marketplace_tools t on t.id = p.tool_id
    left join tools.marketplace_bundles b on b.id = p.bundle_id
    where p.checkout_ref = p_checkout_ref
    order by p.created_at, p.id;
end;
$$;

-- Activates the checkout's PENDING purchases, once. Returns how many it
-- activated now (0 on a repeat); PT404 for a ref never begun.
create or replace function private.tools_checkout_complete(
  p_checkout_ref text,
  p_stripe_payment_id text,
  p_stripe_invoice_id text
)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  perform pg_advisory_xact_lock(hashtextextended('tools.checkout:' || coalesce(p_checkout_ref, ''), 0));
  if not exists (select 1 from tools.marketplace_purchases p where p.checkout_ref = p_checkout_ref) then
    raise exception 'checkout_ref: no such checkout' using errcode = 'PT404';
  end if;

  with lines as (
    select p.id, row_number() over (order by p.created_at, p.id) as n
    from tools.marketplace_purchases p
    where p.checkout_ref = p_checkout_ref
  ), activated as (
    update tools.marketplace_purchases p
    set payment_status = 'COMPLETED',
        status = 'ACTIVE',
        activated_at = now(),
        stripe_payment_id = case when p_stripe_payment_id is null then p.stripe_payment_id
                                 else p_stripe_payment_id || ':' || l.n end,
        stripe_invoice_id = coalesce(p_stripe_invoice_id, p.stripe_invoice_id),
        subscription_start = case when t.price_model in ('MONTHLY', 'ANNUAL') then now() end,
        subscription_end = case t.price_model when 'MONTHLY' then now() + interval '1 month'
                                              when 'ANNUAL' then now() + interval '1 year' end
    from lines l
    left join tools.marketplace_purchases src on src.id = l.id
    left join tools.marketplace_tools t on t.id = src.tool_id
    where p.id = l.id and p.payment_status in ('PENDING', 'PROCESSING')
    returning p.organization_id, p.user_id, p.tool_id, p.bundle_id
  ), removed as (
    delete from tools.marketplace_cart c
    using activated a
    where c.organization_id = a.organization_id and c.user_id = a.user_id
      and c.tool_id is not distinct from a.tool_id and c.bundle_id is not distinct from a.bundle_id
  )
  select count(*) into v_count from activated;
  return v_count;
end;
$$;

-- The payment failed or the session expired: nothing becomes active.
create or replace function private.tools_checkout_fail(p_checkout_ref text)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  perform pg_advisory_xact_lock(hashtextextended('tools.checkout:' || coalesce(p_checkout_ref, ''), 0));
  if not exists (select 1 from tools.marketplace_purchases p where p.checkout_ref = p_checkout_ref) then
    raise exception 'checkout_ref: no such checkout' using errcode = 'PT404';
  end if;
  update tools.marketplace_purchases p
  set payment_status = 'FAILED', status = 'CANCELLED', cancelled_at = now(), auto_renew = false
  where p.checkout_ref = p_checkout_ref and p.payment_status in ('PENDING', 'PROCESSING');
  get diagnostics v_count = row_count;
  return v_count;
end;
$$;

-- Stripe refunded the payment (charge.refunded): every purchase paid by it
-- is REFUNDED and gives no more access. Idempotent; 0 for a payment that
-- bought no tools (the webhook sees every refund).
create or replace function private.tools_refund_payment(p_stripe_payment_id text)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  if p_stripe_payment_id is null or p_stripe_payment_id = '' then
    raise exception 'stripe_payment_id: required' using errcode = '22023';
  end if;
  update tools.marketplace_purchases p
  set payment_status = 'REFUNDED', status = 'REFUNDED', refunded_at = now(), auto_renew = false
  where split_part(p.stripe_payment_id, ':', 1) = split_part(p_stripe_payment_id, ':', 1)
    and p.stripe_payment_id is not null
    and p.payment_status <> 'REFUNDED';
  get diagnostics v_count = row_count;
  return v_count;
end;
$$;

revoke execute on function
  private.tools_checkout_begin(uuid, uuid, tools.payment_method, text),
  private.tools_checkout_complete(text, text, text),
  private.tools_checkout_fail(text),
  private.tools_refund_payment(text)
from public, anon, authenticated;
grant execute on function
  private.tools_checkout_begin(uuid, uuid, tools.payment_method, text),
  private.tools_checkout_complete(text, text, text),
  private.tools_checkout_fail(text),
  private.tools_refund_payment(text)
to service_role;
