-- Redefines private.is_platform_admin() in plpgsql instead of sql, with the
-- same body.
--
-- Why: a `language sql` function that is security definer is never inlined,
-- and PostgreSQL 15 plans its body afresh on every call (see
-- 20261201009100_platform_membership_helpers_plpgsql.sql for the membership
-- helpers). Nearly every policy ends in `or (select private.is_platform_admin())`,
-- so every query that reaches that arm paid the planning: 0.23 ms a call
-- against 0.15 ms for this plpgsql body, measured statement by statement on
-- the local stack (client round trip included), whose plan is prepared once
-- per session.
--
-- Who may do what (unchanged): anon, authenticated and service_role execute
-- it (005-function-privileges.sql); it reads public.platform_admins past RLS.
-- Invariants (unchanged): true only when (select auth.uid()) is a row of
-- public.platform_admins; false for anon and without a user; stable,
-- security definer, empty search_path.

create or replace function private.is_platform_admin()
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return exists (select 1 from public.platform_admins pa where pa.user_id = (select auth.uid()));
end;
$$;
