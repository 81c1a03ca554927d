-- reports.email_events (every email-provider webhook request): every role x
-- action. The account's members and platform admins read; unattributed
-- events only platform admins; nobody writes but the backend's functions
-- (service_role reads, writes only through private.reports_email_*).
-- Plus the record/finish protocol: one genuine row per provider event id,
-- redeliveries beside it as 'duplicate', forged ones 'rejected'.
begin;
select plan(18);

select tests.fixture() as team_a \gset
insert into reports.email_events (id, provider, event_ref, event_type, account_id, payload, signature_valid, status)
values ('00000000-0000-4000-a853-000000000001', 'resend', 'msg_rights', 'email.bounced', :'team_a', '{}', true, 'processed'),
       ('00000000-0000-4000-a853-000000000002', 'postmark', 'Bounce:1', 'Bounce:HardBounce', null, '{}', true, 'processed');

create temp table ev_sql (r text, i text, u text, d text);
insert into ev_sql values (
  $$ select 1 from reports.email_events where id = '00000000-0000-4000-a853-000000000001' $$,
  $$ insert into reports.email_events (provider, event_type, payload, signature_valid) values ('resend', 'x', '{}', true) $$,
  $$ update reports.email_events set status = 'ignored' where id = '00000000-0000-4000-a853-000000000001' $$,
  $$ delete from reports.email_events where id = '00000000-0000-4000-a853-000000000001' $$);
grant select on ev_sql to anon, authenticated, service_role;
create function pg_temp.ev_rights(who text) returns text language sql as $$
  select tests.rights(who, r, i, u, d) from ev_sql;
$$;

select is(pg_temp.ev_rights('anon'), 'read 42501, insert 42501, update 42501, delete 42501', 'anon: nothing');
select is(pg_temp.ev_rights('stranger'), 'read rows=0, insert 42501, update 42501, delete 42501', 'a stranger sees none');
select is(pg_temp.ev_rights('rival'), 'read rows=0, insert 42501, update 42501, delete 42501', 'another account sees none');
select is(pg_temp.ev_rights('member'), 'read rows=1, insert 42501, update 42501, delete 42501', 'a member reads the account''s events');
select is(pg_temp.ev_rights('admin'), 'read rows=1, insert 42501, update 42501, delete 42501', 'an admin reads, writes nothing');
select is(pg_temp.ev_rights('owner'), 'read rows=1, insert 42501, update 42501, delete 42501', 'the owner reads, writes nothing');
select is(pg_temp.ev_rights('platform_admin'), 'read rows=1, insert 42501, update 42501, delete 42501', 'a platform admin reads all');
select is(pg_temp.ev_rights('service_role'), 'read rows=1, insert 42501, update 42501, delete 42501',
  'service_role reads; writes only through the functions');
select is(tests.probe('owner', $$ select 1 from reports.email_events where id = '00000000-0000-4000-a853-000000000002' $$), 'rows=0',
  'an unattributed event is not the account''s');
select is(tests.probe('platform_admin', $$ select 1 from reports.email_events where id = '00000000-0000-4000-a853-000000000002' $$), 'rows=1',
  'platform admins see it');

-- ---------------------------------------------------------------- record / finish
select email_event_id as e1 from private.reports_email_record_event('resend', 'msg_853', 'email.bounced', '{"a":1}', true) \gset
select is((select outcome from private.reports_email_record_event('resend', 'msg_853', 'email.bounced', '{"a":1}', true)), 'in_progress',
  'a redelivery while the first is being applied: in progress');
select private.reports_email_finish_event(:'e1', 'processed', null, :'team_a');
select is((select (outcome, should_apply)::text from private.reports_email_record_event('resend', 'msg_853', 'email.bounced', '{"a":1}', true)),
  '(duplicate,f)', 'after it finished: a duplicate, not applied');
select is((select array_agg(status order by status) from reports.email_events where event_ref = 'msg_853'),
  array['duplicate', 'duplicate', 'processed'], 'one genuine row, the redeliveries beside it');
select is((select attempts from reports.email_events where id = :'e1'), 3, 'attempts counted');
select is((select (outcome, should_apply)::text from private.reports_email_record_event('resend', 'msg_853', 'email.bounced', '{}', false,
  null, '203.0.113.5', 'webhook-signature: no valid v1 signature')), '(rejected,f)', 'a forged copy: rejected');
select is((select error from reports.email_events where event_ref = 'msg_853' and not signature_valid), 'webhook-signature: no valid v1 signature',
  'with why');

select email_event_id as e2 from private.reports_email_record_event('postmark', 'Bounce:853', 'Bounce', '{}', true) \gset
select private.reports_email_finish_event(:'e2', 'failed', 'db down');
select is((select (outcome, should_apply)::text from private.reports_email_record_event('postmark', 'Bounce:853', 'Bounce', '{}', true)),
  '(failed,t)', 'a failed event is applied again on redelivery');
select is(tests.probe('owner', $$ select * from private.reports_email_record_event('resend', 'x', 'x', '{}', true) $$), '42501',
  'clients cannot record events');

select * from finish();
rollback;
