-- reports.track_report_event: events on consumer reports, from anyone.
--   * only open, page_view, cta_click, share; event_data an object of at
--     most 2 KB; session ids at most 128 characters; known device types;
--     every refusal 22023 naming the field, an unknown report PT404;
--   * an 'open' counts view_count, and unique_views once per visitor
--     (trusted address + session), whatever the day; other events count
--     nothing; the account's members read the events, nobody else.

begin;
select plan(18);

select tests.fixture() as team_a \gset
insert into reports.consumer_reports (id, account_id, agent_id, consent_given, consumer_email, property_address)
values ('00000000-0000-4000-e813-000000000001', :'team_a', tests.get_supabase_uid('member'), true, 'c@example.com', '1 Event St');
select '00000000-0000-4000-e813-000000000001' as rid \gset

create function pg_temp.track(event text, data jsonb default '{}', session text default null, device text default null)
returns text language sql as $$
  select tests.probe('anon', format('select reports.track_report_event(%L, %L, %L, %L, %L)',
    '00000000-0000-4000-e813-000000000001', event, data, session, device));
$$;
select set_config('request.headers', '{"cf-connecting-ip": "203.0.113.20"}', true);

-- ---------------------------------------------------------------- refusals
select throws_ok(format($$ select reports.track_report_event(%L, 'purchase', '{}', null, null) $$, :'rid'),
  '22023', 'event_type: one of open, page_view, cta_click, share', 'an unknown event type is refused');
select is(pg_temp.track(null), '22023', 'an event type is required');
select is(pg_temp.track('open', '[1, 2]'), '22023', 'event_data must be an object');
select throws_ok(format($$ select reports.track_report_event(%L, 'share', %L, null, null) $$, :'rid', jsonb_build_object('x', repeat('y', 2100))),
  '22023', 'event_data: at most 2048 bytes', 'event_data is capped at 2 KB');
select is(pg_temp.track('open', '{}', repeat('s', 129)), '22023', 'a session id is at most 128 characters');
select is(pg_temp.track('open', '{}', null, 'fridge'), '22023', 'an unknown device type is refused');
select is(tests.probe('anon', $$ select reports.track_report_event('00000000-0000-4000-e813-0000000000ff', 'open', '{}', null, null) $$),
  'PT404', 'an unknown report is PT404');
select is((select count(*)::int from reports.report_analytics where report_id = :'rid'), 0, 'nothing was recorded by the refusals');

-- ---------------------------------------------------------------- counting
select tests.authenticate_as_anon();
select reports.track_report_event(:'rid', 'open', null, 'sess-a', 'mobile');
select reports.track_report_event(:'rid', 'open', '{}', 'sess-a', 'mobile');
select reports.track_report_event(:'rid', 'page_view', '{"page": "estimate"}', 'sess-a', 'mobile');
select reports.track_report_event(:'rid', 'cta_click', '{"cta": "call"}', 'sess-a', 'mobile');
select reports.track_report_event(:'rid', 'open', '{}', 'sess-b', 'desktop');
select reports.track_report_event(:'rid', 'share', '{"channel": "sms"}', '', null);
select tests.clear_authentication();

select results_eq(format($$ select view_count, unique_views from reports.consumer_reports where id = %L $$, :'rid'),
  $$ values (3, 2) $$, 'three opens by two visitors; other events count no views');
select bag_eq(format($$ select event_type, event_data, session_id, device_type from reports.report_analytics where report_id = %L $$, :'rid'),
  $$ values ('open'::text, '{}'::jsonb, 'sess-a'::text, 'mobile'::text), ('open', '{}', 'sess-a', 'mobile'),
     ('page_view', '{"page": "estimate"}', 'sess-a', 'mobile'), ('cta_click', '{"cta": "call"}', 'sess-a', 'mobile'),
     ('open', '{}', 'sess-b', 'desktop'), ('share', '{"channel": "sms"}', null, null) $$,
  'every event is recorded as sent (an empty session is none)');

-- Days later, the same visitor opens again: a view, not a new visitor.
update reports.report_visitors set day = day - 3 where consumer_report_id = :'rid';
select tests.authenticate_as('stranger');
select reports.track_report_event(:'rid', 'open', '{}', 'sess-a', 'tablet');
select tests.clear_authentication();
select results_eq(format($$ select view_count, unique_views from reports.consumer_reports where id = %L $$, :'rid'),
  $$ values (4, 2) $$, 'a returning visitor is not unique again (signed-in callers may track too)');
select set_config('request.headers', '{"cf-connecting-ip": "198.51.100.7"}', true);
select tests.authenticate_as_anon();
select reports.track_report_event(:'rid', 'open', '{}', 'sess-a', 'mobile');
select tests.clear_authentication();
select results_eq(format($$ select view_count, unique_views from reports.consumer_reports where id = %L $$, :'rid'),
  $$ values (5, 3) $$, 'the same session from another address is another visitor');

-- ---------------------------------------------------------------- who reads the events
select is(tests.probe('member', format($$ select 1 from reports.report_analytics where report_id = %L $$, :'rid')), 'rows=8',
  'the account''s members read the events');
select is(tests.probe('rival', format($$ select 1 from reports.report_analytics where report_id = %L $$, :'rid')), 'rows=0',
  'another account does not');
select is(tests.probe('anon', $$ select 1 from reports.report_analytics $$), '42501', 'anon reads no events directly');
select is(tests.probe('anon', format($$ insert into reports.report_analytics (report_id, event_type) values (%L, 'open') $$, :'rid')),
  '42501', 'anon cannot insert events around the RPC');
select is(tests.probe('member', format($$ update reports.consumer_reports set view_count = 1000 where id = %L $$, :'rid')),
  '42501', 'members cannot set the counters');
select ok(has_function_privilege('anon', 'reports.track_report_event(uuid,text,jsonb,text,text)', 'execute'), 'anon may call it');

select * from finish();
rollback;
