-- Reports (seed 004), part 1: the shape. Twelve tables in schema `reports`
-- with every seed column, on the shared platform (accounts, profiles,
-- billing, usage, the job queue are the shared ones):
--   report_generations, schedules, schedule_runs, property_reports,
--   property_report_stats, property_report_stats_daily, consumer_reports,
--   report_analytics, email_log, email_suppressions, sms_logs,
--   affiliate_branding.
-- Later reports migrations add the rules (codes, landing page, consumer
-- requests, analytics, market statistics, generation lifecycle, schedules and
-- messaging); this one is the tables, their checks and who may see them.
--
-- Mapping (docs/reports.md has every column):
--   seed account_id        -> public.accounts (id)
--   seed user_id/agent_id  -> public.profiles (id)
--   added schedules.time_zone (IANA; the account's time zone by default)
--   added consumer_reports.account_id (the agent's account the consumer
--     reached: consumer reports are that account's, like every other row)
--   sms_logs.lead_id       a uuid without foreign key until issue 13 adds leads
--   email_log.schedule_id / report_id: no foreign key, as in the seed (a log
--     outlives the schedule or report it names)
--   job queue `reports.render` (worker function report-generate) for every
--     render job; public.job_queues requires `<product>.<queue>` names, so the
--     lead's `reports` is spelled `reports.render` (and mail `reports.mail`).
--
-- Who may do what:
--   * every table: the account's members read its rows; platform admins read
--     everything; anon reads nothing directly (public RPCs do that);
--   * schedules, email_suppressions, affiliate_branding: the account's owners
--     and admins insert, update and delete (their descriptive columns only:
--     column grants); an affiliate's branding is also read by the members of
--     the accounts it sponsors (it is applied to their reports); suppressions
--     a recipient asked for (unsubscribe, bounce, complaint) cannot be changed
--     or removed by the account, only 'manual' ones;
--   * property_reports: created through reports.create_property_report (it
--     meters and enqueues); the report's author and the account's owners and
--     admins switch it off or change when it expires (is_active, expires_at),
--     and delete it; short_code, qr_code_url, status, pdf_url and the counters
--     are never client-writable;
--   * report_generations, schedule_runs, property_report_stats(_daily),
--     consumer_reports, report_analytics, email_log, sms_logs: written only by
--     the backend (definer RPCs and service_role).
--
-- Invariants: every listed-values TEXT column is checked (status, cadence,
-- report_type, event_type, reason...); schedule times are in range and the
-- cadence has exactly its day (weekly_dow for weekly, monthly_dom for
-- monthly); a failed generation says why, a completed one when; counters are
-- never negative and unique counts never exceed totals; a consumer report
-- exists only with consent and a contact; affiliate_branding belongs to an
-- affiliate account; sizes are capped everywhere a client can write.

-- ---------------------------------------------------------------- market reports
create table reports.report_generations (
  id uuid primary key default extensions.gen_random_uuid(),
  account_id uuid not null references public.accounts (id) on delete cascade,
  user_id uuid references public.profiles (id) on delete set null,
  report_type text not null default 'market' check (report_type in ('market', 'property', 'consumer')),
  input_params jsonb not null default '{}'::jsonb
    check (jsonb_typeof(input_params) = 'object' and octet_length(input_params::text) <= 16384),
  -- Mirrors input_params.cities (trigger below), so a city is searchable by index.
  cities text[] check (cardinality(cities) <= 50),
  status text not null default 'pending' check (status in ('pending', 'processing', 'completed', 'failed')),
  html_url text check (char_length(html_url) <= 1000),
  json_url text check (char_length(json_url) <= 1000),
  csv_url text check (char_length(csv_url) <= 1000),
  pdf_url text check (char_length(pdf_url) <= 1000),
  error_message text check (char_length(error_message) <= 2000),
  processing_time_ms integer check (processing_time_ms >= 0),
  billable boolean not null default true,
  generated_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint report_generations_failed_says_why check (status <> 'failed' or error_message is not null),
  constraint report_generations_completed_when check (status <> 'completed' or generated_at is not null)
);

comment on table reports.report_generations is
  'Reports (seed 004): market report runs (pending -> processing -> completed / failed); created by reports.request_market_report.';
comment on column reports.report_generations.cities is 'Copy of input_params.cities (trigger-maintained).';
comment on column reports.report_generations.html_url is 'Storage object path in bucket reports (signed URLs from report-generate), like json_url, csv_url, pdf_url.';

create index report_generations_account_id_created_at_idx on reports.report_generations (account_id, created_at desc);
create index report_generations_user_id_idx on reports.report_generations (user_id);
create index report_generations_status_idx on reports.report_generations (status) where status in ('pending', 'processing');

-- ---------------------------------------------------------------- schedules
create table reports.schedules (
  id uuid primary key default extensions.gen_random_uuid(),
  account_id uuid not null references public.accounts (id) on delete cascade,
  report_type text not null default 'market' check (report_type in ('market')),
  city text check (char_length(btrim(city)) between 1 and 100),
  zip_codes text[] not null default '{}' check (cardinality(zip_codes) <= 50),
  cadence text not null check (cadence in ('daily', 'weekly', 'monthly')),
  weekly_dow integer check (weekly_dow between 0 and 6),
  monthly_dom integer check (monthly_dom between 1 and 31),
  send_hour integer not null check (send_hour between 0 and 23),
  send_minute integer not null default 0 check (send_minute between 0 and 59),
  recipients text[] not null default '{}' check (cardinality(recipients) <= 100),
  filters jsonb not null default '{}'::jsonb
    check (jsonb_typeof(filters) = 'object' and octet_length(filters::text) <= 4096),
  active boolean not null default true,
  consecutive_failures integer not null default 0 check (consecutive_failures >= 0),
  last_run_at timestamptz,
  next_run_at timestamptz,
  time_zone text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint schedules_weekly_has_dow check ((cadence = 'weekly') = (weekly_dow is not null)),
  constraint schedules_monthly_has_dom check ((cadence = 'monthly') = (monthly_dom is not null)),
  constraint schedules_has_area check (city is not null or cardinality(zip_codes) > 0)
);

comment on table reports.schedules is 'Reports (seed 004): recurring market reports mailed to recipients; owners and admins manage them.';
comment on column reports.schedules.time_zone is 'Added: the IANA zone send_hour/send_minute are in; the account''s time_zone by default.';
comment on column reports.schedules.monthly_dom is 'Day of month 1-31; a month without that day runs on its last day.';

create index schedules_account_id_idx on reports.schedules (account_id);
create index schedules_due_idx on reports.schedules (next_run_at) where active;

create table reports.schedule_runs (
  id uuid primary key default extensions.gen_random_uuid(),
  schedule_id uuid not null references reports.schedules (id) on delete cascade,
  report_run_id uuid references reports.report_generations (id) on delete set null,
  status text not null default 'started' check (status in ('started', 'completed', 'failed')),
  error text check (char_length(error) <= 2000),
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  constraint schedule_runs_finished check (status = 'started' or finished_at is not null),
  constraint schedule_runs_order check (finished_at is null or finished_at >= started_at)
);

comment on table reports.schedule_runs is 'Reports (seed 004): one row per schedule execution, with the report it produced.';

create index schedule_runs_schedule_id_started_at_idx on reports.schedule_runs (schedule_id, started_at desc);
create index schedule_runs_report_run_id_idx on reports.schedule_runs (report_run_id);

-- ---------------------------------------------------------------- property (CMA) reports
create table reports.property_reports (
  id uuid primary key default extensions.gen_random_uuid(),
  account_id uuid not null references public.accounts (id) on delete cascade,
  user_id uuid default auth.uid() references public.profiles (id) on delete set null,
  report_type text not null default 'cma' check (report_type in ('cma', 'seller', 'buyer', 'listing')),
  theme integer not null default 1 check (theme between 1 and 5),
  property_address text not null check (char_length(btrim(property_address)) between 1 and 300),
  property_city text check (char_length(property_city) <= 100),
  property_state text check (char_length(property_state) <= 100),
  property_zip text check (property_zip ~ '^[A-Za-z0-9][A-Za-z0-9 -]{1,11}$'),
  apn text check (char_length(apn) <= 100),
  sitex_data jsonb check (jsonb_typeof(sitex_data) = 'object' and octet_length(sitex_data::text) <= 262144),
  comparables jsonb check (jsonb_typeof(comparables) = 'array' and octet_length(comparables::text) <= 262144),
  pdf_url text check (char_length(pdf_url) <= 1000),
  status text not null default 'pending' check (status in ('pending', 'processing', 'completed', 'failed')),
  -- 8 characters of the unambiguous alphabet (no 0/O/1/I/L); filled on insert.
  short_code text unique check (short_code ~ '^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$'),
  qr_code_url text check (char_length(qr_code_url) <= 1000),
  view_count integer not null default 0 check (view_count >= 0),
  unique_visitors integer not null default 0 check (unique_visitors >= 0),
  is_active boolean not null default true,
  expires_at timestamptz,
  -- The pages of the report, in order, from the renderer's page list.
  selected_pages jsonb not null default '["cover", "property", "comparables", "market", "estimate", "agent"]'::jsonb
    check (jsonb_typeof(selected_pages) = 'array'
           and jsonb_array_length(selected_pages) between 1 and 6
           and selected_pages <@ '["cover", "property", "comparables", "market", "estimate", "agent"]'::jsonb),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint property_reports_unique_within_views check (unique_visitors <= view_count)
);

comment on table reports.property_reports is
  'Reports (seed 004): property (CMA) reports with a public landing page by short_code.';
comment on column reports.property_reports.short_code is 'Public code of the landing page (private.generate_short_code(), on insert).';
comment on column reports.property_reports.selected_pages is
  'Pages to render, a subset of cover, property, comparables, market, estimate, agent.';

create index property_reports_account_id_created_at_idx on reports.property_reports (account_id, created_at desc);
create index property_reports_user_id_idx on reports.property_reports (user_id);

create table reports.property_report_stats (
  id uuid primary key default extensions.gen_random_uuid(),
  property_report_id uuid not null unique references reports.property_reports (id) on delete cascade,
  total_views integer not null default 0 check (total_views >= 0),
  unique_views integer not null default 0 check (unique_views >= 0),
  total_leads integer not null default 0 check (total_leads >= 0),
  updated_at timestamptz not null default now(),
  constraint property_report_stats_unique_within_views check (unique_views <= total_views)
);

comment on table reports.property_report_stats is 'Reports (seed 004): a property report''s totals, kept by the database.';

create table reports.property_report_stats_daily (
  id uuid primary key default extensions.gen_random_uuid(),
  property_report_id uuid not null references reports.property_reports (id) on delete cascade,
  date date not null,
  views integer not null default 0 check (views >= 0),
  unique_views integer not null default 0 check (unique_views >= 0),
  leads integer not null default 0 check (leads >= 0),
  constraint property_report_stats_daily_unique_within_views check (unique_views <= views),
  unique (property_report_id, date)
);

comment on table reports.property_report_stats_daily is 'Reports (seed 004): a property report''s views per day (UTC), kept by the database.';

-- ---------------------------------------------------------------- consumer reports
create table reports.consumer_reports (
  id uuid primary key default extensions.gen_random_uuid(),
  account_id uuid not null references public.accounts (id) on delete cascade,
  agent_id uuid references public.profiles (id) on delete set null,
  agent_code text check (char_length(agent_code) <= 32),
  consumer_phone text check (consumer_phone ~ '^\+[1-9][0-9]{6,14}$'),
  consumer_email text check (char_length(consumer_email) <= 254 and consumer_email ~ '^[^[:space:]@]+@[^[:space:]@]+\.[^[:space:]@]+$'),
  consent_given boolean not null default false,
  property_address text not null check (char_length(btrim(property_address)) between 1 and 300),
  property_city text check (char_length(property_city) <= 100),
  property_state text check (char_length(property_state) <= 100),
  property_zip text check (property_zip ~ '^[A-Za-z0-9][A-Za-z0-9 -]{1,11}$'),
  property_data jsonb check (jsonb_typeof(property_data) = 'object' and octet_length(property_data::text) <= 262144),
  comparables jsonb check (jsonb_typeof(comparables) = 'array' and octet_length(comparables::text) <= 262144),
  market_stats jsonb check (jsonb_typeof(market_stats) = 'object' and octet_length(market_stats::text) <= 262144),
  value_estimate jsonb check (jsonb_typeof(value_estimate) = 'object' and octet_length(value_estimate::text) <= 16384),
  status text not null default 'pending' check (status in ('pending', 'processing', 'completed', 'failed')),
  pdf_url text check (char_length(pdf_url) <= 1000),
  view_count integer not null default 0 check (view_count >= 0),
  unique_views integer not null default 0 check (unique_views >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- A consumer report is made only for someone who agreed and can be reached.
  constraint consumer_reports_consent check (consent_given),
  constraint consumer_reports_contact check (consumer_phone is not null or consumer_email is not null),
  constraint consumer_reports_unique_within_views check (unique_views <= view_count)
);

comment on table reports.consumer_reports is
  'Reports (seed 004): reports a consumer asked for on an agent''s page (by agent_code); the agent''s account owns them.';
comment on column reports.consumer_reports.account_id is 'Added: the agent''s account the consumer reached (tenancy).';

create index consumer_reports_account_id_created_at_idx on reports.consumer_reports (account_id, created_at desc);
create index consumer_reports_agent_id_idx on reports.consumer_reports (agent_id);

create table reports.report_analytics (
  id uuid primary key default extensions.gen_random_uuid(),
  report_id uuid not null references reports.consumer_reports (id) on delete cascade,
  event_type text not null check (event_type in ('open', 'page_view', 'cta_click', 'share')),
  event_data jsonb not null default '{}'::jsonb
    check (jsonb_typeof(event_data) = 'object' and octet_length(event_data::text) <= 2048),
  session_id text check (char_length(session_id) between 1 and 128),
  device_type text check (device_type in ('desktop', 'mobile', 'tablet', 'other')),
  created_at timestamptz not null default now()
);

comment on table reports.report_analytics is 'Reports (seed 004): events on consumer reports, recorded by reports.track_report_event.';

create index report_analytics_report_id_created_at_idx on reports.report_analytics (report_id, created_at);

-- ---------------------------------------------------------------- messaging
create table reports.email_log (
  id uuid primary key default extensions.gen_random_uuid(),
  account_id uuid references public.accounts (id) on delete cascade,
  schedule_id uuid,
  report_id uuid,
  provider text check (provider ~ '^[a-z][a-z0-9_-]{1,31}$'),
  to_emails text[] not null default '{}' check (cardinality(to_emails) <= 100),
  subject text check (char_length(subject) <= 998),
  response_code integer check (response_code between 100 and 599),
  error text check (char_length(error) <= 2000),
  created_at timestamptz not null default now()
);

comment on table reports.email_log is 'Reports (seed 004): every email sent (or refused), by the backend.';

create index email_log_account_id_created_at_idx on reports.email_log (account_id, created_at desc);
create index email_log_schedule_id_idx on reports.email_log (schedule_id);
create index email_log_report_id_idx on reports.email_log (report_id);

create table reports.email_suppressions (
  id uuid primary key default extensions.gen_random_uuid(),
  -- null: suppressed for every account (e.g. a provider complaint).
  account_id uuid references public.accounts (id) on delete cascade,
  email text not null check (char_length(email) <= 254 and email ~ '^[^[:space:]@]+@[^[:space:]@]+\.[^[:space:]@]+$'),
  reason text not null default 'manual' check (reason in ('unsubscribe', 'bounce', 'complaint', 'manual')),
  created_at timestamptz not null default now()
);

comment on table reports.email_suppressions is
  'Reports (seed 004): addresses never mailed again (per account, or everywhere when account_id is null).';

create unique index email_suppressions_account_id_email_key
  on reports.email_suppressions (account_id, lower(email)) nulls not distinct;

create table reports.sms_logs (
  id uuid primary key default extensions.gen_random_uuid(),
  account_id uuid references public.accounts (id) on delete cascade,
  -- reports.leads (issue 13) will reference it.
  lead_id uuid,
  to_phone text not null check (to_phone ~ '^\+[1-9][0-9]{6,14}$'),
  from_phone text check (from_phone ~ '^\+[1-9][0-9]{6,14}$'),
  message text check (char_length(message) <= 1600),
  status text not null default 'queued'
    check (status in ('queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'refused')),
  twilio_sid text check (twilio_sid ~ '^[A-Za-z0-9_-]{1,64}$'),
  created_at timestamptz not null default now()
);

comment on table reports.sms_logs is 'Reports (seed 004): every SMS sent (or refused), by the backend; each spends pool sms.';

create index sms_logs_account_id_created_at_idx on reports.sms_logs (account_id, created_at desc);
create index sms_logs_lead_id_idx on reports.sms_logs (lead_id);

-- ---------------------------------------------------------------- branding
create table reports.affiliate_branding (
  account_id uuid primary key references public.accounts (id) on delete cascade,
  brand_display_name text check (char_length(btrim(brand_display_name)) between 1 and 100),
  logo_url text check (char_length(logo_url) <= 2000),
  primary_color text check (primary_color ~ '^#[0-9A-Fa-f]{6}$'),
  accent_color text check (accent_color ~ '^#[0-9A-Fa-f]{6}$'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

comment on table reports.affiliate_branding is
  'Reports (seed 004): an affiliate''s branding, applied to the reports of the accounts it sponsors.';

-- ---------------------------------------------------------------- triggers
create trigger report_generations_set_updated_at before update on reports.report_generations
  for each row execute function private.set_updated_at();
create trigger schedules_set_updated_at before update on reports.schedules
  for each row execute function private.set_updated_at();
create trigger property_reports_set_updated_at before update on reports.property_reports
  for each row execute function private.set_updated_at();
create trigger property_report_stats_set_updated_at before update on reports.property_report_stats
  for each row execute function private.set_updated_at();
create trigger consumer_reports_set_updated_at before update on reports.consumer_reports
  for each row execute function private.set_updated_at();
create trigger affiliate_branding_set_updated_at before update on reports.affiliate_branding
  for each row execute function private.set_updated_at();

-- cities follows input_params.cities (a text array in the parameters).
create or replace function private.reports_mirror_cities()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if jsonb_typeof(new.input_params -> 'cities') = 'array' then
    new.cities := array(select jsonb_array_elements_text(new.input_params -> 'cities'));
  elsif new.input_params ? 'cities' then
    raise exception 'input_params: cities must be an array of names' using errcode = '22023';
  end if;
  return new;
end;
$$;
revoke execute on function private.reports_mirror_cities() from public, anon, authenticated;

create trigger report_generations_mirror_cities
  before insert or update of input_params, cities on reports.report_generations
  for each row execute function private.reports_mirror_cities();

-- A schedule's time zone defaults to its account's; zones, ZIP codes and
-- recipients are validated with the field named (22023). Definer: it reads
-- the account and calls private helpers the caller may not execute.
create or replace function private.reports_schedule_check()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_item text;
begin
  if new.time_zone is null then
    select a.time_zone into new.time_zone from public.accounts a where a.id = new.account_id;
    new.time_zone := coalesce(new.time_zone, 'UTC');
  end if;
  if not private.is_time_zone(new.time_zone) then
    raise exception 'time_zone: unknown time zone "%"', left(new.time_zone, 64) using errcode = '22023';
  end if;
  foreach v_item in array new.zip_codes loop
    if v_item is null or v_item !~ '^[A-Za-z0-9][A-Za-z0-9 -]{1,11}$' then
      raise exception 'zip_codes: "%" is not a postal code', left(coalesce(v_item, 'null'), 20) using errcode = '22023';
    end if;
  end loop;
  foreach v_item in array new.recipients loop
    if v_item is null or char_length(v_item) > 254 or v_item !~ '^[^[:space:]@]+@[^[:space:]@]+\.[^[:space:]@]+$' then
      raise exception 'recipients: "%" is not an email address', left(coalesce(v_item, 'null'), 254) using errcode = '22023';
    end if;
  end loop;
  return new;
end;
$$;
revoke execute on function private.reports_schedule_check() from public, anon, authenticated;

create trigger schedules_check
  before insert or update of time_zone, zip_codes, recipients on reports.schedules
  for each row execute function private.reports_schedule_check();

-- One spelling per address, so the unique key and lookups agree.
create or replace function private.reports_normalise_suppression()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.email := lower(btrim(new.email));
  return new;
end;
$$;
revoke execute on function private.reports_normalise_suppression() from public, anon, authenticated;

create trigger email_suppressions_normalise
  before insert or update of email on reports.email_suppressions
  for each row execute function private.reports_normalise_suppression();

-- Branding belongs to affiliate accounts only (definer: reads the account
-- whatever the caller may see).
create or replace function private.reports_branding_is_affiliate()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not exists (select 1 from public.accounts a where a.id = new.account_id and a.account_type = 'affiliate') then
    raise exception 'account_id: branding belongs to an affiliate account' using errcode = '22023';
  end if;
  return new;
end;
$$;
revoke execute on function private.reports_branding_is_affiliate() from public, anon, authenticated;

create trigger affiliate_branding_is_affiliate
  before insert or update of account_id on reports.affiliate_branding
  for each row execute function private.reports_branding_is_affiliate();

-- ---------------------------------------------------------------- the render queue
insert into public.job_queues (queue, worker_function, batch_size, lease_seconds)
values ('reports.render', 'report-generate', 4, 300);

-- ---------------------------------------------------------------- grants
revoke all on all tables in schema reports from anon, authenticated, service_role;

grant select on all tables in schema reports to authenticated;

grant insert (account_id, report_type, city, zip_codes, cadence, weekly_dow, monthly_dom, send_hour, send_minute,
              recipients, filters, active, time_zone)
  on reports.schedules to authenticated;
grant update (city, zip_codes, cadence, weekly_dow, monthly_dom, send_hour, send_minute, recipients, filters, active,
              time_zone)
  on reports.schedules to authenticated;
grant delete on reports.schedules to authenticated;

grant update (is_active, expires_at) on reports.property_reports to authenticated;
grant delete on reports.property_reports to authenticated;

grant insert (account_id, email, reason) on reports.email_suppressions to authenticated;
grant update (email) on reports.email_suppressions to authenticated;
grant delete on reports.email_suppressions to authenticated;

grant insert (account_id, brand_display_name, logo_url, primary_color, accent_color)
  on reports.affiliate_branding to authenticated;
grant update (brand_display_name, logo_url, primary_color, accent_color) on reports.affiliate_branding to authenticated;
grant delete on reports.affiliate_branding to authenticated;

grant all on all tables in schema reports to service_role;

-- ---------------------------------------------------------------- RLS
alter table reports.report_generations enable row level security;
alter table reports.schedules enable row level security;
alter table reports.schedule_runs enable row level security;
alter table reports.property_reports enable row level security;
alter table reports.property_report_stats enable row level security;
alter table reports.property_report_stats_daily enable row level security;
alter table reports.consumer_reports enable row level security;
alter table reports.report_analytics enable row level security;
alter table reports.email_log enable row level security;
alter table reports.email_suppressions enable row level security;
alter table reports.sms_logs enable row level security;
alter table reports.affiliate_branding enable row level security;

create policy "report_generations: the account's members and platform admins read"
  on reports.report_generations for select to authenticated
  using (account_id in (select private.my_account_ids()) or (select private.is_platform_admin()));

create policy "schedules: the account's members and platform admins read"
  on reports.schedules for select to authenticated
  using (account_id in (select private.my_account_ids()) or (select private.is_platform_admin()));
create policy "schedules: owners and admins add"
  on reports.schedules for insert to authenticated
  with check (account_id in (select private.my_admin_account_ids()));
create policy "schedules: owners and admins change"
  on reports.schedules for update to authenticated
  using (account_id in (select private.my_admin_account_ids()))
  with check (account_id in (select private.my_admin_account_ids()));
create policy "schedules: owners and admins remove"
  on reports.schedules for delete to authenticated
  using (account_id in (select private.my_admin_account_ids()));

create policy "schedule_runs: the schedule's members and platform admins read"
  on reports.schedule_runs for select to authenticated
  using (
    schedule_id in (select s.id from reports.schedules s where s.account_id in (select private.my_account_ids()))
    or (select private.is_platform_admin())
  );

create policy "property_reports: the account's members and platform admins read"
  on reports.property_reports for select to authenticated
  using (account_id in (select private.my_account_ids()) or (select private.is_platform_admin()));
create policy "property_reports: the author, owners and admins change"
  on reports.property_reports for update to authenticated
  using ((user_id = (select auth.uid()) and account_id in (select private.my_account_ids()))
         or account_id in (select private.my_admin_account_ids()))
  with check ((user_id = (select auth.uid()) and account_id in (select private.my_account_ids()))
              or account_id in (select private.my_admin_account_ids()));
create policy "property_reports: the author, owners and admins remove"
  on reports.property_reports for delete to authenticated
  using ((user_id = (select auth.uid()) and account_id in (select private.my_account_ids()))
         or account_id in (select private.my_admin_account_ids()));

create policy "property_report_stats: the report's members and platform admins read"
  on reports.property_report_stats for select to authenticated
  using (
    property_report_id in (select r.id from reports.property_reports r where r.account_id in (select private.my_account_ids()))
    or (select private.is_platform_admin())
  );

create policy "property_report_stats_daily: the report's members and platform admins read"
  on reports.property_report_stats_daily for select to authenticated
  using (
    property_report_id in (select r.id from reports.property_reports r where r.account_id in (select private.my_account_ids()))
    or (select private.is_platform_admin())
  );

create policy "consumer_reports: the account's members and platform admins read"
  on reports.consumer_reports for select to authenticated
  using (account_id in (select private.my_account_ids()) or (select private.is_platform_admin()));

create policy "report_analytics: the report's members and platform admins read"
  on reports.report_analytics for select to authenticated
  using (
    report_id in (select c.id from reports.consumer_reports c where c.account_id in (select private.my_account_ids()))
    or (select private.is_platform_admin())
  );

create policy "email_log: the account's members and platform admins read"
  on reports.email_log for select to authenticated
  using (account_id in (select private.my_account_ids()) or (select private.is_platform_admin()));

create policy "email_suppressions: the account's members and platform admins read"
  on reports.email_suppressions for select to authenticated
  using (account_id in (select private.my_account_ids()) or (select private.is_platform_admin()));
create policy "email_suppressions: owners and admins add"
  on reports.email_suppressions for insert to authenticated
  with check (account_id in (select private.my_admin_account_ids()));
-- What a recipient asked for (unsubscribe, bounce, complaint) stays.
create policy "email_suppressions: owners and admins change manual ones"
  on reports.email_suppressions for update to authenticated
  using (reason = 'manual' and account_id in (select private.my_admin_account_ids()))
  with check (reason = 'manual' and account_id in (select private.my_admin_account_ids()));
create policy "email_suppressions: owners and admins remove manual ones"
  on reports.email_suppressions for delete to authenticated
  using (reason = 'manual' and account_id in (select private.my_admin_account_ids()));

create policy "sms_logs: the account's members and platform admins read"
  on reports.sms_logs for select to authenticated
  using (account_id in (select private.my_account_ids()) or (select private.is_platform_admin()));

create policy "affiliate_branding: the affiliate's and its sponsored accounts' members, platform admins read"
  on reports.affiliate_branding for select to authenticated
  using (
    account_id in (select private.my_account_ids())
    or account_id in (select a.sponsor_account_id from public.accounts a where a.id in (select private.my_account_ids()))
    or (select private.is_platform_admin())
  );
create policy "affiliate_branding: the affiliate's owners and admins add"
  on reports.affiliate_branding for insert to authenticated
  with check (account_id in (select private.my_admin_account_ids()));
create policy "affiliate_branding: the affiliate's owners and admins change"
  on reports.affiliate_branding for update to authenticated
  using (account_id in (select private.my_admin_account_ids()))
  with check (account_id in (select private.my_admin_account_ids()));
create policy "affiliate_branding: the affiliate's owners and admins remove"
  on reports.affiliate_branding for delete to authenticated
  using (account_id in (select private.my_admin_account_ids()));
