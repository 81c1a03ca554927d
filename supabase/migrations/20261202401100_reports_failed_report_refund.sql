-- A market report that fails gives its charge back.
--
-- Until now a failed report kept its usage unit (docs/reports.md said so):
-- the allowance paid for an attempt that delivered nothing. This adds the
-- trigger report_generations_refund_failed: when a report becomes failed, by
-- any path (the worker's private.reports_fail_generation, the abandoned-job
-- sweep, a service-role update), private.refund_usage gives back the unit
-- recorded under the report's key report:<id>.
--
-- Who may do what: unchanged; the trigger runs as its definer.
-- Invariants:
--   * a failed report's usage event is refunded exactly once (failed is final:
--     the status machine allows no way out of it, and refund_usage is
--     idempotent by key);
--   * a completed report keeps its charge; the event row is never deleted.

create or replace function private.reports_refund_failed_generation()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.refund_usage(new.account_id, 'report:' || new.id, 'report failed: ' || coalesce(left(new.error_message, 200), 'no reason given'));
  return null;
end;
$$;
revoke execute on function private.reports_refund_failed_generation() from public, anon, authenticated;

create trigger report_generations_refund_failed
  after update of status on reports.report_generations
  for each row
  when (new.status = 'failed' and old.status is distinct from 'failed')
  execute function private.reports_refund_failed_generation();
