-- Reports schedules, part 2 (rp-msg): the database runs schedules.
--
-- Adds:
--   * schedules.next_run_at kept by the database (trigger
--     private.reports_schedules_next_run): on insert, and whenever the timing
--     fields change or a paused schedule is switched back on, it is the first
--     due time after now (private.reports_next_run_at); a client's value is
--     ignored (and column grants leave it out anyway). Switching a schedule
--     back on also clears its failure count;
--   * schedule_runs.due_at: the due time a run is for, unique per schedule,
--     so one due time runs once whatever dispatchers overlap;
--   * private.reports_dispatch_due_schedules(p_now): pg_cron, every minute.
--     Takes each active due schedule with FOR UPDATE SKIP LOCKED, logs a
--     'started' run, creates its report through
--     private.reports_create_generation (billed as any report), and moves
--     next_run_at past p_now (missed due times are not replayed one by one);
--     a report that cannot be created (quota, bad area) fails the run at once;
--   * private.reports_schedule_run_settle: when a scheduled report completes
--     or fails (trigger on report_generations.status), its run completes or
--     fails; a completion clears consecutive_failures and enqueues the mail
--     job (queue 'reports.mail', worker function reports-mail, one job per
--     run); a failure counts up and, at private.reports_failure_threshold()
--     (3) in a row, pauses the schedule and notifies the account's owners and
--     admins (public.notifications, product 'reports').
--
-- Who may do what: all of this is the backend's (service_role, pg_cron, the
-- definer triggers); clients keep writing only the descriptive schedule
-- columns rp-core grants.
--
-- Invariants: at most one run per (schedule, due time); next_run_at is
-- always strictly after the last due time dispatched; a run settles once
-- (only a 'started' run changes); a schedule pauses only after the threshold.

-- ---------------------------------------------------------------- the queue for scheduled mail
insert into public.job_queues (queue, worker_function, batch_size, lease_seconds)
values ('reports.mail', 'reports-mail', 10, 300)
on conflict (queue) do update set worker_function = excluded.worker_function;

-- ---------------------------------------------------------------- runs: one per due time
alter table reports.schedule_runs add column due_at timestamptz;
comment on column reports.schedule_runs.due_at is 'Added: the due time this run is for; unique per schedule.';
create unique index schedule_runs_schedule_id_due_at_key on reports.schedule_runs (schedule_id, due_at);

-- ---------------------------------------------------------------- next_run_at is the database's
create or replace function private.reports_failure_threshold()
returns integer
language sql
immutable
set search_path = ''
as $$ select 3 $$;

create or replace function private.reports_schedules_next_run()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- The dispatcher and the settle trigger move next_run_at themselves.
  if tg_op = 'UPDATE' and current_setting('reports.dispatching', true) = 'on' then
    return new;
  end if;
  if tg_op = 'INSERT'
     or new.cadence is distinct from old.cadence
     or new.weekly_dow is distinct from old.weekly_dow
     or new.monthly_dom is distinct from old.monthly_dom
     or new.send_hour is distinct from old.send_hour
     or new.send_minute is distinct from old.send_minute
     or new.time_zone is distinct from old.time_zone
     or (new.active and not old.active) then
    new.next_run_at := private.reports_next_run_at(new.cadence, new.weekly_dow, new.monthly_dom, new.send_hour,
                                                   new.send_minute, new.time_zone, now());
  else
    new.next_run_at := old.next_run_at;
  end if;
  if tg_op = 'UPDATE' and new.active and not old.active then
    -- Switched back on by an owner: a fresh start, not one failure from pausing again.
    new.consecutive_failures := 0;
  end if;
  return new;
end;
$$;

-- After rp-core's schedules_check (names sort: the time zone default is set first).
create trigger schedules_z_next_run_at
  before insert or update on reports.schedules
  for each row execute function private.reports_schedules_next_run();

-- ---------------------------------------------------------------- the report a run asks for
-- Monthly schedules report on the previous calendar month; daily and weekly
-- ones on the 30 days up to the day before the due date (local dates).
-- filters.formats overrides the formats (default html, json, csv, pdf).
create or replace function private.reports_schedule_params(p_schedule reports.schedules, p_due timestamptz)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  v_day date := (p_due at time zone p_schedule.time_zone)::date;
  v_start date;
  v_end date;
begin
  if p_schedule.cadence = 'monthly' then
    v_start := (date_trunc('month', v_day) - interval '1 month')::date;
    v_end := (date_trunc('month', v_day) - interval '1 day')::date;
  else
    v_end := v_day - 1;
    v_start := v_end - 29;
  end if;
  return jsonb_build_object(
    'cities', case when p_schedule.city is null then '[]'::jsonb else jsonb_build_array(p_schedule.city) end,
    'zip_codes', to_jsonb(coalesce(p_schedule.zip_codes, '{}')),
    'period_start', to_char(v_start, 'YYYY-MM-DD'),
    'period_end', to_char(v_end, 'YYYY-MM-DD'),
    'formats', coalesce(case when jsonb_typeof(p_schedule.filters -> 'formats') = 'array' then p_schedule.filters -> 'formats' end,
                        '["html", "json", "csv", "pdf"]'::jsonb));
end;
$$;

-- ---------------------------------------------------------------- settling a run
create or replace function private.reports_schedule_run_settle(p_run_id uuid, p_ok boolean, p_error text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_run reports.schedule_runs;
  v_schedule reports.schedules;
  v_failures integer;
  v_dispatching text := current_setting('reports.dispatching', true);
begin
  update reports.schedule_runs r
  set status = case when p_ok then 'completed' else 'failed' end,
      error = case when p_ok then null else left(coalesce(p_error, 'failed'), 2000) end,
      finished_at = greatest(now(), r.started_at)
  where r.id = p_run_id and r.status = 'started'
  returning * into v_run;
  if v_run.id is null then
    return; -- already settled: a run settles once
  end if;

  perform set_config('reports.dispatching', 'on', true);
  if p_ok then
    update reports.schedules s set consecutive_failures = 0 where s.id = v_run.schedule_id
    returning * into v_schedule;
    perform private.enqueue_job('reports.mail',
      jsonb_build_object('kind', 'schedule_run', 'schedule_run_id', v_run.id),
      v_schedule.account_id, 'schedule_run:' || v_run.id);
  else
    update reports.schedules s set consecutive_failures = s.consecutive_failures + 1
    where s.id = v_run.schedule_id
    returning * into v_schedule;
    v_failures := v_schedule.consecutive_failures;
    if v_schedule.active and v_failures >= private.reports_failure_threshold() then
      update reports.schedules s set active = false where s.id = v_schedule.id;
      perform private.notify(m.user_id, 'report_schedule_paused', 'Scheduled report paused',
        format('The %s report for %s failed %s times in a row and was paused. Last error: %s',
               v_schedule.cadence, coalesce(v_schedule.city, array_to_string(v_schedule.zip_codes, ', ')),
               v_failures, left(coalesce(p_error, 'unknown'), 500)),
        'reports', null,
        jsonb_build_object('schedule_id', v_schedule.id, 'schedule_run_id', v_run.id, 'consecutive_failures', v_failures),
        v_schedule.account_id)
      from public.account_memberships m
      where m.account_id = v_schedule.account_id and m.role in ('owner', 'admin');
    end if;
  end if;
  perform set_config('reports.dispatching', coalesce(v_dispatching, 'off'), true);
end;
$$;

create or replace function private.reports_generation_settles_run()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_run_id uuid;
begin
  for v_run_id in
    select r.id from reports.schedule_runs r where r.report_run_id = new.id and r.status = 'started'
  loop
    perform private.reports_schedule_run_settle(v_run_id, new.status = 'completed', new.error_message);
  end loop;
  return null;
end;
$$;

create trigger report_generations_settle_schedule_run
  after update of status on reports.report_generations
  for each row
  when (new.status in ('completed', 'failed') and old.status is distinct from new.status)
  execute function private.reports_generation_settles_run();

-- ---------------------------------------------------------------- the dispatcher
create or replace function private.reports_dispatch_due_schedules(p_now timestamptz default now())
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_schedule reports.schedules;
  v_run_id uuid;
  v_report_id uuid;
  v_count integer := 0;
  v_error text;
  v_state text;
begin
  if p_now is null or not isfinite(p_now) then
    raise exception 'now: must be a finite instant' using errcode = '22023';
  end if;
  perform set_config('reports.dispatching', 'on', true);
  for v_schedule in
    select s.* from reports.schedules s
    where s.active and s.next_run_at <= p_now
    order by s.next_run_at
    limit 500
    for update skip locked
  loop
    insert into reports.schedule_runs (schedule_id, due_at, status, started_at)
    values (v_schedule.id, v_schedule.next_run_at, 'started', p_now)
    on conflict (schedule_id, due_at) do nothing
    returning id into v_run_id;

    if v_run_id is not null then
      begin
        v_report_id := private.reports_create_generation(
          v_schedule.account_id, null, private.reports_schedule_params(v_schedule, v_schedule.next_run_at), 'market');
        update reports.schedule_runs r set report_run_id = v_report_id where r.id = v_run_id;
      exception when others then
        -- Refused at creation (quota, bad area): the run fails now and counts.
        get stacked diagnostics v_error = message_text, v_state = returned_sqlstate;
        perform private.reports_schedule_run_settle(v_run_id, false, v_state || ': ' || v_error);
        perform set_config('reports.dispatching', 'on', true);
      end;
      v_count := v_count + 1;
    end if;

    update reports.schedules s
    set last_run_at = p_now,
        next_run_at = private.reports_next_run_at(s.cadence, s.weekly_dow, s.monthly_dom, s.send_hour, s.send_minute,
                                                  s.time_zone, greatest(p_now, v_schedule.next_run_at))
    where s.id = v_schedule.id;
  end loop;
  perform set_config('reports.dispatching', 'off', true);
  return v_count;
end;
$$;

comment on function private.reports_dispatch_due_schedules(timestamptz) is
  'pg_cron every minute: runs each active due schedule once per due time (SKIP LOCKED + unique (schedule_id, due_at)).';

select cron.schedule('reports-dispatch-schedules', '* * * * *', 'select private.reports_dispatch_due_schedules()');

revoke execute on function
  private.reports_failure_threshold(),
  private.reports_schedules_next_run(),
  private.reports_schedule_params(reports.schedules, timestamptz),
  private.reports_schedule_run_settle(uuid, boolean, text),
  private.reports_generation_settles_run(),
  private.reports_dispatch_due_schedules(timestamptz)
from public, anon, authenticated;
grant execute on function
  private.reports_failure_threshold(),
  private.reports_schedule_params(reports.schedules, timestamptz),
  private.reports_dispatch_due_schedules(timestamptz)
to service_role;
