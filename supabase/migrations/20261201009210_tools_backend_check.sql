-- Tools marketplace (issue 10), audit: private.tools_is_backend()
-- (20261201007200, landed) counted a session whose JWT claims carry no
-- `role` as the backend (coalesce(auth.role(), 'service_role')), so an
-- `authenticated` session with claims {"sub": ...} passed every
-- "members or service_role" check (may_use_tool, record_tool_use,
-- cancel_purchase, refund_purchase, mark_invoice_paid) for any account.
--
-- Replaces it: the backend is a caller whose claims say service_role, or a
-- session with no role claim that is not acting as an API role (edge
-- functions and pg_cron connect as postgres without claims).
--
-- Who may do what: unchanged (private; every caller is a tools.* function).
-- Invariants: the anon and authenticated roles are never the backend,
-- whatever their claims say or omit.

create or replace function private.tools_is_backend()
returns boolean
language sql
stable
set search_path = ''
as $$
  select case
    when (select auth.role()) is not null then (select auth.role()) = 'service_role'
    else current_setting('role') not in ('anon', 'authenticated')
  end;
$$;
revoke execute on function private.tools_is_backend() from public, anon, authenticated;
