-- tools.marketplace_reviews: who may do what (every role x action), the
-- protected columns clients cannot write (42501 each), verified_purchase set
-- by the database from the account's purchases (direct, via a bundle, only
-- when paid and not refunded or expired), and an author's edit of an approved
-- review sending it back to PENDING.

begin;
select plan(49);

select tests.fixture() is not null as cast_ready \gset

-- Three priced tools (A, B, C) and a bundle containing B, priced as its tools.
insert into tools.marketplace_tools (id, name, description, category, price_model, price_amount, required_tier, integration_type, provider)
values ('00000000-0000-4000-c630-00000000000a', 'Review Tool A', 'a tool', 'CRM_TOOLS', 'ONE_TIME', 10, 'FREE', 'API', 'Internal'),
       ('00000000-0000-4000-c630-00000000000b', 'Review Tool B', 'a tool', 'CRM_TOOLS', 'ONE_TIME', 10, 'FREE', 'API', 'Internal'),
       ('00000000-0000-4000-c630-00000000000c', 'Review Tool C', 'a tool', 'CRM_TOOLS', 'ONE_TIME', 10, 'FREE', 'API', 'Internal');
insert into tools.marketplace_bundles (id, name, description, price_amount, discount_percent, required_tier)
values ('00000000-0000-4000-c630-0000000000b1', 'Review Bundle', 'B alone', 10, 0, 'FREE');
insert into tools.marketplace_bundle_items (bundle_id, tool_id)
values ('00000000-0000-4000-c630-0000000000b1', '00000000-0000-4000-c630-00000000000b');

-- One review in each state, on tools A and B (written as the table owner).
insert into tools.marketplace_reviews (id, tool_id, organization_id, user_id, rating, title, status)
values ('00000000-0000-4000-c630-0000000000e1', '00000000-0000-4000-c630-00000000000a', tests.account_id('team-a'), tests.get_supabase_uid('member'), 4, 'approved', 'APPROVED'),
       ('00000000-0000-4000-c630-0000000000e2', '00000000-0000-4000-c630-00000000000a', tests.account_id('team-a'), tests.get_supabase_uid('admin'), 3, 'pending', 'PENDING'),
       ('00000000-0000-4000-c630-0000000000e3', '00000000-0000-4000-c630-00000000000b', tests.account_id('team-a'), tests.get_supabase_uid('owner'), 2, 'rejected', 'REJECTED'),
       ('00000000-0000-4000-c630-0000000000e4', '00000000-0000-4000-c630-00000000000b', tests.account_id('team-b'), tests.get_supabase_uid('rival'), 1, 'flagged', 'FLAGGED');

create temp view matrix as
  select who, tests.rights(who,
    $$ select 1 from tools.marketplace_reviews where tool_id in ('00000000-0000-4000-c630-00000000000a', '00000000-0000-4000-c630-00000000000b') $$,
    $$ insert into tools.marketplace_reviews (tool_id, organization_id, rating) values ('00000000-0000-4000-c630-00000000000c', tests.account_id('team-a'), 5) $$,
    $$ update tools.marketplace_reviews set title = 'edited' where tool_id in ('00000000-0000-4000-c630-00000000000a', '00000000-0000-4000-c630-00000000000b') $$,
    $$ delete from tools.marketplace_reviews where tool_id in ('00000000-0000-4000-c630-00000000000a', '00000000-0000-4000-c630-00000000000b') $$) as rights
  from unnest(array['anon', 'stranger', 'owner', 'admin', 'member', 'platform_admin', 'rival', 'service_role']) who;
grant select on matrix to public;

select is((select rights from matrix where who = 'anon'), 'read rows=1, insert 42501, update 42501, delete 42501',
  'anon reads the approved review only and writes nothing');
select is((select rights from matrix where who = 'stranger'), 'read rows=1, insert 42501, update rows=0, delete rows=0',
  'a stranger reads the approved review, cannot review for team-a, touches no one''s review');
select is((select rights from matrix where who = 'member'), 'read rows=1, insert rows=1, update rows=1, delete rows=1',
  'the approved review''s author reads it (and no one else''s pending one), reviews for team-a, edits and removes only their own');
select is((select rights from matrix where who = 'admin'), 'read rows=2, insert rows=1, update rows=1, delete rows=1',
  'a pending review''s author reads it and the approved one; edits and removes only their own');
select is((select rights from matrix where who = 'owner'), 'read rows=2, insert rows=1, update rows=1, delete rows=1',
  'a rejected review''s author reads it and the approved one; the team owner gets no more than that');
select is((select rights from matrix where who = 'rival'), 'read rows=2, insert 42501, update rows=1, delete rows=1',
  'a flagged review''s author reads it; cannot review for an account they are not in');
select is((select rights from matrix where who = 'platform_admin'), 'read rows=4, insert 42501, update rows=0, delete rows=0',
  'a platform admin reads every state, but moderates through the RPC rather than editing or deleting');
select is((select rights from matrix where who = 'service_role'), 'read rows=4, insert 23502, update rows=4, delete rows=4',
  'service_role reads and writes everything (an insert must name the user: there is no auth.uid())');
select is(tests.probe('service_role', $$ insert into tools.marketplace_reviews (tool_id, organization_id, user_id, rating)
                                        values ('00000000-0000-4000-c630-00000000000c', tests.account_id('team-a'), tests.get_supabase_uid('member'), 5) $$),
  'rows=1', 'service_role inserts a review naming its author');

-- ---------------------------------------------------------------- protected columns
select tests.authenticate_as('stranger');
select throws_ok($$ insert into tools.marketplace_reviews (tool_id, organization_id, rating)
  values ('00000000-0000-4000-c630-00000000000c', tests.account_id('team-a'), 5) $$,
  '42501', null, 'organization_id: a review is written only for an account the author belongs to');
select tests.authenticate_as('member');
select throws_ok($$ insert into tools.marketplace_reviews (tool_id, organization_id, user_id, rating)
  values ('00000000-0000-4000-c630-00000000000c', tests.account_id('team-a'), tests.get_supabase_uid('owner'), 5) $$,
  '42501', null, 'user_id: a client cannot write a review in someone else''s name');
select throws_ok($$ insert into tools.marketplace_reviews (tool_id, organization_id, user_id, rating)
  values ('00000000-0000-4000-c630-00000000000c', tests.account_id('team-a'), auth.uid(), 5) $$,
  '42501', null, 'user_id: not even their own (it is the database''s default)');
select throws_ok($$ insert into tools.marketplace_reviews (tool_id, organization_id, rating, verified_purchase)
  values ('00000000-0000-4000-c630-00000000000c', tests.account_id('team-a'), 5, true) $$,
  '42501', null, 'verified_purchase: a client cannot claim a purchase');
select throws_ok($$ insert into tools.marketplace_reviews (tool_id, organization_id, rating, status)
  values ('00000000-0000-4000-c630-00000000000c', tests.account_id('team-a'), 5, 'APPROVED') $$,
  '42501', null, 'status: a client cannot approve their own review');
select throws_ok($$ insert into tools.marketplace_reviews (tool_id, organization_id, rating, helpful_count)
  values ('00000000-0000-4000-c630-00000000000c', tests.account_id('team-a'), 5, 99) $$,
  '42501', null, 'helpful_count: not written by clients');
select throws_ok($$ insert into tools.marketplace_reviews (tool_id, organization_id, rating, flagged_count)
  values ('00000000-0000-4000-c630-00000000000c', tests.account_id('team-a'), 5, 0) $$,
  '42501', null, 'flagged_count: not written by clients');
select throws_ok($$ insert into tools.marketplace_reviews (tool_id, organization_id, rating, moderated_at)
  values ('00000000-0000-4000-c630-00000000000c', tests.account_id('team-a'), 5, now()) $$,
  '42501', null, 'moderated_at: not written by clients');
select throws_ok($$ insert into tools.marketplace_reviews (tool_id, organization_id, rating, moderated_by)
  values ('00000000-0000-4000-c630-00000000000c', tests.account_id('team-a'), 5, auth.uid()) $$,
  '42501', null, 'moderated_by: not written by clients');
select throws_ok($$ insert into tools.marketplace_reviews (tool_id, organization_id, rating, moderation_notes)
  values ('00000000-0000-4000-c630-00000000000c', tests.account_id('team-a'), 5, 'fine') $$,
  '42501', null, 'moderation_notes: not written by clients');

select throws_ok($$ update tools.marketplace_reviews set organization_id = tests.account_id('team-b') where id = '00000000-0000-4000-c630-0000000000e1' $$,
  '42501', null, 'organization_id: an author cannot move their review to another account');
select throws_ok($$ update tools.marketplace_reviews set user_id = tests.get_supabase_uid('owner') where id = '00000000-0000-4000-c630-0000000000e1' $$,
  '42501', null, 'user_id: an author cannot hand their review to someone else');
select throws_ok($$ update tools.marketplace_reviews set verified_purchase = true where id = '00000000-0000-4000-c630-0000000000e1' $$,
  '42501', null, 'verified_purchase: an author cannot mark their review verified');
select throws_ok($$ update tools.marketplace_reviews set status = 'APPROVED' where id = '00000000-0000-4000-c630-0000000000e1' $$,
  '42501', null, 'status: an author cannot moderate their review');
select throws_ok($$ update tools.marketplace_reviews set helpful_count = 1000 where id = '00000000-0000-4000-c630-0000000000e1' $$,
  '42501', null, 'helpful_count: an author cannot inflate it');
select throws_ok($$ update tools.marketplace_reviews set flagged_count = 0 where id = '00000000-0000-4000-c630-0000000000e1' $$,
  '42501', null, 'flagged_count: an author cannot clear it');
select throws_ok($$ update tools.marketplace_reviews set moderated_at = null where id = '00000000-0000-4000-c630-0000000000e1' $$,
  '42501', null, 'moderated_at: an author cannot rewrite it');
select throws_ok($$ update tools.marketplace_reviews set moderated_by = auth.uid() where id = '00000000-0000-4000-c630-0000000000e1' $$,
  '42501', null, 'moderated_by: an author cannot rewrite it');
select throws_ok($$ update tools.marketplace_reviews set moderation_notes = 'ok' where id = '00000000-0000-4000-c630-0000000000e1' $$,
  '42501', null, 'moderation_notes: an author cannot rewrite them');
select tests.authenticate_as('platform_admin');
select throws_ok($$ update tools.marketplace_reviews set status = 'APPROVED' where id = '00000000-0000-4000-c630-0000000000e2' $$,
  '42501', null, 'status: not even a platform admin writes it directly (tools.moderate_review does)');
select tests.clear_authentication();

select throws_ok($$ insert into tools.marketplace_reviews (tool_id, organization_id, user_id, rating)
  values ('00000000-0000-4000-c630-00000000000c', tests.account_id('team-a'), tests.get_supabase_uid('owner'), 6) $$,
  '23514', null, 'rating: the database refuses a rating above 5');
select throws_ok($$ insert into tools.marketplace_reviews (tool_id, organization_id, user_id, rating)
  values ('00000000-0000-4000-c630-00000000000c', tests.account_id('team-a'), tests.get_supabase_uid('owner'), 0) $$,
  '23514', null, 'rating: and below 1');
select throws_ok($$ insert into tools.marketplace_reviews (tool_id, organization_id, user_id, rating)
  values ('00000000-0000-4000-c630-00000000000a', tests.account_id('team-a'), tests.get_supabase_uid('member'), 5) $$,
  '23505', null, 'one review per user per tool');

-- ---------------------------------------------------------------- verified_purchase
select tests.authenticate_as('member');
insert into tools.marketplace_reviews (tool_id, organization_id, rating)
values ('00000000-0000-4000-c630-00000000000c', tests.account_id('team-a'), 5)
returning id as f1 \gset
select tests.clear_authentication();
select is((select verified_purchase from tools.marketplace_reviews where id = :'f1'), false,
  'no purchase: the review is not verified');

insert into tools.marketplace_purchases (id, organization_id, user_id, purchase_type, tool_id, amount, payment_method, payment_status, status)
values ('00000000-0000-4000-c630-0000000000d1', tests.account_id('team-a'), tests.get_supabase_uid('owner'), 'TOOL',
        '00000000-0000-4000-c630-00000000000c', 10, 'INVOICE', 'PENDING', 'ACTIVE');
select is((select verified_purchase from tools.marketplace_reviews where id = :'f1'), false,
  'an unpaid (PENDING) purchase does not verify');
update tools.marketplace_purchases set payment_status = 'COMPLETED' where id = '00000000-0000-4000-c630-0000000000d1';
select is((select verified_purchase from tools.marketplace_reviews where id = :'f1'), true,
  'the account''s purchase turning COMPLETED verifies the existing review (bought by a teammate)');
update tools.marketplace_purchases set status = 'CANCELLED', cancelled_at = now() where id = '00000000-0000-4000-c630-0000000000d1';
select is((select verified_purchase from tools.marketplace_reviews where id = :'f1'), true,
  'cancelled but paid still verifies');
update tools.marketplace_purchases set status = 'REFUNDED', payment_status = 'REFUNDED', refunded_at = now() where id = '00000000-0000-4000-c630-0000000000d1';
select is((select verified_purchase from tools.marketplace_reviews where id = :'f1'), false,
  'a refund takes verification away');

insert into tools.marketplace_purchases (organization_id, user_id, purchase_type, bundle_id, amount, payment_method, payment_status, status)
values (tests.account_id('team-a'), tests.get_supabase_uid('owner'), 'BUNDLE', '00000000-0000-4000-c630-0000000000b1', 10, 'INVOICE', 'COMPLETED', 'ACTIVE');
select is((select verified_purchase from tools.marketplace_reviews where id = '00000000-0000-4000-c630-0000000000e3'), true,
  'a paid bundle verifies the account''s review of a tool in it');
select is((select verified_purchase from tools.marketplace_reviews where id = '00000000-0000-4000-c630-0000000000e4'), false,
  'but not another account''s review of the same tool');
select is((select verified_purchase from tools.marketplace_reviews where id = '00000000-0000-4000-c630-0000000000e1'), false,
  'nor the account''s review of a tool outside the bundle');

delete from tools.marketplace_bundle_items where bundle_id = '00000000-0000-4000-c630-0000000000b1';
select is((select verified_purchase from tools.marketplace_reviews where id = '00000000-0000-4000-c630-0000000000e3'), false,
  'a tool leaving the bought bundle takes verification away');
insert into tools.marketplace_bundle_items (bundle_id, tool_id)
values ('00000000-0000-4000-c630-0000000000b1', '00000000-0000-4000-c630-00000000000b');
select is((select verified_purchase from tools.marketplace_reviews where id = '00000000-0000-4000-c630-0000000000e3'), true,
  'and a tool joining it verifies again');

select tests.authenticate_as('admin');
insert into tools.marketplace_reviews (tool_id, organization_id, rating)
values ('00000000-0000-4000-c630-00000000000b', tests.account_id('team-a'), 4)
returning id as f2 \gset
select tests.clear_authentication();
select is((select verified_purchase from tools.marketplace_reviews where id = :'f2'), true,
  'a review written after the bundle was bought is verified on insert');

select tests.authenticate_as_service_role();
update tools.marketplace_reviews set verified_purchase = true where id = '00000000-0000-4000-c630-0000000000e1';
insert into tools.marketplace_reviews (id, tool_id, organization_id, user_id, rating, verified_purchase)
values ('00000000-0000-4000-c630-0000000000f3', '00000000-0000-4000-c630-00000000000a', tests.account_id('team-b'), tests.get_supabase_uid('rival'), 3, true);
select tests.clear_authentication();
select is((select array_agg(verified_purchase order by id) from tools.marketplace_reviews
           where id in ('00000000-0000-4000-c630-0000000000e1', '00000000-0000-4000-c630-0000000000f3')),
  array[false, false], 'even service_role''s claim is replaced by what the purchases say');

-- ---------------------------------------------------------------- edits and moderation state
select tests.authenticate_as('member');
update tools.marketplace_reviews set title = 'approved' where id = '00000000-0000-4000-c630-0000000000e1';
select is((select status::text from tools.marketplace_reviews where id = '00000000-0000-4000-c630-0000000000e1'), 'APPROVED',
  'saving an approved review unchanged keeps it approved');
update tools.marketplace_reviews set rating = 1 where id = '00000000-0000-4000-c630-0000000000e1';
select tests.clear_authentication();
select is((select status::text from tools.marketplace_reviews where id = '00000000-0000-4000-c630-0000000000e1'), 'PENDING',
  'an author''s edit of an approved review sends it back to PENDING');
select is(tests.probe('anon', $$ select 1 from tools.marketplace_reviews where id = '00000000-0000-4000-c630-0000000000e1' $$), 'rows=0',
  'and it leaves the public view until moderated again');
select is(tests.probe('member', $$ select 1 from tools.marketplace_reviews where id = '00000000-0000-4000-c630-0000000000e1' $$), 'rows=1',
  'its author still sees it');

select tests.authenticate_as('owner');
update tools.marketplace_reviews set review = 'please reconsider' where id = '00000000-0000-4000-c630-0000000000e3';
select tests.authenticate_as('rival');
update tools.marketplace_reviews set review = 'nothing to see' where id = '00000000-0000-4000-c630-0000000000e4';
select tests.clear_authentication();
select is((select array_agg(status::text order by id) from tools.marketplace_reviews
           where id in ('00000000-0000-4000-c630-0000000000e3', '00000000-0000-4000-c630-0000000000e4')),
  array['REJECTED', 'FLAGGED'], 'editing a rejected or flagged review does not take it out of the moderator''s hands');

select * from finish();
rollback;
