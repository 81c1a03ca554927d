-- public.credit_reservations: credits held for asynchronous work, and
-- private.credit_reserve / credit_capture / credit_release /
-- expire_credit_reservations.
--   * every member of the account reads its holds (and platform admins,
--     service_role); strangers see nothing; anon is refused;
--   * nobody writes holds directly, not even service_role (42501);
--   * a hold counts against what is available; holding more raises PT402;
--     the same key holds once; non-positive holds are refused (22023);
--   * capturing turns a hold into exactly one usage row for what was used
--     (at most the hold) and frees the rest; capturing twice returns the
--     first capture; capturing more than the hold is refused (22023);
--   * releasing frees a hold without touching the ledger; releasing after a
--     capture does nothing; capturing after a release raises PT409;
--   * stale holds expire (pg_cron runs expire_credit_reservations).

begin;
select plan(36);

select tests.billing_data() as acme \gset

select format($q$ select 1 from public.credit_reservations where account_id = %L $q$, :'acme') as read_sql,
       format($q$ insert into public.credit_reservations (account_id, amount, idempotency_key, expires_at) values (%L, 1, 'b-direct', now()) $q$, :'acme') as insert_sql,
       format($q$ update public.credit_reservations set status = 'released' where account_id = %L $q$, :'acme') as update_sql,
       format($q$ delete from public.credit_reservations where account_id = %L $q$, :'acme') as delete_sql \gset

-- ---------------------------------------------------------------- who may do what
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'anon can neither read nor write holds');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'a stranger sees no holds and writes none');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'the owner reads the holds but cannot write them');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'another member reads the holds but cannot write them');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'an account admin reads the holds but cannot write them');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'a platform admin reads every hold but writes none');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'service_role reads but writes only through the ledger functions');

-- ---------------------------------------------------------------- reserve
-- team-a: balance 900, 10 held (b-hold-1): 890 available.
select tests.authenticate_as_service_role();
select id as hold_a, status as hold_a_status, expires_at - created_at as hold_a_ttl
from private.credit_reserve(:'acme', 'credits', 100, 'b-hold-a', 'video render', 'job-a') \gset
select is(:'hold_a_status'::text, 'held', 'a reservation starts held');
select is(:'hold_a_ttl'::interval, interval '15 minutes', 'and expires after 15 minutes by default');
select results_eq(
  format($q$ select balance, held from public.credit_balances where account_id = %L and pool = 'credits' $q$, :'acme'),
  $$ values (900, 110) $$, 'a hold raises held, not the balance');
select is((select id from private.credit_reserve(:'acme', 'credits', 100, 'b-hold-a')), :'hold_a'::uuid,
  'the same key returns the same hold');
select is((select held from public.credit_balances where account_id = :'acme' and pool = 'credits'), 110,
  'and holds nothing more');
select throws_ok(format($q$ select private.credit_reserve(%L, 'credits', 791, 'b-hold-too-much') $q$, :'acme'),
  'PT402', null, 'holding more than is available (900 - 110 = 790) raises PT402');
select throws_ok(format($q$ select private.credit_reserve(%L, 'credits', 0, 'b-hold-zero') $q$, :'acme'),
  '22023', null, 'a zero hold is refused (22023)');
select throws_ok(format($q$ select private.credit_reserve(%L, 'credits', -5, 'b-hold-negative') $q$, :'acme'),
  '22023', null, 'a negative hold is refused (22023)');
select throws_ok(format($q$ select public.spend_credits(%L, 791, 'b-spend-over-holds') $q$, :'acme'),
  'PT402', null, 'a direct spend cannot use held credits (PT402)');

-- ---------------------------------------------------------------- capture
select id as capture_a from private.credit_capture(:'hold_a', 70) \gset
select results_eq(
  format($q$ select amount, type::text, reservation_id, reference_id, description from public.credit_transactions where id = %L $q$, :'capture_a'),
  format($q$ values (-70, 'usage'::text, %L::uuid, 'job-a'::text, 'video render'::text) $q$, :'hold_a'),
  'a partial capture writes one usage row for what was used, linked to the hold and the job');
select results_eq(
  format($q$ select status, captured_amount, settled_at is not null from public.credit_reservations where id = %L $q$, :'hold_a'),
  $$ values ('captured'::text, 70, true) $$, 'the hold is captured with the amount used');
select results_eq(
  format($q$ select balance, held from public.credit_balances where account_id = %L and pool = 'credits' $q$, :'acme'),
  $$ values (830, 10) $$, 'the 70 used leave the balance; the unused 30 are freed');
select is((select id from private.credit_capture(:'hold_a', 100)), :'capture_a'::uuid,
  'capturing twice returns the first capture');
select is((select count(*)::int from public.credit_transactions where reservation_id = :'hold_a'), 1,
  'a hold is captured into exactly one usage row');
select is((select status from private.credit_release(:'hold_a')), 'captured', 'releasing after a capture does nothing');
select results_eq(
  format($q$ select balance, held from public.credit_balances where account_id = %L and pool = 'credits' $q$, :'acme'),
  $$ values (830, 10) $$, 'the balance is unchanged by the second capture and the late release');

select id as hold_b from private.credit_reserve(:'acme', 'credits', 50, 'b-hold-b') \gset
select throws_ok(format($q$ select private.credit_capture(%L, 51) $q$, :'hold_b'),
  '22023', null, 'capturing more than was held is refused (22023)');
select ok((select private.credit_capture(:'hold_b', 0)) is null, 'capturing nothing returns no ledger row');
select results_eq(
  format($q$ select r.status, r.captured_amount, (select count(*)::int from public.credit_transactions t where t.reservation_id = r.id)
            from public.credit_reservations r where r.id = %L $q$, :'hold_b'),
  $$ values ('captured'::text, 0, 0) $$, 'a zero capture settles the hold with no usage row');

-- ---------------------------------------------------------------- release
select id as hold_c from private.credit_reserve(:'acme', 'credits', 40, 'b-hold-c') \gset
select is((select status from private.credit_release(:'hold_c')), 'released', 'a hold is released');
select is((select status from private.credit_release(:'hold_c')), 'released', 'releasing twice is harmless');
select results_eq(
  format($q$ select balance, held, (select count(*)::int from public.credit_transactions where reservation_id = %L)
            from public.credit_balances where account_id = %L and pool = 'credits' $q$, :'hold_c', :'acme'),
  $$ values (830, 10, 0) $$, 'a release frees the hold and writes nothing to the ledger');
select throws_ok(format($q$ select private.credit_capture(%L) $q$, :'hold_c'),
  'PT409', null, 'a released hold cannot be captured (PT409)');
select throws_ok($$ select private.credit_capture(gen_random_uuid()) $$, '22023', null, 'an unknown hold cannot be captured (22023)');

-- ---------------------------------------------------------------- expiry
select id as hold_d from private.credit_reserve(:'acme', 'credits', 25, 'b-hold-d', 'render', null, interval '1 minute') \gset
select tests.clear_authentication();
update public.credit_reservations set expires_at = now() - interval '1 second' where id = :'hold_d';
select cmp_ok(private.expire_credit_reservations(), '>=', 1, 'the expiry job finds the stale hold');
select results_eq(
  format($q$ select r.status, b.held from public.credit_reservations r join public.credit_balances b using (account_id, pool) where r.id = %L $q$, :'hold_d'),
  $$ values ('expired'::text, 10) $$, 'the stale hold is expired and its credits freed');
select throws_ok(format($q$ select private.credit_capture(%L) $q$, :'hold_d'),
  'PT409', null, 'an expired hold cannot be captured (PT409)');
select isnt_empty($$ select 1 from cron.job where jobname = 'expire-credit-reservations' and schedule = '* * * * *' $$,
  'pg_cron expires stale holds every minute');

select is_empty($$ select * from private.credit_invariant_violations() $$, 'balance = ledger and held = open holds after all of it');

select * from finish();
rollback;
