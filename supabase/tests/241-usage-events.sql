-- public.usage_events and private.record_usage.
--   * every member of the account reads its usage events (and platform
--     admins, service_role); strangers see nothing; anon is refused;
--   * nobody writes usage events directly, not even service_role (42501);
--   * record_usage counts within the plan's allowance (the live
--     subscription's plan, else the product's free plan), refuses past it
--     with PT402 unless the plan sells overage, which is recorded billable
--     and priced; unlimited plans never refuse; a repeated key records once.

begin;
select plan(24);

select tests.billing_data() as acme \gset
select tests.get_supabase_uid('stranger') as solo_acct \gset
select id as agency_id from public.plans where code = 'homes_agency' \gset
select id as free_id from public.plans where code = 'reports_free' \gset

select format($q$ select 1 from public.usage_events where account_id = %L $q$, :'acme') as read_sql,
       format($q$ insert into public.usage_events (account_id, feature, billable, period_start, idempotency_key) values (%L, 'reports.sms', false, now(), 'b-direct') $q$, :'acme') as insert_sql,
       format($q$ update public.usage_events set billable = false, amount = 0 where account_id = %L $q$, :'acme') as update_sql,
       format($q$ delete from public.usage_events where account_id = %L $q$, :'acme') as delete_sql \gset

-- ---------------------------------------------------------------- who may do what
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'anon can neither read nor write usage events');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'a stranger sees no usage events and writes none');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'the owner reads usage events but cannot write them');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'another member reads usage events but cannot write them');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'an account admin reads usage events but cannot write them');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'a platform admin reads every usage event but writes none');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'service_role reads but writes only through record_usage');

-- ---------------------------------------------------------------- free plan allowance
-- stranger's personal account has no Reports subscription: reports_free, 5 market reports a month.
select tests.authenticate_as_service_role();
select id as use_1 from private.record_usage(:'solo_acct', 'reports.market_report', 3, 'b-free-1', :'solo_acct') \gset
select results_eq(
  format($q$ select units, billable, amount, plan_id, period_start, user_id from public.usage_events where id = %L $q$, :'use_1'),
  format($q$ values (3, false, 0::numeric, %L::uuid, date_trunc('month', now() at time zone 'UTC') at time zone 'UTC', %L::uuid) $q$, :'free_id', :'solo_acct'),
  'usage within the free allowance is included, on the free plan, in the calendar month');
select is((select id from private.record_usage(:'solo_acct', 'reports.market_report', 3, 'b-free-1')), :'use_1'::bigint,
  'a repeated key returns the recorded use');
select lives_ok(format($q$ select private.record_usage(%L, 'reports.market_report', 2, 'b-free-2') $q$, :'solo_acct'),
  'the allowance can be used up exactly (3 + 2 = 5)');
select throws_ok(format($q$ select private.record_usage(%L, 'reports.market_report', 1, 'b-free-3') $q$, :'solo_acct'),
  'PT402', 'the reports.market_report allowance of 5 per period is used up', 'past the free quota, record_usage refuses with PT402');
select is((select id from private.record_usage(:'solo_acct', 'reports.market_report', 3, 'b-free-1')), :'use_1'::bigint,
  'a retried key that was recorded still returns its row past the quota');
select is((select used from public.usage_counters where account_id = :'solo_acct' and feature = 'reports.market_report'), 5,
  'the counter holds 5: repeats and refusals are not counted');
select throws_ok(format($q$ select private.record_usage(%L, 'reports.sms', 1, 'b-free-sms') $q$, :'solo_acct'),
  'PT402', null, 'a zero quota (free SMS) refuses the first use');
select throws_ok(format($q$ select private.record_usage(%L, 'quicksell.advanced_analytics', 1, 'b-free-analytics') $q$, :'solo_acct'),
  'PT402', null, 'a feature the plan does not include is refused');
select throws_ok(format($q$ select private.record_usage(%L, 'reports.property_report', 0, 'b-free-zero') $q$, :'solo_acct'),
  '22023', null, 'zero units are refused (22023)');

-- ---------------------------------------------------------------- overage (reports_solo: 50, then 0.50 each)
select lives_ok(format($q$ select private.record_usage(%L, 'reports.market_report', 48, 'b-solo-1') $q$, :'acme'),
  'team-a uses 49 of its 50 included reports');
select results_eq(
  format($q$ select units, billable, unit_price, amount, currency::text from private.record_usage(%L, 'reports.market_report', 3, 'b-solo-2') $q$, :'acme'),
  $$ values (3, true, 0.5000::numeric, 1.0000::numeric, 'USD'::text) $$,
  'a use crossing the allowance is billable for the 2 units over it');
select results_eq(
  format($q$ select billable, amount from private.record_usage(%L, 'reports.market_report', 1, 'b-solo-3') $q$, :'acme'),
  $$ values (true, 0.5000::numeric) $$,
  'every further unit is billable overage');
select results_eq(
  format($q$ select used, period_start from public.usage_counters where account_id = %L and feature = 'reports.market_report' $q$, :'acme'),
  $$ select 53, current_period_start from public.subscriptions where provider_subscription_id = 'sub_b_acme' $$,
  'overage is counted too, in the subscription''s period');
select throws_ok(format($q$ select private.record_usage(%L, 'reports.sms', 51, 'b-solo-sms') $q$, :'acme'),
  'PT402', null, 'without priced overage (SMS on solo) the allowance is a hard limit');

-- ---------------------------------------------------------------- unlimited
select lives_ok(format($q$ select private.billing_upsert_subscription('stripe', 'sub_b_acme_agency', %L, %L, 'active', now()) $q$, :'acme', :'agency_id'),
  'team-a subscribes to Homes Agency (unlimited valuations)');
select results_eq(
  format($q$ select units, billable, amount from private.record_usage(%L, 'homes.valuation', 1000, 'b-agency-1') $q$, :'acme'),
  $$ values (1000, false, 0::numeric) $$,
  'an unlimited plan never refuses and never bills');
select tests.clear_authentication();
select is((select count(*)::int from public.usage_events where account_id = :'acme' and idempotency_key like 'b-%'), 5,
  'one usage event per recorded key');

select * from finish();
rollback;
