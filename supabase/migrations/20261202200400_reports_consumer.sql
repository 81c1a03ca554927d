-- Reports: consumer reports requested on an agent's page, and the events of
-- their readers. Both are public (anon) RPCs, security definer, validating
-- everything they are given (22023 naming the field, sizes capped).
--   * reports.request_consumer_report(p_agent_code, p_email, p_phone,
--     p_consent, p_property_address, p_city, p_state, p_zip) returns uuid:
--     refuses without consent ('consent: ...') and without a way to reach
--     the consumer ('email: ...'); an email must look like one (stored
--     lower-cased), a phone must be E.164 once spaces, dots, dashes and
--     brackets are taken out; an unknown (or suspended) agent is PT404. The
--     report belongs to the agent's account: their oldest team or affiliate
--     account where they are owner, admin or member, else their personal
--     account. One contact may ask one agent at most 3 times a day (PT429).
--     It creates the consumer_reports row 'pending', queues the render
--     (queue reports.render, payload {"kind":"consumer_report","id":...})
--     and notifies the agent (public.notifications, product 'reports', type
--     consumer_report_requested);
--   * reports.track_report_event(p_report_id, p_event_type, p_event_data,
--     p_session_id, p_device_type) returns void: only 'open', 'page_view',
--     'cta_click', 'share'; event_data an object of at most 2 KB; session id
--     at most 128 characters; device_type desktop / mobile / tablet / other;
--     an unknown report is PT404. An 'open' counts consumer_reports
--     .view_count, and unique_views the first time that visitor (hash of the
--     trusted address and the session, reports.report_visitors) opens it.
-- Who may do what: anyone may call both (anon, authenticated); the rows they
-- write are read only by the account's members (and platform admins).

create or replace function reports.request_consumer_report(
  p_agent_code text,
  p_email text,
  p_phone text,
  p_consent boolean,
  p_property_address text,
  p_city text,
  p_state text,
  p_zip text
)
returns uuid
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_email text := nullif(lower(btrim(p_email)), '');
  v_phone text := nullif(regexp_replace(coalesce(p_phone, ''), '[[:space:]().-]', '', 'g'), '');
  v_address text := btrim(coalesce(p_property_address, ''));
  v_city text := nullif(btrim(p_city), '');
  v_state text := nullif(btrim(p_state), '');
  v_zip text := nullif(btrim(p_zip), '');
  v_agent public.profiles;
  v_account_id uuid;
  v_id uuid;
begin
  if p_consent is not true then
    raise exception 'consent: the consumer must agree to be contacted' using errcode = '22023';
  end if;
  if v_email is null and v_phone is null then
    raise exception 'email: give an email address or a phone number' using errcode = '22023';
  end if;
  if v_email is not null and (char_length(v_email) > 254 or v_email !~ '^[^[:space:]@]+@[^[:space:]@]+\.[^[:space:]@]+$') then
    raise exception 'email: not an email address' using errcode = '22023';
  end if;
  if v_phone is not null and v_phone !~ '^\+[1-9][0-9]{6,14}$' then
    raise exception 'phone: an international number such as +15125550100 (E.164)' using errcode = '22023';
  end if;
  if char_length(v_address) not between 1 and 300 then
    raise exception 'property_address: 1 to 300 characters' using errcode = '22023';
  end if;
  if char_length(v_city) > 100 then
    raise exception 'city: at most 100 characters' using errcode = '22023';
  end if;
  if char_length(v_state) > 100 then
    raise exception 'state: at most 100 characters' using errcode = '22023';
  end if;
  if v_zip !~ '^[A-Za-z0-9][A-Za-z0-9 -]{1,11}$' then
    raise exception 'zip: not a postal code' using errcode = '22023';
  end if;
  if p_agent_code is null or char_length(p_agent_code) > 32 then
    raise exception 'agent_code: no such agent' using errcode = 'PT404';
  end if;

  select * into v_agent from public.profiles p
  where p.agent_code = upper(btrim(p_agent_code)) and p.account_status = 'active';
  if v_agent.id is null then
    raise exception 'agent_code: no such agent' using errcode = 'PT404';
  end if;

  select m.account_id into v_account_id
  from public.account_memberships m join public.accounts a on a.id = m.account_id
  where m.user_id = v_agent.id and m.role in ('owner', 'admin', 'member') and a.account_type <> 'personal' and a.is_active
  order by m.created_at, m.account_id
  limit 1;
  v_account_id := coalesce(v_account_id, (select a.id from public.accounts a where a.id = v_agent.id));
  if v_account_id is null then
    raise exception 'agent_code: no such agent' using errcode = 'PT404';
  end if;

  -- One request at a time per agent, so the daily limit cannot be raced past.
  perform pg_advisory_xact_lock(hashtextextended('reports.consumer_report:' || v_agent.id::text, 0));
  if (select count(*) from reports.consumer_reports c
      where c.agent_id = v_agent.id and c.created_at > now() - interval '1 day'
        and (c.consumer_email = v_email or c.consumer_phone = v_phone)) >= 3 then
    raise exception 'consumer_report: this contact already asked this agent 3 times today' using errcode = 'PT429';
  end if;

  insert into reports.consumer_reports (account_id, agent_id, agent_code, consumer_phone, consumer_email, consent_given,
                                        property_address, property_city, property_state, property_zip)
  values (v_account_id, v_agent.id, v_agent.agent_code, v_phone, v_email, true, v_address, v_city, v_state, v_zip)
  returning id into v_id;

  perform private.enqueue_job('reports.render', jsonb_build_object('kind', 'consumer_report', 'id', v_id), v_account_id,
                              'consumer_report:' || v_id);
  perform private.notify(
    v_agent.id, 'consumer_report_requested', 'New consumer report request',
    format('%s asked for a report on %s.', coalesce(v_email, v_phone), v_address),
    'reports', null, jsonb_build_object('consumer_report_id', v_id), v_account_id);
  return v_id;
end;
$$;

comment on function reports.request_consumer_report(text, text, text, boolean, text, text, text, text) is
  'Public: a consumer asks an agent (by agent_code) for a report; consent and a contact required; queues the render, notifies the agent.';

revoke execute on function reports.request_consumer_report(text, text, text, boolean, text, text, text, text) from public;
grant execute on function reports.request_consumer_report(text, text, text, boolean, text, text, text, text)
  to anon, authenticated, service_role;

create or replace function reports.track_report_event(
  p_report_id uuid,
  p_event_type text,
  p_event_data jsonb,
  p_session_id text,
  p_device_type text
)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_data jsonb := coalesce(p_event_data, '{}'::jsonb);
  v_session text := nullif(p_session_id, '');
  v_report_id uuid;
  v_seen record;
begin
  if p_event_type is null or p_event_type not in ('open', 'page_view', 'cta_click', 'share') then
    raise exception 'event_type: one of open, page_view, cta_click, share' using errcode = '22023';
  end if;
  if jsonb_typeof(v_data) <> 'object' then
    raise exception 'event_data: an object' using errcode = '22023';
  end if;
  if octet_length(v_data::text) > 2048 then
    raise exception 'event_data: at most 2048 bytes' using errcode = '22023';
  end if;
  if char_length(v_session) > 128 then
    raise exception 'session_id: at most 128 characters' using errcode = '22023';
  end if;
  if p_device_type is not null and p_device_type not in ('desktop', 'mobile', 'tablet', 'other') then
    raise exception 'device_type: one of desktop, mobile, tablet, other' using errcode = '22023';
  end if;

  -- Locked for an open: its counters are read-modify-write.
  if p_event_type = 'open' then
    select c.id into v_report_id from reports.consumer_reports c where c.id = p_report_id for update;
  else
    select c.id into v_report_id from reports.consumer_reports c where c.id = p_report_id;
  end if;
  if v_report_id is null then
    raise exception 'report_id: no such report' using errcode = 'PT404';
  end if;

  insert into reports.report_analytics (report_id, event_type, event_data, session_id, device_type)
  values (v_report_id, p_event_type, v_data, v_session, p_device_type);

  if p_event_type = 'open' then
    select * into v_seen from private.reports_see_visitor(null, v_report_id, v_session);
    update reports.consumer_reports c set
      view_count = c.view_count + 1,
      unique_views = c.unique_views + v_seen.new_ever::int
    where c.id = v_report_id;
  end if;
end;
$$;

comment on function reports.track_report_event(uuid, text, jsonb, text, text) is
  'Public: records an event (open, page_view, cta_click, share) on a consumer report; opens count views and unique views.';

revoke execute on function reports.track_report_event(uuid, text, jsonb, text, text) from public;
grant execute on function reports.track_report_event(uuid, text, jsonb, text, text) to anon, authenticated, service_role;
