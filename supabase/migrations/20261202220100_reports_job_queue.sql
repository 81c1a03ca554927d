-- Adds the job queue `reports` (market, property and consumer report
-- rendering; payload {"kind": "market_report" | "property_report" |
-- "consumer_report", "id": <row id>}), drained by the report-generate
-- function, one job at a time per claim round of 4, under a 300 s lease
-- (a large PDF can take seconds; a lost worker's job comes back after the
-- lease). Queue names were `<module>.<name>` only; Reports' fixed names are
-- `reports` and `reports-mail`, so the name check now also accepts a bare
-- lower-case word and a hyphenated one. Nothing else about the queue
-- changes: the registry stays service-written, signed-in users read it.

alter table public.job_queues drop constraint if exists job_queues_queue_check;
alter table public.job_queues add constraint job_queues_queue_check
  check (queue ~ '^[a-z]+(\.[a-z_]+|-[a-z]+)?$');

insert into public.job_queues (queue, worker_function, batch_size, lease_seconds)
values ('reports', 'report-generate', 4, 300)
on conflict (queue) do update set worker_function = excluded.worker_function;
