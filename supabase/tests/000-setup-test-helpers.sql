-- Test helpers shared by every pgTAP file in supabase/tests/.
--
-- This file is NOT wrapped in a rolled-back transaction: the `tests` schema
-- and its functions must survive for the files that follow (pg_prove runs
-- the files in name order). Everything here is idempotent, so the suite can
-- be run again on the same database.
--
-- The helpers follow the shape of Basejump's supabase_test_helpers:
--   tests.create_supabase_user(identifier, email, metadata) -> uuid
--   tests.get_supabase_uid(identifier)                     -> uuid
--   tests.authenticate_as(identifier)       act as that signed-in user
--   tests.authenticate_as_anon()            act as an anonymous API caller
--   tests.authenticate_as_service_role()    act as the service role
--   tests.clear_authentication()            back to postgres, no claims
--   tests.make_platform_admin(identifier)   grant platform admin
--   tests.create_team(owner, slug, name)    a team account with its owner member
--   tests.add_account_member(account, identifier, role)
--   tests.account_id(slug)                  an account's id by slug
--   tests.session_id_of(identifier)         the session_id put in that user's JWT
--   tests.tables_without_rls(schemas)       exposed tables lacking RLS
--   tests.tables_without_policies(schemas)  exposed tables lacking any policy
--
-- authenticate_as* set the role and request.jwt.claims exactly as PostgREST
-- does for an API request (`set local`, so they last until the end of the
-- test's transaction or until the next helper call).

set client_min_messages = warning;

create schema if not exists tests;

-- Creates an auth user the way Supabase Auth does (an insert into
-- auth.users); the sign-up trigger then creates the profile, the personal
-- account and the owner membership. The identifier is kept in the user
-- metadata so the helpers can find the user again.
create or replace function tests.create_supabase_user(
  identifier text,
  email text default null,
  metadata jsonb default '{}'::jsonb
)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_id uuid := extensions.gen_random_uuid();
  v_meta jsonb := coalesce(metadata, '{}'::jsonb);
begin
  if not v_meta ? 'full_name' then
    v_meta := v_meta || jsonb_build_object('full_name', initcap(replace(identifier, '_', ' ')));
  end if;
  v_meta := v_meta || jsonb_build_object('test_identifier', identifier);

  insert into auth.users (id, aud, role, email, encrypted_password, email_confirmed_at,
                          raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
  values (v_id, 'authenticated', 'authenticated',
          coalesce(create_supabase_user.email, identifier || '@test.local'),
          extensions.crypt('password', extensions.gen_salt('bf', 4)), now(),
          '{"provider": "email", "providers": ["email"]}'::jsonb, v_meta, now(), now());

  -- A live session for the user, as Auth records on sign-in.
  insert into auth.sessions (id, user_id) values (tests.session_id_of(identifier), v_id)
  on conflict (id) do nothing;

  return v_id;
end;
$$;

-- The session_id carried in the user's JWT: fixed per identifier so tests
-- can revoke it and reason about it.
create or replace function tests.session_id_of(identifier text)
returns uuid
language sql
immutable
set search_path = ''
as $$
  select extensions.uuid_generate_v5('6ba7b811-9dad-11d1-80b4-00c04fd430c8'::uuid, 'session:' || identifier);
$$;

create or replace function tests.get_supabase_uid(identifier text)
returns uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_id uuid;
begin
  select u.id into v_id from auth.users u
  where u.raw_user_meta_data ->> 'test_identifier' = identifier
  order by u.created_at desc
  limit 1;
  if v_id is null then
    raise exception 'tests: no test user with identifier "%"', identifier;
  end if;
  return v_id;
end;
$$;

-- Acts as the signed-in user: role authenticated plus the claims PostgREST
-- would set from their JWT. Optionally with another session id.
create or replace function tests.authenticate_as(identifier text, session_id uuid default null)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_id uuid;
  v_email text;
begin
  -- Look the user up as the privileged caller before switching role.
  perform set_config('role', 'postgres', true);
  v_id := tests.get_supabase_uid(identifier);
  select u.email into v_email from auth.users u where u.id = v_id;

  perform set_config('request.jwt.claims', json_build_object(
    'sub', v_id,
    'role', 'authenticated',
    'aud', 'authenticated',
    'email', v_email,
    'session_id', coalesce(authenticate_as.session_id, tests.session_id_of(identifier)),
    'aal', 'aal1',
    'iat', floor(extract(epoch from now()))::bigint,
    'exp', floor(extract(epoch from now() + interval '1 hour'))::bigint
  )::text, true);
  perform set_config('role', 'authenticated', true);
end;
$$;

create or replace function tests.authenticate_as_anon()
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform set_config('role', 'postgres', true);
  perform set_config('request.jwt.claims', json_build_object('role', 'anon')::text, true);
  perform set_config('role', 'anon', true);
end;
$$;

create or replace function tests.authenticate_as_service_role()
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform set_config('role', 'postgres', true);
  perform set_config('request.jwt.claims', json_build_object('role', 'service_role')::text, true);
  perform set_config('role', 'service_role', true);
end;
$$;

-- Back to the superuser test runner with no JWT claims.
create or replace function tests.clear_authentication()
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform set_config('role', 'postgres', true);
  perform set_config('request.jwt.claims', '', true);
end;
$$;

create or replace function tests.make_platform_admin(identifier text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.platform_admins (user_id, note)
  values (tests.get_supabase_uid(identifier), 'granted by the test suite')
  on conflict (user_id) do nothing;
end;
$$;

-- Ordinary tables and partitioned tables, in the given schemas, without RLS.
create or replace function tests.tables_without_rls(schemas text[])
returns setof text
language sql
stable
set search_path = ''
as $$
  select n.nspname || '.' || c.relname
  from pg_catalog.pg_class c
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p')
    and n.nspname = any (schemas)
    and not c.relrowsecurity
  order by 1;
$$;

-- Same tables, without a single policy (RLS on but nothing ever allowed is
-- almost always a forgotten policy; a deliberate deny-all should say so
-- with an explicit policy).
create or replace function tests.tables_without_policies(schemas text[])
returns setof text
language sql
stable
set search_path = ''
as $$
  select n.nspname || '.' || c.relname
  from pg_catalog.pg_class c
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p')
    and n.nspname = any (schemas)
    and not exists (select 1 from pg_catalog.pg_policy p where p.polrelid = c.oid)
  order by 1;
$$;

-- Fixture shortcuts (as the test runner, bypassing the API): a team account
-- owned by a test user, and extra members with a given role.
create or replace function tests.create_team(owner_identifier text, slug text, name text default null)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_owner uuid := tests.get_supabase_uid(owner_identifier);
  v_id uuid;
begin
  insert into public.accounts (name, slug, account_type, primary_owner_user_id)
  values (coalesce(create_team.name, initcap(replace(create_team.slug, '-', ' '))), create_team.slug, 'team', v_owner)
  returning id into v_id;
  insert into public.account_memberships (account_id, user_id, role) values (v_id, v_owner, 'owner');
  return v_id;
end;
$$;

create or replace function tests.add_account_member(account_id uuid, identifier text, role public.account_role default 'member')
returns void
language sql
security definer
set search_path = ''
as $$
  insert into public.account_memberships (account_id, user_id, role)
  values ($1, tests.get_supabase_uid($2), $3);
$$;

create or replace function tests.account_id(slug text)
returns uuid
language sql
stable
security definer
set search_path = ''
as $$
  select a.id from public.accounts a where a.slug = $1;
$$;

grant usage on schema tests to anon, authenticated, service_role;
grant execute on all functions in schema tests to anon, authenticated, service_role;

begin;
select plan(10);

select has_function('tests', 'create_supabase_user', array['text', 'text', 'jsonb'],
  'tests.create_supabase_user(identifier, email, metadata) exists');
select has_function('tests', 'get_supabase_uid', array['text'],
  'tests.get_supabase_uid(identifier) exists');
select has_function('tests', 'authenticate_as', array['text', 'uuid'],
  'tests.authenticate_as(identifier, session_id) exists');
select has_function('tests', 'authenticate_as_anon', 'tests.authenticate_as_anon() exists');
select has_function('tests', 'authenticate_as_service_role', 'tests.authenticate_as_service_role() exists');
select has_function('tests', 'clear_authentication', 'tests.clear_authentication() exists');
select has_function('tests', 'make_platform_admin', array['text'], 'tests.make_platform_admin(identifier) exists');
select has_function('tests', 'create_team', array['text', 'text', 'text'], 'tests.create_team(owner, slug, name) exists');
select has_function('tests', 'add_account_member', array['uuid', 'text', 'account_role'],
  'tests.add_account_member(account_id, identifier, role) exists');

-- The helpers work end to end: a created user is found again and, once
-- authenticated as, is who auth.uid() says.
do $$ begin perform tests.create_supabase_user('helper_check'); end $$;
select tests.authenticate_as('helper_check');
select is(auth.uid(), tests.get_supabase_uid('helper_check'),
  'authenticate_as makes auth.uid() the test user');
select tests.clear_authentication();

select * from finish();
rollback;
