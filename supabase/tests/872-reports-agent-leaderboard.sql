-- reports.admin_agent_leaderboard: platform admins (and service_role) see
-- every agent ranked by reports, then leads, then conversions; everyone
-- else sees no rows, anon has no grant. Counts worked out by hand below.

begin;
select plan(9);

select tests.fixture() as team_a \gset
select tests.account_id('team-b') as team_b \gset
select tests.get_supabase_uid('member') as member, tests.get_supabase_uid('rival') as rival \gset

-- member: 1 market + 2 property + 1 consumer = 4 reports; 4 leads, 1 converted.
-- rival: 2 market + 1 property + 1 consumer = 4 reports; 2 leads, 2 converted.
insert into reports.report_generations (account_id, user_id) values (:'team_a', :'member'), (:'team_b', :'rival'), (:'team_b', :'rival');
insert into reports.property_reports (id, account_id, user_id, property_address) values
  ('00000000-0000-4000-e872-000000000001', :'team_a', :'member', '1 Rank St'),
  ('00000000-0000-4000-e872-000000000002', :'team_a', :'member', '2 Rank St'),
  ('00000000-0000-4000-e872-000000000003', :'team_b', :'rival', '3 Rank St');
insert into reports.consumer_reports (account_id, agent_id, consent_given, consumer_email, property_address) values
  (:'team_a', :'member', true, 'c1@example.com', '4 Rank St'), (:'team_b', :'rival', true, 'c2@example.com', '5 Rank St');
insert into reports.leads (id, account_id, property_report_id, agent_id, email, consent_given) values
  ('00000000-0000-4000-e872-000000000011', :'team_a', '00000000-0000-4000-e872-000000000001', :'member', 'l1@example.com', true),
  ('00000000-0000-4000-e872-000000000012', :'team_a', '00000000-0000-4000-e872-000000000001', :'member', 'l2@example.com', true),
  ('00000000-0000-4000-e872-000000000013', :'team_a', '00000000-0000-4000-e872-000000000002', :'member', 'l3@example.com', true),
  ('00000000-0000-4000-e872-000000000014', :'team_a', '00000000-0000-4000-e872-000000000002', :'member', 'l4@example.com', true),
  ('00000000-0000-4000-e872-000000000021', :'team_b', '00000000-0000-4000-e872-000000000003', :'rival', 'l5@example.com', true),
  ('00000000-0000-4000-e872-000000000022', :'team_b', '00000000-0000-4000-e872-000000000003', :'rival', 'l6@example.com', true);
update reports.leads set status = 'contacted' where id::text like '00000000-0000-4000-e872-00000000001_' or id::text like '00000000-0000-4000-e872-00000000002_';
update reports.leads set status = 'qualified' where id in ('00000000-0000-4000-e872-000000000011', '00000000-0000-4000-e872-000000000021', '00000000-0000-4000-e872-000000000022');
update reports.leads set status = 'converted' where id in ('00000000-0000-4000-e872-000000000011', '00000000-0000-4000-e872-000000000021', '00000000-0000-4000-e872-000000000022');
update reports.leads set status = 'lost' where id = '00000000-0000-4000-e872-000000000012';

select tests.authenticate_as('platform_admin');
select results_eq(
  format($$ select reports, market_reports, property_reports, consumer_reports, leads, conversions, conversion_rate
            from reports.admin_agent_leaderboard where agent_id = %L $$, :'member'),
  $$ values (4, 1, 2, 1, 4, 1, 25.00::numeric) $$, 'leaderboard: the member''s reports, leads, conversions and rate');
select results_eq(
  format($$ select reports, leads, conversions, conversion_rate from reports.admin_agent_leaderboard where agent_id = %L $$, :'rival'),
  $$ values (4, 2, 2, 100.00::numeric) $$, 'leaderboard: the rival''s');
select ok((select l1.rank < l2.rank from reports.admin_agent_leaderboard l1, reports.admin_agent_leaderboard l2
           where l1.agent_id = :'member' and l2.agent_id = :'rival'),
  'leaderboard: equal reports, more leads ranks higher');
select is((select count(*)::int from reports.admin_agent_leaderboard where leads = 0 and conversion_rate is not null), 0,
  'leaderboard: no rate without leads');
select tests.clear_authentication();

select is(tests.probe('owner', $$ select 1 from reports.admin_agent_leaderboard $$), 'rows=0', 'leaderboard: an account owner sees no rows');
select is(tests.probe('member', $$ select 1 from reports.admin_agent_leaderboard $$), 'rows=0', 'leaderboard: the ranked agent sees no rows');
select is(tests.probe('stranger', $$ select 1 from reports.admin_agent_leaderboard $$), 'rows=0', 'leaderboard: a stranger sees no rows');
select is(tests.probe('anon', $$ select 1 from reports.admin_agent_leaderboard $$), '42501', 'leaderboard: anon has no grant');
select isnt(tests.probe('service_role', $$ select 1 from reports.admin_agent_leaderboard $$), 'rows=0', 'leaderboard: service_role sees the rows');

select * from finish();
rollback;
