-- QuickSell cross-posting (seed 001), part 6: the 5-minute poll
-- (pg_cron 'quicksell-sync-poll', private.quicksell_sync_poll_active) skips
-- accounts that hold no tokens (never connected through marketplace-sync,
-- e.g. demo rows): polling them could only fail, every five minutes, with
-- "connect it again". Nothing else changes.

create or replace function private.quicksell_sync_poll_active()
returns integer
language sql
volatile
security definer
set search_path = ''
as $$
  select count(private.quicksell_sync_enqueue(ml.id, 'poll', format('poll:%s:cron:%s', ml.id, floor(extract(epoch from now()) / 300)::bigint)))::integer
  from quicksell.marketplace_listings ml
  join quicksell.marketplace_accounts a on a.id = ml.marketplace_account_id
  where ml.sync_status = 'active' and ml.marketplace_name <> 'local' and a.is_active and a.auto_sync_enabled
    and a.access_token is not null;
$$;

revoke execute on function private.quicksell_sync_poll_active() from public, anon, authenticated;
