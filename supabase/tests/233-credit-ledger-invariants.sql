-- The credit ledger's invariants, step by step on one account:
--   balance = sum(ledger) and held = sum(open holds) for every pool
--   (private.credit_invariant_violations() is empty), and
--   balance - held >= 0, after grants, spends, repeated keys, holds, a
--   partial capture, a release, an expiry, a pack purchase and its refund.
-- And the check itself: it names a balance that disagrees with its ledger.

begin;
select plan(21);

select tests.billing_data() as acme \gset
select tests.get_supabase_uid('stranger') as acct \gset
select id as pack_id from public.credit_packs where code = 'tools_credits_1000' \gset

create temp view ledger_state as
  select b.pool, b.balance, b.held, (select sum(t.amount)::int from public.credit_transactions t
                                     where t.account_id = b.account_id and t.pool = b.pool) as ledger_sum
  from public.credit_balances b where b.account_id = :'acct';

select is_empty($$ select * from private.credit_invariant_violations() $$, 'the ledger adds up before anything happens');

select private.credit_apply(:'acct', 'credits', 100, 'grant', 'inv-grant-1') is not null as ok \gset
select private.credit_apply(:'acct', 'sms', 50, 'grant', 'inv-grant-sms') is not null as ok \gset
select results_eq($$ select pool, balance, held, ledger_sum from ledger_state order by pool $$,
  $$ values ('credits'::text, 100, 0, 100), ('sms', 50, 0, 50) $$, 'grants: each pool has its own balance, equal to its ledger');
select is_empty($$ select * from private.credit_invariant_violations() $$, 'after the grants');

select public.spend_credits(:'acct', 30, 'inv-spend-1') is not null as ok \gset
select public.spend_credits(:'acct', 30, 'inv-spend-1') is not null as ok \gset
select public.spend_credits(:'acct', 5, 'inv-spend-sms', null, 'sms') is not null as ok \gset
select results_eq($$ select pool, balance, held, ledger_sum from ledger_state order by pool $$,
  $$ values ('credits'::text, 70, 0, 70), ('sms', 45, 0, 45) $$, 'spends (one key repeated) come off their pool once');
select is_empty($$ select * from private.credit_invariant_violations() $$, 'after the spends');

select id as hold_1 from private.credit_reserve(:'acct', 'credits', 20, 'inv-hold-1') \gset
select id as hold_2 from private.credit_reserve(:'acct', 'credits', 15, 'inv-hold-2') \gset
select results_eq($$ select balance, held, ledger_sum from ledger_state where pool = 'credits' $$,
  $$ values (70, 35, 70) $$, 'holds raise held and leave the ledger alone');
select is_empty($$ select * from private.credit_invariant_violations() $$, 'after the holds');

select private.credit_capture(:'hold_1', 12) is not null as ok \gset
select results_eq($$ select balance, held, ledger_sum from ledger_state where pool = 'credits' $$,
  $$ values (58, 15, 58) $$, 'a partial capture spends what was used and frees the rest');
select is_empty($$ select * from private.credit_invariant_violations() $$, 'after the partial capture');

select private.credit_release(:'hold_2') is not null as ok \gset
select results_eq($$ select balance, held, ledger_sum from ledger_state where pool = 'credits' $$,
  $$ values (58, 0, 58) $$, 'a release frees the hold');
select is_empty($$ select * from private.credit_invariant_violations() $$, 'after the release');

select id as hold_3 from private.credit_reserve(:'acct', 'credits', 10, 'inv-hold-3') \gset
update public.credit_reservations set expires_at = now() - interval '1 second' where id = :'hold_3';
select private.expire_credit_reservations() >= 1 as ok \gset
select results_eq($$ select balance, held, ledger_sum from ledger_state where pool = 'credits' $$,
  $$ values (58, 0, 58) $$, 'an expired hold is freed');
select is_empty($$ select * from private.credit_invariant_violations() $$, 'after the expiry');

select id as pack_payment from private.billing_record_payment('stripe', 'pi_inv_pack', :'acct', 'credit_pack', 10.00, 'USD', 'succeeded', null, :'pack_id') \gset
select private.billing_record_refund('stripe', 're_inv_pack', :'pack_payment', 5.00) is not null as ok \gset
select results_eq($$ select balance, held, ledger_sum from ledger_state where pool = 'credits' $$,
  $$ values (558, 0, 558) $$, 'a pack purchase adds 1,000 and its half refund takes back 500');
select is_empty($$ select * from private.credit_invariant_violations() $$, 'after the purchase and refund');

select throws_ok(format($q$ select public.spend_credits(%L, 559, 'inv-overdraw') $q$, :'acct'), 'PT402', null,
  'an overdraft is refused');
select results_eq($$ select balance, held, ledger_sum from ledger_state where pool = 'credits' $$,
  $$ values (558, 0, 558) $$, 'and changes nothing');
select is_empty(format($q$ select 1 from public.credit_transactions where account_id = %L and balance_after < 0 $q$, :'acct'),
  'no ledger row ever records a negative balance');
select is((select sum(amount)::int from public.credit_transactions where account_id = :'acct' and pool = 'credits'),
  (select balance_after from public.credit_transactions where account_id = :'acct' and idempotency_key = 'refund:' ||
     (select id from public.refunds where provider_ref = 're_inv_pack')),
  'the last row''s balance_after is the running sum of the ledger');

-- ---------------------------------------------------------------- the check catches corruption
update public.credit_balances set balance = balance + 1 where account_id = :'acct' and pool = 'credits';
select results_eq(
  $$ select account_id, pool, balance, ledger_sum::int from private.credit_invariant_violations() $$,
  format($q$ values (%L::uuid, 'credits'::text, 559, 558) $q$, :'acct'),
  'a balance that disagrees with its ledger is reported');
update public.credit_balances set balance = balance - 1, held = 5 where account_id = :'acct' and pool = 'credits';
select results_eq(
  $$ select pool, held, open_holds::int from private.credit_invariant_violations() $$,
  $$ values ('credits'::text, 5, 0) $$,
  'held credits without an open hold are reported');

select * from finish();
rollback;
