-- Demo billing: subscriptions on both providers, payments, refunds, ledger
-- history, metered use and provider events (loaded after 000_platform.sql).

begin;

-- ------------------------------------------------------------ billing
-- Built through the same functions the webhooks call, so the demo rows obey
-- every billing rule (credits granted once per payment, ledger = balances).
do $$
declare
  acme constant uuid := '10000000-0000-4000-8000-000000000001';
  harbor constant uuid := '10000000-0000-4000-8000-000000000002';
  northwind constant uuid := '10000000-0000-4000-8000-000000000003';
  heidi constant uuid := '00000000-0000-4000-8000-000000000008';
  v_sub public.subscriptions;
  v_pay public.payments;
  v_res public.credit_reservations;
begin
  -- Acme: Studio Pro on PayFast (token), two paid months: 2 x 400 credits.
  select (r).subscription.* into v_sub from private.billing_upsert_subscription(
    'payfast', 'pf-token-acme-demo', acme, (select id from public.plans where code = 'studio_pro'), 'active',
    now() - interval '35 days', 'month', now() - interval '5 days', now() + interval '25 days', false, 'pf-cust-acme') r;
  perform private.billing_record_payment('payfast', 'pf-demo-1001', acme, 'subscription', 799.00, 'ZAR', 'succeeded',
    v_sub.plan_id, null, v_sub.id, null, 'Studio Pro (month 1)');
  perform private.billing_record_payment('payfast', 'pf-demo-1002', acme, 'subscription', 799.00, 'ZAR', 'succeeded',
    v_sub.plan_id, null, v_sub.id, null, 'Studio Pro (month 2)');

  -- Harbor: Reports Team on Stripe, one invoice paid, one failed.
  select (r).subscription.* into v_sub from private.billing_upsert_subscription(
    'stripe', 'sub_demo_harbor', harbor, (select id from public.plans where code = 'reports_team'), 'past_due',
    now() - interval '2 days', 'month', now() - interval '3 days', now() + interval '27 days', false, 'cus_demo_harbor') r;
  perform private.billing_record_payment('stripe', 'in_demo_harbor_1', harbor, 'subscription', 99.00, 'USD', 'succeeded',
    v_sub.plan_id, null, v_sub.id, null, 'Reports Team');
  perform private.billing_record_payment('stripe', 'in_demo_harbor_2', harbor, 'subscription', 99.00, 'USD', 'failed',
    v_sub.plan_id, null, v_sub.id, null, 'Reports Team', 'card_declined');

  -- Northwind: Homes Pro on Stripe, canceled at period end.
  perform private.billing_upsert_subscription(
    'stripe', 'sub_demo_northwind', northwind, (select id from public.plans where code = 'homes_pro'), 'active',
    now() - interval '1 day', 'year', now() - interval '200 days', now() + interval '165 days', true, 'cus_demo_northwind');

  -- Top-ups: Harbor buys SMS credits; Heidi buys Studio credits and gets half refunded.
  v_pay := private.billing_record_payment('stripe', 'pi_demo_harbor_sms', harbor, 'credit_pack', 15.00, 'USD', 'succeeded',
    null, (select id from public.credit_packs where code = 'reports_sms_500'), null, null, '500 SMS credits');
  v_pay := private.billing_record_payment('stripe', 'pi_demo_harbor_sms_2', harbor, 'credit_pack', 15.00, 'USD', 'succeeded',
    null, (select id from public.credit_packs where code = 'reports_sms_500'), null, null, '500 SMS credits (duplicate order)');
  perform private.billing_record_refund('stripe', 're_demo_harbor_1', v_pay.id, 15.00, 'duplicate');
  v_pay := private.billing_record_payment('payfast', 'pf-demo-2001', heidi, 'credit_pack', 599.00, 'ZAR', 'succeeded',
    null, (select id from public.credit_packs where code = 'studio_credits_500'), null, null, '500 Studio credits');
  perform private.billing_record_refund('payfast', 'pf-refund-demo-1', v_pay.id, 299.50, 'requested_by_customer');

  -- Ledger history: spends, a captured and a released reservation.
  perform private.credit_apply(acme, 'credits', -40, 'usage', 'demo-usage-1', 'photo edits');
  v_res := private.credit_reserve(acme, 'credits', 25, 'demo-reserve-1', 'video render', 'demo-job-1');
  perform private.credit_capture(v_res.id, 20);
  v_res := private.credit_reserve(acme, 'credits', 10, 'demo-reserve-2', 'photo edit', 'demo-job-2');
  perform private.credit_release(v_res.id);
  perform private.credit_reserve(heidi, 'credits', 15, 'demo-reserve-3', 'photo edit', 'demo-job-3', interval '10 minutes');
  perform private.credit_apply(harbor, 'sms', -12, 'usage', 'demo-sms-1', 'report alerts');
  perform private.credit_apply('00000000-0000-4000-8000-000000000010', 'credits', 25, 'grant', 'demo-grant-judy', 'welcome credits');

  -- Metered use against plan allowances.
  perform private.record_usage(harbor, 'reports.market_report', 3, 'demo-report-1', '00000000-0000-4000-8000-000000000005');
  perform private.record_usage(acme, 'reports.market_report', 2, 'demo-report-2', '00000000-0000-4000-8000-000000000002');
  perform private.record_usage(northwind, 'homes.valuation', 4, 'demo-valuation-1', '00000000-0000-4000-8000-000000000007');

  -- Provider events as the webhooks would have logged them.
  perform private.billing_finish_event(e.billing_event_id, 'processed', null, harbor)
  from private.billing_record_event('stripe', 'evt_demo_1', 'invoice.paid', '{"id":"evt_demo_1","type":"invoice.paid"}', true, now() - interval '3 days') e;
  perform private.billing_finish_event(e.billing_event_id, 'processed', null, harbor)
  from private.billing_record_event('stripe', 'evt_demo_2', 'invoice.payment_failed', '{"id":"evt_demo_2"}', true, now() - interval '2 days') e;
  perform private.billing_finish_event(e.billing_event_id, 'ignored', 'unknown event type', null)
  from private.billing_record_event('stripe', 'evt_demo_3', 'customer.created', '{"id":"evt_demo_3"}', true, now() - interval '4 days') e;
  perform private.billing_finish_event(e.billing_event_id, 'processed', null, acme)
  from private.billing_record_event('payfast', 'pf-demo-1002:COMPLETE', 'itn.COMPLETE', '{"pf_payment_id":"pf-demo-1002"}', true, now() - interval '5 days') e;
  perform private.billing_finish_event(e.billing_event_id, 'processed', null, acme)
  from private.billing_record_event('payfast', 'pf-demo-1001:COMPLETE', 'itn.COMPLETE', '{"pf_payment_id":"pf-demo-1001"}', true, now() - interval '35 days') e;
  perform private.billing_record_event('stripe', null, 'unknown', '{"forged":true}', false, null, '203.0.113.7', 'invalid signature');
end
$$;

commit;

-- Queued, finished and dead jobs of two accounts (the shared job queue).
begin;
select count(*) from private.enqueue_job('homes.valuation', '{"demo": true}',
  '10000000-0000-4000-8000-000000000003', 'demo-job-queued');
do $$
declare
  v_job public.jobs;
begin
  perform private.enqueue_job('studio.ai_job', '{"demo": true}', '10000000-0000-4000-8000-000000000001', 'demo-job-done');
  perform private.enqueue_job('studio.ai_job', '{"demo": true}', '00000000-0000-4000-8000-000000000008', 'demo-job-dead', now(), 1);
  for v_job in select * from private.claim_jobs('studio.ai_job', 'demo-worker', 10) loop
    if v_job.idempotency_key = 'demo-job-done' then
      perform private.complete_job(v_job.id, 'demo-worker', '{"demo": "done"}');
    else
      perform private.fail_job(v_job.id, 'demo-worker', 'demo: provider unavailable');
    end if;
  end loop;
end
$$;
commit;
