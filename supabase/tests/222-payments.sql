-- public.payments, private.billing_begin_checkout and
-- private.billing_record_payment.
--   * read by the account's owners and admins (and platform admins,
--     service_role); plain members, strangers and anon see nothing;
--   * nobody writes payments directly, not even service_role (42501);
--   * only owners and admins open a checkout (42501 for members and
--     strangers); it is priced from the catalogue; unknown or free items
--     are refused (22023);
--   * a provider confirmation must match the pending order's amount and
--     currency (22023);
--   * the first success grants what was bought exactly once: a pack's
--     credits, or a subscription period's credits for every paid period;
--   * a second paid period is announced as a renewal, a failure as
--     payment_failed; a late failure never undoes a success.

begin;
select plan(38);

select tests.billing_data() as acme \gset
select tests.get_supabase_uid('owner') as owner_uid, tests.get_supabase_uid('admin') as admin_uid,
       tests.get_supabase_uid('member') as member_uid, tests.get_supabase_uid('stranger') as stranger_uid \gset
select id as pack_id from public.credit_packs where code = 'tools_credits_1000' \gset
select id as solo_id from public.plans where code = 'reports_solo' \gset
select id as studio_pro_id from public.plans where code = 'studio_pro' \gset

select format($q$ select 1 from public.payments where account_id = %L $q$, :'acme') as read_sql,
       format($q$ insert into public.payments (account_id, purpose, amount, currency, provider, status) values (%L, 'marketplace', 1, 'USD', 'manual', 'succeeded') $q$, :'acme') as insert_sql,
       format($q$ update public.payments set status = 'succeeded', amount_refunded = 0 where account_id = %L $q$, :'acme') as update_sql,
       format($q$ delete from public.payments where account_id = %L $q$, :'acme') as delete_sql \gset

-- ---------------------------------------------------------------- who may do what
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'anon can neither read nor write payments');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'a stranger sees no payments and writes none');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert 42501, update 42501, delete 42501', 'the owner reads the account''s payments but cannot write them');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'a plain member does not see payments');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert 42501, update 42501, delete 42501', 'an account admin reads payments but cannot write them');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert 42501, update 42501, delete 42501', 'a platform admin reads every payment but writes none');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert 42501, update 42501, delete 42501', 'service_role reads but writes only through the billing functions');

-- ---------------------------------------------------------------- begin_checkout
select tests.authenticate_as_service_role();
select results_eq(
  format($q$ select purpose, amount, currency::text, status::text, provider::text, checkout_ref is not null, provider_ref is null
            from private.billing_begin_checkout(%L, %L, 'credit_pack', 'tools_credits_1000', 'stripe') $q$, :'acme', :'owner_uid'),
  $$ values ('credit_pack'::text, 10.00::numeric, 'USD'::text, 'pending'::text, 'stripe'::text, true, true) $$,
  'the owner opens a checkout for a pack, priced from the catalogue, pending');
select results_eq(
  format($q$ select purpose, amount, billing_interval::text from private.billing_begin_checkout(%L, %L, 'plan', 'reports_team', 'stripe', 'year') $q$,
         :'acme', :'admin_uid'),
  $$ values ('subscription'::text, 990.00::numeric, 'year'::text) $$,
  'an admin opens a checkout for a plan, at the annual price for a yearly interval');
select throws_ok(format($q$ select private.billing_begin_checkout(%L, %L, 'credit_pack', 'tools_credits_1000', 'stripe') $q$, :'acme', :'member_uid'),
  '42501', null, 'a plain member cannot buy for the account (42501)');
select throws_ok(format($q$ select private.billing_begin_checkout(%L, %L, 'credit_pack', 'tools_credits_1000', 'stripe') $q$, :'acme', :'stranger_uid'),
  '42501', null, 'a stranger cannot buy for the account (42501)');
select throws_ok(format($q$ select private.billing_begin_checkout(%L, %L, 'plan', 'no_such_plan', 'stripe') $q$, :'acme', :'owner_uid'),
  '22023', null, 'an unknown plan is refused (22023)');
select throws_ok(format($q$ select private.billing_begin_checkout(%L, %L, 'plan', 'reports_free', 'stripe') $q$, :'acme', :'owner_uid'),
  '22023', null, 'a free plan cannot be bought (22023)');
select throws_ok(format($q$ select private.billing_begin_checkout(%L, %L, 'credit_pack', 'no_such_pack', 'stripe') $q$, :'acme', :'owner_uid'),
  '22023', null, 'an unknown credit pack is refused (22023)');
select throws_ok(format($q$ select private.billing_begin_checkout(%L, %L, 'gift_card', 'tools_credits_1000', 'stripe') $q$, :'acme', :'owner_uid'),
  '22023', null, 'only plans and credit packs are sold (22023)');
select tests.clear_authentication();

-- ---------------------------------------------------------------- completing a checkout
select id as checkout_id, checkout_ref from private.billing_begin_checkout(:'acme', :'owner_uid', 'credit_pack', 'tools_credits_1000', 'stripe') \gset
select tests.authenticate_as_service_role();
select throws_ok(
  format($q$ select private.billing_record_payment('stripe', 'pi_b_checkout', %L, 'credit_pack', 9.00, 'usd', 'succeeded', null, %L, null, %L) $q$,
         :'acme', :'pack_id', :'checkout_ref'),
  '22023', null, 'a confirmation for another amount than the pending order is refused (22023)');
select throws_ok(
  format($q$ select private.billing_record_payment('stripe', 'pi_b_checkout', %L, 'credit_pack', 10.00, 'eur', 'succeeded', null, %L, null, %L) $q$,
         :'acme', :'pack_id', :'checkout_ref'),
  '22023', null, 'a confirmation in another currency is refused (22023)');
select results_eq(
  format($q$ select id, status::text, provider_ref, processed_at is not null
            from private.billing_record_payment('stripe', 'pi_b_checkout', %L, 'credit_pack', 10.00, 'usd', 'succeeded', null, %L, null, %L) $q$,
         :'acme', :'pack_id', :'checkout_ref'),
  format($q$ values (%L::uuid, 'succeeded'::text, 'pi_b_checkout'::text, true) $q$, :'checkout_id'),
  'a matching confirmation completes the pending payment and records the provider''s reference');
select results_eq(
  format($q$ select balance, held from public.credit_balances where account_id = %L and pool = 'credits' $q$, :'acme'),
  $$ values (1900, 10) $$,
  'the pack''s 1,000 credits are granted (900 + 1000)');
select lives_ok(
  format($q$ select private.billing_record_payment('stripe', 'pi_b_checkout', %L, 'credit_pack', 10.00, 'usd', 'succeeded', null, %L, null, %L) $q$,
         :'acme', :'pack_id', :'checkout_ref'),
  'a redelivered confirmation is accepted');
select is((select count(*)::int from public.credit_transactions where payment_id = :'checkout_id'), 1,
  'a redelivered confirmation grants nothing more (one ledger row per payment)');
select is((select count(*)::int from public.notifications where type = 'payment_success' and data ->> 'payment_id' = :'checkout_id'), 2,
  'the purchase is announced once, to the owner and the admin');
select is((select status::text from private.billing_record_payment('stripe', 'pi_b_checkout', :'acme', 'credit_pack', null, 'usd', 'failed')),
  'succeeded', 'a late failure never undoes a success');
select tests.clear_authentication();
select is((select balance from public.credit_balances where account_id = :'acme' and pool = 'credits'), 1900,
  'the balance is still 1900 after the redeliveries');

-- ---------------------------------------------------------------- subscription credits per paid period
select (r.subscription).id as studio_sub
from private.billing_upsert_subscription('payfast', 'pf_sub_b', :'acme', :'studio_pro_id', 'active', now()) r \gset
select results_eq(
  format($q$ select status::text, amount, currency::text
            from private.billing_record_payment('payfast', 'pf-b-1', %L, 'subscription', 799.00, 'ZAR', 'succeeded', %L, null, %L) $q$,
         :'acme', :'studio_pro_id', :'studio_sub'),
  $$ values ('succeeded'::text, 799.00::numeric, 'ZAR'::text) $$,
  'the first subscription payment is recorded');
select is((select count(*)::int from public.notifications n join public.payments p on p.id::text = n.data ->> 'payment_id'
           where p.provider_ref = 'pf-b-1' and n.type = 'payment_success'), 2,
  'the first period is announced as a payment, to owner and admin');
select lives_ok(
  format($q$ select private.billing_record_payment('payfast', 'pf-b-2', %L, 'subscription', 799.00, 'ZAR', 'succeeded', %L, null, %L) $q$,
         :'acme', :'studio_pro_id', :'studio_sub'),
  'the second period is paid');
select is((select count(*)::int from public.notifications n join public.payments p on p.id::text = n.data ->> 'payment_id'
           where p.provider_ref = 'pf-b-2' and n.type = 'subscription_renewal'), 2,
  'the second paid period is announced as a renewal');
select lives_ok(
  format($q$ select private.billing_record_payment('payfast', 'pf-b-2', %L, 'subscription', 799.00, 'ZAR', 'succeeded', %L, null, %L) $q$,
         :'acme', :'studio_pro_id', :'studio_sub'),
  'the second period''s confirmation is redelivered');
select results_eq(
  format($q$ select amount, type::text from public.credit_transactions where subscription_id = %L order by payment_id $q$, :'studio_sub'),
  $$ values (400, 'subscription'::text), (400, 'subscription'::text) $$,
  'each paid period grants the plan''s 400 credits once, linked to the subscription');
select is((select balance from public.credit_balances where account_id = :'acme' and pool = 'credits'), 2700,
  'the balance grew by exactly 2 x 400');

-- ---------------------------------------------------------------- failures
select results_eq(
  format($q$ select status::text, failure_reason from private.billing_record_payment('stripe', 'in_b_failed', %L, 'subscription', 29.00, 'USD', 'failed',
            %L, null, null, null, null, 'card_declined') $q$, :'acme', :'solo_id'),
  $$ values ('failed'::text, 'card_declined'::text) $$,
  'a failed payment is recorded with its reason');
select lives_ok(
  format($q$ select private.billing_record_payment('stripe', 'in_b_failed', %L, 'subscription', 29.00, 'USD', 'failed',
            %L, null, null, null, null, 'card_declined') $q$, :'acme', :'solo_id'),
  'the failure is redelivered');
select results_eq(
  $$ select u.who, count(n.id)::int from (values ('owner'), ('admin'), ('member')) u(who)
     left join public.notifications n on n.user_id = tests.get_supabase_uid(u.who) and n.type = 'payment_failed'
     group by u.who order by u.who $$,
  $$ values ('admin'::text, 1), ('member', 0), ('owner', 1) $$,
  'a failure is announced once, to owners and admins only');

-- ---------------------------------------------------------------- bad input and audit
select throws_ok(format($q$ select private.billing_record_payment('stripe', null, %L, 'credit_pack', 10, 'USD', 'succeeded', null, %L) $q$, :'acme', :'pack_id'),
  '22023', null, 'a payment needs a provider or checkout reference (22023)');
select throws_ok(format($q$ select private.billing_record_payment('stripe', 'pi_b_orphan', null, 'credit_pack', 10, 'USD', 'succeeded', null, %L) $q$, :'pack_id'),
  '22023', null, 'a new payment needs an account (22023)');
select isnt_empty(format($q$ select 1 from public.audit_log where resource_type = 'public.payments' and account_id = %L $q$, :'acme'),
  'payments are audited');
select is_empty($$ select * from private.credit_invariant_violations() $$, 'the ledger still adds up');

select * from finish();
rollback;
