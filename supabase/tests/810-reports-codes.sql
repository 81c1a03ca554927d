-- reports codes: private.generate_short_code() and private.generate_agent_code()
-- draw 8 characters of the unambiguous alphabet (no 0/O/1/I/L), retry on a
-- collision and give up with 23505 after 10; the triggers fill
-- property_reports.short_code and profiles.agent_code when missing, keep a
-- given one, and a report's code never changes. Collisions are forced by
-- replacing the candidate function inside this (rolled back) transaction.

begin;
select plan(21);

select tests.fixture() as team_a \gset

-- ---------------------------------------------------------------- the alphabet
select is_empty($$ select c from (select private.reports_code_candidate() as c from generate_series(1, 2000)) s
                   where c !~ '^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$' $$,
  '2000 candidates: each 8 characters of the unambiguous alphabet');
select is((select count(distinct ch)::int from (select regexp_split_to_table(private.reports_code_candidate(), '') as ch
                                                  from generate_series(1, 2000)) s),
  31, 'every one of the 31 characters is used (none is left out by the modulo)');
select is((select count(distinct private.reports_code_candidate())::int from generate_series(1, 2000)), 2000,
  '2000 candidates are all different (random, not sequential)');
select ok(private.generate_short_code() ~ '^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$', 'generate_short_code gives a code');
select ok(private.generate_agent_code() ~ '^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$', 'generate_agent_code gives a code');

-- ---------------------------------------------------------------- the triggers
insert into reports.property_reports (id, account_id, property_address)
values ('00000000-0000-4000-e810-000000000001', :'team_a', '1 Code St');
select ok((select short_code ~ '^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$' from reports.property_reports
           where id = '00000000-0000-4000-e810-000000000001'), 'a property report gets a short code on insert');
insert into reports.property_reports (id, account_id, property_address, short_code)
values ('00000000-0000-4000-e810-000000000002', :'team_a', '2 Code St', 'KEPT2345');
select is((select short_code from reports.property_reports where id = '00000000-0000-4000-e810-000000000002'), 'KEPT2345',
  'a given code is kept');
select col_not_null('reports', 'property_reports', 'short_code', 'every property report has a short code');
select throws_ok($$ update reports.property_reports set short_code = 'NEWC2345' where id = '00000000-0000-4000-e810-000000000002' $$,
  '42501', 'short_code: a report''s code never changes', 'a short code never changes, not even for the table owner');

do $$ begin perform tests.create_supabase_user('agent_code_check'); end $$;
select ok((select agent_code ~ '^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$' from public.profiles
           where id = tests.get_supabase_uid('agent_code_check')), 'a new profile gets an agent code from the generator');
select is((select column_default from information_schema.columns
           where table_schema = 'public' and table_name = 'profiles' and column_name = 'agent_code'), null,
  'the uuid-derived default is gone (the trigger decides)');
select col_is_unique('public', 'profiles', 'agent_code', 'agent codes stay unique');
update public.profiles set agent_code = 'MYCDE222' where id = tests.get_supabase_uid('agent_code_check');
select is((select agent_code from public.profiles where id = tests.get_supabase_uid('agent_code_check')), 'MYCDE222',
  'an existing code can still be set by the backend');
select is(tests.probe('member', $$ update public.profiles set agent_code = 'HACKED22' where id = auth.uid() $$), '42501',
  'users still cannot write their agent code');

-- ---------------------------------------------------------------- forced collisions
-- The candidate returns the codes listed in tests.codes, one per call.
create or replace function private.reports_code_candidate()
returns text
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_n integer := coalesce(nullif(current_setting('tests.calls', true), ''), '0')::integer + 1;
begin
  perform set_config('tests.calls', v_n::text, true);
  return (string_to_array(current_setting('tests.codes'), ','))[v_n];
end;
$$;

select set_config('tests.calls', '0', true), set_config('tests.codes', 'KEPT2345,KEPT2345,FRESH234', true);
insert into reports.property_reports (id, account_id, property_address)
values ('00000000-0000-4000-e810-000000000003', :'team_a', '3 Code St');
select is((select short_code from reports.property_reports where id = '00000000-0000-4000-e810-000000000003'), 'FRESH234',
  'two colliding draws are retried: the third, free code is taken');
select is(current_setting('tests.calls'), '3', 'after exactly three draws');

select set_config('tests.calls', '0', true),
       set_config('tests.codes', array_to_string(array_fill('KEPT2345'::text, array[10]) || 'FREE2345'::text, ','), true);
select throws_ok($$ insert into reports.property_reports (account_id, property_address) values (tests.account_id('team-a'), '4 Code St') $$,
  '23505', 'short_code: no free code after 10 attempts',
  'ten collisions in a row give up with 23505 (no endless loop; the free eleventh code is never drawn)');

select agent_code as taken_agent_code from public.profiles where id = tests.get_supabase_uid('owner') \gset
select set_config('tests.calls', '0', true), set_config('tests.codes', :'taken_agent_code' || ',AGENT234', true);
do $$ begin perform tests.create_supabase_user('agent_code_retry'); end $$;
select is((select agent_code from public.profiles where id = tests.get_supabase_uid('agent_code_retry')), 'AGENT234',
  'an agent code that is taken is retried');
select set_config('tests.calls', '0', true),
       set_config('tests.codes', array_to_string(array_fill(:'taken_agent_code'::text, array[10]), ','), true);
select throws_ok($$ select tests.create_supabase_user('agent_code_exhausted') $$,
  '23505', 'agent_code: no free code after 10 attempts', 'ten taken agent codes give up with 23505');

-- ---------------------------------------------------------------- privileges
select ok(not has_function_privilege('authenticated', 'private.generate_short_code()', 'execute')
          and not has_function_privilege('anon', 'private.generate_agent_code()', 'execute'),
  'the API roles cannot call the generators');
select ok(has_function_privilege('service_role', 'private.generate_short_code()', 'execute')
          and has_function_privilege('service_role', 'private.generate_agent_code()', 'execute'),
  'the backend can');

select * from finish();
rollback;
