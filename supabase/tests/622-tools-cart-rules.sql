-- tools cart rules (enforced on insert) and tools.may_use_tool: every
-- refusal with its code and the field its message names; rights first;
-- owning directly, through a bundle, or FREE-included by tier.

begin;
select plan(30);

select tests.tools_data() as team \gset
select tests.get_supabase_uid('member') as member \gset

create function pg_temp.add_tool(n integer) returns text language sql as $$
  select format('insert into tools.marketplace_cart (organization_id, tool_id, item_type) values (%L, %L, ''TOOL'')',
                tests.account_id('team-a'), tests.tools_id(n));
$$;
create function pg_temp.add_bundle(n integer) returns text language sql as $$
  select format('insert into tools.marketplace_cart (organization_id, bundle_id, item_type) values (%L, %L, ''BUNDLE'')',
                tests.account_id('team-a'), tests.tools_id(n));
$$;
-- Buys items for team-a (by owner) outside the cart, as the webhook would.
create function pg_temp.own(ref text, tool_ids uuid[], bundle_ids uuid[]) returns void language sql as $$
  insert into tools.marketplace_purchases (organization_id, user_id, tool_id, bundle_id, purchase_type, amount, payment_method,
                                           payment_status, status, activated_at, checkout_ref)
  select tests.account_id('team-a'), tests.get_supabase_uid('owner'), t, null::uuid, 'TOOL'::tools.purchase_type, 1, 'CREDIT_CARD'::tools.payment_method, 'COMPLETED'::tools.payment_status, 'ACTIVE'::tools.purchase_status, now(), ref
  from unnest(tool_ids) t
  union all
  select tests.account_id('team-a'), tests.get_supabase_uid('owner'), null::uuid, b, 'BUNDLE'::tools.purchase_type, 1, 'CREDIT_CARD'::tools.payment_method, 'COMPLETED'::tools.payment_status, 'ACTIVE'::tools.purchase_status, now(), ref
  from unnest(bundle_ids) b;
$$;

-- ---------------------------------------------------------------- rights come first
select is(tests.probe('stranger', pg_temp.add_tool(2)), '42501', 'a stranger cannot add to team-a''s cart');
select is(tests.probe('rival', pg_temp.add_tool(7)), '42501', 'nor learn a rule''s answer for it (42501 before the item''s rules)');
select is(tests.probe('anon', pg_temp.add_tool(2)), '42501', 'anon cannot add');
select is(tests.probe('member', format('insert into tools.marketplace_cart (organization_id, user_id, tool_id, item_type) values (%L, %L, %L, ''TOOL'')',
  :'team', tests.get_supabase_uid('owner'), tests.tools_id(2))), '42501', 'a member cannot add to another member''s cart');
select is(tests.probe('member', pg_temp.add_tool(2)), 'rows=1', 'a member adds a buyable tool');
select is(tests.probe('member', pg_temp.add_bundle(21)), 'rows=1', 'a member adds an ACTIVE bundle');

-- ---------------------------------------------------------------- refusals
select tests.authenticate_as('member');
select throws_ok(pg_temp.add_tool(7), 'PT409', 'tool_id: "Coming soon" is COMING_SOON and cannot be bought', 'COMING_SOON refused');
select throws_ok(pg_temp.add_tool(8), 'PT409', 'tool_id: "Disabled" is DISABLED and cannot be bought', 'DISABLED refused');
select throws_ok(pg_temp.add_tool(9), 'PT409', 'tool_id: "Deprecated" is DEPRECATED and cannot be bought', 'DEPRECATED refused');
select lives_ok(pg_temp.add_tool(3), 'a BETA tool can be bought');
select throws_ok(pg_temp.add_tool(6), '22023', 'tool_id: "Custom" has custom pricing; contact for pricing', 'CUSTOM: contact for pricing');
select throws_ok(pg_temp.add_tool(1), 'PT409', 'tool_id: "One-time Starter" needs the STARTER tier or higher (the account is on FREE)',
  'a tool above the account''s tier names the tier needed');
select throws_ok(pg_temp.add_bundle(24), 'PT409', 'bundle_id: "Growth pack" needs the GROWTH tier or higher (the account is on FREE)',
  'a bundle above the account''s tier names the tier needed');
select throws_ok(pg_temp.add_tool(5), 'PT409', 'tool_id: "Included Free" is included in the account''s FREE tier',
  'a FREE tool included by tier counts as owned');
select throws_ok(pg_temp.add_tool(4), 'PT409', 'tool_id: "Included Growth" needs the GROWTH tier or higher (the account is on FREE)',
  'a FREE tool above the tier is refused for the tier');
select throws_ok(pg_temp.add_bundle(22), 'PT409', 'bundle_id: "Archived" is ARCHIVED and cannot be bought', 'ARCHIVED bundle refused');
select throws_ok(pg_temp.add_bundle(23), 'PT409', 'bundle_id: "Draft" is DRAFT and cannot be bought', 'DRAFT bundle refused');
select throws_ok(format('insert into tools.marketplace_cart (organization_id, tool_id, item_type) values (%L, %L, ''TOOL'')',
  :'team', '00000000-0000-4000-a620-999999999999'), 'PT404', 'tool_id: no such tool', 'an unknown tool is not found');

-- Owned items.
select tests.clear_authentication();
select pg_temp.own('own-1', array[tests.tools_id(10)], array[tests.tools_id(21)]);
select tests.authenticate_as('member');
select throws_ok(pg_temp.add_tool(10), 'PT409', 'tool_id: the account already owns "Metered"', 'a tool the account owns is refused');
select throws_ok(pg_temp.add_tool(12), 'PT409', 'tool_id: the account already owns "Bundled A" through the bundle "Pair"',
  'a tool of an owned bundle counts as owned');
select tests.clear_authentication();
delete from tools.marketplace_cart where bundle_id = tests.tools_id(21);
select tests.authenticate_as('member');
select throws_ok(pg_temp.add_bundle(21), 'PT409', 'bundle_id: the account already owns "Pair"', 'an owned bundle is refused');

-- Upgrading opens the higher tiers; a tier's FREE tool is then included.
select tests.clear_authentication();
select tests.tools_set_tier(:'team', 'growth');
select tests.authenticate_as('member');
select lives_ok(pg_temp.add_tool(1), 'on GROWTH the STARTER tool can be bought');
select throws_ok(pg_temp.add_tool(4), 'PT409', 'tool_id: "Included Growth" is included in the account''s GROWTH tier',
  'on GROWTH its included tool is owned');

-- ---------------------------------------------------------------- may_use_tool
select is(tools.may_use_tool(:'team', tests.tools_id(4)), true, 'a FREE tool included by the tier is usable');
select is(tools.may_use_tool(:'team', tests.tools_id(13)), true, 'a tool of an owned bundle is usable');
select is(tools.may_use_tool(:'team', tests.tools_id(11)), false, 'a tool not owned is not usable');
select tests.authenticate_as('rival');
select throws_ok(format('select tools.may_use_tool(%L, %L)', :'team', tests.tools_id(4)), '42501', null,
  'a non-member cannot ask about the account');
select is(tests.probe('anon', format('select 1 where tools.may_use_tool(%L, %L)', :'team', tests.tools_id(4))), '42501', 'nor can anon');
select is(tests.probe('service_role', format('select 1 where tools.may_use_tool(%L, %L)', :'team', tests.tools_id(10))), 'rows=1',
  'service_role asks for any account');
select tests.clear_authentication();
update tools.marketplace_tools set status = 'DISABLED' where id = tests.tools_id(10);
select is(tools.may_use_tool(:'team', tests.tools_id(10)), false, 'a DISABLED tool is usable by nobody, owned or not');

select * from finish();
rollback;
