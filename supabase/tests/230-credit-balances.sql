-- public.credit_balances: one row per account and pool.
--   * every member of the account reads it (and platform admins,
--     service_role); strangers see nothing; anon is refused;
--   * nobody writes balances directly, not even service_role (42501);
--     they change only through private.credit_* functions;
--   * balance >= 0 and held <= balance are checks, not hopes;
--   * when available credits (balance - held) fall below low_threshold the
--     account's owners and admins are told, once per crossing.

begin;
select plan(21);

select tests.billing_data() as acme \gset
select tests.get_supabase_uid('owner') as owner_uid \gset

select format($q$ select 1 from public.credit_balances where account_id = %L $q$, :'acme') as read_sql,
       format($q$ insert into public.credit_balances (account_id, pool, balance) values (%L, 'sms', 1000000) $q$, :'acme') as insert_sql,
       format($q$ update public.credit_balances set balance = balance + 1000000 where account_id = %L $q$, :'acme') as update_sql,
       format($q$ delete from public.credit_balances where account_id = %L $q$, :'acme') as delete_sql \gset

-- ---------------------------------------------------------------- who may do what
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'anon can neither read nor write balances');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'a stranger sees no balance and writes none');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'the owner reads the balance but cannot write it');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'another member reads the balance but cannot write it');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'an account admin reads the balance but cannot write it');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'a platform admin reads every balance but writes none');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'service_role reads but writes only through the ledger functions');

-- ---------------------------------------------------------------- the row
select results_eq(
  format($q$ select pool, balance, held, low_threshold from public.credit_balances where account_id = %L $q$, :'acme'),
  $$ values ('credits'::text, 900, 10, 10) $$,
  'balance is the ledger''s sum, held the open holds, and the low threshold defaults to 10');
select throws_ok(format($q$ update public.credit_balances set balance = -1, held = 0 where account_id = %L $q$, :'acme'),
  '23514', null, 'a balance is never negative, even for the database owner');
select throws_ok(format($q$ update public.credit_balances set held = balance + 1 where account_id = %L $q$, :'acme'),
  '23514', null, 'more than the balance is never held');
select is_empty(format($q$ select 1 from public.credit_balances where account_id = %L $q$, :'owner_uid'),
  'an account that never used credits has no balance row');

-- ---------------------------------------------------------------- credit_low
-- On the owner's personal account: 15 granted, threshold 10.
select lives_ok(format($q$ select private.credit_apply(%L, 'credits', 15, 'grant', 'b-low-grant', 'welcome') $q$, :'owner_uid'),
  'a grant creates the balance row');
select tests.authenticate_as_service_role();
select lives_ok(format($q$ select public.spend_credits(%L, 4, 'b-low-1') $q$, :'owner_uid'), 'spending down to 11 available');
select is((select count(*)::int from public.notifications where type = 'credit_low' and user_id = :'owner_uid'), 0,
  'no warning while at or above the threshold');
select lives_ok(format($q$ select public.spend_credits(%L, 2, 'b-low-2') $q$, :'owner_uid'), 'spending down to 9 available');
select results_eq(
  format($q$ select account_id, data ->> 'available', data ->> 'pool' from public.notifications where type = 'credit_low' and user_id = %L $q$, :'owner_uid'),
  format($q$ values (%L::uuid, '9'::text, 'credits'::text) $q$, :'owner_uid'),
  'crossing the threshold warns the owner once, with what is left');
select lives_ok(format($q$ select public.spend_credits(%L, 1, 'b-low-3') $q$, :'owner_uid'), 'spending further below the threshold');
select is((select count(*)::int from public.notifications where type = 'credit_low' and user_id = :'owner_uid'), 1,
  'no second warning while still below the threshold');
select tests.clear_authentication();
select lives_ok(format($q$ select private.credit_apply(%L, 'credits', 20, 'grant', 'b-low-topup') $q$, :'owner_uid'),
  'a top-up brings the account back above the threshold (28 available)');
select lives_ok(format($q$ select private.credit_reserve(%L, 'credits', 25, 'b-low-hold') $q$, :'owner_uid'),
  'a hold drops it below again (3 available)');
select is((select count(*)::int from public.notifications where type = 'credit_low' and user_id = :'owner_uid'), 2,
  'each new crossing warns again, holds included');

select * from finish();
rollback;
