-- private.refund_usage: a use whose action did not deliver is given back.
--   * the units return to the period's counter, so the allowance can be used
--     again; the event stays, marked refunded with its reason;
--   * once per key: a second refund changes nothing; an unknown key is null;
--   * only the backend refunds (service_role); members read the mark.

begin;
select plan(10);

select tests.billing_data() as acme \gset
select tests.get_supabase_uid('stranger') as solo_acct \gset

-- stranger's personal account: reports_free, 5 market reports a month.
select tests.authenticate_as_service_role();
select private.record_usage(:'solo_acct', 'reports.market_report', 3, 'r-free-1') is not null as used_3 \gset
select private.record_usage(:'solo_acct', 'reports.market_report', 2, 'r-free-2') is not null as used_5 \gset
select throws_ok(format($q$ select private.record_usage(%L, 'reports.market_report', 1, 'r-free-3') $q$, :'solo_acct'),
  'PT402', null, 'the allowance is used up');

select results_eq(
  format($q$ select units, refunded_at is not null, refund_reason from private.refund_usage(%L, 'r-free-2', 'render failed') $q$, :'solo_acct'),
  $$ values (2, true, 'render failed'::text) $$,
  'a refund marks the use refunded, with why');
select is((select used from public.usage_counters where account_id = :'solo_acct' and feature = 'reports.market_report'), 3,
  'its units are back in the allowance');
select lives_ok(format($q$ select private.record_usage(%L, 'reports.market_report', 2, 'r-free-4') $q$, :'solo_acct'),
  'so two more reports fit in the quota');
select is((select refund_reason from private.refund_usage(:'solo_acct', 'r-free-2', 'again')), 'render failed',
  'a second refund of the same key changes nothing');
select is((select used from public.usage_counters where account_id = :'solo_acct' and feature = 'reports.market_report'), 5,
  'and gives nothing back twice');
select ok((select id from private.refund_usage(:'solo_acct', 'never-recorded', 'x')) is null,
  'an unknown key refunds nothing (null, not an error)');
select is((select count(*)::int from public.usage_events where account_id = :'solo_acct' and idempotency_key = 'r-free-2'), 1,
  'the refunded event is kept');
select tests.clear_authentication();

select is(tests.probe('stranger', format($q$ select private.refund_usage(%L, 'r-free-1', 'mine') $q$, :'solo_acct')), '42501',
  'a user cannot refund her own usage');
select tests.authenticate_as('stranger');
select is((select count(*)::int from public.usage_events where idempotency_key = 'r-free-2' and refunded_at is not null), 1,
  'the account reads that the use was refunded');
select tests.clear_authentication();

select * from finish();
rollback;
