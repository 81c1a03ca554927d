-- Audit: provider events stamped with the same second, delivered in either
-- order (Stripe sends customer.subscription.updated and .deleted with one
-- `created` when a subscription is cancelled at once). The ending state wins
-- a tie; a strictly newer or older event behaves as before.
begin;
select plan(6);

select tests.create_supabase_user('tie_owner');
select tests.create_team('tie_owner', 'audit-tie-team') as acct \gset
select id as plan_id from public.plans where code = 'reports_solo' \gset
select tests.authenticate_as_service_role();

select lives_ok(format($q$ select private.billing_upsert_subscription('stripe', 'sub_audit_tie', %L, %L, 'active',
  '2026-12-01 10:00:00+00') $q$, :'acct', :'plan_id'), 'the subscription starts active');
-- The deletion of 10:05:00 arrives first, then the update of the same second.
select lives_ok($$ select private.billing_upsert_subscription('stripe', 'sub_audit_tie', null, null, 'canceled',
  '2026-12-01 10:05:00+00') $$, 'the deletion is applied');
select is((select (r).applied from private.billing_upsert_subscription('stripe', 'sub_audit_tie', null, null, 'active',
  '2026-12-01 10:05:00+00') r), false, 'a live update of the same second is not applied after the deletion');
select is((select status::text from public.subscriptions where provider_subscription_id = 'sub_audit_tie'), 'canceled',
  'so the subscription stays canceled');

-- The other order: the live update first, the deletion of the same second after it.
select lives_ok(format($q$ select private.billing_upsert_subscription('stripe', 'sub_audit_tie_2', %L, %L, 'active',
  '2026-12-01 11:00:00+00') $q$, :'acct', :'plan_id'), 'a second subscription starts active');
select is((select (r).subscription.status::text from private.billing_upsert_subscription('stripe', 'sub_audit_tie_2', null, null, 'canceled',
  '2026-12-01 11:00:00+00') r), 'canceled', 'a deletion of the same second as the applied state still ends it');

select * from finish();
rollback;
