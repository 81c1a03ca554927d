-- Redefines public.transfer_account_ownership so it cannot hand an account to
-- someone who is leaving (or being removed) at the same moment (issue 14 §5).
--
-- Before, the incoming owner's membership was read without a lock and the
-- `update ... set role = 'owner'` was not checked for a row: a concurrent
-- delete of that membership let the transfer set primary_owner_user_id to a
-- user with no membership, who could not see the team, while the previous
-- owner could no longer transfer it back.
--
-- Who may do what (unchanged): only the primary owner transfers, only team
-- accounts, only to an existing member, who becomes an owner member; the
-- previous primary owner stays an owner member.
--
-- Invariants:
--   * lock order is the account row, then the incoming owner's membership
--     row, so two transfers, or a transfer and a leave or removal, serialise
--     instead of interleaving. Both are FOR NO KEY UPDATE (what the updates
--     take anyway): FOR UPDATE on the account would also block the FK key
--     share of a membership insert, and an invitation being accepted holds
--     its sender's membership while it inserts one, a deadlock when the
--     sender is the incoming owner;
--   * a removal that waited on the transfer runs its guard trigger after the
--     transfer committed, sees the new primary owner and is refused (42501);
--   * a transfer that waited on a removal finds no membership and is refused
--     (PT404), leaving the account untouched;
--   * primary_owner_user_id is only ever set to a user whose membership row
--     this transaction holds and just made 'owner'.
--
-- Errors as PostgREST answers them: 42501 forbidden (not signed in, not the
-- primary owner), PT404 not found (account not visible to the caller, new
-- owner not a member), 22023 bad input (personal account), PT409 if the
-- membership changed under the lock (cannot happen with the lock; checked
-- so a future change cannot silently skip the role update).

create or replace function public.transfer_account_ownership(account_id uuid, new_owner_id uuid)
returns public.accounts
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_user uuid := (select auth.uid());
  v_account public.accounts;
begin
  if v_user is null then
    raise exception 'sign in to transfer an account' using errcode = '42501';
  end if;

  select * into v_account from public.accounts a
  where a.id = transfer_account_ownership.account_id
  for no key update;
  -- Non-members get "not found", as RLS would answer them for the row itself.
  if not found or (v_account.primary_owner_user_id is distinct from v_user
                   and private.member_role(v_account.id, v_user) is null) then
    raise exception 'account_id: no such account' using errcode = 'PT404';
  end if;
  if v_account.primary_owner_user_id is distinct from v_user then
    raise exception 'only the primary owner can transfer an account' using errcode = '42501';
  end if;
  if v_account.account_type = 'personal' then
    raise exception 'account_id: a personal account cannot be transferred' using errcode = '22023';
  end if;

  -- Waits for a concurrent leave or removal to finish, then reads the row as
  -- it is after it: gone means refused.
  perform 1 from public.account_memberships m
  where m.account_id = v_account.id and m.user_id = new_owner_id
  for no key update;
  if not found then
    raise exception 'new_owner_id: not a member of the account' using errcode = 'PT404';
  end if;

  update public.account_memberships m set role = 'owner'
  where m.account_id = v_account.id and m.user_id = new_owner_id;
  if not found then
    raise exception 'new_owner_id: the membership changed during the transfer; try again' using errcode = 'PT409';
  end if;

  update public.accounts a set primary_owner_user_id = new_owner_id
  where a.id = v_account.id
  returning * into v_account;

  return v_account;
end;
$$;

comment on function public.transfer_account_ownership(uuid, uuid) is
  'Makes another member the primary owner; the previous owner stays an owner member. Locks the account, then the new owner''s membership.';

revoke execute on function public.transfer_account_ownership(uuid, uuid) from public, anon;
grant execute on function public.transfer_account_ownership(uuid, uuid) to authenticated, service_role;
