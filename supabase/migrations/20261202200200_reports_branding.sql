-- Reports: the branding and agent details every rendered report shows.
--   private.reports_branding_for(p_account_id uuid, p_user_id uuid default null)
--   returns jsonb (shape in docs/reports.md, "Branding"):
--     {"source": "sponsor" | "affiliate" | "account",
--      "display_name", "logo_url", "primary_color", "accent_color",
--      "agent": null | {"name", "first_name", "last_name", "photo_url",
--                       "license_number", "headline", "subheadline", "cta",
--                       "phone", "email", "brokerage", "agent_code"}}
--   The branding is the affiliate branding of the account's sponsor
--   (public.accounts.sponsor_account_id -> reports.affiliate_branding) when
--   the sponsor has some; else the account's own affiliate branding (an
--   affiliate's own reports); else the account's public.accounts.branding
--   keys of the same names, with the account's name as display name. Colours
--   that are not #rrggbb are dropped (accounts.branding is free-form).
--   The agent is p_user_id's profile (the report's author), never a
--   suspended or deleted one.
-- Who may do what: the renderers (service_role) and definer RPCs; not the
-- API roles: it returns e-mail addresses and phone numbers. Public callers
-- get a subset through reports.property_report_landing.

create or replace function private.reports_branding_for(p_account_id uuid, p_user_id uuid default null)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_account public.accounts;
  v_brand reports.affiliate_branding;
  v_source text;
  v_result jsonb;
  v_agent jsonb;
begin
  select * into v_account from public.accounts a where a.id = p_account_id;
  if v_account.id is null then
    raise exception 'account_id: no such account' using errcode = 'PT404';
  end if;

  select * into v_brand from reports.affiliate_branding b where b.account_id = v_account.sponsor_account_id;
  v_source := 'sponsor';
  if v_brand.account_id is null then
    select * into v_brand from reports.affiliate_branding b where b.account_id = v_account.id;
    v_source := 'affiliate';
  end if;

  if v_brand.account_id is not null then
    v_result := jsonb_build_object(
      'source', v_source,
      'display_name', coalesce(v_brand.brand_display_name,
                               (select a.name from public.accounts a where a.id = v_brand.account_id)),
      'logo_url', v_brand.logo_url,
      'primary_color', v_brand.primary_color,
      'accent_color', v_brand.accent_color);
  else
    v_result := jsonb_build_object(
      'source', 'account',
      'display_name', coalesce(nullif(btrim(v_account.branding ->> 'brand_display_name'), ''), v_account.name),
      'logo_url', nullif(left(v_account.branding ->> 'logo_url', 2000), ''),
      'primary_color', case when v_account.branding ->> 'primary_color' ~ '^#[0-9A-Fa-f]{6}$'
                            then v_account.branding ->> 'primary_color' end,
      'accent_color', case when v_account.branding ->> 'accent_color' ~ '^#[0-9A-Fa-f]{6}$'
                           then v_account.branding ->> 'accent_color' end);
  end if;

  select jsonb_build_object(
           'name', coalesce(nullif(btrim(concat_ws(' ', p.first_name, p.last_name)), ''), p.full_name, p.username),
           'first_name', p.first_name,
           'last_name', p.last_name,
           'photo_url', p.avatar_url,
           'license_number', p.license_number,
           'headline', p.landing_page_headline,
           'subheadline', p.landing_page_subheadline,
           'cta', p.landing_page_cta,
           'phone', p.phone,
           'email', p.email,
           'brokerage', p.brokerage,
           'agent_code', p.agent_code)
    into v_agent
  from public.profiles p
  where p.id = p_user_id and p.account_status = 'active';

  return v_result || jsonb_build_object('agent', v_agent);
end;
$$;

comment on function private.reports_branding_for(uuid, uuid) is
  'Branding (sponsor''s affiliate branding, else own) and the agent''s details for a report; docs/reports.md "Branding".';

revoke execute on function private.reports_branding_for(uuid, uuid) from public, anon, authenticated;
grant execute on function private.reports_branding_for(uuid, uuid) to service_role;
