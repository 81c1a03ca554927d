-- Who may call the billing functions.
--   * the private.billing_*, credit_* and record_usage functions, and
--     public.spend_credits, are for service_role (the edge functions) only:
--     anon and authenticated cannot execute any of them;
--   * public.check_entitlement is the one billing RPC for signed-in users;
--   * every billing function is security definer with a pinned search_path;
--   * the expiry job is for pg_cron (the database owner) only.

begin;
select plan(8);

create temp table billing_functions (fn regprocedure);
insert into billing_functions values
  ('private.billing_record_event(public.billing_provider,text,text,jsonb,boolean,timestamptz,inet,text,text,integer)'),
  ('private.billing_finish_event(uuid,text,text,uuid)'),
  ('private.billing_upsert_subscription(public.billing_provider,text,uuid,uuid,public.subscription_status,timestamptz,public.billing_interval,timestamptz,timestamptz,boolean,text,timestamptz)'),
  ('private.billing_record_payment(public.billing_provider,text,uuid,text,numeric,text,public.payment_status,uuid,uuid,uuid,text,text,text)'),
  ('private.billing_record_refund(public.billing_provider,text,uuid,numeric,text)'),
  ('private.billing_record_refunded_total(public.billing_provider,text,uuid,numeric,text)'),
  ('private.billing_begin_replay(uuid,uuid)'),
  ('private.billing_begin_checkout(uuid,uuid,text,text,public.billing_provider,public.billing_interval)'),
  ('private.credit_apply(uuid,text,integer,public.credit_transaction_type,text,text,uuid,uuid,uuid,text,boolean)'),
  ('private.credit_reserve(uuid,text,integer,text,text,text,interval)'),
  ('private.credit_capture(uuid,integer)'),
  ('private.credit_release(uuid,text)'),
  ('private.credit_invariant_violations()'),
  ('private.record_usage(uuid,text,integer,text,uuid,text)'),
  ('private.entitlement(uuid,text,integer)'),
  ('private.account_plan(uuid,text)'),
  ('public.spend_credits(uuid,integer,text,text,text)');

select is_empty($$ select fn::text from billing_functions where not has_function_privilege('service_role', fn, 'execute') $$,
  'service_role can call every billing function');
select is_empty($$ select fn::text from billing_functions where has_function_privilege('anon', fn, 'execute') $$,
  'anon can call none of them');
select is_empty($$ select fn::text from billing_functions where has_function_privilege('authenticated', fn, 'execute') $$,
  'authenticated can call none of them');
select is_empty(
  $$ select b.fn::text from billing_functions b join pg_proc p on p.oid = b.fn
     where not p.prosecdef or not exists (select 1 from unnest(p.proconfig) c where c = 'search_path=""') $$,
  'each is security definer with an empty search_path');

select ok(has_function_privilege('authenticated', 'public.check_entitlement(uuid,text,integer)', 'execute'),
  'authenticated can call check_entitlement');
select ok(not has_function_privilege('anon', 'public.check_entitlement(uuid,text,integer)', 'execute'),
  'anon cannot call check_entitlement');
select ok(not has_function_privilege('service_role', 'private.expire_credit_reservations()', 'execute')
          and not has_function_privilege('authenticated', 'private.expire_credit_reservations()', 'execute'),
  'only pg_cron (the database owner) runs the expiry job');
select ok(not has_function_privilege('service_role', 'private.notify_account_admins(uuid,text,text,text,jsonb)', 'execute'),
  'notify_account_admins is internal to the billing functions');

select * from finish();
rollback;
