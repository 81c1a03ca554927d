-- The `reports` Storage bucket (migration 20261202220000): private with a
-- fixed list of formats; no API role reads, writes, replaces or deletes a
-- reports object directly, not even a member of the account the object
-- belongs to or a platform admin (they get signed URLs from
-- report-generate); the service role does everything.
begin;
select plan(14);

select tests.fixture();
insert into storage.objects (bucket_id, name, metadata)
values ('reports', tests.account_id('team-a') || '/00000000-0000-4000-8000-000000000840/report.pdf', '{"mimetype": "application/pdf"}');

select ok((select not public from storage.buckets where id = 'reports'), 'the reports bucket is private');
select is((select file_size_limit from storage.buckets where id = 'reports'), 20971520::bigint, '20 MB per file');
select is((select allowed_mime_types from storage.buckets where id = 'reports'),
  array['text/html', 'application/json', 'text/csv', 'application/pdf', 'image/png'], 'only the rendered formats');
select is_empty($$ select 1 from pg_policies where schemaname = 'storage' and tablename = 'objects' and (qual like '%''reports''%' or with_check like '%''reports''%') $$,
  'no storage policy names the reports bucket: access is by signed URL only');

-- Who may do what on a reports object of team-a.
create temporary table probe_sql as select
  format($$ select 1 from storage.objects where bucket_id = 'reports' and name like %L $$, tests.account_id('team-a') || '/%') as r,
  format($$ insert into storage.objects (bucket_id, name) values ('reports', %L) $$, tests.account_id('team-a') || '/x/report.csv') as i,
  format($$ update storage.objects set metadata = '{}' where bucket_id = 'reports' and name like %L $$, tests.account_id('team-a') || '/%') as u,
  format($$ delete from storage.objects where bucket_id = 'reports' and name like %L $$, tests.account_id('team-a') || '/%') as d;
grant select on probe_sql to anon, authenticated, service_role;

select is(tests.rights('anon', r, i, u, d), 'read rows=0, insert 42501, update rows=0, delete rows=0', 'anon: nothing') from probe_sql;
select is(tests.rights('stranger', r, i, u, d), 'read rows=0, insert 42501, update rows=0, delete rows=0', 'stranger: nothing') from probe_sql;
select is(tests.rights('member', r, i, u, d), 'read rows=0, insert 42501, update rows=0, delete rows=0', 'member: only through signed URLs') from probe_sql;
select is(tests.rights('admin', r, i, u, d), 'read rows=0, insert 42501, update rows=0, delete rows=0', 'admin: only through signed URLs') from probe_sql;
select is(tests.rights('owner', r, i, u, d), 'read rows=0, insert 42501, update rows=0, delete rows=0', 'owner: only through signed URLs') from probe_sql;
select is(tests.rights('rival', r, i, u, d), 'read rows=0, insert 42501, update rows=0, delete rows=0', 'another team''s owner: nothing') from probe_sql;
select is(tests.rights('platform_admin', r, i, u, d), 'read rows=0, insert 42501, update rows=0, delete rows=0', 'platform admin: through the function too') from probe_sql;
select is(tests.rights('service_role', r, i, u, d), 'read rows=1, insert rows=1, update rows=1, delete rows=1', 'service role (the worker): everything') from probe_sql;

-- The render queue is rp-core's reports.render; the bare `reports` queue of
-- 20261202220100 is gone again (20261202220400) and names are checked.
select results_eq($$ select queue, worker_function from public.job_queues where worker_function = 'report-generate' $$,
  $$ values ('reports.render'::text, 'report-generate'::text) $$, 'report-generate drains reports.render only');
select throws_ok($$ insert into public.job_queues (queue, worker_function) values ('reports-test', 'x') $$, '23514', null,
  'queue names are <module>.<name> again');

select * from finish();
rollback;
