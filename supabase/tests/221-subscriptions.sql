-- public.subscriptions and private.billing_upsert_subscription.
--   * every member of the account reads its subscriptions (and platform
--     admins, service_role); strangers and anon see nothing;
--   * nobody writes subscriptions directly, not even service_role (42501);
--     the webhooks call private.billing_upsert_subscription;
--   * an event older than the state already applied is ignored;
--   * one live (trialing/active/past_due/paused) subscription per account
--     and product: a new one supersedes (cancels) the previous;
--   * accounts.billing_status follows the account's best subscription;
--   * price, currency and credits come from the catalogue;
--   * a cancellation tells the account's owners and admins.

begin;
select plan(30);

select tests.billing_data() as acme \gset
select id as solo_id from public.plans where code = 'reports_solo' \gset
select id as team_id from public.plans where code = 'reports_team' \gset
select id as homes_pro_id from public.plans where code = 'homes_pro' \gset

select format($q$ select 1 from public.subscriptions where account_id = %L $q$, :'acme') as read_sql,
       format($q$ insert into public.subscriptions (account_id, plan_id, product, provider, status) values (%L, %L, 'reports', 'manual', 'canceled') $q$, :'acme', :'solo_id') as insert_sql,
       format($q$ update public.subscriptions set status = 'active', current_period_end = now() + interval '10 years' where account_id = %L $q$, :'acme') as update_sql,
       format($q$ delete from public.subscriptions where account_id = %L $q$, :'acme') as delete_sql \gset

-- ---------------------------------------------------------------- who may do what
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'anon can neither read nor write subscriptions');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'a stranger sees no subscription and writes none');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'the owner reads the subscription but cannot write it');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'another member reads the subscription but cannot write it');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'an account admin reads the subscription but cannot write it');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'a platform admin reads every subscription but writes none');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'service_role reads but writes only through the billing functions');

-- ---------------------------------------------------------------- from the catalogue
select results_eq(
  format($q$ select product, status::text, price, currency::text, credits_per_period, auto_renew, provider_customer_id
            from public.subscriptions where account_id = %L $q$, :'acme'),
  $$ values ('reports'::text, 'active'::text, 29.00::numeric, 'USD'::text, 0, true, 'cus_b_acme'::text) $$,
  'a new subscription takes product, price and currency from its plan');
select is((select billing_status from public.accounts where id = :'acme'), 'active',
  'accounts.billing_status follows the live subscription');

-- ---------------------------------------------------------------- ordering
select results_eq(
  $$ select (r).applied, ((r).subscription).status::text
     from private.billing_upsert_subscription('stripe', 'sub_b_acme', null, null, 'past_due', now()) r $$,
  $$ values (true, 'past_due'::text) $$,
  'a newer event is applied (the plan and account are kept when not given)');
select is((select billing_status from public.accounts where id = :'acme'), 'past_due',
  'billing_status follows to past_due');
select results_eq(
  $$ select (r).applied, ((r).subscription).status::text
     from private.billing_upsert_subscription('stripe', 'sub_b_acme', null, null, 'active', now() - interval '30 minutes') r $$,
  $$ values (false, 'past_due'::text) $$,
  'an event older than the applied state is ignored');
select is((select status::text from public.subscriptions where provider_subscription_id = 'sub_b_acme'), 'past_due',
  'the late older event changed nothing');
select results_eq(
  $$ select (r).applied, ((r).subscription).status::text, ((r).subscription).provider_state_at = now() + interval '1 minute'
     from private.billing_upsert_subscription('stripe', 'sub_b_acme', null, null, 'active', now() + interval '1 minute') r $$,
  $$ values (true, 'active'::text, true) $$,
  'the next newer event is applied and becomes the reference time');

-- ---------------------------------------------------------------- one live subscription per product
select results_eq(
  format($q$ select ((r).subscription).status::text, ((r).subscription).price
            from private.billing_upsert_subscription('stripe', 'sub_b_acme_team', %L, %L, 'active', now()) r $q$,
         :'acme', :'team_id'),
  $$ values ('active'::text, 99.00::numeric) $$,
  'an upgrade arrives as a new subscription');
select results_eq(
  $$ select status::text, canceled_at is not null from public.subscriptions where provider_subscription_id = 'sub_b_acme' $$,
  $$ values ('canceled'::text, true) $$,
  'the new live subscription supersedes (cancels) the previous one in the product');
select is((select count(*)::int from public.subscriptions
           where account_id = :'acme' and product = 'reports' and status in ('trialing', 'active', 'past_due', 'paused')), 1,
  'exactly one live subscription per account and product');
select throws_ok(
  format($q$ insert into public.subscriptions (account_id, plan_id, provider, status) values (%L, %L, 'manual', 'active') $q$, :'acme', :'solo_id'),
  '23505', null, 'even the database owner cannot add a second live subscription in a product');
select results_eq(
  format($q$ select ((r).subscription).product, ((r).subscription).price
            from private.billing_upsert_subscription('stripe', 'sub_b_acme_homes', %L, %L, 'trialing', now(), 'year') r $q$,
         :'acme', :'homes_pro_id'),
  $$ values ('homes'::text, 290.00::numeric) $$,
  'a subscription in another product lives beside it, priced per interval (annual price)');
select is((select count(*)::int from public.subscriptions where account_id = :'acme' and status in ('active', 'trialing')), 2,
  'live subscriptions in different products coexist');

-- ---------------------------------------------------------------- cancellation
select lives_ok($$ select private.billing_upsert_subscription('stripe', 'sub_b_acme_team', null, null, 'canceled', now() + interval '2 minutes') $$,
  'a cancellation event is applied');
select results_eq(
  $$ select status::text, auto_renew, canceled_at is not null from public.subscriptions where provider_subscription_id = 'sub_b_acme_team' $$,
  $$ values ('canceled'::text, false, true) $$,
  'a canceled subscription no longer renews and records when it was canceled');
select results_eq(
  format($q$ select u.who, count(n.id)::int from (values ('owner'), ('admin'), ('member')) u(who)
            left join public.notifications n on n.user_id = tests.get_supabase_uid(u.who)
              and n.type = 'subscription_canceled' and n.account_id = %L
            group by u.who order by u.who $q$, :'acme'),
  $$ values ('admin'::text, 1), ('member', 0), ('owner', 1) $$,
  'the cancellation is announced to owners and admins, not to plain members');
select is((select billing_status from public.accounts where id = :'acme'), 'trialing',
  'billing_status falls back to the best remaining subscription (the homes trial)');
select lives_ok($$ select private.billing_upsert_subscription('stripe', 'sub_b_acme_homes', null, null, 'canceled', now() + interval '3 minutes') $$,
  'the trial is canceled too');
select is((select billing_status from public.accounts where id = :'acme'), 'canceled',
  'with no live subscription billing_status is canceled');

-- ---------------------------------------------------------------- bad input
select throws_ok($$ select private.billing_upsert_subscription('stripe', null, null, null, 'active', now()) $$,
  '22023', null, 'a subscription needs the provider''s id (22023)');
select throws_ok(format($q$ select private.billing_upsert_subscription('stripe', 'sub_b_unknown_plan', %L, null, 'active', now()) $q$, :'acme'),
  '22023', null, 'a new subscription needs a known plan (22023)');
select throws_ok(format($q$ select private.billing_upsert_subscription('stripe', 'sub_b_no_account', null, %L, 'active', now()) $q$, :'solo_id'),
  '22023', null, 'a new subscription needs an account (22023)');

-- ---------------------------------------------------------------- audit
select isnt_empty(format($q$ select 1 from public.audit_log where resource_type = 'public.subscriptions' and account_id = %L $q$, :'acme'),
  'subscription changes are audited');

select * from finish();
rollback;
