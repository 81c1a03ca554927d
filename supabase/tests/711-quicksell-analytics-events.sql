-- QuickSell events in public.analytics_events: the seed's listing_id and
-- marketplace_name live in `context`; a QuickSell event's listing_id is a
-- uuid and its marketplace_name a marketplace name (so a query by listing
-- can trust them); one partial index serves a listing's events newest
-- first; private.quicksell_record_event (service_role) records one with
-- the keys spelled right. Other products' events are not constrained.

begin;
select plan(12);

create function pg_temp.explain_text(q text) returns setof text language plpgsql as
  $$ declare r text; begin for r in execute 'explain ' || q loop return next r; end loop; end $$;

select tests.quicksell_data() as seller \gset
select tests.qs('listing:pub') as pub \gset

select is(tests.probe('member', format($q$ insert into public.analytics_events (product, event_type, context)
  values ('quicksell', 'listing.shared', jsonb_build_object('listing_id', %L, 'marketplace_name', 'ebay')) $q$, :'pub')),
  'rows=1', 'a user records a QuickSell event about a listing');
select is(tests.probe('member', $q$ insert into public.analytics_events (product, event_type, context)
  values ('quicksell', 'listing.shared', '{"listing_id": "42"}') $q$),
  '23514', 'a QuickSell event''s listing_id is a uuid (the seed''s integer ids are gone)');
select is(tests.probe('member', $q$ insert into public.analytics_events (product, event_type, context)
  values ('quicksell', 'listing.shared', '{"marketplace_name": "eBay Motors!"}') $q$),
  '23514', 'and its marketplace_name is a marketplace name');
select is(tests.probe('member', $q$ insert into public.analytics_events (product, event_type, context)
  values ('quicksell', 'feed.opened', '{"listing_id": null}') $q$),
  'rows=1', 'an event about no listing is fine');
select is(tests.probe('member', $q$ insert into public.analytics_events (product, event_type, context)
  values ('homes', 'page.view', '{"listing_id": "42"}') $q$),
  'rows=1', 'other products'' events are not constrained');

select is(tests.probe('service_role', format($q$ select private.quicksell_record_event(%L, 'listing.crossposted', %L, 'etsy', '{"attempt": 1}') $q$,
  :'seller', :'pub')), 'rows=1', 'the backend records an event through the helper');
select private.quicksell_record_event(:'seller', 'listing.crossposted', :'pub', 'etsy', '{"attempt": 1}') as event_id \gset
select results_eq(format($q$ select user_id, product, event_type, context, event_data from public.analytics_events where id = %s $q$, :'event_id'),
  format($q$ values (%L::uuid, 'quicksell'::text, 'listing.crossposted'::text,
                     jsonb_build_object('listing_id', %L::uuid, 'marketplace_name', 'etsy'), '{"attempt": 1}'::jsonb) $q$, :'seller', :'pub'),
  'with the listing and marketplace in context under the seed''s names');
select throws_ok(format($q$ select private.quicksell_record_event(%L, 'listing.crossposted', %L, 'craigslist') $q$, :'seller', :'pub'),
  '22023', 'p_marketplace_name: no such marketplace', 'an unknown marketplace is bad input naming the field');
select throws_ok(format($q$ select private.quicksell_record_event(%L, 'Listing Crossposted') $q$, :'seller'),
  '22023', null, 'so is a malformed event type');
select ok(not has_function_privilege('authenticated', 'private.quicksell_record_event(uuid,text,uuid,text,jsonb)', 'execute')
          and not has_function_privilege('anon', 'private.quicksell_record_event(uuid,text,uuid,text,jsonb)', 'execute'),
  'clients cannot record events in another user''s name through it');

select has_index('public', 'analytics_events', 'analytics_events_quicksell_listing_idx', 'a listing''s events have an index');
set local enable_seqscan = off;
select ok(
  (select string_agg(p, ' ') from (select * from pg_temp.explain_text(format(
     $q$ select id from public.analytics_events where product = 'quicksell' and context ? 'listing_id'
         and context -> 'listing_id' <> 'null'::jsonb and (context ->> 'listing_id')::uuid = %L order by created_at desc limit 20 $q$, :'pub'))) as e (p))
  like '%analytics_events_quicksell_listing_idx%',
  'a listing''s events, newest first, are read through it');

select * from finish();
rollback;
