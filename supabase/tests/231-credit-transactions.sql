-- public.credit_transactions: the append-only ledger, and public.spend_credits.
--   * every member of the account reads its ledger (and platform admins,
--     service_role); strangers see nothing; anon is refused;
--   * nobody inserts, updates or deletes ledger rows directly (42501); even
--     the database owner cannot update, delete or truncate them;
--   * spend_credits (service_role only) spends idempotently: the same key
--     twice spends once; more than is available (balance - held) raises
--     PT402 and changes nothing; zero, negative or keyless spends are
--     refused with 22023.

begin;
select plan(28);

select tests.billing_data() as acme \gset

select format($q$ select 1 from public.credit_transactions where account_id = %L $q$, :'acme') as read_sql,
       format($q$ insert into public.credit_transactions (account_id, amount, type, balance_after, idempotency_key) values (%L, 1000000, 'grant', 1000900, 'b-free-money') $q$, :'acme') as insert_sql,
       format($q$ update public.credit_transactions set amount = 1 where account_id = %L $q$, :'acme') as update_sql,
       format($q$ delete from public.credit_transactions where account_id = %L $q$, :'acme') as delete_sql \gset

-- ---------------------------------------------------------------- who may do what
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'anon can neither read nor write the ledger');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'a stranger sees no ledger rows and writes none');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert 42501, update 42501, delete 42501', 'the owner reads the ledger but cannot write it');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert 42501, update 42501, delete 42501', 'another member reads the ledger but cannot write it');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert 42501, update 42501, delete 42501', 'an account admin reads the ledger but cannot write it');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert 42501, update 42501, delete 42501', 'a platform admin reads every ledger but writes none');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=2, insert 42501, update 42501, delete 42501', 'service_role reads but writes only through the ledger functions');

-- ---------------------------------------------------------------- append-only, even for postgres
select is(tests.probe('postgres', :'update_sql'), '42501', 'not even the database owner can update a ledger row');
select is(tests.probe('postgres', :'delete_sql'), '42501', 'not even the database owner can delete a ledger row');
select is(tests.probe('postgres', 'truncate public.credit_transactions'), '42501',
  'not even the database owner can truncate the ledger');

-- ---------------------------------------------------------------- spend_credits
-- team-a: balance 900, 10 held, so 890 available.
select tests.authenticate_as_service_role();
select id as spend_1 from public.spend_credits(:'acme', 30, 'b-spend-1', 'photo edit') \gset
select results_eq(
  format($q$ select amount, type::text, balance_after, description from public.credit_transactions where id = %L $q$, :'spend_1'),
  $$ values (-30, 'usage'::text, 870, 'photo edit'::text) $$,
  'a spend is a negative usage row carrying the balance after it');
select is((select id from public.spend_credits(:'acme', 30, 'b-spend-1', 'photo edit')), :'spend_1'::uuid,
  'the same idempotency key returns the original row');
select is((select id from public.spend_credits(:'acme', 500, 'b-spend-1')), :'spend_1'::uuid,
  'even with another amount, a repeated key spends nothing more');
select is((select count(*)::int from public.credit_transactions where account_id = :'acme' and idempotency_key = 'b-spend-1'), 1,
  'one ledger row per idempotency key');
select is((select balance from public.credit_balances where account_id = :'acme' and pool = 'credits'), 870,
  'the balance dropped once');

select throws_ok(format($q$ select public.spend_credits(%L, 861, 'b-spend-too-much') $q$, :'acme'),
  'PT402', null, 'spending more than is available (870 - 10 held) raises PT402');
select is_empty($$ select 1 from public.credit_transactions where idempotency_key = 'b-spend-too-much' $$,
  'a refused spend leaves no ledger row');
select is((select balance_after from public.spend_credits(:'acme', 860, 'b-spend-all')), 10,
  'exactly the available credits can be spent (the held 10 remain)');
select throws_ok(format($q$ select public.spend_credits(%L, 1, 'b-spend-one-more') $q$, :'acme'),
  'PT402', null, 'held credits cannot be spent (PT402)');
select throws_ok(format($q$ select public.spend_credits(%L, 0, 'b-spend-zero') $q$, :'acme'),
  '22023', null, 'a zero spend is refused (22023)');
select throws_ok(format($q$ select public.spend_credits(%L, -5, 'b-spend-negative') $q$, :'acme'),
  '22023', null, 'a negative spend is refused (22023), it never adds credits');
select throws_ok(format($q$ select public.spend_credits(%L, 1, null) $q$, :'acme'),
  '22023', null, 'a spend needs an idempotency key (22023)');
select throws_ok(format($q$ select public.spend_credits(%L, 1, '') $q$, :'acme'),
  '22023', null, 'an empty idempotency key is refused (22023)');
select tests.clear_authentication();
select throws_ok(format($q$ select private.credit_apply(%L, 'credits', 0, 'grant', 'b-grant-zero') $q$, :'acme'),
  '22023', null, 'credit_apply refuses a zero amount (22023)');

-- ---------------------------------------------------------------- who may spend
select tests.authenticate_as('owner');
select throws_ok(format($q$ select public.spend_credits(%L, 1, 'b-spend-by-owner') $q$, :'acme'),
  '42501', null, 'a signed-in user cannot call spend_credits, even the owner (42501)');
select tests.authenticate_as_anon();
select throws_ok(format($q$ select public.spend_credits(%L, 1, 'b-spend-by-anon') $q$, :'acme'),
  '42501', null, 'anon cannot call spend_credits (42501)');
select tests.clear_authentication();
select results_eq(
  format($q$ select balance, held from public.credit_balances where account_id = %L and pool = 'credits' $q$, :'acme'),
  $$ values (10, 10) $$, 'nothing but the successful spends changed the balance');
select is_empty($$ select * from private.credit_invariant_violations() $$, 'balance = sum(ledger) for every account');

select * from finish();
rollback;
