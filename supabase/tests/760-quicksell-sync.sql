-- QuickSell cross-posting (migrations 20261202120000-20261202120400): tokens
-- stored as ciphertext and never readable by clients, connecting accounts,
-- quicksell.crosspost_listing (owner only, published only, connected account,
-- plan entitlement, idempotent), the sync_status machine, the worker's
-- settlements (error kept, retry never sooner than Retry-After, last attempt
-- -> error), a marketplace's sale delisting every other copy exactly once,
-- edits queueing an update of every active copy, and notifications.
begin;
select plan(56);

select tests.fixture();
-- This file reasons about every job on the queue: start from none (rolled back at the end).
delete from public.jobs where queue = 'quicksell.sync';
select tests.get_supabase_uid('owner') as owner \gset
select tests.get_supabase_uid('rival') as rival \gset
select tests.get_supabase_uid('stranger') as stranger \gset

-- A published listing of owner's, and a draft one.
insert into quicksell.listings (id, user_id, title, description, category, condition, price, status, published_at)
values ('00000000-0000-4000-9760-000000000001', :'owner', 'Denim jacket', 'Levi''s trucker, M', 'clothing', 'good', 45, 'published', now()),
       ('00000000-0000-4000-9760-000000000002', :'owner', 'Draft lamp', 'a lamp', 'home', 'good', 10, 'draft', null),
       ('00000000-0000-4000-9760-000000000003', :'rival', 'Rival chair', 'a chair', 'home', 'fair', 20, 'published', now());

create temp table v1 as select 'v1:AAAAAAAAAAAAAAAA:' || 'c2VjcmV0LWNpcGhlcnRleHQ=' as ct;
grant select on v1 to public;

-- ---------------------------------------------------------------- connecting accounts
select is(tests.probe('owner', format($$ select private.quicksell_connect_account(%L, 'ebay', 'u1', 'x', null, 0, 'v1:AAAAAAAAAAAAAAAA:eA==', null, now(), null, '{}') $$, :'owner')),
  '42501', 'an API user cannot call connect (service_role only)');
select is(tests.probe('service_role', format($$ select private.quicksell_connect_account(%L, 'ebay', 'nYowner', 'qs_owner', 4.5, 3,
  'v1:AAAAAAAAAAAAAAAA:YWNjZXNz', 'v1:BBBBBBBBBBBBBBBB:cmVmcmVzaA==', now() + interval '2 hours', now() + interval '18 months', '{}') $$, :'owner')),
  'rows=1', 'service_role connects an account with ciphertext tokens');
select private.quicksell_connect_account(:'owner', 'ebay', 'nYowner', 'qs_owner', 4.5, 3,
  'v1:AAAAAAAAAAAAAAAA:YWNjZXNz', 'v1:BBBBBBBBBBBBBBBB:cmVmcmVzaA==', now() + interval '2 hours', now() + interval '18 months', '{}');
select private.quicksell_connect_account(:'owner', 'etsy', '400000001', 'OwnerFinds', null, 0,
  'v1:CCCCCCCCCCCCCCCC:YWNjZXNz', 'v1:DDDDDDDDDDDDDDDD:cmVmcmVzaA==', now() + interval '1 hour', now() + interval '90 days', '{"shop_id": "30000001"}');
select is((select count(*)::int from quicksell.marketplace_accounts where user_id = :'owner' and marketplace_name = 'ebay'), 1,
  'connecting again replaces: still one account per seller and marketplace');
select private.quicksell_connect_account(:'owner', 'ebay', 'nYowner', 'qs_owner', 4.5, 3,
  'v1:EEEEEEEEEEEEEEEE:bmV3', null, now() + interval '2 hours', null, '{}');
select is((select refresh_token from quicksell.marketplace_accounts where user_id = :'owner' and marketplace_name = 'ebay'), null,
  'a reconnect stores exactly the tokens it was given');
select throws_ok(format($$ select private.quicksell_connect_account(%L, 'ebay', 'nYowner', 'x', null, 0, 'v1:AAAAAAAAAAAAAAAA:eA==', null, now(), null, '{}') $$, :'rival'),
  'PT409', null, 'an eBay account already connected to another seller is refused');
select throws_ok(format($$ select private.quicksell_connect_account(%L, 'ebay', 'nYrival', 'x', null, 0, 'plain-access-token', null, now(), null, '{}') $$, :'rival'),
  '23514', null, 'a plain-text token is refused by the table: only v1 ciphertext is stored');
select throws_ok(format($$ select private.quicksell_connect_account(%L, 'ebay', 'nYrival', 'x', null, 0, null, null, null, null, '{}') $$, :'rival'),
  '22023', null, 'an external account needs an access token');
select throws_ok(format($$ select private.quicksell_connect_account(%L, 'amazon', 'z', 'x', null, 0, null, null, null, null, '{}') $$, :'rival'),
  '22023', null, 'an unknown marketplace is refused');
select throws_ok(format($$ update quicksell.marketplace_accounts set refresh_token = 'v1:AAAAAAAAAAAAAAAA' where user_id = %L $$, :'owner'),
  '23514', null, 'a malformed ciphertext is refused too');

-- ---------------------------------------------------------------- tokens are never readable by clients
select is(tests.probe('owner', 'select access_token from quicksell.marketplace_accounts'), '42501', 'the owner cannot read access_token');
select is(tests.probe('owner', 'select refresh_token from quicksell.marketplace_accounts'), '42501', 'the owner cannot read refresh_token');
select is(tests.probe('owner', 'select * from quicksell.marketplace_accounts'), '42501', 'select * (which includes the tokens) is refused');
select is(tests.probe('owner', 'select marketplace_data from quicksell.marketplace_accounts'), '42501', 'marketplace_data is backend only');
select is(tests.probe('platform_admin', 'select access_token, refresh_token from quicksell.marketplace_accounts'), '42501', 'not even a platform admin reads tokens');
select is(tests.probe('owner', 'select id, token_expires_at, refresh_token_expires_at from quicksell.marketplace_accounts'), 'rows=2',
  'the owner reads his accounts and when they expire');
select is(tests.probe('owner', format($$ update quicksell.marketplace_accounts set access_token = (select ct from v1) where user_id = %L $$, :'owner')), '42501',
  'the owner cannot write a token');
select is(tests.probe('anon', 'select id from quicksell.marketplace_accounts'), '42501', 'anon reads no accounts');
select is(tests.probe('owner', $$ select private.quicksell_store_tokens(gen_random_uuid(), null, null, now(), null) $$), '42501',
  'storing tokens is service_role only');

-- ---------------------------------------------------------------- crosspost_listing
select is(tests.probe('anon', $$ select quicksell.crosspost_listing('00000000-0000-4000-9760-000000000001', 'local') $$), '42501', 'anon cannot cross-post');
select is(tests.probe('stranger', $$ select quicksell.crosspost_listing('00000000-0000-4000-9760-000000000001', 'local') $$), '42501',
  'someone else''s listing cannot be cross-posted');
select is(tests.probe('owner', $$ select quicksell.crosspost_listing('00000000-0000-4000-9760-000000000002', 'local') $$), 'PT409',
  'a draft listing cannot be cross-posted');
select is(tests.probe('owner', $$ select quicksell.crosspost_listing(gen_random_uuid(), 'local') $$), 'PT404', 'an unknown listing is 404');
select is(tests.probe('owner', $$ select quicksell.crosspost_listing('00000000-0000-4000-9760-000000000001', 'craigslist') $$), '22023',
  'an unknown marketplace is bad input');
select is(tests.probe('rival', $$ select quicksell.crosspost_listing('00000000-0000-4000-9760-000000000003', 'ebay') $$), 'PT409',
  'a marketplace the seller has not connected is refused');

select tests.authenticate_as('owner');
select (quicksell.crosspost_listing('00000000-0000-4000-9760-000000000001', 'ebay')).id as ebay_copy \gset
select (quicksell.crosspost_listing('00000000-0000-4000-9760-000000000001', 'etsy')).id as etsy_copy \gset
select (quicksell.crosspost_listing('00000000-0000-4000-9760-000000000001', 'local')).id as local_copy \gset
select is((quicksell.crosspost_listing('00000000-0000-4000-9760-000000000001', 'ebay')).id, :'ebay_copy'::uuid,
  'cross-posting again returns the same copy');
select tests.clear_authentication();

select is((select array_agg(sync_status::text order by marketplace_name) from quicksell.marketplace_listings
           where listing_id = '00000000-0000-4000-9760-000000000001'), array['draft', 'draft', 'draft'], 'three draft copies');
select is((select count(*)::int from public.jobs where queue = 'quicksell.sync' and payload ->> 'copy_id' = :'ebay_copy' and payload ->> 'action' = 'publish'), 1,
  'one publish job for the eBay copy, however often it was cross-posted');
select is((select account_id from public.jobs where queue = 'quicksell.sync' and payload ->> 'copy_id' = :'ebay_copy'), :'owner'::uuid,
  'the job belongs to the seller''s personal account');
select is((select count(*)::int from public.usage_events where account_id = :'owner' and feature = 'quicksell.crosspost_marketplace'), 2,
  'eBay and Etsy each count once against the plan; the local marketplace is free');
select is((select marketplace_user_id from quicksell.marketplace_accounts where user_id = :'owner' and marketplace_name = 'local'), :'owner',
  'the local marketplace account was made on first use');

-- Free plan: 2 external marketplaces a period. A third is refused with 402 and leaves nothing behind.
insert into quicksell.marketplaces (name, display_name) values ('mercari', 'Mercari');
select private.quicksell_connect_account(:'owner', 'mercari', 'm1', 'owner', null, 0, 'v1:AAAAAAAAAAAAAAAA:eA==', null, now() + interval '1 hour', null, '{}');
select is(tests.probe('owner', $$ select quicksell.crosspost_listing('00000000-0000-4000-9760-000000000001', 'mercari') $$), 'PT402',
  'a third external marketplace on the free plan is payment required');
select is((select count(*)::int from quicksell.marketplace_listings where marketplace_name = 'mercari'), 0, 'and no copy was made');
update quicksell.marketplace_accounts set is_active = false where user_id = :'owner' and marketplace_name = 'mercari';
select is(tests.probe('owner', $$ select quicksell.crosspost_listing('00000000-0000-4000-9760-000000000001', 'mercari') $$), 'PT409',
  'a switched-off account is refused before anything is counted');

-- ---------------------------------------------------------------- the sync_status machine
select throws_ok(format($$ update quicksell.marketplace_listings set sync_status = 'sold' where id = %L $$, :'ebay_copy'), 'PT409', null,
  'draft -> sold is refused');
update quicksell.marketplace_listings set sync_status = 'active', marketplace_listing_id = '110000007601' where id = :'ebay_copy';
update quicksell.marketplace_listings set sync_status = 'active', marketplace_listing_id = '1000007601' where id = :'etsy_copy';
update quicksell.marketplace_listings set sync_status = 'active', marketplace_listing_id = 'qs-7601' where id = :'local_copy';
select is(tests.probe('owner', format($$ update quicksell.marketplace_listings set sync_status = 'delisted' where id = %L $$, :'ebay_copy')), '42501',
  'the seller cannot change a copy''s sync status (read only)');

-- ---------------------------------------------------------------- a worker's settlements
-- Take the eBay copy's publish job as a worker, fail it with a Retry-After of 120 s.
select id as job from private.claim_jobs('quicksell.sync', 'w-760', 10) where payload ->> 'copy_id' = :'ebay_copy' \gset
select is(private.quicksell_sync_fail(:job, 'w-760', :'ebay_copy', 'ebay: Too many requests (2001)', true, 120), 'retrying', 'a rate-limited job is retried');
select ok((select run_at >= now() + interval '119 seconds' from public.jobs where id = :job), 'not sooner than the marketplace asked');
select is((select last_error from quicksell.marketplace_listings where id = :'ebay_copy'), 'ebay: Too many requests (2001)', 'the error is kept on the copy');
select is(private.quicksell_sync_fail(:job, 'w-760', :'ebay_copy', 'x', true, null), 'lease_lost', 'a worker without the lease settles nothing');
select is(private.quicksell_sync_load(:job, 'w-760'), null, 'nor can it load the job''s context');

-- Its last attempt fails for good: the copy is left in 'error' with its message.
update public.jobs set run_at = now(), attempts = max_attempts - 1 where id = :job;
select is((select count(*)::int from private.claim_jobs('quicksell.sync', 'w-760b', 50) where id = :job), 1, 'claimed again');
select ok(private.quicksell_sync_load(:job, 'w-760b') -> 'account' ? 'access_token', 'the worker gets the ciphertext to decrypt');
select is(private.quicksell_sync_fail(:job, 'w-760b', :'ebay_copy', 'ebay: Missing ImageUrls (25002)', false, null), 'failed', 'a permanent failure is final');
select is((select array[sync_status::text, last_error] from quicksell.marketplace_listings where id = :'ebay_copy'),
  array['error', 'ebay: Missing ImageUrls (25002)'], 'the copy is in error with the error kept');
update quicksell.marketplace_listings set sync_status = 'active', last_error = null where id = :'ebay_copy';
update public.jobs set status = 'succeeded' where queue = 'quicksell.sync' and status in ('queued', 'running');

-- ---------------------------------------------------------------- edits propagate to every active copy
update quicksell.marketplace_listings set sync_status = 'delisted' where id = :'local_copy';
update quicksell.listings set price = 39 where id = '00000000-0000-4000-9760-000000000001';
select is((select array_agg(payload ->> 'copy_id' order by payload ->> 'copy_id') from public.jobs
           where queue = 'quicksell.sync' and payload ->> 'action' = 'update' and status = 'queued'),
  (select array_agg(id::text order by id::text) from quicksell.marketplace_listings where id in (:'ebay_copy', :'etsy_copy')),
  'a price change queues an update of each active copy (not of the delisted one)');
update quicksell.listings set view_count = view_count + 1 where id = '00000000-0000-4000-9760-000000000001';
select is((select count(*)::int from public.jobs where queue = 'quicksell.sync' and payload ->> 'action' = 'update'), 2,
  'a change to an unsynced field queues nothing');
update public.jobs set status = 'succeeded' where queue = 'quicksell.sync' and status = 'queued';
update quicksell.marketplace_listings set sync_status = 'draft' where id = :'local_copy';
update quicksell.marketplace_listings set sync_status = 'active' where id = :'local_copy';

-- The 5-minute poll: the active external copies of connected accounts only (demo accounts hold no tokens).
select is(private.quicksell_sync_poll_active(), 2, 'the pg_cron poll queues the eBay and Etsy copies, not local ones or tokenless accounts');
delete from public.jobs where queue = 'quicksell.sync' and payload ->> 'action' = 'poll';

-- ---------------------------------------------------------------- a sale on eBay delists the others, once
select private.quicksell_sync_notify('ebay', '110000007601') as notified \gset
select is(:'notified'::boolean, true, 'a notification about an active copy queues a poll');
select is(private.quicksell_sync_notify('ebay', '999'), false, 'an unknown listing id queues nothing');
select id as poll from private.claim_jobs('quicksell.sync', 'w-poll', 10) where payload ->> 'action' = 'poll' \gset
select is(private.quicksell_sync_succeed(:poll, 'w-poll', :'ebay_copy', 'poll', 'sold', null, null), 'done', 'the poll saw the sale');
select is((select status::text from quicksell.listings where id = '00000000-0000-4000-9760-000000000001'), 'sold', 'the listing is sold');
select is((select array_agg(payload ->> 'copy_id' order by payload ->> 'copy_id') from public.jobs
           where queue = 'quicksell.sync' and payload ->> 'action' = 'delist'),
  (select array_agg(id::text order by id::text) from quicksell.marketplace_listings where id in (:'etsy_copy', :'local_copy')),
  'exactly one delist for each other copy (Etsy and local), none for the eBay copy that sold');
select is(private.quicksell_sync_sell(:'ebay_copy'), false, 'the same sale reported again changes nothing');
select is(private.quicksell_sync_sell(:'etsy_copy'), false, 'a second marketplace''s sale does not sell the listing twice');
select is((select array[sync_status::text, last_error] from quicksell.marketplace_listings where id = :'etsy_copy'),
  array['sold', 'sold on etsy after the listing was already sold: cancel one of the two sales'], 'but its copy says so, for the seller to cancel one');
select is((select count(*)::int from public.jobs where queue = 'quicksell.sync' and payload ->> 'action' = 'delist'), 2, 'still two delists in all');

select * from finish();
rollback;
