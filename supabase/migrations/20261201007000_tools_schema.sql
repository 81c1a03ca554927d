-- Tools marketplace (seed 003): the seed's twelve enums, six tables, both
-- check constraints and its 26 indexes, in schema `tools`, on the shared
-- platform. Later tools migrations add the rules (catalogue data and prices,
-- cart, checkout, purchases, reviews); this one is the shape and who may see it.
--
-- Mapping (docs/tools.md has every column):
--   organizations            -> public.accounts (organization_id keeps its seed name)
--   users                    -> public.profiles (user_id)
--   SubscriptionTier         -> tools.subscription_tier; the account's tier is the tier
--                               of its plan for product `tools` (private.tools_account_tier)
--   Prisma enums             -> snake_case Postgres enums with the seed's labels
--   Float avg_rating         -> real, as the seed says (a rating average, not money)
--
-- Who may do what:
--   * catalogue (marketplace_tools, marketplace_bundles, marketplace_bundle_items):
--     everyone reads (anon included); platform admins write, audited; counters
--     (purchase_count, view_count, avg_rating, review_count) are kept by the
--     database and cannot be written by clients;
--   * marketplace_purchases: the account's members read; clients never write
--     (checkout RPCs and functions do); never deleted, by anyone;
--   * marketplace_cart: the line's user and the account's owners and admins read;
--     only the line's user writes, within an account they belong to;
--   * marketplace_reviews: approved ones everyone reads; the author and platform
--     admins read the rest; authors write their own content only.
--
-- Invariants: tool XOR bundle on purchases and cart lines (the seed's checks);
-- one cart line per user and item (NULLS NOT DISTINCT, since the seed's unique
-- key over nullable columns would not stop duplicates); one review per user
-- per tool; money numeric(10,2) with a currency, finite; the tier order
-- FREE < CUSTOM < STARTER < GROWTH < ELITE < ENTERPRISE is the enum's order.

-- ---------------------------------------------------------------- enums
create type tools.tool_category as enum (
  'LEAD_GENERATION', 'LEAD_NURTURING', 'LISTING_OPTIMIZATION', 'PROPERTY_SHOPPING',
  'MARKET_INTELLIGENCE', 'INVESTMENT_ANALYSIS', 'DOCUMENT_PROCESSING', 'COMMISSION_FINANCIAL',
  'BOOKING_SCHEDULING', 'COMMUNICATION', 'CRM_TOOLS', 'ANALYTICS_TOOLS', 'AUTOMATION_TOOLS',
  'INTEGRATION_TOOLS'
);
create type tools.price_model as enum ('FREE', 'ONE_TIME', 'MONTHLY', 'ANNUAL', 'USAGE_BASED', 'CUSTOM');
create type tools.integration_type as enum ('API', 'WEBHOOK', 'EMBED', 'STANDALONE', 'N8N_WORKFLOW', 'NATIVE');
create type tools.tool_status as enum ('ACTIVE', 'COMING_SOON', 'BETA', 'DEPRECATED', 'DISABLED');
create type tools.bundle_status as enum ('ACTIVE', 'ARCHIVED', 'DRAFT');
create type tools.payment_method as enum ('CREDIT_CARD', 'ACH', 'INVOICE', 'PLATFORM_CREDITS');
create type tools.payment_status as enum ('PENDING', 'PROCESSING', 'COMPLETED', 'FAILED', 'REFUNDED', 'CANCELLED');
create type tools.review_status as enum ('PENDING', 'APPROVED', 'REJECTED', 'FLAGGED');
-- Declaration order is the tier order: `required_tier <= account tier` is the gate.
create type tools.subscription_tier as enum ('FREE', 'CUSTOM', 'STARTER', 'GROWTH', 'ELITE', 'ENTERPRISE');
create type tools.purchase_type as enum ('TOOL', 'BUNDLE');
create type tools.cart_item_type as enum ('TOOL', 'BUNDLE');
create type tools.purchase_status as enum ('ACTIVE', 'CANCELLED', 'EXPIRED', 'REFUNDED');

-- ---------------------------------------------------------------- catalogue
create table tools.marketplace_tools (
  id uuid primary key default extensions.gen_random_uuid(),
  name varchar(100) not null check (char_length(name) >= 1),
  description text not null,
  long_description text,
  category tools.tool_category not null,
  tags text[] not null default '{}',
  price_model tools.price_model not null,
  price_amount numeric(10, 2) not null default 0
    constraint marketplace_tools_price_amount_finite check (price_amount >= 0 and price_amount < 'Infinity'),
  currency varchar(3) not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
  required_tier tools.subscription_tier not null,
  features jsonb not null default '[]'::jsonb check (jsonb_typeof(features) = 'array'),
  tech_stack jsonb,
  integration_type tools.integration_type not null,
  status tools.tool_status not null default 'ACTIVE',
  is_featured boolean not null default false,
  is_popular boolean not null default false,
  provider varchar(100) not null,
  documentation_url varchar(500),
  demo_url varchar(500),
  support_url varchar(500),
  icon_url varchar(500),
  images text[] not null default '{}',
  video_url varchar(500),
  version varchar(20) not null default '1.0.0',
  last_updated timestamptz not null default now(),
  purchase_count integer not null default 0 check (purchase_count >= 0),
  view_count integer not null default 0 check (view_count >= 0),
  avg_rating real check (avg_rating between 1 and 5),
  review_count integer not null default 0 check (review_count >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- FREE costs nothing; CUSTOM is "contact for pricing" (no list price).
  constraint marketplace_tools_free_is_free check (price_model not in ('FREE', 'CUSTOM') or price_amount = 0)
);

create table tools.marketplace_bundles (
  id uuid primary key default extensions.gen_random_uuid(),
  name varchar(100) not null check (char_length(name) >= 1),
  description text not null,
  long_description text,
  price_amount numeric(10, 2) not null
    constraint marketplace_bundles_price_amount_finite check (price_amount >= 0 and price_amount < 'Infinity'),
  currency varchar(3) not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
  discount_percent integer not null check (discount_percent between 0 and 100),
  required_tier tools.subscription_tier not null,
  status tools.bundle_status not null default 'ACTIVE',
  is_featured boolean not null default false,
  is_popular boolean not null default false,
  icon_url varchar(500),
  images text[] not null default '{}',
  purchase_count integer not null default 0 check (purchase_count >= 0),
  view_count integer not null default 0 check (view_count >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table tools.marketplace_bundle_items (
  id uuid primary key default extensions.gen_random_uuid(),
  bundle_id uuid not null references tools.marketplace_bundles (id) on delete cascade,
  tool_id uuid not null references tools.marketplace_tools (id) on delete cascade,
  position integer not null default 0 check (position >= 0),
  created_at timestamptz not null default now(),
  unique (bundle_id, tool_id)
);

-- ---------------------------------------------------------------- tenant data
create table tools.marketplace_purchases (
  id uuid primary key default extensions.gen_random_uuid(),
  organization_id uuid not null references public.accounts (id) on delete cascade,
  user_id uuid not null references public.profiles (id),
  tool_id uuid references tools.marketplace_tools (id),
  bundle_id uuid references tools.marketplace_bundles (id),
  purchase_type tools.purchase_type not null,
  amount numeric(10, 2) not null
    constraint marketplace_purchases_amount_finite check (amount >= 0 and amount < 'Infinity'),
  currency varchar(3) not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
  payment_method tools.payment_method not null,
  payment_status tools.payment_status not null default 'PENDING',
  stripe_payment_id varchar(255) unique,
  stripe_invoice_id varchar(255),
  is_subscription boolean not null default false,
  subscription_start timestamptz,
  subscription_end timestamptz,
  auto_renew boolean not null default false,
  status tools.purchase_status not null default 'ACTIVE',
  activated_at timestamptz,
  cancelled_at timestamptz,
  refunded_at timestamptz,
  usage_count integer not null default 0 check (usage_count >= 0),
  last_used_at timestamptz,
  purchase_date timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint check_purchase_type check (
    (purchase_type = 'TOOL' and tool_id is not null and bundle_id is null) or
    (purchase_type = 'BUNDLE' and bundle_id is not null and tool_id is null)
  ),
  constraint marketplace_purchases_period check (subscription_end is null or subscription_start is null or subscription_end > subscription_start)
);

create table tools.marketplace_cart (
  id uuid primary key default extensions.gen_random_uuid(),
  organization_id uuid not null references public.accounts (id) on delete cascade,
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  tool_id uuid references tools.marketplace_tools (id) on delete cascade,
  bundle_id uuid references tools.marketplace_bundles (id) on delete cascade,
  item_type tools.cart_item_type not null,
  quantity integer not null default 1 check (quantity between 1 and 100),
  added_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint check_cart_item_type check (
    (item_type = 'TOOL' and tool_id is not null and bundle_id is null) or
    (item_type = 'BUNDLE' and bundle_id is not null and tool_id is null)
  ),
  -- A tool is a licence: one per line.
  constraint marketplace_cart_tool_quantity check (item_type <> 'TOOL' or quantity = 1),
  constraint marketplace_cart_user_id_tool_id_bundle_id_key unique nulls not distinct (user_id, tool_id, bundle_id)
);

create table tools.marketplace_reviews (
  id uuid primary key default extensions.gen_random_uuid(),
  tool_id uuid not null references tools.marketplace_tools (id) on delete cascade,
  organization_id uuid not null references public.accounts (id) on delete cascade,
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  rating integer not null check (rating between 1 and 5),
  title varchar(200),
  review text check (char_length(review) <= 10000),
  verified_purchase boolean not null default false,
  helpful_count integer not null default 0 check (helpful_count >= 0),
  flagged_count integer not null default 0 check (flagged_count >= 0),
  status tools.review_status not null default 'PENDING',
  moderated_at timestamptz,
  moderated_by uuid references public.profiles (id) on delete set null,
  moderation_notes text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tool_id, user_id)
);

-- ---------------------------------------------------------------- the seed's 26 indexes
create index marketplace_tools_category_idx on tools.marketplace_tools (category);
create index marketplace_tools_status_idx on tools.marketplace_tools (status);
create index marketplace_tools_required_tier_idx on tools.marketplace_tools (required_tier);
create index marketplace_tools_price_model_idx on tools.marketplace_tools (price_model);
create index marketplace_tools_is_featured_idx on tools.marketplace_tools (is_featured);
create index marketplace_tools_purchase_count_idx on tools.marketplace_tools (purchase_count);
create index marketplace_tools_avg_rating_idx on tools.marketplace_tools (avg_rating);
create index marketplace_bundles_status_idx on tools.marketplace_bundles (status);
create index marketplace_bundles_is_featured_idx on tools.marketplace_bundles (is_featured);
create index marketplace_bundles_purchase_count_idx on tools.marketplace_bundles (purchase_count);
create index marketplace_bundle_items_bundle_id_idx on tools.marketplace_bundle_items (bundle_id);
create index marketplace_bundle_items_tool_id_idx on tools.marketplace_bundle_items (tool_id);
create index marketplace_purchases_organization_id_idx on tools.marketplace_purchases (organization_id);
create index marketplace_purchases_user_id_idx on tools.marketplace_purchases (user_id);
create index marketplace_purchases_payment_status_idx on tools.marketplace_purchases (payment_status);
create index marketplace_purchases_status_idx on tools.marketplace_purchases (status);
create index marketplace_purchases_tool_id_idx on tools.marketplace_purchases (tool_id);
create index marketplace_purchases_bundle_id_idx on tools.marketplace_purchases (bundle_id);
create index marketplace_purchases_purchase_date_idx on tools.marketplace_purchases (purchase_date);
create index marketplace_cart_organization_id_idx on tools.marketplace_cart (organization_id);
create index marketplace_cart_user_id_idx on tools.marketplace_cart (user_id);
create index marketplace_cart_tool_id_idx on tools.marketplace_cart (tool_id);
create index marketplace_cart_bundle_id_idx on tools.marketplace_cart (bundle_id);
create index marketplace_reviews_tool_id_idx on tools.marketplace_reviews (tool_id);
create index marketplace_reviews_organization_id_idx on tools.marketplace_reviews (organization_id);
create index marketplace_reviews_user_id_idx on tools.marketplace_reviews (user_id);
create index marketplace_reviews_status_idx on tools.marketplace_reviews (status);
create index marketplace_reviews_rating_idx on tools.marketplace_reviews (rating);
-- Not in the seed: foreign keys the policies and deletes use.
create index marketplace_reviews_moderated_by_idx on tools.marketplace_reviews (moderated_by);

-- ---------------------------------------------------------------- timestamps, audit
create trigger marketplace_tools_updated_at before update on tools.marketplace_tools
  for each row execute function private.set_updated_at();
create trigger marketplace_bundles_updated_at before update on tools.marketplace_bundles
  for each row execute function private.set_updated_at();
create trigger marketplace_purchases_updated_at before update on tools.marketplace_purchases
  for each row execute function private.set_updated_at();
create trigger marketplace_cart_updated_at before update on tools.marketplace_cart
  for each row execute function private.set_updated_at();
create trigger marketplace_reviews_updated_at before update on tools.marketplace_reviews
  for each row execute function private.set_updated_at();

create or replace function private.tools_touch_last_updated()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.last_updated := now();
  return new;
end;
$$;
revoke execute on function private.tools_touch_last_updated() from public, anon, authenticated;
create trigger marketplace_tools_last_updated before update on tools.marketplace_tools
  for each row execute function private.tools_touch_last_updated();

-- Every catalogue change is audited, whoever makes it.
create trigger marketplace_tools_audit after insert or update or delete on tools.marketplace_tools
  for each row execute function private.audit_row_change();
create trigger marketplace_bundles_audit after insert or update or delete on tools.marketplace_bundles
  for each row execute function private.audit_row_change();
create trigger marketplace_bundle_items_audit after insert or update or delete on tools.marketplace_bundle_items
  for each row execute function private.audit_row_change();

-- Purchases are a record of money: never deleted, not even by service_role.
create or replace function private.tools_purchases_never_deleted()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'marketplace_purchases: purchases are never deleted (cancel or refund them)' using errcode = '42501';
end;
$$;
revoke execute on function private.tools_purchases_never_deleted() from public, anon, authenticated;
create trigger marketplace_purchases_never_deleted before delete on tools.marketplace_purchases
  for each row execute function private.tools_purchases_never_deleted();

-- ---------------------------------------------------------------- the account's tier
-- The tier of the account's plan for product `tools` (its live subscription,
-- else the default plan), as the seed's SubscriptionTier.
create or replace function private.tools_account_tier(p_account_id uuid)
returns tools.subscription_tier
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(upper((private.account_plan(p_account_id, 'tools')).tier)::tools.subscription_tier, 'FREE');
$$;
revoke execute on function private.tools_account_tier(uuid) from public, anon, authenticated;
grant execute on function private.tools_account_tier(uuid) to service_role;

-- ---------------------------------------------------------------- grants
grant select on tools.marketplace_tools, tools.marketplace_bundles, tools.marketplace_bundle_items to anon, authenticated;
grant insert (name, description, long_description, category, tags, price_model, price_amount, currency, required_tier,
              features, tech_stack, integration_type, status, is_featured, is_popular, provider, documentation_url,
              demo_url, support_url, icon_url, images, video_url, version)
  on tools.marketplace_tools to authenticated;
grant update (name, description, long_description, category, tags, price_model, price_amount, currency, required_tier,
              features, tech_stack, integration_type, status, is_featured, is_popular, provider, documentation_url,
              demo_url, support_url, icon_url, images, video_url, version)
  on tools.marketplace_tools to authenticated;
grant insert (name, description, long_description, price_amount, currency, discount_percent, required_tier, status,
              is_featured, is_popular, icon_url, images)
  on tools.marketplace_bundles to authenticated;
grant update (name, description, long_description, price_amount, currency, discount_percent, required_tier, status,
              is_featured, is_popular, icon_url, images)
  on tools.marketplace_bundles to authenticated;
grant insert (bundle_id, tool_id, position) on tools.marketplace_bundle_items to authenticated;
grant update (position) on tools.marketplace_bundle_items to authenticated;
grant delete on tools.marketplace_tools, tools.marketplace_bundles, tools.marketplace_bundle_items to authenticated;

grant select on tools.marketplace_purchases to authenticated;

grant select, delete on tools.marketplace_cart to authenticated;
grant insert (organization_id, tool_id, bundle_id, item_type, quantity) on tools.marketplace_cart to authenticated;
grant update (quantity) on tools.marketplace_cart to authenticated;

grant select on tools.marketplace_reviews to anon, authenticated;
grant insert (tool_id, organization_id, rating, title, review) on tools.marketplace_reviews to authenticated;
grant update (rating, title, review) on tools.marketplace_reviews to authenticated;
grant delete on tools.marketplace_reviews to authenticated;

grant all on all tables in schema tools to service_role;
revoke delete on tools.marketplace_purchases from service_role;

-- ---------------------------------------------------------------- RLS
alter table tools.marketplace_tools enable row level security;
alter table tools.marketplace_bundles enable row level security;
alter table tools.marketplace_bundle_items enable row level security;
alter table tools.marketplace_purchases enable row level security;
alter table tools.marketplace_cart enable row level security;
alter table tools.marketplace_reviews enable row level security;

create policy "marketplace_tools: everyone reads the catalogue"
  on tools.marketplace_tools for select to anon, authenticated using (true);
create policy "marketplace_tools: platform admins add"
  on tools.marketplace_tools for insert to authenticated with check ((select private.is_platform_admin()));
create policy "marketplace_tools: platform admins change"
  on tools.marketplace_tools for update to authenticated
  using ((select private.is_platform_admin())) with check ((select private.is_platform_admin()));
create policy "marketplace_tools: platform admins remove"
  on tools.marketplace_tools for delete to authenticated using ((select private.is_platform_admin()));

create policy "marketplace_bundles: everyone reads the catalogue"
  on tools.marketplace_bundles for select to anon, authenticated using (true);
create policy "marketplace_bundles: platform admins add"
  on tools.marketplace_bundles for insert to authenticated with check ((select private.is_platform_admin()));
create policy "marketplace_bundles: platform admins change"
  on tools.marketplace_bundles for update to authenticated
  using ((select private.is_platform_admin())) with check ((select private.is_platform_admin()));
create policy "marketplace_bundles: platform admins remove"
  on tools.marketplace_bundles for delete to authenticated using ((select private.is_platform_admin()));

create policy "marketplace_bundle_items: everyone reads the catalogue"
  on tools.marketplace_bundle_items for select to anon, authenticated using (true);
create policy "marketplace_bundle_items: platform admins add"
  on tools.marketplace_bundle_items for insert to authenticated with check ((select private.is_platform_admin()));
create policy "marketplace_bundle_items: platform admins change"
  on tools.marketplace_bundle_items for update to authenticated
  using ((select private.is_platform_admin())) with check ((select private.is_platform_admin()));
create policy "marketplace_bundle_items: platform admins remove"
  on tools.marketplace_bundle_items for delete to authenticated using ((select private.is_platform_admin()));

create policy "marketplace_purchases: the account's members read"
  on tools.marketplace_purchases for select to authenticated
  using (organization_id in (select private.my_account_ids()));

create policy "marketplace_cart: the line's user and the account's owners and admins read"
  on tools.marketplace_cart for select to authenticated
  using (user_id = (select auth.uid()) or organization_id in (select private.my_admin_account_ids()));
create policy "marketplace_cart: members add to their own cart"
  on tools.marketplace_cart for insert to authenticated
  with check (user_id = (select auth.uid()) and organization_id in (select private.my_account_ids()));
create policy "marketplace_cart: the line's user changes it"
  on tools.marketplace_cart for update to authenticated
  using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
create policy "marketplace_cart: the line's user removes it"
  on tools.marketplace_cart for delete to authenticated using (user_id = (select auth.uid()));

create policy "marketplace_reviews: approved ones are public"
  on tools.marketplace_reviews for select to anon using (status = 'APPROVED');
create policy "marketplace_reviews: approved, own, or moderated by a platform admin"
  on tools.marketplace_reviews for select to authenticated
  using (status = 'APPROVED' or user_id = (select auth.uid()) or (select private.is_platform_admin()));
create policy "marketplace_reviews: members review for an account they belong to"
  on tools.marketplace_reviews for insert to authenticated
  with check (user_id = (select auth.uid()) and organization_id in (select private.my_account_ids()));
create policy "marketplace_reviews: authors edit their own"
  on tools.marketplace_reviews for update to authenticated
  using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
create policy "marketplace_reviews: authors remove their own"
  on tools.marketplace_reviews for delete to authenticated using (user_id = (select auth.uid()));
