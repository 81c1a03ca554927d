-- Reports demo data: contacts and contact groups (issue 13), for the local
-- stack only. Acme Realty and Harbor Homes each have contacts of several
-- types in groups (one contact in two groups, one in none, one suppressed),
-- and one schedule of each mails a group and a contact besides its
-- addresses, so private.reports_schedule_recipients has something to
-- resolve (Acme's weekly Austin schedule: its two addresses + the Buyers
-- group + Frank, minus bounced@acme.example).
-- ids 00000000-0000-4000-8550-0000000000NN

begin;

insert into reports.contacts (id, account_id, name, email, type, notes, created_at) values
  ('00000000-0000-4000-8550-000000000001', '10000000-0000-4000-8000-000000000001', 'Priya Patel', 'priya@clients.example', 'client', 'Closed on 12 Oak St.', now() - interval '30 days'),
  ('00000000-0000-4000-8550-000000000002', '10000000-0000-4000-8000-000000000001', 'Marco Ruiz', 'marco@clients.example', 'prospect', null, now() - interval '20 days'),
  ('00000000-0000-4000-8550-000000000003', '10000000-0000-4000-8000-000000000001', 'Bounced Buyer', 'bounced@acme.example', 'prospect', 'Address bounces.', now() - interval '18 days'),
  ('00000000-0000-4000-8550-000000000004', '10000000-0000-4000-8000-000000000001', 'Frank Lender', 'frank@lender.example', 'vendor', null, now() - interval '10 days'),
  ('00000000-0000-4000-8550-000000000005', '10000000-0000-4000-8000-000000000001', 'Nadia Agent', 'nadia@otherbroker.example', 'agent', null, now() - interval '5 days'),
  ('00000000-0000-4000-8550-000000000011', '10000000-0000-4000-8000-000000000002', 'Sam Seller', 'sam@harbor-clients.example', 'client', null, now() - interval '15 days'),
  ('00000000-0000-4000-8550-000000000012', '10000000-0000-4000-8000-000000000002', 'Tess Investor', 'tess@harbor-clients.example', 'prospect', 'Wants monthly Denver numbers.', now() - interval '12 days'),
  -- Same address as an Acme contact: unique per account, not across accounts.
  ('00000000-0000-4000-8550-000000000013', '10000000-0000-4000-8000-000000000002', 'Priya Patel', 'priya@clients.example', 'other', null, now() - interval '3 days');

insert into reports.contact_groups (id, account_id, name, created_at) values
  ('00000000-0000-4000-8550-000000000021', '10000000-0000-4000-8000-000000000001', 'Buyers', now() - interval '25 days'),
  ('00000000-0000-4000-8550-000000000022', '10000000-0000-4000-8000-000000000001', 'Past clients', now() - interval '25 days'),
  ('00000000-0000-4000-8550-000000000023', '10000000-0000-4000-8000-000000000002', 'Denver investors', now() - interval '11 days');

insert into reports.contact_group_members (contact_group_id, contact_id) values
  ('00000000-0000-4000-8550-000000000021', '00000000-0000-4000-8550-000000000001'),
  ('00000000-0000-4000-8550-000000000021', '00000000-0000-4000-8550-000000000002'),
  ('00000000-0000-4000-8550-000000000021', '00000000-0000-4000-8550-000000000003'),
  ('00000000-0000-4000-8550-000000000022', '00000000-0000-4000-8550-000000000001'),
  ('00000000-0000-4000-8550-000000000023', '00000000-0000-4000-8550-000000000011'),
  ('00000000-0000-4000-8550-000000000023', '00000000-0000-4000-8550-000000000012');

update reports.schedules
set recipient_group_ids = array['00000000-0000-4000-8550-000000000021']::uuid[],
    recipient_contact_ids = array['00000000-0000-4000-8550-000000000004']::uuid[]
where id = '00000000-0000-4000-8510-000000000001';
update reports.schedules
set recipient_group_ids = array['00000000-0000-4000-8550-000000000023']::uuid[],
    recipient_contact_ids = array['00000000-0000-4000-8550-000000000013']::uuid[]
where id = '00000000-0000-4000-8510-000000000003';

commit;
