-- Tools: composite indexes for the catalogue browse and "my account's
-- purchases", found by `npm run bench -- tools` (10,000 tools, 1,000,000
-- purchases). The seed's single-column indexes stay; these let each query
-- read its page in order from one index instead of fetching every match and
-- sorting it.
--
-- Who may do what: unchanged (indexes only).
--
-- Query shapes they serve (keep clients on these orderings):
--   * browse a category by popularity:
--       where category = $1 order by category, purchase_count desc, id limit n
--   * browse a category by rating (unrated tools last):
--       where category = $1 order by category, avg_rating desc nulls last, id limit n
--     The leading `category` looks redundant but is not: under RLS enum
--     equality is not leakproof, so the planner may not use `category = $1`
--     to drop the key and would sort the whole category instead.
--   * an account's purchases, newest first:
--       where organization_id = $1 order by purchase_date desc, id desc limit n
--     (the RLS policy `organization_id in (my_account_ids())` adds a filter,
--     not a different plan)

create index marketplace_tools_category_popularity_idx
  on tools.marketplace_tools (category, purchase_count desc, id);

create index marketplace_tools_category_rating_idx
  on tools.marketplace_tools (category, avg_rating desc nulls last, id);

create index marketplace_purchases_organization_date_idx
  on tools.marketplace_purchases (organization_id, purchase_date desc, id desc);
