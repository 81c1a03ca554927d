-- Migration 20261201002000: body hash and size on billing_events, refunds
-- by running total under the payment lock, and replay claims.
--   * private.billing_begin_replay: service_role only (anon and authenticated
--     get 42501); the user it acts for must be a platform admin (42501);
--     unknown id PT404; rejected, duplicate, processed, ignored or currently
--     applying events PT409; a failed event is claimed once (received again,
--     one more attempt), and a second claim while it applies is PT409;
--   * private.billing_record_event stores the body's sha256 and size;
--   * private.billing_record_refunded_total records only what the running
--     total adds (an older or repeated total records nothing), never more
--     than the payment (22023), and claws back credits by the refunded share;
--   * private.billing_record_refund: unknown payment PT404, unpaid payment PT409.

begin;
select plan(24);

select tests.create_supabase_user('wh_buyer') as buyer \gset
select tests.create_supabase_user('wh_padmin') as padmin \gset
insert into public.platform_admins (user_id, note) values (:'padmin', 'webhook hardening test');

-- A paid 10.00 pack of 1,000 credits.
select checkout_ref as pack_ref, id as pack_payment, credit_pack_id as pack_id
from private.billing_begin_checkout(:'buyer', :'buyer', 'credit_pack', 'tools_credits_1000', 'stripe') \gset
select private.billing_record_payment('stripe', 'pi_wh_pack', :'buyer', 'credit_pack', 10.00, 'USD', 'succeeded', null,
  :'pack_id', null, :'pack_ref', null, null);
select id as pending_payment
from private.billing_begin_checkout(:'buyer', :'buyer', 'credit_pack', 'tools_credits_1000', 'stripe') \gset

-- Events in each state.
select billing_event_id as failed_evt from private.billing_record_event('stripe', 'evt_wh_failed', 'invoice.paid', '{"id": "evt_wh_failed"}', true,
  null, '203.0.113.5', null, repeat('a', 64), 21) \gset
select private.billing_finish_event(:'failed_evt', 'failed', 'subscription: not known yet');
select billing_event_id as done_evt from private.billing_record_event('stripe', 'evt_wh_done', 'invoice.paid', '{}', true) \gset
select private.billing_finish_event(:'done_evt', 'processed');
select billing_event_id as busy_evt from private.billing_record_event('stripe', 'evt_wh_busy', 'invoice.paid', '{}', true) \gset
select billing_event_id as rejected_evt from private.billing_record_event('payfast', null, 'unknown', '{"raw": "x"}', false,
  null, null, 'body: larger than 64 KiB', repeat('b', 64), 70000) \gset

-- ---------------------------------------------------------------- who may replay
select tests.authenticate_as_anon();
select throws_ok(format($q$ select private.billing_begin_replay(%L, %L) $q$, :'failed_evt', :'padmin'), '42501', null,
  'anon cannot claim a replay');
select tests.authenticate_as('wh_padmin');
select throws_ok(format($q$ select private.billing_begin_replay(%L, %L) $q$, :'failed_evt', :'padmin'), '42501', null,
  'not even a platform admin through the Data API: replays go through the billing-replay function');
select throws_ok(format($q$ select private.billing_record_refunded_total('stripe', 'ch_x:1', %L, 1.00) $q$, :'pack_payment'), '42501', null,
  'authenticated cannot record refunds');
select tests.authenticate_as_service_role();
select throws_ok(format($q$ select private.billing_begin_replay(%L, %L) $q$, :'failed_evt', :'buyer'), '42501', null,
  'the function refuses to claim for a user who is not a platform admin');
select throws_ok(format($q$ select private.billing_begin_replay(%L, null) $q$, :'failed_evt'), '42501', null,
  'or for no user');

-- ---------------------------------------------------------------- what can be replayed
select throws_ok(format($q$ select private.billing_begin_replay(%L, %L) $q$, gen_random_uuid(), :'padmin'), 'PT404', null,
  'an unknown event is not found (PT404)');
select throws_ok(format($q$ select private.billing_begin_replay(%L, %L) $q$, :'rejected_evt', :'padmin'), 'PT409', null,
  'a rejected request is never replayed (PT409)');
select throws_ok(format($q$ select private.billing_begin_replay(%L, %L) $q$, :'done_evt', :'padmin'), 'PT409', null,
  'a processed event is not replayed (PT409)');
select throws_ok(format($q$ select private.billing_begin_replay(%L, %L) $q$, :'busy_evt', :'padmin'), 'PT409', null,
  'an event being applied right now is not replayed beside it (PT409)');
select results_eq(format($q$ select status, attempts, error from private.billing_begin_replay(%L, %L) $q$, :'failed_evt', :'padmin'),
  $$ values ('received'::text, 2, 'subscription: not known yet'::text) $$,
  'a failed event is claimed: received again, one more attempt, the last error kept until it finishes');
select throws_ok(format($q$ select private.billing_begin_replay(%L, %L) $q$, :'failed_evt', :'padmin'), 'PT409', null,
  'a second claim while the replay applies is refused (PT409)');
select tests.clear_authentication();

-- ---------------------------------------------------------------- body hash and size
select results_eq(format($q$ select payload_sha256, payload_bytes, status from public.billing_events where id = %L $q$, :'rejected_evt'),
  format($q$ values (%L::text, 70000, 'rejected'::text) $q$, repeat('b', 64)),
  'a rejected request keeps the hash and size of the body as received');
select throws_ok($$ select private.billing_record_event('stripe', 'evt_wh_badhash', 'x', '{}', false, null, null, null, 'not-hex', 1) $$,
  '23514', null, 'the hash is a sha256 hex digest');

-- ---------------------------------------------------------------- refunds by running total
select tests.authenticate_as_service_role();
select is((select amount from private.billing_record_refunded_total('stripe', 'ch_wh:300', :'pack_payment', 3.00)), 3.00::numeric,
  'a running total of 3.00 records a 3.00 refund');
select is((select id from private.billing_record_refunded_total('stripe', 'ch_wh:300b', :'pack_payment', 3.00)), null::uuid,
  'the same total again records nothing');
select is((select id from private.billing_record_refunded_total('stripe', 'ch_wh:200', :'pack_payment', 2.00)), null::uuid,
  'an older, smaller total records nothing');
select throws_ok(format($q$ select private.billing_record_refunded_total('stripe', 'ch_wh:1200', %L, 12.00) $q$, :'pack_payment'), '22023', null,
  'a total beyond the payment is refused (22023)');
select is((select amount from private.billing_record_refunded_total('stripe', 'ch_wh:1000', :'pack_payment', 10.00)), 7.00::numeric,
  'the full total records only the remaining 7.00');
select results_eq(format($q$ select status::text, amount_refunded from public.payments where id = %L $q$, :'pack_payment'),
  $$ values ('refunded'::text, 10.00::numeric) $$, 'the payment is refunded exactly once in full');
select results_eq(format($q$ select provider_ref, amount from public.refunds where payment_id = %L order by amount $q$, :'pack_payment'),
  $$ values ('ch_wh:300'::text, 3.00::numeric), ('ch_wh:1000'::text, 7.00::numeric) $$, 'two refunds, keyed by the totals');
select is((select balance from public.credit_balances where account_id = :'buyer' and pool = 'credits'), 0,
  'all 1,000 credits clawed back, once');
select throws_ok($$ select private.billing_record_refund('stripe', 're_wh_ghost', gen_random_uuid(), 1.00) $$, 'PT404', null,
  'a refund of an unknown payment is not found (PT404)');
select throws_ok(format($q$ select private.billing_record_refund('stripe', 're_wh_pending', %L, 1.00) $q$, :'pending_payment'), 'PT409', null,
  'an unpaid payment cannot be refunded (PT409)');
select tests.clear_authentication();
select is_empty($$ select * from private.credit_invariant_violations() $$, 'the ledger adds up');

select * from finish();
rollback;
