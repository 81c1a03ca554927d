-- Adds public.notifications, shared by every product: seed 001's free-form
-- notification_type with related listing/sale, and seed 002's
-- notification_type enum (credit_low, job_completed, payment_success,
-- payment_failed, subscription_renewal, system) with action_url.
-- Products write through private.notify(); users read, mark read and
-- delete their own.

create table public.notifications (
  id uuid primary key default extensions.gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  account_id uuid references public.accounts (id) on delete cascade,
  product text not null default 'platform'
    check (product in ('platform', 'homes', 'quicksell', 'studio', 'tools', 'reports')),
  type text not null check (type ~ '^[a-z][a-z0-9_]{1,63}$'),
  title text not null check (char_length(title) between 1 and 255),
  message text not null check (char_length(message) between 1 and 5000),
  icon_url text,
  action_url text,
  data jsonb not null default '{}'::jsonb check (jsonb_typeof(data) = 'object'),
  read boolean not null default false,
  read_at timestamptz,
  created_at timestamptz not null default now()
);

comment on table public.notifications is 'In-app notifications for every product (seeds 001 and 002 merged).';
comment on column public.notifications.data is 'Related ids, e.g. {"listing_id": ..., "sale_id": ...} (seed 001 related_*).';

create index notifications_user_id_created_at_idx on public.notifications (user_id, created_at desc);
create index notifications_user_id_unread_idx on public.notifications (user_id) where not read;
create index notifications_account_id_idx on public.notifications (account_id);

-- read_at follows read, so clients only flip the flag.
create or replace function private.notifications_stamp_read()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.read and not old.read then
    new.read_at := now();
  elsif not new.read then
    new.read_at := null;
  end if;
  return new;
end;
$$;

create trigger notifications_stamp_read
  before update of read on public.notifications
  for each row execute function private.notifications_stamp_read();

alter table public.notifications enable row level security;

revoke all on public.notifications from anon, authenticated;
grant select, delete on public.notifications to authenticated;
grant update (read) on public.notifications to authenticated;
grant all on public.notifications to service_role;

create policy "notifications: recipient reads"
  on public.notifications for select to authenticated
  using (user_id = (select auth.uid()));

create policy "notifications: recipient marks read"
  on public.notifications for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

create policy "notifications: recipient deletes"
  on public.notifications for delete to authenticated
  using (user_id = (select auth.uid()));

-- The one way products create notifications (from triggers, RPCs and, via
-- service_role, from edge functions).
create or replace function private.notify(
  p_user_id uuid,
  p_type text,
  p_title text,
  p_message text,
  p_product text default 'platform',
  p_action_url text default null,
  p_data jsonb default '{}'::jsonb,
  p_account_id uuid default null
)
returns uuid
language sql
volatile
security definer
set search_path = ''
as $$
  insert into public.notifications (user_id, account_id, product, type, title, message, action_url, data)
  values (p_user_id, p_account_id, p_product, p_type, p_title, p_message, p_action_url, coalesce(p_data, '{}'::jsonb))
  returning id;
$$;

grant execute on function private.notify(uuid, text, text, text, text, text, jsonb, uuid) to service_role;

-- Tell the inviter when someone joins through their invitation.
create or replace function private.notify_invitation_accepted()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_account_name text;
  v_joiner text;
begin
  select a.name into v_account_name from public.accounts a where a.id = new.account_id;
  select coalesce(p.full_name, p.email) into v_joiner from public.profiles p where p.id = new.accepted_by;
  perform private.notify(
    new.invited_by, 'member_joined', 'New team member',
    format('%s joined %s as %s.', v_joiner, v_account_name, new.role),
    'platform', null, jsonb_build_object('invitation_id', new.id, 'user_id', new.accepted_by), new.account_id
  );
  return new;
end;
$$;

create trigger invitations_notify_accepted
  after update of accepted_at on public.invitations
  for each row when (old.accepted_at is null and new.accepted_at is not null)
  execute function private.notify_invitation_accepted();

revoke execute on all functions in schema private from public;
