-- Reports (seed 004), part 2: schedules mail contacts and contact groups too.
-- Adds reports.schedules.recipient_contact_ids and recipient_group_ids
-- (uuid arrays beside the addresses in `recipients`: one row holds the whole
-- recipient list, written through the same column grants as `recipients`),
-- and the one resolver of who a schedule mails:
--   private.reports_schedule_addresses(p_schedule_id)  every address
--     (addresses + contacts + the groups' contacts), trimmed, lower-cased,
--     each once; the mail worker logs the suppressed ones as skipped;
--   private.reports_schedule_recipients(p_schedule_id)  the same MINUS the
--     account's suppressions and the global ones (account_id null).
--
-- Who may do what: as for the rest of a schedule, owners and admins set the
-- lists (column grants, the schedules policies); both functions are
-- service_role only (the dispatcher and mail worker).
--
-- Invariants: at most 100 ids in each list; an id added to a list must be a
-- contact / group of the schedule's own account (22023 naming the column,
-- unknown and foreign ids alike, so nothing about other accounts shows);
-- ids already on the row are not re-checked, so a contact deleted later
-- leaves a harmless stale id that resolution skips (it joins the live rows).

alter table reports.schedules
  add column recipient_contact_ids uuid[] not null default '{}'
    constraint schedules_recipient_contact_ids_size check (cardinality(recipient_contact_ids) <= 100),
  add column recipient_group_ids uuid[] not null default '{}'
    constraint schedules_recipient_group_ids_size check (cardinality(recipient_group_ids) <= 100);

comment on column reports.schedules.recipient_contact_ids is
  'Added (issue 13): contacts of the account this schedule mails, beside recipients.';
comment on column reports.schedules.recipient_group_ids is
  'Added (issue 13): contact groups of the account whose contacts this schedule mails.';

-- Definer: reads contacts and groups whatever the caller sees (the schedule's
-- account is what matters, not the caller's view).
create or replace function private.reports_schedule_recipient_ids_check()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_id uuid;
  v_old_contacts uuid[] := case when tg_op = 'UPDATE' and old.account_id = new.account_id then old.recipient_contact_ids else '{}' end;
  v_old_groups uuid[] := case when tg_op = 'UPDATE' and old.account_id = new.account_id then old.recipient_group_ids else '{}' end;
begin
  new.recipient_contact_ids := coalesce(new.recipient_contact_ids, '{}');
  new.recipient_group_ids := coalesce(new.recipient_group_ids, '{}');
  foreach v_id in array new.recipient_contact_ids loop
    if v_id is null then
      raise exception 'recipient_contact_ids: null is not a contact' using errcode = '22023';
    end if;
    if not v_id = any (v_old_contacts)
       and not exists (select 1 from reports.contacts c where c.id = v_id and c.account_id = new.account_id) then
      raise exception 'recipient_contact_ids: % is not a contact of this account', v_id using errcode = '22023';
    end if;
  end loop;
  foreach v_id in array new.recipient_group_ids loop
    if v_id is null then
      raise exception 'recipient_group_ids: null is not a group' using errcode = '22023';
    end if;
    if not v_id = any (v_old_groups)
       and not exists (select 1 from reports.contact_groups g where g.id = v_id and g.account_id = new.account_id) then
      raise exception 'recipient_group_ids: % is not a contact group of this account', v_id using errcode = '22023';
    end if;
  end loop;
  return new;
end;
$$;
revoke execute on function private.reports_schedule_recipient_ids_check() from public, anon, authenticated;

create trigger schedules_recipient_ids_check
  before insert or update of account_id, recipient_contact_ids, recipient_group_ids on reports.schedules
  for each row execute function private.reports_schedule_recipient_ids_check();

grant insert (recipient_contact_ids, recipient_group_ids) on reports.schedules to authenticated;
grant update (recipient_contact_ids, recipient_group_ids) on reports.schedules to authenticated;

create or replace function private.reports_schedule_addresses(p_schedule_id uuid)
returns table (email text)
language sql
stable
security definer
set search_path = ''
as $$
  with s as (select * from reports.schedules where id = p_schedule_id),
  addresses as (
    select lower(btrim(x)) as email from s, unnest(s.recipients) x
    union
    select c.email from s join reports.contacts c on c.account_id = s.account_id and c.id = any (s.recipient_contact_ids)
    union
    select c.email
    from s
    join reports.contact_groups g on g.account_id = s.account_id and g.id = any (s.recipient_group_ids)
    join reports.contact_group_members m on m.contact_group_id = g.id
    join reports.contacts c on c.id = m.contact_id and c.account_id = s.account_id
  )
  select a.email from addresses a where a.email is not null and a.email <> '' order by 1;
$$;

create or replace function private.reports_schedule_recipients(p_schedule_id uuid)
returns table (email text)
language sql
stable
security definer
set search_path = ''
as $$
  select a.email
  from private.reports_schedule_addresses(p_schedule_id) a
  where not exists (
    select 1
    from reports.email_suppressions x
    join reports.schedules s on s.id = p_schedule_id
    where (x.account_id = s.account_id or x.account_id is null) and lower(x.email) = a.email
  )
  order by 1;
$$;

comment on function private.reports_schedule_recipients(uuid) is
  'Who a schedule mails: recipients + its contacts + its groups'' contacts, lower-cased, once each, minus suppressions (the account''s and global). service_role.';

revoke execute on function private.reports_schedule_addresses(uuid), private.reports_schedule_recipients(uuid)
  from public, anon, authenticated;
grant execute on function private.reports_schedule_addresses(uuid), private.reports_schedule_recipients(uuid)
  to service_role;
