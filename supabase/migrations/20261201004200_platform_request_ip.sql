-- Redefines private.request_ip(), the client address the audit log and
-- analytics_events record, to read only the header the edge sets itself
-- (docs/architecture.md, "Client addresses"; issue 14 §5).
--
-- Before, it took the first X-Forwarded-For entry, which is whatever the
-- client wrote: anyone could put any address in the audit log. Hosted
-- Supabase sits behind Cloudflare, which sets cf-connecting-ip to the TCP
-- peer it accepted and overwrites a client-sent value; that is the one
-- trusted source, the same one the payment webhooks use.
--
-- Invariants:
--   * the address comes only from request.headers ->> 'cf-connecting-ip';
--     x-forwarded-for, x-real-ip and the like are never consulted, not even
--     as a fallback;
--   * a missing, empty or unparsable value, a list, or a network (a/b) is
--     "unknown": null;
--   * it never raises, so it never fails the audited write.

create or replace function private.request_ip()
returns inet
language plpgsql
stable
set search_path = ''
as $$
declare
  v_raw text;
begin
  v_raw := btrim(coalesce(nullif(current_setting('request.headers', true), '')::jsonb ->> 'cf-connecting-ip', ''));
  if v_raw = '' or v_raw ~ '[/,[:space:]]' then
    return null;
  end if;
  return v_raw::inet;
exception when others then
  return null;
end;
$$;

comment on function private.request_ip() is
  'The client address from cf-connecting-ip (set by the edge, never by the client); null when absent or invalid.';

revoke execute on function private.request_ip() from public;
grant execute on function private.request_ip() to anon, authenticated, service_role;
