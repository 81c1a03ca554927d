-- Tools marketplace: a bundle's price agrees with its tools, checked by the
-- database at commit.
--
-- What counts (docs/tools.md, "Bundle prices"): ONE_TIME, MONTHLY and ANNUAL
-- tools count at their list price; FREE, USAGE_BASED and CUSTOM tools count 0
-- (a bundle grants their use; usage stays metered per use, CUSTOM stays
-- "contact for pricing"). Then
--     price_amount = round(sum(counted prices) * (100 - discount_percent) / 100, 2)
-- A MONTHLY or ANNUAL tool counts one period at its list price.
--
-- Invariants, each refused with 23514 and a message naming the bundle:
--   * the price above;
--   * the bundle's currency is the currency of every tool that counts (a sum
--     over currencies means nothing);
--   * the bundle's required_tier is at least every tool's required_tier (a
--     bundle must not sell a tool to an account below that tool's tier).
--
-- Who may do what: unchanged (platform admins write the catalogue, audited;
-- see 20261201007000_tools_schema.sql). The checks are deferred constraint
-- triggers on bundles, bundle items and tools, so a whole catalogue edit
-- (new tool price + new bundle price, or a bundle with its items) made in one
-- transaction is checked once, at commit; a statement outside a transaction
-- is checked at its end. A deleted tool cascades to its bundle items, whose
-- trigger then checks the bundle, so removing a priced tool without
-- repricing its bundles is refused too.

-- ---------------------------------------------------------------- pricing rule
-- The price a tool contributes to a bundle's sum.
create or replace function private.tools_bundle_counted_price(p_model tools.price_model, p_amount numeric)
returns numeric
language sql
immutable
set search_path = ''
as $$
  select case when p_model in ('ONE_TIME', 'MONTHLY', 'ANNUAL') then p_amount else 0 end::numeric;
$$;
revoke execute on function private.tools_bundle_counted_price(tools.price_model, numeric) from public, anon, authenticated;
grant execute on function private.tools_bundle_counted_price(tools.price_model, numeric) to service_role;

-- The price a bundle must have given its tools and discount (null if there is
-- no such bundle). The seed sets bundle prices with it, so the rule lives once.
create or replace function private.tools_bundle_expected_price(p_bundle_id uuid)
returns numeric
language sql
stable
security definer
set search_path = ''
as $$
  select round(
    coalesce((select sum(private.tools_bundle_counted_price(t.price_model, t.price_amount))
              from tools.marketplace_bundle_items i
              join tools.marketplace_tools t on t.id = i.tool_id
              where i.bundle_id = b.id), 0)
    * (100 - b.discount_percent) / 100, 2)
  from tools.marketplace_bundles b
  where b.id = p_bundle_id;
$$;
revoke execute on function private.tools_bundle_expected_price(uuid) from public, anon, authenticated;
grant execute on function private.tools_bundle_expected_price(uuid) to service_role;

-- Refuses a bundle that breaks an invariant above; a bundle that no longer
-- exists (deleted in the same transaction) has nothing to check.
create or replace function private.tools_assert_bundle_consistent(p_bundle_id uuid)
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_bundle tools.marketplace_bundles%rowtype;
  v_expected numeric;
  v_currency text;
  v_tool_tier tools.subscription_tier;
  v_tool_name text;
begin
  select * into v_bundle from tools.marketplace_bundles b where b.id = p_bundle_id;
  if not found then
    return;
  end if;

  v_expected := private.tools_bundle_expected_price(p_bundle_id);
  if v_bundle.price_amount <> v_expected then
    raise exception 'price_amount: bundle "%" (%) costs % % but its tools, less % percent, come to % %',
      v_bundle.name, v_bundle.id, v_bundle.price_amount, v_bundle.currency, v_bundle.discount_percent,
      v_expected, v_bundle.currency
      using errcode = '23514', constraint = 'marketplace_bundles_price_agrees_with_tools',
            hint = 'Change the bundle''s price_amount in the same transaction as its tools or items.';
  end if;

  select t.currency, t.name into v_currency, v_tool_name
  from tools.marketplace_bundle_items i
  join tools.marketplace_tools t on t.id = i.tool_id
  where i.bundle_id = p_bundle_id
    and private.tools_bundle_counted_price(t.price_model, t.price_amount) > 0
    and t.currency <> v_bundle.currency
  limit 1;
  if found then
    raise exception 'currency: bundle "%" (%) is priced in % but its tool "%" in %',
      v_bundle.name, v_bundle.id, v_bundle.currency, v_tool_name, v_currency
      using errcode = '23514', constraint = 'marketplace_bundles_price_agrees_with_tools';
  end if;

  select t.required_tier, t.name into v_tool_tier, v_tool_name
  from tools.marketplace_bundle_items i
  join tools.marketplace_tools t on t.id = i.tool_id
  where i.bundle_id = p_bundle_id and t.required_tier > v_bundle.required_tier
  order by t.required_tier desc
  limit 1;
  if found then
    raise exception 'required_tier: bundle "%" (%) requires % but its tool "%" requires %',
      v_bundle.name, v_bundle.id, v_bundle.required_tier, v_tool_name, v_tool_tier
      using errcode = '23514', constraint = 'marketplace_bundles_tier_covers_tools';
  end if;
end;
$$;
revoke execute on function private.tools_assert_bundle_consistent(uuid) from public, anon, authenticated;

-- ---------------------------------------------------------------- triggers
create or replace function private.tools_bundles_check_price()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.tools_assert_bundle_consistent(new.id);
  return null;
end;
$$;
revoke execute on function private.tools_bundles_check_price() from public, anon, authenticated;

create or replace function private.tools_bundle_items_check_price()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op in ('UPDATE', 'DELETE') then
    perform private.tools_assert_bundle_consistent(old.bundle_id);
  end if;
  if tg_op in ('INSERT', 'UPDATE') and (tg_op = 'INSERT' or new.bundle_id <> old.bundle_id) then
    perform private.tools_assert_bundle_consistent(new.bundle_id);
  end if;
  return null;
end;
$$;
revoke execute on function private.tools_bundle_items_check_price() from public, anon, authenticated;

-- A tool's price, model, currency or tier change re-checks every bundle it is in.
create or replace function private.tools_tools_check_bundle_prices()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_bundle_id uuid;
begin
  for v_bundle_id in
    select i.bundle_id from tools.marketplace_bundle_items i where i.tool_id = new.id
  loop
    perform private.tools_assert_bundle_consistent(v_bundle_id);
  end loop;
  return null;
end;
$$;
revoke execute on function private.tools_tools_check_bundle_prices() from public, anon, authenticated;

create constraint trigger marketplace_bundles_price_agrees
  after insert or update of price_amount, discount_percent, currency, required_tier on tools.marketplace_bundles
  deferrable initially deferred
  for each row execute function private.tools_bundles_check_price();

create constraint trigger marketplace_bundle_items_price_agrees
  after insert or update of bundle_id, tool_id or delete on tools.marketplace_bundle_items
  deferrable initially deferred
  for each row execute function private.tools_bundle_items_check_price();

create constraint trigger marketplace_tools_bundle_prices_agree
  after update of price_model, price_amount, currency, required_tier on tools.marketplace_tools
  deferrable initially deferred
  for each row execute function private.tools_tools_check_bundle_prices();
