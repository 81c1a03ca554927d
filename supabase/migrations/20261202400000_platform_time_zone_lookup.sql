-- Time zone names from a table, not from pg_timezone_names on every call.
--
-- private.is_time_zone() (20261202000000) scanned pg_catalog.pg_timezone_names,
-- a view that reads the whole tz database from disk: about 30 ms idle and
-- 0.3 s under load, on every sign-up (the profile and account triggers), every
-- schedule write and every next_run_at. This adds private.time_zone_names,
-- filled from that view once here and again by
-- private.refresh_time_zone_names() (run it after the server's tzdata is
-- upgraded), and re-creates is_time_zone() as a primary-key lookup.
--
-- Who may do what: nobody but the database reads or writes the table (RLS on,
-- no policies, no grants); service_role may run the refresh.
-- Invariants:
--   * the accepted names are exactly the IANA names PostgreSQL knows (the same
--     set as before: 'PST' or 'UTC+5' are still refused, 'Etc/GMT+5' accepted);
--   * a name is accepted only if `at time zone` on it works now, so a zone
--     that an upgrade removed is refused rather than failing later;
--   * a miss never falls back to the slow view, so bad input costs a lookup.

create table private.time_zone_names (
  name text primary key
);
alter table private.time_zone_names enable row level security;
revoke all on private.time_zone_names from public, anon, authenticated, service_role;

comment on table private.time_zone_names is
  'IANA time zone names PostgreSQL knows, copied from pg_timezone_names by private.refresh_time_zone_names(); read by private.is_time_zone().';

create or replace function private.refresh_time_zone_names()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  delete from private.time_zone_names t
   where not exists (select 1 from pg_catalog.pg_timezone_names z where z.name = t.name);
  insert into private.time_zone_names (name)
  select z.name from pg_catalog.pg_timezone_names z
  on conflict (name) do nothing;
  select count(*) into v_count from private.time_zone_names;
  return v_count;
end;
$$;
revoke execute on function private.refresh_time_zone_names() from public, anon, authenticated;
grant execute on function private.refresh_time_zone_names() to service_role;

select private.refresh_time_zone_names();

-- plpgsql for the exception handler: a name the table lists but the server no
-- longer knows answers false instead of an error.
create or replace function private.is_time_zone(p_name text)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if p_name is null or char_length(p_name) > 64 then
    return false;
  end if;
  if not exists (select 1 from private.time_zone_names where name = p_name) then
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
