-- QuickSell: the authenticated read policy on quicksell.listings, rewritten
-- from an OR of three tests into a CASE of the same three tests, so the
-- planner stops analysing it on every query. Visibility is exactly the same.
--
-- Why (npm run bench -- quicksell, seller_own_listings: 1.30 x the table
-- owner, goal <= 1.2): EXPLAIN ANALYZE of the seller's own listings showed
-- the RLS side executing in about the owner's time (+0.03 ms: the InitPlan
-- for auth.uid() and 20 policy tests; private.is_platform_admin() is never
-- executed, the OR stops at the seller's own row) but PLANNING in twice the
-- owner's time (+0.16 to +0.20 ms a query). A top-level OR is costed arm by
-- arm: its selectivity from the statistics of status, deleted_at and
-- user_id; every arm matched against each of the table's nine indexes to
-- build a BitmapOr (always thrown away, since the admin arm matches no
-- index); and proofs against the partial indexes' predicates. A CASE is one
-- opaque boolean: no index matching, no predicate proofs, default
-- selectivity. Measured on 200,000 listings: planning +0.06 to +0.08 ms over
-- the owner instead of +0.16 to +0.20 (what remains is the InitPlan that
-- inlines auth.uid(), which every policy pays), end to end 1.14-1.18 x the
-- owner instead of 1.24-1.36. The public feed for a signed-in user loses the
-- predicate proof that let the partial feed indexes drop the policy filter,
-- and keeps its time (1.00-1.12 x before and after), because its planning
-- gets cheaper by what the filter costs.
--
-- Order of the WHENs: the public test first (the feed's rows stop there and
-- never evaluate auth.uid()), the seller's own second, the platform admin
-- test last: it is an InitPlan, run at most once per query and only when a
-- row is neither public nor the caller's (each call of the security definer
-- sql helper costs ~0.1 ms).
--
-- Who may read what is unchanged (702-quicksell-listings-rights.sql): a
-- signed-in user reads every published or sold listing that is not deleted,
-- all of his own, and a platform admin reads all. The CASE is true exactly
-- when one of the three old OR arms is true: each WHEN that is not true
-- (false or NULL, e.g. auth.uid() missing) falls through to the next, and
-- is_platform_admin() is an EXISTS, never NULL. Still one permissive select
-- policy for authenticated (001-rls-everywhere.sql); anon's policy, the
-- write policies and the indexes are unchanged.

alter policy "listings: public ones, the seller's own; platform admins all"
  on quicksell.listings
  using (
    case
      when status in ('published', 'sold') and deleted_at is null then true
      when user_id = (select auth.uid()) then true
      else (select private.is_platform_admin())
    end
  );
