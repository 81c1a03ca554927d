-- Who may call which function, over every schema the API exposes
-- (public, homes, quicksell, studio, tools, reports) and private.
--   * every function there pins its search_path, and every security
--     definer function pins it to '' (so a caller's objects never shadow
--     the ones it means);
--   * no function is executable by PUBLIC: each grant names its role (the
--     migrations' per-schema `alter default privileges ... revoke execute
--     from public` is a no-op in PostgreSQL, so every function must be
--     revoked from PUBLIC explicitly);
--   * anon may call exactly: the pre-request helpers, request_ip (column
--     default of analytics_events), homes.search_listings, quicksell.record_view,
--     the quicksell-photos read check and the public Reports RPCs (landing
--     page, consumer report request, report events);
--   * authenticated additionally exactly: the membership helpers the
--     policies use, the platform RPCs, check_entitlement and the Homes
--     listing and offer RPCs, and the Tools RPCs (moderate_review). A new RPC is added to these lists on purpose;
--   * service_role (the edge functions and workers) calls the private
--     pipeline functions of each module; the internal ones (called only by
--     other definer code or pg_cron) stay closed even to it;
--   * Supabase Auth calls its hook.
-- Functions that belong to an extension (pgTAP, pg_cron...) are not ours,
-- and trigger functions cannot be called directly, so both are left out.

begin;
select plan(17);

create temp view our_functions as
  select p.oid, p.oid::regprocedure::text as fn, n.nspname, p.prosecdef, p.proconfig, p.proacl, p.prorettype
  from pg_proc p
  join pg_namespace n on n.oid = p.pronamespace
  where (n.nspname = 'private' or n.nspname in (select schema_name from public.products))
    and not exists (select 1 from pg_depend d
                    where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e');

create temp view callable as
  select r.rolname as grantee, f.fn
  from our_functions f
  cross join pg_roles r
  where f.prorettype <> 'pg_catalog.trigger'::regtype
    and r.rolname in ('anon', 'authenticated')
    and has_function_privilege(r.oid, f.oid, 'execute');

-- ---------------------------------------------------------------- search_path
select is_empty(
  $$ select fn from our_functions where not exists (select 1 from unnest(proconfig) c where c like 'search_path=%') $$,
  'every function in the exposed schemas and private pins its search_path');
select is_empty(
  $$ select fn from our_functions where prosecdef and not ('search_path=""' = any (coalesce(proconfig, '{}'))) $$,
  'every security definer function runs with an empty search_path');

-- ---------------------------------------------------------------- PUBLIC
select is_empty(
  $$ select fn from our_functions
     where proacl is null  -- the default ACL: PUBLIC may execute
        or exists (select 1 from aclexplode(proacl) a where a.grantee = 0 and a.privilege_type = 'EXECUTE') $$,
  'no function is executable by PUBLIC');

-- ---------------------------------------------------------------- anon, authenticated
-- One function per line, sorted: branches that add RPCs merge without conflicts.
select set_eq(
  $$ select fn from callable where grantee = 'anon' $$,
  array[
    'homes.search_listings(text,text,text,numeric,numeric,integer,integer,numeric,integer,integer,text,text,integer)',
    'private.check_request()',
    'private.is_platform_admin()',
    'private.quicksell_object_readable(text)',
    'private.request_ip()',
    'private.request_is_revoked(jsonb)',
    'quicksell.record_view(uuid,text)',
    'reports.property_report_landing(text,text)',
    'reports.request_consumer_report(text,text,text,boolean,text,text,text,text)',
    'reports.track_report_event(uuid,text,jsonb,text,text)'
  ],
  'anon may call only the pre-request helpers, request_ip, homes.search_listings, quicksell.record_view, the quicksell-photos read check and the public Reports RPCs');

select set_eq(
  $$ select fn from callable where grantee = 'authenticated' $$,
  array[
    'accept_invitation(text)',
    'check_entitlement(uuid,text,integer)',
    'create_invitation(uuid,account_role,text,integer)',
    'create_team_account(text,text)',
    'homes.accept_offer(uuid)',
    'homes.create_property(jsonb,jsonb)',
    'homes.decline_offer(uuid)',
    'homes.mark_sold(uuid)',
    'homes.publish_listing(uuid)',
    'homes.reopen_listing(uuid)',
    'homes.search_listings(text,text,text,numeric,numeric,integer,integer,numeric,integer,integer,text,text,integer)',
    'homes.submit_offer(uuid,numeric,text)',
    'homes.withdraw_listing(uuid)',
    'homes.withdraw_offer(uuid)',
    'private.account_role_of(uuid)',
    'private.check_request()',
    'private.is_account_admin(uuid)',
    'private.is_account_member(uuid)',
    'private.is_account_owner(uuid)',
    'private.is_platform_admin()',
    'private.my_account_ids()',
    'private.my_admin_account_ids()',
    'private.my_owner_account_ids()',
    'private.my_teammate_ids()',
    'private.quicksell_may_write_object(text)',
    'private.quicksell_object_readable(text)',
    'private.quicksell_object_unreferenced(text)',
    'private.request_ip()',
    'private.request_is_revoked(jsonb)',
    'quicksell.cancel_sale(uuid)',
    'quicksell.complete_sale(uuid)',
    'quicksell.crosspost_listing(uuid,text)',
    'quicksell.join_challenge(uuid)',
    'quicksell.rate_sale(uuid,integer,text)',
    'quicksell.record_sale(uuid,numeric,numeric,uuid,text)',
    'quicksell.record_view(uuid,text)',
    'quicksell.refund_sale(uuid)',
    'quicksell.reorder_photos(uuid,uuid[])',
    'quicksell.request_ai(uuid,text)',
    'reports.create_api_key(uuid,text,text[],integer)',
    'reports.create_property_report(uuid,text,text,text,text,integer,jsonb,text,text,timestamp with time zone)',
    'reports.property_report_landing(text,text)',
    'reports.replay_webhook_delivery(uuid)',
    'reports.request_consumer_report(text,text,text,boolean,text,text,text,text)',
    'reports.request_market_report(uuid,jsonb)',
    'reports.revoke_api_key(uuid)',
    'reports.send_test_webhook(uuid)',
    'reports.track_report_event(uuid,text,jsonb,text,text)',
    'revoke_all_sessions()',
    'revoke_session(uuid)',
    'tools.cancel_purchase(uuid)',
    'tools.checkout_by_invoice(uuid)',
    'tools.checkout_with_credits(uuid)',
    'tools.mark_invoice_paid(text)',
    'tools.may_use_tool(uuid,uuid)',
    'tools.moderate_review(uuid,tools.review_status,text)',
    'tools.record_tool_use(uuid,uuid)',
    'tools.refund_purchase(uuid)',
    'transfer_account_ownership(uuid,uuid)'
  ],
  'authenticated may call the policy helpers, request_ip, the platform RPCs, check_entitlement, the Homes, QuickSell, Tools and Reports RPCs, nothing else');

-- ---------------------------------------------------------------- service_role
create temp table service_functions (fn regprocedure);
insert into service_functions values
  -- platform
  ('private.notify(uuid,text,text,text,text,text,jsonb,uuid)'),
  ('private.refresh_time_zone_names()'),
  -- billing (the payment webhooks and the functions that spend)
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
  ('private.refund_usage(uuid,text,text)'),
  ('private.entitlement(uuid,text,integer)'),
  ('private.account_plan(uuid,text)'),
  ('public.spend_credits(uuid,integer,text,text,text)'),
  -- homes (the valuation worker)
  ('private.homes_store_valuation(uuid,text,uuid,uuid)'),
  -- quicksell (the marketplace-sync function)
  ('private.quicksell_connect_account(uuid,text,text,text,numeric,integer,text,text,timestamptz,timestamptz,jsonb)'),
  ('private.quicksell_store_tokens(uuid,text,text,timestamptz,timestamptz)'),
  ('private.quicksell_sync_load(bigint,text)'),
  ('private.quicksell_sync_checkpoint(uuid,jsonb)'),
  ('private.quicksell_sync_succeed(bigint,text,uuid,text,quicksell.sync_status,jsonb,numeric)'),
  ('private.quicksell_sync_fail(bigint,text,uuid,text,boolean,integer)'),
  ('private.quicksell_sync_notify(text,text)'),
  -- studio (the ai-jobs function)
  ('private.studio_start_project(uuid,uuid,studio.project_type,text,studio.ai_service,text,jsonb,text,uuid,uuid,uuid)'),
  ('private.studio_claim_jobs(text,integer)'),
  ('private.studio_complete_job(bigint,text,text,jsonb,integer,numeric,jsonb)'),
  ('private.studio_fail_job(bigint,text,text,boolean,integer)'),
  -- reports (the report worker and the schedule dispatcher)
  ('private.reports_market_stats(text[],text[],date,date,integer)'),
  ('private.reports_create_generation(uuid,uuid,jsonb,text)'),
  ('private.reports_begin_generation(uuid)'),
  ('private.reports_complete_generation(uuid,jsonb,integer)'),
  ('private.reports_fail_generation(uuid,text)'),
  ('private.reports_value_subject(text,text,text)'),
  ('private.reports_fail_abandoned()'),
  -- reports (the api function)
  ('private.reports_authenticate_api_key(text,text)'),
  ('private.reports_api_request_report(uuid,jsonb)'),
  -- tools (the checkout function and the Stripe webhook)
  ('private.tools_checkout_begin(uuid,uuid,tools.payment_method,text)'),
  ('private.tools_checkout_complete(text,text,text)'),
  ('private.tools_checkout_fail(text)'),
  ('private.tools_refund_payment(text)'),
  ('private.tools_renew_purchase(uuid,timestamp with time zone)'),
  -- reports (the renderers)
  ('private.generate_short_code()'),
  ('private.generate_agent_code()'),
  ('private.reports_branding_for(uuid,uuid)'),
  -- reports (the mail worker: who a schedule mails)
  ('private.reports_schedule_addresses(uuid)'),
  ('private.reports_schedule_recipients(uuid)'),
  -- quicksell media (the quicksell-photos and quicksell-ai functions)
  ('private.quicksell_ai_claim(text,integer)'),
  ('private.quicksell_ai_complete(bigint,text,jsonb)'),
  ('private.quicksell_ai_fail(bigint,text,text,boolean)'),
  ('private.quicksell_photo_processed(uuid,jsonb,jsonb)'),
  ('private.quicksell_photo_retention(timestamp with time zone,integer)'),
  ('private.quicksell_price_estimate(uuid,timestamp with time zone)'),
  -- quicksell (the backend's analytics events)
  ('private.quicksell_record_event(uuid,text,uuid,text,jsonb)'),
  -- reports (outgoing webhooks: the reports-webhooks function and its worker)
  ('private.reports_emit_event(uuid,text,jsonb)'),
  ('private.reports_webhook_claim(text,integer)'),
  ('private.reports_webhook_create(uuid,uuid,text,text[],text)'),
  ('private.reports_webhook_record_attempt(bigint,text,uuid,text,integer,integer,text,integer)'),
  ('private.reports_webhook_rotate(uuid,text)'),
  -- quicksell (edge functions award points; operators check the ledger)
  ('private.quicksell_award(uuid,text,text,jsonb)'),
  ('private.quicksell_points_violations()');

select is_empty($$ select fn::text from service_functions where not has_function_privilege('service_role', fn, 'execute') $$,
  'service_role can call the platform, billing, Homes and Studio pipeline functions');
select is_empty(
  $$ select s.fn::text from service_functions s join pg_proc p on p.oid = s.fn where not p.prosecdef $$,
  'each of them is security definer (it writes what API roles cannot)');
select ok(not has_function_privilege('service_role', 'private.expire_credit_reservations()', 'execute')
          and not has_function_privilege('authenticated', 'private.expire_credit_reservations()', 'execute'),
  'only pg_cron (the database owner) runs the reservation expiry job');
select ok(not has_function_privilege('service_role', 'private.notify_account_admins(uuid,text,text,text,jsonb)', 'execute'),
  'notify_account_admins is internal to the billing functions');
select ok(not has_function_privilege('service_role', 'private.studio_settle_project(uuid)', 'execute'),
  'settling a Studio project is internal to the pipeline');
select ok(not has_function_privilege('service_role', 'private.quicksell_expire_challenges(timestamp with time zone)', 'execute')
          and not has_function_privilege('service_role', 'private.quicksell_break_streaks(timestamp with time zone)', 'execute')
          and not has_function_privilege('service_role', 'private.quicksell_retention(timestamp with time zone,integer)', 'execute')
          and not has_function_privilege('service_role', 'private.quicksell_book_points(uuid,text,text,integer,jsonb,bigint,timestamp with time zone)', 'execute'),
  'the QuickSell cron jobs and the points bookkeeping are internal (pg_cron runs the jobs)');
select ok(not has_function_privilege('service_role', 'private.tools_expire_purchases()', 'execute')
          and not has_function_privilege('service_role', 'private.tools_check_buyable(uuid,uuid,uuid)', 'execute'),
  'the Tools expiry job and the cart''s rules are internal');

-- ---------------------------------------------------------------- Auth, invokers
select ok(has_function_privilege('supabase_auth_admin', 'private.password_verification_attempt_hook(jsonb)', 'execute'),
  'Supabase Auth can call the password verification hook');
select ok(not (select prosecdef from pg_proc where oid = 'homes.search_listings(text,text,text,numeric,numeric,integer,integer,numeric,integer,integer,text,text,integer)'::regprocedure),
  'homes.search_listings runs as the caller (RLS applies)');
select ok(not (select prosecdef from pg_proc where oid = 'homes.submit_offer(uuid,numeric,text)'::regprocedure),
  'homes.submit_offer runs as the caller (an insert under RLS)');
select ok(not (select prosecdef from pg_proc where oid = 'homes.create_property(jsonb,jsonb)'::regprocedure),
  'homes.create_property runs as the caller (two inserts under RLS and column grants)');

-- The request_ip grant matters: analytics_events.ip_address defaults to it.
select tests.fixture() is not null as created \gset
select is(tests.probe('member', $$ insert into public.analytics_events (product, event_type) values ('homes', 'page.view') $$),
  'rows=1', 'a signed-in user can still record an event (request_ip default is callable)');

select * from finish();
rollback;
