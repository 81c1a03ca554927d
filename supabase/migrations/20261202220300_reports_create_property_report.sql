-- Reports: creating a property (CMA) report.
-- Adds:
--   * private.reports_property_pages() -> text[]: the fixed page list
--     (cover, property, comparables, market, estimate, agent), the same as
--     PROPERTY_REPORT_PAGES in packages/contracts/src/reports-generate.ts
--     (functions/report-generate/index.test.ts compares them);
--   * reports.create_property_report(p_account_id, p_property_address,
--     p_property_city, p_property_state, p_property_zip, p_theme default 1,
--     p_selected_pages default every page, p_report_type default 'cma',
--     p_apn, p_expires_at) -> uuid, for the account's owners, admins and
--     members (not affiliates: a report is metered): checks every field
--     (22023 naming it: theme 1-5, selected_pages a non-empty list of known
--     pages without repeats, the address, ZIP code, report type, an expiry
--     in the future), meters one unit of reports.property_report through
--     private.record_usage under the key 'property_report:<id>' (PT402 past
--     the plan's allowance unless it sells overage; nothing is created
--     then), inserts the row pending (short_code from rp-core's insert
--     trigger) and enqueues {"kind": "property_report", "id"} on
--     reports.render under the idempotency key 'property_report:<id>'.
-- Who may call it: authenticated (the member checks are inside); the row's
-- status, short_code, pdf_url, qr_code_url and counters are set by the
-- database and the worker, never by the caller.

create or replace function private.reports_property_pages()
returns text[]
language sql
immutable
set search_path = ''
as $$ select array['cover', 'property', 'comparables', 'market', 'estimate', 'agent'] $$;

comment on function private.reports_property_pages() is
  'The pages a property report may include, in print order (PROPERTY_REPORT_PAGES in the contracts).';

create or replace function reports.create_property_report(
  p_account_id uuid,
  p_property_address text,
  p_property_city text default null,
  p_property_state text default null,
  p_property_zip text default null,
  p_theme integer default 1,
  p_selected_pages jsonb default null,
  p_report_type text default 'cma',
  p_apn text default null,
  p_expires_at timestamptz default null
)
returns uuid
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_user uuid := (select auth.uid());
  v_role text;
  v_pages jsonb := coalesce(p_selected_pages, to_jsonb(private.reports_property_pages()));
  v_bad text;
  v_id uuid := extensions.gen_random_uuid();
  v_address text := regexp_replace(btrim(coalesce(p_property_address, '')), '\s+', ' ', 'g');
begin
  if v_user is null then
    raise exception 'account_id: sign in to create a report' using errcode = '42501';
  end if;
  v_role := private.member_role(p_account_id, v_user)::text;
  if v_role is null or v_role not in ('owner', 'admin', 'member') then
    raise exception 'account_id: only owners, admins and members create reports' using errcode = '42501';
  end if;
  if p_theme is null or p_theme not between 1 and 5 then
    raise exception 'theme: a number from 1 to 5' using errcode = '22023';
  end if;
  if jsonb_typeof(v_pages) <> 'array' or jsonb_array_length(v_pages) = 0 then
    raise exception 'selected_pages: a non-empty list of pages (%)', array_to_string(private.reports_property_pages(), ', ')
      using errcode = '22023';
  end if;
  select coalesce(e #>> '{}', e::text) into v_bad
  from jsonb_array_elements(v_pages) e
  where jsonb_typeof(e) <> 'string' or (e #>> '{}') <> all (private.reports_property_pages())
  limit 1;
  if v_bad is not null then
    raise exception 'selected_pages: unknown page %; pages are %', left(v_bad, 40), array_to_string(private.reports_property_pages(), ', ')
      using errcode = '22023';
  end if;
  if (select count(distinct e) from jsonb_array_elements_text(v_pages) e) <> jsonb_array_length(v_pages) then
    raise exception 'selected_pages: a page appears twice' using errcode = '22023';
  end if;
  if char_length(v_address) not between 1 and 300 then
    raise exception 'property_address: 1 to 300 characters' using errcode = '22023';
  end if;
  if p_property_zip is not null and btrim(p_property_zip) !~ '^[A-Za-z0-9][A-Za-z0-9 -]{1,11}$' then
    raise exception 'property_zip: 2 to 12 letters, digits, spaces or dashes' using errcode = '22023';
  end if;
  if char_length(p_property_city) > 100 then
    raise exception 'property_city: at most 100 characters' using errcode = '22023';
  end if;
  if char_length(p_property_state) > 100 then
    raise exception 'property_state: at most 100 characters' using errcode = '22023';
  end if;
  if char_length(p_apn) > 100 then
    raise exception 'apn: at most 100 characters' using errcode = '22023';
  end if;
  if p_report_type is null or p_report_type not in ('cma', 'seller', 'buyer', 'listing') then
    raise exception 'report_type: one of cma, seller, buyer, listing' using errcode = '22023';
  end if;
  if p_expires_at is not null and p_expires_at <= now() then
    raise exception 'expires_at: must be in the future' using errcode = '22023';
  end if;

  -- PT402 past the allowance (nothing is created); billable when overage.
  perform private.record_usage(p_account_id, 'reports.property_report', 1, 'property_report:' || v_id, v_user, v_id::text);

  insert into reports.property_reports (id, account_id, user_id, report_type, theme, property_address, property_city,
                                        property_state, property_zip, apn, status, selected_pages, expires_at)
  values (v_id, p_account_id, v_user, p_report_type, p_theme, v_address, nullif(btrim(p_property_city), ''),
          nullif(btrim(p_property_state), ''), nullif(btrim(p_property_zip), ''), nullif(btrim(p_apn), ''), 'pending',
          (select jsonb_agg(p order by o) from unnest(private.reports_property_pages()) with ordinality u(p, o)
           where v_pages ? p),
          p_expires_at);

  perform private.enqueue_job('reports.render', jsonb_build_object('kind', 'property_report', 'id', v_id), p_account_id,
                              'property_report:' || v_id);
  return v_id;
end;
$$;

comment on function reports.create_property_report(uuid, text, text, text, text, integer, jsonb, text, text, timestamptz) is
  'Members: create a property (CMA) report (theme 1-5, selected_pages from the fixed list), metered as reports.property_report and rendered by report-generate; returns its id.';

revoke execute on function private.reports_property_pages() from public, anon, authenticated;
grant execute on function private.reports_property_pages() to service_role;
revoke execute on function reports.create_property_report(uuid, text, text, text, text, integer, jsonb, text, text, timestamptz)
  from public, anon;
grant execute on function reports.create_property_report(uuid, text, text, text, text, integer, jsonb, text, text, timestamptz)
  to authenticated, service_role;
