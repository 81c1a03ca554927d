-- Reports messaging (rp-msg): private.reports_send_sms_debit catches the
-- ledger's "too few credits" as the ledger raises it today (PT402, since
-- 20261201000100_billing_error_codes.sql; DM402 before), so a short account's
-- SMS is logged 'refused' and answered error_code 'PT402' instead of the
-- raise escaping and rolling the log row back.
-- Who may do what (service_role only) and the invariants are unchanged.

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
  exception when sqlstate 'PT402' or sqlstate 'DM402' then
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
