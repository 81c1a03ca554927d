-- public.refunds and private.billing_record_refund.
--   * read by the account's owners and admins (and platform admins,
--     service_role); plain members, strangers and anon see nothing;
--   * nobody writes refunds directly, not even service_role (42501);
--   * a refund is recorded once per provider reference;
--   * refunds never exceed the payment (22023); non-positive amounts are
--     refused (22023), unknown payments are not found (PT404);
--   * a credit pack refund claws back its share of the credits, but only
--     what is still available: the balance never goes negative.

begin;
select plan(23);

select tests.billing_data() as acme \gset
select id as pack_payment from public.payments where provider_ref = 'pi_b_acme_pack' \gset
select id as sub_payment from public.payments where provider_ref = 'in_b_acme_1' \gset

select format($q$ select 1 from public.refunds where account_id = %L $q$, :'acme') as read_sql,
       format($q$ insert into public.refunds (payment_id, account_id, amount, currency, provider, provider_ref) values (%L, %L, 1, 'USD', 'manual', 're_b_x') $q$, :'pack_payment', :'acme') as insert_sql,
       format($q$ update public.refunds set amount = 10 where account_id = %L $q$, :'acme') as update_sql,
       format($q$ delete from public.refunds where account_id = %L $q$, :'acme') as delete_sql \gset

-- ---------------------------------------------------------------- who may do what
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'anon can neither read nor write refunds');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'a stranger sees no refunds and writes none');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'the owner reads refunds but cannot write them');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'a plain member does not see refunds');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'an account admin reads refunds but cannot write them');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'a platform admin reads every refund but writes none');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'service_role reads but writes only through the billing functions');

-- ---------------------------------------------------------------- partial refunds
select results_eq(
  format($q$ select status::text, amount_refunded from public.payments where id = %L $q$, :'pack_payment'),
  $$ values ('partially_refunded'::text, 1.00::numeric) $$,
  'a 1.00 refund of a 10.00 pack leaves it partially refunded');
select results_eq(
  format($q$ select amount, type::text, balance_after from public.credit_transactions where payment_id = %L order by amount desc $q$, :'pack_payment'),
  $$ values (1000, 'purchase'::text, 1000), (-100, 'refund'::text, 900) $$,
  'and claws back its share of the credits (10% of 1,000)');

select tests.authenticate_as_service_role();
select id as refund_2 from private.billing_record_refund('stripe', 're_b_acme_2', :'pack_payment', 4.00, 'requested_by_customer') \gset
select is((select balance from public.credit_balances where account_id = :'acme' and pool = 'credits'), 500,
  'a further 4.00 refund claws back 400 credits');
select is((select id from private.billing_record_refund('stripe', 're_b_acme_2', :'pack_payment', 4.00, 'requested_by_customer')),
  :'refund_2'::uuid, 'a redelivered refund returns the refund already recorded');
select is((select count(*)::int from public.credit_transactions where payment_id = :'pack_payment' and type = 'refund'), 2,
  'a redelivered refund claws back nothing more');
select is((select amount_refunded from public.payments where id = :'pack_payment'), 5.00::numeric,
  'the payment counts 5.00 refunded');

-- ---------------------------------------------------------------- refused refunds
select throws_ok(format($q$ select private.billing_record_refund('stripe', 're_b_over', %L, 6.00) $q$, :'pack_payment'),
  '22023', null, 'refunds beyond the payment are refused (22023)');
select throws_ok(format($q$ select private.billing_record_refund('stripe', 're_b_zero', %L, 0) $q$, :'pack_payment'),
  '22023', null, 'a zero refund is refused (22023)');
select throws_ok(format($q$ select private.billing_record_refund('stripe', 're_b_negative', %L, -1.00) $q$, :'pack_payment'),
  '22023', null, 'a negative refund is refused (22023)');
select throws_ok($$ select private.billing_record_refund('stripe', 're_b_ghost', gen_random_uuid(), 1.00) $$,
  'PT404', null, 'a refund of an unknown payment is not found (PT404)');

-- ---------------------------------------------------------------- never negative
-- Spend most of what is left: 500 - 10 held - 450 spent = 40 available.
select lives_ok(format($q$ select public.spend_credits(%L, 450, 'b-spend-before-refund') $q$, :'acme'),
  'the account spends most of its credits');
select lives_ok(format($q$ select private.billing_record_refund('stripe', 're_b_acme_3', %L, 5.00, 'chargeback') $q$, :'pack_payment'),
  'the rest of the payment is refunded although its credits are mostly spent');
select results_eq(
  format($q$ select b.balance, b.held, p.status::text, p.amount_refunded
            from public.credit_balances b, public.payments p where b.account_id = %L and b.pool = 'credits' and p.id = %L $q$,
         :'acme', :'pack_payment'),
  $$ values (10, 10, 'refunded'::text, 10.00::numeric) $$,
  'only the 40 available credits are clawed back (held credits stay held, nothing goes negative) and the payment is refunded');
select lives_ok(format($q$ select private.billing_record_refund('stripe', 're_b_acme_sub', %L, 29.00) $q$, :'sub_payment'),
  'a subscription payment can be refunded');
select results_eq(
  format($q$ select status::text, amount_refunded from public.payments where id = %L $q$, :'sub_payment'),
  $$ values ('refunded'::text, 29.00::numeric) $$,
  'and is then refunded in full');
select tests.clear_authentication();
select is_empty($$ select * from private.credit_invariant_violations() $$, 'the ledger still adds up after the refunds');

select * from finish();
rollback;
