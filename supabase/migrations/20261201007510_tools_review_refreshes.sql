-- Tools reviews, two refreshes the first reviews migration
-- (20261201007500_tools_reviews.sql) left out:
--   * verified_purchase also follows the catalogue: a bundle gaining or losing
--     a tool re-verifies the reviews of that tool (its buyers now own it, or
--     no longer do);
--   * a tool's last_updated is its own "updated" date (a new version, a changed
--     listing): an update that changes only counters the database keeps
--     (purchase_count, view_count, avg_rating, review_count) leaves it as it was.
--     A BEFORE UPDATE trigger named to fire after marketplace_tools_last_updated
--     (triggers fire in name order) puts the old value back.
-- Who may do what: unchanged (trigger functions only, none callable by API roles).

-- A bundle that gains or loses a tool changes what its buyers own.
create or replace function private.tools_bundle_item_refresh_reviews()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_tool_id uuid := case when tg_op = 'DELETE' then old.tool_id else new.tool_id end;
begin
  update tools.marketplace_reviews r
  set verified_purchase = private.tools_review_verified(r.organization_id, r.tool_id)
  where r.tool_id = v_tool_id
    and r.verified_purchase is distinct from private.tools_review_verified(r.organization_id, r.tool_id);
  return null;
end;
$$;
revoke execute on function private.tools_bundle_item_refresh_reviews() from public, anon, authenticated;
create trigger marketplace_bundle_items_refresh_reviews after insert or delete on tools.marketplace_bundle_items
  for each row execute function private.tools_bundle_item_refresh_reviews();

-- last_updated is the tool's own "updated" date (its version, its listing):
-- counters kept by the database (ratings here, purchases and views elsewhere)
-- must not move it. Fires after marketplace_tools_last_updated (name order).
create or replace function private.tools_counters_keep_last_updated()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_counters text[] := array['purchase_count', 'view_count', 'avg_rating', 'review_count', 'last_updated', 'updated_at'];
begin
  if (to_jsonb(new) - v_counters) = (to_jsonb(old) - v_counters) then
    new.last_updated := old.last_updated;
  end if;
  return new;
end;
$$;
revoke execute on function private.tools_counters_keep_last_updated() from public, anon, authenticated;
create trigger marketplace_tools_last_updated_not_for_counters before update on tools.marketplace_tools
  for each row execute function private.tools_counters_keep_last_updated();
