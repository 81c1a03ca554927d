-- Adds public.products, the one list of the products Domus serves (issue 8
-- §5). Until now the list was repeated in four CHECK constraints
-- (plans.product, credit_packs.product, notifications.product,
-- analytics_events.product), the scripts and the client (subscriptions.product,
-- copied from the plan, had no check at all), so adding a product
-- meant finding every copy. Now each of those columns references this table,
-- the client's contract (packages/contracts/src/products.ts) is generated from
-- it by `npm run gen:types`, and a test holds supabase/config.toml's exposed
-- schemas to it.
--
-- Rows: the five products (code = the Postgres schema that holds the
-- product's own tables) and `platform`, the shared layer in `public`, which
-- notifications and analytics events may name but which sells nothing: plans
-- and credit packs must belong to a product (kind = 'product').
--
-- Who may do what: everyone (anon included) reads the list; nobody writes it
-- through the API, service_role included. Rows change only in migrations,
-- because a product also needs its schema, grants and exposed-schema entry,
-- which only a migration and config.toml can give it.
--
-- Invariants: code is the primary key every product column references
-- (on update cascade, so a rename is one statement; on delete restrict, so a
-- product with plans, packs, notifications or events cannot vanish);
-- schema_name names an existing schema, checked when the row is written.
--
-- To add a product: one new migration that creates its schema (with the
-- usage grants of 20261122000100) and inserts its row here; list the schema in
-- supabase/config.toml [api] schemas; run `npm run gen:types`.

create table public.products (
  code text primary key check (code ~ '^[a-z][a-z0-9_]{1,30}$'),
  kind text not null default 'product' check (kind in ('platform', 'product')),
  name text not null check (char_length(name) between 1 and 100),
  description text not null check (char_length(description) between 1 and 500),
  schema_name text not null unique,
  sort_order smallint not null unique check (sort_order >= 0)
);

comment on table public.products is
  'The products Domus serves, plus the shared platform: the one list every product column references. Written only by migrations.';
comment on column public.products.kind is
  '''product'' sells plans and credit packs; ''platform'' is the shared layer that notifications and analytics may name.';
comment on column public.products.schema_name is 'The Postgres schema holding the product''s own tables (public for the platform).';

-- Only one platform row: the scope every shared notification defaults to.
create unique index products_one_platform on public.products (kind) where kind = 'platform';

create or replace function private.products_check_schema()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if not exists (select 1 from pg_catalog.pg_namespace where nspname = new.schema_name) then
    raise exception 'schema_name: schema % does not exist; create it in the same migration', new.schema_name
      using errcode = '22023';
  end if;
  return new;
end;
$$;

revoke execute on function private.products_check_schema() from public, anon, authenticated;

create trigger products_check_schema
  before insert or update of schema_name on public.products
  for each row execute function private.products_check_schema();

insert into public.products (code, kind, name, description, schema_name, sort_order) values
  ('platform', 'platform', 'Domus platform', 'Accounts, billing, notifications and analytics shared by every product.', 'public', 0),
  ('homes', 'product', 'Homes', 'Property marketplace: properties, valuations, listings and offers (seed 000).', 'homes', 1),
  ('quicksell', 'product', 'QuickSell', 'AI-assisted resale with cross-posting and gamification (seed 001).', 'quicksell', 2),
  ('studio', 'product', 'Studio', 'AI media studio for agents, paid in credits (seed 002).', 'studio', 3),
  ('tools', 'product', 'Tools', 'Marketplace of AI tools and bundles (seed 003).', 'tools', 4),
  ('reports', 'product', 'Reports', 'Market and property reports with lead capture (seed 004).', 'reports', 5);

alter table public.products enable row level security;

revoke all on public.products from anon, authenticated, service_role;
grant select on public.products to anon, authenticated, service_role;

create policy "products: everyone reads"
  on public.products for select to anon, authenticated, service_role
  using (true);

-- The four copies of the list become references. Plans and credit packs are
-- sold by a product, never by the platform: a CHECK on the one sentinel,
-- not on the list.
alter table public.plans drop constraint plans_product_check;
alter table public.plans
  add constraint plans_product_fkey foreign key (product) references public.products (code) on update cascade on delete restrict,
  add constraint plans_product_not_platform check (product <> 'platform');

alter table public.credit_packs drop constraint credit_packs_product_check;
alter table public.credit_packs
  add constraint credit_packs_product_fkey foreign key (product) references public.products (code) on update cascade on delete restrict,
  add constraint credit_packs_product_not_platform check (product <> 'platform');
create index credit_packs_product_idx on public.credit_packs (product);

alter table public.notifications drop constraint notifications_product_check;
alter table public.notifications
  add constraint notifications_product_fkey foreign key (product) references public.products (code) on update cascade on delete restrict;
create index notifications_product_idx on public.notifications (product);

alter table public.analytics_events drop constraint analytics_events_product_check;
alter table public.analytics_events
  add constraint analytics_events_product_fkey foreign key (product) references public.products (code) on update cascade on delete restrict;
-- Subscriptions copy their plan's product (private.subscriptions_fill_product);
-- the reference makes the copy as safe as the original.
alter table public.subscriptions
  add constraint subscriptions_product_fkey foreign key (product) references public.products (code) on update cascade on delete restrict;
create index subscriptions_product_idx on public.subscriptions (product);

-- analytics_events_type_created_at_idx (product, event_type, created_at) already leads with product;
-- plans' unique (product, tier) does the same for plans.
