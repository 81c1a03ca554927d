-- QuickSell: the backend may leave a photo's user_id and a sale's seller_id
-- out; they default to the listing's seller (private.quicksell_check_listing_owner,
-- from 20261202100100, now fills them in before checking). Clients are
-- unchanged: their photos' user_id is auth.uid() (column default, no grant),
-- and a value that is not the listing's seller is still refused (photos
-- 42501, sales 22023). Cross-posted copies are unchanged.

create or replace function private.quicksell_check_listing_owner()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_seller uuid;
  v_account_user uuid;
begin
  select l.user_id into v_seller from quicksell.listings l where l.id = new.listing_id;
  if v_seller is null then
    return new; -- the foreign key answers 23503
  end if;
  if tg_table_name = 'photos' then
    new.user_id := coalesce(new.user_id, v_seller);
    if new.user_id is distinct from v_seller then
      raise exception 'listing_id: photos go on your own listings' using errcode = '42501';
    end if;
  elsif tg_table_name = 'marketplace_listings' then
    select a.user_id into v_account_user from quicksell.marketplace_accounts a where a.id = new.marketplace_account_id;
    if v_account_user is not null and v_account_user is distinct from v_seller then
      raise exception 'marketplace_account_id: the account is not the listing''s seller''s' using errcode = '22023';
    end if;
  elsif tg_table_name = 'sales' then
    new.seller_id := coalesce(new.seller_id, v_seller);
    if new.seller_id is distinct from v_seller then
      raise exception 'seller_id: must be the listing''s seller' using errcode = '22023';
    end if;
  end if;
  return new;
end;
$$;
revoke execute on function private.quicksell_check_listing_owner() from public, anon, authenticated;
