-- Reports messaging (rp-msg): every request the email providers' webhooks
-- send us (Resend bounces/complaints signed with Standard Webhooks, Postmark
-- bounce and spam-complaint webhooks behind basic auth), recorded as the
-- payment webhooks record theirs in public.billing_events.
--
-- Adds:
--   * reports.email_events: one row per request: forged or unreadable ones
--     as 'rejected' (capped payload, the body's sha256 and size), genuine ones
--     once per provider event id, redeliveries beside them as 'duplicate';
--   * private.reports_email_record_event / private.reports_email_finish_event,
--     the two calls functions/_shared/webhook.ts makes (service_role only).
--
-- Who may do what: members of an account read the events about mail their
-- account sent (account_id, resolved when the event is applied); platform
-- admins read all; nobody but the backend writes, and it writes only
-- through the functions below.
--
-- Invariants: one genuine row per (provider, event_id); a redelivery while
-- another delivery applies the event answers 'in_progress' (the provider
-- retries); applying is idempotent (suppressions are unique per account and
-- address), so a failed event is applied again on redelivery.

create table reports.email_events (
  id uuid primary key default extensions.gen_random_uuid(),
  provider text not null check (provider in ('resend', 'postmark')),
  event_id text check (char_length(event_id) <= 200),
  event_type text not null check (char_length(event_type) <= 200),
  account_id uuid references public.accounts (id) on delete set null,
  payload jsonb not null,
  signature_valid boolean not null,
  status text not null default 'received'
    check (status in ('received', 'processed', 'ignored', 'failed', 'rejected', 'duplicate')),
  error text,
  source_ip inet,
  payload_sha256 text check (payload_sha256 ~ '^[0-9a-f]{64}$'),
  payload_bytes integer check (payload_bytes >= 0),
  event_created_at timestamptz,
  received_at timestamptz not null default now(),
  processed_at timestamptz,
  attempts integer not null default 1 check (attempts >= 1)
);

comment on table reports.email_events is
  'Every email-provider webhook request (bounces, complaints), raw, with its signature and processing outcome.';

create unique index email_events_provider_event_id
  on reports.email_events (provider, event_id)
  where signature_valid and status <> 'duplicate';
create index email_events_account_id_idx on reports.email_events (account_id);
create index email_events_received_at_idx on reports.email_events (received_at desc);

alter table reports.email_events enable row level security;
revoke all on reports.email_events from anon, authenticated, service_role;
grant select on reports.email_events to authenticated, service_role;

create policy "email_events: account members and platform admins read"
  on reports.email_events for select to authenticated
  using (account_id in (select private.my_account_ids()) or (select private.is_platform_admin()));

create or replace function private.reports_email_record_event(
  p_provider text,
  p_event_id text,
  p_event_type text,
  p_payload jsonb,
  p_signature_valid boolean,
  p_event_created_at timestamptz default null,
  p_source_ip inet default null,
  p_error text default null,
  p_payload_sha256 text default null,
  p_payload_bytes integer default null
)
returns table (email_event_id uuid, should_apply boolean, outcome text)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_id uuid;
  v_existing reports.email_events;
begin
  if not p_signature_valid then
    insert into reports.email_events (provider, event_id, event_type, payload, signature_valid, status, error,
                                      source_ip, event_created_at, processed_at, payload_sha256, payload_bytes)
    values (p_provider, left(p_event_id, 200), left(coalesce(p_event_type, 'unknown'), 200), coalesce(p_payload, '{}'::jsonb),
            false, 'rejected', coalesce(p_error, 'signature verification failed'), p_source_ip, p_event_created_at, now(),
            p_payload_sha256, p_payload_bytes)
    returning id into v_id;
    return query select v_id, false, 'rejected'::text;
    return;
  end if;

  insert into reports.email_events (provider, event_id, event_type, payload, signature_valid, source_ip, event_created_at,
                                    payload_sha256, payload_bytes)
  values (p_provider, p_event_id, p_event_type, p_payload, true, p_source_ip, p_event_created_at,
          p_payload_sha256, p_payload_bytes)
  on conflict (provider, event_id) where signature_valid and status <> 'duplicate' do nothing
  returning id into v_id;

  if v_id is not null then
    return query select v_id, true, 'received'::text;
    return;
  end if;

  -- Locked, so the decision is made on what a concurrent delivery committed.
  select * into v_existing from reports.email_events e
  where e.provider = p_provider and e.event_id = p_event_id and e.signature_valid and e.status <> 'duplicate'
  for update;
  update reports.email_events e set attempts = e.attempts + 1 where e.id = v_existing.id;

  if v_existing.status = 'received' and v_existing.received_at > now() - interval '2 minutes' then
    insert into reports.email_events (provider, event_id, event_type, payload, signature_valid, status,
                                      source_ip, event_created_at, processed_at, error, payload_sha256, payload_bytes)
    values (p_provider, p_event_id, p_event_type, p_payload, true, 'duplicate', p_source_ip, p_event_created_at,
            now(), 'in progress as ' || v_existing.id, p_payload_sha256, p_payload_bytes);
    return query select v_existing.id, false, 'in_progress'::text;
    return;
  end if;

  if v_existing.status in ('received', 'failed') then
    update reports.email_events e set status = 'received', received_at = now() where e.id = v_existing.id;
    return query select v_existing.id, true, v_existing.status;
    return;
  end if;

  insert into reports.email_events (provider, event_id, event_type, payload, signature_valid, status,
                                    source_ip, event_created_at, processed_at, error, payload_sha256, payload_bytes)
  values (p_provider, p_event_id, p_event_type, p_payload, true, 'duplicate', p_source_ip, p_event_created_at,
          now(), 'already ' || v_existing.status || ' as ' || v_existing.id, p_payload_sha256, p_payload_bytes);
  return query select v_existing.id, false, 'duplicate'::text;
end;
$$;

create or replace function private.reports_email_finish_event(
  p_id uuid,
  p_status text,
  p_error text default null,
  p_account_id uuid default null
)
returns void
language sql
volatile
security definer
set search_path = ''
as $$
  update reports.email_events e
  set status = p_status, error = p_error, processed_at = now(), account_id = coalesce(p_account_id, e.account_id)
  where e.id = p_id;
$$;

revoke execute on function
  private.reports_email_record_event(text, text, text, jsonb, boolean, timestamptz, inet, text, text, integer),
  private.reports_email_finish_event(uuid, text, text, uuid)
from public, anon, authenticated;
grant execute on function
  private.reports_email_record_event(text, text, text, jsonb, boolean, timestamptz, inet, text, text, integer),
  private.reports_email_finish_event(uuid, text, text, uuid)
to service_role;
