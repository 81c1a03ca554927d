-- Reports schedules, part 1 (rp-msg): when a schedule is next due.
--
-- Adds private.reports_local_instant(wall, zone), which turns a local wall
-- time into the instant it names, and private.reports_next_run_at(...), the
-- first due time of a schedule strictly after a given instant. Both are pure
-- (no tables), so the schedules trigger, the dispatcher, the demo data and
-- the benchmark all compute due times the same way.
--
-- Who may do what: service_role only (the schedules trigger and the
-- dispatcher run them as definer); clients never set next_run_at.
--
-- Invariants:
--   * times are computed in the schedule's own zone, never in UTC;
--   * a monthly day the month lacks (31 in April, 29-31 in February) runs on
--     the month's last day; 29 February exists only in leap years;
--   * a wall time that does not exist (spring-forward gap: 02:30 on the day
--     New York skips from 02:00 to 03:00) runs at the first instant after it
--     that exists (03:00 local, the moment of the change);
--   * a wall time that exists twice (autumn: 01:30 in New York) runs once, at
--     its first occurrence (daylight time);
--   * weekly_dow counts 0 = Sunday .. 6 = Saturday, as extract(dow) does;
--   * bad input is 22023 with a message naming the field.

-- The instant a local wall time names in a zone. Ambiguous (repeated) wall
-- times give their first occurrence; missing ones the first existing instant
-- after them (the transition itself).
create or replace function private.reports_local_instant(p_wall timestamp, p_time_zone text)
returns timestamptz
language plpgsql
stable
strict
set search_path = ''
as $$
declare
  v_guess timestamptz := p_wall at time zone p_time_zone;
  -- Offsets (local minus UTC) a day either side: a zone changes offset at
  -- most once in such a window, so these are the two readings a wall time can have.
  v_before interval := ((v_guess - interval '1 day') at time zone p_time_zone) - ((v_guess - interval '1 day') at time zone 'UTC');
  v_after interval := ((v_guess + interval '1 day') at time zone p_time_zone) - ((v_guess + interval '1 day') at time zone 'UTC');
  v_a timestamptz := (p_wall - v_before) at time zone 'UTC';
  v_b timestamptz := (p_wall - v_after) at time zone 'UTC';
  v_a_ok boolean := (v_a at time zone p_time_zone) = p_wall;
  v_b_ok boolean := (v_b at time zone p_time_zone) = p_wall;
  v_low timestamptz;
  v_high timestamptz;
  v_mid timestamptz;
begin
  if v_a_ok and v_b_ok then
    return least(v_a, v_b);
  elsif v_a_ok then
    return v_a;
  elsif v_b_ok then
    return v_b;
  end if;
  -- In a gap: the earliest instant whose local time is past the wall time is
  -- the transition. Every instant before it reads earlier than the gap, every
  -- one from it on reads later: bisect to the second.
  v_low := least(v_a, v_b);
  v_high := greatest(v_a, v_b);
  while v_high - v_low > interval '1 second' loop
    v_mid := v_low + (v_high - v_low) / 2;
    if (v_mid at time zone p_time_zone) > p_wall then
      v_high := v_mid;
    else
      v_low := v_mid;
    end if;
  end loop;
  return date_trunc('second', v_high);
end;
$$;

create or replace function private.reports_next_run_at(
  p_cadence text,
  p_weekly_dow integer,
  p_monthly_dom integer,
  p_send_hour integer,
  p_send_minute integer,
  p_time_zone text,
  p_after timestamptz
)
returns timestamptz
language plpgsql
stable
set search_path = ''
as $$
declare
  v_time interval;
  v_start date;
  v_day date;
  v_month date;
  v_due timestamptz;
begin
  if p_cadence is null or p_cadence not in ('daily', 'weekly', 'monthly') then
    raise exception 'cadence: must be daily, weekly or monthly' using errcode = '22023';
  end if;
  if p_send_hour is null or p_send_hour not between 0 and 23 then
    raise exception 'send_hour: must be 0-23' using errcode = '22023';
  end if;
  if p_send_minute is not null and p_send_minute not between 0 and 59 then
    raise exception 'send_minute: must be 0-59' using errcode = '22023';
  end if;
  if p_cadence = 'weekly' and (p_weekly_dow is null or p_weekly_dow not between 0 and 6) then
    raise exception 'weekly_dow: a weekly schedule needs a day 0-6 (0 = Sunday)' using errcode = '22023';
  end if;
  if p_cadence = 'monthly' and (p_monthly_dom is null or p_monthly_dom not between 1 and 31) then
    raise exception 'monthly_dom: a monthly schedule needs a day 1-31' using errcode = '22023';
  end if;
  if not private.is_time_zone(p_time_zone) then
    raise exception 'time_zone: unknown time zone "%"', left(coalesce(p_time_zone, ''), 64) using errcode = '22023';
  end if;
  if p_after is null or not isfinite(p_after) then
    raise exception 'after: must be a finite instant' using errcode = '22023';
  end if;

  v_time := make_interval(hours => p_send_hour, mins => coalesce(p_send_minute, 0));
  -- A day early: the due time on the previous local date can still be after
  -- p_after when the wall time was pushed forward across a gap.
  v_start := (p_after at time zone p_time_zone)::date - 1;

  if p_cadence = 'daily' then
    for i in 0..3 loop
      v_due := private.reports_local_instant(v_start + i + v_time, p_time_zone);
      if v_due > p_after then
        return v_due;
      end if;
    end loop;
  elsif p_cadence = 'weekly' then
    v_day := v_start + ((p_weekly_dow - extract(dow from v_start)::integer + 7) % 7);
    for i in 0..2 loop
      v_due := private.reports_local_instant(v_day + 7 * i + v_time, p_time_zone);
      if v_due > p_after then
        return v_due;
      end if;
    end loop;
  else
    v_month := date_trunc('month', v_start)::date;
    for i in 0..2 loop
      -- The month's day, or its last day when it is shorter.
      v_day := least(
        (v_month + make_interval(months => i))::date + (p_monthly_dom - 1),
        ((v_month + make_interval(months => i + 1))::date - 1));
      v_due := private.reports_local_instant(v_day + v_time, p_time_zone);
      if v_due > p_after then
        return v_due;
      end if;
    end loop;
  end if;
  -- Unreachable: each loop covers more than one period after p_after.
  raise exception 'cadence: no due time found after %', p_after using errcode = '22023';
end;
$$;

comment on function private.reports_next_run_at(text, integer, integer, integer, integer, text, timestamptz) is
  'First due time of a schedule strictly after p_after, in the schedule''s zone (month ends, leap years, DST gaps and repeats).';

revoke execute on function private.reports_local_instant(timestamp, text) from public, anon, authenticated;
revoke execute on function private.reports_next_run_at(text, integer, integer, integer, integer, text, timestamptz)
  from public, anon, authenticated;
grant execute on function private.reports_local_instant(timestamp, text) to service_role;
grant execute on function private.reports_next_run_at(text, integer, integer, integer, integer, text, timestamptz)
  to service_role;
