-- A small Tools catalogue for the commerce pgTAP files (620-629), on top of
-- the shared cast (tests.fixture()). Created OUTSIDE the rolled-back
-- transaction so the files that follow can use it; idempotent.
--
--   tests.tools_id(n) -> uuid   the test catalogue's item n (not the seed's
--                               ids: 00000000-0000-4000-a620-0000000000NN)
--   tests.tools_data() -> uuid  team-a, plus the catalogue (written as postgres):
--     1  One-time Starter   ONE_TIME    10.00  STARTER  ACTIVE
--     2  Monthly            MONTHLY      5.00  FREE     ACTIVE
--     3  Annual             ANNUAL      50.00  FREE     BETA
--     4  Included Growth    FREE         0     GROWTH   ACTIVE  (included from GROWTH)
--     5  Included Free      FREE         0     FREE     ACTIVE  (included for all)
--     6  Custom             CUSTOM       0     FREE     ACTIVE
--     7  Coming soon        ONE_TIME     1.00  FREE     COMING_SOON
--     8  Disabled           ONE_TIME     1.00  FREE     DISABLED
--     9  Deprecated         ONE_TIME     1.00  FREE     DEPRECATED
--    10  Metered            USAGE_BASED  0.50  FREE     ACTIVE
--    11  Elite only         ONE_TIME    20.00  ELITE    ACTIVE
--    12  Bundled A          ONE_TIME     7.00  FREE     ACTIVE
--    13  Bundled B          ONE_TIME     8.00  FREE     ACTIVE
--    14  Growth bundled     ONE_TIME    10.00  FREE     ACTIVE
--    bundles: 21 Pair (12 + 13, 20% off = 12.00, ACTIVE, FREE), 22 Archived,
--             23 Draft, 24 Growth pack (14, 10% off = 9.00, GROWTH)
--   tests.tools_set_tier(account_id, tier) gives the account a live `tools`
--     subscription on plan tools_<tier>.

set client_min_messages = warning;

create schema if not exists tests;

create or replace function tests.tools_id(n integer)
returns uuid
language sql
immutable
set search_path = ''
as $$
  select ('00000000-0000-4000-a620-' || lpad(n::text, 12, '0'))::uuid;
$$;

create or replace function tests.tools_data()
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_team uuid := tests.fixture();
begin
  insert into tools.marketplace_tools (id, name, description, category, price_model, price_amount, required_tier,
                                       integration_type, status, provider)
  select tests.tools_id(n), name, name || ' (test)', 'CRM_TOOLS', pm::tools.price_model, price, tier::tools.subscription_tier,
         'API', st::tools.tool_status, 'Domus tests'
  from (values
    (1, 'One-time Starter', 'ONE_TIME', 10.00, 'STARTER', 'ACTIVE'),
    (2, 'Monthly', 'MONTHLY', 5.00, 'FREE', 'ACTIVE'),
    (3, 'Annual', 'ANNUAL', 50.00, 'FREE', 'BETA'),
    (4, 'Included Growth', 'FREE', 0, 'GROWTH', 'ACTIVE'),
    (5, 'Included Free', 'FREE', 0, 'FREE', 'ACTIVE'),
    (6, 'Custom', 'CUSTOM', 0, 'FREE', 'ACTIVE'),
    (7, 'Coming soon', 'ONE_TIME', 1.00, 'FREE', 'COMING_SOON'),
    (8, 'Disabled', 'ONE_TIME', 1.00, 'FREE', 'DISABLED'),
    (9, 'Deprecated', 'ONE_TIME', 1.00, 'FREE', 'DEPRECATED'),
    (10, 'Metered', 'USAGE_BASED', 0.50, 'FREE', 'ACTIVE'),
    (11, 'Elite only', 'ONE_TIME', 20.00, 'ELITE', 'ACTIVE'),
    (12, 'Bundled A', 'ONE_TIME', 7.00, 'FREE', 'ACTIVE'),
    (13, 'Bundled B', 'ONE_TIME', 8.00, 'FREE', 'ACTIVE'),
    (14, 'Growth bundled', 'ONE_TIME', 10.00, 'FREE', 'ACTIVE')
  ) as v(n, name, pm, price, tier, st)
  on conflict (id) do nothing;

  insert into tools.marketplace_bundles (id, name, description, price_amount, discount_percent, required_tier, status)
  select tests.tools_id(n), name, name || ' (test)', price, discount, tier::tools.subscription_tier, st::tools.bundle_status
  from (values
    (21, 'Pair', 12.00, 20, 'FREE', 'ACTIVE'),
    (22, 'Archived', 0, 0, 'FREE', 'ARCHIVED'),
    (23, 'Draft', 0, 0, 'FREE', 'DRAFT'),
    (24, 'Growth pack', 9.00, 10, 'GROWTH', 'ACTIVE')
  ) as v(n, name, price, discount, tier, st)
  on conflict (id) do nothing;

  insert into tools.marketplace_bundle_items (bundle_id, tool_id, position)
  values (tests.tools_id(21), tests.tools_id(12), 0), (tests.tools_id(21), tests.tools_id(13), 1),
         (tests.tools_id(24), tests.tools_id(14), 0)
  on conflict (bundle_id, tool_id) do nothing;
  return v_team;
end;
$$;

create or replace function tests.tools_set_tier(account_id uuid, tier text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.subscriptions s set status = 'canceled', canceled_at = now()
  where s.account_id = tools_set_tier.account_id and s.product = 'tools' and s.status in ('trialing', 'active', 'past_due');
  insert into public.subscriptions (account_id, plan_id, product, provider, status, current_period_start, current_period_end)
  select tools_set_tier.account_id, p.id, 'tools', 'manual', 'active', now(), now() + interval '1 month'
  from public.plans p where p.code = 'tools_' || lower(tools_set_tier.tier);
end;
$$;

grant usage on schema tests to anon, authenticated, service_role;
grant execute on function tests.tools_id(integer) to anon, authenticated, service_role;
revoke execute on function tests.tools_data(), tests.tools_set_tier(uuid, text) from public, anon, authenticated, service_role;

begin;
select plan(3);

select tests.tools_data() as team \gset
select is((select count(*)::int from tools.marketplace_tools where id between tests.tools_id(1) and tests.tools_id(14)), 14,
  'the test catalogue has its 14 tools');
select is(private.tools_account_tier(:'team'::uuid), 'FREE'::tools.subscription_tier, 'team-a starts on the FREE tier');
select tests.tools_set_tier(:'team'::uuid, 'growth');
select is(private.tools_account_tier(:'team'::uuid), 'GROWTH'::tools.subscription_tier, 'tools_set_tier moves it to GROWTH');

select * from finish();
rollback;
