-- private.is_time_zone() answers from private.time_zone_name_list(): the same
-- names as pg_timezone_names, without reading the tz database on every call.
begin;
select plan(11);

select is(cardinality(private.time_zone_name_list()), (select count(*)::integer from pg_catalog.pg_timezone_names),
  'the list holds every zone name PostgreSQL knows');
select is((select count(*)::int from pg_catalog.pg_timezone_names where not private.is_time_zone(name)), 0,
  'every name PostgreSQL knows is accepted');
-- Many calls in one statement (the bulk path: next_run_at over every schedule) agree row by row.
select is((select count(*)::int from generate_series(1, 3000) g
           where private.is_time_zone((array['UTC', 'Asia/Tokyo', 'Nowhere/Land'])[1 + g % 3])), 2000,
  'in one statement, every call answers as the first');
select throws_ok($$select private.reports_next_run_at('daily', null, null, 9, 0, 'Mars/Olympus', now())$$, '22023',
  'time_zone: unknown time zone "Mars/Olympus"', 'next_run_at still refuses an unknown zone, naming the field');
select ok(private.is_time_zone('America/Argentina/Buenos_Aires') and private.is_time_zone('Etc/GMT+5')
          and private.is_time_zone('UTC'),
  'IANA names are accepted, nested and Etc/ ones included');
select ok(not private.is_time_zone('PST') and not private.is_time_zone('UTC+5') and not private.is_time_zone('america/new_york'),
  'abbreviations, POSIX offsets and wrong case are refused, although `at time zone` would take the first two');
select ok(position('pg_timezone_names' in (select prosrc from pg_proc where oid = 'private.is_time_zone(text)'::regprocedure)) = 0,
  'is_time_zone no longer reads the pg_timezone_names view');

-- A name the list still holds after a tzdata upgrade removed it.
create or replace function private.time_zone_name_list() returns text[] language sql immutable set search_path = ''
  as $$ select array['Mars/Olympus', 'UTC']::text[] $$;
select ok(not private.is_time_zone('Mars/Olympus') and private.is_time_zone('UTC') and not private.is_time_zone('Europe/Paris'),
  'a listed name the server cannot use is refused, not an error; only listed names pass');
select is(private.refresh_time_zone_names(), (select count(*)::integer from pg_catalog.pg_timezone_names),
  'refresh rebuilds the list from the server and returns its size');
select ok(private.is_time_zone('Europe/Paris') and not ('Mars/Olympus' = any (private.time_zone_name_list())),
  'after a refresh the list is the server''s again');

select ok(not has_function_privilege('authenticated', 'private.refresh_time_zone_names()', 'execute')
          and not has_function_privilege('anon', 'private.time_zone_name_list()', 'execute'),
  'clients can neither refresh nor read the list');

select * from finish();
rollback;
