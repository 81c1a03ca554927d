-- Reports: the seed's code generators, generate_short_code() and
-- generate_agent_code(), kept in `private` (the API never calls them).
--   * private.generate_short_code(): the public code of a property report's
--     landing page, 8 characters of the unambiguous alphabet
--     ABCDEFGHJKMNPQRSTUVWXYZ23456789 (no 0/O/1/I/L: it is read off paper
--     and typed from a QR caption), retried on collision; filled by a BEFORE
--     INSERT trigger on reports.property_reports when none is given, and then
--     required (not null);
--   * private.generate_agent_code(): the code of an agent's consumer page, the
--     same alphabet and length, retried on collision; public.profiles
--     .agent_code loses its uuid-derived default and a BEFORE INSERT trigger
--     fills it when missing (existing codes and the unique constraint stay).
-- Both draw from private.reports_code_candidate(): 16 random bits from
-- gen_random_bytes per character (modulo 31, a bias below 1/2000), so codes
-- cannot be guessed from one another; after 10 colliding draws (at 31^8 codes, practically never) they
-- give up with 23505 rather than loop. A concurrent insert that drew the same
-- code in the same instant still meets the unique constraint (23505).
-- Who may do what: nobody calls these through the API; the triggers run them
-- as definer (they must see every row to know a code is free).

create or replace function private.reports_code_candidate()
returns text
language sql
volatile
set search_path = ''
as $$
  select string_agg(substr('ABCDEFGHJKMNPQRSTUVWXYZ23456789',
                           1 + ((get_byte(b.bytes, 2 * i) * 256 + get_byte(b.bytes, 2 * i + 1)) % 31), 1), '' order by i)
  from (select extensions.gen_random_bytes(16) as bytes) b, generate_series(0, 7) i;
$$;
revoke execute on function private.reports_code_candidate() from public, anon, authenticated;

create or replace function private.generate_short_code()
returns text
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_code text;
begin
  for attempt in 1..10 loop
    v_code := private.reports_code_candidate();
    if not exists (select 1 from reports.property_reports r where r.short_code = v_code) then
      return v_code;
    end if;
  end loop;
  raise exception 'short_code: no free code after 10 attempts' using errcode = '23505';
end;
$$;
revoke execute on function private.generate_short_code() from public, anon, authenticated;
grant execute on function private.generate_short_code() to service_role;

create or replace function private.generate_agent_code()
returns text
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_code text;
begin
  for attempt in 1..10 loop
    v_code := private.reports_code_candidate();
    if not exists (select 1 from public.profiles p where p.agent_code = v_code) then
      return v_code;
    end if;
  end loop;
  raise exception 'agent_code: no free code after 10 attempts' using errcode = '23505';
end;
$$;
revoke execute on function private.generate_agent_code() from public, anon, authenticated;
grant execute on function private.generate_agent_code() to service_role;

create or replace function private.reports_fill_short_code()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.short_code is null then
    new.short_code := private.generate_short_code();
  end if;
  return new;
end;
$$;
revoke execute on function private.reports_fill_short_code() from public, anon, authenticated;

create trigger property_reports_fill_short_code
  before insert on reports.property_reports
  for each row execute function private.reports_fill_short_code();

-- A code is for good: the printed QR code points at it.
create or replace function private.reports_keep_short_code()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.short_code is distinct from old.short_code then
    raise exception 'short_code: a report''s code never changes' using errcode = '42501';
  end if;
  return new;
end;
$$;
revoke execute on function private.reports_keep_short_code() from public, anon, authenticated;

create trigger property_reports_keep_short_code
  before update of short_code on reports.property_reports
  for each row execute function private.reports_keep_short_code();

update reports.property_reports set short_code = private.generate_short_code() where short_code is null;
alter table reports.property_reports alter column short_code set not null;

create or replace function private.reports_fill_agent_code()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.agent_code is null or btrim(new.agent_code) = '' then
    new.agent_code := private.generate_agent_code();
  end if;
  return new;
end;
$$;
revoke execute on function private.reports_fill_agent_code() from public, anon, authenticated;

alter table public.profiles alter column agent_code drop default;

create trigger profiles_fill_agent_code
  before insert on public.profiles
  for each row execute function private.reports_fill_agent_code();

comment on column public.profiles.agent_code is
  'Code of the agent''s consumer report page (seed 004); private.generate_agent_code() on insert when missing.';
