-- Proves that row level security is never forgotten: every ordinary or
-- partitioned table in a schema PostgREST exposes (public and the product
-- schemas, as public.products lists them) has RLS enabled and at least one policy, and the
-- non-exposed `private` schema stays unreachable for anon. A new table that
-- skips `enable row level security` fails this file by name.

begin;
select plan(7);

select is_empty(
  $$ select * from tests.tables_without_rls((select array_agg(schema_name) from public.products)) $$,
  'every table in an exposed schema has row level security enabled'
);

select is_empty(
  $$ select * from tests.tables_without_policies((select array_agg(schema_name) from public.products)) $$,
  'every table in an exposed schema has at least one policy'
);

-- Two permissive policies for one role and action are OR-ed: the wider one
-- silently wins, so each table states one rule per role and action.
select is_empty(
  $$ select schemaname || '.' || tablename || ' ' || cmd || ' ' || r from pg_policies, unnest(roles) r
     where schemaname in (select schema_name from public.products) and permissive = 'PERMISSIVE'
     group by schemaname, tablename, cmd, r having count(*) > 1 $$,
  'one permissive policy per table, role and action in every exposed schema');

-- The check itself works: a table created without RLS is caught.
create table public.__rls_probe (id int);
select results_eq(
  $$ select * from tests.tables_without_rls(array['public']) $$,
  $$ values ('public.__rls_probe') $$,
  'the RLS check names a table created without RLS'
);
drop table public.__rls_probe;

-- Views bypass RLS unless they run with the caller's rights.
select is_empty(
  $$ select n.nspname || '.' || c.relname
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname in (select schema_name from public.products)
       and c.relkind in ('v', 'm')
       and not coalesce('security_invoker=true' = any (c.reloptions), false) $$,
  'every view in an exposed schema is security_invoker (no RLS bypass through views)'
);

select tables_are('public', array[
  'products', 'profiles', 'platform_admins', 'accounts', 'account_memberships', 'invitations',
  'notifications', 'audit_log', 'analytics_events', 'login_attempts', 'revoked_tokens',
  'plans', 'plan_entitlements', 'credit_packs', 'billing_customers', 'subscriptions', 'payments', 'refunds',
  'billing_events', 'credit_balances', 'credit_transactions', 'credit_reservations', 'usage_counters', 'usage_events',
  'job_queues', 'jobs'
], 'the shared platform tables are exactly the ones these tests cover');

-- No table in private: it holds only helpers, so nothing there needs RLS.
select is_empty(
  $$ select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'private' and c.relkind in ('r', 'p', 'v', 'm') $$,
  'the private schema holds no tables or views'
);

select * from finish();
rollback;
