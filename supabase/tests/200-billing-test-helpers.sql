-- Helpers shared by the billing pgTAP files (200-299).
--
-- Like 000-setup-test-helpers.sql, the functions are created OUTSIDE the
-- rolled-back transaction so the files that follow can use them; every
-- statement is idempotent.
--
--   tests.billing_probe(who, statement)  -> 'rows=N' or the SQLSTATE raised
--       acts as `who` ('anon', 'service_role', 'postgres' or a test user
--       identifier), runs the statement in a subtransaction that is always
--       rolled back (so probing has no side effects and the caller's role is
--       restored), and reports the outcome. SELECTs report the rows visible,
--       writes the rows touched.
--   tests.billing_rights(who, read, insert, update, delete) -> text
--       'read rows=1, insert 42501, update 42501, delete 42501': one line
--       per role and table, which reads like the access specification.
--   tests.billing_fixture() -> uuid (the team account 'b-acme')
--       the cast every billing file uses, with one row of billing state of
--       each kind in b-acme, all written through the private billing
--       functions exactly as the webhooks write them:
--         b_owner    primary owner of team b-acme
--         b_admin    admin of b-acme
--         b_member   member of b-acme
--         b_stranger a signed-in user outside b-acme
--         b_padmin   a platform admin outside b-acme
--       b-acme holds: subscription sub_b_acme (reports_solo, active,
--       customer cus_b_acme), a paid subscription invoice in_b_acme_1, a paid
--       1,000-credit pack pi_b_acme_pack refunded by 1.00 (re_b_acme_1, so
--       100 credits clawed back), provider event evt_b_acme_1, a 10-credit
--       hold b-hold-1 and one metered market report b-usage-1.
--       Ledger rows: +1000 purchase, -100 refund (balance 900, held 10).

set client_min_messages = warning;

create schema if not exists tests;

create or replace function tests.billing_probe(who text, statement text)
returns text
language plpgsql
set search_path = ''
as $$
declare
  v_rows bigint;
  v_state text;
  v_message text;
begin
  begin
    case who
      when 'anon' then perform tests.authenticate_as_anon();
      when 'service_role' then perform tests.authenticate_as_service_role();
      when 'postgres' then perform tests.clear_authentication();
      else perform tests.authenticate_as(who);
    end case;
    if statement ~* '^\s*(select|with|values)\M' then
      execute format('select count(*) from (%s) as probe', statement) into v_rows;
    else
      execute statement;
      get diagnostics v_rows = row_count;
    end if;
    -- Undo the statement and the role switch in one go.
    raise exception using errcode = 'TS000', message = v_rows::text;
  exception when others then
    get stacked diagnostics v_state = returned_sqlstate, v_message = message_text;
    if v_state = 'TS000' then
      return 'rows=' || v_message;
    end if;
    return v_state;
  end;
end;
$$;

create or replace function tests.billing_rights(who text, read_sql text, insert_sql text, update_sql text, delete_sql text)
returns text
language sql
set search_path = ''
as $$
  select format('read %s, insert %s, update %s, delete %s',
    tests.billing_probe(who, read_sql), tests.billing_probe(who, insert_sql),
    tests.billing_probe(who, update_sql), tests.billing_probe(who, delete_sql));
$$;

create or replace function tests.billing_fixture()
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_acme uuid;
  v_solo uuid := (select p.id from public.plans p where p.code = 'reports_solo');
  v_pack uuid := (select c.id from public.credit_packs c where c.code = 'tools_credits_1000');
  v_sub public.subscriptions;
  v_pay public.payments;
  v_event uuid;
begin
  perform tests.create_supabase_user('b_owner');
  perform tests.create_supabase_user('b_admin');
  perform tests.create_supabase_user('b_member');
  perform tests.create_supabase_user('b_stranger');
  perform tests.create_supabase_user('b_padmin');
  perform tests.make_platform_admin('b_padmin');
  v_acme := tests.create_team('b_owner', 'b-acme', 'B Acme');
  perform tests.add_account_member(v_acme, 'b_admin', 'admin');
  perform tests.add_account_member(v_acme, 'b_member', 'member');

  select (r.subscription).* into v_sub from private.billing_upsert_subscription(
    'stripe', 'sub_b_acme', v_acme, v_solo, 'active', now() - interval '1 hour', 'month',
    now() - interval '1 day', now() + interval '29 days', false, 'cus_b_acme') r;
  perform private.billing_record_payment('stripe', 'in_b_acme_1', v_acme, 'subscription', 29.00, 'USD', 'succeeded',
    v_solo, null, v_sub.id);
  v_pay := private.billing_record_payment('stripe', 'pi_b_acme_pack', v_acme, 'credit_pack', 10.00, 'USD', 'succeeded',
    null, v_pack);
  perform private.billing_record_refund('stripe', 're_b_acme_1', v_pay.id, 1.00, 'requested_by_customer');
  select e.billing_event_id into v_event
  from private.billing_record_event('stripe', 'evt_b_acme_1', 'checkout.session.completed',
                                    '{"id": "evt_b_acme_1"}', true, now()) e;
  perform private.billing_finish_event(v_event, 'processed', null, v_acme);
  perform private.credit_reserve(v_acme, 'credits', 10, 'b-hold-1', 'render', 'b-job-1');
  perform private.record_usage(v_acme, 'reports.market_report', 1, 'b-usage-1', tests.get_supabase_uid('b_owner'));
  return v_acme;
end;
$$;

grant usage on schema tests to anon, authenticated, service_role;
grant execute on function tests.billing_probe(text, text), tests.billing_rights(text, text, text, text, text)
  to anon, authenticated, service_role;
revoke execute on function tests.billing_fixture() from public;

begin;
select plan(8);

select has_function('tests', 'billing_probe', array['text', 'text'], 'tests.billing_probe(who, statement) exists');
select has_function('tests', 'billing_rights', array['text', 'text', 'text', 'text', 'text'],
  'tests.billing_rights(who, read, insert, update, delete) exists');
select has_function('tests', 'billing_fixture', 'tests.billing_fixture() exists');

-- The probe reports outcomes and leaves nothing behind.
select tests.billing_fixture() as acme \gset
select is(tests.billing_probe('anon', $$ select 1 from public.payments $$), '42501',
  'the probe reports the SQLSTATE of a refused statement');
select is(tests.billing_probe('b_owner', $$ select 1 from public.payments where account_id = tests.account_id('b-acme') $$),
  'rows=2', 'the probe counts the rows a role can see');
select is(tests.billing_probe('postgres', $$ delete from public.refunds where account_id = tests.account_id('b-acme') $$),
  'rows=1', 'the probe counts the rows a write touches');
select is((select count(*)::int from public.refunds where account_id = :'acme'), 1,
  'a probed write is rolled back');
select is(current_user::text, 'postgres', 'the probe restores the caller''s role');

select * from finish();
rollback;
