-- tools catalogue seed (supabase/seed.sql): the seed's 54 tools by its
-- numbering, with the categories its mapping names; the three included tools
-- FREE at their tiers; a mix of price models and statuses; the five bundles
-- with the seed's tool ranges in the seed's order, at prices that agree with
-- their tools and at the highest tier among them.

begin;
select plan(17);

create temporary view seed_tools as
select right(t.id::text, 2)::int as n, t.* from tools.marketplace_tools t
where t.id::text like '00000000-0000-4000-a003-0000000000__';
create temporary view seed_bundles as
select right(b.id::text, 1)::int as k, b.* from tools.marketplace_bundles b
where b.id::text like '00000000-0000-4000-b003-00000000000_';

select results_eq($$ select array_agg(n order by n) from seed_tools $$,
  $$ select array_agg(n order by n) from generate_series(1, 54) n $$,
  'tools 1..54 exist under their fixed ids');
select results_eq(
  $$ select n, name::text from seed_tools where n in (1, 9, 16, 24, 30, 36, 43, 52, 53, 54) order by n $$,
  $$ values (1, 'Lead Generation Agent'), (9, 'Listing Description Generator'), (16, 'Automated CMA Generator'),
            (24, 'Contract Generation System'), (30, 'Booking Agent'), (36, 'Contact Activity Feed AI'),
            (43, 'AI Property Valuation (AVM)'), (52, 'Sai Universal Assistant'), (53, 'RAG System'), (54, 'AI Hub Management') $$,
  'tools keep the seed''s numbering');

-- The tools the seed's category mapping names, by number.
select is_empty($$
  select m.n from (values
    (1, 'LEAD_GENERATION'), (2, 'LEAD_GENERATION'), (5, 'LEAD_NURTURING'), (8, 'LEAD_NURTURING'),
    (9, 'LISTING_OPTIMIZATION'), (10, 'LISTING_OPTIMIZATION'), (11, 'LISTING_OPTIMIZATION'),
    (13, 'PROPERTY_SHOPPING'), (14, 'PROPERTY_SHOPPING'), (15, 'PROPERTY_SHOPPING'),
    (16, 'MARKET_INTELLIGENCE'), (17, 'MARKET_INTELLIGENCE'), (18, 'MARKET_INTELLIGENCE'),
    (20, 'INVESTMENT_ANALYSIS'), (21, 'INVESTMENT_ANALYSIS'), (24, 'DOCUMENT_PROCESSING'), (25, 'DOCUMENT_PROCESSING'),
    (28, 'COMMISSION_FINANCIAL'), (29, 'COMMISSION_FINANCIAL'), (30, 'BOOKING_SCHEDULING'), (31, 'BOOKING_SCHEDULING'),
    (33, 'COMMUNICATION'), (34, 'COMMUNICATION'), (35, 'COMMUNICATION')
  ) as m (n, category)
  join seed_tools t on t.n = m.n
  where t.category::text <> m.category $$,
  'every tool the seed''s mapping names has that category');

select results_eq(
  $$ select n, price_model::text, price_amount, required_tier::text, status::text from seed_tools where n >= 52 order by n $$,
  $$ values (52, 'FREE', 0.00::numeric, 'FREE', 'ACTIVE'), (53, 'FREE', 0.00, 'GROWTH', 'ACTIVE'), (54, 'FREE', 0.00, 'GROWTH', 'ACTIVE') $$,
  'the included tools are FREE: Sai in every tier, RAG and AI Hub from GROWTH');
select is_empty($$ select n from seed_tools where price_model = 'FREE' and n < 52 $$,
  'only the three included tools are FREE');
select results_eq(
  $$ select array_agg(distinct price_model::text order by price_model::text) from seed_tools $$,
  $$ values (array['ANNUAL', 'CUSTOM', 'FREE', 'MONTHLY', 'ONE_TIME', 'USAGE_BASED']) $$,
  'every price model is in use');
select ok((select count(*) from seed_tools where price_model = 'ONE_TIME') > (select count(*) from seed_tools where price_model <> 'ONE_TIME'),
  'most tools are ONE_TIME');
select is_empty($$ select n from seed_tools where price_model in ('ONE_TIME', 'MONTHLY', 'ANNUAL', 'USAGE_BASED') and price_amount <= 0 $$,
  'every priced tool has a positive price');
select results_eq(
  $$ select status::text, count(*)::int from seed_tools group by status order by status::text $$,
  $$ values ('ACTIVE'::text, 52), ('BETA', 1), ('COMING_SOON', 1) $$,
  'tools are ACTIVE but one BETA and one COMING_SOON');
select is_empty($$
  select n from seed_tools
  where jsonb_array_length(features) = 0
     or exists (select 1 from jsonb_array_elements(features) f where jsonb_typeof(f) <> 'string')
     or provider = '' or description = '' $$,
  'every tool has features (an array of strings), a provider and a description');
select is_empty($$ select n from seed_tools where price_model <> 'FREE' and required_tier = 'FREE' $$,
  'a FREE-tier account gets free tools only: every paid tool needs CUSTOM or above');

-- ---------------------------------------------------------------- bundles
select results_eq(
  $$ select k, name::text, discount_percent, status::text, currency::text from seed_bundles order by k $$,
  $$ values (1, 'Lead Generation Pro Bundle', 20, 'ACTIVE', 'USD'), (2, 'Listing Domination Bundle', 25, 'ACTIVE', 'USD'),
            (3, 'Market Intelligence Bundle', 25, 'ACTIVE', 'USD'), (4, 'Transaction Management Bundle', 15, 'ACTIVE', 'USD'),
            (5, 'Complete Real Estate Suite', 35, 'ACTIVE', 'USD') $$,
  'the five bundles with the seed''s discounts');
select results_eq(
  $$ select b.k, array_agg(t.n order by i.position), array_agg(i.position order by i.position)
     from seed_bundles b
     join tools.marketplace_bundle_items i on i.bundle_id = b.id
     join seed_tools t on t.id = i.tool_id
     group by b.k order by b.k $$,
  $$ select r.k, array_agg(n order by n), array_agg(n - r.lo + 1 order by n)
     from (values (1, 1, 8), (2, 9, 15), (3, 16, 23), (4, 24, 29), (5, 1, 54)) as r (k, lo, hi),
          generate_series(r.lo, r.hi) as n
     group by r.k order by r.k $$,
  'each bundle holds the seed''s tools, positioned 1.. in the seed''s order');
-- Worked by hand from the seed's prices (docs/tools.md): what the rule gives.
select results_eq(
  $$ select k, price_amount from seed_bundles order by k $$,
  $$ values (1, 458.40::numeric), (2, 312.00), (3, 812.25), (4, 361.25), (5, 2639.00) $$,
  'bundle prices: 573.00 less 20%, 416.00 less 25%, 1083.00 less 25%, 425.00 less 15%, 4060.00 less 35%');
select is_empty($$
  select b.k from seed_bundles b
  where b.price_amount <> (
    select round(sum(case when t.price_model in ('ONE_TIME', 'MONTHLY', 'ANNUAL') then t.price_amount else 0 end)
                 * (100 - b.discount_percent) / 100, 2)
    from tools.marketplace_bundle_items i join tools.marketplace_tools t on t.id = i.tool_id
    where i.bundle_id = b.id) $$,
  'every bundle''s price is its ONE_TIME, MONTHLY and ANNUAL tools less its discount');
select is_empty($$
  select b.k from seed_bundles b
  where b.required_tier <> (select max(t.required_tier) from tools.marketplace_bundle_items i
                            join tools.marketplace_tools t on t.id = i.tool_id where i.bundle_id = b.id) $$,
  'every bundle requires the highest tier among its tools');
select results_eq($$ select k, required_tier::text from seed_bundles order by k $$,
  $$ values (1, 'GROWTH'), (2, 'GROWTH'), (3, 'ELITE'), (4, 'GROWTH'), (5, 'ELITE') $$,
  'bundle tiers');

select * from finish();
rollback;
