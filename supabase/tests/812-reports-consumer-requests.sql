-- reports.request_consumer_report: a consumer asks an agent for a report.
--   * consent and a contact are required (22023 naming the field); emails
--     and phones (E.164) are validated, sizes capped;
--   * an unknown or suspended agent is PT404;
--   * the row is the agent's account's, 'pending', with the agent's code;
--     the render is queued once on reports.render and the agent notified
--     (product 'reports');
--   * at most 3 requests a day per contact and agent (PT429).

begin;
select plan(27);

select tests.fixture() as team_a \gset
select agent_code as code from public.profiles where id = tests.get_supabase_uid('member') \gset
select agent_code as stranger_code from public.profiles where id = tests.get_supabase_uid('stranger') \gset

create function pg_temp.ask(email text, phone text, consent boolean default true, code text default null,
                            address text default '1 Consumer St', zip text default '78701')
returns text language sql as $$
  select tests.probe('anon', format('select reports.request_consumer_report(%L, %L, %L, %L, %L, %L, %L, %L)',
    coalesce(code, (select agent_code from public.profiles where id = tests.get_supabase_uid('member'))),
    email, phone, consent, address, 'Austin', 'TX', zip));
$$;

-- ---------------------------------------------------------------- refusals
select throws_ok(format($$ select reports.request_consumer_report(%L, 'c@example.com', null, false, '1 St', null, null, null) $$, :'code'),
  '22023', 'consent: the consumer must agree to be contacted', 'no consent, no report');
select throws_ok(format($$ select reports.request_consumer_report(%L, 'c@example.com', null, null, '1 St', null, null, null) $$, :'code'),
  '22023', 'consent: the consumer must agree to be contacted', 'consent left out is no consent');
select throws_ok(format($$ select reports.request_consumer_report(%L, null, '  ', true, '1 St', null, null, null) $$, :'code'),
  '22023', 'email: give an email address or a phone number', 'no contact, no report');
select is(pg_temp.ask('not-an-email', null), '22023', 'a malformed email is refused');
select is(pg_temp.ask(repeat('a', 250) || '@example.com', null), '22023', 'an oversized email is refused');
select is(pg_temp.ask(null, '5125550100'), '22023', 'a phone without its country code is refused');
select is(pg_temp.ask(null, '+1 512 555 0100 ext 9'), '22023', 'a phone with letters is refused');
select is(pg_temp.ask('c@example.com', null, address => ''), '22023', 'an address is required');
select is(pg_temp.ask('c@example.com', null, address => repeat('x', 301)), '22023', 'an oversized address is refused');
select is(pg_temp.ask('c@example.com', null, zip => '<script>'), '22023', 'a malformed zip is refused');
select is(pg_temp.ask('c@example.com', null, code => 'NOSUCH22'), 'PT404', 'an unknown agent is PT404');
select is(pg_temp.ask('c@example.com', null, code => repeat('A', 5000)), 'PT404', 'an oversized agent code is PT404');
update public.profiles set account_status = 'suspended' where id = tests.get_supabase_uid('admin');
select is(pg_temp.ask('c@example.com', null, code => (select agent_code from public.profiles where id = tests.get_supabase_uid('admin'))),
  'PT404', 'a suspended agent is PT404');

-- ---------------------------------------------------------------- a request
select tests.authenticate_as_anon();
select reports.request_consumer_report(lower(:'code'), ' Buyer@Example.COM ', '+1 (512) 555-0100', true, ' 12 Oak St ', 'Austin', 'TX', '78704') as req \gset
select tests.clear_authentication();

select results_eq(format($$ select account_id, agent_id, agent_code, consumer_email, consumer_phone, consent_given, property_address, status
                            from reports.consumer_reports where id = %L $$, :'req'),
  format($$ values (%L::uuid, %L::uuid, %L::text, 'buyer@example.com'::text, '+15125550100'::text, true, '12 Oak St'::text, 'pending'::text) $$,
         :'team_a', tests.get_supabase_uid('member'), :'code'),
  'a pending report of the agent''s team, contact normalised, code case-insensitive');
select results_eq(format($$ select queue, payload, account_id from public.jobs where payload ->> 'id' = %L $$, :'req'),
  format($$ values ('reports.render'::text, jsonb_build_object('kind', 'consumer_report', 'id', %L::text), %L::uuid) $$, :'req', :'team_a'),
  'one render job on reports.render');
select results_eq(format($$ select user_id, product, type, account_id, data from public.notifications where data ->> 'consumer_report_id' = %L $$, :'req'),
  format($$ values (%L::uuid, 'reports'::text, 'consumer_report_requested'::text, %L::uuid, jsonb_build_object('consumer_report_id', %L::text)) $$,
         tests.get_supabase_uid('member'), :'team_a', :'req'),
  'the agent is notified (product reports)');
select is(tests.probe('member', format($$ select 1 from public.notifications where data ->> 'consumer_report_id' = %L $$, :'req')),
  'rows=1', 'the agent sees the notification');

-- An agent in no team: their personal account.
select tests.authenticate_as_anon();
select reports.request_consumer_report(:'stranger_code', null, '+447700900123', true, '9 Solo Rd', null, null, null) as solo \gset
select tests.clear_authentication();
select is((select account_id from reports.consumer_reports where id = :'solo'), tests.get_supabase_uid('stranger'),
  'an agent in no team gets it in their personal account');

-- ---------------------------------------------------------------- who sees it
select is(tests.probe('owner', format($$ select 1 from reports.consumer_reports where id = %L $$, :'req')), 'rows=1',
  'the agent''s account owner reads it');
select is(tests.probe('rival', format($$ select 1 from reports.consumer_reports where id = %L $$, :'req')), 'rows=0',
  'another account does not');
select is(tests.probe('anon', format($$ select 1 from reports.consumer_reports where id = %L $$, :'req')), '42501',
  'anon cannot read it back');

-- ---------------------------------------------------------------- the daily limit
select is(pg_temp.ask('buyer@example.com', null), 'rows=1', 'a second request by the same contact is fine');
select tests.authenticate_as_anon();
select reports.request_consumer_report(:'code', 'buyer@example.com', '+15125550100', true, '13 Oak St', null, null, null) is not null as second \gset
select reports.request_consumer_report(:'code', 'buyer@example.com', '+15125550100', true, '14 Oak St', null, null, null) is not null as third \gset
select tests.clear_authentication();
select is(pg_temp.ask('buyer@example.com', null), 'PT429', 'a fourth request the same day by the same email is PT429');
select is(pg_temp.ask(null, '+15125550100'), 'PT429', 'and by the same phone');
select is(pg_temp.ask('other@example.com', null), 'rows=1', 'another contact may still ask');
select is(pg_temp.ask('buyer@example.com', null, code => :'stranger_code'), 'rows=1', 'and the same contact may ask another agent');

select ok(has_function_privilege('anon', 'reports.request_consumer_report(text,text,text,boolean,text,text,text,text)', 'execute'),
  'anon may call it');

select * from finish();
rollback;
