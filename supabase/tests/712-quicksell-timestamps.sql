-- updated_at is the database's on every QuickSell table that has one: an
-- update moves it (private.set_updated_at), whoever writes; on listings only
-- an edit does (a counted view does not: 703, 710). created_at never moves.

begin;
select plan(6);

select tests.quicksell_data() as seller \gset

-- Rows as they stood a year ago.
alter table quicksell.photos disable trigger photos_set_updated_at;
update quicksell.photos set updated_at = now() - interval '1 year' where id = tests.qs('photo:pub');
alter table quicksell.photos enable trigger photos_set_updated_at;
alter table quicksell.marketplace_accounts disable trigger marketplace_accounts_set_updated_at;
update quicksell.marketplace_accounts set updated_at = now() - interval '1 year' where id = tests.qs('account:ebay');
alter table quicksell.marketplace_accounts enable trigger marketplace_accounts_set_updated_at;
alter table quicksell.marketplace_listings disable trigger marketplace_listings_set_updated_at;
update quicksell.marketplace_listings set updated_at = now() - interval '1 year' where id = tests.qs('copy:pub');
alter table quicksell.marketplace_listings enable trigger marketplace_listings_set_updated_at;
alter table quicksell.sales disable trigger sales_set_updated_at;
update quicksell.sales set updated_at = now() - interval '1 year' where id = tests.qs('sale:sold');
alter table quicksell.sales enable trigger sales_set_updated_at;
alter table quicksell.user_stats disable trigger user_stats_set_updated_at;
update quicksell.user_stats set updated_at = now() - interval '1 year' where user_id = :'seller';
alter table quicksell.user_stats enable trigger user_stats_set_updated_at;

select tests.authenticate_as('owner');
update quicksell.photos set display_order = 4 where id = tests.qs('photo:pub');
update quicksell.marketplace_accounts set auto_sync_enabled = false where id = tests.qs('account:ebay');
select tests.clear_authentication();
select tests.authenticate_as_service_role();
update quicksell.marketplace_listings set views_on_marketplace = 41 where id = tests.qs('copy:pub');
select quicksell.refund_sale(tests.qs('sale:sold'));
update quicksell.user_stats set total_points = total_points + 1 where user_id = :'seller';
select tests.clear_authentication();

select is((select updated_at from quicksell.photos where id = tests.qs('photo:pub')), now(), 'photos: the seller''s reorder moves updated_at');
select is((select updated_at from quicksell.marketplace_accounts where id = tests.qs('account:ebay')), now(), 'marketplace_accounts: the owner''s switch moves it');
select is((select updated_at from quicksell.marketplace_listings where id = tests.qs('copy:pub')), now(), 'marketplace_listings: a sync moves it');
select is((select updated_at from quicksell.sales where id = tests.qs('sale:sold')), now(), 'sales: a refund (through the sale RPCs, the only writers) moves it');
select is((select updated_at from quicksell.user_stats where user_id = :'seller'), now(), 'user_stats: the engine''s update moves it');
select is(tests.probe('owner', format($q$ update quicksell.photos set created_at = now() where id = %L $q$, tests.qs('photo:pub'))),
  '42501', 'created_at is not a client''s to move');

select * from finish();
rollback;
