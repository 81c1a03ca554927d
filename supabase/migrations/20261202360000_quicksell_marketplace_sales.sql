-- QuickSell: a sale a marketplace reports is a real sale.
--
-- private.quicksell_sync_sell (20261202120300) marked the listing sold by a
-- bare status update while quicksell.record_sale did not exist yet, so a
-- sale on eBay or Etsy left no quicksell.sales row: no stats, no points,
-- nothing to complete, rate or refund. It now records the sale through
-- quicksell.record_sale as the backend, at the price the copy was posted
-- for (else the listing's price), naming the marketplace; record_sale marks
-- the listing sold in the same transaction, which delists every other copy
-- (the sync trigger) exactly as before. The sale starts pending: the seller
-- completes it when the item is delivered (quicksell.complete_sale), which
-- is when it counts in user_stats and scores points.
-- Rights: unchanged (internal; called by the sync worker's settlement).

create or replace function private.quicksell_sync_sell(p_copy_id uuid)
returns boolean
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_copy quicksell.marketplace_listings;
  v_listing quicksell.listings;
  v_live boolean;
begin
  select * into v_copy from quicksell.marketplace_listings ml where ml.id = p_copy_id;
  if not found then
    raise exception 'copy_id: no such marketplace copy' using errcode = 'PT404';
  end if;
  -- The listing first, then its copies: two marketplaces reporting at once queue here.
  select * into v_listing from quicksell.listings l where l.id = v_copy.listing_id for update;
  v_live := v_listing.status = 'published' and v_listing.deleted_at is null;
  update quicksell.marketplace_listings ml set
    sync_status = 'sold',
    last_sync_at = now(),
    last_error = case when v_live then null
                      else format('sold on %s after the listing was already %s: cancel one of the two sales', ml.marketplace_name, v_listing.status) end,
    last_error_at = case when v_live then null else now() end
  where ml.id = p_copy_id and ml.sync_status in ('active', 'error');
  if not found or not v_live then
    return false;
  end if;
  perform quicksell.record_sale(v_listing.id, coalesce(v_copy.posted_price, v_listing.price), 0, null, v_copy.marketplace_name);
  return true;
end;
$$;
revoke execute on function private.quicksell_sync_sell(uuid) from public, anon, authenticated;
