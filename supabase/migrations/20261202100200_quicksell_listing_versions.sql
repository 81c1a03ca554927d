-- QuickSell listing history: every insert and every edit of a listing writes
-- one quicksell.listing_versions row, by trigger, whoever writes.
--   * version: 1 for the insert, then +1 per edit, without gaps per listing,
--     also under concurrent edits: the row's own UPDATE lock serialises the
--     writers of one listing, and the next number is read (per statement,
--     READ COMMITTED) only once that lock is held; unique (listing_id,
--     version) turns any slip into an error instead of a duplicate;
--   * changes: {field: {"old": .., "new": ..}} of the fields that changed
--     (every set field on insert, with old null); bookkeeping columns (id,
--     user_id, created_at, updated_at) and the view/click counters are left
--     out, and an update that changes nothing else writes no version (a
--     counted view is not an edit);
--   * title, description, price, status: the listing after the change;
--   * created_by: the signed-in user acting (auth.uid()), or the seller for
--     backend writes without a user (service_role, pg_cron).
-- History is append-only: nobody inserts, edits or deletes versions directly
-- (no grants; a trigger refuses even the table owner), except that versions
-- go with their listing when the backend hard-deletes it.

create or replace function private.quicksell_write_listing_version()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_skip constant text[] := array['id', 'user_id', 'created_at', 'updated_at', 'view_count', 'click_count'];
  v_new jsonb := to_jsonb(new) - v_skip;
  v_old jsonb := case when tg_op = 'UPDATE' then to_jsonb(old) - v_skip else '{}'::jsonb end;
  v_changes jsonb;
  v_version integer;
begin
  select coalesce(jsonb_object_agg(n.key, jsonb_build_object('old', v_old -> n.key, 'new', n.value)), '{}'::jsonb)
  into v_changes
  from jsonb_each(v_new) n
  where n.value is distinct from (v_old -> n.key)
    and not (tg_op = 'INSERT' and n.value = 'null'::jsonb);
  if tg_op = 'UPDATE' and v_changes = '{}'::jsonb then
    return null;
  end if;
  -- This transaction holds the listing's row lock (its insert or update), so
  -- no other writer of this listing can interleave until we commit.
  select coalesce(max(v.version), 0) + 1 into v_version
  from quicksell.listing_versions v where v.listing_id = new.id;
  perform set_config('quicksell.writing_version', 'on', true);
  insert into quicksell.listing_versions (listing_id, title, description, price, status, changes, version, created_by)
  values (new.id, new.title, new.description, new.price, new.status, v_changes, v_version,
          coalesce((select auth.uid()), new.user_id));
  perform set_config('quicksell.writing_version', 'off', true);
  return null;
end;
$$;
revoke execute on function private.quicksell_write_listing_version() from public, anon, authenticated;

create trigger listings_write_version
  after insert or update on quicksell.listings
  for each row execute function private.quicksell_write_listing_version();

-- Append-only. A cascade from the listing's own deletion is the only way out.
create or replace function private.quicksell_guard_listing_version()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    if current_setting('quicksell.writing_version', true) is distinct from 'on' then
      raise exception 'listing_versions: written only by the listing''s own trigger' using errcode = '42501';
    end if;
    return new;
  end if;
  if tg_op = 'DELETE' and pg_trigger_depth() > 1
     and not exists (select 1 from quicksell.listings l where l.id = old.listing_id) then
    return old;
  end if;
  raise exception 'listing_versions: history cannot be changed or deleted' using errcode = '42501';
end;
$$;
revoke execute on function private.quicksell_guard_listing_version() from public, anon, authenticated;

create trigger listing_versions_append_only
  before insert or update or delete on quicksell.listing_versions
  for each row execute function private.quicksell_guard_listing_version();
create trigger listing_versions_never_truncated
  before truncate on quicksell.listing_versions
  for each statement execute function private.quicksell_guard_listing_version();

revoke execute on all functions in schema private from public;
