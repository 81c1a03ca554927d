-- tools.marketplace_review_votes and tools.marketplace_review_reports: every
-- role x action; one per user per review; only on an approved review of
-- someone else; helpful_count / flagged_count kept by the database; a review
-- reported by 3 distinct users since its last moderation goes to FLAGGED.

begin;
select plan(30);

select tests.fixture() is not null as cast_ready \gset

insert into tools.marketplace_tools (id, name, description, category, price_model, price_amount, required_tier, integration_type, provider)
values ('00000000-0000-4000-c632-00000000000a', 'Voted Tool', 'a tool', 'CRM_TOOLS', 'ONE_TIME', 10, 'FREE', 'API', 'Internal');
insert into tools.marketplace_reviews (id, tool_id, organization_id, user_id, rating, status)
values ('00000000-0000-4000-c632-0000000000e1', '00000000-0000-4000-c632-00000000000a', tests.account_id('team-a'), tests.get_supabase_uid('member'), 5, 'APPROVED'),
       ('00000000-0000-4000-c632-0000000000e2', '00000000-0000-4000-c632-00000000000a', tests.account_id('team-a'), tests.get_supabase_uid('admin'), 3, 'PENDING');
-- The stranger has already voted on and reported the approved review.
insert into tools.marketplace_review_votes (review_id, user_id)
values ('00000000-0000-4000-c632-0000000000e1', tests.get_supabase_uid('stranger'));
insert into tools.marketplace_review_reports (review_id, user_id, reason)
values ('00000000-0000-4000-c632-0000000000e1', tests.get_supabase_uid('stranger'), 'reads like an advert');

create function pg_temp.review_state() returns text language sql as $$
  select format('%s helpful=%s flagged=%s', status, helpful_count, flagged_count)
  from tools.marketplace_reviews where id = '00000000-0000-4000-c632-0000000000e1'
$$;
grant execute on function pg_temp.review_state() to public;

create temp view matrix as
  select t.tbl, w.who, tests.rights(w.who,
    format($$ select 1 from tools.%I where review_id in ('00000000-0000-4000-c632-0000000000e1', '00000000-0000-4000-c632-0000000000e2') $$, t.tbl),
    format($$ insert into tools.%I (review_id) values ('00000000-0000-4000-c632-0000000000e1') $$, t.tbl),
    format($$ update tools.%I set created_at = now() where review_id = '00000000-0000-4000-c632-0000000000e1' $$, t.tbl),
    format($$ delete from tools.%I where review_id in ('00000000-0000-4000-c632-0000000000e1', '00000000-0000-4000-c632-0000000000e2') $$, t.tbl)) as rights
  from unnest(array['marketplace_review_votes', 'marketplace_review_reports']) t(tbl)
  cross join unnest(array['anon', 'stranger', 'owner', 'admin', 'member', 'platform_admin', 'rival', 'service_role']) w(who);
grant select on matrix to public;

select is((select array_agg(distinct rights) from matrix where who = 'anon'),
  array['read 42501, insert 42501, update 42501, delete 42501'], 'anon: no access to votes or reports');
select is((select array_agg(distinct rights) from matrix where who = 'stranger'),
  array['read rows=1, insert 23505, update 42501, delete rows=1'],
  'the voter / reporter reads and withdraws their own; a second one on the same review is a conflict; nothing is edited');
select is((select array_agg(distinct rights) from matrix where who in ('owner', 'admin', 'rival')),
  array['read rows=0, insert rows=1, update 42501, delete rows=0'],
  'other users (teammates of the author or not) vote and report once, and see and withdraw no one else''s');
select is((select array_agg(distinct rights) from matrix where who = 'member'),
  array['read rows=0, insert 42501, update 42501, delete rows=0'], 'the author cannot vote for or report their own review');
select is((select array_agg(distinct rights) from matrix where who = 'platform_admin'),
  array['read rows=1, insert rows=1, update 42501, delete rows=0'],
  'a platform admin reads every vote and report (the moderation queue) but withdraws no one''s');
select is((select array_agg(distinct rights) from matrix where who = 'service_role'),
  array['read rows=1, insert 23502, update rows=1, delete rows=1'], 'service_role: everything (an insert must name the user)');

select is(tests.probe('owner', $$ insert into tools.marketplace_review_votes (review_id) values ('00000000-0000-4000-c632-0000000000e2') $$),
  '42501', 'no vote on a review that is not approved (and that the voter cannot see)');
select is(tests.probe('platform_admin', $$ insert into tools.marketplace_review_reports (review_id) values ('00000000-0000-4000-c632-0000000000e2') $$),
  '42501', 'no report on a pending review, even by one who can see it');
select is(tests.probe('owner', $$ insert into tools.marketplace_review_votes (review_id, user_id) values ('00000000-0000-4000-c632-0000000000e1', tests.get_supabase_uid('rival')) $$),
  '42501', 'no vote in someone else''s name');
select is(tests.probe('owner', $$ insert into tools.marketplace_review_reports (review_id, user_id) values ('00000000-0000-4000-c632-0000000000e1', tests.get_supabase_uid('rival')) $$),
  '42501', 'no report in someone else''s name');
select is(tests.probe('owner', $$ insert into tools.marketplace_review_reports (review_id, reason) values ('00000000-0000-4000-c632-0000000000e1', repeat('x', 1001)) $$),
  '23514', 'a report''s reason is bounded');

-- ---------------------------------------------------------------- helpful_count
select is(pg_temp.review_state(), 'APPROVED helpful=1 flagged=1', 'the counters start from the stranger''s vote and report');
select tests.authenticate_as('owner');
insert into tools.marketplace_review_votes (review_id) values ('00000000-0000-4000-c632-0000000000e1');
select tests.authenticate_as('rival');
insert into tools.marketplace_review_votes (review_id) values ('00000000-0000-4000-c632-0000000000e1');
select tests.clear_authentication();
select is(pg_temp.review_state(), 'APPROVED helpful=3 flagged=1', 'each vote counts once in helpful_count');
select tests.authenticate_as('rival');
delete from tools.marketplace_review_votes where review_id = '00000000-0000-4000-c632-0000000000e1';
select tests.clear_authentication();
select is(pg_temp.review_state(), 'APPROVED helpful=2 flagged=1', 'a withdrawn vote is taken off');
select throws_ok($$ insert into tools.marketplace_review_votes (review_id, user_id) values ('00000000-0000-4000-c632-0000000000e1', tests.get_supabase_uid('owner')) $$,
  '23505', null, 'one vote per user per review, whoever writes it');
select is(pg_temp.review_state(), 'APPROVED helpful=2 flagged=1', 'a refused vote counts for nothing');

-- ---------------------------------------------------------------- reports and the threshold
select tests.authenticate_as('owner');
insert into tools.marketplace_review_reports (review_id, reason) values ('00000000-0000-4000-c632-0000000000e1', 'wrong tool');
select tests.clear_authentication();
select is(pg_temp.review_state(), 'APPROVED helpful=2 flagged=2', 'two distinct reporters: still approved');
select is((select review_count from tools.marketplace_tools where id = '00000000-0000-4000-c632-00000000000a'), 1,
  'and still counted on the tool');
select tests.authenticate_as('rival');
insert into tools.marketplace_review_reports (review_id) values ('00000000-0000-4000-c632-0000000000e1');
select tests.clear_authentication();
select is(pg_temp.review_state(), 'FLAGGED helpful=2 flagged=3', 'the third distinct reporter sends it to FLAGGED');
select is((select format('%s %s', coalesce(avg_rating::text, 'null'), review_count) from tools.marketplace_tools where id = '00000000-0000-4000-c632-00000000000a'),
  'null 0', 'a flagged review leaves the tool''s rating');
select is(tests.probe('anon', $$ select 1 from tools.marketplace_reviews where id = '00000000-0000-4000-c632-0000000000e1' $$),
  'rows=0', 'and the public view');
select is(tests.probe('platform_admin', $$ select 1 from tools.marketplace_reviews where id = '00000000-0000-4000-c632-0000000000e1' and status = 'FLAGGED' $$),
  'rows=1', 'platform admins see it in the queue');
select is(tests.probe('admin', $$ insert into tools.marketplace_review_reports (review_id) values ('00000000-0000-4000-c632-0000000000e1') $$),
  '42501', 'a flagged review takes no more reports');

select tests.authenticate_as('platform_admin');
select tools.moderate_review('00000000-0000-4000-c632-0000000000e1', 'APPROVED', 'reports unfounded');
select tests.authenticate_as('admin');
insert into tools.marketplace_review_reports (review_id) values ('00000000-0000-4000-c632-0000000000e1');
select tests.clear_authentication();
select is(pg_temp.review_state(), 'APPROVED helpful=2 flagged=4',
  'after a moderator''s approval, one more report does not re-flag: the three before were weighed');
select tests.authenticate_as('platform_admin');
insert into tools.marketplace_review_reports (review_id) values ('00000000-0000-4000-c632-0000000000e1');
select tests.clear_authentication();
select is(pg_temp.review_state(), 'APPROVED helpful=2 flagged=5', 'two since the moderation: still approved');
do $$ begin perform tests.create_supabase_user('third_reporter'); end $$;
select tests.authenticate_as('third_reporter');
insert into tools.marketplace_review_reports (review_id) values ('00000000-0000-4000-c632-0000000000e1');
select tests.clear_authentication();
select is(pg_temp.review_state(), 'FLAGGED helpful=2 flagged=6', 'three distinct reporters since the moderation flag it again');

select tests.authenticate_as('owner');
delete from tools.marketplace_review_reports where review_id = '00000000-0000-4000-c632-0000000000e1';
select tests.clear_authentication();
select is(pg_temp.review_state(), 'FLAGGED helpful=2 flagged=5', 'a withdrawn report is taken off the count; the flag stays for the moderator');

select is(private.tools_review_flag_threshold(), 3, 'the threshold is 3 (docs/tools.md says so)');

delete from tools.marketplace_reviews where id = '00000000-0000-4000-c632-0000000000e1';
select is((select count(*)::int from tools.marketplace_review_votes where review_id = '00000000-0000-4000-c632-0000000000e1')
          + (select count(*)::int from tools.marketplace_review_reports where review_id = '00000000-0000-4000-c632-0000000000e1'),
  0, 'removing a review removes its votes and reports');
select is(
  (select count(*)::int from pg_indexes where schemaname = 'tools' and indexname in (
    'marketplace_review_votes_review_id_user_id_key', 'marketplace_review_votes_user_id_idx',
    'marketplace_review_reports_review_id_user_id_key', 'marketplace_review_reports_user_id_idx')),
  4, 'every foreign key of votes and reports has an index (review_id leads the unique key)');

select * from finish();
rollback;
