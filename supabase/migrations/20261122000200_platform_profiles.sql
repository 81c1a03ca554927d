-- Adds public.profiles: one row per auth user, the union of the five seeds'
-- person fields that Supabase Auth does not already own (see
-- docs/seed-users-mapping.md). Credentials, email verification, password
-- reset and OAuth identities stay in auth.*.
--
-- Rows are created by the sign-up trigger in the accounts migration. Users
-- edit only their own descriptive fields: column privileges make id, email,
-- account_status and agent_code unwritable by the API roles (42501).

create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  email text not null,
  username text unique check (username ~ '^[a-z0-9_][a-z0-9_.-]{2,39}$'),
  full_name text check (char_length(full_name) <= 200),
  first_name text check (char_length(first_name) <= 100),
  last_name text check (char_length(last_name) <= 100),
  avatar_url text check (char_length(avatar_url) <= 2000),
  bio text check (char_length(bio) <= 5000),
  phone text check (phone ~ '^\+?[0-9 ()-]{5,20}$'),
  account_status text not null default 'active'
    check (account_status in ('active', 'suspended', 'deleted')),
  marketplace_role text not null default 'dual'
    check (marketplace_role in ('buyer', 'seller', 'dual')),
  theme text not null default 'light' check (theme in ('light', 'dark')),
  language text not null default 'en' check (language ~ '^[a-z]{2}(-[A-Z]{2})?$'),
  notification_preferences jsonb not null default '{}'::jsonb
    check (jsonb_typeof(notification_preferences) = 'object'),
  brokerage text check (char_length(brokerage) <= 200),
  market text check (char_length(market) <= 200),
  use_case text not null default 'all' check (use_case in ('photos', 'video', 'templates', 'all')),
  agent_code text not null unique default upper(substr(replace(extensions.gen_random_uuid()::text, '-', ''), 1, 8)),
  license_number text check (char_length(license_number) <= 100),
  landing_page_headline text check (char_length(landing_page_headline) <= 200),
  landing_page_subheadline text check (char_length(landing_page_subheadline) <= 500),
  landing_page_cta text check (char_length(landing_page_cta) <= 100),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz
);

comment on table public.profiles is 'Person fields of every product (seeds 000-004 users), keyed by auth.users.id.';

create index profiles_email_idx on public.profiles (lower(email));
create index profiles_account_status_idx on public.profiles (account_status) where account_status <> 'active';

create trigger profiles_set_updated_at
  before update on public.profiles
  for each row execute function private.set_updated_at();

alter table public.profiles enable row level security;

revoke all on public.profiles from anon, authenticated;
grant select on public.profiles to authenticated;
grant update (
  username, full_name, first_name, last_name, avatar_url, bio, phone,
  marketplace_role, theme, language, notification_preferences, brokerage,
  market, use_case, license_number, landing_page_headline,
  landing_page_subheadline, landing_page_cta
) on public.profiles to authenticated;
grant all on public.profiles to service_role;

-- Users edit only their own profile. Who may *see* a profile depends on
-- shared accounts, so the select policy lives in the accounts migration.
create policy "profiles: owner updates own"
  on public.profiles for update to authenticated
  using (id = (select auth.uid()))
  with check (id = (select auth.uid()));
