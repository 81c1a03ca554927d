-- tools checkout by card/ACH, the SQL the `checkout` function and the Stripe
-- webhook call (service_role only): begin (one PENDING purchase per cart
-- line, priced from the catalogue, idempotent per ref, empty cart refused,
-- lines re-checked), complete (exactly once, `<payment id>:<n>`, periods,
-- cart emptied, purchase_count), fail, and refund of a Stripe payment.

begin;
select plan(37);

select tests.tools_data() as team \gset
select tests.get_supabase_uid('member') as member \gset
select tests.get_supabase_uid('stranger') as stranger \gset

-- ---------------------------------------------------------------- who may call
select is(tests.probe('anon', format($$ select private.tools_checkout_begin(%L, %L, 'CREDIT_CARD', 'x') $$, :'team', :'member')),
  '42501', 'anon may not begin a checkout');
select is(tests.probe('member', format($$ select private.tools_checkout_begin(%L, %L, 'CREDIT_CARD', 'x') $$, :'team', :'member')),
  '42501', 'a member may not call the service_role checkout directly');
select is(tests.probe('owner', $$ select private.tools_checkout_complete('x', 'pi', null) $$), '42501',
  'an owner may not complete a checkout');
select is(tests.probe('owner', $$ select private.tools_refund_payment('pi') $$), '42501', 'an owner may not refund');

-- ---------------------------------------------------------------- begin
select tests.authenticate_as_service_role();
select throws_ok(format($$ select * from private.tools_checkout_begin(%L, %L, 'CREDIT_CARD', 'cs_empty') $$, :'team', :'member'),
  '22023', 'cart: the cart is empty', 'an empty cart is refused');
select throws_ok(format($$ select * from private.tools_checkout_begin(%L, %L, 'CREDIT_CARD', 'cs_x') $$, :'team', :'stranger'),
  '42501', null, 'a user outside the account cannot check out for it');
select throws_ok(format($$ select * from private.tools_checkout_begin(%L, %L, 'CREDIT_CARD', '') $$, :'team', :'member'),
  '22023', null, 'an empty checkout ref is refused');

select tests.authenticate_as('member');
insert into tools.marketplace_cart (organization_id, tool_id, item_type) values (:'team', tests.tools_id(2), 'TOOL');
insert into tools.marketplace_cart (organization_id, bundle_id, item_type) values (:'team', tests.tools_id(21), 'BUNDLE');

select tests.authenticate_as_service_role();
create temp table first_begin as
  select * from private.tools_checkout_begin(:'team', :'member', 'CREDIT_CARD', 'cs_1');
select results_eq($$ select item_type, item_id, name, amount, currency, price_model::text from first_begin order by amount $$,
  format($$ values ('TOOL', %L::uuid, 'Monthly', 5.00::numeric, 'USD', 'MONTHLY'),
                   ('BUNDLE', %L::uuid, 'Pair', 12.00::numeric, 'USD', 'ONE_TIME') $$, tests.tools_id(2), tests.tools_id(21)),
  'one line per cart item, priced from the catalogue; a bundle is ONE_TIME');
select results_eq(
  format($$ select purchase_id from private.tools_checkout_begin(%L, %L, 'CREDIT_CARD', 'cs_1') order by 1 $$, :'team', :'member'),
  $$ select purchase_id from first_begin order by 1 $$,
  'a second begin with the same ref returns the same purchases');
select is((select count(*)::int from tools.marketplace_purchases where checkout_ref = 'cs_1'), 2, 'and creates no more');
select results_eq($$ select distinct payment_status::text, status::text, payment_method::text from tools.marketplace_purchases where checkout_ref = 'cs_1' $$,
  $$ values ('PENDING', 'ACTIVE', 'CREDIT_CARD') $$, 'the purchases wait for payment');
select is((select is_subscription from tools.marketplace_purchases where checkout_ref = 'cs_1' and tool_id = tests.tools_id(2)), true,
  'a MONTHLY tool is a subscription');
select is(tools.may_use_tool(:'team', tests.tools_id(2)), false, 'a pending purchase gives no access');
select throws_ok(format($$ select * from private.tools_checkout_begin(%L, %L, 'CREDIT_CARD', 'cs_1') $$, :'team', tests.get_supabase_uid('owner')),
  'PT409', 'checkout_ref: already used by another checkout', 'a ref belongs to one account, user and method');

-- ---------------------------------------------------------------- complete
select is(private.tools_checkout_complete('cs_1', 'pi_1', 'in_1'), 2, 'completing activates both lines');
select results_eq($$ select stripe_payment_id, stripe_invoice_id from tools.marketplace_purchases where checkout_ref = 'cs_1' order by created_at, id $$,
  $$ values ('pi_1:1'::varchar, 'in_1'::varchar), ('pi_1:2', 'in_1') $$, 'each line stores <payment id>:<n> and the invoice');
select results_eq($$ select distinct payment_status::text, status::text, activated_at is not null from tools.marketplace_purchases where checkout_ref = 'cs_1' $$,
  $$ values ('COMPLETED', 'ACTIVE', true) $$, 'COMPLETED, ACTIVE, activated');
select ok((select subscription_end between now() + interval '1 month' - interval '1 minute' and now() + interval '1 month'
           and subscription_start is not null
           from tools.marketplace_purchases where checkout_ref = 'cs_1' and tool_id = tests.tools_id(2)),
  'a MONTHLY purchase runs a month from activation');
select is((select subscription_end from tools.marketplace_purchases where checkout_ref = 'cs_1' and bundle_id is not null), null,
  'a one-time purchase has no end');
select is((select count(*)::int from tools.marketplace_cart where user_id = :'member'), 0, 'the paid lines leave the cart');
select results_eq(format($$ select (select purchase_count from tools.marketplace_tools where id = %L), (select purchase_count from tools.marketplace_bundles where id = %L) $$, tests.tools_id(2), tests.tools_id(21)),
  $$ values (1, 1) $$, 'purchase_count counts the activation of the tool and of the bundle');
select is(private.tools_checkout_complete('cs_1', 'pi_1', 'in_1'), 0, 'a repeated completion activates nothing');
select is((select purchase_count from tools.marketplace_tools where id = tests.tools_id(2)), 1, 'and counts nothing twice');
select is(tools.may_use_tool(:'team', tests.tools_id(2)), true, 'the bought tool is usable');
select is(tools.may_use_tool(:'team', tests.tools_id(12)), true, 'a tool of the bought bundle is usable');
select throws_ok($$ select private.tools_checkout_complete('cs_nope', 'pi_x', null) $$, 'PT404', null, 'an unknown ref is not found');

-- ---------------------------------------------------------------- fail
select tests.authenticate_as('member');
insert into tools.marketplace_cart (organization_id, tool_id, item_type) values (:'team', tests.tools_id(3), 'TOOL');
select tests.authenticate_as_service_role();
select is((select count(*)::int from private.tools_checkout_begin(:'team', :'member', 'ACH', 'cs_2')), 1, 'an ACH checkout begins');
select is(private.tools_checkout_fail('cs_2'), 1, 'a failed payment fails its purchases');
select results_eq($$ select payment_status::text, status::text from tools.marketplace_purchases where checkout_ref = 'cs_2' $$,
  $$ values ('FAILED', 'CANCELLED') $$, 'FAILED and nothing active');
select is(private.tools_checkout_complete('cs_2', 'pi_2', null), 0, 'a late completion of a failed checkout activates nothing');
select is(tools.may_use_tool(:'team', tests.tools_id(3)), false, 'the failed purchase gives no access');
select is((select count(*)::int from tools.marketplace_cart where user_id = :'member'), 1, 'the line stays in the cart to try again');

-- ---------------------------------------------------------------- lines are re-checked at checkout
select tests.clear_authentication();
select tests.tools_set_tier(:'team', 'starter');
select tests.authenticate_as('member');
insert into tools.marketplace_cart (organization_id, tool_id, item_type) values (:'team', tests.tools_id(1), 'TOOL');
select tests.clear_authentication();
select tests.tools_set_tier(:'team', 'free');
select tests.authenticate_as_service_role();
select throws_ok(format($$ select * from private.tools_checkout_begin(%L, %L, 'CREDIT_CARD', 'cs_3') $$, :'team', :'member'),
  'PT409', null, 'a line whose tier the account no longer has is refused at checkout');

-- ---------------------------------------------------------------- refund
select is(private.tools_refund_payment('pi_1'), 2, 'a Stripe refund refunds every purchase of the payment');
select results_eq($$ select distinct payment_status::text, status::text, refunded_at is not null from tools.marketplace_purchases where checkout_ref = 'cs_1' $$,
  $$ values ('REFUNDED', 'REFUNDED', true) $$, 'REFUNDED with refunded_at');
select ok(not tools.may_use_tool(:'team', tests.tools_id(2)) and not tools.may_use_tool(:'team', tests.tools_id(12)),
  'access ends with the refund');
select is(private.tools_refund_payment('pi_1') + private.tools_refund_payment('pi_unknown'), 0,
  'a repeated refund, or one of a payment that bought no tools, changes nothing');

select * from finish();
rollback;
