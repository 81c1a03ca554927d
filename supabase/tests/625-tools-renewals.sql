-- tools renewals: credit-paid MONTHLY / ANNUAL purchases renew on pg_cron
-- (one charge per period, the end moves by a month / a year); short credits
-- stop the renewal (auto_renew off, the admins are told) and the purchase
-- expires; cancelled and card-paid purchases never renew.

begin;
select plan(31);

select tests.tools_data() as team \gset
select tests.account_id('team-b') as team_b, tests.get_supabase_uid('rival') as rival \gset
select private.credit_apply(:'team', 'credits', 5500, 'grant', 'tools-renew-grant-1') is not null as granted \gset

create function pg_temp.balance(p_account uuid) returns integer language sql as $$
  select balance - held from public.credit_balances where account_id = p_account and pool = 'credits';
$$;
create function pg_temp.purchase_of(p_account uuid, n integer) returns uuid language sql as $$
  select id from tools.marketplace_purchases
  where organization_id = p_account and tool_id = tests.tools_id(n)
  order by created_at desc limit 1;
$$;
create function pg_temp.renewals_of(p_purchase uuid) returns integer language sql as $$
  select count(*)::int from public.credit_transactions where reference_id = p_purchase::text and idempotency_key like 'tools.renew:%';
$$;

-- ---------------------------------------------------------------- who auto-renews
select tests.authenticate_as('member');
insert into tools.marketplace_cart (organization_id, tool_id, item_type) values (:'team', tests.tools_id(2), 'TOOL');
insert into tools.marketplace_cart (organization_id, tool_id, item_type) values (:'team', tests.tools_id(3), 'TOOL');
select results_eq(format('select amount, auto_renew from tools.checkout_with_credits(%L) order by amount', :'team'),
  $$ values (5.00::numeric, true), (50.00, true) $$, 'MONTHLY and ANNUAL tools paid with credits auto-renew');
select tests.clear_authentication();
select pg_temp.purchase_of(:'team', 2) as p2, pg_temp.purchase_of(:'team', 3) as p3 \gset
select is(pg_temp.balance(:'team'), 0, 'the first periods cost 5,500 credits');

select tests.authenticate_as('rival');
insert into tools.marketplace_cart (organization_id, tool_id, item_type) values (:'team_b', tests.tools_id(2), 'TOOL');
select tests.authenticate_as_service_role();
select is((select count(*)::int from private.tools_checkout_begin(:'team_b', :'rival', 'CREDIT_CARD', 'cs_test_renew_1')), 1,
  'a card checkout starts');
select is(private.tools_checkout_complete('cs_test_renew_1', 'pi_test_renew_1', null), 1, 'and is paid');
select tests.clear_authentication();
select pg_temp.purchase_of(:'team_b', 2) as card \gset
select results_eq(format('select payment_status::text, is_subscription, auto_renew, subscription_end > now() + interval ''27 days'' from tools.marketplace_purchases where id = %L', :'card'),
  $$ values ('COMPLETED', true, false, true) $$, 'a card-paid MONTHLY tool runs one period and does not auto-renew');
update tools.marketplace_purchases set auto_renew = true where id = :'card';
select is((select auto_renew from tools.marketplace_purchases where id = :'card'), false,
  'auto_renew cannot be switched on for a purchase not paid with credits');

-- ---------------------------------------------------------------- renewal
select is(private.tools_renew_due_purchases(), 0, 'nothing is due a month ahead');
select is(pg_temp.balance(:'team'), 0, 'and nothing is charged');

select private.credit_apply(:'team', 'credits', 700, 'grant', 'tools-renew-grant-2') is not null as granted \gset
update tools.marketplace_purchases set subscription_start = now() - interval '1 month', subscription_end = now() + interval '30 minutes'
where id = :'p2';
select subscription_end as p2_end from tools.marketplace_purchases where id = :'p2' \gset
select is(private.tools_renew_due_purchases(), 1, 'a MONTHLY purchase ending within the hour is renewed');
select is(pg_temp.balance(:'team'), 200, 'its next period''s 500 credits (price_amount * 100) are debited');
select is((select subscription_end from tools.marketplace_purchases where id = :'p2'), :'p2_end'::timestamptz + interval '1 month',
  'its end moves on by one month');
select is((select status::text from tools.marketplace_purchases where id = :'p2'), 'ACTIVE', 'it stays ACTIVE');
select is(private.tools_renew_due_purchases(), 0, 'a second run in the same period renews nothing');
select is(pg_temp.balance(:'team'), 200, 'and charges nothing');
select is(pg_temp.renewals_of(:'p2'), 1, 'one renewal row in the ledger');

select private.credit_apply(:'team', 'credits', 4800, 'grant', 'tools-renew-grant-3') is not null as granted \gset
update tools.marketplace_purchases set subscription_start = now() - interval '1 year', subscription_end = now() + interval '10 minutes'
where id = :'p3';
select subscription_end as p3_end from tools.marketplace_purchases where id = :'p3' \gset
select is(private.tools_renew_due_purchases(), 1, 'an ANNUAL purchase ending within the hour is renewed');
select is((select subscription_end from tools.marketplace_purchases where id = :'p3'), :'p3_end'::timestamptz + interval '1 year',
  'its end moves on by one year');
select is(pg_temp.balance(:'team'), 0, 'for 5,000 credits');

-- ---------------------------------------------------------------- short credits
update tools.marketplace_purchases set subscription_end = now() + interval '20 minutes' where id = :'p2';
select is(private.tools_renew_due_purchases(), 0, 'with too few credits nothing is renewed');
select results_eq(format('select status::text, auto_renew, subscription_end < now() + interval ''1 hour'' from tools.marketplace_purchases where id = %L', :'p2'),
  $$ values ('ACTIVE', false, true) $$, 'the purchase keeps its end, and auto_renew is off');
select is(pg_temp.balance(:'team'), 0, 'no credit moves');
select results_eq(format($$ select u.email::text, n.product from public.notifications n join auth.users u on u.id = n.user_id
                           where n.account_id = %L and n.type = 'tools_renewal_failed' order by u.email $$, :'team'),
  format($$ select email::text, 'tools'::text from auth.users where id in (%L, %L) order by email $$,
         tests.get_supabase_uid('admin'), tests.get_supabase_uid('owner')),
  'the account''s owner and admin (not the plain member) are told');
update tools.marketplace_purchases set subscription_end = now() - interval '1 minute' where id = :'p2';
select private.credit_apply(:'team', 'credits', 500, 'grant', 'tools-renew-grant-4') is not null as granted \gset
select is(private.tools_renew_due_purchases(), 0, 'credits arriving later do not renew it');
select is(private.tools_expire_purchases(), 1, 'the expiry job expires it at its end');
select is((select status::text from tools.marketplace_purchases where id = :'p2'), 'EXPIRED', 'EXPIRED');

-- ---------------------------------------------------------------- cancelled, card
select private.credit_apply(:'team', 'credits', 5000, 'grant', 'tools-renew-grant-5') is not null as granted \gset
select tests.authenticate_as('admin');
select is((tools.cancel_purchase(:'p3')).auto_renew, false, 'cancelling turns auto_renew off');
select tests.clear_authentication();
update tools.marketplace_purchases set subscription_end = now() + interval '10 minutes' where id in (:'p3', :'card');
select private.credit_apply(:'team_b', 'credits', 1000, 'grant', 'tools-renew-grant-6') is not null as granted \gset
select is(private.tools_renew_due_purchases(), 0, 'neither a cancelled nor a card-paid purchase is renewed');
select ok(pg_temp.balance(:'team') = 5500 and pg_temp.balance(:'team_b') = 1000 and pg_temp.renewals_of(:'p3') = 1
          and pg_temp.renewals_of(:'card') = 0, 'and no one is charged');

-- ---------------------------------------------------------------- job, ledger
select ok(exists (select 1 from cron.job where jobname = 'tools-renew-purchases' and command = 'select private.tools_renew_due_purchases()'),
  'the renewal job is scheduled on pg_cron');
select ok(not has_function_privilege('service_role', 'private.tools_renew_due_purchases()', 'execute')
          and not has_function_privilege('authenticated', 'private.tools_renew_due_purchases()', 'execute'),
  'only pg_cron runs it');
select is_empty($$ select * from private.credit_invariant_violations() $$, 'the ledger stays exact');

select * from finish();
rollback;
