-- API keys: creation and revocation rights, the key format and its checksum,
-- the plaintext stored nowhere, and private.reports_authenticate_api_key
-- (statuses, the per-minute limit counted atomically, metering).

begin;
select plan(32);

select tests.fixture() as team_a \gset

-- ---------------------------------------------------------------- who creates
select is(tests.probe('member', $q$ select reports.create_api_key(tests.account_id('team-a'), 'm', '{reports:read}', 10) $q$), '42501',
  'a member cannot create a key');
select is(tests.probe('stranger', $q$ select reports.create_api_key(tests.account_id('team-a'), 's', '{reports:read}', 10) $q$), '42501',
  'a stranger cannot create a key for team-a');
select is(tests.probe('platform_admin', $q$ select reports.create_api_key(tests.account_id('team-a'), 'p', '{reports:read}', 10) $q$), '42501',
  'a platform admin cannot create a key for an account');
select is(tests.probe('anon', $q$ select reports.create_api_key(tests.account_id('team-a'), 'a', '{reports:read}', 10) $q$), '42501',
  'anon cannot call it');
select is(tests.probe('admin', $q$ select reports.create_api_key(tests.account_id('team-a'), 'ok', '{reports:read}', 10) $q$), 'rows=1',
  'an account admin creates one');
select is(tests.probe('owner', $q$ select reports.create_api_key(tests.account_id('team-a'), 'x', '{reports:read,admin:all}', 10) $q$), '22023',
  'an unknown scope is refused');
select is(tests.probe('owner', $q$ select reports.create_api_key(tests.account_id('team-a'), 'x', '{}', 10) $q$), '22023',
  'no scope is refused');
select is(tests.probe('owner', $q$ select reports.create_api_key(tests.account_id('team-a'), 'x', '{reports:read}', 0) $q$), '22023',
  'rate_limit 0 is refused');
select is(tests.probe('owner', $q$ select reports.create_api_key(tests.account_id('team-a'), 'x', '{reports:read}', 10001) $q$), '22023',
  'rate_limit 10001 is refused');
select is(tests.probe('owner', $q$ select reports.create_api_key(tests.account_id('team-a'), '  ', '{reports:read}', 10) $q$), '22023',
  'a blank name is refused');

-- ---------------------------------------------------------------- the key
select tests.authenticate_as('owner');
select reports.create_api_key(:'team_a', 'CI pipeline', '{schedules:read,reports:read,reports:read}', 3) as created \gset
select tests.clear_authentication();
select (:'created'::jsonb) ->> 'key' as plain, (:'created'::jsonb) ->> 'id' as key_id \gset

select matches(:'plain'::text, '^trk_[0-9A-Za-z]{36}$', 'trk_ and 36 base62 characters');
select is(right(:'plain'::text, 6), private.reports_api_key_checksum(left(:'plain', 34)), 'the last 6 are the CRC32 of the first 34');
select results_eq(
  format($q$ select key_prefix, key_hash, scopes, rate_limit, is_active, created_by from reports.api_keys where id = %L $q$, :'key_id'),
  format($q$ values (left(%L, 12), encode(extensions.digest(%L, 'sha256'), 'hex'), '{reports:read,schedules:read}'::text[], 3, true, %L::uuid) $q$,
         :'plain', :'plain', tests.get_supabase_uid('owner')),
  'stored: the prefix, the SHA-256, scopes once each in canonical order, the creator');

-- The plaintext (its random part) appears in no row of any table.
select set_config('tests.plain_key', :'plain', true);
create temp table plaintext_hits (tbl text);
do $$
declare
  v_key text := current_setting('tests.plain_key');
  r record;
  n bigint;
begin
  for r in select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
             and c.relname <> 'plaintext_hits' and n.nspname not like 'pg_temp%' loop
    execute format('select count(*) from %I.%I t where strpos(row_to_json(t)::text, %L) > 0', r.nspname, r.relname, substr(v_key, 5, 30))
      into n;
    if n > 0 then insert into plaintext_hits values (r.nspname || '.' || r.relname); end if;
  end loop;
end;
$$ ;
select is_empty('select tbl from plaintext_hits', 'the plaintext is stored in no table');

-- ---------------------------------------------------------------- authentication
select encode(extensions.digest(:'plain', 'sha256'), 'hex') as key_hash \gset
select tests.authenticate_as_service_role();
select is(private.reports_authenticate_api_key(:'key_hash', 'reports:read') ->> 'status', 'valid', '1st request: valid');
select is(private.reports_authenticate_api_key(:'key_hash', 'schedules:read') - 'retry_after_seconds',
  jsonb_build_object('status', 'valid', 'account_id', :'team_a', 'key_id', :'key_id'), 'the answer names the account and key');
select is(private.reports_authenticate_api_key(:'key_hash', 'leads:read') ->> 'status', 'forbidden', '3rd: out of scope (counted)');
select is(private.reports_authenticate_api_key(:'key_hash', 'reports:read') ->> 'status', 'rate_limited', '4th in the minute: rate limited');
select ok((private.reports_authenticate_api_key(:'key_hash', 'reports:read') ->> 'retry_after_seconds')::int between 1 and 60,
  'Retry-After: the seconds left in the minute');
select tests.clear_authentication();
select is((select hits from reports.api_key_windows where key_id = :'key_id'), 3, 'refused requests are not counted: the window holds the limit');
select is((select count(*)::int from public.usage_events where account_id = :'team_a' and feature = 'reports.api_call'
            and reference_id like 'api_key:' || :'key_id' || ':%'), 6, 'every call is metered (6 so far), refused ones too');
select is((select count(*)::int from public.usage_events where account_id = :'team_a' and feature = 'reports.api_call' and billable), 0,
  'API calls are not billable');
select isnt((select last_used_at from reports.api_keys where id = :'key_id'), null, 'last_used_at noted');
select is(private.reports_authenticate_api_key(repeat('0', 64), 'reports:read'),
  '{"status": "unknown", "key_id": null, "account_id": null, "retry_after_seconds": null}'::jsonb, 'an unknown hash: unknown, nothing else');
select is(tests.probe('owner', format($q$ select private.reports_authenticate_api_key(%L, 'reports:read') $q$, :'key_hash')), '42501',
  'only service_role authenticates keys');

-- A window from an earlier minute is dropped by the next minute's first request.
update reports.api_key_windows set window_start = window_start - interval '1 minute' where key_id = :'key_id';
select is(private.reports_authenticate_api_key(:'key_hash', 'reports:read') ->> 'status', 'valid', 'a new minute, a new window');
select is((select count(*)::int from reports.api_key_windows where key_id = :'key_id'), 1, 'the old window is gone');

-- ---------------------------------------------------------------- revoke
select is(tests.probe('member', format($q$ select reports.revoke_api_key(%L) $q$, :'key_id')), '42501', 'a member cannot revoke');
select is(tests.probe('rival', format($q$ select reports.revoke_api_key(%L) $q$, :'key_id')), 'PT404', 'another account''s owner: no such key');
select tests.authenticate_as('admin');
select is((reports.revoke_api_key(:'key_id') ->> 'is_active')::boolean, false, 'an admin revokes it');
select tests.clear_authentication();
select is(private.reports_authenticate_api_key(:'key_hash', 'reports:read') ->> 'status', 'revoked', 'a revoked key is refused at once');
select throws_ok(format($q$ update reports.api_keys set is_active = true, revoked_at = null where id = %L $q$, :'key_id'),
  'PT409', null, 'a revoked key stays revoked');

select * from finish();
rollback;
