-- QuickSell AI requests (20261202130200_quicksell_ai_assistance.sql):
--   * quicksell.request_ai: seller only; kinds checked; a repeat while open
--     returns the open request and charges nothing;
--   * payment: the plan's allowance (open requests count), then credits
--     (held, captured on delivery), then PT402 saying both;
--   * the worker's settle pays once: a replayed completion, or a request
--     whose job dies, never charges (twice);
--   * quicksell.ai_requests: the seller reads his, nobody writes it directly.

begin;
select plan(34);

select tests.fixture() as team \gset
select tests.get_supabase_uid('owner') as owner_id, tests.get_supabase_uid('stranger') as stranger_id \gset

insert into quicksell.listings (id, user_id, title, description, category, condition, price, brand)
values ('00000000-0000-4000-8000-00000000a772', :'owner_id', 'Road bike', 'A bike', 'bikes', 'good', 300, 'Trek'),
       ('00000000-0000-4000-8000-00000000b772', :'owner_id', 'Helmet', 'A helmet', 'bikes', 'good', 30, 'Giro');
\set l '00000000-0000-4000-8000-00000000a772'
\set l2 '00000000-0000-4000-8000-00000000b772'

-- ---------------------------------------------------------------- rights
select is(tests.probe('anon', format($q$ select quicksell.request_ai(%L, 'description') $q$, :'l')), '42501', 'anon cannot ask');
select is(tests.probe('stranger', format($q$ select quicksell.request_ai(%L, 'description') $q$, :'l')), '42501', 'nor another user for someone''s listing');
select is(tests.probe('owner', format($q$ select quicksell.request_ai(%L, 'poem') $q$, :'l')), '22023', 'an unknown kind is bad input');
select is(tests.probe('owner', $$ select quicksell.request_ai('00000000-0000-4000-8000-000000000000', 'description') $$), 'PT404', 'an unknown listing is 404');
select is(tests.probe('owner', format($q$ select quicksell.request_ai(%L, 'photo_analysis') $q$, :'l')), 'PT409', 'photo analysis needs photos');
update quicksell.listings set deleted_at = now() where id = :'l2';
select is(tests.probe('owner', format($q$ select quicksell.request_ai(%L, 'description') $q$, :'l2')), 'PT404', 'a deleted listing is 404');
update quicksell.listings set deleted_at = null where id = :'l2';

-- ---------------------------------------------------------------- allowance
select tests.authenticate_as('owner');
select quicksell.request_ai(:'l', 'description') as first \gset
select is((:'first'::jsonb) ->> 'paid_by', 'allowance', 'within the free plan''s 10, the allowance pays');
select is((:'first'::jsonb) ->> 'status', 'queued', 'the request is queued');
select is((quicksell.request_ai(:'l', 'description')) ->> 'request_id', (:'first'::jsonb) ->> 'request_id', 'asking again while open returns the same request');
select is((quicksell.request_ai(:'l', 'description')) ->> 'replayed', 'true', 'marked as a replay');
select is((select count(*)::int from public.jobs where queue = 'quicksell.ai' and payload ->> 'request_id' = (:'first'::jsonb) ->> 'request_id'), 1,
  'one queue job for it');
select tests.clear_authentication();
select is((select count(*)::int from public.usage_events where account_id = :'owner_id' and feature = 'quicksell.ai_listing'), 0,
  'nothing is recorded before the result is delivered');

-- Use up the allowance: 8 recorded uses + the open request + one more = 10.
select private.record_usage(:'owner_id', 'quicksell.ai_listing', 1, 'test-use-' || i) from generate_series(1, 8) i;
select tests.authenticate_as('owner');
select is((quicksell.request_ai(:'l', 'price_estimate')) ->> 'paid_by', 'allowance', 'the tenth unit still comes from the allowance');
select throws_like(format($q$ select quicksell.request_ai(%L, 'description') $q$, :'l2'),
  'AI allowance used up%not enough credits: 0 available, 2 needed', 'past it, with no credits: PT402 saying both');
select is(tests.probe('owner', format($q$ select quicksell.request_ai(%L, 'description') $q$, :'l2')), 'PT402', 'as PT402');

-- ---------------------------------------------------------------- credits
select tests.clear_authentication();
select private.credit_apply(:'owner_id', 'credits', 2, 'grant', 'test-grant-772');
select tests.authenticate_as('owner');
select quicksell.request_ai(:'l2', 'description') as paid \gset
select is(((:'paid'::jsonb) ->> 'paid_by') || ' ' || ((:'paid'::jsonb) ->> 'credits'), 'credits 2', 'then credits pay: 2 for a description');
select tests.clear_authentication();
select results_eq(format($q$ select balance, held from public.credit_balances where account_id = %L and pool = 'credits' $q$, :'owner_id'),
  $$ values (2, 2) $$, 'the 2 credits are held, not spent');
select tests.authenticate_as('owner');
select throws_like(format($q$ select quicksell.request_ai(%L, 'price_estimate') $q$, :'l2'), 'AI allowance used up%0 available, 1 needed%',
  'held credits are not available twice');
select tests.clear_authentication();

-- ---------------------------------------------------------------- worker settles
select tests.authenticate_as_service_role();
select count(*)::int as claimed from private.quicksell_ai_claim('w772', 10) \gset
select is(:claimed, 3, 'the worker claims the three open requests');
select q.id as desc_job from public.jobs q where q.payload ->> 'request_id' = (:'first'::jsonb) ->> 'request_id' \gset
select q.id as paid_job from public.jobs q where q.payload ->> 'request_id' = (:'paid'::jsonb) ->> 'request_id' \gset
select q.id as est_job from public.jobs q where q.queue = 'quicksell.ai' and q.payload ->> 'kind' = 'price_estimate' and q.payload ->> 'listing_id' = :'l' \gset

select is(private.quicksell_ai_complete(:desc_job, 'someone-else', '{"description": "x"}'), 'lease_lost', 'only the lease holder settles');
select is(private.quicksell_ai_complete(:desc_job, 'w772', '{"description": "A fine road bike.", "provider": "local:template"}'), 'completed',
  'the description is delivered');
select results_eq(format($q$ select description, ai_description_generated from quicksell.listings where id = %L $q$, :'l'),
  $$ values ('A fine road bike.'::text, true) $$, 'and stored, with ai_description_generated');
select is((select count(*)::int from public.usage_events where account_id = :'owner_id' and idempotency_key = 'quicksell.ai:' || ((:'first'::jsonb) ->> 'request_id')), 1,
  'its allowance use is recorded once');
-- A replay of the completion (the worker lost the answer and the job ran again).
select tests.clear_authentication();
update public.jobs set status = 'running', locked_by = 'w772-again', finished_at = null where id = :desc_job;
select tests.authenticate_as_service_role();
select is(private.quicksell_ai_complete(:desc_job, 'w772-again', '{"description": "Different text."}'), 'completed', 'a replayed completion is answered');
select is((select description from quicksell.listings where id = :'l'), 'A fine road bike.', 'but changes nothing');
select is((select count(*)::int from public.usage_events where account_id = :'owner_id' and feature = 'quicksell.ai_listing'), 9,
  'and records no second use');

select is(private.quicksell_ai_complete(:est_job, 'w772', '{"provider": "local:comparables"}'), 'not_enough_data', 'no comparables: not enough data');
select results_eq(format($q$ select estimated_price, ai_price_estimated, confidence_score from quicksell.listings where id = %L $q$, :'l'),
  $$ values (null::numeric, false, null::numeric) $$, 'and the listing is left alone');
select is((select count(*)::int from public.usage_events where account_id = :'owner_id' and feature = 'quicksell.ai_listing'), 9, 'nothing is charged for it');

-- The credit-paid request fails for good: its hold is released, nothing is spent.
select is(private.quicksell_ai_fail(:paid_job, 'w772', 'provider refused', false), 'failed', 'a permanent failure fails the request');
select results_eq(format($q$ select balance, held from public.credit_balances where account_id = %L and pool = 'credits' $q$, :'owner_id'),
  $$ values (2, 0) $$, 'its credits are released, none spent');
select is((select status from quicksell.ai_requests where id = ((:'paid'::jsonb) ->> 'request_id')::uuid), 'failed', 'the request says failed');
select tests.clear_authentication();

-- ---------------------------------------------------------------- table rights
select is(tests.rights('owner', $$ select 1 from quicksell.ai_requests $$,
  format($q$ insert into quicksell.ai_requests (listing_id, user_id, account_id, kind, paid_by) values (%L, %L, %L, 'description', 'allowance') $q$, :'l', :'owner_id', :'owner_id'),
  $$ update quicksell.ai_requests set status = 'completed' $$, $$ delete from quicksell.ai_requests $$),
  'read rows=3, insert 42501, update 42501, delete 42501', 'the seller reads his requests and writes none');
select is(tests.probe('stranger', $$ select 1 from quicksell.ai_requests $$) || ' ' || tests.probe('anon', $$ select 1 from quicksell.ai_requests $$)
          || ' ' || tests.probe('platform_admin', format($q$ select 1 from quicksell.ai_requests where user_id = %L $q$, :'owner_id'))
          || ' ' || tests.probe('service_role', $$ delete from quicksell.ai_requests $$),
  'rows=0 42501 rows=3 42501', 'others see none, anon nothing, platform admins all; even service_role cannot write directly');

select * from finish();
rollback;
