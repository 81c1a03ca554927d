-- Reports (issue 13): the API keys' rate windows move to schema reports.
-- private holds no tables (supabase/tests/001-rls-everywhere.sql), so
-- private.api_key_windows (20261202320000_reports_api_keys.sql) becomes
-- reports.api_key_windows, unchanged otherwise: one row per key and UTC
-- minute, hits counted atomically by private.reports_authenticate_api_key
-- (re-created here to name the new place; same body).
-- Who may do what: the key's account members and platform admins read the
-- windows (how much of this minute's limit is used); nobody but service_role
-- and the definer function writes them, so no one resets their own limit.

alter table private.api_key_windows set schema reports;

revoke all on reports.api_key_windows from anon, authenticated, service_role;
grant select on reports.api_key_windows to authenticated;
grant all on reports.api_key_windows to service_role;

create policy "api_key_windows: the key's members and platform admins read"
  on reports.api_key_windows for select to authenticated
  using (
    key_id in (select k.id from reports.api_keys k where k.account_id in (select private.my_account_ids()))
    or (select private.is_platform_admin())
  );

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
    insert into reports.api_key_windows as w (key_id, window_start, hits, max_hits)
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
    delete from reports.api_key_windows w where w.key_id = v_key_id and w.window_start < v_window;
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


revoke execute on function private.reports_authenticate_api_key(text, text) from public, anon, authenticated;
grant execute on function private.reports_authenticate_api_key(text, text) to service_role;
