-- The hosted wake on enqueue (private.wake_job_workers), with a stand-in
-- for pg_net's net.http_post that records its calls: one POST per queue
-- that received due jobs, to its worker function, as service_role; nothing
-- for a replayed idempotency key, a future job, or without the settings.
begin;
select plan(6);

insert into public.job_queues (queue, worker_function) values ('tests.wake', 'test-worker');
create schema net;
create table net.calls (url text, body jsonb, headers jsonb);
create function net.http_post(url text, body jsonb default '{}'::jsonb, params jsonb default '{}'::jsonb,
                              headers jsonb default '{}'::jsonb, timeout_milliseconds integer default 5000)
returns bigint language sql as $$ insert into net.calls values (url, body, headers) returning 1::bigint $$;

select lives_ok($$ select private.enqueue_job('tests.wake', '{}', null, 'w0') $$,
  'without the settings enqueueing works and wakes nobody');
select is((select count(*)::int from net.calls), 0, 'no request without app.settings');

select set_config('app.settings.functions_url', 'https://ref.supabase.co/functions/v1', true);
select set_config('app.settings.service_role_key', 'service-key', true);
select private.enqueue_job('tests.wake', '{}', null, 'w1');
select results_eq($$ select url, body, headers ->> 'authorization' from net.calls $$,
  $$ values ('https://ref.supabase.co/functions/v1/test-worker'::text, '{"queue": "tests.wake"}'::jsonb, 'Bearer service-key'::text) $$,
  'a due job wakes its queue''s worker function with the service-role key');

select private.enqueue_job('tests.wake', '{}', null, 'w1');
select is((select count(*)::int from net.calls), 1, 'a replayed idempotency key wakes nobody');
select private.enqueue_job('tests.wake', '{}', null, 'w2', now() + interval '1 hour');
select is((select count(*)::int from net.calls), 1, 'a job due later waits for the tick');

insert into public.jobs (queue) select 'tests.wake' from generate_series(1, 3);
select is((select count(*)::int from net.calls), 2, 'one request per statement and queue, however many jobs');

select * from finish();
rollback;
