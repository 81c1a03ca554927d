-- Adds what Supabase Auth does not give and seed 004 asks for:
--   * public.login_attempts: every password verification, written by the
--     Auth "password verification attempt" hook, which also locks an email
--     out for 15 minutes after 5 failures;
--   * public.revoked_tokens (seed 004 jwt_blacklist): revoked sessions,
--     keyed by a SHA-256 hash of the JWT's session_id, honoured on every API
--     request by PostgREST's db-pre-request hook (private.check_request) and
--     by the edge functions (private.request_is_revoked);
--   * suspended and deleted profiles are refused on every request too;
--   * a pg_cron job that forgets revocations once the tokens have expired.

create table public.login_attempts (
  id uuid primary key default extensions.gen_random_uuid(),
  email text not null,
  user_id uuid references public.profiles (id) on delete cascade,
  success boolean not null,
  ip_address inet,
  user_agent text,
  failure_reason text,
  attempted_at timestamptz not null default now()
);

comment on table public.login_attempts is 'Sign-in attempts (seed 004 login_attempts), written by the Auth hook and service_role.';

create index login_attempts_email_attempted_at_idx on public.login_attempts (lower(email), attempted_at desc);
create index login_attempts_user_id_attempted_at_idx on public.login_attempts (user_id, attempted_at desc);

alter table public.login_attempts enable row level security;
revoke all on public.login_attempts from anon, authenticated;
grant select on public.login_attempts to authenticated;
grant all on public.login_attempts to service_role;

create policy "login_attempts: own and platform admins read"
  on public.login_attempts for select to authenticated
  using (user_id = (select auth.uid()) or (select private.is_platform_admin()));

create table public.revoked_tokens (
  id uuid primary key default extensions.gen_random_uuid(),
  token_hash text not null unique check (token_hash ~ '^[0-9a-f]{64}$'),
  user_id uuid not null references public.profiles (id) on delete cascade,
  reason text not null default 'sign_out' check (reason in ('sign_out', 'sign_out_everywhere', 'security', 'admin')),
  expires_at timestamptz not null,
  created_at timestamptz not null default now()
);

comment on table public.revoked_tokens is 'Revoked sessions (seed 004 jwt_blacklist); token_hash = sha256(session_id).';

create index revoked_tokens_user_id_idx on public.revoked_tokens (user_id);
create index revoked_tokens_expires_at_idx on public.revoked_tokens (expires_at);

alter table public.revoked_tokens enable row level security;
revoke all on public.revoked_tokens from anon, authenticated;
grant select on public.revoked_tokens to authenticated;
grant all on public.revoked_tokens to service_role;

create policy "revoked_tokens: own and platform admins read"
  on public.revoked_tokens for select to authenticated
  using (user_id = (select auth.uid()) or (select private.is_platform_admin()));

-- ------------------------------------------------------------ revocation checks

-- Why a request with these claims must be refused, or null when it may go on.
create or replace function private.request_is_revoked(p_claims jsonb)
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_sub uuid;
  v_status text;
begin
  if p_claims is null or p_claims ->> 'role' is distinct from 'authenticated' then
    return null;
  end if;
  if p_claims ? 'session_id' and exists (
    select 1 from public.revoked_tokens r
    where r.token_hash = private.hash_token(p_claims ->> 'session_id')
  ) then
    return 'session revoked';
  end if;
  begin
    v_sub := (p_claims ->> 'sub')::uuid;
  exception when others then
    return 'malformed subject';
  end;
  select p.account_status into v_status from public.profiles p where p.id = v_sub;
  if v_status in ('suspended', 'deleted') then
    return 'account ' || v_status;
  end if;
  return null;
end;
$$;

grant execute on function private.request_is_revoked(jsonb) to anon, authenticated, service_role;

-- PostgREST's db-pre-request hook: runs before every API request, as the
-- request's role, and turns a revoked session into HTTP 401.
create or replace function private.check_request()
returns void
language plpgsql
stable
set search_path = ''
as $$
declare
  v_reason text := private.request_is_revoked(nullif(current_setting('request.jwt.claims', true), '')::jsonb);
begin
  if v_reason is not null then
    raise sqlstate 'PGRST' using
      message = json_build_object('code', 'DOMUS401', 'message', v_reason, 'hint', 'sign in again')::text,
      detail = json_build_object('status', 401, 'headers', json_build_object('WWW-Authenticate', 'Bearer error="invalid_token"'))::text;
  end if;
end;
$$;

grant execute on function private.check_request() to anon, authenticated, service_role;

alter role authenticator set pgrst.db_pre_request = 'private.check_request';
notify pgrst, 'reload config';

-- ------------------------------------------------------------ revocation RPCs

-- Ends the Auth session too, so its refresh token cannot mint new access
-- tokens. Best effort: where the database role may not write auth.sessions
-- (some hosted set-ups), the revocation row alone keeps refusing the
-- session, because it is kept for as long as the session exists.
create or replace function private.end_auth_session(p_session_id text)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  delete from auth.sessions s where s.id::text = p_session_id;
exception when insufficient_privilege then
  null;
end;
$$;

create or replace function public.revoke_session(session_id uuid default null)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_user uuid := (select auth.uid());
  v_claims jsonb := (select auth.jwt());
  v_session text := coalesce(revoke_session.session_id::text, v_claims ->> 'session_id');
begin
  if v_user is null then
    raise exception 'sign in to revoke a session' using errcode = '42501';
  end if;
  if v_session is null then
    raise exception 'session_id: the token has no session; pass one' using errcode = '22023';
  end if;
  -- Another session may be revoked only if it is the caller's own.
  if revoke_session.session_id is not null
     and revoke_session.session_id::text is distinct from v_claims ->> 'session_id'
     and not exists (select 1 from auth.sessions s where s.id = revoke_session.session_id and s.user_id = v_user)
  then
    raise exception 'session_id: not one of your sessions' using errcode = '42501';
  end if;

  insert into public.revoked_tokens (token_hash, user_id, reason, expires_at)
  values (
    private.hash_token(v_session), v_user, 'sign_out',
    greatest(coalesce(to_timestamp((v_claims ->> 'exp')::double precision), now()), now()) + interval '1 day'
  )
  on conflict (token_hash) do nothing;

  perform private.end_auth_session(v_session);
end;
$$;

comment on function public.revoke_session(uuid) is 'Signs out one session (the current one by default): its tokens are refused from now on.';

create or replace function public.revoke_all_sessions()
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_user uuid := (select auth.uid());
  v_count integer;
begin
  if v_user is null then
    raise exception 'sign in to revoke sessions' using errcode = '42501';
  end if;
  with sessions as (
    select s.id::text as session_id from auth.sessions s where s.user_id = v_user
    union
    select (select auth.jwt()) ->> 'session_id'
  ), inserted as (
    insert into public.revoked_tokens (token_hash, user_id, reason, expires_at)
    select private.hash_token(session_id), v_user, 'sign_out_everywhere', now() + interval '7 days'
    from sessions where session_id is not null
    on conflict (token_hash) do nothing
    returning 1
  )
  select count(*) into v_count from inserted;

  perform private.end_auth_session(s.id::text) from auth.sessions s where s.user_id = v_user;
  return v_count;
end;
$$;

comment on function public.revoke_all_sessions() is 'Signs out every session of the caller, including the current one.';

revoke execute on function public.revoke_session(uuid), public.revoke_all_sessions() from public, anon;
grant execute on function public.revoke_session(uuid), public.revoke_all_sessions() to authenticated, service_role;

-- ------------------------------------------------------------ Auth hook

-- Supabase Auth calls this on every password check (config.toml
-- [auth.hook.password_verification_attempt]). It records the attempt and
-- rejects an email with 5 failures in the last 15 minutes.
create or replace function private.password_verification_attempt_hook(event jsonb)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_user uuid := (event ->> 'user_id')::uuid;
  v_valid boolean := coalesce((event ->> 'valid')::boolean, false);
  v_email text;
  v_recent_failures integer;
begin
  select p.email into v_email from public.profiles p where p.id = v_user;

  select count(*) into v_recent_failures from public.login_attempts la
  where lower(la.email) = lower(coalesce(v_email, ''))
    and la.failure_reason = 'invalid_password'
    and la.attempted_at > now() - interval '15 minutes';

  if v_recent_failures >= 5 then
    insert into public.login_attempts (email, user_id, success, failure_reason)
    values (coalesce(v_email, ''), v_user, false, 'locked_out');
    return jsonb_build_object(
      'decision', 'reject',
      'message', 'Too many failed sign-in attempts. Try again in 15 minutes.',
      'should_logout_user', false
    );
  end if;

  insert into public.login_attempts (email, user_id, success, failure_reason)
  values (coalesce(v_email, ''), v_user, v_valid, case when not v_valid then 'invalid_password' end);

  return jsonb_build_object('decision', 'continue');
end;
$$;

do $$
begin
  if exists (select 1 from pg_roles where rolname = 'supabase_auth_admin') then
    grant usage on schema private to supabase_auth_admin;
    grant execute on function private.password_verification_attempt_hook(jsonb) to supabase_auth_admin;
    grant select, insert on public.login_attempts to supabase_auth_admin;
    grant select on public.profiles to supabase_auth_admin;
  end if;
end
$$;

-- ------------------------------------------------------------ housekeeping

create extension if not exists pg_cron with schema pg_catalog;

create or replace function private.purge_expired_revocations()
returns integer
language sql
volatile
security definer
set search_path = ''
as $$
  -- A revocation is forgotten once its tokens have expired AND its Auth
  -- session is gone; while the session lives it could mint new tokens.
  with gone as (
    delete from public.revoked_tokens r
    where r.expires_at < now()
      and not exists (select 1 from auth.sessions s where private.hash_token(s.id::text) = r.token_hash)
    returning 1
  )
  select count(*)::integer from gone;
$$;

select cron.schedule('purge-expired-revocations', '17 * * * *', 'select private.purge_expired_revocations()');

revoke execute on all functions in schema private from public;
grant execute on function private.request_is_revoked(jsonb) to anon, authenticated, service_role;
grant execute on function private.check_request() to anon, authenticated, service_role;
