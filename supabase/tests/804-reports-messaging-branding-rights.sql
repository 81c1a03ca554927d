-- reports rights: email_log, email_suppressions, sms_logs, affiliate_branding.
-- One line per role (anon, stranger, owner, admin, member, platform admin,
-- service_role) and table: read / insert / update / delete, as
-- tests.rights reports them (42501 = refused, rows=N = rows seen or touched).
-- Generated rows belong to team-a; team-b's rows prove a stranger's view is
-- not the whole table.
-- Logs are the backend's; owners and admins manage their account's manual
-- suppressions and their affiliate's branding.

begin;
select plan(41);

select tests.fixture() as team_a \gset
select tests.account_id('team-b') as team_b \gset
insert into reports.email_log (id, account_id, provider, to_emails, subject) values
  ('00000000-0000-4000-e804-000000000001', :'team_a', 'local', array['a@example.com'], 'A'),
  ('00000000-0000-4000-e804-000000000002', :'team_b', 'local', array['b@example.com'], 'B');
insert into reports.email_suppressions (id, account_id, email, reason) values
  ('00000000-0000-4000-e804-000000000011', :'team_a', 'manual@example.com', 'manual'),
  ('00000000-0000-4000-e804-000000000012', :'team_a', 'unsub@example.com', 'unsubscribe'),
  ('00000000-0000-4000-e804-000000000013', :'team_b', 'manual@example.com', 'manual'),
  ('00000000-0000-4000-e804-000000000014', null, 'everywhere@example.com', 'complaint');
insert into reports.sms_logs (id, account_id, to_phone, message) values
  ('00000000-0000-4000-e804-000000000021', :'team_a', '+15125550100', 'A'),
  ('00000000-0000-4000-e804-000000000022', :'team_b', '+15125550101', 'B');
-- Two affiliate accounts with the cast's roles (aff-a has branding, aff-c not yet);
-- aff-a sponsors team-b.
insert into public.accounts (id, name, slug, account_type, primary_owner_user_id) values
  ('00000000-0000-4000-e804-0000000000a1', 'Aff A', 'aff-a', 'affiliate', tests.get_supabase_uid('owner')),
  ('00000000-0000-4000-e804-0000000000a3', 'Aff C', 'aff-c', 'affiliate', tests.get_supabase_uid('owner'));
insert into public.account_memberships (account_id, user_id, role)
select a, tests.get_supabase_uid(r), r::public.account_role
from unnest(array['00000000-0000-4000-e804-0000000000a1', '00000000-0000-4000-e804-0000000000a3']::uuid[]) a,
     unnest(array['owner', 'admin', 'member']) r;
update public.accounts set sponsor_account_id = '00000000-0000-4000-e804-0000000000a1' where id = :'team_b';
insert into reports.affiliate_branding (account_id, brand_display_name, primary_color)
values ('00000000-0000-4000-e804-0000000000a1', 'Aff A', '#101010');

-- ---------------------------------------------------------------- email_log
select $q$ select 1 from reports.email_log where id::text like '00000000-0000-4000-e804-%' and account_id = tests.account_id('team-a') $q$ as read_sql,
       $q$ insert into reports.email_log (account_id, to_emails) values (tests.account_id('team-a'), array['x@example.com']) $q$ as insert_sql,
       $q$ update reports.email_log set error = 'x' where id = '00000000-0000-4000-e804-000000000001' $q$ as update_sql,
       $q$ delete from reports.email_log where id = '00000000-0000-4000-e804-000000000001' $q$ as delete_sql \gset
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'email_log: anon reads and writes nothing');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'email_log: a stranger sees nothing and writes nothing');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'email_log: an owner reads the accounts rows, writes nothing');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'email_log: an account admin reads the accounts rows, writes nothing');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'email_log: a member reads the accounts rows, writes nothing');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'email_log: a platform admin reads everything, writes nothing');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'email_log: service_role reads and writes');

-- ---------------------------------------------------------------- email_suppressions
select $q$ select 1 from reports.email_suppressions where id = '00000000-0000-4000-e804-000000000011' $q$ as read_sql,
       $q$ insert into reports.email_suppressions (account_id, email) values (tests.account_id('team-a'), 'new@example.com') $q$ as insert_sql,
       $q$ update reports.email_suppressions set email = 'changed@example.com' where id = '00000000-0000-4000-e804-000000000011' $q$ as update_sql,
       $q$ delete from reports.email_suppressions where id = '00000000-0000-4000-e804-000000000011' $q$ as delete_sql \gset
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'email_suppressions: anon reads and writes nothing');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update rows=0, delete rows=0', 'email_suppressions: a stranger sees and changes nothing');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'email_suppressions: an owner manages them');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'email_suppressions: an account admin manages them');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=0, delete rows=0', 'email_suppressions: a member reads only');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=0, delete rows=0', 'email_suppressions: a platform admin reads only');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'email_suppressions: service_role reads and writes');

-- ---------------------------------------------------------------- sms_logs
select $q$ select 1 from reports.sms_logs where id::text like '00000000-0000-4000-e804-%' and account_id = tests.account_id('team-a') $q$ as read_sql,
       $q$ insert into reports.sms_logs (account_id, to_phone) values (tests.account_id('team-a'), '+15125550199') $q$ as insert_sql,
       $q$ update reports.sms_logs set status = 'delivered' where id = '00000000-0000-4000-e804-000000000021' $q$ as update_sql,
       $q$ delete from reports.sms_logs where id = '00000000-0000-4000-e804-000000000021' $q$ as delete_sql \gset
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'sms_logs: anon reads and writes nothing');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'sms_logs: a stranger sees nothing and writes nothing');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'sms_logs: an owner reads the accounts rows, writes nothing');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'sms_logs: an account admin reads the accounts rows, writes nothing');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'sms_logs: a member reads the accounts rows, writes nothing');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'sms_logs: a platform admin reads everything, writes nothing');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'sms_logs: service_role reads and writes');

-- ---------------------------------------------------------------- affiliate_branding
select $q$ select 1 from reports.affiliate_branding where account_id = '00000000-0000-4000-e804-0000000000a1' $q$ as read_sql,
       $q$ insert into reports.affiliate_branding (account_id, brand_display_name) values ('00000000-0000-4000-e804-0000000000a3', 'Aff C') $q$ as insert_sql,
       $q$ update reports.affiliate_branding set accent_color = '#202020' where account_id = '00000000-0000-4000-e804-0000000000a1' $q$ as update_sql,
       $q$ delete from reports.affiliate_branding where account_id = '00000000-0000-4000-e804-0000000000a1' $q$ as delete_sql \gset
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'affiliate_branding: anon reads and writes nothing');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update rows=0, delete rows=0', 'affiliate_branding: a stranger sees and changes nothing');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'affiliate_branding: an owner manages them');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'affiliate_branding: an account admin manages them');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=0, delete rows=0', 'affiliate_branding: a member reads only');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=0, delete rows=0', 'affiliate_branding: a platform admin reads only');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'affiliate_branding: service_role reads and writes');

-- ---------------------------------------------------------------- beyond the matrix
select is(tests.probe('owner', $$ update reports.email_suppressions set email = 'x@example.com' where id = '00000000-0000-4000-e804-000000000012' $$),
  'rows=0', 'email_suppressions: an unsubscribe cannot be edited away by the account');
select is(tests.probe('owner', $$ delete from reports.email_suppressions where id = '00000000-0000-4000-e804-000000000012' $$),
  'rows=0', 'email_suppressions: nor removed');
select is(tests.probe('owner', $$ update reports.email_suppressions set reason = 'unsubscribe' where id = '00000000-0000-4000-e804-000000000011' $$),
  '42501', 'email_suppressions: the reason is fixed once written');
select is(tests.probe('owner', $$ insert into reports.email_suppressions (account_id, email, reason) values (tests.account_id('team-a'), 'asked@example.com', 'unsubscribe') $$),
  'rows=1', 'email_suppressions: an owner may record an unsubscribe a recipient asked for');
select is(tests.probe('owner', $$ insert into reports.email_suppressions (account_id, email) values (null, 'all@example.com') $$),
  '42501', 'email_suppressions: only the backend suppresses an address for every account');
select is(tests.probe('owner', $$ select 1 from reports.email_suppressions where account_id is null $$),
  'rows=0', 'email_suppressions: global suppressions are not an account''s to read');
select is(tests.probe('platform_admin', $$ select 1 from reports.email_suppressions where account_id is null and id::text like '00000000-0000-4000-e804-%' $$),
  'rows=1', 'email_suppressions: a platform admin reads them');
select is(tests.probe('rival', $$ delete from reports.email_suppressions where id = '00000000-0000-4000-e804-000000000011' $$),
  'rows=0', 'email_suppressions: another account removes nothing');
select is(tests.probe('rival', $$ select 1 from reports.affiliate_branding where account_id = '00000000-0000-4000-e804-0000000000a1' $$),
  'rows=1', 'affiliate_branding: a sponsored account''s members read their sponsor''s branding');
select is(tests.probe('rival', $$ update reports.affiliate_branding set accent_color = '#303030' where account_id = '00000000-0000-4000-e804-0000000000a1' $$),
  'rows=0', 'affiliate_branding: but do not change it');
select is(tests.probe('owner', $$ insert into reports.affiliate_branding (account_id, brand_display_name) values (tests.account_id('team-a'), 'Team A') $$),
  '22023', 'affiliate_branding: an owner of a team (not an affiliate) has none');
select is(tests.probe('owner', $$ update reports.affiliate_branding set account_id = '00000000-0000-4000-e804-0000000000a3' where account_id = '00000000-0000-4000-e804-0000000000a1' $$),
  '42501', 'affiliate_branding: branding does not move to another account');
select is(tests.probe('rival', $$ select 1 from reports.sms_logs where id::text like '00000000-0000-4000-e804-%' $$),
  'rows=1', 'sms_logs: the rival sees only team-b''s');

select * from finish();
rollback;
