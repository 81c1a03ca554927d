-- Reverts 20261202220100_reports_job_queue.sql, which registered a queue
-- named `reports` for report-generate and relaxed the queue name check for
-- it. rp-core registered the render queue as `reports.render`
-- (20261202200000_reports_schema.sql) and every producer enqueues there, so
-- the bare `reports` queue is removed again (nothing was ever queued on it)
-- and queue names are back to `<module>.<name>` only, the registry's rule
-- (`reports.render`, `reports.mail`).

delete from public.job_queues q
where q.queue = 'reports'
  and not exists (select 1 from public.jobs j where j.queue = q.queue);

alter table public.job_queues drop constraint if exists job_queues_queue_check;
alter table public.job_queues add constraint job_queues_queue_check check (queue ~ '^[a-z]+\.[a-z_]+$');
