-- tools purchases after the cart: paying with credits (atomic, PT402 with
-- the shortfall), credit refunds by platform admins, invoices, cancellation,
-- expiry and renewal of subscriptions, metered use, purchase_count kept by
-- the database only.

begin;
select plan(51);

select tests.tools_data() as team \gset
select tests.get_supabase_uid('member') as member \gset
select private.credit_apply(:'team', 'credits', 1000, 'grant', 'tools-test-grant-1') is not null as granted \gset

create function pg_temp.balance() returns integer language sql as $$
  select balance - held from public.credit_balances where account_id = tests.account_id('team-a') and pool = 'credits';
$$;
create function pg_temp.purchase_of(n integer) returns uuid language sql as $$
  select id from tools.marketplace_purchases
  where organization_id = tests.account_id('team-a') and (tool_id = tests.tools_id(n) or bundle_id = tests.tools_id(n))
  order by created_at desc limit 1;
$$;

-- ---------------------------------------------------------------- credits
select tests.authenticate_as('member');
insert into tools.marketplace_cart (organization_id, tool_id, item_type) values (:'team', tests.tools_id(2), 'TOOL');
insert into tools.marketplace_cart (organization_id, bundle_id, item_type) values (:'team', tests.tools_id(21), 'BUNDLE');
select throws_ok(format('select * from tools.checkout_with_credits(%L)', :'team'), 'PT402',
  'credits: 700 more credits needed (1000 available, the cart costs 1700)', 'too few credits: PT402 names the shortfall');
select tests.clear_authentication();
select is((select count(*)::int from tools.marketplace_purchases where organization_id = :'team'), 0, 'and no purchase is left behind');
select is(pg_temp.balance(), 1000, 'nor any credit spent');
select is(tests.probe('stranger', format('select * from tools.checkout_with_credits(%L)', :'team')), '42501',
  'a stranger cannot pay for the account');
select is(tests.probe('owner', format('select * from tools.checkout_with_credits(%L)', :'team')), '22023',
  'an empty cart (the owner''s) is refused');

select private.credit_apply(:'team', 'credits', 1000, 'grant', 'tools-test-grant-2') is not null as granted \gset
select tests.authenticate_as('member');
select results_eq(format('select purchase_type::text, amount, payment_method::text, payment_status::text, status::text from tools.checkout_with_credits(%L) order by amount', :'team'),
  $$ values ('TOOL', 5.00::numeric, 'PLATFORM_CREDITS', 'COMPLETED', 'ACTIVE'), ('BUNDLE', 12.00, 'PLATFORM_CREDITS', 'COMPLETED', 'ACTIVE') $$,
  'with enough credits the cart is bought and active at once');
select tests.clear_authentication();
select pg_temp.purchase_of(21) as p21, pg_temp.purchase_of(2) as p2 \gset
select is(pg_temp.balance(), 300, '1,700 credits (price_amount * 100) debited');
select is((select amount from public.credit_transactions where account_id = :'team' and type = 'usage'), -1700,
  'as one ledger row');
select is((select count(*)::int from tools.marketplace_cart where user_id = :'member'), 0, 'the cart is empty');
select ok(tools.may_use_tool(:'team', tests.tools_id(2)) and tools.may_use_tool(:'team', tests.tools_id(13)), 'the tools are usable');

-- ---------------------------------------------------------------- credit refunds
select is(tests.probe('owner', format('select tools.refund_purchase(%L)', :'p21')), '42501',
  'an account owner cannot refund');
select tests.authenticate_as('platform_admin');
select is((tools.refund_purchase(:'p21')).status::text, 'REFUNDED', 'a platform admin refunds the bundle');
select tests.clear_authentication();
select is(pg_temp.balance(), 1500, 'its 1,200 credits go back to the ledger');
select is(tools.may_use_tool(:'team', tests.tools_id(13)), false, 'and the bundle''s tools are no longer usable');
select tests.authenticate_as('platform_admin');
select throws_ok(format('select tools.refund_purchase(%L)', :'p21'), 'PT409', null, 'a refund happens once');
select throws_ok(format('select tools.refund_purchase(%L)', '00000000-0000-4000-a620-999999999999'), 'PT404', null,
  'an unknown purchase is not found');
select tests.clear_authentication();
select is_empty($$ select * from private.credit_invariant_violations() $$, 'the ledger stays exact');

-- ---------------------------------------------------------------- invoices
select tests.authenticate_as('owner');
insert into tools.marketplace_cart (organization_id, tool_id, item_type) values (:'team', tests.tools_id(3), 'TOOL');
select is(tests.probe('member', format('select * from tools.checkout_by_invoice(%L)', :'team')), '42501',
  'a plain member cannot order by invoice');
select tests.authenticate_as('owner');
select results_eq(format('select payment_method::text, payment_status::text, amount from tools.checkout_by_invoice(%L)', :'team'),
  $$ values ('INVOICE', 'PENDING', 50.00::numeric) $$, 'an owner orders by invoice: PENDING');
select is((select count(*)::int from tools.marketplace_cart where user_id = tests.get_supabase_uid('owner')), 0,
  'the ordered lines leave the cart');
select throws_ok(format('insert into tools.marketplace_cart (organization_id, tool_id, item_type) values (%L, %L, ''TOOL'')', :'team', tests.tools_id(3)),
  'PT409', 'tool_id: "Annual" is on an invoice awaiting payment', 'an item on an unpaid invoice cannot be added again');
select is(tools.may_use_tool(:'team', tests.tools_id(3)), false, 'an unpaid invoice gives no access');
select pg_temp.purchase_of(3) as p3, (select checkout_ref from tools.marketplace_purchases where id = :'p2') as credits_ref \gset
select (select checkout_ref from tools.marketplace_purchases where id = :'p3') as invoice_ref \gset
select is(tests.probe('owner', format('select tools.mark_invoice_paid(%L)', :'invoice_ref')), '42501', 'an owner cannot mark it paid');
select tests.authenticate_as('platform_admin');
select is(tools.mark_invoice_paid(:'invoice_ref'), 1, 'a platform admin marks the invoice paid');
select is(tools.mark_invoice_paid(:'invoice_ref'), 0, 'once');
select throws_ok(format('select tools.mark_invoice_paid(%L)', :'credits_ref'),
  'PT409', 'checkout_ref: not an invoice checkout', 'a credits checkout is not an invoice');
select tests.clear_authentication();
select ok((select subscription_end > now() + interval '364 days' from tools.marketplace_purchases where id = :'p3'),
  'the paid ANNUAL tool runs a year');

-- ---------------------------------------------------------------- cancellation
select is(tests.probe('member', format('select tools.cancel_purchase(%L)', :'p2')), '42501',
  'a plain member cannot cancel');
select is(tests.probe('rival', format('select tools.cancel_purchase(%L)', :'p2')), 'PT404',
  'another account''s purchase is not found');
select tests.authenticate_as('admin');
select is((tools.cancel_purchase(:'p2')).status::text, 'CANCELLED', 'an admin cancels the monthly tool');
select is(tools.may_use_tool(:'team', tests.tools_id(2)), true, 'a cancelled subscription runs to its period end');
select throws_ok(format('select tools.cancel_purchase(%L)', :'p2'), 'PT409', null, 'cancelling twice is a state conflict');
select tests.clear_authentication();
insert into tools.marketplace_purchases (organization_id, user_id, tool_id, purchase_type, amount, payment_method, payment_status, activated_at)
values (:'team', :'member', tests.tools_id(13), 'TOOL', 8, 'CREDIT_CARD', 'COMPLETED', now());
select tests.authenticate_as('owner');
select is((tools.cancel_purchase(pg_temp.purchase_of(13))).status::text, 'CANCELLED', 'an owner cancels a one-time purchase');
select is(tools.may_use_tool(:'team', tests.tools_id(13)), false, 'which ends its access at once');
select tests.clear_authentication();

-- ---------------------------------------------------------------- expiry and renewal
update tools.marketplace_purchases set subscription_start = now() - interval '2 years', subscription_end = now() - interval '1 minute'
where id in (:'p3', :'p2');
select is(tools.may_use_tool(:'team', tests.tools_id(3)), false, 'past its end a subscription gives no access, even before the job runs');
select is(private.tools_expire_purchases(), 1, 'the expiry job expires the active subscription past its end');
select results_eq(format('select status::text from tools.marketplace_purchases where id in (%L, %L) order by tool_id', :'p2', :'p3'),
  $$ values ('CANCELLED'), ('EXPIRED') $$, 'EXPIRED; the cancelled one stays CANCELLED');
select is(private.tools_expire_purchases(), 0, 'and nothing twice');
select ok(exists (select 1 from cron.job where jobname = 'tools-expire-purchases' and command = 'select private.tools_expire_purchases()'),
  'the job is scheduled on pg_cron');
select ok(not has_function_privilege('service_role', 'private.tools_expire_purchases()', 'execute'), 'only pg_cron runs it');
select is(tests.probe('owner', format('select private.tools_renew_purchase(%L, now() + interval ''1 year'')', :'p3')), '42501',
  'clients cannot renew');
select tests.authenticate_as_service_role();
select is((private.tools_renew_purchase(:'p3', now() + interval '1 year')).status::text, 'ACTIVE',
  'the webhook renews an expired subscription');
select is(tools.may_use_tool(:'team', tests.tools_id(3)), true, 'and access is back');
select throws_ok(format('select private.tools_renew_purchase(%L, now() - interval ''1 day'')', :'p3'), '22023', null,
  'a renewal must move the end forward');
select throws_ok(format('select private.tools_renew_purchase(%L, now() + interval ''1 year'')', :'p2'), 'PT409', null,
  'a cancelled subscription does not renew');

-- ---------------------------------------------------------------- metered use, counters
select tests.authenticate_as('member');
select throws_ok(format('select tools.record_tool_use(%L, %L)', :'team', tests.tools_id(10)), 'PT402', null,
  'a tool the account may not use cannot be used');
insert into tools.marketplace_cart (organization_id, tool_id, item_type) values (:'team', tests.tools_id(10), 'TOOL');
select is((select amount from tools.checkout_with_credits(:'team')), 0.00::numeric, 'taking a USAGE_BASED tool costs nothing');
select is(tools.record_tool_use(:'team', tests.tools_id(10)) + tools.record_tool_use(:'team', tests.tools_id(10)), 3,
  'each use counts on the purchase (1, then 2)');
select results_eq(format($$ select units, billable, amount from public.usage_events where account_id = %L and feature = 'tools.usage' $$, :'team'),
  $$ values (50, true, 0.5000::numeric), (50, true, 0.5000) $$, 'each use is metered as tools.usage and billed its 0.50');
select is(tools.record_tool_use(:'team', tests.tools_id(5)), 0, 'a tool included by tier is used without a purchase or a bill');
select tests.authenticate_as('platform_admin');
select throws_ok(format('update tools.marketplace_tools set purchase_count = 99 where id = %L', tests.tools_id(2)), '42501', null,
  'purchase_count cannot be written, not even by a platform admin');

select * from finish();
rollback;
