-- tools.moderate_review: platform admins only; PENDING -> APPROVED / REJECTED /
-- FLAGGED with notes, moderated_at and moderated_by set by the database; bad
-- input 22023, an unknown review PT404. avg_rating and review_count on the
-- tool count APPROVED reviews only, through every transition, edit and delete.

begin;
select plan(28);

select tests.fixture() is not null as cast_ready \gset

insert into tools.marketplace_tools (id, name, description, category, price_model, price_amount, required_tier, integration_type, provider, last_updated)
values ('00000000-0000-4000-c631-00000000000a', 'Moderated Tool', 'a tool', 'CRM_TOOLS', 'ONE_TIME', 10, 'FREE', 'API', 'Internal', '2026-01-01T00:00:00Z'),
       ('00000000-0000-4000-c631-00000000000b', 'Other Tool', 'a tool', 'CRM_TOOLS', 'ONE_TIME', 10, 'FREE', 'API', 'Internal', '2026-01-01T00:00:00Z');
insert into tools.marketplace_reviews (id, tool_id, organization_id, user_id, rating)
values ('00000000-0000-4000-c631-0000000000e1', '00000000-0000-4000-c631-00000000000a', tests.account_id('team-a'), tests.get_supabase_uid('member'), 5),
       ('00000000-0000-4000-c631-0000000000e2', '00000000-0000-4000-c631-00000000000a', tests.account_id('team-a'), tests.get_supabase_uid('admin'), 2),
       ('00000000-0000-4000-c631-0000000000e3', '00000000-0000-4000-c631-00000000000a', tests.account_id('team-b'), tests.get_supabase_uid('rival'), 1);

create function pg_temp.tool_stats() returns text language sql as $$
  select format('avg=%s count=%s', coalesce(round(avg_rating::numeric, 2)::text, 'null'), review_count)
  from tools.marketplace_tools where id = '00000000-0000-4000-c631-00000000000a'
$$;
grant execute on function pg_temp.tool_stats() to public;

select is(pg_temp.tool_stats(), 'avg=null count=0', 'pending reviews count for nothing');

-- ---------------------------------------------------------------- who may moderate
select is(tests.probe('anon', $$ select tools.moderate_review('00000000-0000-4000-c631-0000000000e1', 'APPROVED', null) $$),
  '42501', 'anon cannot moderate');
select is(tests.probe('stranger', $$ select tools.moderate_review('00000000-0000-4000-c631-0000000000e1', 'APPROVED', null) $$),
  '42501', 'a signed-in user cannot moderate');
select is(tests.probe('member', $$ select tools.moderate_review('00000000-0000-4000-c631-0000000000e1', 'APPROVED', null) $$),
  '42501', 'an author cannot approve their own review');
select is(tests.probe('owner', $$ select tools.moderate_review('00000000-0000-4000-c631-0000000000e1', 'APPROVED', null) $$),
  '42501', 'an account owner cannot moderate their members'' reviews');
select is(tests.probe('admin', $$ select tools.moderate_review('00000000-0000-4000-c631-0000000000e1', 'APPROVED', null) $$),
  '42501', 'an account admin cannot either');
select is(tests.probe('rival', $$ select tools.moderate_review('00000000-0000-4000-c631-0000000000e1', 'REJECTED', null) $$),
  '42501', 'a competitor cannot reject a rival''s review');

select tests.authenticate_as('platform_admin');
select throws_ok($$ select tools.moderate_review('00000000-0000-4000-c631-0000000000e1', 'PENDING', 'x') $$,
  '22023', 'status: must be APPROVED, REJECTED or FLAGGED', 'PENDING is not a moderation outcome');
select throws_ok($$ select tools.moderate_review('00000000-0000-4000-c631-0000000000e1', null, 'x') $$,
  '22023', 'status: must be APPROVED, REJECTED or FLAGGED', 'a status is required');
select throws_ok($$ select tools.moderate_review('00000000-0000-4000-c631-0000000000e1', 'APPROVED', repeat('x', 10001)) $$,
  '22023', 'notes: at most 10000 characters', 'notes are bounded');
select throws_ok($$ select tools.moderate_review('00000000-0000-4000-c631-00000000ffff', 'APPROVED', null) $$,
  'PT404', 'review_id: no such review', 'an unknown review is PT404');

select results_eq(
  $$ select status::text, moderation_notes, moderated_by = auth.uid(), moderated_at is not null
     from tools.moderate_review('00000000-0000-4000-c631-0000000000e1', 'APPROVED', 'looks genuine') $$,
  $$ values ('APPROVED', 'looks genuine', true, true) $$,
  'a platform admin approves with notes; the answer is the moderated review with moderated_by and moderated_at set');
select tests.clear_authentication();
select is(pg_temp.tool_stats(), 'avg=5.00 count=1', 'an approval counts the review');
select is((select last_updated from tools.marketplace_tools where id = '00000000-0000-4000-c631-00000000000a'), '2026-01-01T00:00:00Z'::timestamptz,
  'a rating change is not an update of the tool: last_updated stays');
update tools.marketplace_tools set description = 'a better tool' where id = '00000000-0000-4000-c631-00000000000a';
select isnt((select last_updated from tools.marketplace_tools where id = '00000000-0000-4000-c631-00000000000a'), '2026-01-01T00:00:00Z'::timestamptz,
  'while a change of the tool itself still moves it');
select is(tests.probe('anon', $$ select 1 from tools.marketplace_reviews where id = '00000000-0000-4000-c631-0000000000e1' $$),
  'rows=1', 'an approved review is public');

select is(tests.probe('service_role', $$ select tools.moderate_review('00000000-0000-4000-c631-0000000000e2', 'APPROVED', null) $$),
  '42501', 'service_role is not a platform admin either: moderation has a person behind it');

select tests.authenticate_as('platform_admin');
select tools.moderate_review('00000000-0000-4000-c631-0000000000e2', 'APPROVED', null);
select tests.clear_authentication();
select is(pg_temp.tool_stats(), 'avg=3.50 count=2', 'a second approval: the average of the approved ratings');

select tests.authenticate_as('platform_admin');
select tools.moderate_review('00000000-0000-4000-c631-0000000000e3', 'REJECTED', 'spam');
select tests.clear_authentication();
select is(pg_temp.tool_stats(), 'avg=3.50 count=2', 'a rejected review does not count');
select is(tests.probe('rival', $$ select moderation_notes from tools.marketplace_reviews where id = '00000000-0000-4000-c631-0000000000e3' and status = 'REJECTED' $$),
  'rows=1', 'the author sees their rejected review and why');
select is(tests.probe('stranger', $$ select 1 from tools.marketplace_reviews where id = '00000000-0000-4000-c631-0000000000e3' $$),
  'rows=0', 'others do not');

select tests.authenticate_as('platform_admin');
select tools.moderate_review('00000000-0000-4000-c631-0000000000e2', 'FLAGGED', 'checking');
select tests.clear_authentication();
select is(pg_temp.tool_stats(), 'avg=5.00 count=1', 'flagging an approved review takes it out of the count');

select tests.authenticate_as('member');
update tools.marketplace_reviews set rating = 3 where id = '00000000-0000-4000-c631-0000000000e1';
select tests.clear_authentication();
select is(pg_temp.tool_stats(), 'avg=null count=0', 'an author''s edit of the approved review (now PENDING) takes it out too');

select tests.authenticate_as('platform_admin');
select tools.moderate_review('00000000-0000-4000-c631-0000000000e1', 'APPROVED', null);
select tools.moderate_review('00000000-0000-4000-c631-0000000000e2', 'APPROVED', null);
select tests.clear_authentication();
select is(pg_temp.tool_stats(), 'avg=2.50 count=2', 're-approved, the edited rating is what counts');

select tests.authenticate_as('admin');
delete from tools.marketplace_reviews where id = '00000000-0000-4000-c631-0000000000e2';
select tests.clear_authentication();
select is(pg_temp.tool_stats(), 'avg=3.00 count=1', 'an author removing an approved review takes it out of the count');

update tools.marketplace_reviews set tool_id = '00000000-0000-4000-c631-00000000000b' where id = '00000000-0000-4000-c631-0000000000e1';
select is(pg_temp.tool_stats(), 'avg=null count=0', 'moving an approved review (as the table owner) recounts the tool it left');
select is((select format('avg=%s count=%s', round(avg_rating::numeric, 2), review_count) from tools.marketplace_tools
           where id = '00000000-0000-4000-c631-00000000000b'), 'avg=3.00 count=1', 'and the tool it joined');

insert into tools.marketplace_reviews (tool_id, organization_id, user_id, rating, status)
values ('00000000-0000-4000-c631-00000000000a', tests.account_id('team-a'), tests.get_supabase_uid('owner'), 4, 'APPROVED');
select is(pg_temp.tool_stats(), 'avg=4.00 count=1', 'a review inserted already approved (demo data, service jobs) counts at once');

select * from finish();
rollback;
