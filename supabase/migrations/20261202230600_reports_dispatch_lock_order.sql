-- Reports schedules (rp-msg): private.reports_dispatch_due_schedules, as in
-- 20261202230200, with two changes found by tests/reports-dispatch-race.test.ts
-- under load (eight dispatchers, schedules of several accounts due at once):
--   * the due schedules are locked in account order (of the 500 most
--     overdue), since each report holds its account's usage counter lock to
--     commit: two dispatchers taking accounts in different orders deadlocked,
--     and the victim's schedule was counted as failed;
--   * a deadlock, serialization failure or lock timeout while creating the
--     report is not the schedule's failure: the run is removed, next_run_at
--     is left as it is, and the next tick takes the schedule again.
-- Who may call (service_role, pg_cron) and the invariants are unchanged.

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
    -- The 500 most overdue, locked in account order: every report takes its
    -- account's usage counter lock until commit, so overlapping dispatchers
    -- must take those locks in one order or they deadlock.
    select s.* from reports.schedules s
    where s.id in (select d.id from reports.schedules d
                   where d.active and d.next_run_at <= p_now
                   order by d.next_run_at
                   limit 500)
      and s.active and s.next_run_at <= p_now
    order by s.account_id, s.next_run_at
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
      exception
        when deadlock_detected or serialization_failure or lock_not_available then
          -- Contention, not the schedule's fault: no run, no failure counted;
          -- it stays due and the next tick takes it.
          delete from reports.schedule_runs r where r.id = v_run_id;
          perform set_config('reports.dispatching', 'on', true);
          continue;
        when others then
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
