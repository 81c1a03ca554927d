-- Audit (20261201009210_tools_backend_check.sql): an API role whose JWT
-- claims omit `role` is not the backend. Before the fix a stranger with
-- claims {"sub": ...} read and used another account's tools and an
-- ordinary user refunded purchases.

begin;
select plan(6);

select tests.tools_data() as team \gset
select tests.get_supabase_uid('stranger') as stranger \gset

create function pg_temp.as_roleless(who uuid, api_role text) returns void language plpgsql as $$
begin
  perform set_config('role', api_role, true);
  perform set_config('request.jwt.claims', json_build_object('sub', who)::text, true);
end;
$$;

select pg_temp.as_roleless(:'stranger', 'authenticated');
select throws_ok(format($$ select tools.may_use_tool(%L, %L) $$, :'team', tests.tools_id(5)), '42501', null,
  'a stranger without a role claim may not ask about another account');
select throws_ok(format($$ select tools.record_tool_use(%L, %L) $$, :'team', tests.tools_id(5)), '42501', null,
  'nor record a use for it');
select throws_ok($$ select tools.refund_purchase(gen_random_uuid()) $$, '42501', null, 'nor refund a purchase');
select throws_ok($$ select tools.mark_invoice_paid('invoice:x') $$, '42501', null, 'nor mark an invoice paid');
select tests.clear_authentication();

-- The backend still is: service_role claims, and postgres without claims.
select tests.authenticate_as_service_role();
select is(tools.may_use_tool(:'team', tests.tools_id(5)), true, 'service_role is the backend');
select tests.clear_authentication();
select is(tools.may_use_tool(:'team', tests.tools_id(5)), true, 'postgres without claims (edge functions, pg_cron) is the backend');

select * from finish();
rollback;
