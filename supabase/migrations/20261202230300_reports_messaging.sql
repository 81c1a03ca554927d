-- Reports messaging (rp-msg): scheduled mail, suppressions, SMS spend.
--
-- Adds:
--   * reports.email_log: status ('sending', 'sent', 'skipped', 'failed'),
--     provider_message_id and schedule_run_id; scheduled mail logs one row
--     per run and recipient (to_emails = {address}), unique, so a retried mail
--     job never mails an address twice for one run, and a skipped (suppressed)
--     address is logged as such;
--   * private.reports_mail_context / reports_mail_claim_recipients /
--     reports_mail_finish_recipient: what the reports-mail worker reads and
--     writes;
--   * private.reports_unsubscribe(account, email): the unsubscribe link and
--     the RFC 8058 one-click POST (reason 'unsubscribe'; idempotent; turns
--     a 'manual' suppression into one the account can no longer remove);
--   * private.reports_email_suppress_from_event(provider, kind, email,
--     message id): a provider's hard bounce or complaint suppresses the
--     address everywhere (account_id null: our provider account will not
--     deliver to it for anyone) and, when the message was ours, for the
--     account that sent it (visible to its members);
--   * reports.sms_logs: segments, provider, error, idempotency_key;
--     private.reports_send_sms_debit: one 'sms' credit per segment from the
--     shared ledger and the sms_logs row, in one transaction; with too few
--     credits the SMS is logged 'refused' and answered with error_code
--     'PT402' (not raised: the refusal must stay in the log);
--     private.reports_sms_finish: the provider's answer; a failed send gives
--     its credits back.
--
-- Who may do what: service_role only (the functions reports-mail,
-- reports-unsubscribe, reports-email-events and, in issue 13, the lead SMS
-- sender); members read email_log and sms_logs under rp-core's policies.
--
-- Invariants: an address in email_suppressions (for the account, or for
-- everyone) is never mailed by a schedule, case-insensitively; one email_log
-- row per (run, address); an SMS spends exactly its segments once per
-- idempotency key, and never overdraws (the ledger's own checks).

-- ---------------------------------------------------------------- email_log
alter table reports.email_log
  add column status text not null default 'sent' check (status in ('sending', 'sent', 'skipped', 'failed')),
  add column provider_message_id text check (char_length(provider_message_id) <= 200),
  add column schedule_run_id uuid references reports.schedule_runs (id) on delete set null;

comment on column reports.email_log.status is 'Added: sending (claimed), sent, skipped (suppressed) or failed (the provider refused).';
comment on column reports.email_log.schedule_run_id is 'Added: the schedule run this mail is for (one row per run and recipient).';

create unique index email_log_schedule_run_recipient_key on reports.email_log (schedule_run_id, (to_emails[1]))
  where schedule_run_id is not null;
create index email_log_provider_message_id_idx on reports.email_log (provider, provider_message_id)
  where provider_message_id is not null;

-- ---------------------------------------------------------------- sms_logs
alter table reports.sms_logs
  add column segments integer check (segments between 1 and 10),
  add column provider text check (provider ~ '^[a-z][a-z0-9_-]{1,31}$'),
  add column error text check (char_length(error) <= 2000),
  add column idempotency_key text check (char_length(idempotency_key) between 1 and 200);

comment on column reports.sms_logs.segments is 'Added: SMS segments, each one sms credit.';
create unique index sms_logs_account_id_idempotency_key on reports.sms_logs (account_id, idempotency_key)
  where idempotency_key is not null;

-- ---------------------------------------------------------------- scheduled mail
-- Everything one scheduled email needs, or null when the run is gone.
create or replace function private.reports_mail_context(p_schedule_run_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object(
    'schedule_run_id', r.id,
    'schedule_id', s.id,
    'account_id', s.account_id,
    'account_name', a.name,
    'report_id', g.id,
    'report_type', g.report_type,
    'report_status', g.status,
    'cities', to_jsonb(g.cities),
    'zip_codes', g.input_params -> 'zip_codes',
    'period_start', g.input_params ->> 'period_start',
    'period_end', g.input_params ->> 'period_end',
    'urls', jsonb_build_object('html', g.html_url, 'json', g.json_url, 'csv', g.csv_url, 'pdf', g.pdf_url),
    -- Issue 13 adds contacts and contact groups: their addresses join this list here.
    'recipients', to_jsonb(array(select distinct lower(btrim(x)) from unnest(s.recipients) x order by 1)))
  from reports.schedule_runs r
  join reports.schedules s on s.id = r.schedule_id
  join public.accounts a on a.id = s.account_id
  join reports.report_generations g on g.id = r.report_run_id
  where r.id = p_schedule_run_id;
$$;

-- One email_log row per recipient of the run, made once: suppressed
-- addresses are logged 'skipped' and not sent; 'done' rows were settled by
-- an earlier attempt; 'send' ones are new, or a send that died half-way
-- (the mail job's lease keeps two workers off the same run).
create or replace function private.reports_mail_claim_recipients(p_schedule_run_id uuid, p_subject text, p_provider text)
returns table (email_log_id uuid, email text, action text)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_ctx jsonb := private.reports_mail_context(p_schedule_run_id);
  v_account uuid;
  v_email text;
  v_reason text;
  v_row reports.email_log;
begin
  if v_ctx is null then
    raise exception 'schedule_run_id: no such run with a report' using errcode = 'PT404';
  end if;
  v_account := (v_ctx ->> 'account_id')::uuid;
  for v_email in select jsonb_array_elements_text(v_ctx -> 'recipients') loop
    select x.reason into v_reason from reports.email_suppressions x
    where (x.account_id = v_account or x.account_id is null) and lower(x.email) = v_email
    order by x.account_id nulls last
    limit 1;

    insert into reports.email_log (account_id, schedule_id, report_id, schedule_run_id, provider, to_emails, subject,
                                   status, error)
    values (v_account, (v_ctx ->> 'schedule_id')::uuid, (v_ctx ->> 'report_id')::uuid, p_schedule_run_id, p_provider,
            array[v_email], left(p_subject, 998),
            case when v_reason is null then 'sending' else 'skipped' end,
            case when v_reason is null then null else 'suppressed (' || v_reason || ')' end)
    on conflict (schedule_run_id, (to_emails[1])) where schedule_run_id is not null do nothing
    returning * into v_row;

    if v_row.id is not null then
      return query select v_row.id, v_email, case when v_reason is null then 'send' else 'skip_suppressed' end;
    else
      select * into v_row from reports.email_log l
      where l.schedule_run_id = p_schedule_run_id and l.to_emails[1] = v_email;
      if v_row.status in ('sent', 'skipped') then
        return query select v_row.id, v_email, 'done'::text;
      elsif v_reason is not null then
        -- Suppressed since the earlier attempt: honour it now.
        update reports.email_log l set status = 'skipped', error = 'suppressed (' || v_reason || ')' where l.id = v_row.id;
        return query select v_row.id, v_email, 'skip_suppressed'::text;
      else
        update reports.email_log l set status = 'sending', provider = p_provider where l.id = v_row.id;
        return query select v_row.id, v_email, 'send'::text;
      end if;
    end if;
    v_row := null;
  end loop;
end;
$$;

create or replace function private.reports_mail_finish_recipient(
  p_email_log_id uuid, p_provider text, p_status text, p_response_code integer, p_message_id text, p_error text
)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  if p_status not in ('sent', 'failed') then
    raise exception 'status: sent or failed' using errcode = '22023';
  end if;
  update reports.email_log l
  set provider = p_provider,
      status = p_status,
      response_code = case when p_response_code between 100 and 599 then p_response_code end,
      provider_message_id = left(p_message_id, 200),
      error = left(p_error, 2000)
  where l.id = p_email_log_id and l.status in ('sending', 'failed');
end;
$$;

-- ---------------------------------------------------------------- suppressions
create or replace function private.reports_unsubscribe(p_account_id uuid, p_email text)
returns boolean
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_email text := lower(btrim(p_email));
begin
  if v_email is null or char_length(v_email) > 254 or v_email !~ '^[^[:space:]@]+@[^[:space:]@]+\.[^[:space:]@]+$' then
    raise exception 'email: not an email address' using errcode = '22023';
  end if;
  if not exists (select 1 from public.accounts a where a.id = p_account_id) then
    return false;
  end if;
  insert into reports.email_suppressions (account_id, email, reason)
  values (p_account_id, v_email, 'unsubscribe')
  on conflict (account_id, lower(email)) do update set reason = 'unsubscribe'
    where reports.email_suppressions.reason = 'manual';
  return true;
end;
$$;

create or replace function private.reports_email_suppress_from_event(
  p_provider text, p_kind text, p_email text, p_message_id text
)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_email text := lower(btrim(p_email));
  v_reason text := case p_kind when 'hard_bounce' then 'bounce' when 'complaint' then 'complaint' end;
  v_accounts uuid[];
  v_account uuid;
begin
  if v_reason is null then
    raise exception 'kind: hard_bounce or complaint' using errcode = '22023';
  end if;
  if v_email is null or char_length(v_email) > 254 or v_email !~ '^[^[:space:]@]+@[^[:space:]@]+\.[^[:space:]@]+$' then
    raise exception 'email: not an email address' using errcode = '22023';
  end if;

  -- Everywhere: our provider account will not deliver to it for anyone.
  insert into reports.email_suppressions (account_id, email, reason)
  values (null, v_email, v_reason)
  on conflict (account_id, lower(email)) do nothing;

  -- And for the account whose message it was, where its members see it.
  select array_agg(distinct l.account_id) into v_accounts
  from reports.email_log l
  where p_message_id is not null and l.provider = p_provider and l.provider_message_id = p_message_id
    and l.account_id is not null;
  foreach v_account in array coalesce(v_accounts, '{}') loop
    insert into reports.email_suppressions (account_id, email, reason)
    values (v_account, v_email, v_reason)
    on conflict (account_id, lower(email)) do update set reason = excluded.reason
      where reports.email_suppressions.reason = 'manual';
  end loop;
  return to_jsonb(coalesce(v_accounts, '{}'));
end;
$$;

-- ---------------------------------------------------------------- SMS spend
create or replace function private.reports_send_sms_debit(
  p_account_id uuid,
  p_to_phone text,
  p_from_phone text,
  p_message text,
  p_segments integer,
  p_idempotency_key text,
  p_lead_id uuid default null
)
returns table (sms_log_id uuid, segments integer, balance_after integer, fresh boolean, status text, error_code text)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_log reports.sms_logs;
  v_tx public.credit_transactions;
  v_available integer;
begin
  if p_to_phone is null or p_to_phone !~ '^\+[1-9][0-9]{6,14}$' then
    raise exception 'to_phone: must be an E.164 number' using errcode = '22023';
  end if;
  if p_from_phone is not null and p_from_phone !~ '^\+[1-9][0-9]{6,14}$' then
    raise exception 'from_phone: must be an E.164 number' using errcode = '22023';
  end if;
  if p_message is null or char_length(p_message) not between 1 and 1600 then
    raise exception 'message: 1 to 1600 characters' using errcode = '22023';
  end if;
  if p_segments is null or p_segments not between 1 and 10 then
    raise exception 'segments: 1 to 10' using errcode = '22023';
  end if;
  if p_idempotency_key is null or char_length(p_idempotency_key) not between 1 and 200 then
    raise exception 'idempotency_key: 1 to 200 characters' using errcode = '22023';
  end if;
  if not exists (select 1 from public.accounts a where a.id = p_account_id) then
    raise exception 'account_id: no such account' using errcode = 'PT404';
  end if;

  -- The balance row lock serialises this account's SMS: the replay check,
  -- the debit and the log row are decided together.
  perform private.credit_lock_balance(p_account_id, 'sms');
  select * into v_log from reports.sms_logs l where l.account_id = p_account_id and l.idempotency_key = p_idempotency_key;
  if found then
    select b.balance - b.held into v_available from public.credit_balances b where b.account_id = p_account_id and b.pool = 'sms';
    return query select v_log.id, v_log.segments, v_available, false, v_log.status,
      case when v_log.status = 'refused' then 'PT402' end;
    return;
  end if;

  begin
    v_tx := private.credit_apply(p_account_id, 'sms', -p_segments, 'usage', 'sms:' || p_idempotency_key,
                                 format('SMS to %s (%s segment%s)', p_to_phone, p_segments, case when p_segments = 1 then '' else 's' end),
                                 null, null, null, p_lead_id::text);
  exception when sqlstate 'DM402' then
    select b.balance - b.held into v_available from public.credit_balances b where b.account_id = p_account_id and b.pool = 'sms';
    insert into reports.sms_logs (account_id, lead_id, to_phone, from_phone, message, status, segments, error, idempotency_key)
    values (p_account_id, p_lead_id, p_to_phone, p_from_phone, p_message, 'refused', p_segments,
            format('sms_credits: %s available, %s needed', coalesce(v_available, 0), p_segments), p_idempotency_key)
    returning * into v_log;
    return query select v_log.id, p_segments, coalesce(v_available, 0), true, 'refused'::text, 'PT402'::text;
    return;
  end;

  insert into reports.sms_logs (account_id, lead_id, to_phone, from_phone, message, status, segments, idempotency_key)
  values (p_account_id, p_lead_id, p_to_phone, p_from_phone, p_message, 'sending', p_segments, p_idempotency_key)
  returning * into v_log;
  return query select v_log.id, p_segments, v_tx.balance_after, true, 'sending'::text, null::text;
end;
$$;

create or replace function private.reports_sms_finish(
  p_sms_log_id uuid, p_status text, p_twilio_sid text, p_provider text, p_error text
)
returns reports.sms_logs
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_log reports.sms_logs;
begin
  if p_status not in ('queued', 'sent', 'delivered', 'failed', 'undelivered') then
    raise exception 'status: queued, sent, delivered, failed or undelivered' using errcode = '22023';
  end if;
  update reports.sms_logs l
  set status = p_status, twilio_sid = p_twilio_sid, provider = p_provider, error = left(p_error, 2000)
  where l.id = p_sms_log_id and l.status = 'sending'
  returning * into v_log;
  if v_log.id is null then
    select * into v_log from reports.sms_logs l where l.id = p_sms_log_id;
    if v_log.id is null then
      raise exception 'sms_log_id: no such SMS' using errcode = 'PT404';
    end if;
    return v_log; -- settled already: nothing moves twice
  end if;
  if p_status in ('failed', 'undelivered') then
    -- Not sent: the credits come back (once, by key).
    perform private.credit_apply(v_log.account_id, 'sms', v_log.segments, 'refund', 'sms-refund:' || v_log.id,
                                 'SMS not sent: credits returned', null, null, null, v_log.id::text);
  end if;
  return v_log;
end;
$$;

revoke execute on function
  private.reports_mail_context(uuid),
  private.reports_mail_claim_recipients(uuid, text, text),
  private.reports_mail_finish_recipient(uuid, text, text, integer, text, text),
  private.reports_unsubscribe(uuid, text),
  private.reports_email_suppress_from_event(text, text, text, text),
  private.reports_send_sms_debit(uuid, text, text, text, integer, text, uuid),
  private.reports_sms_finish(uuid, text, text, text, text)
from public, anon, authenticated;
grant execute on function
  private.reports_mail_context(uuid),
  private.reports_mail_claim_recipients(uuid, text, text),
  private.reports_mail_finish_recipient(uuid, text, text, integer, text, text),
  private.reports_unsubscribe(uuid, text),
  private.reports_email_suppress_from_event(text, text, text, text),
  private.reports_send_sms_debit(uuid, text, text, text, integer, text, uuid),
  private.reports_sms_finish(uuid, text, text, text, text)
to service_role;
