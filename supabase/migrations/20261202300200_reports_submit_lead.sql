-- Reports (seed 004), part 2: submitting a lead, and the agent's
-- notification. All service_role only: the public door is the function
-- reports-leads, which passes the sender's address from the trusted header
-- (functions/_shared/client-address.ts), never one the sender wrote.
--   * private.reports_submit_lead(p_short_code, p_ip, p_name, p_email,
--     p_phone, p_message, p_consent, p_source) returns jsonb
--     {"outcome": "accepted" | "blocked" | "rate_limited", "lead_id": uuid | null}:
--       1. input: consent required ('consent: ...'), email or phone required,
--          email like an address (<= 254, lower-cased), phone E.164 once
--          spaces, dots, dashes and brackets are removed, name <= 200,
--          message <= 2000, source one of the listed values (default
--          landing_page): 22023 naming the field;
--       2. the report by short code (case-insensitive): unknown, malformed,
--          switched off or expired is PT404 'short_code: no such report', the
--          landing page's answer;
--       3. a sender inside a blocked address or range: 'blocked', nothing
--          stored but hit_count / last_hit_at on the most specific block;
--       4. the sliding windows (reports.lead_rate_limits): at most 5 accepted
--          leads per sender in 10 minutes (all reports) and 50 per report in
--          an hour (all senders); past either, 'rate_limited', nothing stored
--          but refused_count. Advisory locks on the sender, then on the
--          report (always in that order), make count-and-add atomic;
--       5. else the lead ('new', consent_given, agent_id = the report's
--          author), the stats (trigger), the minute's attempt_count, and one
--          job on reports.leads {"lead_id": ...} (idempotency key
--          lead:<id>).
--     The caller answers blocked and rate_limited exactly like accepted;
--   * private.reports_lead_for_notification(p_lead_id) returns jsonb: what
--     the worker needs (lead, report address, agent name / email / E.164
--     phone or null); PT404 for an unknown lead;
--   * private.reports_lead_notified(p_lead_id, p_sms text, p_email_sent
--     boolean) returns reports.leads: p_sms 'sent' stamps sms_sent_at,
--     'no_credits' notifies the agent (public.notifications, type
--     lead_sms_skipped) that the SMS was skipped for lack of SMS credits,
--     'no_phone' / 'failed' / 'skipped' stamp nothing; p_email_sent stamps
--     email_sent_at. Stamps are set once (a retried job keeps the first), the
--     notification is sent once per lead.

create or replace function private.reports_lead_limits(out per_ip integer, out ip_window interval,
                                                       out per_report integer, out report_window interval)
language sql
immutable
set search_path = ''
as $$
  select 5, interval '10 minutes', 50, interval '1 hour';
$$;
revoke execute on function private.reports_lead_limits() from public, anon, authenticated;

-- Who a sender is for the limits: its address, or its /64 for IPv6.
create or replace function private.reports_lead_sender(p_ip inet)
returns inet
language sql
immutable
set search_path = ''
as $$
  select case when p_ip is null then null
              when family(p_ip) = 6 then network(set_masklen(p_ip, 64))::inet
              else host(p_ip)::inet end;
$$;
revoke execute on function private.reports_lead_sender(inet) from public, anon, authenticated;

create or replace function private.reports_submit_lead(
  p_short_code text,
  p_ip inet,
  p_name text,
  p_email text,
  p_phone text,
  p_message text,
  p_consent boolean,
  p_source text
)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_code text := upper(btrim(coalesce(p_short_code, '')));
  v_name text := nullif(btrim(p_name), '');
  v_email text := nullif(lower(btrim(p_email)), '');
  v_phone text := nullif(regexp_replace(coalesce(p_phone, ''), '[[:space:]().-]', '', 'g'), '');
  v_message text := nullif(btrim(p_message), '');
  v_source text := coalesce(nullif(btrim(p_source), ''), 'landing_page');
  v_sender inet := private.reports_lead_sender(p_ip);
  v_minute timestamptz := date_trunc('minute', now());
  v_limits record := private.reports_lead_limits();
  v_report reports.property_reports;
  v_block uuid;
  v_lead_id uuid;
begin
  if p_consent is not true then
    raise exception 'consent: the visitor must agree to be contacted' using errcode = '22023';
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
  if char_length(v_name) > 200 then
    raise exception 'name: at most 200 characters' using errcode = '22023';
  end if;
  if char_length(v_message) > 2000 then
    raise exception 'message: at most 2000 characters' using errcode = '22023';
  end if;
  if v_source not in ('landing_page', 'qr_code', 'share_link', 'email', 'sms', 'other') then
    raise exception 'source: one of landing_page, qr_code, share_link, email, sms, other' using errcode = '22023';
  end if;
  if v_code !~ '^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$' then
    raise exception 'short_code: no such report' using errcode = 'PT404';
  end if;
  select * into v_report from reports.property_reports r where r.short_code = v_code;
  if v_report.id is null or not v_report.is_active or (v_report.expires_at is not null and v_report.expires_at <= now()) then
    raise exception 'short_code: no such report' using errcode = 'PT404';
  end if;

  if p_ip is not null then
    select b.id into v_block from reports.blocked_ips b
    where b.ip_address >>= p_ip
    order by masklen(b.ip_address) desc
    limit 1;
    if v_block is not null then
      update reports.blocked_ips b set hit_count = b.hit_count + 1, last_hit_at = now() where b.id = v_block;
      return jsonb_build_object('outcome', 'blocked', 'lead_id', null);
    end if;
  end if;

  -- Sender first, report second, in every transaction: no lock cycle.
  perform pg_advisory_xact_lock(hashtextextended('reports.lead_sender:' || coalesce(v_sender::text, 'unknown'), 0));
  perform pg_advisory_xact_lock(hashtextextended('reports.lead_report:' || v_report.id::text, 0));
  if (select coalesce(sum(r.attempt_count), 0) from reports.lead_rate_limits r
      where r.ip_address is not distinct from v_sender and r.window_start > now() - v_limits.ip_window) >= v_limits.per_ip
     or (select coalesce(sum(r.attempt_count), 0) from reports.lead_rate_limits r
         where r.property_report_id = v_report.id and r.window_start > now() - v_limits.report_window) >= v_limits.per_report then
    insert into reports.lead_rate_limits as r (ip_address, property_report_id, attempt_count, refused_count, window_start)
    values (v_sender, v_report.id, 0, 1, v_minute)
    on conflict (ip_address, property_report_id, window_start) do update set refused_count = r.refused_count + 1;
    return jsonb_build_object('outcome', 'rate_limited', 'lead_id', null);
  end if;

  insert into reports.lead_rate_limits as r (ip_address, property_report_id, attempt_count, refused_count, window_start)
  values (v_sender, v_report.id, 1, 0, v_minute)
  on conflict (ip_address, property_report_id, window_start) do update set attempt_count = r.attempt_count + 1;

  insert into reports.leads (account_id, property_report_id, agent_id, name, email, phone, message, source, consent_given)
  values (v_report.account_id, v_report.id, v_report.user_id, v_name, v_email, v_phone, v_message, v_source, true)
  returning id into v_lead_id;
  perform private.enqueue_job('reports.leads', jsonb_build_object('lead_id', v_lead_id), v_report.account_id,
                              'lead:' || v_lead_id);
  return jsonb_build_object('outcome', 'accepted', 'lead_id', v_lead_id);
end;
$$;

comment on function private.reports_submit_lead(text, inet, text, text, text, text, boolean, text) is
  'A lead from a landing page (service_role; reports-leads passes the trusted address): accepted, blocked or rate_limited.';

create or replace function private.reports_lead_for_notification(p_lead_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v jsonb;
begin
  select jsonb_build_object(
    'lead_id', l.id, 'account_id', l.account_id, 'status', l.status,
    'name', l.name, 'email', l.email, 'phone', l.phone, 'message', l.message, 'source', l.source,
    'sms_sent_at', l.sms_sent_at, 'email_sent_at', l.email_sent_at, 'created_at', l.created_at,
    'short_code', r.short_code, 'property_address', r.property_address, 'property_city', r.property_city,
    'agent', case when p.id is not null then jsonb_build_object(
      'id', p.id,
      'name', coalesce(nullif(btrim(p.full_name), ''), p.email),
      'email', p.email,
      'phone', case when regexp_replace(coalesce(p.phone, ''), '[[:space:]().-]', '', 'g') ~ '^\+[1-9][0-9]{6,14}$'
                    then regexp_replace(p.phone, '[[:space:]().-]', '', 'g') end) end)
  into v
  from reports.leads l
  left join reports.property_reports r on r.id = l.property_report_id
  left join public.profiles p on p.id = l.agent_id and p.account_status = 'active'
  where l.id = p_lead_id;
  if v is null then
    raise exception 'lead_id: no such lead' using errcode = 'PT404';
  end if;
  return v;
end;
$$;

create or replace function private.reports_lead_notified(p_lead_id uuid, p_sms text, p_email_sent boolean)
returns reports.leads
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_lead reports.leads;
begin
  if p_sms is null or p_sms not in ('sent', 'no_credits', 'no_phone', 'failed', 'skipped') then
    raise exception 'sms: one of sent, no_credits, no_phone, failed, skipped' using errcode = '22023';
  end if;
  select * into v_lead from reports.leads l where l.id = p_lead_id for update;
  if v_lead.id is null then
    raise exception 'lead_id: no such lead' using errcode = 'PT404';
  end if;
  if p_sms = 'no_credits' and v_lead.agent_id is not null and not exists (
       select 1 from public.notifications n
       where n.user_id = v_lead.agent_id and n.type = 'lead_sms_skipped' and n.data ->> 'lead_id' = v_lead.id::text) then
    perform private.notify(
      v_lead.agent_id, 'lead_sms_skipped', 'New lead: SMS not sent',
      format('A new lead (%s) came in. No SMS was sent because the account has no SMS credits left; it was emailed instead.',
             coalesce(v_lead.name, v_lead.email, v_lead.phone)),
      'reports', null, jsonb_build_object('lead_id', v_lead.id, 'reason', 'no_sms_credits'), v_lead.account_id);
  end if;
  update reports.leads l set
    sms_sent_at = coalesce(l.sms_sent_at, case when p_sms = 'sent' then now() end),
    email_sent_at = coalesce(l.email_sent_at, case when p_email_sent then now() end)
  where l.id = p_lead_id
  returning * into v_lead;
  return v_lead;
end;
$$;

revoke execute on function
  private.reports_submit_lead(text, inet, text, text, text, text, boolean, text),
  private.reports_lead_for_notification(uuid),
  private.reports_lead_notified(uuid, text, boolean)
  from public, anon, authenticated;
grant execute on function
  private.reports_submit_lead(text, inet, text, text, text, text, boolean, text),
  private.reports_lead_for_notification(uuid),
  private.reports_lead_notified(uuid, text, boolean)
  to service_role;
