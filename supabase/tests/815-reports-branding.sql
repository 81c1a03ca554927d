-- private.reports_branding_for(account, user): the branding a report shows
-- (the sponsor's affiliate branding, else the account's own affiliate
-- branding, else the account's own colours and name) and the agent's
-- details from their profile. Only the backend may call it.

begin;
select plan(10);

select tests.fixture() as team_a \gset
select tests.account_id('team-b') as team_b \gset
-- An affiliate (the rival owns it) sponsoring team-a.
insert into public.accounts (id, name, slug, account_type, primary_owner_user_id)
values ('00000000-0000-4000-e815-000000000001', 'Sponsor Co', 'sponsor-co', 'affiliate', tests.get_supabase_uid('rival'));
insert into public.account_memberships (account_id, user_id, role)
values ('00000000-0000-4000-e815-000000000001', tests.get_supabase_uid('rival'), 'owner');
update public.accounts set sponsor_account_id = '00000000-0000-4000-e815-000000000001',
  branding = '{"primary_color": "#abcdef", "brand_display_name": "A Team", "logo_url": "https://cdn.example/a.png"}'
where id = :'team_a';
update public.accounts set branding = '{"primary_color": "red", "accent_color": "#000000"}' where id = :'team_b';
update public.profiles set first_name = 'Mia', last_name = 'Member', phone = '+1 512 555 0142', license_number = 'L-1',
  landing_page_headline = 'Hi', landing_page_cta = 'Book', brokerage = 'Brokers Inc' where id = tests.get_supabase_uid('member');

select is(private.reports_branding_for(:'team_a') - 'agent',
  '{"source": "account", "display_name": "A Team", "logo_url": "https://cdn.example/a.png", "primary_color": "#abcdef", "accent_color": null}'::jsonb,
  'a sponsor without branding: the account''s own');
insert into reports.affiliate_branding (account_id, brand_display_name, logo_url, primary_color, accent_color)
values ('00000000-0000-4000-e815-000000000001', 'Sponsor Brand', 'https://cdn.example/s.png', '#111111', '#222222');
select is(private.reports_branding_for(:'team_a') - 'agent',
  '{"source": "sponsor", "display_name": "Sponsor Brand", "logo_url": "https://cdn.example/s.png", "primary_color": "#111111", "accent_color": "#222222"}'::jsonb,
  'a sponsored account shows its sponsor''s branding');
select is(private.reports_branding_for('00000000-0000-4000-e815-000000000001') ->> 'source', 'affiliate',
  'an affiliate''s own reports show its own branding');
update reports.affiliate_branding set brand_display_name = null where account_id = '00000000-0000-4000-e815-000000000001';
select is(private.reports_branding_for(:'team_a') ->> 'display_name', 'Sponsor Co', 'no display name: the affiliate''s name');
select is(private.reports_branding_for(:'team_b') - 'agent',
  '{"source": "account", "display_name": "Team B", "logo_url": null, "primary_color": null, "accent_color": "#000000"}'::jsonb,
  'no sponsor: the account''s name and its valid colours only');
select is(private.reports_branding_for(:'team_a', tests.get_supabase_uid('member')) -> 'agent',
  jsonb_build_object('name', 'Mia Member', 'first_name', 'Mia', 'last_name', 'Member', 'photo_url', null, 'license_number', 'L-1',
    'headline', 'Hi', 'subheadline', null, 'cta', 'Book', 'phone', '+1 512 555 0142', 'email', 'member@test.local',
    'brokerage', 'Brokers Inc', 'agent_code', (select agent_code from public.profiles where id = tests.get_supabase_uid('member'))),
  'the agent''s details from the profile');
select is(private.reports_branding_for(:'team_a') -> 'agent', 'null'::jsonb, 'no user: no agent');
update public.profiles set account_status = 'suspended' where id = tests.get_supabase_uid('member');
select is(private.reports_branding_for(:'team_a', tests.get_supabase_uid('member')) -> 'agent', 'null'::jsonb, 'a suspended agent is not shown');
select throws_ok($$ select private.reports_branding_for('00000000-0000-4000-e815-0000000000ff') $$, 'PT404', null, 'an unknown account is PT404');
select ok(has_function_privilege('service_role', 'private.reports_branding_for(uuid,uuid)', 'execute')
          and not has_function_privilege('authenticated', 'private.reports_branding_for(uuid,uuid)', 'execute')
          and not has_function_privilege('anon', 'private.reports_branding_for(uuid,uuid)', 'execute'),
  'the renderers (service_role) may call it; the API roles may not (it returns e-mails and phones)');

select * from finish();
rollback;
