-- Adds public.platform_admins (seed 004 users.is_platform_admin, seed 002
-- user_role 'admin', seed 000 role 'admin') and private.is_platform_admin(),
-- the helper every admin policy calls. Admins are granted and revoked only by
-- service_role (an operator), never through the API.

create table public.platform_admins (
  user_id uuid primary key references public.profiles (id) on delete cascade,
  granted_by uuid references public.profiles (id) on delete set null,
  note text check (char_length(note) <= 500),
  created_at timestamptz not null default now()
);

comment on table public.platform_admins is 'Platform (super) admins across all products; written by service_role only.';

create index platform_admins_granted_by_idx on public.platform_admins (granted_by);

alter table public.platform_admins enable row level security;

revoke all on public.platform_admins from anon, authenticated;
grant select on public.platform_admins to authenticated;
grant all on public.platform_admins to service_role;

create or replace function private.is_platform_admin()
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.platform_admins pa where pa.user_id = (select auth.uid())
  );
$$;

grant execute on function private.is_platform_admin() to anon, authenticated, service_role;

create policy "platform_admins: self or admins read"
  on public.platform_admins for select to authenticated
  using (user_id = (select auth.uid()) or (select private.is_platform_admin()));

revoke execute on all functions in schema private from public;
