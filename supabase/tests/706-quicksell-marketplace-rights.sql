-- quicksell.marketplace_accounts and quicksell.marketplace_listings, who may do what:
--   * accounts: the owner (and platform admins) read every column but the
--     two tokens (ciphertext, service_role only); the owner switches
--     is_active / auto_sync_enabled and disconnects (delete, taking its
--     copies with it); connecting (insert) and everything else is the
--     marketplace-sync function's (service_role);
--   * copies: the listing's seller (and platform admins) read; only the
--     backend writes.

begin;
select plan(27);

select tests.quicksell_data() as seller \gset

-- ---------------------------------------------------------------- marketplace_accounts
select format('select id, account_name from quicksell.marketplace_accounts where id = %L', tests.qs('account:ebay')) as read_sql,
       $q$ insert into quicksell.marketplace_accounts (marketplace_name, account_name) values ('etsy', 'Probe') $q$ as insert_sql,
       format($q$ update quicksell.marketplace_accounts set auto_sync_enabled = false, is_active = false where id = %L $q$, tests.qs('account:ebay')) as update_sql,
       format($q$ delete from quicksell.marketplace_accounts where id = %L $q$, tests.qs('account:ebay')) as delete_sql \gset

select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'anon: no marketplace accounts');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update rows=0, delete rows=0', 'a stranger neither sees nor touches another''s account');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=1, delete rows=1', 'the owner reads, switches and disconnects; connecting is the function''s');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update rows=0, delete rows=0', 'a teammate has no rights on it');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update rows=0, delete rows=0', 'nor a member');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=0, delete rows=0', 'a platform admin reads it');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 23502, update rows=1, delete rows=1', 'service_role does everything (naming the user)');
select is(tests.probe('service_role', format($q$ insert into quicksell.marketplace_accounts (user_id, marketplace_name, access_token)
  values (%L, 'etsy', 'v1:CCCCCCCCCCCCCCCC:Y2lwaGVy') $q$, :'seller')), 'rows=1', 'the marketplace-sync function connects an account (tokens are its ciphertext, 760)');

select is(tests.probe('owner', format($q$ select access_token from quicksell.marketplace_accounts where id = %L $q$, tests.qs('account:ebay'))),
  '42501', 'the owner cannot read his access token');
select is(tests.probe('owner', format($q$ select refresh_token from quicksell.marketplace_accounts where id = %L $q$, tests.qs('account:ebay'))),
  '42501', 'nor his refresh token');
select is(tests.probe('owner', 'select * from quicksell.marketplace_accounts'), '42501', 'select * is refused (it would include them)');
select is(tests.probe('platform_admin', format($q$ select access_token from quicksell.marketplace_accounts where id = %L $q$, tests.qs('account:ebay'))),
  '42501', 'nor does a platform admin read tokens');
select is(tests.probe('service_role', format($q$ select 1 from quicksell.marketplace_accounts where id = %L and access_token = 'v1:AAAAAAAAAAAAAAAA:YWNjZXNz' $q$, tests.qs('account:ebay'))),
  'rows=1', 'service_role reads the ciphertext');
select is(tests.probe('owner', format($q$ update quicksell.marketplace_accounts set access_token = 'mine' where id = %L $q$, tests.qs('account:ebay'))),
  '42501', 'the owner cannot write a token');
select is(tests.probe('owner', format($q$ update quicksell.marketplace_accounts set marketplace_user_id = 'someone-else' where id = %L $q$, tests.qs('account:ebay'))),
  '42501', 'nor re-point the account');
select is(tests.probe('owner', format($q$ update quicksell.marketplace_accounts set seller_rating = 5, total_sales_on_platform = 999 where id = %L $q$, tests.qs('account:ebay'))),
  '42501', 'nor inflate its marketplace standing');
select is(tests.probe('owner', format($q$ update quicksell.marketplace_accounts set user_id = %L where id = %L $q$, tests.get_supabase_uid('rival'), tests.qs('account:ebay'))),
  '42501', 'nor give it away');

select tests.authenticate_as('owner');
delete from quicksell.marketplace_accounts where id = tests.qs('account:ebay');
select tests.clear_authentication();
select is_empty(format('select 1 from quicksell.marketplace_listings where id = %L', tests.qs('copy:pub')),
  'disconnecting an account removes its copies');

-- ---------------------------------------------------------------- marketplace_listings
-- (a fresh account and copy: the one above is gone)
insert into quicksell.marketplace_accounts (id, user_id, marketplace_name)
values ('00000000-0000-4000-9716-000000000001', :'seller', 'etsy');
insert into quicksell.marketplace_listings (id, listing_id, marketplace_account_id, marketplace_name, sync_status)
values ('00000000-0000-4000-9716-000000000002', tests.qs('listing:pub'), '00000000-0000-4000-9716-000000000001', 'etsy', 'active');

select $q$ select 1 from quicksell.marketplace_listings where id = '00000000-0000-4000-9716-000000000002' $q$ as read_sql,
       format($q$ insert into quicksell.marketplace_listings (listing_id, marketplace_account_id, marketplace_name)
                  values (%L, '00000000-0000-4000-9716-000000000001', 'etsy') $q$, tests.qs('listing:delisted')) as insert_sql,
       $q$ update quicksell.marketplace_listings set sync_status = 'delisted' where id = '00000000-0000-4000-9716-000000000002' $q$ as update_sql,
       $q$ delete from quicksell.marketplace_listings where id = '00000000-0000-4000-9716-000000000002' $q$ as delete_sql \gset

select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'anon: no copies');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'a stranger neither sees nor writes copies');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'the seller reads his listing''s copies; the sync writes them');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'a teammate sees none');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'nor a member');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update 42501, delete 42501', 'a platform admin reads them');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'service_role (marketplace-sync) writes them');
select is(tests.probe('service_role', $q$ update quicksell.marketplace_listings set posted_price = 'NaN' where id = '00000000-0000-4000-9716-000000000002' $q$),
  '23514', 'a posted price is a number (NaN refused)');
select is(tests.probe('service_role', $q$ update quicksell.marketplace_listings set views_on_marketplace = -1 where id = '00000000-0000-4000-9716-000000000002' $q$),
  '23514', 'marketplace counters are never negative');

select * from finish();
rollback;
