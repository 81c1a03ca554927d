-- Adds public.audit_log (seed 002 admin_audit_log, generalised): an
-- append-only record of changes to sensitive rows, written by one generic
-- trigger, private.audit_row_change(), which later migrations attach to
-- their own sensitive tables. It records who acted (auth.uid(), the role,
-- whether they were a platform admin), what changed, and the request IP.

create table public.audit_log (
  id bigint generated always as identity primary key,
  -- Not foreign keys: the log is append-only and outlives the people and
  -- accounts it describes.
  actor_id uuid,
  actor_role text not null,
  by_platform_admin boolean not null default false,
  action text not null check (action in ('INSERT', 'UPDATE', 'DELETE')),
  resource_type text not null,
  resource_id text,
  account_id uuid,
  old_values jsonb,
  new_values jsonb,
  ip_address inet,
  created_at timestamptz not null default now()
);

comment on table public.audit_log is 'Append-only change log of sensitive rows (seed 002 admin_audit_log); written by triggers only.';

create index audit_log_actor_id_idx on public.audit_log (actor_id);
create index audit_log_account_id_created_at_idx on public.audit_log (account_id, created_at desc);
create index audit_log_created_at_idx on public.audit_log (created_at desc);
create index audit_log_resource_idx on public.audit_log (resource_type, resource_id);

alter table public.audit_log enable row level security;

-- Read-only for every API role, service_role included: entries come only
-- from the trigger below, so nobody can forge or wipe them.
revoke all on public.audit_log from anon, authenticated, service_role;
grant select on public.audit_log to authenticated, service_role;

create policy "audit_log: platform admins and account admins read"
  on public.audit_log for select to authenticated
  using (
    (select private.is_platform_admin())
    or account_id in (select private.my_admin_account_ids())
  );

-- Append-only, even for service_role and the table owner's API paths.
create or replace function private.audit_log_is_append_only()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'audit_log is append-only' using errcode = '42501';
end;
$$;

create trigger audit_log_append_only
  before update or delete on public.audit_log
  for each row execute function private.audit_log_is_append_only();

create trigger audit_log_no_truncate
  before truncate on public.audit_log
  for each statement execute function private.audit_log_is_append_only();

-- The client IP PostgREST forwards, if any; never fails the audited write.
create or replace function private.request_ip()
returns inet
language plpgsql
stable
set search_path = ''
as $$
declare
  v_raw text := split_part(
    coalesce(nullif(current_setting('request.headers', true), '')::jsonb ->> 'x-forwarded-for', ''), ',', 1);
begin
  return nullif(btrim(v_raw), '')::inet;
exception when others then
  return null;
end;
$$;

-- Columns never copied into the log.
create or replace function private.audit_redact(p_row jsonb)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select p_row - array['token_hash', 'key_hash', 'secret', 'secret_hash', 'password', 'encrypted_secret'];
$$;

create or replace function private.audit_row_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_old jsonb := case when tg_op in ('UPDATE', 'DELETE') then private.audit_redact(to_jsonb(old)) end;
  v_new jsonb := case when tg_op in ('INSERT', 'UPDATE') then private.audit_redact(to_jsonb(new)) end;
  v_row jsonb := coalesce(v_new, v_old);
  v_actor uuid := (select auth.uid());
begin
  if tg_op = 'UPDATE' and v_old = v_new then
    return null;
  end if;
  insert into public.audit_log (
    actor_id, actor_role, by_platform_admin, action, resource_type, resource_id, account_id,
    old_values, new_values, ip_address
  ) values (
    v_actor,
    coalesce((select auth.role()), current_user),
    coalesce(private.is_platform_admin(), false),
    tg_op,
    tg_table_schema || '.' || tg_table_name,
    coalesce(v_row ->> 'id', v_row ->> 'user_id'),
    case
      when tg_table_schema = 'public' and tg_table_name = 'accounts' then (v_row ->> 'id')::uuid
      when v_row ? 'account_id' then (v_row ->> 'account_id')::uuid
    end,
    v_old,
    v_new,
    private.request_ip()
  );
  return null;
end;
$$;

create trigger accounts_audit
  after insert or update or delete on public.accounts
  for each row execute function private.audit_row_change();

create trigger account_memberships_audit
  after insert or update or delete on public.account_memberships
  for each row execute function private.audit_row_change();

create trigger invitations_audit
  after insert or update or delete on public.invitations
  for each row execute function private.audit_row_change();

create trigger platform_admins_audit
  after insert or update or delete on public.platform_admins
  for each row execute function private.audit_row_change();

create trigger profiles_audit_status
  after update of account_status on public.profiles
  for each row execute function private.audit_row_change();

-- PUBLIC gets EXECUTE on new functions by default; private helpers are
-- granted to exactly the roles that call them.
revoke execute on all functions in schema private from public;
grant execute on function private.request_ip() to anon, authenticated, service_role;
