-- Platform: private.is_time_zone(text) without reading the zone files on
-- every call (found by `npm run bench -- reports`, section schedules).
--
-- pg_catalog.pg_timezone_names reads and parses every file of the time zone
-- database each time it is scanned (tens of milliseconds), and
-- private.is_time_zone scanned it on every call: once per row in the
-- schedules trigger's private.reports_next_run_at, so recomputing 100,000
-- schedules took hours. Adds private.time_zone_names() -> text[] (sorted),
-- declared immutable so the planner folds it into a constant where a plan is
-- made: a session reads the zone files once per calling statement's cached
-- plan instead of once per call. is_time_zone keeps its signature, language
-- and answers (the same names, the same 64-character cap).
--
-- Who may do what: both are helpers for definer code and triggers;
-- service_role executes them, nobody else.
--
-- Invariants: is_time_zone(x) is exactly `x in (select name from
-- pg_timezone_names)` (pgTAP 897 compares every name and some that are not);
-- the list changes only with the server's time zone data, which a restart
-- picks up (immutable is a promise about a session, not about upgrades).

create or replace function private.time_zone_names()
returns text[]
language sql
immutable
parallel safe
set search_path = ''
as $$
  select coalesce(array_agg(name order by name), '{}') from pg_catalog.pg_timezone_names;
$$;

revoke execute on function private.time_zone_names() from public, anon, authenticated;
grant execute on function private.time_zone_names() to service_role;

create or replace function private.is_time_zone(p_name text)
returns boolean
language plpgsql
stable
set search_path = ''
as $$
begin
  -- plpgsql keeps this expression's plan for the session, and with it the folded list.
  return p_name is not null
    and char_length(p_name) <= 64
    and p_name = any (private.time_zone_names());
end;
$$;

revoke execute on function private.is_time_zone(text) from public, anon, authenticated;
grant execute on function private.is_time_zone(text) to service_role;
