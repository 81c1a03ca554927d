-- public.usage_counters: units of a feature used per account and period.
--   * every member of the account reads its counters (and platform admins,
--     service_role); strangers see nothing; anon is refused;
--   * nobody writes counters directly, not even service_role (42501):
--     private.record_usage keeps them, one row per account, feature and
--     period.

begin;
select plan(10);

select tests.billing_data() as acme \gset

select format($q$ select 1 from public.usage_counters where account_id = %L $q$, :'acme') as read_sql,
       format($q$ insert into public.usage_counters (account_id, feature, period_start) values (%L, 'reports.sms', now()) $q$, :'acme') as insert_sql,
       format($q$ update public.usage_counters set used = 0 where account_id = %L $q$, :'acme') as update_sql,
       format($q$ delete from public.usage_counters where account_id = %L $q$, :'acme') as delete_sql \gset

-- ---------------------------------------------------------------- who may do what
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'anon can neither read nor write usage counters');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'a stranger sees no usage counters and writes none');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'the owner reads usage but cannot reset it');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'another member reads usage but cannot reset it');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'an account admin reads usage but cannot reset it');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'a platform admin reads every counter but writes none');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'service_role reads but writes only through record_usage');

-- ---------------------------------------------------------------- the counter
select results_eq(
  format($q$ select feature, used, period_start from public.usage_counters where account_id = %L $q$, :'acme'),
  format($q$ values ('reports.market_report'::text, 1, (select current_period_start from public.subscriptions where provider_subscription_id = 'sub_b_acme')) $q$),
  'usage is counted in the subscription''s current period');
select lives_ok(format($q$ select private.record_usage(%L, 'reports.market_report', 4, 'b-usage-2') $q$, :'acme'),
  'more usage is recorded');
select is((select count(*)::int from public.usage_counters where account_id = :'acme' and feature = 'reports.market_report'), 1,
  'one counter row per account, feature and period');

select * from finish();
rollback;
