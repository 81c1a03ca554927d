-- private.reports_next_run_at: explicit due instants in four zones across
-- month ends, leap years and daylight-saving changes; field-named 22023 for
-- bad input; only service_role may call it.
begin;
select plan(40);

set local timezone = 'UTC';

create function pg_temp.nra(p_cadence text, p_dow integer, p_dom integer, p_h integer, p_m integer, p_tz text, p_after timestamptz)
returns timestamptz language sql as $$
  select private.reports_next_run_at(p_cadence, p_dow, p_dom, p_h, p_m, p_tz, p_after)
$$;

-- ---------------------------------------------------------------- UTC
select is(pg_temp.nra('daily', null, null, 9, 15, 'UTC', '2026-05-01 09:14:59Z'), '2026-05-01 09:15:00Z'::timestamptz,
  'daily: later the same day');
select is(pg_temp.nra('daily', null, null, 9, 15, 'UTC', '2026-05-01 09:15:00Z'), '2026-05-02 09:15:00Z'::timestamptz,
  'daily: strictly after (the due instant itself moves on a day)');
select is(pg_temp.nra('daily', null, null, 23, 59, 'UTC', '2026-12-31 23:59:30Z'), '2027-01-01 23:59:00Z'::timestamptz,
  'daily: across the year end');
select is(pg_temp.nra('weekly', 0, null, 8, 0, 'UTC', '2026-05-06 12:00Z'), '2026-05-10 08:00:00Z'::timestamptz,
  'weekly: 0 is Sunday (Wed 6 May -> Sun 10 May)');
select is(pg_temp.nra('weekly', 3, null, 8, 0, 'UTC', '2026-05-06 07:00Z'), '2026-05-06 08:00:00Z'::timestamptz,
  'weekly: the same weekday, before the hour');
select is(pg_temp.nra('weekly', 3, null, 8, 0, 'UTC', '2026-05-06 08:00Z'), '2026-05-13 08:00:00Z'::timestamptz,
  'weekly: the same weekday, at the hour -> a week later');
select is(pg_temp.nra('monthly', null, 31, 9, 0, 'UTC', '2026-01-31 10:00Z'), '2026-02-28 09:00:00Z'::timestamptz,
  'monthly 31: February 2026 (not leap) runs on the 28th');
select is(pg_temp.nra('monthly', null, 31, 9, 0, 'UTC', '2026-02-28 09:00Z'), '2026-03-31 09:00:00Z'::timestamptz,
  'monthly 31: after the short month, back to the 31st');
select is(pg_temp.nra('monthly', null, 31, 9, 0, 'UTC', '2026-03-31 09:00Z'), '2026-04-30 09:00:00Z'::timestamptz,
  'monthly 31: a 30-day month runs on the 30th');
select is(pg_temp.nra('monthly', null, 29, 9, 0, 'UTC', '2028-01-31 10:00Z'), '2028-02-29 09:00:00Z'::timestamptz,
  'monthly 29: leap year 2028 has 29 February');
select is(pg_temp.nra('monthly', null, 30, 9, 0, 'UTC', '2028-01-31 10:00Z'), '2028-02-29 09:00:00Z'::timestamptz,
  'monthly 30: leap February runs on the 29th');
select is(pg_temp.nra('monthly', null, 29, 9, 0, 'UTC', '2100-01-31 10:00Z'), '2100-02-28 09:00:00Z'::timestamptz,
  'monthly 29: 2100 is not a leap year');
select is(pg_temp.nra('monthly', null, 1, 0, 0, 'UTC', '2026-12-15 00:00Z'), '2027-01-01 00:00:00Z'::timestamptz,
  'monthly 1: across the year end');

-- ---------------------------------------------------------------- America/New_York (DST 8 Mar / 1 Nov 2026)
select is(pg_temp.nra('daily', null, null, 9, 0, 'America/New_York', '2026-03-07 15:00Z'), '2026-03-08 13:00:00Z'::timestamptz,
  'New York: 09:00 EST the day before, 09:00 EDT (13:00Z) on the change day');
select is(pg_temp.nra('daily', null, null, 2, 30, 'America/New_York', '2026-03-07 08:00Z'), '2026-03-08 07:00:00Z'::timestamptz,
  'New York: 02:30 does not exist on 8 March: runs at 03:00 EDT, the first instant after it');
select is(pg_temp.nra('daily', null, null, 2, 30, 'America/New_York', '2026-03-08 07:00Z'), '2026-03-09 06:30:00Z'::timestamptz,
  'New York: the day after the gap, 02:30 EDT again');
select is(pg_temp.nra('daily', null, null, 1, 30, 'America/New_York', '2026-11-01 04:00Z'), '2026-11-01 05:30:00Z'::timestamptz,
  'New York: 01:30 happens twice on 1 November: the first (EDT) one');
select is(pg_temp.nra('daily', null, null, 1, 30, 'America/New_York', '2026-11-01 05:30Z'), '2026-11-02 06:30:00Z'::timestamptz,
  'New York: ... and only once: the repeat at 06:30Z is skipped, next is 2 Nov EST');
select is(pg_temp.nra('weekly', 0, null, 2, 30, 'America/New_York', '2026-03-02 12:00Z'), '2026-03-08 07:00:00Z'::timestamptz,
  'New York weekly Sunday 02:30 on the spring-forward Sunday: 03:00 EDT');
select is(pg_temp.nra('monthly', null, 31, 20, 0, 'America/New_York', '2026-01-31 12:00Z'), '2026-02-01 01:00:00Z'::timestamptz,
  'New York monthly 31: 31 Jan 20:00 EST is 1 Feb 01:00Z (the zone decides the day)');
select is(pg_temp.nra('monthly', null, 31, 20, 0, 'America/New_York', '2026-02-01 01:00Z'), '2026-03-01 01:00:00Z'::timestamptz,
  'New York monthly 31: 28 Feb 20:00 EST');

-- ---------------------------------------------------------------- Europe/London (BST 29 Mar / 25 Oct 2026)
select is(pg_temp.nra('weekly', 1, null, 9, 0, 'Europe/London', '2026-03-28 10:00Z'), '2026-03-30 08:00:00Z'::timestamptz,
  'London: Monday 09:00 after the change is 08:00Z (BST)');
select is(pg_temp.nra('daily', null, null, 1, 30, 'Europe/London', '2026-03-28 12:00Z'), '2026-03-29 01:00:00Z'::timestamptz,
  'London: 01:30 does not exist on 29 March: 02:00 BST (01:00Z)');
select is(pg_temp.nra('daily', null, null, 1, 30, 'Europe/London', '2026-10-24 12:00Z'), '2026-10-25 00:30:00Z'::timestamptz,
  'London: 01:30 twice on 25 October: the BST one (00:30Z)');
select is(pg_temp.nra('daily', null, null, 1, 30, 'Europe/London', '2026-10-25 00:30Z'), '2026-10-26 01:30:00Z'::timestamptz,
  'London: once: next is 26 October GMT');
select is(pg_temp.nra('monthly', null, 29, 7, 45, 'Europe/London', '2028-02-01 00:00Z'), '2028-02-29 07:45:00Z'::timestamptz,
  'London monthly 29 in leap February (GMT)');

-- ---------------------------------------------------------------- Australia/Sydney (DST ends 5 Apr, starts 4 Oct 2026)
select is(pg_temp.nra('daily', null, null, 2, 30, 'Australia/Sydney', '2026-10-03 12:00Z'), '2026-10-03 16:00:00Z'::timestamptz,
  'Sydney: 02:30 does not exist on 4 October: 03:00 AEDT (16:00Z)');
select is(pg_temp.nra('daily', null, null, 2, 30, 'Australia/Sydney', '2026-04-04 12:00Z'), '2026-04-04 15:30:00Z'::timestamptz,
  'Sydney: 02:30 twice on 5 April: the AEDT one (15:30Z)');
select is(pg_temp.nra('daily', null, null, 2, 30, 'Australia/Sydney', '2026-04-04 15:30Z'), '2026-04-05 16:30:00Z'::timestamptz,
  'Sydney: once: next is 6 April AEST');
select is(pg_temp.nra('monthly', null, 31, 8, 0, 'Australia/Sydney', '2026-04-01 00:00Z'), '2026-04-29 22:00:00Z'::timestamptz,
  'Sydney monthly 31 in April: 30 April 08:00 AEST is 29 April 22:00Z');
select is(pg_temp.nra('weekly', 6, null, 0, 0, 'Australia/Sydney', '2026-06-01 00:00Z'), '2026-06-05 14:00:00Z'::timestamptz,
  'Sydney weekly Saturday midnight: Friday 14:00Z');

select is(pg_temp.nra('daily', null, null, 2, 15, 'Australia/Lord_Howe', '2026-10-03 12:00Z'), '2026-10-03 15:30:00Z'::timestamptz,
  'Lord Howe (a 30-minute change): 02:15 does not exist: 02:30 LHDT');

-- ---------------------------------------------------------------- a long walk: always strictly later, once per local day
select is(
  (with recursive walk(n, at) as (
     select 0, '2026-01-01 00:00Z'::timestamptz
     union all
     select n + 1, pg_temp.nra('daily', null, null, 2, 30, 'America/New_York', at) from walk where n < 730)
   select count(distinct (at at time zone 'America/New_York')::date)::integer from walk where n > 0),
  730, 'New York daily 02:30 for two years: 730 runs on 730 distinct local days, gaps and repeats included');

-- ---------------------------------------------------------------- validation (22023 naming the field)
select throws_ok($$ select pg_temp.nra('hourly', null, null, 9, 0, 'UTC', now()) $$, '22023',
  'cadence: must be daily, weekly or monthly', 'an unknown cadence names cadence');
select throws_ok($$ select pg_temp.nra('daily', null, null, 24, 0, 'UTC', now()) $$, '22023',
  'send_hour: must be 0-23', 'hour 24 names send_hour');
select throws_ok($$ select pg_temp.nra('daily', null, null, 9, 60, 'UTC', now()) $$, '22023',
  'send_minute: must be 0-59', 'minute 60 names send_minute');
select throws_ok($$ select pg_temp.nra('weekly', 7, null, 9, 0, 'UTC', now()) $$, '22023',
  'weekly_dow: a weekly schedule needs a day 0-6 (0 = Sunday)', 'weekly day 7 names weekly_dow');
select throws_ok($$ select pg_temp.nra('monthly', null, 0, 9, 0, 'UTC', now()) $$, '22023',
  'monthly_dom: a monthly schedule needs a day 1-31', 'monthly day 0 names monthly_dom');
select throws_ok($$ select pg_temp.nra('daily', null, null, 9, 0, 'Mars/Olympus', now()) $$, '22023',
  'time_zone: unknown time zone "Mars/Olympus"', 'an unknown zone names time_zone');

-- ---------------------------------------------------------------- privileges
select ok(not has_function_privilege('authenticated',
  'private.reports_next_run_at(text, integer, integer, integer, integer, text, timestamptz)', 'execute')
  and not has_function_privilege('anon',
  'private.reports_next_run_at(text, integer, integer, integer, integer, text, timestamptz)', 'execute'),
  'clients cannot call it');

select * from finish();
rollback;
