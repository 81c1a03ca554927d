-- reports.property_report_landing: the public page of a property report.
--   * anon and signed-in callers get exactly the page's fields: no account,
--     user or report id, no e-mail, phone or storage path anywhere;
--   * unknown, malformed, switched-off and expired codes are one PT404;
--   * every call counts a view; a visitor (trusted address + optional
--     session) counts once per report ever in view_count's unique_visitors
--     and property_report_stats.unique_views, once per day in the daily row;
--   * a forged X-Forwarded-For is not a new visitor (only cf-connecting-ip is
--     trusted).

begin;
select plan(23);

select tests.fixture() as team_a \gset
update public.profiles set first_name = 'Olive', last_name = 'Owner', avatar_url = 'https://cdn.example/olive.jpg',
  license_number = 'TX-123456', landing_page_headline = 'Selling Austin', landing_page_subheadline = 'Since 2010',
  landing_page_cta = 'Call me', phone = '+1 512 555 0199'
where id = tests.get_supabase_uid('owner');
update public.accounts set branding = '{"primary_color": "#123456", "accent_color": "not-a-colour", "logo_url": "team-a/logo.png"}'
where id = :'team_a';

insert into reports.property_reports (id, account_id, user_id, property_address, property_city, property_state, property_zip,
                                      short_code, status, pdf_url, comparables, sitex_data, theme, selected_pages)
values ('00000000-0000-4000-e811-000000000001', :'team_a', tests.get_supabase_uid('owner'), '1 Landing St', 'Austin', 'TX', '78701',
        'PAGE2345', 'completed', :'team_a' || '/property/00000000-0000-4000-e811-000000000001/report.pdf',
        jsonb_build_array(
          jsonb_build_object('address', '2 Comp St', 'sold_price', 400000, 'property_id', '00000000-0000-4000-8100-000000000001',
                             'owner_email', 'secret@example.com', 'living_area_sqft', 1500),
          jsonb_build_object('address', '3 Comp St', 'sold_price', 500000, 'seller_id', tests.get_supabase_uid('rival'))),
        '{"owner_name": "Private Person"}', 3, '["cover", "comparables", "agent"]'),
       ('00000000-0000-4000-e811-000000000002', :'team_a', tests.get_supabase_uid('owner'), '2 Off St', null, null, null,
        'SHUT2345', 'completed', null, null, null, 1, '["cover"]'),
       ('00000000-0000-4000-e811-000000000003', :'team_a', tests.get_supabase_uid('owner'), '3 Gone St', null, null, null,
        'EXPD2345', 'pending', null, null, null, 1, '["cover"]');
update reports.property_reports set is_active = false where short_code = 'SHUT2345';
update reports.property_reports set expires_at = now() - interval '1 second' where short_code = 'EXPD2345';

-- The edge sets cf-connecting-ip to the client's address.
create function pg_temp.from_ip(ip text, forwarded text default null) returns void language sql as $$
  select set_config('request.headers', json_build_object('cf-connecting-ip', ip, 'x-forwarded-for', forwarded)::text, true);
$$;

select pg_temp.from_ip('203.0.113.10');
select tests.authenticate_as_anon();
select reports.property_report_landing('page2345') as page \gset
select tests.clear_authentication();

select is((:'page'::jsonb) -> 'property', '{"address": "1 Landing St", "city": "Austin", "state": "TX", "zip": "78701"}'::jsonb,
  'the address, city, state and zip (the code is case-insensitive)');
select is(array(select jsonb_object_keys(:'page'::jsonb) order by 1),
  array['agent', 'branding', 'comparables', 'pdf_available', 'property', 'report_type', 'selected_pages', 'short_code', 'theme'],
  'exactly the page''s fields');
select is((:'page'::jsonb) -> 'agent', jsonb_build_object('name', 'Olive Owner', 'photo_url', 'https://cdn.example/olive.jpg',
  'license_number', 'TX-123456', 'headline', 'Selling Austin', 'subheadline', 'Since 2010', 'cta', 'Call me'),
  'the agent''s display name, photo, licence, headline and call to action; no e-mail or phone');
select is((:'page'::jsonb) -> 'branding', '{"display_name": "Team A", "logo_url": null, "primary_color": "#123456", "accent_color": null}'::jsonb,
  'the branding: a storage path is not a public logo, a bad colour is dropped');
select is((:'page'::jsonb) #> '{comparables,items}',
  '[{"address": "2 Comp St", "sold_price": 400000, "living_area_sqft": 1500}, {"address": "3 Comp St", "sold_price": 500000}]'::jsonb,
  'comparables keep only whitelisted keys (no property ids, seller ids or e-mails)');
select is(((:'page'::jsonb) -> 'comparables') - 'items', '{"count": 2, "median_sold_price": 450000, "min_sold_price": 400000, "max_sold_price": 500000}'::jsonb,
  'the comparables summary');
select is((:'page'::jsonb) -> 'pdf_available', 'true'::jsonb, 'the PDF is ready');
select is((:'page'::jsonb) ->> 'theme', '3', 'the theme');
select is((:'page'::jsonb) -> 'selected_pages', '["cover", "comparables", "agent"]'::jsonb, 'the selected pages');
select ok(:'page' !~* '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', 'no uuid anywhere in the answer (no account, user or report id)');
select ok(:'page' !~ '@' and :'page' !~ '555 0199' and :'page' !~ 'Private Person', 'no e-mail, phone or raw property data in the answer');

-- ---------------------------------------------------------------- refusals
select is(tests.probe('anon', $$ select reports.property_report_landing('SHUT2345') $$), 'PT404', 'a switched-off report is PT404');
select is(tests.probe('anon', $$ select reports.property_report_landing('EXPD2345') $$), 'PT404', 'an expired report is PT404');
select is(tests.probe('anon', $$ select reports.property_report_landing('NONE2345') $$), 'PT404', 'an unknown code is PT404');
select is(tests.probe('anon', $$ select reports.property_report_landing(repeat('A', 10000)) $$), 'PT404', 'a malformed code is PT404');
select is(tests.probe('anon', $$ select reports.property_report_landing(null) $$), 'PT404', 'no code is PT404');
select is(tests.probe('anon', $$ select reports.property_report_landing('PAGE2345', repeat('s', 129)) $$), '22023',
  'an oversized session id is 22023');

-- ---------------------------------------------------------------- counting
-- So far: one view by 203.0.113.10 without a session. Then: the same again,
-- the same address with a forged X-Forwarded-For, a second address, the
-- first address with a session; and one more by that session "yesterday".
select pg_temp.from_ip('203.0.113.10');
select tests.authenticate_as_anon();
select reports.property_report_landing('PAGE2345') is not null as seen \gset
select pg_temp.from_ip('203.0.113.10', '198.51.100.99');
select reports.property_report_landing('PAGE2345') is not null as seen \gset
select pg_temp.from_ip('203.0.113.11');
select reports.property_report_landing('PAGE2345') is not null as seen \gset
select pg_temp.from_ip('203.0.113.10');
select reports.property_report_landing('PAGE2345', 'session-1') is not null as seen \gset
select tests.clear_authentication();

select results_eq($$ select view_count, unique_visitors from reports.property_reports where short_code = 'PAGE2345' $$,
  $$ values (5, 3) $$, 'five views by three visitors (the forged header is the same visitor)');
select results_eq($$ select s.total_views, s.unique_views from reports.property_report_stats s
                     join reports.property_reports r on r.id = s.property_report_id where r.short_code = 'PAGE2345' $$,
  $$ values (5, 3) $$, 'property_report_stats agrees');
select results_eq($$ select d.date, d.views, d.unique_views from reports.property_report_stats_daily d
                     join reports.property_reports r on r.id = d.property_report_id where r.short_code = 'PAGE2345' $$,
  $$ values ((now() at time zone 'UTC')::date, 5, 3) $$, 'one daily row for today with the same counts');

-- The visitors seen yesterday: today's first visit is unique today but not ever.
update reports.report_visitors set day = day - 1 where property_report_id = '00000000-0000-4000-e811-000000000001';
delete from reports.property_report_stats_daily where property_report_id = '00000000-0000-4000-e811-000000000001';
select pg_temp.from_ip('203.0.113.11');
select tests.authenticate_as('stranger');
select reports.property_report_landing('PAGE2345') is not null as seen \gset
select tests.clear_authentication();
select results_eq($$ select r.view_count, r.unique_visitors, d.views, d.unique_views
                     from reports.property_reports r join reports.property_report_stats_daily d on d.property_report_id = r.id
                     where r.short_code = 'PAGE2345' $$,
  $$ values (6, 3, 1, 1) $$, 'a returning visitor is unique for the day, not ever (a signed-in caller is counted too)');
select is((select count(*)::int from reports.report_visitors where property_report_id = '00000000-0000-4000-e811-000000000001'
           and visitor_hash !~ '^[0-9a-f]{64}$'), 0, 'visitors are stored only as sha256 hashes');
select is((select count(*)::int from reports.report_visitors where visitor_hash like '%203.0.113%'), 0,
  'never the raw address');

select * from finish();
rollback;
