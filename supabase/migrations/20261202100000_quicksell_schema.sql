-- QuickSell (seed 001), the shape: the seed's seven enums, its eleven
-- product tables with every seed column, unique key and index, both views
-- (security_invoker), the marketplaces they reference, and who may see and
-- write what. Later quicksell migrations add the rules (status machine,
-- listing versions, view counting: qs-core; sales and gamification: qs-game;
-- cross-posting: qs-sync; photos and AI: qs-media). docs/quicksell.md maps
-- every seed column.
--
-- Mapping:
--   users                      -> public.profiles (+ quicksell.user_stats for the
--                                 gamification copies points, level, sales, revenue, rating)
--   subscriptions              -> the shared billing (plans quicksell_*)
--   notifications, analytics_events -> the shared public tables
--   SERIAL ids                 -> uuid primary keys; every user reference -> public.profiles (id)
--   seed ENUMs                 -> enums in schema quicksell
--   marketplace_name           -> quicksell.marketplaces (ebay, etsy, local); NULL on a
--                                 sale made on QuickSell itself
--   access_token/refresh_token -> text (ciphertext; real eBay tokens exceed the seed's 1000)
--   listing_versions.status    -> quicksell.listing_status (the seed's VARCHAR(50) held one)
--
-- Who may do what (RLS plus column grants):
--   * listings: anyone (anon too) reads published and sold listings that are not
--     deleted; the seller reads, inserts and updates his own, never another's
--     user_id and never the counters, AI results or published_at (column
--     grants); clients never hard-delete (soft delete via deleted_at); a listing
--     with sales cannot be deleted by anyone (sales.listing_id on delete restrict);
--   * listing_versions: the seller reads his listing's history; nobody writes it
--     directly (a trigger does);
--   * photos: public when the listing is public; the seller reads his, adds them
--     to his own listings, reorders (display_order, is_primary) and deletes them;
--     the file facts (size, type, dimensions, derived URLs) and AI fields are the
--     backend's;
--   * marketplace_accounts: the owner reads every column but the two tokens,
--     switches is_active / auto_sync_enabled, disconnects (deletes); connecting
--     is the marketplace-sync function's (service_role);
--   * marketplace_listings: the listing's seller reads; the backend writes;
--   * sales: seller and buyer read; RPCs write;
--   * user_stats, user_badges: public (leaderboards, profiles); user_challenges:
--     the user's own; written by the database only;
--   * marketplaces, badges, challenges: public catalogue, written by service_role;
--   * platform admins read everything.
--
-- Invariants: money numeric with a 3-letter currency, every numeric finite;
-- prices and costs >= 0; ratings 1-5; scores 0-1; one marketplace account per
-- user and marketplace; a marketplace copy's marketplace is its account's; one
-- copy per listing and account; a sale's buyer is not its seller.

-- ---------------------------------------------------------------- enums
create type quicksell.listing_condition as enum ('new', 'like_new', 'good', 'fair', 'poor');
create type quicksell.listing_status as enum ('draft', 'published', 'sold', 'delisted', 'archived');
create type quicksell.sync_status as enum ('draft', 'active', 'sold', 'delisted', 'error');
create type quicksell.sale_status as enum ('pending', 'completed', 'cancelled', 'refunded');
create type quicksell.badge_tier as enum ('1', '2', '3', 'special');
create type quicksell.challenge_type as enum ('weekly', 'monthly', 'seasonal', 'limited');
create type quicksell.user_challenge_status as enum ('active', 'completed', 'expired');

-- ---------------------------------------------------------------- marketplaces
create table quicksell.marketplaces (
  name text primary key check (name ~ '^[a-z][a-z0-9_]{1,49}$'),
  display_name text not null check (char_length(display_name) between 1 and 100),
  website_url text check (char_length(website_url) <= 500),
  is_active boolean not null default true,
  created_at timestamptz not null default now()
);

comment on table quicksell.marketplaces is
  'External marketplaces QuickSell cross-posts to; referenced by marketplace_name columns.';

insert into quicksell.marketplaces (name, display_name, website_url) values
  ('ebay', 'eBay', 'https://www.ebay.com'),
  ('etsy', 'Etsy', 'https://www.etsy.com'),
  ('local', 'Local pickup board', null);

-- ---------------------------------------------------------------- listings
create table quicksell.listings (
  id uuid primary key default extensions.gen_random_uuid(),
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  title varchar(200) not null check (char_length(btrim(title)) >= 1),
  description text not null check (char_length(description) <= 10000),
  category varchar(100) not null check (char_length(btrim(category)) >= 1),
  condition quicksell.listing_condition not null,
  price numeric(10, 2) not null
    constraint listings_price_finite check (price >= 0 and price < 'Infinity'),
  currency text not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
  estimated_price numeric(10, 2)
    constraint listings_estimated_price_finite check (estimated_price >= 0 and estimated_price < 'Infinity'),
  status quicksell.listing_status not null default 'draft',
  brand varchar(255),
  model varchar(255),
  color varchar(100),
  size varchar(50),
  weight_kg numeric(8, 2)
    constraint listings_weight_kg_finite check (weight_kg >= 0 and weight_kg < 'Infinity'),
  dimensions varchar(100),
  local_pickup_available boolean not null default false,
  shipping_available boolean not null default true,
  estimated_shipping_cost numeric(8, 2)
    constraint listings_estimated_shipping_cost_finite check (estimated_shipping_cost >= 0 and estimated_shipping_cost < 'Infinity'),
  view_count integer not null default 0 check (view_count >= 0),
  click_count integer not null default 0 check (click_count >= 0),
  ai_description_generated boolean not null default false,
  ai_price_estimated boolean not null default false,
  confidence_score numeric(3, 2)
    constraint listings_confidence_score_finite check (confidence_score >= 0 and confidence_score <= 1),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  published_at timestamptz,
  deleted_at timestamptz,
  -- Everything past draft has been on the market (archived may come from a draft).
  constraint listings_published_at check (status in ('draft', 'archived') or published_at is not null)
);

comment on table quicksell.listings is
  'QuickSell (seed 001): resale listings, owned by the seller (user_id). Public while published or sold and not deleted.';
comment on column quicksell.listings.deleted_at is
  'Soft delete by the seller: the listing leaves every public read at once.';

-- The seed's indexes.
create index idx_listings_user_id on quicksell.listings (user_id);
create index idx_listings_status on quicksell.listings (status);
create index idx_listings_category on quicksell.listings (category);
create index idx_listings_created_at on quicksell.listings (created_at);
-- Not in the seed: the public feed (newest, and by category) and a seller's own
-- listings newest first, the reads the policies serve.
create index listings_public_newest_idx on quicksell.listings (published_at desc, id desc)
  where status in ('published', 'sold') and deleted_at is null;
create index listings_public_category_newest_idx on quicksell.listings (category, published_at desc, id desc)
  where status in ('published', 'sold') and deleted_at is null;
create index listings_user_id_created_at_idx on quicksell.listings (user_id, created_at desc, id desc);

create trigger listings_set_updated_at before update on quicksell.listings
  for each row execute function private.set_updated_at();

-- ---------------------------------------------------------------- listing_versions
create table quicksell.listing_versions (
  id uuid primary key default extensions.gen_random_uuid(),
  listing_id uuid not null references quicksell.listings (id) on delete cascade,
  title varchar(200),
  description text,
  price numeric(10, 2)
    constraint listing_versions_price_finite check (price >= 0 and price < 'Infinity'),
  status quicksell.listing_status,
  changes jsonb not null check (jsonb_typeof(changes) = 'object'),
  version integer not null check (version >= 1),
  created_at timestamptz not null default now(),
  created_by uuid not null references public.profiles (id),
  unique (listing_id, version)
);

comment on table quicksell.listing_versions is
  'Every insert and update of a listing, by trigger: version 1.. without gaps per listing, changes = {field: {old, new}}.';

create index idx_listing_versions_listing_id on quicksell.listing_versions (listing_id);
create index listing_versions_created_by_idx on quicksell.listing_versions (created_by);

-- ---------------------------------------------------------------- photos
create table quicksell.photos (
  id uuid primary key default extensions.gen_random_uuid(),
  listing_id uuid not null references quicksell.listings (id) on delete cascade,
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  original_url varchar(500) not null check (char_length(original_url) >= 1),
  thumb_url varchar(500),
  optimized_url varchar(500),
  filename varchar(255),
  file_size integer check (file_size >= 0),
  mime_type varchar(50) check (mime_type ~ '^image/[a-z0-9.+-]+$'),
  width integer check (width > 0),
  height integer check (height > 0),
  contains_faces boolean,
  contains_hands boolean,
  background_type varchar(50),
  quality_score numeric(3, 2)
    constraint photos_quality_score_finite check (quality_score >= 0 and quality_score <= 1),
  object_confidence numeric(3, 2)
    constraint photos_object_confidence_finite check (object_confidence >= 0 and object_confidence <= 1),
  display_order integer not null default 0 check (display_order >= 0),
  is_primary boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

comment on table quicksell.photos is
  'Listing photos (files in Storage bucket quicksell-photos under <seller>/<listing>/); public with their listing.';

create index idx_photos_listing_id on quicksell.photos (listing_id);
create index idx_photos_user_id on quicksell.photos (user_id);

create trigger photos_set_updated_at before update on quicksell.photos
  for each row execute function private.set_updated_at();

-- ---------------------------------------------------------------- marketplace_accounts
create table quicksell.marketplace_accounts (
  id uuid primary key default extensions.gen_random_uuid(),
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  marketplace_name text not null references quicksell.marketplaces (name),
  marketplace_user_id varchar(500),
  -- Ciphertext (key held by the functions, never by the database).
  access_token text check (char_length(access_token) <= 8000),
  refresh_token text check (char_length(refresh_token) <= 8000),
  token_expires_at timestamptz,
  account_name varchar(255),
  seller_rating numeric(3, 2)
    constraint marketplace_accounts_seller_rating_finite check (seller_rating >= 0 and seller_rating <= 5),
  total_sales_on_platform integer not null default 0 check (total_sales_on_platform >= 0),
  is_active boolean not null default true,
  auto_sync_enabled boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (user_id, marketplace_name),
  -- Target of marketplace_listings' (account, marketplace) key.
  unique (id, marketplace_name)
);

comment on table quicksell.marketplace_accounts is
  'A seller''s connection to an external marketplace; tokens are ciphertext, never readable by clients.';

create index idx_marketplace_accounts_user_id on quicksell.marketplace_accounts (user_id);
create index marketplace_accounts_marketplace_name_idx on quicksell.marketplace_accounts (marketplace_name);

create trigger marketplace_accounts_set_updated_at before update on quicksell.marketplace_accounts
  for each row execute function private.set_updated_at();

-- ---------------------------------------------------------------- marketplace_listings
create table quicksell.marketplace_listings (
  id uuid primary key default extensions.gen_random_uuid(),
  listing_id uuid not null references quicksell.listings (id) on delete cascade,
  marketplace_account_id uuid not null,
  marketplace_name text not null references quicksell.marketplaces (name),
  marketplace_listing_id varchar(500) unique,
  marketplace_url varchar(500),
  sync_status quicksell.sync_status not null default 'draft',
  last_sync_at timestamptz,
  views_on_marketplace integer not null default 0 check (views_on_marketplace >= 0),
  clicks_on_marketplace integer not null default 0 check (clicks_on_marketplace >= 0),
  posted_price numeric(10, 2)
    constraint marketplace_listings_posted_price_finite check (posted_price >= 0 and posted_price < 'Infinity'),
  synced_data jsonb,
  posted_at timestamptz,
  expires_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- The copy's marketplace is its account's.
  constraint marketplace_listings_account_fkey foreign key (marketplace_account_id, marketplace_name)
    references quicksell.marketplace_accounts (id, marketplace_name) on delete cascade,
  -- One copy of a listing per marketplace account.
  unique (listing_id, marketplace_account_id)
);

comment on table quicksell.marketplace_listings is
  'A listing''s copy on an external marketplace (cross-posting), written by the marketplace-sync function.';

create index idx_marketplace_listings_listing_id on quicksell.marketplace_listings (listing_id);
create index idx_marketplace_listings_marketplace_name on quicksell.marketplace_listings (marketplace_name);
create index marketplace_listings_account_idx on quicksell.marketplace_listings (marketplace_account_id, marketplace_name);

create trigger marketplace_listings_set_updated_at before update on quicksell.marketplace_listings
  for each row execute function private.set_updated_at();

-- ---------------------------------------------------------------- sales
create table quicksell.sales (
  id uuid primary key default extensions.gen_random_uuid(),
  -- Sales are kept forever, so their listing cannot be hard-deleted.
  listing_id uuid not null references quicksell.listings (id) on delete restrict,
  buyer_id uuid references public.profiles (id) on delete set null,
  seller_id uuid not null references public.profiles (id),
  marketplace_name text references quicksell.marketplaces (name),
  sale_price numeric(10, 2) not null
    constraint sales_sale_price_finite check (sale_price >= 0 and sale_price < 'Infinity'),
  currency text not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
  shipping_cost numeric(8, 2) not null default 0
    constraint sales_shipping_cost_finite check (shipping_cost >= 0 and shipping_cost < 'Infinity'),
  final_amount numeric(10, 2)
    constraint sales_final_amount_finite check (final_amount >= 0 and final_amount < 'Infinity'),
  status quicksell.sale_status not null default 'pending',
  sale_date timestamptz not null default now(),
  completed_date timestamptz,
  shipping_carrier varchar(100),
  tracking_number varchar(255),
  shipped_at timestamptz,
  delivered_at timestamptz,
  seller_rating integer check (seller_rating between 1 and 5),
  seller_review text check (char_length(seller_review) <= 5000),
  buyer_rating integer check (buyer_rating between 1 and 5),
  buyer_review text check (char_length(buyer_review) <= 5000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint sales_buyer_is_not_seller check (buyer_id is distinct from seller_id)
);

comment on table quicksell.sales is
  'A listing''s sale, on QuickSell (marketplace_name NULL) or on a marketplace; never deleted.';

create index idx_sales_listing_id on quicksell.sales (listing_id);
create index idx_sales_seller_id on quicksell.sales (seller_id);
create index idx_sales_sale_date on quicksell.sales (sale_date);
create index sales_buyer_id_idx on quicksell.sales (buyer_id);
create index sales_marketplace_name_idx on quicksell.sales (marketplace_name);

create trigger sales_set_updated_at before update on quicksell.sales
  for each row execute function private.set_updated_at();

-- ---------------------------------------------------------------- gamification
create table quicksell.user_stats (
  id uuid primary key default extensions.gen_random_uuid(),
  user_id uuid not null unique references public.profiles (id) on delete cascade,
  total_points integer not null default 0 check (total_points >= 0),
  current_level integer not null default 1 check (current_level >= 1),
  total_items_sold integer not null default 0 check (total_items_sold >= 0),
  total_revenue numeric(12, 2) not null default 0
    constraint user_stats_total_revenue_finite check (total_revenue >= 0 and total_revenue < 'Infinity'),
  average_sale_price numeric(10, 2)
    constraint user_stats_average_sale_price_finite check (average_sale_price >= 0 and average_sale_price < 'Infinity'),
  positive_ratings integer not null default 0 check (positive_ratings >= 0),
  negative_ratings integer not null default 0 check (negative_ratings >= 0),
  average_rating numeric(3, 2)
    constraint user_stats_average_rating_finite check (average_rating >= 1 and average_rating <= 5),
  listings_created integer not null default 0 check (listings_created >= 0),
  photos_uploaded integer not null default 0 check (photos_uploaded >= 0),
  current_posting_streak integer not null default 0 check (current_posting_streak >= 0),
  best_posting_streak integer not null default 0 check (best_posting_streak >= 0),
  last_activity_date date,
  updated_at timestamptz not null default now()
);

comment on table quicksell.user_stats is
  'A seller''s QuickSell totals (seed users.points, current_level, total_sales, total_revenue, avg_rating live here); public.';

create trigger user_stats_set_updated_at before update on quicksell.user_stats
  for each row execute function private.set_updated_at();

create table quicksell.badges (
  id uuid primary key default extensions.gen_random_uuid(),
  badge_key varchar(100) not null unique check (badge_key ~ '^[a-z0-9][a-z0-9_.-]{0,99}$'),
  badge_name varchar(255) not null check (char_length(btrim(badge_name)) >= 1),
  badge_description text check (char_length(badge_description) <= 2000),
  badge_icon_url varchar(500),
  badge_tier quicksell.badge_tier not null default '1',
  requirement_type varchar(100),
  requirement_value integer check (requirement_value >= 0),
  created_at timestamptz not null default now()
);

create index idx_badges_badge_key on quicksell.badges (badge_key);

create table quicksell.user_badges (
  id uuid primary key default extensions.gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  badge_id uuid not null references quicksell.badges (id) on delete cascade,
  unlocked_at timestamptz not null default now(),
  unique (user_id, badge_id)
);

create index idx_user_badges_user_id on quicksell.user_badges (user_id);
create index user_badges_badge_id_idx on quicksell.user_badges (badge_id);

create table quicksell.challenges (
  id uuid primary key default extensions.gen_random_uuid(),
  challenge_key varchar(100) not null unique check (challenge_key ~ '^[a-z0-9][a-z0-9_.-]{0,99}$'),
  challenge_name varchar(255) not null check (char_length(btrim(challenge_name)) >= 1),
  description text check (char_length(description) <= 2000),
  challenge_type quicksell.challenge_type not null default 'weekly',
  reward_points integer not null default 50 check (reward_points >= 0),
  reward_badge_id uuid references quicksell.badges (id) on delete set null,
  starts_at timestamptz,
  ends_at timestamptz,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  constraint challenges_period check (ends_at is null or starts_at is null or ends_at > starts_at)
);

create index challenges_reward_badge_id_idx on quicksell.challenges (reward_badge_id);

create table quicksell.user_challenges (
  id uuid primary key default extensions.gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  challenge_id uuid not null references quicksell.challenges (id) on delete cascade,
  progress integer not null default 0 check (progress >= 0),
  progress_percentage numeric(5, 2) not null default 0
    constraint user_challenges_progress_percentage_finite check (progress_percentage >= 0 and progress_percentage <= 100),
  status quicksell.user_challenge_status not null default 'active',
  started_at timestamptz not null default now(),
  completed_at timestamptz,
  unique (user_id, challenge_id),
  constraint user_challenges_completed check ((status = 'completed') = (completed_at is not null))
);

create index idx_user_challenges_user_id on quicksell.user_challenges (user_id);
create index user_challenges_challenge_id_idx on quicksell.user_challenges (challenge_id);

-- ---------------------------------------------------------------- views (caller's RLS)
-- Completed sales only: a cancelled or refunded sale is no revenue.
create view quicksell.sales_summary_view with (security_invoker = true) as
select
  u.id as user_id,
  u.username,
  count(s.id) as total_sales,
  sum(s.sale_price) as total_revenue,
  avg(s.sale_price) as avg_sale_price,
  avg(s.seller_rating) as avg_rating,
  date_trunc('month', s.sale_date) as month
from public.profiles u
left join quicksell.sales s on s.seller_id = u.id and s.status = 'completed'
group by u.id, u.username, date_trunc('month', s.sale_date);

comment on view quicksell.sales_summary_view is
  'Seed view: completed sales per seller and month, under the caller''s RLS (sellers and buyers see their own sales).';

-- A live sale (pending or completed) makes the listing sold.
create view quicksell.listing_performance_view with (security_invoker = true) as
select
  l.id,
  l.title,
  l.category,
  count(distinct ml.id) as marketplace_count,
  sum(ml.views_on_marketplace) as total_views,
  case when s.id is not null then 1 else 0 end as is_sold,
  s.sale_price,
  (l.view_count + coalesce(sum(ml.views_on_marketplace), 0)) as total_platform_views
from quicksell.listings l
left join quicksell.marketplace_listings ml on ml.listing_id = l.id
left join quicksell.sales s on s.listing_id = l.id and s.status in ('pending', 'completed')
group by l.id, l.title, l.category, s.id, s.sale_price;

comment on view quicksell.listing_performance_view is
  'Seed view: a listing''s reach across marketplaces, under the caller''s RLS (no one sees another''s drafts through it).';

-- ---------------------------------------------------------------- grants
revoke all on all tables in schema quicksell from anon, authenticated, service_role;

grant select on quicksell.marketplaces, quicksell.badges, quicksell.challenges,
  quicksell.user_stats, quicksell.user_badges to anon, authenticated;

grant select on quicksell.listings to anon, authenticated;
grant insert (id, title, description, category, condition, price, currency, status, brand, model, color, size,
              weight_kg, dimensions, local_pickup_available, shipping_available, estimated_shipping_cost)
  on quicksell.listings to authenticated;
grant update (title, description, category, condition, price, currency, status, brand, model, color, size,
              weight_kg, dimensions, local_pickup_available, shipping_available, estimated_shipping_cost, deleted_at)
  on quicksell.listings to authenticated;

grant select on quicksell.listing_versions to authenticated;

grant select on quicksell.photos to anon, authenticated;
grant insert (id, listing_id, original_url, filename, display_order, is_primary) on quicksell.photos to authenticated;
grant update (display_order, is_primary) on quicksell.photos to authenticated;
grant delete on quicksell.photos to authenticated;

grant select (id, user_id, marketplace_name, marketplace_user_id, token_expires_at, account_name, seller_rating,
              total_sales_on_platform, is_active, auto_sync_enabled, created_at, updated_at)
  on quicksell.marketplace_accounts to authenticated;
grant update (is_active, auto_sync_enabled) on quicksell.marketplace_accounts to authenticated;
grant delete on quicksell.marketplace_accounts to authenticated;

grant select on quicksell.marketplace_listings, quicksell.sales, quicksell.user_challenges to authenticated;

grant select on quicksell.sales_summary_view to authenticated;
grant select on quicksell.listing_performance_view to anon, authenticated;

grant all on all tables in schema quicksell to service_role;
-- History is the trigger's; sales are kept forever.
revoke insert, update, delete, truncate on quicksell.listing_versions from service_role;
revoke delete, truncate on quicksell.sales from service_role;

-- ---------------------------------------------------------------- RLS
alter table quicksell.marketplaces enable row level security;
alter table quicksell.listings enable row level security;
alter table quicksell.listing_versions enable row level security;
alter table quicksell.photos enable row level security;
alter table quicksell.marketplace_accounts enable row level security;
alter table quicksell.marketplace_listings enable row level security;
alter table quicksell.sales enable row level security;
alter table quicksell.user_stats enable row level security;
alter table quicksell.badges enable row level security;
alter table quicksell.user_badges enable row level security;
alter table quicksell.challenges enable row level security;
alter table quicksell.user_challenges enable row level security;

-- Catalogues and public standings: everyone reads; service_role (no RLS) writes.
create policy "marketplaces: everyone reads"
  on quicksell.marketplaces for select to anon, authenticated using (true);
create policy "badges: everyone reads"
  on quicksell.badges for select to anon, authenticated using (true);
create policy "challenges: everyone reads"
  on quicksell.challenges for select to anon, authenticated using (true);
create policy "user_stats: everyone reads (leaderboards, profiles)"
  on quicksell.user_stats for select to anon, authenticated using (true);
create policy "user_badges: everyone reads (profiles)"
  on quicksell.user_badges for select to anon, authenticated using (true);

create policy "user_challenges: the user and platform admins read"
  on quicksell.user_challenges for select to authenticated
  using (user_id = (select auth.uid()) or (select private.is_platform_admin()));

-- listings
create policy "listings: everyone reads listings on the market"
  on quicksell.listings for select to anon
  using (status in ('published', 'sold') and deleted_at is null);
create policy "listings: public ones, the seller's own; platform admins all"
  on quicksell.listings for select to authenticated
  using (
    (status in ('published', 'sold') and deleted_at is null)
    or user_id = (select auth.uid())
    or (select private.is_platform_admin())
  );
create policy "listings: sellers add their own"
  on quicksell.listings for insert to authenticated
  with check (user_id = (select auth.uid()));
create policy "listings: sellers edit their own"
  on quicksell.listings for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

-- listing_versions
create policy "listing_versions: the seller and platform admins read"
  on quicksell.listing_versions for select to authenticated
  using (
    exists (select 1 from quicksell.listings l where l.id = listing_versions.listing_id and l.user_id = (select auth.uid()))
    or (select private.is_platform_admin())
  );

-- photos
create policy "photos: everyone reads photos of listings on the market"
  on quicksell.photos for select to anon
  using (exists (select 1 from quicksell.listings l
                 where l.id = photos.listing_id and l.status in ('published', 'sold') and l.deleted_at is null));
create policy "photos: public ones, the seller's own, or a platform admin"
  on quicksell.photos for select to authenticated
  using (
    user_id = (select auth.uid())
    or exists (select 1 from quicksell.listings l
               where l.id = photos.listing_id and l.status in ('published', 'sold') and l.deleted_at is null)
    or (select private.is_platform_admin())
  );
create policy "photos: sellers add photos to their own listings"
  on quicksell.photos for insert to authenticated
  with check (
    user_id = (select auth.uid())
    and exists (select 1 from quicksell.listings l where l.id = photos.listing_id and l.user_id = (select auth.uid()))
  );
create policy "photos: sellers reorder their own"
  on quicksell.photos for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
create policy "photos: sellers remove their own"
  on quicksell.photos for delete to authenticated
  using (user_id = (select auth.uid()));

-- marketplace_accounts
create policy "marketplace_accounts: the owner and platform admins read"
  on quicksell.marketplace_accounts for select to authenticated
  using (user_id = (select auth.uid()) or (select private.is_platform_admin()));
create policy "marketplace_accounts: the owner switches sync on and off"
  on quicksell.marketplace_accounts for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
create policy "marketplace_accounts: the owner disconnects"
  on quicksell.marketplace_accounts for delete to authenticated
  using (user_id = (select auth.uid()));

-- marketplace_listings
create policy "marketplace_listings: the seller and platform admins read"
  on quicksell.marketplace_listings for select to authenticated
  using (
    exists (select 1 from quicksell.listings l where l.id = marketplace_listings.listing_id and l.user_id = (select auth.uid()))
    or (select private.is_platform_admin())
  );

-- sales
create policy "sales: seller, buyer and platform admins read"
  on quicksell.sales for select to authenticated
  using (seller_id = (select auth.uid()) or buyer_id = (select auth.uid()) or (select private.is_platform_admin()));
