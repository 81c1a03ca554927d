-- QuickSell listings, the rules: the status machine, published_at on the
-- first publish, soft delete, and what only the backend may change.
--
-- Status machine (every role; "backend" = code running as a role other than
-- the API roles anon/authenticated: service_role, and security definer
-- functions such as qs-game's private.quicksell_mark_sold):
--     draft     -> published | archived             seller
--     published -> delisted                         seller
--     published -> sold                             backend (a sale)
--     delisted  -> published | archived             seller
--     sold      -> archived                         seller
--     sold      -> published                        backend (the sale was cancelled or refunded)
--   A client inserts a listing as draft or published; the backend inserts
--   any state (imports, demo). Anything else: PT409 naming `status`.
--   Publishing needs a description (22023 `description:`), a draft may be
--   empty while the AI writes it.
-- published_at: set by the database on the first publish, never by a client
--   (not in the column grants), kept on later publishes.
-- Soft delete: the seller sets deleted_at (the database stamps now(), so it
--   cannot be back-dated into the retention window); from then on the row is
--   out of every public read (RLS), clients can neither edit it (PT409) nor
--   clear deleted_at (42501); there is no delete grant, and a listing with
--   sales cannot be deleted by anyone (foreign key on delete restrict).
-- Content of a sold or archived listing is frozen for clients (PT409): the
--   sale and its history describe it.
-- Column protection: user_id, view_count, click_count, estimated_price,
--   ai_*, confidence_score, published_at, created_at are outside the
--   clients' column grants (42501); the trigger also refuses a client
--   changing them through any other path.
-- updated_at follows edits only: counting a view is not an edit.
-- Consistency, whoever writes: a photo's user_id is its listing's seller; a
--   marketplace copy's account is the listing's seller's; a sale's seller is
--   the listing's seller. Sales are never deleted, not even by the owner.

-- Invoker on purpose: current_user must be the role running the statement
-- (inside a security definer function it is the function's owner: the
-- backend). Inlined rather than a helper, which the API roles would need
-- EXECUTE on.
create or replace function private.quicksell_guard_listing()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_backend boolean := current_user not in ('anon', 'authenticated');
begin
  if tg_op = 'INSERT' then
    if not v_backend then
      if new.status not in ('draft', 'published') then
        raise exception 'status: a new listing is a draft or published, not %', new.status using errcode = 'PT409';
      end if;
      if new.deleted_at is not null then
        raise exception 'deleted_at: set by deleting the listing' using errcode = '42501';
      end if;
      new.published_at := null;
    end if;
    if new.status <> 'draft' and char_length(btrim(new.description)) = 0 and new.status <> 'archived' then
      raise exception 'description: a published listing needs a description' using errcode = '22023';
    end if;
    if new.status in ('published', 'sold', 'delisted') and new.published_at is null then
      new.published_at := now();
    end if;
    return new;
  end if;

  -- UPDATE
  if new.id is distinct from old.id or new.user_id is distinct from old.user_id then
    raise exception 'user_id: a listing stays with its seller' using errcode = '42501';
  end if;

  if not v_backend then
    if new.view_count is distinct from old.view_count or new.click_count is distinct from old.click_count
       or new.estimated_price is distinct from old.estimated_price
       or new.ai_description_generated is distinct from old.ai_description_generated
       or new.ai_price_estimated is distinct from old.ai_price_estimated
       or new.confidence_score is distinct from old.confidence_score
       or new.published_at is distinct from old.published_at
       or new.created_at is distinct from old.created_at then
      raise exception 'listing: counters, AI results and published_at are set by QuickSell' using errcode = '42501';
    end if;
    if old.deleted_at is not null then
      if new.deleted_at is null then
        raise exception 'deleted_at: a deleted listing cannot be restored' using errcode = '42501';
      end if;
      raise exception 'deleted_at: the listing is deleted' using errcode = 'PT409';
    end if;
    if new.deleted_at is not null then
      new.deleted_at := now();
    end if;
    if old.status in ('sold', 'archived') and (
         new.title is distinct from old.title or new.description is distinct from old.description
      or new.category is distinct from old.category or new.condition is distinct from old.condition
      or new.price is distinct from old.price or new.currency is distinct from old.currency
      or new.brand is distinct from old.brand or new.model is distinct from old.model
      or new.color is distinct from old.color or new.size is distinct from old.size
      or new.weight_kg is distinct from old.weight_kg or new.dimensions is distinct from old.dimensions
      or new.local_pickup_available is distinct from old.local_pickup_available
      or new.shipping_available is distinct from old.shipping_available
      or new.estimated_shipping_cost is distinct from old.estimated_shipping_cost) then
      raise exception 'status: a % listing can no longer be edited', old.status using errcode = 'PT409';
    end if;
  end if;

  if new.status is distinct from old.status then
    if not (
         (old.status = 'draft' and new.status in ('published', 'archived'))
      or (old.status = 'published' and new.status = 'delisted')
      or (old.status = 'delisted' and new.status in ('published', 'archived'))
      or (old.status = 'sold' and new.status = 'archived')
      or (v_backend and old.status = 'published' and new.status = 'sold')
      or (v_backend and old.status = 'sold' and new.status = 'published')
    ) then
      raise exception 'status: a listing cannot go from % to %', old.status, new.status using errcode = 'PT409';
    end if;
    if new.status = 'published' then
      if char_length(btrim(new.description)) = 0 then
        raise exception 'description: a published listing needs a description' using errcode = '22023';
      end if;
      new.published_at := coalesce(old.published_at, now());
    end if;
  end if;
  return new;
end;
$$;
revoke execute on function private.quicksell_guard_listing() from public, anon, authenticated;

create trigger listings_guard
  before insert or update on quicksell.listings
  for each row execute function private.quicksell_guard_listing();

-- updated_at: edits only (the generic trigger would move it on every counted view).
drop trigger listings_set_updated_at on quicksell.listings;

create or replace function private.quicksell_listing_touch()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if (to_jsonb(new) - array['view_count', 'click_count', 'updated_at'])
     is distinct from (to_jsonb(old) - array['view_count', 'click_count', 'updated_at']) then
    new.updated_at := now();
  else
    new.updated_at := old.updated_at;
  end if;
  return new;
end;
$$;
revoke execute on function private.quicksell_listing_touch() from public, anon, authenticated;

-- Named to run after listings_guard (before triggers fire in name order).
create trigger listings_touch_updated_at
  before update on quicksell.listings
  for each row execute function private.quicksell_listing_touch();

-- ---------------------------------------------------------------- consistency
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
    if new.user_id is distinct from v_seller then
      raise exception 'listing_id: photos go on your own listings' using errcode = '42501';
    end if;
  elsif tg_table_name = 'marketplace_listings' then
    select a.user_id into v_account_user from quicksell.marketplace_accounts a where a.id = new.marketplace_account_id;
    if v_account_user is not null and v_account_user is distinct from v_seller then
      raise exception 'marketplace_account_id: the account is not the listing''s seller''s' using errcode = '22023';
    end if;
  elsif tg_table_name = 'sales' then
    if new.seller_id is distinct from v_seller then
      raise exception 'seller_id: must be the listing''s seller' using errcode = '22023';
    end if;
  end if;
  return new;
end;
$$;
revoke execute on function private.quicksell_check_listing_owner() from public, anon, authenticated;

create trigger photos_listing_owner
  before insert or update of listing_id, user_id on quicksell.photos
  for each row execute function private.quicksell_check_listing_owner();
create trigger marketplace_listings_listing_owner
  before insert or update of listing_id, marketplace_account_id on quicksell.marketplace_listings
  for each row execute function private.quicksell_check_listing_owner();
create trigger sales_listing_owner
  before insert or update of listing_id, seller_id on quicksell.sales
  for each row execute function private.quicksell_check_listing_owner();

-- Sales are a record of money and ratings: never deleted, by anyone.
create or replace function private.quicksell_sales_never_deleted()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'sales: a sale is never deleted (cancel or refund it)' using errcode = '42501';
end;
$$;
revoke execute on function private.quicksell_sales_never_deleted() from public, anon, authenticated;

create trigger sales_never_deleted
  before delete on quicksell.sales
  for each row execute function private.quicksell_sales_never_deleted();
create trigger sales_never_truncated
  before truncate on quicksell.sales
  for each statement execute function private.quicksell_sales_never_deleted();

revoke execute on all functions in schema private from public;
