-- Helpers shared by the QuickSell pgTAP files (700-789). Created outside the
-- rolled-back transaction so later files can use them (idempotent). The
-- role probes are the shared tests.probe / tests.rights of
-- 000-setup-test-helpers.sql.
--
--   tests.quicksell_data() -> uuid (the seller, 'owner' of the shared cast)
--     QuickSell rows on top of tests.fixture(), once per test transaction:
--       owner     the seller: listings 'pub' (published), 'draft', 'sold'
--                 (sold to member, completed and rated), 'delisted',
--                 'deleted' (published, then soft-deleted), 'archived'
--                 (an archived draft); photos 'pub' and 'draft' on the
--                 listings of those names; an eBay account 'ebay' (with
--                 token ciphertext) and its copy 'pub' of listing 'pub';
--                 user_stats; badge 'badge' unlocked; challenge 'challenge'
--                 joined
--       member    the buyer of 'sold'; user_stats
--       rival     a draft 'rival' of his own
--       admin, stranger, platform_admin: no QuickSell rows
--   tests.qs(key) -> uuid of a fixture row: 'listing:pub', 'listing:draft',
--     'listing:sold', 'listing:delisted', 'listing:deleted', 'listing:archived',
--     'listing:rival', 'photo:pub', 'photo:draft', 'account:ebay', 'copy:pub',
--     'sale:sold', 'badge', 'challenge'.
--   tests.qs_in(keys text[]) -> text: "('uuid', 'uuid', ...)" for `where id in`.

set client_min_messages = warning;

create schema if not exists tests;

create or replace function tests.qs(key text)
returns uuid
language sql
immutable
set search_path = ''
as $$
  select (case key
    when 'listing:pub' then '00000000-0000-4000-9701-000000000001'
    when 'listing:draft' then '00000000-0000-4000-9701-000000000002'
    when 'listing:sold' then '00000000-0000-4000-9701-000000000003'
    when 'listing:delisted' then '00000000-0000-4000-9701-000000000004'
    when 'listing:deleted' then '00000000-0000-4000-9701-000000000005'
    when 'listing:archived' then '00000000-0000-4000-9701-000000000006'
    when 'listing:rival' then '00000000-0000-4000-9701-000000000007'
    when 'photo:pub' then '00000000-0000-4000-9702-000000000001'
    when 'photo:draft' then '00000000-0000-4000-9702-000000000002'
    when 'account:ebay' then '00000000-0000-4000-9703-000000000001'
    when 'copy:pub' then '00000000-0000-4000-9704-000000000001'
    when 'sale:sold' then '00000000-0000-4000-9705-000000000001'
    when 'badge' then '00000000-0000-4000-9706-000000000001'
    when 'challenge' then '00000000-0000-4000-9707-000000000001'
  end)::uuid;
$$;

create or replace function tests.qs_in(keys text[])
returns text
language sql
immutable
set search_path = ''
as $$
  select '(' || string_agg(quote_literal(tests.qs(k)), ', ') || ')' from unnest(keys) as k;
$$;

create or replace function tests.quicksell_data()
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_owner uuid;
  v_member uuid;
  v_rival uuid;
begin
  perform tests.fixture();
  v_owner := tests.get_supabase_uid('owner');
  if exists (select 1 from quicksell.listings where id = tests.qs('listing:pub')) then
    return v_owner;
  end if;
  v_member := tests.get_supabase_uid('member');
  v_rival := tests.get_supabase_uid('rival');

  insert into quicksell.listings (id, user_id, title, description, category, condition, price, status)
  values
    (tests.qs('listing:pub'), v_owner, 'Probe camera', 'a camera', 'cameras', 'good', 100, 'published'),
    (tests.qs('listing:draft'), v_owner, 'Probe lamp', '', 'home', 'fair', 20, 'draft'),
    (tests.qs('listing:sold'), v_owner, 'Probe bike', 'a bike', 'sports', 'good', 300, 'published'),
    (tests.qs('listing:delisted'), v_owner, 'Probe desk', 'a desk', 'furniture', 'good', 150, 'published'),
    (tests.qs('listing:deleted'), v_owner, 'Probe drone', 'a drone', 'electronics', 'good', 250, 'published'),
    (tests.qs('listing:archived'), v_owner, 'Probe mug', 'a mug', 'home', 'new', 5, 'draft'),
    (tests.qs('listing:rival'), v_rival, 'Rival chair', '', 'furniture', 'poor', 40, 'draft');
  update quicksell.listings set status = 'delisted' where id = tests.qs('listing:delisted');
  update quicksell.listings set status = 'archived' where id = tests.qs('listing:archived');
  update quicksell.listings set deleted_at = now() where id = tests.qs('listing:deleted');

  insert into quicksell.sales (id, listing_id, buyer_id, seller_id, sale_price, final_amount, status, completed_date,
                               seller_rating, buyer_rating)
  values (tests.qs('sale:sold'), tests.qs('listing:sold'), v_member, v_owner, 280, 280, 'completed', now(), 5, 4);
  update quicksell.listings set status = 'sold' where id = tests.qs('listing:sold');

  insert into quicksell.photos (id, listing_id, user_id, original_url, is_primary)
  values
    (tests.qs('photo:pub'), tests.qs('listing:pub'), v_owner, v_owner || '/' || tests.qs('listing:pub') || '/a.jpg', true),
    (tests.qs('photo:draft'), tests.qs('listing:draft'), v_owner, v_owner || '/' || tests.qs('listing:draft') || '/b.jpg', true);

  insert into quicksell.marketplace_accounts (id, user_id, marketplace_name, account_name, access_token, refresh_token, token_expires_at)
  values (tests.qs('account:ebay'), v_owner, 'ebay', 'Owner on eBay', 'v1:AAAAAAAAAAAAAAAA:YWNjZXNz', 'v1:BBBBBBBBBBBBBBBB:cmVmcmVzaA==', now() + interval '2 hours');
  insert into quicksell.marketplace_listings (id, listing_id, marketplace_account_id, marketplace_name, sync_status, views_on_marketplace)
  values (tests.qs('copy:pub'), tests.qs('listing:pub'), tests.qs('account:ebay'), 'ebay', 'active', 40);

  insert into quicksell.user_stats (user_id, total_points, total_items_sold, total_revenue)
  values (v_owner, 120, 1, 280), (v_member, 10, 0, 0)
  on conflict (user_id) do nothing;
  insert into quicksell.badges (id, badge_key, badge_name, requirement_type, requirement_value)
  values (tests.qs('badge'), 'qs_probe_badge', 'Probe badge', 'total_items_sold', 1);
  insert into quicksell.user_badges (user_id, badge_id) values (v_owner, tests.qs('badge'));
  insert into quicksell.challenges (id, challenge_key, challenge_name, reward_badge_id)
  values (tests.qs('challenge'), 'qs_probe_challenge', 'Probe challenge', tests.qs('badge'));
  insert into quicksell.user_challenges (user_id, challenge_id, progress, progress_percentage)
  values (v_owner, tests.qs('challenge'), 1, 50);
  return v_owner;
end;
$$;

-- ---------------------------------------------------------------- the fixture checks itself
begin;
select plan(6);

select tests.quicksell_data() as seller \gset
select is(tests.quicksell_data(), :'seller'::uuid, 'a second call in the same transaction returns the same seller');
select results_eq(
  format($$ select status::text, deleted_at is not null from quicksell.listings where id in %s order by title $$,
    tests.qs_in(array['listing:pub', 'listing:draft', 'listing:sold', 'listing:delisted', 'listing:deleted', 'listing:archived'])),
  $$ values ('sold', false), ('published', false), ('delisted', false), ('published', true), ('draft', false), ('archived', false) $$,
  'the seller''s listings: every state, one of them deleted');
select is((select count(*)::int from quicksell.listings where user_id = :'seller'), 6, 'six listings are the seller''s');
select is((select buyer_id from quicksell.sales where id = tests.qs('sale:sold')), tests.get_supabase_uid('member'),
  'member bought the bike');
select ok((select published_at is not null from quicksell.listings where id = tests.qs('listing:sold')),
  'the sold listing was published');
select is(tests.qs_in(array['badge']), format('(%L)', tests.qs('badge')), 'qs_in quotes the ids for an IN list');

select * from finish();
rollback;
