-- Time zone names from a generated list, not from pg_timezone_names on every call.
--
-- private.is_time_zone() (20261202000000) scanned pg_catalog.pg_timezone_names,
-- a view that reads the whole tz database from disk: about 60 ms a call here,
-- 0.3 s under load, on every sign-up (the profile and account triggers), every
-- schedule write and every next_run_at. This adds
-- private.time_zone_name_list(), an immutable function whose body is the
-- sorted list of names copied from that view when
-- private.refresh_time_zone_names() runs (here, and again after the server's
-- tzdata is upgraded), and re-creates is_time_zone() on it. A function, not a
-- table: the private schema holds no tables (supabase/tests/001).
--
-- Who may do what: only the database and service_role (the refresh) call them.
-- Invariants:
--   * the accepted names are exactly the IANA names PostgreSQL knows (the same
--     set as before: 'PST' or 'UTC+5' are still refused, 'Etc/GMT+5' accepted);
--   * a name is accepted only if `at time zone` on it works now, so a zone
--     that an upgrade removed is refused rather than failing later;
--   * a miss never falls back to the slow view, so bad input costs a lookup.

create or replace function private.refresh_time_zone_names()
returns integer
language plpgsql
security definer
set search_path = ''
as $fn$
declare
  v_names text[] := array(select z.name from pg_catalog.pg_timezone_names z order by z.name);
begin
  execute format(
    'create or replace function private.time_zone_name_list() returns text[] language sql immutable '
    || 'set search_path = '''' as %L',
    format('select %L::text[]', v_names));
  revoke execute on function private.time_zone_name_list() from public, anon, authenticated;
  return cardinality(v_names);
end;
$fn$;
revoke execute on function private.refresh_time_zone_names() from public, anon, authenticated;
grant execute on function private.refresh_time_zone_names() to service_role;

select private.refresh_time_zone_names();

-- plpgsql for the exception handler: a name the list holds but the server no
-- longer knows answers false instead of an error.
create or replace function private.is_time_zone(p_name text)
returns boolean
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_name is null or char_length(p_name) > 64 or not (p_name = any (private.time_zone_name_list())) then
    return false;
  end if;
  perform pg_catalog.now() at time zone p_name;
  return true;
exception
  when invalid_parameter_value then
    return false;
end;
$$;
revoke execute on function private.is_time_zone(text) from public, anon, authenticated;
grant execute on function private.is_time_zone(text) to service_role;
