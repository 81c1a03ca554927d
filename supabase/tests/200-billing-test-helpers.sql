-- Billing rows for the billing pgTAP files (200-299), on top of the shared
-- cast of 000-setup-test-helpers.sql (tests.fixture(); the access matrix is
-- tests.probe / tests.rights from the same file).
--
-- Like 000-setup-test-helpers.sql, the function is created OUTSIDE the
-- rolled-back transaction so the files that follow can use it; every
-- statement is idempotent.
--
--   tests.billing_data() -> uuid (the team account 'team-a')
--       the shared cast (owner, admin, member of team-a; stranger;
--       platform_admin; rival of team-b) plus one row of billing state of
--       each kind in team-a, all written through the private billing
--       functions exactly as the webhooks write them:
--       team-a holds: subscription sub_b_acme (reports_solo, active,
--       customer cus_b_acme), a paid subscription invoice in_b_acme_1, a paid
--       1,000-credit pack pi_b_acme_pack refunded by 1.00 (re_b_acme_1, so
--       100 credits clawed back), provider event evt_b_acme_1, a 10-credit
--       hold b-hold-1 and one metered market report b-usage-1 (by owner).
--       Ledger rows: +1000 purchase, -100 refund (balance 900, held 10).

set client_min_messages = warning;

create schema if not exists tests;

create or replace function tests.billing_data()
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_acme uuid;
  v_solo uuid := (select p.id from public.plans p where p.code = 'reports_solo');
  v_pack uuid := (select c.id from public.credit_packs c where c.code = 'tools_credits_1000');
  v_sub public.subscriptions;
  v_pay public.payments;
  v_event uuid;
begin
  v_acme := tests.fixture();

  select (r.subscription).* into v_sub from private.billing_upsert_subscription(
    'stripe', 'sub_b_acme', v_acme, v_solo, 'active', now() - interval '1 hour', 'month',
    now() - interval '1 day', now() + interval '29 days', false, 'cus_b_acme') r;
  perform private.billing_record_payment('stripe', 'in_b_acme_1', v_acme, 'subscription', 29.00, 'USD', 'succeeded',
    v_solo, null, v_sub.id);
  v_pay := private.billing_record_payment('stripe', 'pi_b_acme_pack', v_acme, 'credit_pack', 10.00, 'USD', 'succeeded',
    null, v_pack);
  perform private.billing_record_refund('stripe', 're_b_acme_1', v_pay.id, 1.00, 'requested_by_customer');
  select e.billing_event_id into v_event
  from private.billing_record_event('stripe', 'evt_b_acme_1', 'checkout.session.completed',
                                    '{"id": "evt_b_acme_1"}', true, now()) e;
  perform private.billing_finish_event(v_event, 'processed', null, v_acme);
  perform private.credit_reserve(v_acme, 'credits', 10, 'b-hold-1', 'render', 'b-job-1');
  perform private.record_usage(v_acme, 'reports.market_report', 1, 'b-usage-1', tests.get_supabase_uid('owner'));
  return v_acme;
end;
$$;

grant usage on schema tests to anon, authenticated, service_role;
revoke execute on function tests.billing_data() from public, anon, authenticated, service_role;

begin;
select plan(4);

select has_function('tests', 'billing_data', 'tests.billing_data() exists');
select tests.billing_data() as acme \gset
select is(:'acme'::uuid, tests.account_id('team-a'), 'the billing rows belong to the shared cast''s team-a');
select results_eq(
  format($q$ select balance, held from public.credit_balances where account_id = %L and pool = 'credits' $q$, :'acme'),
  $$ values (900, 10) $$, 'team-a: 1,000 bought, 100 clawed back by the refund, 10 held');
select is_empty($$ select * from private.credit_invariant_violations() $$, 'the fixture leaves the ledger exact');

select * from finish();
rollback;
