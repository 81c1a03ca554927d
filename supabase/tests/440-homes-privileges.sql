-- Who may call the Homes functions and touch the Homes tables.
--   * the RPCs in schema homes are closed to PUBLIC; anon may call only
--     search_listings; authenticated the listing and offer RPCs;
--   * the engine, the store and every homes trigger function live in
--     private and are callable by neither anon nor authenticated (the
--     worker runs them as the database owner or service_role);
--   * every homes table has RLS on and one permissive policy per role and
--     action; anon has no access to offers at all and writes nothing.

begin;
select plan(14);

select set_eq(
  $$ select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'homes' and has_function_privilege('anon', p.oid, 'execute') $$,
  array['homes.search_listings(text,text,text,numeric,numeric,integer,integer,numeric,integer,integer,text,text,integer)'],
  'anon may call only homes.search_listings');

select set_eq(
  $$ select p.proname::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'homes' and has_function_privilege('authenticated', p.oid, 'execute') $$,
  array['search_listings', 'publish_listing', 'withdraw_listing', 'reopen_listing', 'mark_sold',
        'submit_offer', 'accept_offer', 'decline_offer', 'withdraw_offer', 'create_property'],
  'authenticated may call the listing and offer RPCs and search');

select is_empty(
  $$ select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'private' and p.proname like 'homes\_%'
       and (has_function_privilege('anon', p.oid, 'execute') or has_function_privilege('authenticated', p.oid, 'execute')) $$,
  'no private homes function is callable by anon or authenticated');

select ok(has_function_privilege('service_role', 'private.homes_store_valuation(uuid,text,uuid,uuid)', 'execute'),
  'service_role may store valuations (the worker)');

select is_empty(
  $$ select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'homes' and not exists (select 1 from unnest(p.proconfig) c where c like 'search_path=%') $$,
  'every homes function pins its search_path');

select ok(not (select prosecdef from pg_proc where oid = 'homes.search_listings(text,text,text,numeric,numeric,integer,integer,numeric,integer,integer,text,text,integer)'::regprocedure),
  'search_listings runs as the caller (RLS applies)');
select ok(not (select prosecdef from pg_proc where oid = 'homes.submit_offer(uuid,numeric,text)'::regprocedure),
  'submit_offer runs as the caller (an insert under RLS)');

select tables_are('homes', array['properties', 'listings', 'valuations', 'valuation_comparables', 'offers'],
  'the Homes tables are the seed''s four plus valuation_comparables');

select is_empty(
  $$ select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'homes' and c.relkind = 'r' and not c.relrowsecurity $$, 'every homes table has RLS');

select is_empty(
  $$ select tablename || ' ' || cmd || ' ' || r from pg_policies, unnest(roles) r
     where schemaname = 'homes' and permissive = 'PERMISSIVE'
     group by tablename, cmd, r having count(*) > 1 $$,
  'one permissive policy per table, role and action');

select ok(not has_table_privilege('anon', 'homes.offers', 'select'), 'anon cannot read offers');
select is_empty(
  $$ select t from unnest(array['homes.properties', 'homes.listings', 'homes.valuations', 'homes.valuation_comparables', 'homes.offers']) t
     where has_table_privilege('anon', t, 'insert') or has_table_privilege('anon', t, 'update')
        or has_table_privilege('anon', t, 'delete') $$,
  'anon writes nothing');
select ok(not has_column_privilege('authenticated', 'homes.offers', 'seller_id', 'insert')
          and not has_column_privilege('authenticated', 'homes.offers', 'buyer_id', 'insert')
          and not has_column_privilege('authenticated', 'homes.listings', 'seller_id', 'insert')
          and not has_column_privilege('authenticated', 'homes.properties', 'owner_id', 'update'),
  'owner_id, seller_id and buyer_id come from auth.uid() defaults and triggers, never from the request');
select ok(not has_column_privilege('authenticated', 'homes.listings', 'status', 'update')
          and not has_column_privilege('authenticated', 'homes.listings', 'published_at', 'update')
          and not has_table_privilege('authenticated', 'homes.offers', 'update'),
  'status moves only through the RPCs');

select * from finish();
rollback;
