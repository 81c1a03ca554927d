-- QuickSell: the backend may leave a photo's user_id out again (it is the
-- listing's seller), now that qs-media's photo rules run too.
--
-- 20261202100500 made private.quicksell_check_listing_owner fill in a
-- missing photos.user_id (trigger photos_listing_owner), but the photo rules
-- (20261202130000, trigger photos_before_write) fire first (triggers run in
-- name order) and refuse a NULL user_id as "not the listing's seller"
-- (42501). This adds a trigger named to run before both that fills in
-- user_id from the listing when it is NULL, and nothing else.
--
-- Who may do what is unchanged: a client's photos get user_id = auth.uid()
-- from the column default (clients hold no grant on user_id); a user_id
-- that is not the listing's seller is still refused (42501); service_role
-- and the table owner may leave it out.

create or replace function private.quicksell_photos_assign_seller()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.user_id is null then
    select l.user_id into new.user_id from quicksell.listings l where l.id = new.listing_id;
  end if;
  return new;
end;
$$;
revoke execute on function private.quicksell_photos_assign_seller() from public, anon, authenticated;

-- 'photos_assign_seller' sorts before 'photos_before_write' and
-- 'photos_listing_owner'.
create trigger photos_assign_seller
  before insert on quicksell.photos
  for each row execute function private.quicksell_photos_assign_seller();
