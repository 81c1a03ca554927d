-- Reports (issue 13): market reports requested through the `api` function.
-- Adds private.reports_api_request_report(p_key_id uuid, p_params jsonb)
-- -> uuid (service_role: the api function, after
-- private.reports_authenticate_api_key answered 'valid' for scope
-- reports:write). Same rules as reports.request_market_report: params checked
-- by private.reports_market_params (22023 naming the field), period_start
-- not in the future, then private.reports_create_generation, so the quota,
-- overage, billing once per report and params.idempotency_key behave exactly
-- as for a signed-in member. The report's user is the key's creator while
-- they are still an owner, admin or member of the account, else null (the
-- account's report, by its key); a revoked key is refused (42501) here too,
-- so a key revoked between authentication and this call creates nothing.
create or replace function private.reports_api_request_report(p_key_id uuid, p_params jsonb)
returns uuid
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_key reports.api_keys;
  v_user uuid;
begin
  select * into v_key from reports.api_keys k where k.id = p_key_id;
  if v_key.id is null or not v_key.is_active then
    raise exception 'authorization: the API key is unknown or revoked' using errcode = '42501';
  end if;
  if not ('reports:write' = any (v_key.scopes)) then
    raise exception 'authorization: the API key lacks scope reports:write' using errcode = '42501';
  end if;
  if private.reports_date_field(private.reports_market_params(p_params), 'period_start') > current_date then
    raise exception 'period_start: must not be in the future' using errcode = '22023';
  end if;
  if v_key.created_by is not null
     and private.member_role(v_key.account_id, v_key.created_by) in ('owner', 'admin', 'member') then
    v_user := v_key.created_by;
  end if;
  return private.reports_create_generation(v_key.account_id, v_user, p_params, 'market');
end;
$$;

comment on function private.reports_api_request_report(uuid, jsonb) is
  'api function: a market report for the API key''s account, by reports.request_market_report''s rules (quota, billing, idempotency_key).';

revoke execute on function private.reports_api_request_report(uuid, jsonb) from public, anon, authenticated;
grant execute on function private.reports_api_request_report(uuid, jsonb) to service_role;
