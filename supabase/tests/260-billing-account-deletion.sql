-- Deleting an account (or the user whose personal account it is) takes its
-- billing history with it; the ledger stays append-only for everyone else.
begin;
select plan(6);

select tests.create_supabase_user('del_owner');
select private.credit_apply(tests.get_supabase_uid('del_owner'), 'credits', 50, 'grant', 'del-grant');
select private.credit_apply(tests.get_supabase_uid('del_owner'), 'credits', -20, 'usage', 'del-spend');
select private.billing_record_payment('stripe', 'pi_del_1', tests.get_supabase_uid('del_owner'), 'credit_pack', 10.00, 'USD',
  'succeeded', null, (select id from public.credit_packs where code = 'tools_credits_1000'));

select throws_ok(
  format($$ delete from public.credit_transactions where account_id = %L $$, tests.get_supabase_uid('del_owner')),
  '42501', 'credit_transactions is append-only',
  'the ledger of a living account cannot be deleted, even by the table owner');

select lives_ok(
  format($$ delete from auth.users where id = %L $$, tests.get_supabase_uid('del_owner')),
  'a user with credit history and payments can be deleted');

select is_empty(
  $$ select 1 from public.credit_transactions t where not exists (select 1 from public.accounts a where a.id = t.account_id) $$,
  'their ledger went with their personal account');
select is_empty(
  $$ select 1 from public.payments p where not exists (select 1 from public.accounts a where a.id = p.account_id) $$,
  'and so did their payments');
select is_empty($$ select * from private.credit_invariant_violations() $$, 'every other balance still equals its ledger');

-- A late 'succeeded' redelivery of a refunded payment grants and announces nothing again.
select tests.create_supabase_user('del_refund');
select id as pay from private.billing_record_payment('stripe', 'pi_del_2', tests.get_supabase_uid('del_refund'), 'credit_pack', 10.00,
  'USD', 'succeeded', null, (select id from public.credit_packs where code = 'tools_credits_1000')) \gset
select private.billing_record_refund('stripe', 're_del_2', :'pay', 10.00, 'requested_by_customer');
select private.billing_record_payment('stripe', 'pi_del_2', tests.get_supabase_uid('del_refund'), 'credit_pack', 10.00, 'USD', 'succeeded');
select is(
  (select count(*)::int from public.notifications where user_id = tests.get_supabase_uid('del_refund') and type = 'payment_success'),
  1, 'a refunded payment announced once, however often its success is redelivered');

select * from finish();
rollback;
