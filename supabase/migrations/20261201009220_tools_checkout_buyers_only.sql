-- Tools marketplace (issue 10), audit: an affiliate of an account may not
-- spend its money. The checkout function already refused them a card
-- checkout, but tools.checkout_with_credits (and so the account's credits)
-- reached private.tools_checkout_begin, which only asked for membership.
--
-- Replaces private.tools_checkout_begin (20261201009200) with one change: the
-- user checked out for must be an owner, admin or member of the account
-- (42501 otherwise, affiliates included).
--
-- Who may do what: service_role (the tools.* RPCs call it); buyers are the
-- account's owners, admins and members.
-- Invariants and lock order: as in 20261201009200.

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
  -- One checkout of the account at a time: a second member's checkout of
  -- the same item waits, then sees it owned.
  perform pg_advisory_xact_lock(hashtextextended('tools.account_checkout:' || p_account::text, 0));

  if exists (select 1 from tools.marketplace_purchases p where p.checkout_ref = p_checkout_ref) then
    if exists (select 1 from tools.marketplace_purchases p
               where p.checkout_ref = p_checkout_ref
                 and (p.organization_id <> p_account or p.user_id <> p_user or p.payment_method <> p_method)) then
      raise exception 'checkout_ref: already used by another checkout' using errcode = 'PT409';
    end if;
  else
    -- Affiliates may not spend the account's money (the checkout function
    -- refuses them a card checkout; credits and invoices come through here too).
    if not exists (select 1 from public.account_memberships m
                   where m.account_id = p_account and m.user_id = p_user and m.role in ('owner', 'admin', 'member')) then
      raise exception 'account_id: only the account''s owners, admins and members check out its cart' using errcode = '42501';
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
