-- QuickSell retention (20261202110400), run by calling the pg_cron job with
-- a moved clock: listings deleted more than 90 days ago move to
-- quicksell.listings_archive with their versions and photos (no foreign key
-- breaks); a deleted listing with a sale stays; QuickSell analytics events
-- older than a year move to quicksell.analytics_events_archive and leave the
-- hot table; other products' events and sales are never touched. Who may
-- read the archives.

begin;
select plan(26);

select tests.fixture() is not null as ok \gset
select tests.get_supabase_uid('owner') as owner, tests.get_supabase_uid('stranger') as buyer,
       tests.get_supabase_uid('rival') as rival \gset

create function pg_temp.listing(who text, p_title text, p_publish boolean) returns uuid language plpgsql as $$
declare v_id uuid;
begin
  perform tests.authenticate_as(who);
  insert into quicksell.listings (title, description, category, condition, price)
  values (p_title, 'Retention test', 'books', 'good', 10) returning id into v_id;
  perform tests.clear_authentication();
  if p_publish then
    update quicksell.listings set status = 'published', published_at = coalesce(published_at, now()) where id = v_id;
  end if;
  return v_id;
end $$;

select pg_temp.listing('owner', 'Gone', true) as gone, pg_temp.listing('owner', 'Sold then deleted', true) as sold,
       pg_temp.listing('owner', 'Recently deleted', false) as recent, pg_temp.listing('rival', 'Kept', true) as kept \gset
-- A photo is an uploaded object <seller>/<listing>/<file> of quicksell-photos (770).
insert into storage.objects (bucket_id, name, owner, metadata)
values ('quicksell-photos', :'owner' || '/' || :'gone' || '/gone.jpg', :'owner', '{"mimetype": "image/jpeg", "size": 1024}');
select tests.authenticate_as('owner');
insert into quicksell.photos (listing_id, original_url) values (:'gone', auth.uid() || '/' || :'gone' || '/gone.jpg');
update quicksell.listings set title = 'Gone for good' where id = :'gone';
select quicksell.record_sale(:'sold', 10, 0, :'buyer') as sale \gset
select tests.clear_authentication();
update quicksell.listings set deleted_at = now() - interval '100 days' where id in (:'gone', :'sold');
update quicksell.listings set deleted_at = now() - interval '10 days' where id = :'recent';
select count(*)::int as gone_versions from quicksell.listing_versions where listing_id = :'gone' \gset

insert into public.analytics_events (user_id, product, event_type, context, created_at) values
  (:'owner', 'quicksell', 'listing.view', jsonb_build_object('listing_id', :'kept'), now() - interval '400 days'),
  (:'rival', 'quicksell', 'listing.click', '{}', now() - interval '200 days'),
  (:'rival', 'homes', 'page.view', '{}', now() - interval '400 days');
select id as old_event from public.analytics_events where user_id = :'owner' and event_type = 'listing.view' \gset
select id as young_event from public.analytics_events where user_id = :'rival' and event_type = 'listing.click' \gset
create function pg_temp.archived(p_id uuid) returns boolean language sql as $$
  select exists (select 1 from quicksell.listings_archive a where a.id = p_id) and not exists (select 1 from quicksell.listings l where l.id = p_id) $$;
create function pg_temp.event_archived(p_id bigint) returns boolean language sql as $$
  select exists (select 1 from quicksell.analytics_events_archive a where a.id = p_id)
     and not exists (select 1 from public.analytics_events e where e.id = p_id) $$;

-- ---------------------------------------------------------------- today
select ok((private.quicksell_retention(now()) ->> 'listings_archived')::int >= 1, 'the job runs and archives');
select ok(pg_temp.archived(:'gone'), 'a listing deleted 100 days ago moves to the archive and leaves the hot table');
select is_empty(format('select 1 from quicksell.listing_versions where listing_id = %L', :'gone'), 'with its versions');
select is_empty(format('select 1 from quicksell.photos where listing_id = %L', :'gone'), 'and its photos');
select results_eq(format($$ select user_id, listing ->> 'title', jsonb_array_length(versions), jsonb_array_length(photos)
                           from quicksell.listings_archive where id = %L $$, :'gone'),
  format($$ values (%L::uuid, 'Gone for good', %s, 1) $$, :'owner', :'gone_versions'),
  'the archive holds the listing, every version and its photo');
select ok(exists (select 1 from quicksell.listings where id = :'sold'), 'a deleted listing with a sale stays (sales are kept forever)');
select ok(exists (select 1 from quicksell.sales where id = :'sale'), 'and so does its sale');
select ok(exists (select 1 from quicksell.listings where id = :'recent'), 'a listing deleted 10 days ago stays');
select ok(exists (select 1 from quicksell.listings where id = :'kept'), 'a live listing is never archived');
select ok(pg_temp.event_archived(:'old_event'), 'a QuickSell event older than a year moves to the archive and leaves the hot table');
select ok(not pg_temp.event_archived(:'young_event'), 'one of 200 days stays');
select is((select count(*)::int from public.analytics_events where product = 'homes' and user_id = :'rival'), 1,
  'another product''s old events are not QuickSell''s to move');
select is((select event_type || ' ' || (context ->> 'listing_id') from quicksell.analytics_events_archive where id = :'old_event'),
  'listing.view ' || :'kept', 'the archive keeps its columns');

-- ---------------------------------------------------------------- the clock moves
select ok(private.quicksell_retention(now() + interval '81 days') is not null, '81 days on');
select ok(pg_temp.archived(:'recent'), 'the listing deleted 10 days ago has had its 90 days: archived');
select ok(exists (select 1 from quicksell.listings where id = :'sold'), 'the sold one still stays');
select ok(private.quicksell_retention(now() + interval '166 days') is not null, '166 days on');
select ok(pg_temp.event_archived(:'young_event'), 'the 200-day event is now over a year old: archived');
select is((select count(*)::int from quicksell.sales where id = :'sale'), 1, 'sales are never removed');

select throws_ok($$ select private.quicksell_retention(now(), 0) $$, '22023', null, 'a batch size must be positive');

-- ---------------------------------------------------------------- who reads the archives
create temp view la_sql as select
  format($$ select 1 from quicksell.listings_archive where id in (%L, %L) $$, :'gone', :'recent') as r,
  format($$ insert into quicksell.listings_archive (id, user_id, deleted_at, listing) values (extensions.gen_random_uuid(), %L, now(), '{}') $$,
         tests.get_supabase_uid('owner')) as i,
  $$ update quicksell.listings_archive set listing = '{}' $$ as u,
  $$ delete from quicksell.listings_archive $$ as d;
grant select on la_sql to anon, authenticated, service_role;
select is(tests.rights('anon', r, i, u, d), 'read 42501, insert 42501, update 42501, delete 42501', 'anon: nothing') from la_sql;
select is(tests.rights('owner', r, i, u, d), 'read rows=2, insert 42501, update 42501, delete 42501', 'the seller reads his archived listings') from la_sql;
select is(tests.rights('rival', r, i, u, d), 'read rows=0, insert 42501, update 42501, delete 42501', 'another seller does not') from la_sql;
select is(tests.rights('platform_admin', r, i, u, d), 'read rows=2, insert 42501, update 42501, delete 42501', 'platform admins read') from la_sql;
select is(tests.rights('service_role', r, i, u, d), 'read rows=2, insert 42501, update 42501, delete 42501', 'service_role reads; only the job writes') from la_sql;

create temp view ea_sql as select
  format($$ select 1 from quicksell.analytics_events_archive where id in (%s, %s) $$, :'old_event', :'young_event') as r,
  $$ insert into quicksell.analytics_events_archive (id, product, event_type, created_at) values (-1, 'quicksell', 'x', now()) $$ as i,
  $$ update quicksell.analytics_events_archive set event_type = 'y' $$ as u,
  $$ delete from quicksell.analytics_events_archive $$ as d;
grant select on ea_sql to anon, authenticated, service_role;
select is(tests.rights('owner', r, i, u, d) || ' / ' || tests.rights('rival', r, i, u, d) || ' / ' || tests.rights('member', r, i, u, d) || ' / ' || tests.rights('platform_admin', r, i, u, d)
          || ' / ' || tests.rights('anon', r, i, u, d) || ' / ' || tests.rights('service_role', r, i, u, d),
  'read rows=1, insert 42501, update 42501, delete 42501 / read rows=1, insert 42501, update 42501, delete 42501 / '
  || 'read rows=0, insert 42501, update 42501, delete 42501 / read rows=2, insert 42501, update 42501, delete 42501 / read 42501, insert 42501, update 42501, delete 42501 / '
  || 'read rows=2, insert 42501, update 42501, delete 42501',
  'archived events: their user, platform admins and service_role read; nobody writes') from ea_sql;

select * from finish();
rollback;
