-- private.is_time_zone() answers from private.time_zone_names: the same names
-- as pg_timezone_names, without reading the tz database on every call.
begin;
select plan(8);

select is((select count(*) from private.time_zone_names),
          (select count(*) from pg_catalog.pg_timezone_names),
  'the lookup table holds every zone name PostgreSQL knows');
select ok(private.is_time_zone('America/Argentina/Buenos_Aires') and private.is_time_zone('Etc/GMT+5')
          and private.is_time_zone('UTC'),
  'IANA names are accepted, nested and Etc/ ones included');
select ok(not private.is_time_zone('PST') and not private.is_time_zone('UTC+5') and not private.is_time_zone('america/new_york'),
  'abbreviations, POSIX offsets and wrong case are refused, although `at time zone` would take the first two');
select ok(position('pg_timezone_names' in (select prosrc from pg_proc where oid = 'private.is_time_zone(text)'::regprocedure)) = 0,
  'is_time_zone no longer reads the pg_timezone_names view');

-- A name the table still lists after a tzdata upgrade removed it.
insert into private.time_zone_names (name) values ('Mars/Olympus');
select ok(not private.is_time_zone('Mars/Olympus'),
  'a listed name the server cannot use is refused, not an error');
select is(private.refresh_time_zone_names(), (select count(*)::integer from pg_catalog.pg_timezone_names),
  'refresh drops names the server no longer knows and returns the count');
select ok(not exists (select 1 from private.time_zone_names where name = 'Mars/Olympus'),
  'the stale name is gone after a refresh');

select tests.create_supabase_user('tz_lookup_user') is not null as made \gset
select tests.authenticate_as('tz_lookup_user');
select throws_ok($$ select count(*) from private.time_zone_names $$, '42501',
  null, 'signed-in users cannot read the lookup table');
select tests.clear_authentication();

select * from finish();
rollback;
