-- Reports (seed 004), part 2: scheduled mail reaches contacts and groups.
-- Redefines private.reports_mail_context (rp-msg, 20261202230300) so its
-- `recipients` list is private.reports_schedule_addresses(schedule): the
-- schedule's addresses + its contacts + its groups' contacts, lower-cased,
-- each once (20261202310100). Everything else in the context is unchanged.
--
-- Suppressions: the list deliberately still holds suppressed addresses;
-- private.reports_mail_claim_recipients checks each against the account's
-- and the global suppressions and logs it `skipped` instead of sending, so a
-- suppressed contact is honoured exactly as a suppressed address is (and the
-- email_log says why it was not mailed).
--
-- Who may call it: service_role only (as rp-msg grants it; repeated here
-- because on a branch without rp-msg's migration this one creates it).
--
-- Ordering: rp-msg's migration (20261202230300) runs first and this one
-- replaces its definition; the answer's shape is unchanged, only the
-- recipients grow.

create or replace function private.reports_mail_context(p_schedule_run_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object(
    'schedule_run_id', r.id,
    'schedule_id', s.id,
    'account_id', s.account_id,
    'account_name', a.name,
    'report_id', g.id,
    'report_type', g.report_type,
    'report_status', g.status,
    'cities', to_jsonb(g.cities),
    'zip_codes', g.input_params -> 'zip_codes',
    'period_start', g.input_params ->> 'period_start',
    'period_end', g.input_params ->> 'period_end',
    'urls', jsonb_build_object('html', g.html_url, 'json', g.json_url, 'csv', g.csv_url, 'pdf', g.pdf_url),
    'recipients', to_jsonb(array(select x.email from private.reports_schedule_addresses(s.id) x order by 1)))
  from reports.schedule_runs r
  join reports.schedules s on s.id = r.schedule_id
  join public.accounts a on a.id = s.account_id
  join reports.report_generations g on g.id = r.report_run_id
  where r.id = p_schedule_run_id;
$$;

revoke execute on function private.reports_mail_context(uuid) from public, anon, authenticated;
grant execute on function private.reports_mail_context(uuid) to service_role;
