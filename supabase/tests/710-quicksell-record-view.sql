-- quicksell.record_view(p_listing_id, p_kind): a view or click of a public
-- listing counted at most once per viewer, listing, kind and clock hour.
--   * viewer = the signed-in user, else the trusted client address
--     (cf-connecting-ip via private.request_ip());
--   * true when it counted, false for a repeat or the seller's own view;
--   * PT404 for an unknown listing and for one not on the market (draft,
--     delisted, archived, deleted), 22023 `p_kind:` / `p_listing_id:`;
--   * counting is not an edit (no version, updated_at kept) and is an
--     analytics event with the listing in context;
--   * the marks: platform admins read, service_role reads and deletes,
--     nobody writes but the RPC; pg_cron prunes past hours.

begin;
select plan(40);

select tests.quicksell_data() as seller \gset
select tests.qs('listing:pub') as pub, tests.qs('listing:sold') as sold \gset

create function pg_temp.counts(p uuid) returns text language sql as
  $$ select view_count || '/' || click_count from quicksell.listings where id = p $$;
create function pg_temp.as_anon_from(ip text) returns void language sql as $$
  select tests.authenticate_as_anon();
  select set_config('request.headers', json_build_object('cf-connecting-ip', ip)::text, true);
$$;

select is(pg_temp.counts(:'pub'), '0/0', 'the listing starts uncounted');
select updated_at as pub_updated from quicksell.listings where id = :'pub' \gset

select pg_temp.as_anon_from('198.51.100.1');
select is(quicksell.record_view(:'pub'), true, 'anon''s first view counts');
select is(quicksell.record_view(:'pub'), false, 'the same address again this hour does not');
select is(quicksell.record_view(:'pub', 'view'), false, 'nor with the kind spelled out');
select is(quicksell.record_view(:'pub', 'click'), true, 'a click is counted on its own');
select is(quicksell.record_view(:'pub', 'click'), false, 'once');
select pg_temp.as_anon_from('198.51.100.2');
select is(quicksell.record_view(:'pub'), true, 'another address is another viewer');
select set_config('request.headers', '{"cf-connecting-ip": "198.51.100.2", "x-forwarded-for": "10.9.9.9"}', true);
select is(quicksell.record_view(:'pub'), false, 'a client-written x-forwarded-for does not make a new viewer');
select tests.clear_authentication();
select is(pg_temp.counts(:'pub'), '2/1', 'two views and one click counted');

select tests.authenticate_as('stranger');
select is(quicksell.record_view(:'pub'), true, 'a signed-in viewer counts');
select set_config('request.headers', '{"cf-connecting-ip": "203.0.113.50"}', true);
select is(quicksell.record_view(:'pub'), false, 'once, from whatever address');
select is(quicksell.record_view(:'sold'), true, 'a sold listing is public and counts views');
select tests.authenticate_as('owner');
select is(quicksell.record_view(:'pub'), false, 'the seller''s own views are not counted');
select tests.clear_authentication();
select is(pg_temp.counts(:'pub'), '3/1', 'three viewers in all');
select is(pg_temp.counts(:'sold'), '1/0', 'one on the sold listing');

-- Counting is not an edit.
select is((select updated_at from quicksell.listings where id = :'pub'), :'pub_updated'::timestamptz, 'updated_at is kept');
select is((select max(version) from quicksell.listing_versions where listing_id = :'pub'), 1, 'no version is written');
select is((select count(*)::int from public.analytics_events
           where product = 'quicksell' and (context ->> 'listing_id')::uuid = :'pub'::uuid and event_type = 'listing.view'),
  3, 'each counted view is one analytics event of the listing');
select is((select count(*)::int from public.analytics_events
           where product = 'quicksell' and (context ->> 'listing_id')::uuid = :'pub'::uuid and event_type = 'listing.click'),
  1, 'and each counted click');

-- The next hour, the same viewer counts again.
update quicksell.listing_view_marks set hour_bucket = hour_bucket - interval '1 hour' where listing_id = :'pub';
select tests.authenticate_as('stranger');
select is(quicksell.record_view(:'pub'), true, 'an hour later the same viewer counts again');
select tests.clear_authentication();

-- Refusals.
select tests.authenticate_as_anon();
select throws_ok(format($q$ select quicksell.record_view(%L, 'like') $q$, :'pub'), '22023', 'p_kind: must be view or click',
  'an unknown kind is bad input naming p_kind');
select throws_ok(format($q$ select quicksell.record_view(%L, null) $q$, :'pub'), '22023', null, 'so is a null kind');
select throws_ok($q$ select quicksell.record_view(null) $q$, '22023', 'p_listing_id: required', 'a missing listing id is bad input');
select throws_ok($q$ select quicksell.record_view('00000000-0000-4000-9799-000000000000') $q$, 'PT404', null, 'an unknown listing is not found');
select throws_ok(format($q$ select quicksell.record_view(%L) $q$, tests.qs('listing:draft')), 'PT404', null, 'a draft is not found');
select throws_ok(format($q$ select quicksell.record_view(%L) $q$, tests.qs('listing:delisted')), 'PT404', null, 'nor a delisted listing');
select throws_ok(format($q$ select quicksell.record_view(%L) $q$, tests.qs('listing:archived')), 'PT404', null, 'nor an archived one');
select throws_ok(format($q$ select quicksell.record_view(%L) $q$, tests.qs('listing:deleted')), 'PT404', null, 'nor a deleted one');
select tests.authenticate_as('owner');
select throws_ok(format($q$ select quicksell.record_view(%L) $q$, tests.qs('listing:draft')), 'PT404', null,
  'not even for its seller (a draft has no audience)');
select tests.clear_authentication();

-- ---------------------------------------------------------------- the marks
select format('select 1 from quicksell.listing_view_marks where listing_id = %L', :'pub') as read_sql,
       format($q$ insert into quicksell.listing_view_marks (listing_id, kind, hour_bucket, viewer_hash)
                  values (%L, 'view', date_trunc('hour', now()) + interval '5 hours', sha256('forged')) $q$, :'pub') as insert_sql,
       format($q$ update quicksell.listing_view_marks set hour_bucket = hour_bucket - interval '9 hours' where listing_id = %L $q$, :'pub') as update_sql,
       format($q$ delete from quicksell.listing_view_marks where listing_id = %L $q$, :'pub') as delete_sql \gset
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'anon cannot touch the marks (only the RPC writes them)');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'a signed-in user cannot see or forge marks');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'nor can the seller reset his listing''s marks');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'nor a teammate (admin)');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update 42501, delete 42501', 'nor a member');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=5, insert 42501, update 42501, delete 42501', 'a platform admin reads them');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=5, insert 42501, update 42501, delete rows=5', 'service_role reads and clears them');

-- Pruning (pg_cron, hourly): marks older than a day go, the last day's stay.
update quicksell.listing_view_marks set hour_bucket = hour_bucket - interval '2 days'
where listing_id = :'pub' and kind = 'click';
select is(private.quicksell_prune_view_marks() >= 1, true, 'the prune removes marks older than a day');
select results_eq(format($q$ select kind, count(*)::int from quicksell.listing_view_marks where listing_id = %L group by kind $q$, :'pub'),
  $$ values ('view', 4) $$, 'the last day''s marks stay (an hour ago and this hour)');
select is((select jobname from cron.job where command = 'select private.quicksell_prune_view_marks()'),
  'quicksell-prune-view-marks', 'pg_cron runs the prune');
select ok(not has_function_privilege('service_role', 'private.quicksell_prune_view_marks()', 'execute')
          and not has_function_privilege('authenticated', 'private.quicksell_prune_view_marks()', 'execute'),
  'only pg_cron (the owner) prunes');

select * from finish();
rollback;
