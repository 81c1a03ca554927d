-- Reports (seed 004), part 2: contacts and contact groups, every seed column:
--   reports.contacts (id, account_id, name, email, type, notes, created_at, updated_at)
--   reports.contact_groups (id, account_id, name, created_at)
--   reports.contact_group_members (contact_group_id, contact_id), primary key both.
-- Contacts are an account's report recipients (schedules name them or their
-- groups: 20261202310100) and its small CRM; the CSV import function
-- reports-contacts-import writes them under the caller's RLS.
--
-- Who may do what:
--   * the account's members (owner, admin, member) read, add, change and
--     remove its contacts, groups and group links (issue 13: "members manage
--     them"); platform admins read everything; strangers and anon nothing;
--   * a contact or group never moves to another account (account_id is not
--     in the update grant); created_at / updated_at are the database's.
--
-- Invariants:
--   * email is required, trimmed and lower-cased, at most 254 characters and
--     shaped like an address; unique per account (case-insensitive: the index
--     is on lower(email), the stored value is lower-case anyway);
--   * type is one of client, prospect, agent, vendor, other (default other);
--     name at most 200 characters, notes at most 2000;
--   * a group's name is 1-100 characters, unique per account ignoring case;
--   * a group and a contact are linked only when they belong to the same
--     account (trigger, 42501 otherwise, whoever writes, service_role too);
--   * bad input is 22023 naming the field ("email: ...") from a BEFORE
--     trigger, so a client reads which field; the CHECKs stay as the backstop.

create table reports.contacts (
  id uuid primary key default extensions.gen_random_uuid(),
  account_id uuid not null references public.accounts (id) on delete cascade,
  name text check (char_length(name) <= 200),
  email text not null check (char_length(email) <= 254 and email ~ '^[^[:space:]@]+@[^[:space:]@]+\.[^[:space:]@]+$'),
  type text not null default 'other' check (type in ('client', 'prospect', 'agent', 'vendor', 'other')),
  notes text check (char_length(notes) <= 2000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

comment on table reports.contacts is
  'Reports (seed 004): an account''s contacts (report recipients, CRM); the account''s members manage them.';
comment on column reports.contacts.email is 'Lower-cased on write; unique per account.';

create index contacts_account_id_idx on reports.contacts (account_id);
create unique index contacts_account_id_email_key on reports.contacts (account_id, lower(email));

create table reports.contact_groups (
  id uuid primary key default extensions.gen_random_uuid(),
  account_id uuid not null references public.accounts (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 100),
  created_at timestamptz not null default now()
);

comment on table reports.contact_groups is
  'Reports (seed 004): named groups of an account''s contacts, usable as schedule recipients.';

create index contact_groups_account_id_idx on reports.contact_groups (account_id);
create unique index contact_groups_account_id_name_key on reports.contact_groups (account_id, lower(name));

create table reports.contact_group_members (
  contact_group_id uuid not null references reports.contact_groups (id) on delete cascade,
  contact_id uuid not null references reports.contacts (id) on delete cascade,
  primary key (contact_group_id, contact_id)
);

comment on table reports.contact_group_members is
  'Reports (seed 004): which contacts are in which group (both of the same account).';

create index contact_group_members_contact_id_idx on reports.contact_group_members (contact_id);

-- ---------------------------------------------------------------- triggers
create trigger contacts_set_updated_at before update on reports.contacts
  for each row execute function private.set_updated_at();

create or replace function private.reports_contact_check()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.email := lower(btrim(new.email));
  if new.email is null or new.email = '' then
    raise exception 'email: an email address is required' using errcode = '22023';
  end if;
  if char_length(new.email) > 254 or new.email !~ '^[^[:space:]@]+@[^[:space:]@]+\.[^[:space:]@]+$' then
    raise exception 'email: "%" is not an email address', left(new.email, 254) using errcode = '22023';
  end if;
  new.name := nullif(btrim(new.name), '');
  if char_length(new.name) > 200 then
    raise exception 'name: at most 200 characters' using errcode = '22023';
  end if;
  new.type := coalesce(lower(btrim(new.type)), 'other');
  if new.type not in ('client', 'prospect', 'agent', 'vendor', 'other') then
    raise exception 'type: one of client, prospect, agent, vendor, other' using errcode = '22023';
  end if;
  if char_length(new.notes) > 2000 then
    raise exception 'notes: at most 2000 characters' using errcode = '22023';
  end if;
  return new;
end;
$$;
revoke execute on function private.reports_contact_check() from public, anon, authenticated;

create trigger contacts_check
  before insert or update of email, name, type, notes on reports.contacts
  for each row execute function private.reports_contact_check();

create or replace function private.reports_contact_group_check()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.name := btrim(new.name);
  if new.name is null or char_length(new.name) not between 1 and 100 then
    raise exception 'name: a group name of 1-100 characters is required' using errcode = '22023';
  end if;
  return new;
end;
$$;
revoke execute on function private.reports_contact_group_check() from public, anon, authenticated;

create trigger contact_groups_check
  before insert or update of name on reports.contact_groups
  for each row execute function private.reports_contact_group_check();

-- Definer: compares the two rows' accounts whatever the caller may see. An
-- unknown id is left to the foreign key (23503).
create or replace function private.reports_contact_group_member_check()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_group_account uuid;
  v_contact_account uuid;
begin
  select g.account_id into v_group_account from reports.contact_groups g where g.id = new.contact_group_id;
  select c.account_id into v_contact_account from reports.contacts c where c.id = new.contact_id;
  if v_group_account is not null and v_contact_account is not null and v_group_account <> v_contact_account then
    raise exception 'contact_id: the contact belongs to another account than the group' using errcode = '42501';
  end if;
  return new;
end;
$$;
revoke execute on function private.reports_contact_group_member_check() from public, anon, authenticated;

create trigger contact_group_members_same_account
  before insert or update on reports.contact_group_members
  for each row execute function private.reports_contact_group_member_check();

-- ---------------------------------------------------------------- grants
revoke all on reports.contacts, reports.contact_groups, reports.contact_group_members
  from anon, authenticated, service_role;

grant select on reports.contacts, reports.contact_groups, reports.contact_group_members to authenticated;
grant insert (account_id, name, email, type, notes) on reports.contacts to authenticated;
grant update (name, email, type, notes) on reports.contacts to authenticated;
grant delete on reports.contacts to authenticated;
grant insert (account_id, name) on reports.contact_groups to authenticated;
grant update (name) on reports.contact_groups to authenticated;
grant delete on reports.contact_groups to authenticated;
-- A link is added or removed, never edited.
grant insert (contact_group_id, contact_id) on reports.contact_group_members to authenticated;
grant delete on reports.contact_group_members to authenticated;

grant all on reports.contacts, reports.contact_groups, reports.contact_group_members to service_role;

-- ---------------------------------------------------------------- RLS
alter table reports.contacts enable row level security;
alter table reports.contact_groups enable row level security;
alter table reports.contact_group_members enable row level security;

create policy "contacts: the account's members and platform admins read"
  on reports.contacts for select to authenticated
  using (account_id in (select private.my_account_ids()) or (select private.is_platform_admin()));
create policy "contacts: the account's members add"
  on reports.contacts for insert to authenticated
  with check (account_id in (select private.my_account_ids()));
create policy "contacts: the account's members change"
  on reports.contacts for update to authenticated
  using (account_id in (select private.my_account_ids()))
  with check (account_id in (select private.my_account_ids()));
create policy "contacts: the account's members remove"
  on reports.contacts for delete to authenticated
  using (account_id in (select private.my_account_ids()));

create policy "contact_groups: the account's members and platform admins read"
  on reports.contact_groups for select to authenticated
  using (account_id in (select private.my_account_ids()) or (select private.is_platform_admin()));
create policy "contact_groups: the account's members add"
  on reports.contact_groups for insert to authenticated
  with check (account_id in (select private.my_account_ids()));
create policy "contact_groups: the account's members change"
  on reports.contact_groups for update to authenticated
  using (account_id in (select private.my_account_ids()))
  with check (account_id in (select private.my_account_ids()));
create policy "contact_groups: the account's members remove"
  on reports.contact_groups for delete to authenticated
  using (account_id in (select private.my_account_ids()));

create policy "contact_group_members: the group's members and platform admins read"
  on reports.contact_group_members for select to authenticated
  using (
    contact_group_id in (select g.id from reports.contact_groups g where g.account_id in (select private.my_account_ids()))
    or (select private.is_platform_admin())
  );
create policy "contact_group_members: the group's members add"
  on reports.contact_group_members for insert to authenticated
  with check (
    contact_group_id in (select g.id from reports.contact_groups g where g.account_id in (select private.my_account_ids()))
    and contact_id in (select c.id from reports.contacts c where c.account_id in (select private.my_account_ids()))
  );
create policy "contact_group_members: the group's members remove"
  on reports.contact_group_members for delete to authenticated
  using (
    contact_group_id in (select g.id from reports.contact_groups g where g.account_id in (select private.my_account_ids()))
  );
