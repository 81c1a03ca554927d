-- reports.api_keys and reports.api_key_windows: who reads and writes what.
-- One line per role (anon, stranger, owner, admin, member, platform admin,
-- service_role) and action, as tests.rights reports them. Keys are read by
-- the account's members without key_hash (column grants); nobody but
-- service_role writes the table (keys are made by reports.create_api_key,
-- 891); the windows (reports.api_key_windows) are read by the key's
-- account and written by the database only.

begin;
select plan(22);

select tests.fixture() as team_a \gset
select tests.account_id('team-b') as team_b \gset
insert into reports.api_keys (id, account_id, key_prefix, key_hash, name, scopes, created_by) values
  ('00000000-0000-4000-e890-000000000001', :'team_a', 'trk_AAAAAAAA', repeat('a', 64), 'team-a key', '{reports:read}', tests.get_supabase_uid('owner')),
  ('00000000-0000-4000-e890-000000000002', :'team_b', 'trk_BBBBBBBB', repeat('b', 64), 'team-b key', '{reports:read}', tests.get_supabase_uid('rival'));
insert into reports.api_key_windows (key_id, window_start, hits, max_hits) values
  ('00000000-0000-4000-e890-000000000001', date_trunc('minute', now()), 1, 60);

-- ---------------------------------------------------------------- api_keys
select $q$ select id, account_id, key_prefix, name, scopes, rate_limit, is_active, created_at, last_used_at, revoked_at, created_by
           from reports.api_keys where id::text like '00000000-0000-4000-e890-%' and account_id = tests.account_id('team-a') $q$ as read_sql,
       $q$ insert into reports.api_keys (account_id, key_prefix, key_hash, name, scopes) values (tests.account_id('team-a'), 'trk_CCCCCCCC', repeat('c', 64), 'mine', '{reports:read}') $q$ as insert_sql,
       $q$ update reports.api_keys set scopes = '{reports:read,reports:write}', rate_limit = 10000 where id = '00000000-0000-4000-e890-000000000001' $q$ as update_sql,
       $q$ delete from reports.api_keys where id = '00000000-0000-4000-e890-000000000001' $q$ as delete_sql \gset
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'api_keys: anon reads and writes nothing');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'api_keys: a stranger sees nothing and writes nothing');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'api_keys: an owner reads the account''s keys; writes only through the RPCs');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'api_keys: an account admin reads; writes only through the RPCs');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'api_keys: a member reads the account''s keys, writes nothing');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'api_keys: a platform admin reads every key, writes nothing directly');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'api_keys: service_role reads and writes');

select is(tests.probe('rival', $q$ select 1 from reports.api_keys where id::text like '00000000-0000-4000-e890-%' $q$), 'rows=1',
  'another account''s owner sees only their own key');
select is(tests.probe('platform_admin', $q$ select 1 from reports.api_keys where id::text like '00000000-0000-4000-e890-%' $q$), 'rows=2',
  'a platform admin sees both accounts'' keys');

-- The hash is nobody's business but the database's.
select is(tests.probe('owner', $q$ select key_hash from reports.api_keys $q$), '42501', 'an owner cannot read key_hash');
select is(tests.probe('member', $q$ select * from reports.api_keys $q$), '42501', 'select * is refused (key_hash is not granted)');
select is(tests.probe('platform_admin', $q$ select key_hash from reports.api_keys $q$), '42501', 'a platform admin cannot read key_hash');
select is(tests.probe('owner', $q$ select 1 from reports.api_keys where key_hash = repeat('a', 64) $q$), '42501',
  'nor probe it in a filter');

-- ---------------------------------------------------------------- api_key_windows
select $q$ select 1 from reports.api_key_windows where key_id::text like '00000000-0000-4000-e890-%' $q$ as read_sql,
       $q$ insert into reports.api_key_windows (key_id, window_start, hits, max_hits) values ('00000000-0000-4000-e890-000000000002', date_trunc('minute', now()), 1, 60) $q$ as insert_sql,
       $q$ update reports.api_key_windows set hits = 1 where key_id = '00000000-0000-4000-e890-000000000001' $q$ as update_sql,
       $q$ delete from reports.api_key_windows where key_id = '00000000-0000-4000-e890-000000000001' $q$ as delete_sql \gset
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'api_key_windows: anon nothing');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'api_key_windows: a stranger sees nothing');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'api_key_windows: an owner reads the minute''s count, cannot reset their own limit');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'api_key_windows: a member reads only');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'api_key_windows: an admin reads only');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'api_key_windows: a platform admin reads only');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'api_key_windows: service_role');

-- ---------------------------------------------------------------- invariants
select throws_ok($q$ insert into reports.api_keys (account_id, key_prefix, key_hash, name, scopes) values (tests.account_id('team-a'), 'trk_DDDDDDDD', repeat('d', 64), 'x', '{admin:all}') $q$,
  '23514', null, 'scopes come from the fixed list');
select throws_ok($q$ update reports.api_keys set rate_limit = 10001 where id = '00000000-0000-4000-e890-000000000001' $q$,
  '23514', null, 'rate_limit is at most 10000 per minute');

select * from finish();
rollback;
