-- Tightens when an invitation can be accepted (issue 14 §5):
--   * an email-bound invitation is accepted only by a user whose address is
--     that email AND is confirmed (auth.users.email_confirmed_at not null).
--     Before, whoever held the token signed up with the invited address and
--     joined before Auth ever checked the address was theirs. A sign-up with
--     an unconfirmed address keeps the invitation pending; when Auth confirms
--     the address (the update setting email_confirmed_at) it is accepted, or
--     the user accepts it later with public.accept_invitation;
--   * an invitation is only as good as its creator's right to grant it: it
--     stops working once the creator is no longer an owner or admin of the
--     account (removed, left, demoted), the rule create_invitation applies
--     when it is created (private.can_invite, used by both).
--
-- Who may do what (unchanged): owners and admins create invitations (never
-- for 'owner', never into a personal account); the addressee, or for an
-- open invitation whoever holds the token, accepts it once before expiry.
--
-- Invariants:
--   * acceptance locks the invitation, then the creator's membership
--     (FOR SHARE), so a demotion or removal of the creator either happened
--     before (and refuses the acceptance) or waits for it;
--   * confirming an address never fails because its invitation went stale:
--     the pending invitation is then simply not accepted;
--   * a sign-up with a bad token (unknown, used, expired, another address,
--     creator without the right) is still refused, confirmed or not.
--
-- Errors: 22023 for a token that cannot be used (field `token`), 42501 for an
-- invitation addressed to another email or to one not yet confirmed.

create or replace function private.can_invite(p_account_id uuid, p_user_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(private.member_role(p_account_id, p_user_id) in ('owner', 'admin'), false);
$$;

comment on function private.can_invite(uuid, uuid) is
  'Whether the user may hand out invitations into the account: checked at creation and again at acceptance.';

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
  if not found or v_user is null or not private.can_invite(v_account.id, v_user) then
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

-- Everything that makes a token usable by this user except a confirmed
-- address; locks the invitation and its creator's membership. Returns the
-- invitation, or raises.
create or replace function private.usable_invitation_for(p_user_id uuid, p_token text)
returns public.invitations
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
    raise exception 'token: invalid, expired or already used' using errcode = '22023';
  end if;

  perform 1 from public.account_memberships m
  where m.account_id = v_invitation.account_id and m.user_id = v_invitation.invited_by
  for share;
  if not private.can_invite(v_invitation.account_id, v_invitation.invited_by) then
    raise exception 'token: no longer valid, its sender can no longer invite into the account'
      using errcode = '22023';
  end if;

  if v_invitation.email is not null then
    select lower(u.email) into v_email from auth.users u where u.id = p_user_id;
    if v_email is distinct from v_invitation.email then
      raise exception 'this invitation was sent to another email address' using errcode = '42501';
    end if;
  end if;

  return v_invitation;
end;
$$;

-- Shared by the RPC, the sign-up trigger and the confirmation trigger.
create or replace function private.accept_invitation_for(p_user_id uuid, p_token text)
returns uuid
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_invitation public.invitations := private.usable_invitation_for(p_user_id, p_token);
begin
  if v_invitation.email is not null and not exists (
    select 1 from auth.users u where u.id = p_user_id and u.email_confirmed_at is not null
  ) then
    raise exception 'confirm your email address before accepting this invitation' using errcode = '42501';
  end if;

  insert into public.account_memberships (account_id, user_id, role, invited_by)
  values (v_invitation.account_id, p_user_id, v_invitation.role, v_invitation.invited_by)
  on conflict (account_id, user_id) do nothing;

  update public.invitations i set accepted_by = p_user_id, accepted_at = now()
  where i.id = v_invitation.id;

  return v_invitation.account_id;
end;
$$;

-- Invite-based sign-up. A bad token still refuses the sign-up; a good
-- email-bound one waits for the address to be confirmed.
create or replace function private.accept_signup_invitation()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_token text := nullif(new.raw_user_meta_data ->> 'invitation_token', '');
  v_invitation public.invitations;
begin
  if v_token is null then
    return new;
  end if;
  v_invitation := private.usable_invitation_for(new.id, v_token);
  if v_invitation.email is null or new.email_confirmed_at is not null then
    perform private.accept_invitation_for(new.id, v_token);
  end if;
  return new;
end;
$$;

-- Auth confirmed the address: accept the invitation the sign-up carried.
create or replace function private.accept_invitation_on_email_confirmed()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_token text := nullif(new.raw_user_meta_data ->> 'invitation_token', '');
begin
  if v_token is null then
    return new;
  end if;
  begin
    perform private.accept_invitation_for(new.id, v_token);
  exception when sqlstate '22023' or sqlstate '42501' then
    -- Used at sign-up already, expired, revoked, or its sender lost the
    -- right meanwhile: the address is still confirmed, without the invitation.
    null;
  end;
  return new;
end;
$$;

create trigger on_auth_user_email_confirmed_accept_invitation
  after update of email_confirmed_at on auth.users
  for each row when (old.email_confirmed_at is null and new.email_confirmed_at is not null)
  execute function private.accept_invitation_on_email_confirmed();

revoke execute on function
  private.can_invite(uuid, uuid),
  private.usable_invitation_for(uuid, text),
  private.accept_invitation_for(uuid, text),
  private.accept_signup_invitation(),
  private.accept_invitation_on_email_confirmed()
from public, anon, authenticated;
