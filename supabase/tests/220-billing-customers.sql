-- public.billing_customers: an account's customer id at each provider.
--   * read by the account's owners and admins (and platform admins,
--     service_role); plain members, strangers and anon see nothing;
--   * nobody writes it directly, not even service_role (42501): rows come
--     from private.billing_upsert_subscription when a provider names the
--     customer, once per account and provider.

begin;
select plan(12);

select tests.billing_data() as acme \gset

select format($q$ select 1 from public.billing_customers where account_id = %L $q$, :'acme') as read_sql,
       format($q$ insert into public.billing_customers (account_id, provider, customer_ref) values (%L, 'payfast', 'pf_cus_b') $q$, :'acme') as insert_sql,
       format($q$ update public.billing_customers set customer_ref = 'cus_hijacked' where account_id = %L $q$, :'acme') as update_sql,
       format($q$ delete from public.billing_customers where account_id = %L $q$, :'acme') as delete_sql \gset

-- ---------------------------------------------------------------- who may do what
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'anon can neither read nor write billing customers');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'a stranger sees no customer ids and writes none');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'the account owner reads its customer id but cannot write it');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'a plain member does not see the customer id');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'an account admin reads the customer id but cannot write it');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'a platform admin reads every customer id but writes none');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'service_role reads but cannot write directly');

-- ---------------------------------------------------------------- written by billing
select results_eq(
  format($q$ select provider::text, customer_ref from public.billing_customers where account_id = %L $q$, :'acme'),
  $$ values ('stripe'::text, 'cus_b_acme'::text) $$,
  'the subscription event recorded the account''s Stripe customer');
select lives_ok(
  format($q$ select private.billing_upsert_subscription('stripe', 'sub_b_acme', %L, null, 'active', now(), 'month', null, null, false, 'cus_b_acme') $q$, :'acme'),
  'a later event naming the same customer is fine');
select is((select count(*)::int from public.billing_customers where account_id = :'acme'), 1,
  'the customer is stored once per account and provider');
select lives_ok(
  format($q$ select private.billing_upsert_subscription('stripe', 'sub_b_acme', %L, null, 'active', now(), 'month', null, null, false, 'cus_b_other') $q$, :'acme'),
  'an event naming another customer for the same account does not fail');
select is((select customer_ref from public.billing_customers where account_id = :'acme' and provider = 'stripe'), 'cus_b_acme',
  'the first customer id is kept');

select * from finish();
rollback;
