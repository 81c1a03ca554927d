-- Adds the non-exposed `private` schema that holds every helper the
-- policies and triggers call, the one `updated_at` trigger function used by
-- every table, and the five product schemas with their API grants.
--
-- `private` is never listed in [api] schemas, so PostgREST cannot call into
-- it; the API roles still need USAGE because policies evaluate its helpers
-- with the caller's privileges.

create schema if not exists private;
revoke all on schema private from public;
grant usage on schema private to anon, authenticated, service_role;
-- PUBLIC may execute any new function by default, and a per-schema default
-- privilege cannot take that back; so every migration that adds private
-- functions ends with `revoke execute on all functions in schema private
-- from public` and grants each helper to the roles that call it.

-- One trigger function maintains updated_at everywhere.
create or replace function private.set_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;

-- The product schemas. Each product's migrations add tables here and grant
-- table privileges explicitly, table by table; nothing is granted by default.
create schema if not exists homes;
create schema if not exists quicksell;
create schema if not exists studio;
create schema if not exists tools;
create schema if not exists reports;

grant usage on schema homes, quicksell, studio, tools, reports to anon, authenticated, service_role;

comment on schema homes is 'Homes (seed 000): property marketplace with valuations and offers.';
comment on schema quicksell is 'QuickSell (seed 001): AI-assisted resale with gamification.';
comment on schema studio is 'Studio / Stagefy (seed 002): AI media studio paid in credits.';
comment on schema tools is 'Tools marketplace (seed 003): AI tools and bundles, org-isolated purchases.';
comment on schema reports is 'Reports / TrendyReports (seed 004): market and property reports with lead capture.';

revoke execute on all functions in schema private from public;
