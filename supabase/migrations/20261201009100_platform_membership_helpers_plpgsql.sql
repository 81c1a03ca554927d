-- Redefines the set-returning membership helpers that policies call
-- (private.my_account_ids, my_admin_account_ids, my_owner_account_ids,
-- my_teammate_ids) in plpgsql instead of sql, with the same bodies.
--
-- Why: a `language sql` function that is security definer is never inlined,
-- and PostgreSQL 15 plans the body of a non-inlined sql function afresh on
-- every call. Every RLS query runs `x in (select private.my_account_ids())`,
-- so every query paid that planning: "my account's purchases" under RLS
-- measured 1.22 x the table owner (npm run bench -- tools, goal <= 1.2).
-- plpgsql prepares the `return query` statement once per session and reuses
-- its plan (there are no parameters; auth.uid() is read when it runs).
--
-- Who may do what (unchanged): authenticated and service_role execute them;
-- public and anon do not (005-function-privileges.sql).
--
-- Invariants (unchanged): each reads only the rows of (select auth.uid()),
-- returns nothing for anon or without a user, is stable, security definer
-- (policies on account_memberships read memberships without recursing into
-- their own RLS) and runs with an empty search_path.

create or replace function private.my_account_ids()
returns setof uuid
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return query
    select m.account_id from public.account_memberships m where m.user_id = (select auth.uid());
end;
$$;

create or replace function private.my_admin_account_ids()
returns setof uuid
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return query
    select m.account_id from public.account_memberships m
    where m.user_id = (select auth.uid()) and m.role in ('owner', 'admin');
end;
$$;

create or replace function private.my_owner_account_ids()
returns setof uuid
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return query
    select m.account_id from public.account_memberships m
    where m.user_id = (select auth.uid()) and m.role = 'owner';
end;
$$;

create or replace function private.my_teammate_ids()
returns setof uuid
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return query
    select distinct other.user_id
    from public.account_memberships mine
    join public.account_memberships other on other.account_id = mine.account_id
    where mine.user_id = (select auth.uid());
end;
$$;

-- create or replace keeps the existing grants; restated so this file alone
-- says who may call them.
revoke execute on function
  private.my_account_ids(), private.my_admin_account_ids(), private.my_owner_account_ids(),
  private.my_teammate_ids()
from public, anon;
grant execute on function
  private.my_account_ids(), private.my_admin_account_ids(), private.my_owner_account_ids(),
  private.my_teammate_ids()
to authenticated, service_role;
