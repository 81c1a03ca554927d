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
-- The shared cast and the access matrix (use these in every new file):
--   tests.fixture() -> uuid (team-a)
--       creates, once per test transaction (a second call returns the same
--       team), the cast every file reasons about:
--         owner           primary owner of team team-a
--         admin           admin of team-a
--         member          plain member of team-a
--         stranger        a signed-in user in no team (only their personal account)
--         platform_admin  a platform admin outside both teams
--         rival           primary owner of a second team, team-b
--       plus the two API roles the probe knows by name: 'anon' and
--       'service_role'. Every user also has the personal account the sign-up
--       trigger creates. Module files add their own rows on top (billing:
--       tests.billing_data(), Studio: tests.studio_data()).
--   tests.probe(who, statement)  -> 'rows=N' or the SQLSTATE raised
--       acts as `who` ('anon', 'service_role', 'postgres' or a test user
--       identifier), runs the statement in a subtransaction that is always
--       rolled back (so probing has no side effects and the caller's role is
--       restored), and reports the outcome. SELECT/WITH/VALUES report the
--       rows visible, other statements the rows touched.
--   tests.rights(who, read, insert, update, delete) -> text
--       'read rows=1, insert 42501, update rows=0, delete rows=0': one line
--       per role and table, which reads like the access specification.
--   tests.billing_probe / tests.billing_rights are the old names of probe and
--   rights, kept only so branches written before the rename still run; do
--   not use them.
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

-- The shared cast (see the header). Idempotent within a transaction so a
-- module helper and the file itself may both call it.
create or replace function tests.fixture()
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_team_a uuid := tests.account_id('team-a');
begin
  if v_team_a is not null then
    return v_team_a;
  end if;
  perform tests.create_supabase_user('owner');
  perform tests.create_supabase_user('admin');
  perform tests.create_supabase_user('member');
  perform tests.create_supabase_user('stranger');
  perform tests.create_supabase_user('platform_admin');
  perform tests.create_supabase_user('rival');
  perform tests.make_platform_admin('platform_admin');
  v_team_a := tests.create_team('owner', 'team-a', 'Team A');
  perform tests.add_account_member(v_team_a, 'admin', 'admin');
  perform tests.add_account_member(v_team_a, 'member', 'member');
  perform tests.create_team('rival', 'team-b', 'Team B');
  return v_team_a;
end;
$$;

create or replace function tests.probe(who text, statement text)
returns text
language plpgsql
set search_path = ''
as $$
declare
  v_rows bigint;
  v_state text;
  v_message text;
begin
  begin
    case who
      when 'anon' then perform tests.authenticate_as_anon();
      when 'service_role' then perform tests.authenticate_as_service_role();
      when 'postgres' then perform tests.clear_authentication();
      else perform tests.authenticate_as(who);
    end case;
    if statement ~* '^\s*(select|with|values)\M' then
      execute format('select count(*) from (%s) as probe', statement) into v_rows;
    else
      execute statement;
      get diagnostics v_rows = row_count;
    end if;
    -- Undo the statement and the role switch in one go.
    raise exception using errcode = 'TS000', message = v_rows::text;
  exception when others then
    get stacked diagnostics v_state = returned_sqlstate, v_message = message_text;
    if v_state = 'TS000' then
      return 'rows=' || v_message;
    end if;
    return v_state;
  end;
end;
$$;

create or replace function tests.rights(who text, read_sql text, insert_sql text, update_sql text, delete_sql text)
returns text
language sql
set search_path = ''
as $$
  select format('read %s, insert %s, update %s, delete %s',
    tests.probe(who, read_sql), tests.probe(who, insert_sql),
    tests.probe(who, update_sql), tests.probe(who, delete_sql));
$$;

-- Old names (see the header): thin aliases, to be dropped once no branch uses them.
create or replace function tests.billing_probe(who text, statement text)
returns text
language sql
set search_path = ''
as $$ select tests.probe(who, statement); $$;

create or replace function tests.billing_rights(who text, read_sql text, insert_sql text, update_sql text, delete_sql text)
returns text
language sql
set search_path = ''
as $$ select tests.rights(who, read_sql, insert_sql, update_sql, delete_sql); $$;

grant usage on schema tests to anon, authenticated, service_role;
grant execute on all functions in schema tests to anon, authenticated, service_role;
-- Fixtures write as the test runner; an API role calling them would be a
-- test bug that bypasses RLS.
revoke execute on function tests.fixture() from public, anon, authenticated, service_role;

begin;
select plan(21);

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

-- The shared cast and the matrix helpers.
select has_function('tests', 'fixture', 'tests.fixture() exists');
select has_function('tests', 'probe', array['text', 'text'], 'tests.probe(who, statement) exists');
select has_function('tests', 'rights', array['text', 'text', 'text', 'text', 'text'],
  'tests.rights(who, read, insert, update, delete) exists');
select tests.fixture() as team_a \gset
select is(tests.fixture(), :'team_a'::uuid, 'a second tests.fixture() in one transaction returns the same team');
select results_eq(
  $$ select u.identifier, m.role::text
     from unnest(array['owner', 'admin', 'member', 'stranger', 'platform_admin', 'rival']) u(identifier)
     left join public.account_memberships m
       on m.user_id = tests.get_supabase_uid(u.identifier) and m.account_id = tests.account_id('team-a')
     order by 1 $$,
  $$ values ('admin', 'admin'), ('member', 'member'), ('owner', 'owner'), ('platform_admin', null),
            ('rival', null), ('stranger', null) $$,
  'team-a has its owner, admin and member; stranger, platform_admin and rival are outside it');
select is((select primary_owner_user_id from public.accounts where slug = 'team-b'), tests.get_supabase_uid('rival'),
  'rival owns the second team, team-b');
select ok(exists (select 1 from public.platform_admins where user_id = tests.get_supabase_uid('platform_admin')),
  'platform_admin is a platform admin');
select is(tests.probe('anon', $$ select 1 from public.account_memberships $$), '42501',
  'the probe reports the SQLSTATE of a refused statement');
select is(tests.probe('owner', $$ select 1 from public.account_memberships where account_id = tests.account_id('team-a') $$),
  'rows=3', 'the probe counts the rows a role can see');
select is(tests.probe('postgres', $$ delete from public.account_memberships where account_id = tests.account_id('team-a') and role = 'member' $$)
          || ' / ' || (select count(*) from public.account_memberships where account_id = :'team_a'),
  'rows=1 / 3', 'the probe counts the rows a write touches, and rolls the write back');
select is(tests.rights('member', $$ select 1 from public.accounts where slug = 'team-a' $$,
                       $$ insert into public.platform_admins (user_id) values (auth.uid()) $$,
                       $$ update public.accounts set name = 'x' where slug = 'team-a' $$,
                       $$ delete from public.accounts where slug = 'team-a' $$) || ' as ' || current_user,
  'read rows=1, insert 42501, update rows=0, delete rows=0 as postgres',
  'rights probes the four actions and restores the caller''s role');

select * from finish();
rollback;
