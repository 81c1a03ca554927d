-- Reports rendering helpers (20261202220200) and property report creation
-- (20261202220300).
--   * reports.create_property_report: owners, admins and members of the
--     account; anon, strangers, another team's owner and affiliates may not
--     (42501); every field checked (22023 naming it: theme 1-5,
--     selected_pages from the fixed list without repeats, address, ZIP,
--     report type, expiry); the row is pending with its pages in report
--     order, one reports.property_report usage unit under
--     'property_report:<id>', one job on reports.render keyed the same;
--     past the Free plan's 3 a month: PT402 and nothing created;
--   * private.reports_value_subject: finds the subject (address case and
--     spaces ignored, in its ZIP), values it with the Homes engine, prints
--     comparables' addresses only for homes on the public market; an
--     unknown subject says so;
--   * private.reports_fail_abandoned: reports whose job is dead are failed
--     (market with the job's error), others untouched;
--   * only service_role calls the private helpers.
begin;
select plan(34);

select tests.fixture() as team \gset
select tests.create_supabase_user('rp_affiliate_841') as affiliate_user \gset
insert into public.account_memberships (account_id, user_id, role) values (:'team', :'affiliate_user', 'affiliate');

-- ---------------------------------------------------------------- who may create
select tests.authenticate_as_anon();
select throws_ok(format($$ select reports.create_property_report(%L, '1 Main St') $$, :'team'), '42501', null, 'anon cannot create');
select tests.authenticate_as('stranger');
select throws_ok(format($$ select reports.create_property_report(%L, '1 Main St') $$, :'team'), '42501',
  'account_id: only owners, admins and members create reports', 'a stranger cannot');
select tests.authenticate_as('rival');
select throws_ok(format($$ select reports.create_property_report(%L, '1 Main St') $$, :'team'), '42501',
  'account_id: only owners, admins and members create reports', 'another team''s owner cannot');
select tests.authenticate_as('rp_affiliate_841');
select throws_ok(format($$ select reports.create_property_report(%L, '1 Main St') $$, :'team'), '42501',
  'account_id: only owners, admins and members create reports', 'an affiliate cannot (a report is metered)');

select tests.authenticate_as('member');
select reports.create_property_report(:'team', '  12   Elm  Street ', 'Austin', 'TX', '78701', 4, '["agent", "cover", "estimate"]') as p1 \gset
select tests.clear_authentication();
select results_eq(format($$ select status, property_address, theme, selected_pages, user_id, report_type from reports.property_reports where id = %L $$, :'p1'),
  format($$ values ('pending'::text, '12 Elm Street'::text, 4, '["cover", "estimate", "agent"]'::jsonb, %L::uuid, 'cma'::text) $$, tests.get_supabase_uid('member')),
  'a member''s report is pending, address tidied, pages in report order');
select results_eq(format($$ select units, reference_id from public.usage_events where account_id = %L and idempotency_key = 'property_report:' || %L $$, :'team', :'p1'),
  format($$ values (1, %L::text) $$, :'p1'), 'one unit of reports.property_report');
select results_eq(format($$ select queue, payload, idempotency_key from public.jobs where idempotency_key = 'property_report:' || %L $$, :'p1'),
  format($$ values ('reports.render'::text, jsonb_build_object('kind', 'property_report', 'id', %L::uuid), 'property_report:' || %L) $$, :'p1', :'p1'),
  'one job on reports.render');

select tests.authenticate_as('owner');
select lives_ok(format($$ select reports.create_property_report(%L, '3 Oak Ave') $$, :'team'), 'an owner may, with every page by default');
select tests.clear_authentication();
select is((select selected_pages from reports.property_reports where property_address = '3 Oak Ave' and account_id = :'team'),
  '["cover", "property", "comparables", "market", "estimate", "agent"]'::jsonb, 'default: every page');
select is(private.reports_property_pages(), array['cover', 'property', 'comparables', 'market', 'estimate', 'agent'], 'the fixed page list');

-- ---------------------------------------------------------------- bad input
select tests.authenticate_as('admin');
select throws_ok(format($$ select reports.create_property_report(%L, '1 Main St', p_theme => 0) $$, :'team'), '22023', 'theme: a number from 1 to 5', 'theme 0');
select throws_ok(format($$ select reports.create_property_report(%L, '1 Main St', p_theme => 6) $$, :'team'), '22023', 'theme: a number from 1 to 5', 'theme 6');
select throws_ok(format($$ select reports.create_property_report(%L, '1 Main St', p_selected_pages => '[]') $$, :'team'), '22023', null, 'no pages');
select throws_ok(format($$ select reports.create_property_report(%L, '1 Main St', p_selected_pages => '["cover", "appendix"]') $$, :'team'), '22023',
  'selected_pages: unknown page appendix; pages are cover, property, comparables, market, estimate, agent', 'an unknown page');
select throws_ok(format($$ select reports.create_property_report(%L, '1 Main St', p_selected_pages => '["cover", "cover"]') $$, :'team'), '22023',
  'selected_pages: a page appears twice', 'a repeated page');
select throws_ok(format($$ select reports.create_property_report(%L, '1 Main St', p_selected_pages => '[1]') $$, :'team'), '22023', null, 'a page that is not text');
select throws_ok(format($$ select reports.create_property_report(%L, '1 Main St', p_selected_pages => '{"cover": true}') $$, :'team'), '22023', null, 'pages not a list');
select throws_ok(format($$ select reports.create_property_report(%L, '   ') $$, :'team'), '22023', 'property_address: 1 to 300 characters', 'a blank address');
select throws_ok(format($$ select reports.create_property_report(%L, '1 Main St', p_property_zip => '<script>') $$, :'team'), '22023',
  'property_zip: 2 to 12 letters, digits, spaces or dashes', 'a ZIP that is not one');
select throws_ok(format($$ select reports.create_property_report(%L, '1 Main St', p_report_type => 'appraisal') $$, :'team'), '22023',
  'report_type: one of cma, seller, buyer, listing', 'an unknown report type');
select throws_ok(format($$ select reports.create_property_report(%L, '1 Main St', p_expires_at => now() - interval '1 day') $$, :'team'), '22023',
  'expires_at: must be in the future', 'an expiry in the past');
-- Free plan: 3 property reports a month; two were made above.
select lives_ok(format($$ select reports.create_property_report(%L, '5 Third St') $$, :'team'), 'the third is within the allowance');
select throws_ok(format($$ select reports.create_property_report(%L, '6 Fourth St') $$, :'team'), 'PT402', null, 'the fourth is refused');
select tests.clear_authentication();
select is((select count(*)::int from reports.property_reports where account_id = :'team' and property_address = '6 Fourth St'), 0, 'and nothing was created');

-- ---------------------------------------------------------------- the valuation of a subject
insert into homes.properties (owner_id, address, city, state, postal_code, bedrooms, bathrooms, living_area_sqft, lot_size_sqft, year_built, last_sold_price, last_sold_at, is_listed)
select tests.get_supabase_uid('owner'), a, 'Valtown841', 'TX', 'V841', 3, 2, 2000, 5000, 2000, p, case when p is not null then current_date - 30 end, l
from (values ('10 Subject Rd', null::numeric, false), ('1 Public Way', 400000, true), ('2 Private Way', 420000, false), ('3 Private Way', 380000, false))
     v(a, p, l);
select is((private.reports_value_subject('10  subject rd', 'elsewhere', 'V841') ->> 'estimate')::numeric, 400000::numeric,
  'the subject is found (case and spaces ignored, by ZIP) and valued: $200/sqft x 2,000');
select is((select jsonb_agg(c ->> 'address' order by c ->> 'price') from jsonb_array_elements(private.reports_value_subject('10 Subject Rd', null, 'V841') -> 'comparables') c),
  '[null, "1 Public Way", null]'::jsonb, 'only the listed home''s address is given');
select is(private.reports_value_subject('10 Subject Rd', null, 'V841') -> 'subject', '{}'::jsonb, 'a private subject''s facts stay out');
select is(private.reports_value_subject('404 Nowhere', null, 'V841') ->> 'property_id', null, 'an unknown subject has no valuation');
select throws_ok($$ select private.reports_value_subject(' ', null, 'V841') $$, '22023', 'property_address: required', 'a blank address');

-- ---------------------------------------------------------------- reports whose job died
select private.reports_create_generation(:'team', tests.get_supabase_uid('member'),
  '{"cities": ["Austin"], "period_start": "2026-10-01", "period_end": "2026-10-31"}') as g1 \gset
update public.jobs set status = 'dead', last_error = 'lease expired: worker w did not finish' where idempotency_key = :'g1';
update public.jobs set status = 'dead', last_error = 'boom' where idempotency_key = 'property_report:' || :'p1';
select is(private.reports_fail_abandoned() >= 2, true, 'the sweep fails reports whose jobs died');
select results_eq(format($$ select status, error_message from reports.report_generations where id = %L $$, :'g1'),
  $$ values ('failed'::text, 'market report failed: lease expired: worker w did not finish'::text) $$, 'with the job''s last error');
select is((select status from reports.property_reports where id = :'p1'), 'failed', 'a property report too');
select is((select status from reports.property_reports where property_address = '3 Oak Ave' and account_id = :'team'), 'pending',
  'a report whose job is alive is untouched');

select ok(not has_function_privilege('authenticated', 'private.reports_fail_abandoned()', 'execute')
          and not has_function_privilege('authenticated', 'private.reports_value_subject(text,text,text)', 'execute')
          and has_function_privilege('service_role', 'private.reports_value_subject(text,text,text)', 'execute'),
  'the helpers are the worker''s (service_role) only');

select * from finish();
rollback;
