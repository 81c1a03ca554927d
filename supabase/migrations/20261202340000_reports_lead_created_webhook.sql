-- Reports outgoing webhooks: lead.created.
--
-- Adds the trigger the webhooks migration (20261202330200) left for the
-- leads table: every lead stored emits `lead.created` to the account's
-- active endpoints subscribed to it, in the inserting transaction (a
-- rolled-back submission emits nothing). Refused submissions (blocked
-- address, rate limit) are never stored, so they never emit.
--
-- `data` carries ids and the lead's status and source only: the consumer's
-- name, e-mail, phone and message stay in the database, where the account's
-- members read them under RLS (a receiver fetches them through the API's
-- GET /leads with a `leads:read` key).

create or replace function private.reports_emit_lead_event()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.reports_emit_event(
    new.account_id, 'lead.created',
    jsonb_strip_nulls(jsonb_build_object(
      'lead_id', new.id,
      'property_report_id', new.property_report_id,
      'source', new.source,
      'status', new.status,
      'created_at', new.created_at)));
  return null;
end;
$$;
revoke execute on function private.reports_emit_lead_event() from public, anon, authenticated;

create trigger leads_emit_webhook
  after insert on reports.leads
  for each row execute function private.reports_emit_lead_event();
