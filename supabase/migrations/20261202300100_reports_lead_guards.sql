-- Reports (seed 004), part 2: what keeps abusers off the lead form.
--   * reports.blocked_ips: addresses and CIDR ranges (inet) refused on the
--     lead form, platform-wide: seed columns id, ip_address, reason,
--     created_at, plus created_by, hit_count and last_hit_at (how often a
--     blocked sender tried, so admins see that a block works without the
--     sender ever being told). A stored value is its network
--     (10.0.0.7/24 becomes 10.0.0.0/24); ranges wider than /8 (IPv4) or /32
--     (IPv6) are refused ('22023'), as is a duplicate (23505). Matching is
--     `ip_address >>= <sender>` on a GiST (inet_ops) index;
--   * reports.lead_rate_limits: the sliding windows, seed columns id,
--     ip_address, property_report_id, attempt_count, window_start, plus
--     refused_count. One row per sender, report and minute: attempt_count
--     counts the leads accepted in that minute, refused_count the
--     submissions refused for the limit. A sender's window is the sum over
--     its rows of the last 10 minutes (all reports), a report's the sum over
--     its rows of the last hour (all senders). An IPv6 sender is counted by
--     its /64 (one subscriber's network), an IPv4 sender by its address; an
--     unknown address (no trusted header) is one shared sender. Rows older
--     than a day are pruned by pg_cron (reports-prune-lead-rate-limits).
-- Who may do what: platform admins read both tables and add, change (reason
-- only) and remove blocked addresses; service_role everything; nobody else
-- sees or writes either (an address is personal data, and the limits are
-- the database's).

create table reports.blocked_ips (
  id uuid primary key default extensions.gen_random_uuid(),
  ip_address inet not null,
  reason text check (char_length(reason) <= 500),
  created_by uuid default auth.uid() references public.profiles (id) on delete set null,
  hit_count integer not null default 0 check (hit_count >= 0),
  last_hit_at timestamptz,
  created_at timestamptz not null default now(),
  constraint blocked_ips_ip_address_key unique (ip_address)
);

comment on table reports.blocked_ips is
  'Reports (seed 004): addresses and CIDR ranges refused on the lead form (answered like a success, counted in hit_count).';
comment on column reports.blocked_ips.hit_count is 'Added: lead submissions refused by this row (the sender is not told).';

create index blocked_ips_ip_address_gist on reports.blocked_ips using gist (ip_address inet_ops);
create index blocked_ips_created_by_idx on reports.blocked_ips (created_by);

-- One spelling per range, and no range that would block a continent.
create or replace function private.reports_blocked_ip_normalise()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.ip_address := network(new.ip_address)::inet;
  if masklen(new.ip_address) < (case when family(new.ip_address) = 4 then 8 else 32 end) then
    raise exception 'ip_address: at most a /8 (IPv4) or /32 (IPv6) range' using errcode = '22023';
  end if;
  return new;
end;
$$;
revoke execute on function private.reports_blocked_ip_normalise() from public, anon, authenticated;

create trigger blocked_ips_normalise before insert or update of ip_address on reports.blocked_ips
  for each row execute function private.reports_blocked_ip_normalise();

create table reports.lead_rate_limits (
  id uuid primary key default extensions.gen_random_uuid(),
  ip_address inet,
  property_report_id uuid references reports.property_reports (id) on delete cascade,
  attempt_count integer not null default 1 check (attempt_count >= 0),
  refused_count integer not null default 0 check (refused_count >= 0),
  window_start timestamptz not null default date_trunc('minute', now())
);

comment on table reports.lead_rate_limits is
  'Reports (seed 004): lead submissions per sender, report and minute (accepted in attempt_count, refused for the limit in refused_count).';
comment on column reports.lead_rate_limits.refused_count is 'Added: submissions refused for the rate limit in this minute.';

create unique index lead_rate_limits_bucket_key on reports.lead_rate_limits (ip_address, property_report_id, window_start)
  nulls not distinct;
create index lead_rate_limits_ip_window_idx on reports.lead_rate_limits (ip_address, window_start);
create index lead_rate_limits_report_window_idx on reports.lead_rate_limits (property_report_id, window_start);
create index lead_rate_limits_window_idx on reports.lead_rate_limits (window_start);

create or replace function private.reports_prune_lead_rate_limits()
returns integer
language sql
volatile
set search_path = ''
as $$
  with gone as (delete from reports.lead_rate_limits r where r.window_start < now() - interval '1 day' returning 1)
  select count(*)::integer from gone;
$$;
revoke execute on function private.reports_prune_lead_rate_limits() from public, anon, authenticated;

select cron.schedule('reports-prune-lead-rate-limits', '23 * * * *', 'select private.reports_prune_lead_rate_limits()');

-- ---------------------------------------------------------------- grants and RLS
revoke all on reports.blocked_ips, reports.lead_rate_limits from anon, authenticated, service_role;
grant select on reports.blocked_ips, reports.lead_rate_limits to authenticated;
grant insert (ip_address, reason) on reports.blocked_ips to authenticated;
grant update (reason) on reports.blocked_ips to authenticated;
grant delete on reports.blocked_ips to authenticated;
grant all on reports.blocked_ips, reports.lead_rate_limits to service_role;

alter table reports.blocked_ips enable row level security;
alter table reports.lead_rate_limits enable row level security;

create policy "blocked_ips: platform admins read"
  on reports.blocked_ips for select to authenticated
  using ((select private.is_platform_admin()));
create policy "blocked_ips: platform admins add"
  on reports.blocked_ips for insert to authenticated
  with check ((select private.is_platform_admin()));
create policy "blocked_ips: platform admins change"
  on reports.blocked_ips for update to authenticated
  using ((select private.is_platform_admin()))
  with check ((select private.is_platform_admin()));
create policy "blocked_ips: platform admins remove"
  on reports.blocked_ips for delete to authenticated
  using ((select private.is_platform_admin()));

create policy "lead_rate_limits: platform admins read"
  on reports.lead_rate_limits for select to authenticated
  using ((select private.is_platform_admin()));
