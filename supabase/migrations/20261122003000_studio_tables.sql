-- Adds Studio (seed 002, Stagefy) in schema `studio`: the seed's enums and
-- its product tables, projects, ai_jobs, crm_contacts, crm_listings,
-- media_items and templates, with the seed's indexes, plus the price table
-- the AI job pipeline charges from (studio.job_prices) and studio.users, a
-- view with the seed's `users` shape over the shared platform (profiles,
-- platform admins, the credit ledger, subscriptions).
--
-- Ownership: `user_id` is the agent (the seed's user_id). Projects, AI jobs
-- and generated media also carry `account_id`, the account whose credits
-- paid (the user's personal account, whose id is the user's id, unless a
-- team pays). Composite foreign keys (x_id, user_id) keep every link to a
-- contact or listing inside one agent's own CRM, for every role.
--
-- Access (one permissive policy per role and action, all `to authenticated`):
--   * agents read and write their own CRM, media and templates;
--   * projects, AI jobs and generated media are also readable by the members
--     of the account that paid; nobody writes projects or AI jobs directly
--     (the ai-jobs function and the database create and settle them);
--   * public templates are readable by every signed-in user;
--   * platform admins (seed role 'admin') read everything, and may moderate
--     templates and media; every change a platform admin makes to a studio
--     table is written to public.audit_log;
--   * column grants protect what the database maintains (owners, costs,
--     statuses, usage counters, timestamps).
-- The seed's users, subscriptions, credit_transactions, notifications and
-- admin_audit_log are the shared platform's (docs/studio.md).

-- ------------------------------------------------------------------ enums
-- Seed enums that type studio's own columns.
create type studio.job_status as enum ('pending', 'processing', 'completed', 'failed');
create type studio.project_type as enum ('photo_edit', 'video', 'template');
create type studio.ai_service as enum ('replicate', 'qwen', 'nano_banana');
create type studio.contact_type as enum ('buyer', 'seller', 'investor', 'other');
create type studio.contact_status as enum ('lead', 'active', 'closed');
create type studio.listing_status as enum ('active', 'pending', 'sold', 'off_market');
create type studio.media_type as enum ('image', 'video', 'template');
create type studio.template_type as enum ('listing_promo', 'instagram_reel', 'open_house', 'custom');
-- Seed enums of the seed's `users` table, typing the studio.users view.
create type studio.user_role as enum ('agent', 'admin');
create type studio.subscription_tier as enum ('free', 'basic', 'pro', 'enterprise');
create type studio.use_case as enum ('photos', 'video', 'templates', 'all');
-- The seed's credit_transaction_type, subscription_status and
-- notification_type are the shared public.credit_transaction_type,
-- public.subscription_status and public.notifications.type.

-- ------------------------------------------------------------------ prices
create table studio.job_prices (
  job_type studio.project_type not null,
  service studio.ai_service not null,
  model text not null check (model ~ '^[A-Za-z0-9._/:-]{1,120}$'),
  credits integer not null check (credits > 0),
  api_cost_estimate numeric(10, 4) not null default 0 check (api_cost_estimate >= 0),
  is_default boolean not null default false,
  active boolean not null default true,
  description text check (char_length(description) <= 500),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (job_type, service, model)
);

comment on table studio.job_prices is 'Credits an AI job costs, per job type, service and model; api_cost_estimate is the provider''s price in USD.';
comment on column studio.job_prices.is_default is 'The model used when a request names the service but no model (at most one per job type and service).';

create unique index job_prices_one_default_per_service on studio.job_prices (job_type, service) where is_default;

-- ------------------------------------------------------------------ templates
create table studio.templates (
  id uuid primary key default extensions.gen_random_uuid(),
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  name text not null check (char_length(name) between 1 and 200),
  type studio.template_type not null,
  description text check (char_length(description) <= 2000),
  thumbnail_url text check (char_length(thumbnail_url) <= 2000),
  output_url text check (char_length(output_url) <= 2000),
  prompt_template text check (char_length(prompt_template) <= 4000),
  settings jsonb not null default '{}'::jsonb check (jsonb_typeof(settings) = 'object'),
  credits_used integer not null default 0 check (credits_used >= 0),
  usage_count integer not null default 0 check (usage_count >= 0),
  is_public boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

comment on table studio.templates is 'AI templates (seed 002): an agent''s own, or public for every signed-in user; usage_count and credits_used are kept by the database.';

create index idx_templates_user_id on studio.templates (user_id);
create index idx_templates_type on studio.templates (type);
create index idx_templates_public on studio.templates (type, usage_count desc) where is_public;

-- ------------------------------------------------------------------ CRM
create table studio.crm_contacts (
  id uuid primary key default extensions.gen_random_uuid(),
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  name text not null check (char_length(name) between 1 and 200),
  email text check (email ~ '^[^@\s]+@[^@\s]+$' and char_length(email) <= 320),
  phone text check (char_length(phone) <= 40),
  type studio.contact_type not null default 'other',
  status studio.contact_status not null default 'lead',
  notes text check (char_length(notes) <= 10000),
  tags text[] not null default '{}' check (cardinality(tags) <= 50),
  last_contacted_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- Target of the (contact_id, user_id) keys that keep links inside one agent's CRM.
  unique (id, user_id)
);

comment on table studio.crm_contacts is 'An agent''s contacts: buyers, sellers, investors (seed 002).';

create index idx_crm_contacts_user_id on studio.crm_contacts (user_id, name);
create index idx_crm_contacts_status on studio.crm_contacts (status);
create index idx_crm_contacts_type on studio.crm_contacts (type);
create index idx_crm_contacts_name on studio.crm_contacts (name);
create index crm_contacts_tags_idx on studio.crm_contacts using gin (tags);

create table studio.crm_listings (
  id uuid primary key default extensions.gen_random_uuid(),
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  contact_id uuid,
  address text not null check (char_length(address) between 1 and 500),
  city text check (char_length(city) <= 200),
  state text check (char_length(state) <= 200),
  zip_code text check (char_length(zip_code) <= 20),
  price numeric(12, 2) check (price >= 0),
  bedrooms integer check (bedrooms between 0 and 1000),
  bathrooms numeric(3, 1) check (bathrooms >= 0),
  sqft integer check (sqft > 0),
  status studio.listing_status not null default 'active',
  notes text check (char_length(notes) <= 10000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (id, user_id),
  -- The seed's contact_id references crm_contacts(id); the pair also keeps it the agent's own.
  constraint crm_listings_contact_fkey foreign key (contact_id, user_id)
    references studio.crm_contacts (id, user_id) on delete set null (contact_id)
);

comment on table studio.crm_listings is 'Properties an agent lists, optionally linked to one of their contacts (seed 002).';

create index idx_crm_listings_user_id on studio.crm_listings (user_id, created_at desc);
create index idx_crm_listings_status on studio.crm_listings (status);
create index idx_crm_listings_contact_id on studio.crm_listings (contact_id, user_id);

-- ------------------------------------------------------------------ projects and AI jobs
create table studio.projects (
  id uuid primary key default extensions.gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  account_id uuid not null references public.accounts (id) on delete cascade,
  name text not null check (char_length(name) between 1 and 200),
  type studio.project_type not null,
  status studio.job_status not null default 'pending',
  credit_cost integer not null default 0 check (credit_cost >= 0),
  input_data jsonb not null default '{}'::jsonb check (jsonb_typeof(input_data) = 'object'),
  output_data jsonb not null default '{}'::jsonb check (jsonb_typeof(output_data) = 'object'),
  error_message text,
  template_id uuid references studio.templates (id) on delete set null,
  listing_id uuid,
  contact_id uuid,
  idempotency_key text check (char_length(idempotency_key) between 1 and 200),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  completed_at timestamptz,
  unique (user_id, idempotency_key),
  constraint projects_listing_fkey foreign key (listing_id, user_id)
    references studio.crm_listings (id, user_id) on delete set null (listing_id),
  constraint projects_contact_fkey foreign key (contact_id, user_id)
    references studio.crm_contacts (id, user_id) on delete set null (contact_id),
  constraint projects_completed_when_finished check ((completed_at is not null) = (status in ('completed', 'failed')))
);

comment on table studio.projects is 'An AI generation an agent started (seed 002): priced, paid with reserved credits, settled by the worker.';
comment on column studio.projects.credit_cost is 'Credits quoted when started; once settled, the credits actually spent (failed jobs are refunded).';
comment on column studio.projects.idempotency_key is 'The client''s key: the same key from the same user returns the same project and charges once.';

create index idx_projects_user_id on studio.projects (user_id, created_at desc);
create index idx_projects_status on studio.projects (status) where status in ('pending', 'processing');
create index idx_projects_type on studio.projects (type);
create index idx_projects_created_at on studio.projects (created_at desc);
create index projects_account_id_idx on studio.projects (account_id, created_at desc);
create index projects_template_id_idx on studio.projects (template_id);
create index projects_listing_id_idx on studio.projects (listing_id, user_id);
create index projects_contact_id_idx on studio.projects (contact_id, user_id);

create table studio.ai_jobs (
  id uuid primary key default extensions.gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  account_id uuid not null references public.accounts (id) on delete cascade,
  project_id uuid references studio.projects (id) on delete set null,
  service studio.ai_service not null,
  model text not null,
  input jsonb not null default '{}'::jsonb check (jsonb_typeof(input) = 'object'),
  -- The seed's default 'queued' is not a job_status value; queued work is 'pending'.
  status studio.job_status not null default 'pending',
  output_url text,
  output jsonb not null default '{}'::jsonb check (jsonb_typeof(output) = 'object'),
  error_message text,
  credit_cost integer not null default 0 check (credit_cost >= 0),
  api_cost numeric(10, 4) check (api_cost >= 0),
  latency_ms integer check (latency_ms >= 0),
  attempts integer not null default 0 check (attempts >= 0),
  reservation_id uuid references public.credit_reservations (id) on delete set null,
  queue_job_id bigint unique references public.jobs (id) on delete set null,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  completed_at timestamptz
);

comment on table studio.ai_jobs is 'One AI provider call (seed 002): its status mirrors its public.jobs row; output, latency and provider cost recorded by the worker.';
comment on column studio.ai_jobs.credit_cost is 'Credits charged: the price while held or captured, 0 once refunded.';
comment on column studio.ai_jobs.output is 'What the provider returned: mode (live or local), provider, mime type, size, dimensions.';

create index idx_ai_jobs_user_id on studio.ai_jobs (user_id, created_at desc);
create index idx_ai_jobs_service on studio.ai_jobs (service);
create index idx_ai_jobs_status on studio.ai_jobs (status) where status in ('pending', 'processing');
create index idx_ai_jobs_created_at on studio.ai_jobs (created_at desc);
create index ai_jobs_project_id_idx on studio.ai_jobs (project_id);
create index ai_jobs_account_id_idx on studio.ai_jobs (account_id, created_at desc);
create index ai_jobs_reservation_id_idx on studio.ai_jobs (reservation_id);

-- ------------------------------------------------------------------ media library
create table studio.media_items (
  id uuid primary key default extensions.gen_random_uuid(),
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  account_id uuid references public.accounts (id) on delete cascade,
  listing_id uuid,
  contact_id uuid,
  project_id uuid references studio.projects (id) on delete set null,
  ai_job_id uuid unique references studio.ai_jobs (id) on delete set null,
  type studio.media_type not null,
  title text check (char_length(title) <= 300),
  description text check (char_length(description) <= 5000),
  url text not null check (char_length(url) between 1 and 2000),
  thumbnail_url text check (char_length(thumbnail_url) <= 2000),
  storage_path text check (char_length(storage_path) <= 1000),
  mime_type text check (char_length(mime_type) <= 100),
  file_size integer check (file_size >= 0),
  credits_used integer not null default 0 check (credits_used >= 0),
  tags text[] not null default '{}' check (cardinality(tags) <= 50),
  is_favorite boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint media_items_listing_fkey foreign key (listing_id, user_id)
    references studio.crm_listings (id, user_id) on delete set null (listing_id),
  constraint media_items_contact_fkey foreign key (contact_id, user_id)
    references studio.crm_contacts (id, user_id) on delete set null (contact_id)
);

comment on table studio.media_items is 'An agent''s media library (seed 002): generated outputs (one per AI job) and their own uploads.';
comment on column studio.media_items.storage_path is 'Object name in the studio-media Storage bucket, when the file is ours.';

create index idx_media_items_user_id on studio.media_items (user_id, created_at desc);
create index idx_media_items_listing_id on studio.media_items (listing_id, user_id);
create index idx_media_items_type on studio.media_items (type);
create index idx_media_items_project_id on studio.media_items (project_id);
create index media_items_contact_id_idx on studio.media_items (contact_id, user_id);
create index media_items_account_id_idx on studio.media_items (account_id);
create index media_items_favorites_idx on studio.media_items (user_id, created_at desc) where is_favorite;
create index media_items_tags_idx on studio.media_items using gin (tags);

-- ------------------------------------------------------------------ triggers
create trigger job_prices_set_updated_at before update on studio.job_prices
  for each row execute function private.set_updated_at();
create trigger templates_set_updated_at before update on studio.templates
  for each row execute function private.set_updated_at();
create trigger crm_contacts_set_updated_at before update on studio.crm_contacts
  for each row execute function private.set_updated_at();
create trigger crm_listings_set_updated_at before update on studio.crm_listings
  for each row execute function private.set_updated_at();
create trigger projects_set_updated_at before update on studio.projects
  for each row execute function private.set_updated_at();
create trigger media_items_set_updated_at before update on studio.media_items
  for each row execute function private.set_updated_at();

-- usage_count is the database's: one more each time a project uses the template.
create or replace function private.studio_count_template_use()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update studio.templates t set usage_count = t.usage_count + 1 where t.id = new.template_id;
  return null;
end;
$$;

create trigger projects_count_template_use
  after insert on studio.projects
  for each row when (new.template_id is not null)
  execute function private.studio_count_template_use();

-- Admin changes are audit-logged (seed admin_audit_log); price changes always are.
create trigger job_prices_audit after insert or update or delete on studio.job_prices
  for each row execute function private.audit_row_change();
create trigger templates_audit_admin after insert or update or delete on studio.templates
  for each row when (private.is_platform_admin()) execute function private.audit_row_change();
create trigger crm_contacts_audit_admin after insert or update or delete on studio.crm_contacts
  for each row when (private.is_platform_admin()) execute function private.audit_row_change();
create trigger crm_listings_audit_admin after insert or update or delete on studio.crm_listings
  for each row when (private.is_platform_admin()) execute function private.audit_row_change();
create trigger projects_audit_admin after insert or update or delete on studio.projects
  for each row when (private.is_platform_admin()) execute function private.audit_row_change();
create trigger ai_jobs_audit_admin after insert or update or delete on studio.ai_jobs
  for each row when (private.is_platform_admin()) execute function private.audit_row_change();
create trigger media_items_audit_admin after insert or update or delete on studio.media_items
  for each row when (private.is_platform_admin()) execute function private.audit_row_change();

-- ------------------------------------------------------------------ privileges
alter table studio.job_prices enable row level security;
alter table studio.templates enable row level security;
alter table studio.crm_contacts enable row level security;
alter table studio.crm_listings enable row level security;
alter table studio.projects enable row level security;
alter table studio.ai_jobs enable row level security;
alter table studio.media_items enable row level security;

revoke all on studio.job_prices, studio.templates, studio.crm_contacts, studio.crm_listings,
  studio.projects, studio.ai_jobs, studio.media_items from anon, authenticated, service_role;

grant select, insert, update, delete on studio.job_prices, studio.templates, studio.crm_contacts,
  studio.crm_listings, studio.projects, studio.ai_jobs, studio.media_items to service_role;

grant select on studio.job_prices, studio.templates, studio.crm_contacts, studio.crm_listings,
  studio.projects, studio.ai_jobs, studio.media_items to authenticated;

grant insert (name, type, description, thumbnail_url, output_url, prompt_template, settings, is_public),
  update (name, type, description, thumbnail_url, output_url, prompt_template, settings, is_public),
  delete on studio.templates to authenticated;
grant insert (name, email, phone, type, status, notes, tags, last_contacted_at),
  update (name, email, phone, type, status, notes, tags, last_contacted_at),
  delete on studio.crm_contacts to authenticated;
grant insert (contact_id, address, city, state, zip_code, price, bedrooms, bathrooms, sqft, status, notes),
  update (contact_id, address, city, state, zip_code, price, bedrooms, bathrooms, sqft, status, notes),
  delete on studio.crm_listings to authenticated;
grant update (name, listing_id, contact_id), delete on studio.projects to authenticated;
grant insert (listing_id, contact_id, type, title, description, url, thumbnail_url, file_size, tags, is_favorite),
  update (listing_id, contact_id, title, description, tags, is_favorite),
  delete on studio.media_items to authenticated;

-- ------------------------------------------------------------------ policies
create policy "job_prices: signed-in users read active prices"
  on studio.job_prices for select to authenticated
  using (active or (select private.is_platform_admin()));

create policy "templates: own, public and admins read"
  on studio.templates for select to authenticated
  using (user_id = (select auth.uid()) or is_public or (select private.is_platform_admin()));
create policy "templates: agents create their own"
  on studio.templates for insert to authenticated
  with check (user_id = (select auth.uid()));
create policy "templates: owner or admin updates"
  on studio.templates for update to authenticated
  using (user_id = (select auth.uid()) or (select private.is_platform_admin()))
  with check (user_id = (select auth.uid()) or (select private.is_platform_admin()));
create policy "templates: owner or admin deletes"
  on studio.templates for delete to authenticated
  using (user_id = (select auth.uid()) or (select private.is_platform_admin()));

create policy "crm_contacts: owner and admins read"
  on studio.crm_contacts for select to authenticated
  using (user_id = (select auth.uid()) or (select private.is_platform_admin()));
create policy "crm_contacts: agents create their own"
  on studio.crm_contacts for insert to authenticated
  with check (user_id = (select auth.uid()));
create policy "crm_contacts: owner updates"
  on studio.crm_contacts for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
create policy "crm_contacts: owner deletes"
  on studio.crm_contacts for delete to authenticated
  using (user_id = (select auth.uid()));

create policy "crm_listings: owner and admins read"
  on studio.crm_listings for select to authenticated
  using (user_id = (select auth.uid()) or (select private.is_platform_admin()));
create policy "crm_listings: agents create their own"
  on studio.crm_listings for insert to authenticated
  with check (user_id = (select auth.uid()));
create policy "crm_listings: owner updates"
  on studio.crm_listings for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
create policy "crm_listings: owner deletes"
  on studio.crm_listings for delete to authenticated
  using (user_id = (select auth.uid()));

create policy "projects: owner, paying account members and admins read"
  on studio.projects for select to authenticated
  using (user_id = (select auth.uid()) or account_id in (select private.my_account_ids())
         or (select private.is_platform_admin()));
create policy "projects: owner renames and links"
  on studio.projects for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
create policy "projects: owner deletes finished projects"
  on studio.projects for delete to authenticated
  using (user_id = (select auth.uid()) and status in ('completed', 'failed'));

create policy "ai_jobs: owner, paying account members and admins read"
  on studio.ai_jobs for select to authenticated
  using (user_id = (select auth.uid()) or account_id in (select private.my_account_ids())
         or (select private.is_platform_admin()));

create policy "media_items: owner, paying account members and admins read"
  on studio.media_items for select to authenticated
  using (user_id = (select auth.uid()) or account_id in (select private.my_account_ids())
         or (select private.is_platform_admin()));
create policy "media_items: agents add their own"
  on studio.media_items for insert to authenticated
  with check (user_id = (select auth.uid()));
create policy "media_items: owner updates"
  on studio.media_items for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
create policy "media_items: owner or admin deletes"
  on studio.media_items for delete to authenticated
  using (user_id = (select auth.uid()) or (select private.is_platform_admin()));

-- ------------------------------------------------------------------ the seed's users
-- The seed's `users` row, assembled from where its fields live: profiles
-- (name, brokerage, market, use_case, avatar, phone), platform_admins
-- (role), the credit ledger (credits available in the personal account) and
-- the live Studio subscription (tier). Runs with the caller's rights, so
-- each part shows only what its own policies allow.
create view studio.users with (security_invoker = true) as
select
  p.id,
  p.email,
  p.full_name,
  p.brokerage,
  p.market,
  p.use_case::studio.use_case as use_case,
  (case when exists (select 1 from public.platform_admins a where a.user_id = p.id)
        then 'admin' else 'agent' end)::studio.user_role as role,
  coalesce((select b.balance - b.held from public.credit_balances b
            where b.account_id = p.id and b.pool = 'credits'), 0) as credits,
  coalesce((select pl.tier from public.subscriptions s join public.plans pl on pl.id = s.plan_id
            where s.account_id = p.id and s.product = 'studio'
              and s.status in ('trialing', 'active', 'past_due', 'paused')
            order by s.created_at desc limit 1), 'free')::studio.subscription_tier as subscription_tier,
  p.avatar_url,
  p.phone,
  p.created_at,
  p.updated_at
from public.profiles p;

comment on view studio.users is 'Seed 002 users over the shared platform: profile fields, role from platform_admins, credits from the ledger (personal account), tier from the live Studio subscription.';

revoke all on studio.users from anon, authenticated, service_role;
grant select on studio.users to authenticated, service_role;

revoke execute on all functions in schema private from public;
