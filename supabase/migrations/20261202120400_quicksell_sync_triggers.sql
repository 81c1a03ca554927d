-- QuickSell cross-posting (seed 001), part 5: a listing's changes reach its copies.
--   * A published listing whose synced fields change (title, description,
--     price, currency, condition, category, brand) queues an 'update' of
--     every active copy.
--   * A listing that leaves the market (published -> sold, delisted or
--     archived, or soft-deleted), here or because a marketplace reported a
--     sale (private.quicksell_sync_sell), queues a 'delist' of every OTHER
--     copy still draft, active or in error (the copy that sold is already
--     'sold'). Exactly once: the idempotency key is (copy, listing version),
--     so the same change never queues twice, and the worker drains the queued
--     delists in the same run that recorded the sale (one sync cycle).
-- The listing version in the key is listing_versions' latest version (qs-core)
-- with the row's updated_at stamp (one per transaction), so it is unique per
-- change even before the versions trigger lands. The worker reads the listing
-- when it runs, so jobs that run out of order still end on the latest state.

create or replace function private.quicksell_sync_on_listing_change()
returns trigger
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_version text := coalesce((select max(v.version) from quicksell.listing_versions v where v.listing_id = new.id), 0)
                    || '@' || (extract(epoch from new.updated_at) * 1000000)::bigint;
  v_was_live boolean := old.status = 'published' and old.deleted_at is null;
  v_is_live boolean := new.status = 'published' and new.deleted_at is null;
begin
  if v_was_live and not v_is_live then
    perform private.quicksell_sync_enqueue(ml.id, 'delist', format('delist:%s:%s', ml.id, v_version))
    from quicksell.marketplace_listings ml
    where ml.listing_id = new.id and ml.sync_status in ('draft', 'active', 'error');
  elsif v_was_live and v_is_live
    and (new.title, new.description, new.price, new.currency, new.condition, new.category, new.brand)
        is distinct from (old.title, old.description, old.price, old.currency, old.condition, old.category, old.brand) then
    perform private.quicksell_sync_enqueue(ml.id, 'update', format('update:%s:%s', ml.id, v_version))
    from quicksell.marketplace_listings ml
    where ml.listing_id = new.id and ml.sync_status = 'active';
  end if;
  return null;
end;
$$;

revoke execute on function private.quicksell_sync_on_listing_change() from public, anon, authenticated;

create trigger listings_sync_marketplace_copies
  after update of status, deleted_at, title, description, price, currency, condition, category, brand on quicksell.listings
  for each row execute function private.quicksell_sync_on_listing_change();
