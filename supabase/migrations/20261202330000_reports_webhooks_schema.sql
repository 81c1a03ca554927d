-- Reports (seed 004), part 2: outgoing webhooks (Standard Webhooks 1.0) —
-- the shape. Two tables with every seed column:
--   reports.webhooks            an account's endpoints and the events they want
--   reports.webhook_deliveries  one row per delivery ATTEMPT
-- and the job queue `reports.webhooks` (worker function reports-webhooks).
--
-- Added columns (docs/reports.md "Outgoing webhooks"):
--   webhooks.previous_secret, previous_secret_expires_at  the secret a
--     rotation replaced, still signed with until it expires (24 h);
--   webhooks.failing_since   first failed attempt since the last delivery;
--   webhooks.disabled_reason / disabled_at  why and when the endpoint was
--     switched off ('manual', 'gone' = the receiver answered 410, 'failing' =
--     every attempt failed for 3 days);
--   webhook_deliveries.message_id  the `webhook-id` header: one per event
--     and endpoint, the same on every attempt and replay;
--   webhook_deliveries.attempt, status, error, next_attempt_at,
--     attempted_at, replay_of  the attempt chain.
--
-- Who may do what:
--   * webhooks: the account's members and platform admins read every column
--     EXCEPT secret and previous_secret (column grants: those hold AES-GCM
--     ciphertext that only the reports-webhooks function can open, and even
--     the ciphertext is nobody's business); owners and admins change url,
--     events and is_active, and delete; nobody inserts or sets a secret
--     through the Data API — creation and rotation go through the
--     reports-webhooks function, which makes the secret, shows it once and
--     stores its ciphertext (private.reports_webhook_create / _rotate);
--   * webhook_deliveries: the account's members and platform admins read;
--     only the backend writes (emit, the worker, the test and replay RPCs).
--
-- Invariants: events are a non-empty subset of the fixed list (CHECK); url
-- is http(s), at most 2000 characters (https and a public address are
-- enforced by the function outside the local stack, at creation and before
-- every attempt); a secret is `v1:<iv>:<ciphertext>`; a previous secret has
-- its expiry; an inactive endpoint says why; a delivery's attempt is 1-8 and
-- a delivered or failed attempt says when it was made.

create or replace function private.reports_webhook_events()
returns text[]
language sql
immutable
set search_path = ''
as $$
  select array['report.completed', 'report.failed', 'lead.created', 'schedule.run_failed', 'webhook.test']::text[];
$$;

comment on function private.reports_webhook_events() is 'The event types an outgoing webhook may subscribe to.';

create table reports.webhooks (
  id uuid primary key default extensions.gen_random_uuid(),
  account_id uuid not null references public.accounts (id) on delete cascade,
  url text not null check (char_length(url) <= 2000 and url ~* '^https?://[^/?#\s]+'),
  events text[] not null check (
    cardinality(events) between 1 and 5
    and array_position(events, null) is null
    and events <@ array['report.completed', 'report.failed', 'lead.created', 'schedule.run_failed', 'webhook.test']::text[]
  ),
  secret text not null check (secret ~ '^v1:[A-Za-z0-9+/]+={0,2}:[A-Za-z0-9+/]+={0,2}$'),
  previous_secret text check (previous_secret ~ '^v1:[A-Za-z0-9+/]+={0,2}:[A-Za-z0-9+/]+={0,2}$'),
  previous_secret_expires_at timestamptz,
  is_active boolean not null default true,
  failing_since timestamptz,
  disabled_reason text check (disabled_reason in ('manual', 'gone', 'failing')),
  disabled_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint webhooks_previous_secret_expires check ((previous_secret is null) = (previous_secret_expires_at is null)),
  constraint webhooks_inactive_says_why check (is_active = (disabled_reason is null) and is_active = (disabled_at is null))
);

comment on table reports.webhooks is
  'Reports (seed 004): outgoing webhook endpoints (Standard Webhooks 1.0). secret / previous_secret: AES-256-GCM ciphertext, never granted to clients.';
comment on column reports.webhooks.secret is 'v1:<iv>:<ciphertext> of whsec_<base64>, sealed by functions/_shared/secret-box.ts under REPORTS_WEBHOOK_KEY.';
comment on column reports.webhooks.previous_secret is 'Added: the secret a rotation replaced; signed with too until previous_secret_expires_at.';
comment on column reports.webhooks.failing_since is 'Added: first failed attempt since the last delivered one (null while healthy).';
comment on column reports.webhooks.disabled_reason is 'Added: manual (a client switched it off), gone (410), failing (3 days of failures).';

create index webhooks_account_id_idx on reports.webhooks (account_id);

create table reports.webhook_deliveries (
  id uuid primary key default extensions.gen_random_uuid(),
  account_id uuid not null references public.accounts (id) on delete cascade,
  webhook_id uuid not null references reports.webhooks (id) on delete cascade,
  event text not null check (event = any (array['report.completed', 'report.failed', 'lead.created', 'schedule.run_failed', 'webhook.test']::text[])),
  payload jsonb not null check (jsonb_typeof(payload) = 'object' and octet_length(payload::text) <= 65536),
  response_status integer check (response_status between 100 and 599),
  response_ms integer check (response_ms >= 0),
  created_at timestamptz not null default now(),
  message_id text not null check (message_id ~ '^msg_[A-Za-z0-9]{16,64}$'),
  attempt integer not null default 1 check (attempt between 1 and 8),
  status text not null default 'pending' check (status in ('pending', 'delivered', 'failed', 'dead')),
  error text check (char_length(error) <= 2000),
  next_attempt_at timestamptz,
  attempted_at timestamptz,
  replay_of uuid references reports.webhook_deliveries (id) on delete set null,
  constraint webhook_deliveries_attempted check (status = 'pending' or attempted_at is not null),
  constraint webhook_deliveries_pending_due check (status <> 'pending' or next_attempt_at is not null)
);

comment on table reports.webhook_deliveries is
  'Reports (seed 004): one row per delivery attempt of an event to an endpoint; message_id is the webhook-id header.';
comment on column reports.webhook_deliveries.message_id is 'Added: the webhook-id header, the same on every attempt and replay of this event to this endpoint.';
comment on column reports.webhook_deliveries.next_attempt_at is
  'Added: pending: when this attempt is due; failed: when the next attempt is due (null once dead or delivered).';
comment on column reports.webhook_deliveries.replay_of is 'Added: the delivery a manual replay started from (its chain restarts at attempt 1).';

create index webhook_deliveries_webhook_id_created_at_idx on reports.webhook_deliveries (webhook_id, created_at desc);
create index webhook_deliveries_account_id_created_at_idx on reports.webhook_deliveries (account_id, created_at desc);
create index webhook_deliveries_message_id_idx on reports.webhook_deliveries (message_id);
create index webhook_deliveries_replay_of_idx on reports.webhook_deliveries (replay_of);

create trigger webhooks_set_updated_at before update on reports.webhooks
  for each row execute function private.set_updated_at();

-- ---------------------------------------------------------------- client edits
-- Bad input is 22023 naming the field (a CHECK would be 23514 without one);
-- a client switching an endpoint off is 'manual', switching it on clears
-- the failure bookkeeping so it starts afresh.
create or replace function private.reports_webhooks_guard()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.url is null or char_length(new.url) > 2000 or new.url !~* '^https?://[^/?#\s]+' then
    raise exception 'url: must be an http(s) URL of at most 2000 characters' using errcode = '22023';
  end if;
  if new.events is null or cardinality(new.events) = 0 or array_position(new.events, null) is not null
     or not new.events <@ array['report.completed', 'report.failed', 'lead.created', 'schedule.run_failed', 'webhook.test']::text[] then
    raise exception 'events: one or more of report.completed, report.failed, lead.created, schedule.run_failed, webhook.test'
      using errcode = '22023';
  end if;
  new.events := array(select distinct e from unnest(new.events) e order by e);
  if tg_op = 'UPDATE' and new.is_active is distinct from old.is_active then
    if new.is_active then
      new.disabled_reason := null;
      new.disabled_at := null;
      new.failing_since := null;
    elsif new.disabled_reason is null then
      new.disabled_reason := 'manual';
      new.disabled_at := now();
    end if;
  end if;
  return new;
end;
$$;

create trigger webhooks_guard before insert or update on reports.webhooks
  for each row execute function private.reports_webhooks_guard();

-- ---------------------------------------------------------------- the delivery queue
insert into public.job_queues (queue, worker_function, batch_size, lease_seconds)
values ('reports.webhooks', 'reports-webhooks', 20, 60);

-- ---------------------------------------------------------------- grants
revoke all on reports.webhooks, reports.webhook_deliveries from anon, authenticated, service_role;

grant select (id, account_id, url, events, is_active, previous_secret_expires_at, failing_since, disabled_reason,
              disabled_at, created_at, updated_at)
  on reports.webhooks to authenticated;
grant update (url, events, is_active) on reports.webhooks to authenticated;
grant delete on reports.webhooks to authenticated;

grant select on reports.webhook_deliveries to authenticated;

grant all on reports.webhooks, reports.webhook_deliveries to service_role;

-- ---------------------------------------------------------------- RLS
alter table reports.webhooks enable row level security;
alter table reports.webhook_deliveries enable row level security;

create policy "webhooks: the account's members and platform admins read"
  on reports.webhooks for select to authenticated
  using (account_id in (select private.my_account_ids()) or (select private.is_platform_admin()));
create policy "webhooks: owners and admins change"
  on reports.webhooks for update to authenticated
  using (account_id in (select private.my_admin_account_ids()))
  with check (account_id in (select private.my_admin_account_ids()));
create policy "webhooks: owners and admins remove"
  on reports.webhooks for delete to authenticated
  using (account_id in (select private.my_admin_account_ids()));

create policy "webhook_deliveries: the account's members and platform admins read"
  on reports.webhook_deliveries for select to authenticated
  using (account_id in (select private.my_account_ids()) or (select private.is_platform_admin()));

revoke execute on function private.reports_webhook_events() from public, anon, authenticated;
revoke execute on function private.reports_webhooks_guard() from public, anon, authenticated;
