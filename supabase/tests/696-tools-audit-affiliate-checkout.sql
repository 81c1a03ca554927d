-- Audit (20261201009220_tools_checkout_buyers_only.sql): an affiliate of an
-- account may not spend its money. The checkout function refused them a card
-- checkout, but tools.checkout_with_credits let them pay their cart with the
-- account's credits.

begin;
select plan(4);

select tests.tools_data() as team \gset
select tests.create_supabase_user('tools_affiliate') as affiliate \gset
select tests.add_account_member(:'team', 'tools_affiliate', 'affiliate') \gset
select private.credit_apply(:'team', 'credits', 5000, 'grant', 'audit-696:' || gen_random_uuid(), 'test credits') \gset

select tests.authenticate_as('tools_affiliate');
insert into tools.marketplace_cart (organization_id, tool_id, item_type) values (:'team', tests.tools_id(2), 'TOOL');
select throws_ok(format($$ select * from tools.checkout_with_credits(%L) $$, :'team'), '42501', null,
  'an affiliate may not pay with the account''s credits');
select tests.clear_authentication();
select is((select count(*)::int from tools.marketplace_purchases where organization_id = :'team'), 0, 'nothing was bought');
select is((select balance from public.credit_balances where account_id = :'team' and pool = 'credits')::bigint, 5000::bigint, 'nothing was debited');

-- A plain member still pays with them.
select tests.authenticate_as('member');
insert into tools.marketplace_cart (organization_id, tool_id, item_type) values (:'team', tests.tools_id(2), 'TOOL');
select is((select count(*)::int from tools.checkout_with_credits(:'team')), 1, 'a member checks out with credits');
select tests.clear_authentication();

select * from finish();
rollback;
