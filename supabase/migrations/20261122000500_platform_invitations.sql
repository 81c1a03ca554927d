-- Adds public.invitations (seed 004 signup_tokens): an account admin invites
-- someone by a one-time token; the invitee accepts it when signed in, or
-- signs up with it (invite-based sign-up: `invitation_token` in the sign-up
-- metadata). Only a SHA-256 hash of the token is stored, and that hash is
-- not even readable through the API: the plain token is shown once, to the
-- admin who created it.

create table public.invitations (
  id uuid primary key default extensions.gen_random_uuid(),
  account_id uuid not null references public.accounts (id) on delete cascade,
  role public.account_role not null default 'member' check (role <> 'owner'),
  email text check (email ~ '^[^@\s]+@[^@\s]+$'),
  token_hash text not null unique check (token_hash ~ '^[0-9a-f]{64}$'),
  invited_by uuid not null references public.profiles (id) on delete cascade,
  expires_at timestamptz not null default now() + interval '7 days',
  accepted_by uuid references public.profiles (id) on delete set null,
  accepted_at timestamptz,
  created_at timestamptz not null default now(),
  constraint invitations_accepted_pair check ((accepted_by is null) = (accepted_at is null))
);

comment on table public.invitations is 'One-time invitations into an account (seed 004 signup_tokens); tokens stored as SHA-256 hashes.';

create index invitations_account_id_idx on public.invitations (account_id);
create index invitations_invited_by_idx on public.invitations (invited_by);
create index invitations_accepted_by_idx on public.invitations (accepted_by);

alter table public.invitations enable row level security;

revoke all on public.invitations from anon, authenticated;
grant select (id, account_id, role, email, invited_by, expires_at, accepted_by, accepted_at, created_at)
  on public.invitations to authenticated;
grant delete on public.invitations to authenticated;
grant all on public.invitations to service_role;

create policy "invitations: account admins read"
  on public.invitations for select to authenticated
  using (
    account_id in (select private.my_admin_account_ids())
    or (select private.is_platform_admin())
  );

create policy "invitations: account admins revoke"
  on public.invitations for delete to authenticated
  using (account_id in (select private.my_admin_account_ids()));

create or replace function private.hash_token(p_token text)
returns text
language sql immutable
set search_path = ''
as $$
  select encode(extensions.digest(p_token, 'sha256'), 'hex');
$$;

create or replace function public.create_invitation(
  account_id uuid,
  role public.account_role default 'member',
  email text default null,
  expires_in_days integer default 7
)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_user uuid := (select auth.uid());
  v_account public.accounts;
  v_token text := encode(extensions.gen_random_bytes(24), 'hex');
  v_invitation public.invitations;
begin
  select * into v_account from public.accounts a where a.id = create_invitation.account_id;
  if not found or not private.is_account_admin(v_account.id) then
    raise exception 'only an owner or admin of the account can invite' using errcode = '42501';
  end if;
  if v_account.account_type = 'personal' then
    raise exception 'account_id: personal accounts cannot have members' using errcode = '22023';
  end if;
  if role = 'owner' then
    raise exception 'role: invite as admin, member or affiliate, then transfer ownership' using errcode = '22023';
  end if;
  if email is not null and email !~ '^[^@\s]+@[^@\s]+$' then
    raise exception 'email: not an email address' using errcode = '22023';
  end if;
  if expires_in_days is null or expires_in_days not between 1 and 30 then
    raise exception 'expires_in_days: must be between 1 and 30' using errcode = '22023';
  end if;

  insert into public.invitations (account_id, role, email, token_hash, invited_by, expires_at)
  values (v_account.id, role, lower(email), private.hash_token(v_token), v_user,
          now() + make_interval(days => expires_in_days))
  returning * into v_invitation;

  return jsonb_build_object(
    'id', v_invitation.id,
    'account_id', v_invitation.account_id,
    'role', v_invitation.role,
    'email', v_invitation.email,
    'expires_at', v_invitation.expires_at,
    'token', v_token
  );
end;
$$;

comment on function public.create_invitation(uuid, public.account_role, text, integer) is
  'Creates an invitation and returns its token once; only the token''s hash is kept.';

-- Shared by the RPC and the sign-up trigger.
create or replace function private.accept_invitation_for(p_user_id uuid, p_token text)
returns uuid
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_invitation public.invitations;
  v_email text;
begin
  select * into v_invitation from public.invitations i
  where i.token_hash = private.hash_token(coalesce(p_token, ''))
  for update;

  if not found or v_invitation.accepted_at is not null or v_invitation.expires_at <= now() then
    raise exception 'invitation token is invalid, expired or already used' using errcode = '22023';
  end if;

  select lower(p.email) into v_email from public.profiles p where p.id = p_user_id;
  if v_invitation.email is not null and v_invitation.email is distinct from v_email then
    raise exception 'this invitation was sent to another email address' using errcode = '42501';
  end if;

  insert into public.account_memberships (account_id, user_id, role, invited_by)
  values (v_invitation.account_id, p_user_id, v_invitation.role, v_invitation.invited_by)
  on conflict (account_id, user_id) do nothing;

  update public.invitations i set accepted_by = p_user_id, accepted_at = now()
  where i.id = v_invitation.id;

  return v_invitation.account_id;
end;
$$;

create or replace function public.accept_invitation(token text)
returns uuid
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_user uuid := (select auth.uid());
begin
  if v_user is null then
    raise exception 'sign in to accept an invitation' using errcode = '42501';
  end if;
  if token is null or token !~ '^[0-9a-f]{48}$' then
    raise exception 'token: not an invitation token' using errcode = '22023';
  end if;
  return private.accept_invitation_for(v_user, token);
end;
$$;

comment on function public.accept_invitation(text) is 'Joins the caller to the invitation''s account with its role; returns the account id.';

revoke execute on function
  public.create_invitation(uuid, public.account_role, text, integer),
  public.accept_invitation(text)
from public, anon;
grant execute on function
  public.create_invitation(uuid, public.account_role, text, integer),
  public.accept_invitation(text)
to authenticated, service_role;

-- Invite-based sign-up: a sign-up carrying `invitation_token` in its user
-- metadata joins that account. A bad token refuses the sign-up rather than
-- creating a user who silently lacks the access they were promised.
create or replace function private.accept_signup_invitation()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if nullif(new.raw_user_meta_data ->> 'invitation_token', '') is not null then
    perform private.accept_invitation_for(new.id, new.raw_user_meta_data ->> 'invitation_token');
  end if;
  return new;
end;
$$;

-- Fires after on_auth_user_created (triggers run in name order).
create trigger on_auth_user_created_accept_invitation
  after insert on auth.users
  for each row execute function private.accept_signup_invitation();

revoke execute on all functions in schema private from public;
