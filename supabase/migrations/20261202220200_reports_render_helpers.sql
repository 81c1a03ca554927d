-- Reports rendering: what the report-generate worker asks the database.
-- Adds:
--   * private.reports_value_subject(p_address, p_city, p_zip) -> jsonb: the
--     subject of a property or consumer report found in homes.properties
--     (same address, case and spaces ignored, in that ZIP code, else city)
--     and valued by the Homes engine (private.homes_compute_valuation:
--     comparables, estimate, range, confidence; nothing is stored or
--     charged). Each comparable gets its street address only when its home
--     is on the public market (listed, or a listing active / under
--     contract / sold): the address of a private home never reaches a
--     report; the subject's own facts (rooms, area) likewise only when it
--     is public. {"property_id": null, "reason": ...} when the subject is
--     not in the Homes data;
--   * private.reports_fail_abandoned() -> integer: reports still pending or
--     processing whose `reports.render` job is dead (attempts used up, or a
--     worker that crashed on its last lease) are failed, with the job's
--     last error; the worker calls it every round, so no report waits in
--     `processing` forever;
--   * partial indexes on property_reports / consumer_reports status
--     (pending, processing) for that sweep.
-- Who may call them: service_role only (the worker); they read every
-- property and job.
-- Invariants: a report's job is found by its idempotency key (market: the
-- report id, rp-stats; property: 'property_report:<id>'; consumer:
-- 'consumer_report:<id>', rp-core), so the sweep is index lookups.

create index if not exists property_reports_open_status_idx on reports.property_reports (status)
  where status in ('pending', 'processing');
create index if not exists consumer_reports_open_status_idx on reports.consumer_reports (status)
  where status in ('pending', 'processing');

create or replace function private.reports_value_subject(p_address text, p_city text, p_zip text)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_subject homes.properties;
  v_public boolean;
  v_valuation jsonb;
begin
  if p_address is null or char_length(btrim(p_address)) = 0 then
    raise exception 'property_address: required' using errcode = '22023';
  end if;
  select p.* into v_subject
  from homes.properties p
  where lower(regexp_replace(btrim(p.address), '\s+', ' ', 'g')) = lower(regexp_replace(btrim(p_address), '\s+', ' ', 'g'))
    and case when nullif(btrim(p_zip), '') is not null then p.postal_code = btrim(p_zip)
             else nullif(btrim(p_city), '') is not null and lower(p.city) = lower(btrim(p_city)) end
  order by p.updated_at desc, p.id
  limit 1;
  if v_subject.id is null then
    return jsonb_build_object('property_id', null,
      'reason', 'the property is not in the Homes data, so there are no comparables or estimate for it');
  end if;

  v_valuation := private.homes_compute_valuation(v_subject.id);
  v_public := v_subject.is_listed or exists (
    select 1 from homes.listings l where l.property_id = v_subject.id and l.status in ('active', 'under_contract', 'sold'));

  return v_valuation || jsonb_build_object(
    'property_id', v_subject.id,
    'subject', case when v_public then jsonb_build_object(
        'bedrooms', v_subject.bedrooms, 'bathrooms', v_subject.bathrooms, 'living_area_sqft', v_subject.living_area_sqft,
        'lot_size_sqft', v_subject.lot_size_sqft, 'year_built', v_subject.year_built) else '{}'::jsonb end,
    'comparables', coalesce((
      select jsonb_agg(e.c || jsonb_build_object('address',
               case when p.is_listed or exists (select 1 from homes.listings l
                                                 where l.property_id = p.id and l.status in ('active', 'under_contract', 'sold'))
                    then p.address end)
             order by e.ord)
      from jsonb_array_elements(v_valuation -> 'comparables') with ordinality e(c, ord)
      left join homes.properties p on p.id = (e.c ->> 'property_id')::uuid), '[]'::jsonb));
end;
$$;

comment on function private.reports_value_subject(text, text, text) is
  'Report worker: the report subject found in homes.properties and valued by the Homes engine (comparables with public addresses only). service_role.';

create or replace function private.reports_fail_abandoned()
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_n integer := 0;
  v_rows integer;
begin
  with dead as (
    select g.id, j.last_error
    from reports.report_generations g
    join public.jobs j on j.queue = 'reports.render' and j.idempotency_key = g.id::text
    where g.status in ('pending', 'processing') and j.status = 'dead'
  )
  update reports.report_generations g
  set status = 'failed',
      error_message = left('market report failed: ' || coalesce(d.last_error, 'the render job ran out of attempts'), 2000)
  from dead d where g.id = d.id;
  get diagnostics v_rows = row_count;
  v_n := v_n + v_rows;

  update reports.property_reports r set status = 'failed'
  from public.jobs j
  where r.status in ('pending', 'processing')
    and j.queue = 'reports.render' and j.idempotency_key = 'property_report:' || r.id and j.status = 'dead';
  get diagnostics v_rows = row_count;
  v_n := v_n + v_rows;

  update reports.consumer_reports r set status = 'failed'
  from public.jobs j
  where r.status in ('pending', 'processing')
    and j.queue = 'reports.render' and j.idempotency_key = 'consumer_report:' || r.id and j.status = 'dead';
  get diagnostics v_rows = row_count;
  return v_n + v_rows;
end;
$$;

comment on function private.reports_fail_abandoned() is
  'Report worker: fails reports whose reports.render job is dead (never left processing); returns how many. service_role.';

revoke execute on function private.reports_value_subject(text, text, text), private.reports_fail_abandoned()
  from public, anon, authenticated;
grant execute on function private.reports_value_subject(text, text, text), private.reports_fail_abandoned()
  to service_role;
