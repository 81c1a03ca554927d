-- Reports: the public landing page of a property report, and the counting
-- of its views.
--   * reports.report_visitors: who has been seen on which report on which
--     (UTC) day, as a hash; the one place "unique" is decided for property
--     reports (landing views) and consumer reports ('open' events). A
--     visitor is sha256(trusted client address private.request_ip() | the
--     optional session id the page sends): never the raw address;
--   * reports.property_report_landing(p_short_code text, p_session_id text
--     default null) returns jsonb (anon and authenticated): what the page
--     shows and nothing else (shape in docs/reports.md): address, city,
--     state, zip, report type, theme, selected pages, a comparables summary
--     (whitelisted keys only), the agent's display name, photo, licence,
--     headline, sub-headline and call to action, the branding's name, colours
--     and logo, whether the PDF is ready. Never an account id, user id,
--     report id, e-mail, phone or storage path (images only as https URLs).
--     An unknown, switched-off or expired report is PT404 (one answer for
--     all three, so codes cannot be probed for state). Each call counts one
--     view: property_reports.view_count and property_report_stats.total_views
--     always, property_report_stats_daily.views for today; unique_visitors /
--     unique_views the first time the visitor is seen on the report (ever),
--     and the daily unique_views the first time that day. The report row is
--     locked first, so concurrent views never lose a count.
-- Who may do what: report_visitors is read by platform admins only (hashes
-- of addresses are no business of the account) and written by the database.

create table reports.report_visitors (
  id uuid primary key default extensions.gen_random_uuid(),
  property_report_id uuid references reports.property_reports (id) on delete cascade,
  consumer_report_id uuid references reports.consumer_reports (id) on delete cascade,
  visitor_hash text not null check (visitor_hash ~ '^[0-9a-f]{64}$'),
  day date not null default (now() at time zone 'UTC')::date,
  created_at timestamptz not null default now(),
  constraint report_visitors_one_report check ((property_report_id is null) <> (consumer_report_id is null))
);

comment on table reports.report_visitors is
  'Reports: hashed visitors per report and UTC day, for unique views (written by the landing and event RPCs).';

create unique index report_visitors_property_day_key on reports.report_visitors (property_report_id, visitor_hash, day)
  where property_report_id is not null;
create unique index report_visitors_consumer_day_key on reports.report_visitors (consumer_report_id, visitor_hash, day)
  where consumer_report_id is not null;
create index report_visitors_property_report_id_idx on reports.report_visitors (property_report_id, visitor_hash);
create index report_visitors_consumer_report_id_idx on reports.report_visitors (consumer_report_id, visitor_hash);

alter table reports.report_visitors enable row level security;
revoke all on reports.report_visitors from anon, authenticated, service_role;
grant select on reports.report_visitors to authenticated;
grant all on reports.report_visitors to service_role;

create policy "report_visitors: platform admins read"
  on reports.report_visitors for select to authenticated
  using ((select private.is_platform_admin()));

-- The visitor of this request: sha256 of the trusted address and the session.
create or replace function private.reports_visitor_hash(p_session_id text)
returns text
language sql
stable
set search_path = ''
as $$
  select encode(extensions.digest(coalesce(host(private.request_ip()), '-') || '|' || coalesce(p_session_id, ''), 'sha256'), 'hex');
$$;
revoke execute on function private.reports_visitor_hash(text) from public, anon, authenticated;

-- Records the visitor on a report today; answers (new today, new ever).
create or replace function private.reports_see_visitor(p_property_report_id uuid, p_consumer_report_id uuid, p_session_id text,
                                                       out new_today boolean, out new_ever boolean)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_hash text := private.reports_visitor_hash(p_session_id);
  v_today date := (now() at time zone 'UTC')::date;
begin
  new_ever := not exists (
    select 1 from reports.report_visitors v
    where v_hash = v.visitor_hash
      and (v.property_report_id = p_property_report_id or v.consumer_report_id = p_consumer_report_id));
  if p_property_report_id is not null then
    insert into reports.report_visitors (property_report_id, visitor_hash, day) values (p_property_report_id, v_hash, v_today)
    on conflict (property_report_id, visitor_hash, day) where property_report_id is not null do nothing;
  else
    insert into reports.report_visitors (consumer_report_id, visitor_hash, day) values (p_consumer_report_id, v_hash, v_today)
    on conflict (consumer_report_id, visitor_hash, day) where consumer_report_id is not null do nothing;
  end if;
  new_today := found;
  new_ever := new_ever and new_today;
end;
$$;
revoke execute on function private.reports_see_visitor(uuid, uuid, text) from public, anon, authenticated;

-- Only these keys of a comparable reach the public page.
create or replace function private.reports_public_comparables(p_comparables jsonb)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select jsonb_build_object(
    'count', coalesce(jsonb_array_length(c.list), 0),
    'median_sold_price', (select percentile_cont(0.5) within group (order by (e ->> 'sold_price')::numeric)
                          from jsonb_array_elements(c.list) e where jsonb_typeof(e -> 'sold_price') = 'number'),
    'min_sold_price', (select min((e ->> 'sold_price')::numeric) from jsonb_array_elements(c.list) e
                       where jsonb_typeof(e -> 'sold_price') = 'number'),
    'max_sold_price', (select max((e ->> 'sold_price')::numeric) from jsonb_array_elements(c.list) e
                       where jsonb_typeof(e -> 'sold_price') = 'number'),
    'items', coalesce((
      select jsonb_agg(
               (select coalesce(jsonb_object_agg(k.key, k.value), '{}'::jsonb) from jsonb_each(e.value) k
                where k.key in ('address', 'city', 'state', 'postal_code', 'sold_price', 'sold_at', 'list_price',
                                'living_area_sqft', 'bedrooms', 'bathrooms', 'year_built', 'price_per_sqft',
                                'distance_km', 'similarity')
                  and jsonb_typeof(k.value) in ('string', 'number'))
               order by e.ordinality)
      from jsonb_array_elements(c.list) with ordinality e
      where jsonb_typeof(e.value) = 'object' and e.ordinality <= 12), '[]'::jsonb))
  from (select case when jsonb_typeof(p_comparables) = 'array' then p_comparables else '[]'::jsonb end as list) c;
$$;
revoke execute on function private.reports_public_comparables(jsonb) from public, anon, authenticated;

create or replace function reports.property_report_landing(p_short_code text, p_session_id text default null)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_code text := upper(btrim(coalesce(p_short_code, '')));
  v_report reports.property_reports;
  v_seen record;
  v_today date := (now() at time zone 'UTC')::date;
  v_branding jsonb;
begin
  if char_length(p_session_id) > 128 then
    raise exception 'session_id: at most 128 characters' using errcode = '22023';
  end if;
  if v_code !~ '^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$' then
    raise exception 'short_code: no such report' using errcode = 'PT404';
  end if;
  -- Locked: the counters below are read-modify-write.
  select * into v_report from reports.property_reports r where r.short_code = v_code for update;
  if v_report.id is null or not v_report.is_active or (v_report.expires_at is not null and v_report.expires_at <= now()) then
    raise exception 'short_code: no such report' using errcode = 'PT404';
  end if;

  select * into v_seen from private.reports_see_visitor(v_report.id, null, nullif(p_session_id, ''));
  update reports.property_reports r set
    view_count = r.view_count + 1,
    unique_visitors = r.unique_visitors + v_seen.new_ever::int
  where r.id = v_report.id;
  insert into reports.property_report_stats as s (property_report_id, total_views, unique_views)
  values (v_report.id, 1, v_seen.new_ever::int)
  on conflict (property_report_id) do update set
    total_views = s.total_views + 1, unique_views = s.unique_views + v_seen.new_ever::int;
  insert into reports.property_report_stats_daily as d (property_report_id, date, views, unique_views)
  values (v_report.id, v_today, 1, v_seen.new_today::int)
  on conflict (property_report_id, date) do update set
    views = d.views + 1, unique_views = d.unique_views + v_seen.new_today::int;

  v_branding := private.reports_branding_for(v_report.account_id, v_report.user_id);
  return jsonb_build_object(
    'short_code', v_report.short_code,
    'report_type', v_report.report_type,
    'theme', v_report.theme,
    'selected_pages', v_report.selected_pages,
    'property', jsonb_build_object(
      'address', v_report.property_address, 'city', v_report.property_city,
      'state', v_report.property_state, 'zip', v_report.property_zip),
    'comparables', private.reports_public_comparables(v_report.comparables),
    'agent', case when v_branding -> 'agent' is not null and jsonb_typeof(v_branding -> 'agent') = 'object' then jsonb_build_object(
      'name', v_branding #>> '{agent,name}',
      'photo_url', case when v_branding #>> '{agent,photo_url}' ~ '^https://' then v_branding #>> '{agent,photo_url}' end,
      'license_number', v_branding #>> '{agent,license_number}',
      'headline', v_branding #>> '{agent,headline}',
      'subheadline', v_branding #>> '{agent,subheadline}',
      'cta', v_branding #>> '{agent,cta}') end,
    'branding', jsonb_build_object(
      'display_name', v_branding ->> 'display_name',
      'logo_url', case when v_branding ->> 'logo_url' ~ '^https://' then v_branding ->> 'logo_url' end,
      'primary_color', v_branding ->> 'primary_color',
      'accent_color', v_branding ->> 'accent_color'),
    'pdf_available', v_report.status = 'completed' and v_report.pdf_url is not null);
end;
$$;

comment on function reports.property_report_landing(text, text) is
  'Public landing page of a property report by short code (anon): only what the page shows; counts the view. PT404 if unknown, off or expired.';

revoke execute on function reports.property_report_landing(text, text) from public;
grant execute on function reports.property_report_landing(text, text) to anon, authenticated, service_role;
