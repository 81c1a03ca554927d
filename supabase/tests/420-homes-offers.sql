-- homes.offers and the listing transitions offers drive:
--   * offers only on active listings, never on one's own, amounts positive,
--     one open offer per buyer and listing; buyer_id and seller_id cannot be
--     forged; nothing about an offer changes but its status;
--   * only the listing's seller accepts or declines; accepting puts the
--     listing under contract and declines the other open offers in the same
--     transaction; only the buyer withdraws, and only while submitted;
--   * under contract -> sold (mark_sold, at the accepted amount, recorded as
--     the property's last sale) or back to active (reopen_listing, the
--     accepted offer released); a sold listing takes no offers;
--   * offers are visible only to their buyer and the listing's seller;
--   * seller and buyer are notified at each step.

begin;
select plan(57);

-- The shared cast: owner sells; stranger, rival and member (a teammate of
-- the owner: homes are a person's, not a team's) are the three buyers;
-- admin and platform_admin are parties to nothing.
do $$
declare v_seller uuid;
begin
  perform tests.fixture();
  v_seller := tests.get_supabase_uid('owner');
  insert into homes.properties (id, owner_id, address, city, state, postal_code, bedrooms, bathrooms, living_area_sqft)
  values ('00000000-0000-4000-a200-000000000001', v_seller, '10 Offer Ave', 'Offerton', 'ZZ', 'OFF01', 3, 2, 1800),
         ('00000000-0000-4000-a200-000000000002', v_seller, '12 Offer Ave', 'Offerton', 'ZZ', 'OFF01', 2, 1, 1000);
  insert into homes.listings (id, property_id, seller_id, asking_price)
  values ('00000000-0000-4000-b200-000000000001', '00000000-0000-4000-a200-000000000001', v_seller, 500000),
         ('00000000-0000-4000-b200-000000000002', '00000000-0000-4000-a200-000000000002', v_seller, 250000);
end $$;

create or replace function pg_temp.offer_of(identifier text, listing uuid default '00000000-0000-4000-b200-000000000001')
returns uuid language sql security definer as $$
  select o.id from homes.offers o where o.buyer_id = tests.get_supabase_uid(identifier) and o.listing_id = listing
  order by o.status = 'submitted' desc, o.created_at desc, o.id limit 1 $$;
grant execute on function pg_temp.offer_of(text, uuid) to authenticated, anon;

-- ---------------------------------------------------------------- not yet on the market
select tests.authenticate_as('stranger');
select throws_ok($$ select homes.submit_offer('00000000-0000-4000-b200-000000000001', 480000) $$,
  'PT409', 'listing_id: this listing is draft and takes no offers', 'no offers on a draft');

select tests.authenticate_as('owner');
select homes.publish_listing('00000000-0000-4000-b200-000000000001');
select homes.publish_listing('00000000-0000-4000-b200-000000000002');
select throws_ok($$ select homes.submit_offer('00000000-0000-4000-b200-000000000001', 480000) $$,
  '42501', 'listing_id: you cannot make an offer on your own listing', 'never on one''s own listing');

-- ---------------------------------------------------------------- submit
select tests.authenticate_as('stranger');
select results_eq(
  $$ select status, amount, currency::text, buyer_id = auth.uid(), seller_id = tests.get_supabase_uid('owner')
     from homes.submit_offer('00000000-0000-4000-b200-000000000001', 480000, 'Love it') $$,
  $$ values ('submitted'::text, 480000.00::numeric(14,2), 'USD'::text, true, true) $$,
  'a buyer submits an offer; buyer and seller are filled in by the database');
select throws_ok($$ select homes.submit_offer('00000000-0000-4000-b200-000000000001', 490000) $$,
  '23505', null, 'one open offer per buyer and listing');
select throws_ok($$ select homes.submit_offer('00000000-0000-4000-b200-000000000002', 0) $$,
  '22023', 'amount: must be a positive amount', 'amounts are positive');
select throws_ok($$ select homes.submit_offer('00000000-0000-4000-b200-000000000002', -5) $$,
  '22023', null, 'no negative amounts');
select throws_ok($$ insert into homes.offers (listing_id, amount) values ('00000000-0000-4000-b200-000000000002', -1) $$,
  '22023', null, 'a direct insert is held to the same rules');
select throws_ok($$ insert into homes.offers (listing_id, amount, buyer_id) values ('00000000-0000-4000-b200-000000000002', 1, tests.get_supabase_uid('rival')) $$,
  '42501', null, 'buyer_id cannot be forged');
select throws_ok($$ insert into homes.offers (listing_id, amount, seller_id) values ('00000000-0000-4000-b200-000000000002', 1, auth.uid()) $$,
  '42501', null, 'seller_id cannot be supplied');
select throws_ok($$ insert into homes.offers (listing_id, amount, status) values ('00000000-0000-4000-b200-000000000002', 1, 'accepted') $$,
  '42501', null, 'status cannot be supplied');
select throws_ok($$ select homes.submit_offer(gen_random_uuid(), 1) $$, '22023', 'listing_id: no such listing',
  'an unknown listing is named');
select throws_ok($$ update homes.offers set amount = 1 $$, '42501', null, 'offers are not edited directly');

select tests.authenticate_as('rival');
select lives_ok($$ select homes.submit_offer('00000000-0000-4000-b200-000000000001', 470000) $$, 'a second buyer offers');
select tests.authenticate_as('member');
select lives_ok($$ select homes.submit_offer('00000000-0000-4000-b200-000000000001', 460000) $$, 'a third buyer offers');

-- ---------------------------------------------------------------- who may do what
-- Three offers on 10 Offer Ave (one each by stranger, rival and member);
-- inserts go to 12 Offer Ave, where nobody has offered yet.
select tests.clear_authentication();
select $$ select 1 from homes.offers where listing_id = '00000000-0000-4000-b200-000000000001' $$ as o_read,
       $$ insert into homes.offers (listing_id, amount) values ('00000000-0000-4000-b200-000000000002', 240000) $$ as o_insert,
       $$ insert into homes.offers (listing_id, buyer_id, amount)
          values ('00000000-0000-4000-b200-000000000002', tests.get_supabase_uid('stranger'), 240000) $$ as o_insert_for_buyer,
       $$ update homes.offers set message = 'probe' where listing_id = '00000000-0000-4000-b200-000000000001' $$ as o_update,
       $$ delete from homes.offers where listing_id = '00000000-0000-4000-b200-000000000001' $$ as o_delete \gset

select is(tests.rights('anon', :'o_read', :'o_insert', :'o_update', :'o_delete'),
  'read 42501, insert 42501, update 42501, delete 42501', 'offers: anon has no access at all');
select is(tests.rights('stranger', :'o_read', :'o_insert', :'o_update', :'o_delete'),
  'read rows=1, insert rows=1, update 42501, delete 42501', 'offers: a buyer sees only his own offer, makes offers, never edits or deletes one');
select is(tests.rights('member', :'o_read', :'o_insert', :'o_update', :'o_delete'),
  'read rows=1, insert rows=1, update 42501, delete 42501', 'offers: a buyer from the seller''s own team the same (no team view of offers)');
select is(tests.rights('admin', :'o_read', :'o_insert', :'o_update', :'o_delete'),
  'read rows=0, insert rows=1, update 42501, delete 42501', 'offers: a non-party (the seller''s team admin) sees none');
select is(tests.rights('platform_admin', :'o_read', :'o_insert', :'o_update', :'o_delete'),
  'read rows=0, insert rows=1, update 42501, delete 42501', 'offers: a platform admin sees none either');
select is(tests.rights('owner', :'o_read', :'o_insert', :'o_update', :'o_delete'),
  'read rows=3, insert 42501, update 42501, delete 42501', 'offers: the seller sees every offer on her listing, offers on none of her own');
select is(tests.rights('service_role', :'o_read', :'o_insert_for_buyer', :'o_update', :'o_delete'),
  'read rows=3, insert rows=1, update 42501, delete rows=3', 'offers: service_role reads, makes and deletes offers, but the guard keeps an offer''s terms unedited even for it');
select ok(not has_column_privilege('authenticated', 'homes.offers', 'seller_id', 'insert')
          and not has_column_privilege('authenticated', 'homes.offers', 'buyer_id', 'insert')
          and not has_table_privilege('authenticated', 'homes.offers', 'update'),
  'buyer_id and seller_id come from auth.uid() and the listing, status only from the RPCs (grants)');

select tests.authenticate_as_anon();
select throws_ok($$ select homes.submit_offer('00000000-0000-4000-b200-000000000001', 1) $$, '42501', null,
  'anon cannot make offers');
select tests.clear_authentication();
select is((select count(*)::int from public.notifications where user_id = tests.get_supabase_uid('owner') and type = 'offer_submitted'), 3,
  'the seller was told of each offer');

-- ---------------------------------------------------------------- withdraw / decline
select tests.authenticate_as('owner');
select throws_ok($$ select homes.withdraw_offer(pg_temp.offer_of('member')) $$, '42501', null,
  'only the buyer withdraws');
select tests.authenticate_as('rival');
select throws_ok($$ select homes.withdraw_offer(pg_temp.offer_of('member')) $$, '42501', null,
  'another buyer cannot withdraw it');
select throws_ok($$ select homes.accept_offer(pg_temp.offer_of('rival')) $$, '42501', null,
  'a buyer cannot accept his own offer');
select throws_ok($$ select homes.decline_offer(pg_temp.offer_of('member')) $$, '42501', null,
  'a buyer cannot decline another''s offer');
select tests.authenticate_as('member');
select is((select status from homes.withdraw_offer(pg_temp.offer_of('member'))), 'withdrawn', 'the buyer withdraws');
select throws_ok($$ select homes.withdraw_offer(pg_temp.offer_of('member')) $$, 'PT409', null,
  'only a submitted offer is withdrawn');
select tests.clear_authentication();
select is((select count(*)::int from public.notifications where user_id = tests.get_supabase_uid('owner') and type = 'offer_withdrawn'), 1,
  'the seller is told of the withdrawal');

select tests.authenticate_as('owner');
select throws_ok($$ select homes.accept_offer(pg_temp.offer_of('member')) $$, 'PT409', null,
  'a withdrawn offer cannot be accepted');
select tests.authenticate_as('member');
select lives_ok($$ select homes.submit_offer('00000000-0000-4000-b200-000000000001', 465000) $$,
  'after withdrawing, the buyer may offer again');
select tests.authenticate_as('owner');
select is((select status from homes.decline_offer(pg_temp.offer_of('member'))), 'declined', 'the seller declines');
select throws_ok($$ select homes.decline_offer(pg_temp.offer_of('member')) $$, 'PT409', null, 'declining is final');
select tests.clear_authentication();
select is((select type from public.notifications where user_id = tests.get_supabase_uid('member') order by created_at desc limit 1),
  'offer_declined', 'the buyer is told of the decline');

-- ---------------------------------------------------------------- accept
select tests.authenticate_as('owner');
select is((select status from homes.accept_offer(pg_temp.offer_of('stranger'))), 'accepted', 'the seller accepts');
select results_eq(
  $$ select (select status from homes.listings where id = '00000000-0000-4000-b200-000000000001'),
            (select status from homes.offers where id = pg_temp.offer_of('rival')) $$,
  $$ values ('under_contract'::text, 'declined'::text) $$,
  'in the same transaction the listing goes under contract and the other open offer is declined');
select throws_ok($$ select homes.accept_offer(pg_temp.offer_of('rival')) $$, 'PT409', null,
  'a declined offer cannot be accepted');
select tests.authenticate_as('rival');
select throws_ok($$ select homes.submit_offer('00000000-0000-4000-b200-000000000001', 600000) $$,
  'PT409', 'listing_id: this listing is under contract and takes no offers', 'no offers under contract');
select is((select status from homes.listings where id = '00000000-0000-4000-b200-000000000001'), 'under_contract',
  'buyers still see the listing, under contract');
select tests.authenticate_as('stranger');
select throws_ok($$ select homes.withdraw_offer(pg_temp.offer_of('stranger')) $$, 'PT409', null,
  'an accepted offer cannot be withdrawn');
select tests.clear_authentication();
select ok(exists (select 1 from public.notifications where user_id = tests.get_supabase_uid('stranger') and type = 'offer_accepted'),
  'the winning buyer is told');
select ok(exists (select 1 from public.notifications where user_id = tests.get_supabase_uid('rival') and type = 'offer_declined'),
  'the other buyer is told his offer was declined');
select ok(exists (select 1 from public.notifications where user_id = tests.get_supabase_uid('owner') and type = 'listing_under_contract'),
  'the seller is told the listing is under contract');
select throws_ok($$ update homes.offers set status = 'submitted' where id = pg_temp.offer_of('rival') $$,
  'PT409', null, 'even the table owner cannot reopen a declined offer');
select throws_ok($$ update homes.offers set status = 'accepted' where id = pg_temp.offer_of('member') $$,
  'PT409', null, 'nor accept a declined one');

-- ---------------------------------------------------------------- fell through, then sold
select tests.authenticate_as('admin');
select throws_ok($$ select homes.mark_sold('00000000-0000-4000-b200-000000000001') $$, '42501', null,
  'only the seller closes the sale');
select tests.authenticate_as('owner');
select is((select status from homes.reopen_listing('00000000-0000-4000-b200-000000000001')), 'active',
  'reopen_listing: the contract fell through, back on the market');
select is((select status from homes.offers where id = pg_temp.offer_of('stranger')), 'declined',
  'the accepted offer is released');
select tests.authenticate_as('rival');
select lives_ok($$ select homes.submit_offer('00000000-0000-4000-b200-000000000001', 455000) $$, 'offers come in again');
select tests.authenticate_as('owner');
select throws_ok($$ select homes.mark_sold('00000000-0000-4000-b200-000000000001') $$, 'PT409', null,
  'an active listing cannot be marked sold');
select homes.accept_offer(pg_temp.offer_of('rival'));
select results_eq($$ select status, sold_price from homes.mark_sold('00000000-0000-4000-b200-000000000001') $$,
  $$ values ('sold'::text, 455000.00::numeric(14,2)) $$, 'mark_sold closes at the accepted amount');
select results_eq($$ select last_sold_price, last_sold_at from homes.properties where id = '00000000-0000-4000-a200-000000000001' $$,
  $$ values (455000.00::numeric(14,2), current_date) $$, 'and records the sale on the property (a future comparable)');
select tests.authenticate_as('member');
select throws_ok($$ select homes.submit_offer('00000000-0000-4000-b200-000000000001', 900000) $$,
  'PT409', 'listing_id: this listing is sold and takes no offers', 'a sold listing takes no offers');
select tests.clear_authentication();
select ok(exists (select 1 from public.notifications where user_id = tests.get_supabase_uid('rival') and type = 'purchase_completed'),
  'the buyer is told the purchase is complete');
select throws_ok($$ update homes.listings set status = 'active' where id = '00000000-0000-4000-b200-000000000001' $$,
  'PT409', null, 'a sale is final');

select * from finish();
rollback;
