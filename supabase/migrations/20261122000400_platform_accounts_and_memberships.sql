-- Adds tenancy: public.accounts (personal and team accounts; seed 004
-- accounts, seed 003 organizations, sponsors/affiliates) and
-- public.account_memberships (seed 004 account_users) with roles owner,
-- admin, member, affiliate. Also the membership helpers every policy in
-- every product calls, the sign-up trigger that creates a user's profile and
-- personal account (whose id is the user's id), and the account RPCs.

create type public.account_type as enum ('personal', 'team', 'affiliate');
create type public.account_role as enum ('owner', 'admin', 'member', 'affiliate');

create table public.accounts (
  id uuid primary key default extensions.gen_random_uuid(),
  name text not null check (char_length(btrim(name)) between 1 and 200),
  slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  account_type public.account_type not null default 'team',
  primary_owner_user_id uuid not null references public.profiles (id) on delete restrict,
  sponsor_account_id uuid references public.accounts (id) on delete set null,
  branding jsonb not null default '{}'::jsonb check (jsonb_typeof(branding) = 'object'),
  billing_status text not null default 'none'
    check (billing_status in ('none', 'trialing', 'active', 'past_due', 'paused', 'canceled', 'expired')),
  monthly_report_limit_override integer check (monthly_report_limit_override >= 0),
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint accounts_personal_id_is_owner check (account_type <> 'personal' or id = primary_owner_user_id),
  constraint accounts_not_own_sponsor check (sponsor_account_id is distinct from id)
);

comment on table public.accounts is 'Tenants: a personal account per user (id = user id) and team/affiliate accounts.';
comment on column public.accounts.sponsor_account_id is 'Affiliate account that sponsors this one (seed 004); its members can see this account.';
comment on column public.accounts.billing_status is 'Maintained by billing from the account''s subscription; not writable through the API.';

create index accounts_primary_owner_user_id_idx on public.accounts (primary_owner_user_id);
create unique index accounts_one_personal_per_user on public.accounts (primary_owner_user_id) where account_type = 'personal';
create index accounts_sponsor_account_id_idx on public.accounts (sponsor_account_id);

create trigger accounts_set_updated_at
  before update on public.accounts
  for each row execute function private.set_updated_at();

create table public.account_memberships (
  account_id uuid not null references public.accounts (id) on delete cascade,
  user_id uuid not null references public.profiles (id) on delete cascade,
  role public.account_role not null default 'member',
  invited_by uuid references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (account_id, user_id)
);

comment on table public.account_memberships is 'Who belongs to which account, with which role (seed 004 account_users).';

create index account_memberships_user_id_idx on public.account_memberships (user_id);
create index account_memberships_invited_by_idx on public.account_memberships (invited_by);

create trigger account_memberships_set_updated_at
  before update on public.account_memberships
  for each row execute function private.set_updated_at();

-- ------------------------------------------------------------- helpers
-- security definer so policies on memberships can read memberships without
-- recursing into their own RLS; all read only auth.uid()'s rows.

create or replace function private.my_account_ids()
returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select m.account_id from public.account_memberships m where m.user_id = (select auth.uid());
$$;

create or replace function private.my_admin_account_ids()
returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select m.account_id from public.account_memberships m
  where m.user_id = (select auth.uid()) and m.role in ('owner', 'admin');
$$;

create or replace function private.my_owner_account_ids()
returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select m.account_id from public.account_memberships m
  where m.user_id = (select auth.uid()) and m.role = 'owner';
$$;

create or replace function private.my_teammate_ids()
returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select distinct other.user_id
  from public.account_memberships mine
  join public.account_memberships other on other.account_id = mine.account_id
  where mine.user_id = (select auth.uid());
$$;

-- Any user's role: for definer code only (not granted to API roles).
create or replace function private.member_role(p_account_id uuid, p_user_id uuid)
returns public.account_role
language sql stable security definer
set search_path = ''
as $$
  select m.role from public.account_memberships m
  where m.account_id = p_account_id and m.user_id = p_user_id;
$$;

-- The caller's role in an account, or null.
create or replace function private.account_role_of(p_account_id uuid)
returns public.account_role
language sql stable security definer
set search_path = ''
as $$
  select private.member_role(p_account_id, (select auth.uid()));
$$;

create or replace function private.is_account_member(p_account_id uuid)
returns boolean
language sql stable security definer
set search_path = ''
as $$
  select private.account_role_of(p_account_id) is not null;
$$;

create or replace function private.is_account_admin(p_account_id uuid)
returns boolean
language sql stable security definer
set search_path = ''
as $$
  select coalesce(private.account_role_of(p_account_id) in ('owner', 'admin'), false);
$$;

create or replace function private.is_account_owner(p_account_id uuid)
returns boolean
language sql stable security definer
set search_path = ''
as $$
  select coalesce(private.account_role_of(p_account_id) = 'owner', false);
$$;

grant execute on function
  private.my_account_ids(), private.my_admin_account_ids(), private.my_owner_account_ids(),
  private.my_teammate_ids(), private.account_role_of(uuid), private.is_account_member(uuid),
  private.is_account_admin(uuid), private.is_account_owner(uuid)
to authenticated, service_role;

-- Turns a display name into a slug that is free, adding a short suffix when taken.
create or replace function private.unique_account_slug(p_name text)
returns text
language plpgsql volatile
set search_path = ''
as $$
declare
  base text := trim(both '-' from regexp_replace(lower(coalesce(p_name, '')), '[^a-z0-9]+', '-', 'g'));
  candidate text;
begin
  if char_length(base) < 2 then base := 'account'; end if;
  base := left(base, 50);
  candidate := base;
  while exists (select 1 from public.accounts a where a.slug = candidate) loop
    candidate := base || '-' || substr(md5(extensions.gen_random_uuid()::text), 1, 6);
  end loop;
  return candidate;
end;
$$;

-- ------------------------------------------------------------- guards

-- Roles are the one field members may write; these rules keep that safe:
-- only owners grant or take away 'owner', and the primary owner's membership
-- is neither demoted nor removed (transfer ownership first).
create or replace function private.guard_membership_change()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_account public.accounts;
begin
  -- Privileged paths (service_role, security definer RPCs, cascades) skip the API rules.
  if current_user not in ('authenticated', 'anon') then
    return coalesce(new, old);
  end if;

  select * into v_account from public.accounts a where a.id = old.account_id;
  if not found then
    return coalesce(new, old); -- the account itself is being deleted
  end if;

  if old.user_id = v_account.primary_owner_user_id
     and (tg_op = 'DELETE' or new.role <> 'owner') then
    raise exception 'the primary owner''s membership cannot be changed; transfer ownership first'
      using errcode = '42501';
  end if;

  if tg_op = 'DELETE' and old.role = 'owner'
     and old.user_id is distinct from (select auth.uid())
     and not private.is_account_owner(old.account_id) then
    raise exception 'only an owner can remove another owner' using errcode = '42501';
  end if;

  if tg_op = 'UPDATE' then
    if new.account_id <> old.account_id or new.user_id <> old.user_id then
      raise exception 'account_id and user_id of a membership cannot change' using errcode = '42501';
    end if;
    if (new.role = 'owner' or old.role = 'owner') and new.role is distinct from old.role
       and not private.is_account_owner(old.account_id) then
      raise exception 'only an owner can grant or revoke the owner role' using errcode = '42501';
    end if;
  end if;

  return coalesce(new, old);
end;
$$;

create trigger account_memberships_guard
  before update or delete on public.account_memberships
  for each row execute function private.guard_membership_change();

-- Personal accounts belong to exactly one person and live as long as they do.
create or replace function private.guard_personal_account_delete()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if old.account_type = 'personal'
     and current_user in ('authenticated', 'anon')
  then
    raise exception 'a personal account cannot be deleted' using errcode = '42501';
  end if;
  return old;
end;
$$;

create trigger accounts_guard_personal_delete
  before delete on public.accounts
  for each row execute function private.guard_personal_account_delete();

-- When a profile goes (its auth user was deleted), its personal account goes too.
create or replace function private.delete_personal_account()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from public.accounts a where a.id = old.id and a.account_type = 'personal';
  return old;
end;
$$;

create trigger profiles_delete_personal_account
  before delete on public.profiles
  for each row execute function private.delete_personal_account();

-- ------------------------------------------------------------- sign-up

create or replace function private.handle_new_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  meta jsonb := coalesce(new.raw_user_meta_data, '{}'::jsonb);
  v_full_name text := nullif(btrim(coalesce(meta ->> 'full_name', meta ->> 'name', '')), '');
begin
  insert into public.profiles (id, email, full_name, first_name, last_name, avatar_url)
  values (
    new.id,
    coalesce(new.email, ''),
    v_full_name,
    nullif(meta ->> 'first_name', ''),
    nullif(meta ->> 'last_name', ''),
    nullif(coalesce(meta ->> 'avatar_url', meta ->> 'picture'), '')
  );

  insert into public.accounts (id, name, slug, account_type, primary_owner_user_id)
  values (
    new.id,
    coalesce(v_full_name, split_part(coalesce(new.email, 'me'), '@', 1)),
    'u-' || replace(new.id::text, '-', ''),
    'personal',
    new.id
  );

  insert into public.account_memberships (account_id, user_id, role)
  values (new.id, new.id, 'owner');

  return new;
end;
$$;

create trigger on_auth_user_created
  after insert on auth.users
  for each row execute function private.handle_new_user();

create or replace function private.sync_profile_email()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.profiles p set email = coalesce(new.email, '') where p.id = new.id;
  return new;
end;
$$;

create trigger on_auth_user_email_changed
  after update of email on auth.users
  for each row when (old.email is distinct from new.email)
  execute function private.sync_profile_email();

-- ------------------------------------------------------------- privileges & policies

alter table public.accounts enable row level security;
alter table public.account_memberships enable row level security;

revoke all on public.accounts, public.account_memberships from anon, authenticated;
grant select, delete on public.accounts to authenticated;
grant update (name, slug, branding) on public.accounts to authenticated;
grant select, delete on public.account_memberships to authenticated;
grant update (role) on public.account_memberships to authenticated;
grant all on public.accounts, public.account_memberships to service_role;

create policy "accounts: members, sponsors and admins read"
  on public.accounts for select to authenticated
  using (
    id in (select private.my_account_ids())
    or sponsor_account_id in (select private.my_account_ids())
    or (select private.is_platform_admin())
  );

create policy "accounts: account admins update"
  on public.accounts for update to authenticated
  using (id in (select private.my_admin_account_ids()))
  with check (id in (select private.my_admin_account_ids()));

create policy "accounts: owners delete team accounts"
  on public.accounts for delete to authenticated
  using (id in (select private.my_owner_account_ids()));

create policy "account_memberships: members read their accounts' members"
  on public.account_memberships for select to authenticated
  using (
    account_id in (select private.my_account_ids())
    or (select private.is_platform_admin())
  );

create policy "account_memberships: account admins change roles"
  on public.account_memberships for update to authenticated
  using (account_id in (select private.my_admin_account_ids()))
  with check (account_id in (select private.my_admin_account_ids()));

create policy "account_memberships: admins remove members, members leave"
  on public.account_memberships for delete to authenticated
  using (
    user_id = (select auth.uid())
    or account_id in (select private.my_admin_account_ids())
  );

create policy "profiles: self, teammates and admins read"
  on public.profiles for select to authenticated
  using (
    id = (select auth.uid())
    or id in (select private.my_teammate_ids())
    or (select private.is_platform_admin())
  );

-- ------------------------------------------------------------- RPCs

create or replace function public.create_team_account(name text, slug text default null)
returns public.accounts
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_user uuid := (select auth.uid());
  v_account public.accounts;
begin
  if v_user is null then
    raise exception 'sign in to create an account' using errcode = '42501';
  end if;
  if name is null or char_length(btrim(name)) = 0 or char_length(name) > 200 then
    raise exception 'name: must be 1 to 200 characters' using errcode = '22023';
  end if;
  if slug is not null and slug !~ '^[a-z0-9][a-z0-9-]{1,62}$' then
    raise exception 'slug: use 2 to 63 lowercase letters, digits and hyphens' using errcode = '22023';
  end if;
  if slug is not null and exists (select 1 from public.accounts a where a.slug = create_team_account.slug) then
    raise exception 'slug: "%" is already taken', slug using errcode = '23505';
  end if;

  insert into public.accounts (name, slug, account_type, primary_owner_user_id)
  values (btrim(name), coalesce(slug, private.unique_account_slug(name)), 'team', v_user)
  returning * into v_account;

  insert into public.account_memberships (account_id, user_id, role)
  values (v_account.id, v_user, 'owner');

  return v_account;
end;
$$;

comment on function public.create_team_account(text, text) is 'Creates a team account owned by the caller, who becomes its owner member.';

create or replace function public.transfer_account_ownership(account_id uuid, new_owner_id uuid)
returns public.accounts
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_user uuid := (select auth.uid());
  v_account public.accounts;
begin
  select * into v_account from public.accounts a where a.id = transfer_account_ownership.account_id for update;
  if not found or v_account.primary_owner_user_id is distinct from v_user then
    raise exception 'only the primary owner can transfer an account' using errcode = '42501';
  end if;
  if v_account.account_type = 'personal' then
    raise exception 'account_id: a personal account cannot be transferred' using errcode = '22023';
  end if;
  if private.member_role(v_account.id, new_owner_id) is null then
    raise exception 'new_owner_id: must already be a member of the account' using errcode = '22023';
  end if;

  update public.account_memberships m set role = 'owner'
  where m.account_id = v_account.id and m.user_id = new_owner_id;

  update public.accounts a set primary_owner_user_id = new_owner_id
  where a.id = v_account.id
  returning * into v_account;

  return v_account;
end;
$$;

comment on function public.transfer_account_ownership(uuid, uuid) is 'Makes another member the primary owner; the previous owner stays an owner member.';

revoke execute on function public.create_team_account(text, text), public.transfer_account_ownership(uuid, uuid) from public, anon;
grant execute on function public.create_team_account(text, text), public.transfer_account_ownership(uuid, uuid) to authenticated, service_role;

revoke execute on all functions in schema private from public;
