-- private.is_time_zone after 20261202395000_platform_time_zone_check_speed:
-- the same answers as a scan of pg_timezone_names (every name, and names
-- that are not zones), a zone list that is the catalogue's, folded once
-- (immutable) rather than read per call, service_role only; the schedules'
-- next_run_at still refuses an unknown zone with 22023.
begin;
select plan(14);

select is((select count(*)::int from pg_catalog.pg_timezone_names where not private.is_time_zone(name)), 0,
  'every name PostgreSQL knows is a time zone');
select is(private.time_zone_names(), (select array_agg(name order by name) from pg_catalog.pg_timezone_names),
  'time_zone_names() is the catalogue''s list, sorted');
select ok(cardinality(private.time_zone_names()) > 300, 'the list is the whole time zone database');
select is(private.is_time_zone('America/New_York'), true, 'an IANA name');
select is(private.is_time_zone('utc'), false, 'names are case-sensitive, as in the catalogue');
select is(private.is_time_zone('PST'), false, 'an abbreviation is not a zone name');
select is(private.is_time_zone('Mars/Olympus'), false, 'an unknown name');
select is(private.is_time_zone(null), false, 'null is not a zone');
select is(private.is_time_zone(repeat('A', 65)), false, 'longer than 64 characters');
-- Many calls in one statement (the bulk path the change is for) agree row by row.
select is((select count(*)::int from generate_series(1, 3000) g
           where private.is_time_zone((array['UTC', 'Asia/Tokyo', 'Nowhere/Land'])[1 + g % 3])), 2000,
  'in one statement, every call answers as the first');

select is((select provolatile::text from pg_proc where oid = 'private.time_zone_names()'::regprocedure), 'i',
  'time_zone_names is immutable: the planner folds it instead of reading the zone files per call');

select throws_ok($$select private.reports_next_run_at('daily', null, null, 9, 0, 'Mars/Olympus', now())$$, '22023',
  'time_zone: unknown time zone "Mars/Olympus"', 'next_run_at still refuses an unknown zone, naming the field');

select ok(not has_function_privilege('anon', 'private.time_zone_names()', 'execute')
          and not has_function_privilege('authenticated', 'private.time_zone_names()', 'execute')
          and has_function_privilege('service_role', 'private.time_zone_names()', 'execute'),
  'time_zone_names: service_role only');
select ok(not has_function_privilege('anon', 'private.is_time_zone(text)', 'execute')
          and not has_function_privilege('authenticated', 'private.is_time_zone(text)', 'execute')
          and has_function_privilege('service_role', 'private.is_time_zone(text)', 'execute'),
  'is_time_zone: service_role only');

select * from finish();
rollback;
