-- Reports (seed 004), part 2: leads captured on a property report's public
-- landing page.
--   * reports.leads: every seed column (id, account_id, property_report_id,
--     name, email, phone, message, source, consent_given, status,
--     sms_sent_at, email_sent_at, created_at), plus agent_id (the report's
--     author when the lead came in: the agent notified and credited on the
--     leaderboard; kept when the report is deleted);
--   * the status machine (trigger leads_status_machine): new -> contacted ->
--     qualified -> converted | lost, and new | contacted -> lost; anything
--     else is PT409; converted and lost are final. Setting the same status
--     again changes nothing;
--   * property_report_stats.total_leads and property_report_stats_daily.leads
--     (the lead's UTC day) follow inserts and deletes (trigger
--     leads_count_stats), so they always equal the count of the report's
--     leads;
--   * reports.sms_logs.lead_id now references reports.leads (on delete set
--     null: a log outlives the lead);
--   * queue reports.leads (worker function reports-leads): one job per lead
--     notifies the agent, so the public answer never waits on a provider.
-- Who may do what: the account's members read its leads and change their
-- status (the only column granted to clients); owners and admins also delete
-- them; platform admins read every lead; nobody inserts but the backend
-- (private.reports_submit_lead, service_role), which checks consent, input,
-- blocked addresses and rate limits first.
-- Invariants: a lead exists only with consent and a way to reach the person
-- (email or E.164 phone); source and status are listed values; sizes capped.

create table reports.leads (
  id uuid primary key default extensions.gen_random_uuid(),
  account_id uuid not null references public.accounts (id) on delete cascade,
  property_report_id uuid references reports.property_reports (id) on delete set null,
  agent_id uuid references public.profiles (id) on delete set null,
  name text check (char_length(btrim(name)) between 1 and 200),
  email text check (char_length(email) <= 254 and email ~ '^[^[:space:]@]+@[^[:space:]@]+\.[^[:space:]@]+$'),
  phone text check (phone ~ '^\+[1-9][0-9]{6,14}$'),
  message text check (char_length(message) <= 2000),
  source text not null default 'landing_page'
    check (source in ('landing_page', 'qr_code', 'share_link', 'email', 'sms', 'other')),
  consent_given boolean not null default false,
  status text not null default 'new' check (status in ('new', 'contacted', 'qualified', 'converted', 'lost')),
  sms_sent_at timestamptz,
  email_sent_at timestamptz,
  created_at timestamptz not null default now(),
  constraint leads_consent check (consent_given),
  constraint leads_contact check (email is not null or phone is not null)
);

comment on table reports.leads is
  'Reports (seed 004): leads from property report landing pages; created by private.reports_submit_lead, status changed by members.';
comment on column reports.leads.agent_id is 'Added: the report''s author when the lead came in (notified; counted on the leaderboard).';
comment on column reports.leads.source is 'Where on the landing page: landing_page, qr_code, share_link, email, sms, other.';

create index leads_account_id_created_at_idx on reports.leads (account_id, created_at desc);
create index leads_property_report_id_idx on reports.leads (property_report_id);
create index leads_agent_id_status_idx on reports.leads (agent_id, status);

-- ---------------------------------------------------------------- status machine
create or replace function private.reports_lead_status_machine()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.status is distinct from old.status and not (
       (old.status = 'new' and new.status in ('contacted', 'lost'))
    or (old.status = 'contacted' and new.status in ('qualified', 'lost'))
    or (old.status = 'qualified' and new.status in ('converted', 'lost'))) then
    raise exception 'status: a lead cannot go from % to %', old.status, new.status using errcode = 'PT409';
  end if;
  return new;
end;
$$;
revoke execute on function private.reports_lead_status_machine() from public, anon, authenticated;

create trigger leads_status_machine before update of status on reports.leads
  for each row execute function private.reports_lead_status_machine();

-- ---------------------------------------------------------------- stats
-- Definer: the stats tables are written by the database only, whoever
-- inserted or deleted the lead.
create or replace function private.reports_lead_count_stats()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_report uuid := case when tg_op = 'INSERT' then new.property_report_id else old.property_report_id end;
  v_day date := ((case when tg_op = 'INSERT' then new.created_at else old.created_at end) at time zone 'UTC')::date;
  v_delta integer := case when tg_op = 'INSERT' then 1 else -1 end;
begin
  if v_report is null then
    return null;
  end if;
  insert into reports.property_report_stats as s (property_report_id, total_leads)
  values (v_report, greatest(v_delta, 0))
  on conflict (property_report_id) do update set total_leads = greatest(s.total_leads + v_delta, 0);
  insert into reports.property_report_stats_daily as d (property_report_id, date, leads)
  values (v_report, v_day, greatest(v_delta, 0))
  on conflict (property_report_id, date) do update set leads = greatest(d.leads + v_delta, 0);
  return null;
end;
$$;
revoke execute on function private.reports_lead_count_stats() from public, anon, authenticated;

create trigger leads_count_stats after insert or delete on reports.leads
  for each row execute function private.reports_lead_count_stats();

-- ---------------------------------------------------------------- sms_logs.lead_id
alter table reports.sms_logs
  add constraint sms_logs_lead_id_fkey foreign key (lead_id) references reports.leads (id) on delete set null;

-- ---------------------------------------------------------------- the notification queue
insert into public.job_queues (queue, worker_function, batch_size, lease_seconds)
values ('reports.leads', 'reports-leads', 10, 120);

-- ---------------------------------------------------------------- grants and RLS
revoke all on reports.leads from anon, authenticated, service_role;
grant select on reports.leads to authenticated;
grant update (status) on reports.leads to authenticated;
grant delete on reports.leads to authenticated;
grant all on reports.leads to service_role;

alter table reports.leads enable row level security;

create policy "leads: the account's members and platform admins read"
  on reports.leads for select to authenticated
  using (account_id in (select private.my_account_ids()) or (select private.is_platform_admin()));
create policy "leads: the account's members change the status"
  on reports.leads for update to authenticated
  using (account_id in (select private.my_account_ids()))
  with check (account_id in (select private.my_account_ids()));
create policy "leads: owners and admins remove"
  on reports.leads for delete to authenticated
  using (account_id in (select private.my_admin_account_ids()));
