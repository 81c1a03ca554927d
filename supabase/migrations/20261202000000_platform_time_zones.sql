-- Time zones for people and accounts.
--
-- Adds public.profiles.time_zone and public.accounts.time_zone (IANA names,
-- default 'UTC') and private.is_time_zone(text), which products use to
-- validate any other time zone they store (QuickSell's posting streaks run in
-- the user's zone, Reports' schedules default to the account's).
--
-- Who may do what:
--   * a user sets the time zone of their own profile (the existing column
--     grant for descriptive fields, plus time_zone);
--   * account owners and admins set their account's (the existing update
--     policy on accounts, plus a column grant on time_zone).
-- Invariant: a stored time zone is one PostgreSQL knows (pg_timezone_names),
-- so every `at time zone` on it succeeds; a bad name is 22023 naming the field.

create or replace function private.is_time_zone(p_name text)
returns boolean
language sql
stable
set search_path = ''
as $$
  select p_name is not null
    and char_length(p_name) <= 64
    and exists (select 1 from pg_catalog.pg_timezone_names where name = p_name);
$$;
revoke execute on function private.is_time_zone(text) from public, anon, authenticated;
grant execute on function private.is_time_zone(text) to service_role;

alter table public.profiles add column time_zone text not null default 'UTC';
alter table public.accounts add column time_zone text not null default 'UTC';

-- A trigger rather than a CHECK: the list of zones lives in a catalogue view,
-- and the message must name the field.
create or replace function private.check_time_zone()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if not private.is_time_zone(new.time_zone) then
    raise exception 'time_zone: unknown time zone "%"', left(new.time_zone, 64) using errcode = '22023';
  end if;
  return new;
end;
$$;
revoke execute on function private.check_time_zone() from public, anon, authenticated;

create trigger profiles_check_time_zone
  before insert or update of time_zone on public.profiles
  for each row execute function private.check_time_zone();
create trigger accounts_check_time_zone
  before insert or update of time_zone on public.accounts
  for each row execute function private.check_time_zone();

grant update (time_zone) on public.profiles to authenticated;
grant update (time_zone) on public.accounts to authenticated;
