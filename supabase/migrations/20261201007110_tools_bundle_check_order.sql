-- Tools marketplace: the bundle check names the same tool every time.
--
-- private.tools_assert_bundle_consistent (20261201007100_tools_bundle_prices.sql)
-- picked "a" tool when several broke the currency or tier rule; with ties the
-- refusal named whichever row the plan met first, so the message could change
-- between runs. It now names the first offending tool in the bundle's order
-- (for the tier rule the highest tier first, then position, then id). Rules,
-- codes and who may call it are unchanged (23514; private, revoked from every
-- client role).

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
  order by i.position, t.id
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
  order by t.required_tier desc, i.position, t.id
  limit 1;
  if found then
    raise exception 'required_tier: bundle "%" (%) requires % but its tool "%" requires %',
      v_bundle.name, v_bundle.id, v_bundle.required_tier, v_tool_name, v_tool_tier
      using errcode = '23514', constraint = 'marketplace_bundles_tier_covers_tools';
  end if;
end;
$$;
revoke execute on function private.tools_assert_bundle_consistent(uuid) from public, anon, authenticated;
