-- public.billing_events and private.billing_record_event / billing_finish_event.
--   * only platform admins (and service_role) read provider events; account
--     owners, admins, members, strangers see none; anon is refused;
--   * nobody writes them directly, not even service_role (42501);
--   * a new event is stored and should be applied; a redelivery of a
--     processed event is stored as 'duplicate' and not applied; an event
--     whose processing did not finish is applied again;
--   * events failing signature verification are logged as 'rejected' with
--     the error and the source IP, never applied, and never block the
--     genuine event with the same id.

begin;
select plan(25);

select tests.billing_data() as acme \gset

select format($q$ select 1 from public.billing_events where account_id = %L $q$, :'acme') as read_sql,
       $q$ insert into public.billing_events (provider, event_id, event_type, payload, signature_valid) values ('stripe', 'evt_b_fake', 'invoice.paid', '{}', true) $q$ as insert_sql,
       format($q$ update public.billing_events set status = 'processed' where account_id = %L $q$, :'acme') as update_sql,
       format($q$ delete from public.billing_events where account_id = %L $q$, :'acme') as delete_sql \gset

-- ---------------------------------------------------------------- who may do what
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'anon can neither read nor write provider events');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'a stranger sees no provider events');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'even the account owner does not see raw provider events');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'a member does not see raw provider events');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'an account admin does not see raw provider events');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'a platform admin reads provider events but writes none');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'service_role reads but writes only through the billing functions');

-- ---------------------------------------------------------------- exactly once
select tests.authenticate_as_service_role();
select billing_event_id as evt2, should_apply as evt2_apply, outcome as evt2_outcome
from private.billing_record_event('stripe', 'evt_b_2', 'invoice.paid', '{"id": "evt_b_2"}', true, now() - interval '1 minute', '198.51.100.4') \gset
select is(:'evt2_apply'::boolean, true, 'a new event should be applied');
select is(:'evt2_outcome'::text, 'received', 'a new event is received');
select results_eq(
  $$ select should_apply, outcome, billing_event_id from private.billing_record_event('stripe', 'evt_b_2', 'invoice.paid', '{"id": "evt_b_2"}', true) $$,
  format($q$ values (false, 'in_progress'::text, %L::uuid) $q$, :'evt2'),
  'a redelivery while the first delivery is still being applied is not applied beside it (the caller asks for a retry)');
select lives_ok(format($q$ select private.billing_finish_event(%L, 'processed', null, %L) $q$, :'evt2', :'acme'),
  'the event is marked processed');
select results_eq(
  $$ select should_apply, outcome, billing_event_id from private.billing_record_event('stripe', 'evt_b_2', 'invoice.paid', '{"id": "evt_b_2"}', true) $$,
  format($q$ values (false, 'duplicate'::text, %L::uuid) $q$, :'evt2'),
  'a redelivery of a processed event is a duplicate and is not applied');
select tests.clear_authentication();
select results_eq(
  $$ select status, attempts, account_id is not null, processed_at is not null, host(source_ip)
     from public.billing_events where event_id = 'evt_b_2' and status <> 'duplicate' $$,
  $$ values ('processed'::text, 3, true, true, '198.51.100.4'::text) $$,
  'the original row records the outcome, the account and all three deliveries');
select results_eq(
  $$ select status, error from public.billing_events where event_id = 'evt_b_2' and status = 'duplicate' order by received_at, error $$,
  format($q$ values ('duplicate'::text, %L::text), ('duplicate'::text, %L::text) $q$,
         'already processed as ' || :'evt2', 'in progress as ' || :'evt2'),
  'both redeliveries are logged beside it, naming the original');
select throws_ok(
  $$ insert into public.billing_events (provider, event_id, event_type, payload, signature_valid) values ('stripe', 'evt_b_2', 'invoice.paid', '{}', true) $$,
  '23505', null, 'there is only ever one genuine row per provider event id');

select tests.authenticate_as_service_role();
select billing_event_id as evt3 from private.billing_record_event('stripe', 'evt_b_3', 'invoice.paid', '{}', true) \gset
select lives_ok(format($q$ select private.billing_finish_event(%L, 'failed', 'database unavailable') $q$, :'evt3'),
  'an event whose processing failed is marked failed with the error');
select results_eq(
  $$ select should_apply, outcome from private.billing_record_event('stripe', 'evt_b_3', 'invoice.paid', '{}', true) $$,
  $$ values (true, 'failed'::text) $$,
  'the provider''s retry of a failed event is applied again');

-- ---------------------------------------------------------------- rejected
select results_eq(
  $$ select should_apply, outcome from private.billing_record_event('stripe', 'evt_b_4', 'invoice.paid', '{"forged": true}', false,
                                                                    null, '203.0.113.9', 'No signatures found matching the expected signature') $$,
  $$ values (false, 'rejected'::text) $$,
  'an event failing signature verification is rejected and not applied');
select tests.clear_authentication();
select results_eq(
  $$ select status, signature_valid, error, host(source_ip), processed_at is not null from public.billing_events where event_id = 'evt_b_4' $$,
  $$ values ('rejected'::text, false, 'No signatures found matching the expected signature'::text, '203.0.113.9'::text, true) $$,
  'the rejected event is logged with its error and source IP');
select tests.authenticate_as_service_role();
select results_eq(
  $$ select should_apply, outcome from private.billing_record_event('stripe', 'evt_b_4', 'invoice.paid', '{}', true) $$,
  $$ values (true, 'received'::text) $$,
  'a forged copy does not block the genuine event with the same id');
select results_eq(
  $$ select should_apply, outcome from private.billing_record_event('stripe', null, null, null, false) $$,
  $$ values (false, 'rejected'::text) $$,
  'even an unparseable forged request is logged');
select tests.clear_authentication();
select results_eq(
  $$ select event_type, payload, error from public.billing_events where event_id is null and status = 'rejected' and received_at = now() $$,
  $$ values ('unknown'::text, '{}'::jsonb, 'signature verification failed'::text) $$,
  'with placeholders for what it lacked');

-- ---------------------------------------------------------------- a delivery that died
select tests.clear_authentication();
select billing_event_id as evt9 from private.billing_record_event('stripe', 'evt_b_9', 'invoice.paid', '{}', true) \gset
update public.billing_events set received_at = now() - interval '5 minutes' where id = :'evt9';
select results_eq(
  $$ select should_apply, outcome from private.billing_record_event('stripe', 'evt_b_9', 'invoice.paid', '{}', true) $$,
  $$ values (true, 'received'::text) $$,
  'a delivery left unfinished for minutes (its worker died) is applied again by the next delivery');

-- ---------------------------------------------------------------- platform admins see the log
select tests.authenticate_as('platform_admin');
select is((select count(*)::int from public.billing_events where event_id in ('evt_b_2', 'evt_b_3', 'evt_b_4')), 6,
  'a platform admin sees every stored delivery: processed, duplicate, failed, rejected and received');
select tests.authenticate_as('owner');
select is_empty($$ select 1 from public.billing_events $$, 'an account owner sees none of them');

select * from finish();
rollback;
