-- tools: the catalogue browse (a category by popularity, by rating) and an
-- account's purchases newest first read their page in order from one index
-- (20261201007700_tools_browse_indexes.sql), as a member under RLS. Sorting
-- and sequential scans are priced out so that the plan on these few rows is
-- the one the benchmark sees on 10,000 tools and 1,000,000 purchases: a Sort
-- node here means no index delivers the order.
--
-- The browse orders by category first although it is fixed: under RLS the
-- planner may not treat `category = $1` as a constant for ordering (enum
-- equality is not leakproof, so the qual stays above the policy's), and
-- without the leading key it sorts every tool of the category.

begin;
select plan(7);

create function pg_temp.explain_lines(statement text)
returns setof text
language plpgsql
as $$
begin
  return query execute 'explain (format text, costs off) ' || statement;
end;
$$;

create function pg_temp.plan_of(statement text)
returns text
language sql
as $$
  select string_agg(line, E'\n') from pg_temp.explain_lines(statement) as line;
$$;
grant execute on all functions in schema pg_temp to authenticated;

select tests.fixture();
insert into tools.marketplace_tools (id, name, description, category, price_model, price_amount, required_tier, integration_type, provider)
select ('00000000-0000-4000-a690-0000000000' || lpad(g::text, 2, '0'))::uuid, 'Index probe ' || g, 'probe', 'CRM_TOOLS',
       'ONE_TIME', 10 + g, 'FREE', 'API', 'Domus'
from generate_series(1, 5) g;
insert into tools.marketplace_purchases (organization_id, user_id, tool_id, purchase_type, amount, payment_method, payment_status,
                                        purchase_date)
select tests.account_id('team-a'), tests.get_supabase_uid('owner'), t.id, 'TOOL', t.price_amount, 'PLATFORM_CREDITS', 'COMPLETED',
       now() - make_interval(days => row_number() over (order by t.id)::int)
from (select id, price_amount from tools.marketplace_tools where name like 'Index probe %') t;

set local enable_seqscan = off;
set local enable_sort = off;
-- enable_sort does not price out an Incremental Sort; once autovacuum has
-- analyzed the seed catalogue, one on the category index wins on these few rows.
set local enable_incremental_sort = off;
select tests.authenticate_as('member');

select matches(
  pg_temp.plan_of($$select id from tools.marketplace_tools where category = 'CRM_TOOLS'
                    order by category, purchase_count desc, id limit 24$$),
  'marketplace_tools_category_popularity_idx',
  'browse by popularity: read from (category, purchase_count desc, id)');
select doesnt_match(
  pg_temp.plan_of($$select id from tools.marketplace_tools where category = 'CRM_TOOLS'
                    order by category, purchase_count desc, id limit 24$$),
  'Sort', 'browse by popularity: no sort');
select matches(
  pg_temp.plan_of($$select id from tools.marketplace_tools where category = 'CRM_TOOLS'
                    order by category, avg_rating desc nulls last, id limit 24$$),
  'marketplace_tools_category_rating_idx',
  'browse by rating: read from (category, avg_rating desc nulls last, id)');
select doesnt_match(
  pg_temp.plan_of($$select id from tools.marketplace_tools where category = 'CRM_TOOLS'
                    order by category, avg_rating desc nulls last, id limit 24$$),
  'Sort', 'browse by rating: no sort');
select matches(
  pg_temp.plan_of(format($$select id from tools.marketplace_purchases where organization_id = %L
                           order by purchase_date desc, id desc limit 50$$, tests.account_id('team-a'))),
  'marketplace_purchases_organization_date_idx',
  'my account''s purchases under RLS: read from (organization_id, purchase_date desc, id desc)');
select doesnt_match(
  pg_temp.plan_of(format($$select id from tools.marketplace_purchases where organization_id = %L
                           order by purchase_date desc, id desc limit 50$$, tests.account_id('team-a'))),
  'Sort', 'my account''s purchases: no sort');
select is(
  (select count(*)::int from tools.marketplace_purchases where organization_id = tests.account_id('team-a')),
  5, 'the member sees the account''s purchases through the same policy');

select * from finish();
rollback;
