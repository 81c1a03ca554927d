-- QuickSell (seed 001): sales, ratings and the seller's stats.
--   * quicksell.record_sale(listing, sale_price, shipping_cost, buyer,
--     marketplace) -> sale id: the seller (or service_role, for a sale a
--     marketplace reported) records a pending sale and the listing becomes
--     sold in the same transaction, through the status machine
--     (private.quicksell_mark_sold, qs-core's backend entry). The listing row is locked first, so of
--     two concurrent sales of one listing exactly one wins and the other gets
--     PT409 (not published any more); a partial unique index (one pending or
--     completed sale per listing) backs that up;
--   * final_amount = sale_price + shipping_cost, always computed by the
--     database (trigger; whatever a writer sends is replaced);
--   * quicksell.complete_sale (pending -> completed), quicksell.cancel_sale
--     (pending or completed -> cancelled; the listing is published again),
--     quicksell.refund_sale (completed -> refunded; the listing stays sold):
--     the seller or service_role; anything else PT409;
--   * quicksell.rate_sale(sale, rating 1-5, review): the buyer rates the
--     seller (seller_rating / seller_review), the seller rates the buyer
--     (buyer_rating / buyer_review), each once, only once the sale is
--     completed;
--   * user_stats of the seller, kept exactly by triggers on the sale:
--     completion adds 1 to total_items_sold and sale_price to total_revenue
--     (average_sale_price = total_revenue / total_items_sold), 'sale_completed'
--     points, leaderboard sales in the period of completed_date, challenge
--     progress and items_sold badges; cancelling or refunding a completed sale
--     takes exactly that back (the points by a reversal row, the leaderboard
--     in the same period; badges once earned are kept). A rating received as
--     seller counts in positive_ratings (4-5) or negative_ratings (1-2) and
--     average_rating (the mean of every seller_rating he received); a positive
--     rating (4-5) received by either party scores 'rating_received' points.
-- Who may do what: sales are read by their seller and buyer (qs-core's
-- policies); no API role inserts or updates a sale except through these
-- RPCs (a trigger refuses any other write, service_role included), and nobody
-- deletes one, ever (trigger, every role; TRUNCATE too). The table owner
-- (migrations, the demo loader) may insert a sale in its final state: the
-- same triggers then count it.

-- The backend: service_role claims, or a session with no role claim that is
-- not acting as an API role (edge functions, pg_cron, the demo loader).
create or replace function private.quicksell_is_backend()
returns boolean
language sql
stable
set search_path = ''
as $$
  select case
    when (select auth.role()) is not null then (select auth.role()) = 'service_role'
    else current_setting('role') not in ('anon', 'authenticated')
  end;
$$;
revoke execute on function private.quicksell_is_backend() from public, anon, authenticated;

create unique index sales_one_live_sale_per_listing on quicksell.sales (listing_id) where status in ('pending', 'completed');
create index sales_seller_rated_idx on quicksell.sales (seller_id) where seller_rating is not null;

-- ------------------------------------------------------------ write guards

create or replace function private.quicksell_sales_guard()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' or tg_op = 'TRUNCATE' then
    raise exception 'sales are kept forever: a sale is cancelled or refunded, never deleted' using errcode = '42501';
  end if;
  -- The RPCs run as their owner; an API role writing the table itself
  -- (service_role has the grants) would skip the listing and the stats.
  if current_user in ('anon', 'authenticated', 'service_role') then
    raise exception 'sales change only through the quicksell sale RPCs' using errcode = '42501';
  end if;
  -- What a sale is about never changes after it is recorded.
  if tg_op = 'UPDATE' and (new.listing_id is distinct from old.listing_id or new.seller_id is distinct from old.seller_id
                           or new.buyer_id is distinct from old.buyer_id or new.sale_price is distinct from old.sale_price
                           or new.shipping_cost is distinct from old.shipping_cost or new.currency is distinct from old.currency) then
    raise exception 'sale: listing, parties and amounts are fixed once recorded' using errcode = '42501';
  end if;
  new.final_amount := new.sale_price + coalesce(new.shipping_cost, 0);
  return new;
end;
$$;
revoke execute on function private.quicksell_sales_guard() from public, anon, authenticated;

create trigger sales_guard_write
  before insert or update on quicksell.sales
  for each row execute function private.quicksell_sales_guard();
-- The listing-rules migration (20261202100100) already refuses deletes with
-- its own triggers of these names; this guard (which also names the refusal
-- for the table owner) replaces them.
drop trigger if exists sales_never_deleted on quicksell.sales;
drop trigger if exists sales_never_truncated on quicksell.sales;
create trigger sales_never_deleted
  before delete on quicksell.sales
  for each row execute function private.quicksell_sales_guard();
create trigger sales_never_truncated
  before truncate on quicksell.sales
  for each statement execute function private.quicksell_sales_guard();

-- ------------------------------------------------------------ stats

create or replace function private.quicksell_sale_status_changed()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_sold integer;
begin
  if new.status = 'completed' and old.status is distinct from 'completed' then
    perform private.quicksell_lock_stats(new.seller_id);
    update quicksell.user_stats s
    set total_items_sold = s.total_items_sold + 1,
        total_revenue = s.total_revenue + new.sale_price,
        average_sale_price = round((s.total_revenue + new.sale_price) / (s.total_items_sold + 1), 2),
        updated_at = now()
    where s.user_id = new.seller_id
    returning s.total_items_sold into v_sold;
    perform private.quicksell_leaderboard_add(new.seller_id, coalesce(new.completed_date, new.sale_date), 0, 1, new.sale_price);
    perform private.quicksell_award(new.seller_id, 'sale_completed', 'sale:' || new.id,
                                    jsonb_build_object('sale_id', new.id, 'listing_id', new.listing_id));
    perform private.quicksell_challenge_progress(new.seller_id, 'items_sold', 1);
    perform private.quicksell_unlock_badges(new.seller_id, 'items_sold', v_sold);
    perform private.notify(new.seller_id, 'sale_completed', 'Sale completed',
                           format('Your sale of %s %s is complete.', new.final_amount, new.currency), 'quicksell', null,
                           jsonb_build_object('sale_id', new.id, 'listing_id', new.listing_id));
  elsif old.status = 'completed' and new.status in ('cancelled', 'refunded') then
    perform private.quicksell_lock_stats(new.seller_id);
    update quicksell.user_stats s
    set total_items_sold = s.total_items_sold - 1,
        total_revenue = s.total_revenue - new.sale_price,
        average_sale_price = case when s.total_items_sold - 1 > 0
                                  then round((s.total_revenue - new.sale_price) / (s.total_items_sold - 1), 2) end,
        updated_at = now()
    where s.user_id = new.seller_id;
    perform private.quicksell_leaderboard_add(new.seller_id, coalesce(old.completed_date, old.sale_date), 0, -1, -new.sale_price);
    perform private.quicksell_reverse_award(new.seller_id, 'sale_completed', 'sale:' || new.id);
    perform private.quicksell_challenge_progress(new.seller_id, 'items_sold', -1);
  end if;
  return null;
end;
$$;
revoke execute on function private.quicksell_sale_status_changed() from public, anon, authenticated;

create trigger sales_stats_on_status
  after update of status on quicksell.sales
  for each row when (old.status is distinct from new.status)
  execute function private.quicksell_sale_status_changed();
create trigger sales_stats_on_insert
  after insert on quicksell.sales
  for each row when (new.status = 'completed')
  execute function private.quicksell_sale_status_changed();

create or replace function private.quicksell_sale_rated()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_received integer;
begin
  if old.seller_rating is null and new.seller_rating is not null then  -- (old is null on insert)
    perform private.quicksell_lock_stats(new.seller_id);
    update quicksell.user_stats s
    set positive_ratings = s.positive_ratings + (new.seller_rating >= 4)::int,
        negative_ratings = s.negative_ratings + (new.seller_rating <= 2)::int,
        average_rating = (select round(avg(x.seller_rating), 2) from quicksell.sales x
                          where x.seller_id = new.seller_id and x.seller_rating is not null),
        updated_at = now()
    where s.user_id = new.seller_id;
    select count(*) into v_received from quicksell.sales x where x.seller_id = new.seller_id and x.seller_rating is not null;
    if new.seller_rating >= 4 then
      perform private.quicksell_award(new.seller_id, 'rating_received', 'rating:' || new.id || ':seller',
                                      jsonb_build_object('sale_id', new.id, 'rating', new.seller_rating));
    end if;
    perform private.quicksell_challenge_progress(new.seller_id, 'ratings_received', 1);
    perform private.quicksell_unlock_badges(new.seller_id, 'ratings_received', v_received);
    perform private.notify(new.seller_id, 'rating_received', 'New rating',
                           format('Your buyer rated you %s of 5.', new.seller_rating), 'quicksell', null,
                           jsonb_build_object('sale_id', new.id, 'listing_id', new.listing_id));
  end if;
  if old.buyer_rating is null and new.buyer_rating is not null and new.buyer_id is not null then
    if new.buyer_rating >= 4 then
      perform private.quicksell_award(new.buyer_id, 'rating_received', 'rating:' || new.id || ':buyer',
                                      jsonb_build_object('sale_id', new.id, 'rating', new.buyer_rating));
    end if;
    perform private.notify(new.buyer_id, 'rating_received', 'New rating',
                           format('The seller rated you %s of 5.', new.buyer_rating), 'quicksell', null,
                           jsonb_build_object('sale_id', new.id, 'listing_id', new.listing_id));
  end if;
  return null;
end;
$$;
revoke execute on function private.quicksell_sale_rated() from public, anon, authenticated;

create trigger sales_stats_on_rating
  after update of seller_rating, buyer_rating on quicksell.sales
  for each row execute function private.quicksell_sale_rated();
create trigger sales_stats_on_insert_rated
  after insert on quicksell.sales
  for each row when (new.seller_rating is not null or new.buyer_rating is not null)
  execute function private.quicksell_sale_rated();

-- ------------------------------------------------------------ RPCs

create or replace function private.quicksell_check_money(p_field text, p_value numeric, p_max numeric, p_allow_zero boolean)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_value is null then
    raise exception '%: required', p_field using errcode = '22023';
  end if;
  if not (p_value > '-Infinity' and p_value < 'Infinity') then
    raise exception '%: must be a finite amount', p_field using errcode = '22023';
  end if;
  if p_value < 0 or (p_value = 0 and not p_allow_zero) or p_value >= p_max or p_value <> round(p_value, 2) then
    raise exception '%: must be % and below % with at most 2 decimals', p_field,
      case when p_allow_zero then '0 or more' else 'positive' end, p_max using errcode = '22023';
  end if;
end;
$$;
revoke execute on function private.quicksell_check_money(text, numeric, numeric, boolean) from public, anon, authenticated;

create or replace function quicksell.record_sale(
  p_listing_id uuid,
  p_sale_price numeric,
  p_shipping_cost numeric default 0,
  p_buyer_id uuid default null,
  p_marketplace_name text default null)
returns uuid
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_listing quicksell.listings;
  v_backend boolean := private.quicksell_is_backend();
  v_id uuid;
begin
  perform private.quicksell_check_money('sale_price', p_sale_price, 100000000, false);
  perform private.quicksell_check_money('shipping_cost', coalesce(p_shipping_cost, 0), 1000000, true);
  if p_marketplace_name is not null and not exists (select 1 from quicksell.marketplaces m where m.name = p_marketplace_name) then
    raise exception 'marketplace_name: unknown marketplace' using errcode = '22023';
  end if;

  select * into v_listing from quicksell.listings l where l.id = p_listing_id for update;
  if not found or v_listing.deleted_at is not null then
    raise exception 'listing_id: no such listing' using errcode = 'PT404';
  end if;
  if not v_backend and v_listing.user_id is distinct from (select auth.uid()) then
    raise exception 'only the seller records a sale of this listing' using errcode = '42501';
  end if;
  if v_listing.status <> 'published' then
    raise exception 'listing: is %, only a published listing can be sold', v_listing.status using errcode = 'PT409';
  end if;
  if p_buyer_id is not null and p_buyer_id = v_listing.user_id then
    raise exception 'buyer_id: a seller cannot buy his own listing' using errcode = '22023';
  end if;
  if p_buyer_id is not null and not exists (select 1 from public.profiles p where p.id = p_buyer_id) then
    raise exception 'buyer_id: no such user' using errcode = '22023';
  end if;

  insert into quicksell.sales (listing_id, buyer_id, seller_id, marketplace_name, sale_price, shipping_cost, currency, status, sale_date)
  values (v_listing.id, p_buyer_id, v_listing.user_id, p_marketplace_name, p_sale_price, coalesce(p_shipping_cost, 0),
          v_listing.currency, 'pending', now())
  returning id into v_id;

  perform private.quicksell_listing_sold(v_listing.id);
  return v_id;
end;
$$;

-- Locks the sale for a transition by its seller or the backend.
create or replace function private.quicksell_sale_for_seller(p_sale_id uuid)
returns quicksell.sales
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_sale quicksell.sales;
begin
  select * into v_sale from quicksell.sales s where s.id = p_sale_id for update;
  if not found or not (private.quicksell_is_backend()
                       or (select auth.uid()) in (v_sale.seller_id, coalesce(v_sale.buyer_id, v_sale.seller_id))) then
    raise exception 'sale_id: no such sale' using errcode = 'PT404';
  end if;
  if not private.quicksell_is_backend() and v_sale.seller_id is distinct from (select auth.uid()) then
    raise exception 'only the seller changes the state of a sale' using errcode = '42501';
  end if;
  return v_sale;
end;
$$;
revoke execute on function private.quicksell_sale_for_seller(uuid) from public, anon, authenticated;

create or replace function private.quicksell_sale_set_status(p_sale quicksell.sales, p_status quicksell.sale_status)
returns quicksell.sales
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_row quicksell.sales;
begin
  update quicksell.sales s
  set status = p_status,
      completed_date = case when p_status = 'completed' then now() else s.completed_date end
  where s.id = p_sale.id
  returning * into v_row;
  return v_row;
end;
$$;
revoke execute on function private.quicksell_sale_set_status(quicksell.sales, quicksell.sale_status) from public, anon, authenticated;

-- published -> sold through the status machine's backend entry point
-- private.quicksell_mark_sold (qs-core) when the database has it; until then
-- the definer's own update (the listing row is already locked).
create or replace function private.quicksell_listing_sold(p_listing_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  if to_regprocedure('private.quicksell_mark_sold(uuid)') is not null then
    execute 'select private.quicksell_mark_sold($1)' using p_listing_id;
  else
    update quicksell.listings l set status = 'sold' where l.id = p_listing_id and l.status = 'published';
  end if;
end;
$$;
revoke execute on function private.quicksell_listing_sold(uuid) from public, anon, authenticated;

-- A cancelled sale puts the item back on sale (sold -> published by the backend).
create or replace function private.quicksell_relist_after_cancel(p_listing_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  update quicksell.listings l set status = 'published'
  where l.id = p_listing_id and l.status = 'sold' and l.deleted_at is null
    and not exists (select 1 from quicksell.sales s where s.listing_id = p_listing_id and s.status in ('pending', 'completed'));
end;
$$;
revoke execute on function private.quicksell_relist_after_cancel(uuid) from public, anon, authenticated;

create or replace function quicksell.complete_sale(p_sale_id uuid)
returns quicksell.sales
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_sale quicksell.sales := private.quicksell_sale_for_seller(p_sale_id);
begin
  if v_sale.status <> 'pending' then
    raise exception 'sale: is %, only a pending sale can be completed', v_sale.status using errcode = 'PT409';
  end if;
  return private.quicksell_sale_set_status(v_sale, 'completed');
end;
$$;

create or replace function quicksell.cancel_sale(p_sale_id uuid)
returns quicksell.sales
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_sale quicksell.sales := private.quicksell_sale_for_seller(p_sale_id);
  v_row quicksell.sales;
begin
  if v_sale.status not in ('pending', 'completed') then
    raise exception 'sale: is %, only a pending or completed sale can be cancelled', v_sale.status using errcode = 'PT409';
  end if;
  v_row := private.quicksell_sale_set_status(v_sale, 'cancelled');
  -- The deal fell through: the item is for sale again.
  perform private.quicksell_relist_after_cancel(v_sale.listing_id);
  return v_row;
end;
$$;

create or replace function quicksell.refund_sale(p_sale_id uuid)
returns quicksell.sales
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_sale quicksell.sales := private.quicksell_sale_for_seller(p_sale_id);
begin
  if v_sale.status <> 'completed' then
    raise exception 'sale: is %, only a completed sale can be refunded', v_sale.status using errcode = 'PT409';
  end if;
  return private.quicksell_sale_set_status(v_sale, 'refunded');
end;
$$;

create or replace function quicksell.rate_sale(p_sale_id uuid, p_rating integer, p_review text default null)
returns quicksell.sales
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_user uuid := (select auth.uid());
  v_sale quicksell.sales;
  v_row quicksell.sales;
begin
  if p_rating is null or p_rating not between 1 and 5 then
    raise exception 'rating: a whole number from 1 to 5' using errcode = '22023';
  end if;
  if p_review is not null and char_length(p_review) > 5000 then
    raise exception 'review: at most 5000 characters' using errcode = '22023';
  end if;
  select * into v_sale from quicksell.sales s where s.id = p_sale_id for update;
  if not found or v_user is null or v_user not in (v_sale.seller_id, coalesce(v_sale.buyer_id, v_sale.seller_id)) then
    raise exception 'sale_id: no such sale' using errcode = 'PT404';
  end if;
  if v_sale.status <> 'completed' then
    raise exception 'sale: is %, only a completed sale can be rated', v_sale.status using errcode = 'PT409';
  end if;
  if v_user = v_sale.buyer_id then
    if v_sale.seller_rating is not null then
      raise exception 'sale: you already rated this seller' using errcode = 'PT409';
    end if;
    update quicksell.sales s set seller_rating = p_rating, seller_review = nullif(btrim(p_review), '')
    where s.id = v_sale.id returning * into v_row;
  else
    if v_sale.buyer_id is null then
      raise exception 'sale: has no buyer on QuickSell to rate' using errcode = 'PT409';
    end if;
    if v_sale.buyer_rating is not null then
      raise exception 'sale: you already rated this buyer' using errcode = 'PT409';
    end if;
    update quicksell.sales s set buyer_rating = p_rating, buyer_review = nullif(btrim(p_review), '')
    where s.id = v_sale.id returning * into v_row;
  end if;
  return v_row;
end;
$$;

revoke execute on function
  quicksell.record_sale(uuid, numeric, numeric, uuid, text),
  quicksell.complete_sale(uuid), quicksell.cancel_sale(uuid), quicksell.refund_sale(uuid),
  quicksell.rate_sale(uuid, integer, text)
from public, anon;
grant execute on function
  quicksell.record_sale(uuid, numeric, numeric, uuid, text),
  quicksell.complete_sale(uuid), quicksell.cancel_sale(uuid), quicksell.refund_sale(uuid),
  quicksell.rate_sale(uuid, integer, text)
to authenticated, service_role;
