-- Tools marketplace (issue 10): two refinements of the cart and checkout of
-- 20261201007200 (which has landed, so they are replaced here):
--   * an item on an unpaid INVOICE order cannot be put in the cart (or
--     checked out) again until the invoice is paid or cancelled
--     (tools.checkout_by_invoice / tools.cancel_purchase); a card checkout
--     left PENDING (an abandoned Stripe session) does not block buying;
--   * a USAGE_BASED tool costs nothing to take: its price_amount is the price
--     of one use, billed per use by tools.record_tool_use (feature
--     tools.usage), so its purchase line has amount 0.
-- Who may do what: unchanged (the cart trigger, service_role for begin).
-- Invariants: unchanged; amounts still come from the catalogue only.

-- ---------------------------------------------------------------- the cart's rules
-- Raises the reason this account may not buy the item, else returns quietly.
-- Codes: PT404 unknown item, 22023 CUSTOM price, PT409 for every state
-- conflict (not on sale, already owned or included, on an unpaid invoice,
-- tier too low). A card checkout left PENDING (abandoned session) does not
-- block buying again.
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
    if exists (select 1 from tools.marketplace_purchases p
               where p.organization_id = p_account_id and p.tool_id = p_tool_id
                 and p.payment_method = 'INVOICE' and p.payment_status = 'PENDING') then
      raise exception 'tool_id: "%" is on an invoice awaiting payment', v_tool.name using errcode = 'PT409';
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
    if exists (select 1 from tools.marketplace_purchases p
               where p.organization_id = p_account_id and p.bundle_id = p_bundle_id
                 and p.payment_method = 'INVOICE' and p.payment_status = 'PENDING') then
      raise exception 'bundle_id: "%" is on an invoice awaiting payment', v_bundle.name using errcode = 'PT409';
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

-- ---------------------------------------------------------------- checkout begin
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
          p_account, p_user, v_tool.id, 'TOOL',
          -- USAGE_BASED: price_amount is the price of one use, billed per use
          -- (tools.record_tool_use); taking the tool costs nothing.
          case when v_tool.price_model = 'USAGE_BASED' then 0 else v_tool.price_amount end,
          v_tool.currency, p_method, 'PENDING',
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
