-- Reports outgoing webhooks: the events the database emits by itself.
--   report_generations: status -> completed emits report.completed,
--                       status -> failed    emits report.failed;
--   schedule_runs:      a run inserted as, or changed to, failed emits
--                       schedule.run_failed.
-- (lead.created is added with reports.leads, issue 13's leads migration:
-- a trigger after insert on reports.leads calling private.reports_emit_event.)
--
-- The triggers fire once per transition (status changes only once to a
-- final state: report_generations_status refuses the way back), run as the
-- database owner (the writers are definer RPCs and the service role, and
-- emitting must not depend on their grants), and put in `data` ids and
-- outcomes only: never file paths, e-mails or params a receiver was not
-- meant to see. Emitting enqueues; nothing is sent inside the writer's
-- transaction, and a rollback takes the deliveries with it.

create or replace function private.reports_emit_generation_event()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.status in ('completed', 'failed') and new.status is distinct from old.status then
    perform private.reports_emit_event(
      new.account_id,
      case new.status when 'completed' then 'report.completed' else 'report.failed' end,
      jsonb_strip_nulls(jsonb_build_object(
        'report_id', new.id,
        'report_type', new.report_type,
        'status', new.status,
        'generated_at', new.generated_at,
        'processing_time_ms', new.processing_time_ms,
        'formats', case when new.status = 'completed' then to_jsonb(array_remove(array[
                     case when new.html_url is not null then 'html' end,
                     case when new.json_url is not null then 'json' end,
                     case when new.csv_url is not null then 'csv' end,
                     case when new.pdf_url is not null then 'pdf' end], null)) end,
        'error', case when new.status = 'failed' then new.error_message end)));
  end if;
  return null;
end;
$$;

create trigger report_generations_emit_webhook
  after update of status on reports.report_generations
  for each row execute function private.reports_emit_generation_event();

create or replace function private.reports_emit_schedule_run_event()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_account uuid;
begin
  if new.status = 'failed' and (tg_op = 'INSERT' or old.status is distinct from 'failed') then
    select s.account_id into v_account from reports.schedules s where s.id = new.schedule_id;
    perform private.reports_emit_event(
      v_account, 'schedule.run_failed',
      jsonb_strip_nulls(jsonb_build_object(
        'schedule_id', new.schedule_id,
        'run_id', new.id,
        'report_id', new.report_run_id,
        'error', new.error,
        'started_at', new.started_at,
        'finished_at', new.finished_at)));
  end if;
  return null;
end;
$$;

create trigger schedule_runs_emit_webhook
  after insert or update of status on reports.schedule_runs
  for each row execute function private.reports_emit_schedule_run_event();

revoke execute on function private.reports_emit_generation_event() from public, anon, authenticated;
revoke execute on function private.reports_emit_schedule_run_event() from public, anon, authenticated;
