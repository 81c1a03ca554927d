-- Reports (seed 004, issue 13): API keys for the `api` function.
-- Adds:
--   * reports.api_keys: the seed's columns (id, account_id, key_prefix,
--     key_hash, name, scopes, rate_limit, is_active, created_at) plus
--     last_used_at, revoked_at and created_by;
--   * private.api_key_windows: one row per key and UTC minute, counting the
--     requests of that minute (the atomic rate limit; not exposed);
--   * private.reports_crc32(bytea), private.reports_base62(bigint, integer),
--     private.reports_api_key_checksum(text): the key's checksum, the same
--     computation as functions/_shared/reports/api/keys.ts;
--   * reports.create_api_key(account_id, name, scopes, rate_limit) -> jsonb
--     with the plaintext key, the only time it exists;
--   * reports.revoke_api_key(id) -> jsonb;
--   * private.reports_authenticate_api_key(key_hash, scope) -> jsonb
--     (service_role: the api function).
-- Key format (GitHub's token format): 'trk_' + 30 random base62 characters +
-- 6 base62 characters of the CRC32 of those first 34, left-padded with '0'
-- (40 in all). A typo or a scanned fake fails the checksum, so the function
-- refuses it without asking the database. Stored: key_prefix (the first 12
-- characters, shown in lists) and key_hash (SHA-256 hex of the whole key),
-- never the key; the key is generated here (gen_random_bytes, rejection
-- sampled so every character is equally likely) and only returned.
-- Who may do what:
--   * the account's members read its keys, every column but key_hash
--     (column grants); platform admins read every key; anon nothing;
--   * only owners and admins create keys (reports.create_api_key) and
--     revoke them (reports.revoke_api_key; platform admins revoke any, for a
--     leaked key); nobody writes the table directly but service_role;
--   * key windows are the database's own (service_role and definer code).
-- Invariants: scopes are a non-empty subset of reports:read, reports:write,
-- leads:read, schedules:read, schedules:write; rate_limit 1..10000 requests
-- per minute; is_active is exactly "not revoked" (revoked_at set); a key is
-- never un-revoked; a window never admits more than the key's rate_limit.

-- ---------------------------------------------------------------- checksum
create or replace function private.reports_crc32(p_data bytea)
returns bigint
language plpgsql
immutable
strict
set search_path = ''
as $$
declare
  v_crc bigint := 4294967295;
begin
  for i in 0 .. length(p_data) - 1 loop
    v_crc := v_crc # get_byte(p_data, i);
    for j in 1 .. 8 loop
      if (v_crc & 1) = 1 then
        v_crc := (v_crc >> 1) # 3988292384; -- 0xEDB88320, the reflected IEEE polynomial
      else
        v_crc := v_crc >> 1;
      end if;
    end loop;
  end loop;
  return v_crc # 4294967295;
end;
$$;

create or replace function private.reports_base62(p_value bigint, p_width integer)
returns text
language plpgsql
immutable
strict
set search_path = ''
as $$
declare
  c_alphabet constant text := '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  v_out text := '';
  v_rest bigint := p_value;
begin
  while v_rest > 0 loop
    v_out := substr(c_alphabet, (v_rest % 62)::integer + 1, 1) || v_out;
    v_rest := v_rest / 62;
  end loop;
  return lpad(v_out, p_width, '0');
end;
$$;

-- The 6 checksum characters of a key's first 34 ('trk_' + 30 random).
create or replace function private.reports_api_key_checksum(p_body text)
returns text
language sql
immutable
strict
set search_path = ''
as $$
  select private.reports_base62(private.reports_crc32(convert_to(p_body, 'UTF8')), 6);
$$;

comment on function private.reports_api_key_checksum(text) is
  'Base62 (0-9A-Za-z) CRC32 of an API key''s first 34 characters, 6 characters; functions/_shared/reports/api/keys.ts computes the same.';

-- ---------------------------------------------------------------- the keys
create table reports.api_keys (
  id uuid primary key default extensions.gen_random_uuid(),
  account_id uuid not null references public.accounts (id) on delete cascade,
  key_prefix text not null check (key_prefix ~ '^trk_[0-9A-Za-z]{8}$'),
  key_hash text not null unique check (key_hash ~ '^[0-9a-f]{64}$'),
  name text not null check (char_length(btrim(name)) between 1 and 100),
  scopes text[] not null
    check (cardinality(scopes) between 1 and 5
           and scopes <@ array['reports:read', 'reports:write', 'leads:read', 'schedules:read', 'schedules:write']),
  rate_limit integer not null default 60 check (rate_limit between 1 and 10000),
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz,
  created_by uuid references public.profiles (id) on delete set null,
  constraint api_keys_active_until_revoked check (is_active = (revoked_at is null))
);

comment on table reports.api_keys is
  'Reports (seed 004): API keys of an account (Bearer keys of the api function); only a prefix and a SHA-256 hash are kept.';
comment on column reports.api_keys.key_prefix is 'The first 12 characters of the key (trk_ + 8), shown in lists to tell keys apart.';
comment on column reports.api_keys.key_hash is 'SHA-256 hex of the whole key; no API role can read it.';
comment on column reports.api_keys.rate_limit is 'Requests per UTC minute (fixed window), 1-10000.';
comment on column reports.api_keys.last_used_at is 'Added: the first request of the latest minute the key was used in (updated at most once a minute).';
comment on column reports.api_keys.revoked_at is 'Added: when the key was revoked; is_active = (revoked_at is null).';
comment on column reports.api_keys.created_by is 'Added: the owner or admin who created the key.';

create index api_keys_account_id_idx on reports.api_keys (account_id, created_at desc);
create index api_keys_created_by_idx on reports.api_keys (created_by);

-- A revoked key stays revoked; the identity columns never change.
create or replace function private.reports_guard_api_key()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.key_hash is distinct from old.key_hash or new.key_prefix is distinct from old.key_prefix
     or new.account_id is distinct from old.account_id then
    raise exception 'key_hash: a key''s identity never changes' using errcode = '42501';
  end if;
  if old.revoked_at is not null and (new.revoked_at is distinct from old.revoked_at or new.is_active) then
    raise exception 'revoked_at: a revoked key stays revoked' using errcode = 'PT409';
  end if;
  return new;
end;
$$;

create trigger api_keys_guard before update on reports.api_keys
  for each row execute function private.reports_guard_api_key();

-- ---------------------------------------------------------------- rate windows
create table private.api_key_windows (
  key_id uuid not null references reports.api_keys (id) on delete cascade,
  window_start timestamptz not null,
  hits integer not null check (hits >= 1),
  max_hits integer not null check (max_hits >= 1),
  primary key (key_id, window_start),
  constraint api_key_windows_within_limit check (hits <= max_hits)
);

comment on table private.api_key_windows is
  'Requests per API key and UTC minute; private.reports_authenticate_api_key counts them atomically (insert ... on conflict do update ... where hits < max_hits).';

-- ---------------------------------------------------------------- grants and RLS
revoke all on reports.api_keys from anon, authenticated, service_role;
grant select (id, account_id, key_prefix, name, scopes, rate_limit, is_active, created_at, last_used_at, revoked_at, created_by)
  on reports.api_keys to authenticated;
grant all on reports.api_keys to service_role;
revoke all on private.api_key_windows from public, anon, authenticated;
grant all on private.api_key_windows to service_role;

alter table reports.api_keys enable row level security;
alter table private.api_key_windows enable row level security;

create policy "api_keys: the account's members and platform admins read"
  on reports.api_keys for select to authenticated
  using (account_id in (select private.my_account_ids()) or (select private.is_platform_admin()));

-- ---------------------------------------------------------------- create and revoke
create or replace function reports.create_api_key(
  p_account_id uuid,
  p_name text,
  p_scopes text[],
  p_rate_limit integer default 60
)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  c_alphabet constant text := '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  c_scopes constant text[] := array['reports:read', 'reports:write', 'leads:read', 'schedules:read', 'schedules:write'];
  c_max_active constant integer := 100;
  v_user uuid := (select auth.uid());
  v_role public.account_role;
  v_scopes text[];
  v_bytes bytea;
  v_body text := 'trk_';
  v_byte integer;
  v_key text;
  v_row reports.api_keys;
begin
  if v_user is null then
    raise exception 'account_id: sign in to create an API key' using errcode = '42501';
  end if;
  v_role := private.member_role(p_account_id, v_user);
  if v_role is distinct from 'owner' and v_role is distinct from 'admin' then
    raise exception 'account_id: only the account''s owners and admins create API keys' using errcode = '42501';
  end if;
  if p_name is null or char_length(btrim(p_name)) not between 1 and 100 then
    raise exception 'name: 1 to 100 characters' using errcode = '22023';
  end if;
  if p_scopes is null or cardinality(p_scopes) = 0 or array_position(p_scopes, null) is not null
     or not (p_scopes <@ c_scopes) then
    raise exception 'scopes: one or more of %', array_to_string(c_scopes, ', ') using errcode = '22023';
  end if;
  v_scopes := array(select s from unnest(c_scopes) with ordinality u(s, o) where s = any (p_scopes) order by o);
  if p_rate_limit is null or p_rate_limit not between 1 and 10000 then
    raise exception 'rate_limit: requests per minute, 1 to 10000' using errcode = '22023';
  end if;
  -- Serialises key creation per account, so the cap holds under concurrency.
  perform 1 from public.accounts a where a.id = p_account_id for update;
  if (select count(*) from reports.api_keys k where k.account_id = p_account_id and k.is_active) >= c_max_active then
    raise exception 'account_id: at most % active API keys; revoke one first', c_max_active using errcode = 'PT409';
  end if;

  -- 30 characters, each byte below 248 (= 4 x 62) mapped mod 62, so every
  -- character is equally likely; 48 bytes nearly always suffice.
  while char_length(v_body) < 34 loop
    v_bytes := extensions.gen_random_bytes(48);
    for i in 0 .. 47 loop
      v_byte := get_byte(v_bytes, i);
      if v_byte < 248 and char_length(v_body) < 34 then
        v_body := v_body || substr(c_alphabet, v_byte % 62 + 1, 1);
      end if;
    end loop;
  end loop;
  v_key := v_body || private.reports_api_key_checksum(v_body);

  insert into reports.api_keys (account_id, key_prefix, key_hash, name, scopes, rate_limit, created_by)
  values (p_account_id, left(v_key, 12), encode(extensions.digest(v_key, 'sha256'), 'hex'), btrim(p_name), v_scopes,
          p_rate_limit, v_user)
  returning * into v_row;

  return jsonb_build_object('id', v_row.id, 'key', v_key, 'key_prefix', v_row.key_prefix, 'name', v_row.name,
                            'scopes', to_jsonb(v_row.scopes), 'rate_limit', v_row.rate_limit,
                            'created_at', v_row.created_at);
end;
$$;

comment on function reports.create_api_key(uuid, text, text[], integer) is
  'Owners and admins: a new API key for the account; the answer''s "key" is the only copy of the plaintext (stored: prefix and SHA-256).';

create or replace function reports.revoke_api_key(p_id uuid)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_user uuid := (select auth.uid());
  v_row reports.api_keys;
  v_role public.account_role;
begin
  select * into v_row from reports.api_keys k where k.id = p_id for update;
  v_role := case when v_row.id is not null and v_user is not null then private.member_role(v_row.account_id, v_user) end;
  if v_row.id is null or (v_role is null and not private.is_platform_admin()) then
    raise exception 'id: no such API key' using errcode = 'PT404';
  end if;
  if v_role is distinct from 'owner' and v_role is distinct from 'admin' and not private.is_platform_admin() then
    raise exception 'id: only the account''s owners and admins revoke API keys' using errcode = '42501';
  end if;
  if v_row.revoked_at is null then
    update reports.api_keys k set is_active = false, revoked_at = now() where k.id = p_id returning * into v_row;
  end if;
  return jsonb_build_object('id', v_row.id, 'key_prefix', v_row.key_prefix, 'is_active', v_row.is_active,
                            'revoked_at', v_row.revoked_at);
end;
$$;

comment on function reports.revoke_api_key(uuid) is
  'Owners and admins of the key''s account (and platform admins): revoke an API key at once; revoking again changes nothing.';

-- ---------------------------------------------------------------- authentication
create or replace function private.reports_authenticate_api_key(p_key_hash text, p_scope text)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_window timestamptz := date_trunc('minute', now());
  v_key_id uuid;
  v_account_id uuid;
  v_active boolean;
  v_in_scope boolean;
  v_hits integer;
  v_status text;
  v_retry integer;
begin
  -- One statement: the key, its scope, and this request counted in the
  -- key's current minute. The upsert locks the window row, so concurrent
  -- requests of one key count one after another; when the window is full the
  -- update's WHERE fails and no row comes back (nothing is counted).
  with k as (
    select k.id, k.account_id, k.is_active, coalesce(p_scope = any (k.scopes), false) as in_scope, k.rate_limit
    from reports.api_keys k where k.key_hash = p_key_hash
  ),
  hit as (
    insert into private.api_key_windows as w (key_id, window_start, hits, max_hits)
    select k.id, v_window, 1, k.rate_limit from k where k.is_active
    on conflict (key_id, window_start) do update set hits = w.hits + 1, max_hits = excluded.max_hits
      where w.hits < excluded.max_hits
    returning w.hits
  )
  select k.id, k.account_id, k.is_active, k.in_scope, (select h.hits from hit h)
  into v_key_id, v_account_id, v_active, v_in_scope, v_hits
  from k;

  if v_key_id is null then
    return jsonb_build_object('status', 'unknown', 'account_id', null, 'key_id', null, 'retry_after_seconds', null);
  end if;
  v_status := case when not v_active then 'revoked'
                   when v_hits is null then 'rate_limited'
                   when not v_in_scope then 'forbidden'
                   else 'valid' end;
  if v_hits = 1 then
    -- The minute's first request: the cheap moments to note the use and to
    -- drop the key's older windows.
    update reports.api_keys k set last_used_at = now() where k.id = v_key_id;
    delete from private.api_key_windows w where w.key_id = v_key_id and w.window_start < v_window;
  end if;
  if v_status = 'rate_limited' then
    v_retry := greatest(1, ceil(extract(epoch from (v_window + interval '1 minute') - clock_timestamp()))::integer);
  end if;
  -- Every call by a known key is metered (reports.api_call, unlimited on
  -- every plan); the reference says which key and what it was answered.
  perform private.record_usage(v_account_id, 'reports.api_call', 1, 'api:' || extensions.gen_random_uuid(), null,
                               'api_key:' || v_key_id || ':' || v_status);
  return jsonb_build_object('status', v_status, 'account_id', v_account_id, 'key_id', v_key_id,
                            'retry_after_seconds', v_retry);
end;
$$;

comment on function private.reports_authenticate_api_key(text, text) is
  'api function: {status: valid|unknown|revoked|forbidden|rate_limited, account_id, key_id, retry_after_seconds}; counts the request in the key''s minute atomically and meters it (reports.api_call).';

revoke execute on function
  private.reports_crc32(bytea),
  private.reports_base62(bigint, integer),
  private.reports_api_key_checksum(text),
  private.reports_guard_api_key(),
  private.reports_authenticate_api_key(text, text)
from public, anon, authenticated;
grant execute on function private.reports_authenticate_api_key(text, text), private.reports_api_key_checksum(text) to service_role;

revoke execute on function reports.create_api_key(uuid, text, text[], integer), reports.revoke_api_key(uuid) from public, anon;
grant execute on function reports.create_api_key(uuid, text, text[], integer), reports.revoke_api_key(uuid)
  to authenticated, service_role;
