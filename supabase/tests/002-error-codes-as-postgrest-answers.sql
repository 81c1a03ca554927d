-- Every error our own SQL raises, answered the way PostgREST would answer it.
-- PostgREST picks the HTTP status from the SQLSTATE by its own table (REFERENCE.md,
-- "PostgREST: SQLSTATE to HTTP status"): class 55 ("not in this state"), 40 and
-- P0 other than P0001 become 500, an unknown code such as DM402 becomes 400.
-- A caller's mistake must never look like our outage, so this file reads the
-- LIVE function bodies (pg_proc.prosrc; the old migration files still hold old
-- codes and are never edited), finds every RAISE, works out its SQLSTATE and
-- fails naming every one that PostgREST would answer 5xx. Codes to use instead:
-- PT409 conflict of state, PT402 payment required, PT404 not found, PT429 rate
-- limited, 42501 forbidden, 22023 bad input, 23505 / 23503 conflicts.

begin;
select plan(9);

-- PostgREST's status for a SQLSTATE; `detail` is the RAISE's detail (a literal
-- or a json_build_object call), which sets the status of a `raise sqlstate 'PGRST'`;
-- a PGRST raise without a readable status counts as 500.
create function pg_temp.postgrest_status(code text, detail text default null) returns int
language sql immutable as $$
  select case
    when code = 'PGRST' then coalesce(substring(detail from '"status"\s*:\s*(\d{3})'),
                                      substring(detail from '''status''\s*,\s*(\d{3})'), '500')::int
    when code ~ '^PT[0-9]{3}$' then substr(code, 3)::int
    when code in ('23503', '23505') then 409
    when code = '25006' then 405
    when code in ('42883', '42P01') then 404
    when code = '42501' then 403
    when code = 'P0001' then 400
    when code = '53400' then 500
    when left(code, 2) in ('08', '53') then 503
    when left(code, 2) in ('28', '0L', '0P') then 403
    when left(code, 2) in ('09', '25', '2D', '38', '39', '3B', '40', '54', '55', '57', '58', 'F0', 'HV', 'P0', 'XX') then 500
    else 400
  end
$$;

-- The PL/pgSQL condition names we may write instead of a code (errcodes.txt).
-- An unknown name maps to null and is reported, so a new one gets added here.
create function pg_temp.condition_code(name text) returns text
language sql immutable as $$
  select case lower(name)
    when 'raise_exception' then 'P0001'
    when 'no_data_found' then 'P0002'
    when 'too_many_rows' then 'P0003'
    when 'assert_failure' then 'P0004'
    when 'unique_violation' then '23505'
    when 'foreign_key_violation' then '23503'
    when 'not_null_violation' then '23502'
    when 'check_violation' then '23514'
    when 'exclusion_violation' then '23P01'
    when 'insufficient_privilege' then '42501'
    when 'invalid_parameter_value' then '22023'
    when 'invalid_text_representation' then '22P02'
    when 'data_exception' then '22000'
    when 'object_not_in_prerequisite_state' then '55000'
    when 'lock_not_available' then '55P03'
    when 'serialization_failure' then '40001'
    when 'deadlock_detected' then '40P01'
    when 'invalid_authorization_specification' then '28000'
    when 'read_only_sql_transaction' then '25006'
    else null
  end
$$;

-- Splits a body into statements without being fooled by a ';' or '--' inside a
-- string literal; comments are dropped.
create function pg_temp.statements(src text) returns setof text
language plpgsql immutable as $$
declare
  tok text;
  cur text := '';
begin
  for tok in
    select m[1] from regexp_matches(src, $re$('(?:[^']|'')*'|--[^\n]*|/\*.*?\*/|;|[^';/-]+|.)$re$, 'gs') as m
  loop
    if tok like '--%' or tok like '/*%' then
      continue;
    elsif tok = ';' then
      return next cur;
      cur := '';
    else
      cur := cur || tok;
    end if;
  end loop;
  if btrim(cur) <> '' then return next cur; end if;
end;
$$;

-- One row per RAISE of level EXCEPTION in a body: its SQLSTATE (null when it
-- cannot be read) and the statement.
create function pg_temp.raises(src text) returns table (sqlstate text, detail text, stmt text)
language plpgsql immutable as $$
declare
  s text;
  r text;
  cond text;
begin
  for s in select pg_temp.statements(src) loop
    r := substring(s from '(?i)\m(raise\M.*)$');
    continue when r is null;
    r := regexp_replace(r, '\s+', ' ', 'g');
    -- A bare RAISE re-throws the error being handled, whose code is checked where it is raised.
    continue when r ~* '^raise\s*$';
    continue when r ~* '^raise (debug|log|info|notice|warning)\M';
    stmt := btrim(r);
    detail := substring(r from '(?i)\mdetail\s*:?=\s*(.*)$');
    if r ~* '^raise (exception )?sqlstate ''' then
      sqlstate := substring(r from '(?i)sqlstate ''([^'']*)''');
    elsif r ~* '^raise (exception )?[a-z_]+\s*($|using\M)' and r !~* '^raise (exception )?using\M'
          and substring(r from '(?i)^raise (?:exception )?([a-z_]+)') !~* '^exception$' then
      sqlstate := pg_temp.condition_code(substring(r from '(?i)^raise (?:exception )?([a-z_]+)'));
    elsif r ~* '\merrcode\s*:?=' then
      cond := substring(r from '(?i)\merrcode\s*:?=\s*''([^'']*)''');
      sqlstate := case
        when cond is null then null  -- a computed errcode: cannot be checked, so it is reported
        when cond ~ '^[0-9A-Z]{5}$' then cond
        else pg_temp.condition_code(cond)
      end;
    else
      sqlstate := 'P0001';
    end if;
    return next;
  end loop;
end;
$$;

-- Every RAISE in every function we wrote: all schemas but the system ones, the
-- stand-ins for what hosted Supabase provides, and extension members.
create function pg_temp.live_raises() returns table (fn text, sqlstate text, status int, stmt text)
language sql stable as $$
  select n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
         r.sqlstate, pg_temp.postgrest_status(r.sqlstate, r.detail), r.stmt
  from pg_proc p
  join pg_namespace n on n.oid = p.pronamespace
  join pg_language l on l.oid = p.prolang and l.lanname = 'plpgsql'
  cross join lateral pg_temp.raises(p.prosrc) r
  where n.nspname not in ('pg_catalog', 'information_schema', 'auth', 'storage', 'extensions', 'cron', 'tests')
    and n.nspname not like 'pg\_%'
    and not exists (select 1 from pg_depend d
                    where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
$$;

-- The reader itself: each form of RAISE gets the code PL/pgSQL would give it.
create function pg_temp.raise_forms() returns void language plpgsql as $body$
begin
  raise exception 'a: plain';                                   -- P0001
  raise 'b: no level; still an exception -- not a comment';     -- P0001
  raise exception 'c: %', 1 using errcode = 'PT409';
  raise sqlstate 'PT402' using message = 'd';
  raise unique_violation using message = 'e';
  raise exception 'f' using errcode = 'object_not_in_prerequisite_state', hint = 'x';
  raise sqlstate 'PGRST' using message = '{}', detail = '{"status": 401, "headers": {}}';
  raise notice 'not an error' using errcode = '55000';
  -- raise exception 'commented out' using errcode = '55000';
  raise exception 'g' using errcode = 'DM402';
  raise;
end;
$body$;

select results_eq(
  $$ select sqlstate, pg_temp.postgrest_status(sqlstate, detail)
     from pg_temp.raises((select prosrc from pg_proc where oid = 'pg_temp.raise_forms'::regproc)) $$,
  $$ values ('P0001', 400), ('P0001', 400), ('PT409', 409), ('PT402', 402), ('23505', 409),
            ('55000', 500), ('PGRST', 401), ('DM402', 400) $$,
  'the reader finds every RAISE form with its SQLSTATE and PostgREST status (comments, notices and re-raises skipped)'
);

select is(pg_temp.postgrest_status('40P01'), 500, 'PostgREST answers a deadlock 500');
select is(pg_temp.postgrest_status('P0002'), 500, 'PostgREST answers no_data_found 500 (so "not found" is PT404)');
select is(pg_temp.postgrest_status('42501'), 403, 'PostgREST answers 42501 403');

-- The live functions: enough raises found to trust the reader ...
select cmp_ok((select count(*) from pg_temp.live_raises())::int, '>=', 100,
  'the live function bodies hold at least 100 raises (the reader is reading them)');
select ok(exists (select 1 from pg_temp.live_raises() where fn like 'homes.accept_offer(%' and sqlstate = 'PT409'),
  'homes.accept_offer refuses a declined offer with PT409');

-- ... every one with a code we can read ...
select is_empty(
  $$ select fn, stmt from pg_temp.live_raises() where sqlstate is null $$,
  'every live RAISE names its SQLSTATE (a literal code or a known condition)'
);

-- ... and none that PostgREST would turn into a 5xx.
select is_empty(
  $$ select fn, sqlstate, status, stmt from pg_temp.live_raises() where status >= 500 $$,
  'no live RAISE answers 5xx through PostgREST'
);

-- The DM402 era is over: a refusal for money is 402, not PostgREST's 400 for an unknown code.
select is_empty(
  $$ select fn, sqlstate, stmt from pg_temp.live_raises() where sqlstate ~ '^[A-Z]' and left(sqlstate, 2) not in ('PT', 'P0', 'HV', 'F0', 'XX') and sqlstate <> 'PGRST' $$,
  'no live RAISE uses a home-made code (PostgREST would answer it 400 whatever it means)'
);

select * from finish();
rollback;
