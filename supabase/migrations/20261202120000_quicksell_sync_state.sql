-- QuickSell cross-posting (seed 001), part 1: what a copy's sync needs to keep.
--   * quicksell.marketplace_accounts gains (not in the seed)
--       refresh_token_expires_at  when the seller must reconnect (eBay 18
--                                 months, Etsy 90 days after the last refresh);
--       marketplace_data          ids the adapter needs later (Etsy shop_id);
--     and both tokens must be AES-256-GCM ciphertext `v1:<iv b64>:<ct b64>`
--     made by the marketplace-sync function with a key the database never
--     sees: a plain token is refused by a check, not just hidden by grants.
--   * quicksell.marketplace_listings gains (not in the seed) last_error and
--     last_error_at: the last failure of the copy's sync, kept (also while it
--     is retried) until a sync succeeds.
--   * The sync_status machine, enforced for every role by a trigger:
--       draft    -> active | error | delisted
--       active   -> sold | delisted | error
--       error    -> active | delisted | draft (cross-posted again) | sold
--       delisted -> draft (cross-posted again) | active
--       sold     -> (final)
--   * The job queue 'quicksell.sync' (worker function marketplace-sync). The
--     lead's brief said 'quicksell-sync'; public.job_queues only accepts
--     '<product>.<name>' (as 'homes.valuation', 'studio.ai_job').
-- Who may do what: the owner reads refresh_token_expires_at (column grant)
-- but never the tokens nor marketplace_data; the seller reads last_error with
-- the rest of his copies; only service_role writes any of it.

alter table quicksell.marketplace_accounts
  add column refresh_token_expires_at timestamptz,
  add column marketplace_data jsonb not null default '{}'::jsonb
    check (jsonb_typeof(marketplace_data) = 'object' and pg_column_size(marketplace_data) <= 4096),
  add constraint marketplace_accounts_access_token_ciphertext
    check (access_token ~ '^v1:[A-Za-z0-9+/]{16}:[A-Za-z0-9+/]+={0,2}$'),
  add constraint marketplace_accounts_refresh_token_ciphertext
    check (refresh_token ~ '^v1:[A-Za-z0-9+/]{16}:[A-Za-z0-9+/]+={0,2}$');

comment on column quicksell.marketplace_accounts.access_token is
  'AES-256-GCM ciphertext v1:<iv>:<ct> (key QUICKSELL_TOKEN_KEY, held by the functions); never readable by clients.';
comment on column quicksell.marketplace_accounts.refresh_token is
  'AES-256-GCM ciphertext v1:<iv>:<ct> (key QUICKSELL_TOKEN_KEY, held by the functions); never readable by clients.';
comment on column quicksell.marketplace_accounts.refresh_token_expires_at is
  'Not in the seed: when the refresh token dies and the seller must connect the account again.';
comment on column quicksell.marketplace_accounts.marketplace_data is
  'Not in the seed: marketplace ids the adapter needs (Etsy shop_id); backend only.';

grant select (refresh_token_expires_at) on quicksell.marketplace_accounts to authenticated;

alter table quicksell.marketplace_listings
  add column last_error text check (char_length(last_error) <= 2000),
  add column last_error_at timestamptz;

comment on column quicksell.marketplace_listings.last_error is
  'Not in the seed: the last sync failure, kept while retried and after giving up (sync_status error); cleared by a success.';

-- Copies a marketplace reports on (notifications, polls) are found by their id there.
create index marketplace_listings_active_idx on quicksell.marketplace_listings (marketplace_name, sync_status)
  where sync_status = 'active';

create or replace function private.quicksell_sync_status_guard()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.sync_status is distinct from old.sync_status and not (
    (old.sync_status = 'draft' and new.sync_status in ('active', 'error', 'delisted'))
    or (old.sync_status = 'active' and new.sync_status in ('sold', 'delisted', 'error'))
    or (old.sync_status = 'error' and new.sync_status in ('active', 'delisted', 'draft', 'sold'))
    or (old.sync_status = 'delisted' and new.sync_status in ('draft', 'active'))
  ) then
    raise exception 'sync_status: a copy cannot go from % to %', old.sync_status, new.sync_status using errcode = 'PT409';
  end if;
  return new;
end;
$$;

revoke execute on function private.quicksell_sync_status_guard() from public, anon, authenticated;

create trigger marketplace_listings_sync_status_guard
  before update of sync_status on quicksell.marketplace_listings
  for each row execute function private.quicksell_sync_status_guard();

insert into public.job_queues (queue, worker_function, batch_size, lease_seconds)
values ('quicksell.sync', 'marketplace-sync', 10, 120);
