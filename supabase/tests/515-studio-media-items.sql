-- studio.media_items: the media library.
--   * read by its agent, by members of the account that paid for it, and by
--     platform admins; anon and strangers see nothing;
--   * the agent adds their own uploads, files them by listing or contact
--     (their own only), tags them and marks favourites; URL, size, cost,
--     source project and account belong to the pipeline;
--   * the agent, or a platform admin (moderation, audit-logged), deletes.

begin;
select plan(22);

select tests.studio_data() as team \gset
select tests.studio_id('media', 's-done') as media, tests.studio_id('listing', 'oak') as oak,
       tests.studio_id('contact', 'maria') as maria,
       tests.get_supabase_uid('owner') as owner_id, tests.get_supabase_uid('stranger') as stranger_id \gset

select format($q$ select 1 from studio.media_items where id = %L $q$, :'media') as read_sql,
       format($q$ insert into studio.media_items (user_id, type, url) values (%L, 'image', 'http://x/forged.png') $q$, :'owner_id') as insert_sql,
       format($q$ update studio.media_items set title = 'Front' where id = %L $q$, :'media') as update_sql,
       format($q$ delete from studio.media_items where id = %L $q$, :'media') as delete_sql \gset

select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read 42501, insert 42501, update 42501, delete 42501', 'anon has no access to media');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=0, insert 42501, update rows=0, delete rows=0', 'a stranger sees and changes nothing');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=1, delete rows=1', 'the agent reads, edits and deletes their media');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=0, delete rows=0', 'a member of the paying team sees the media, cannot change it');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert 42501, update rows=0, delete rows=1', 'a platform admin reads and may remove any media');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=1, insert rows=1, update rows=1, delete rows=1', 'service_role has full access');

select is(tests.probe('owner', format($q$ update studio.media_items set is_favorite = true, tags = '{hero,kitchen}' where id = %L $q$, :'media')), 'rows=1',
  'the agent marks a favourite and tags it');
select is(tests.probe('owner', format($q$ update studio.media_items set url = 'http://evil/x.png' where id = %L $q$, :'media')), '42501',
  'the file URL is not writable');
select is(tests.probe('owner', format($q$ update studio.media_items set credits_used = 0 where id = %L $q$, :'media')), '42501',
  'nor what it cost');
select is(tests.probe('owner', format($q$ update studio.media_items set account_id = null where id = %L $q$, :'media')), '42501',
  'nor who paid');
select is(tests.probe('owner', format($q$ update studio.media_items set project_id = null where id = %L $q$, :'media')), '42501',
  'nor its source project');
select is(tests.probe('owner', format($q$ update studio.media_items set user_id = %L where id = %L $q$, :'stranger_id', :'media')), '42501',
  'nor its owner');

select is(tests.probe('owner', format($q$ insert into studio.media_items (type, url, title, listing_id, contact_id, tags, is_favorite) values ('image', 'http://x/up.jpg', 'Upload', %L, %L, '{original}', true) $q$, :'oak', :'maria')),
  'rows=1', 'the agent adds an upload filed under their listing and contact');
select is(tests.probe('owner', $$ insert into studio.media_items (type, url, credits_used) values ('image', 'http://x/up.jpg', 5) $$), '42501',
  'an upload cannot claim a cost');
select is(tests.probe('stranger', format($q$ insert into studio.media_items (type, url, listing_id) values ('image', 'http://x/s.jpg', %L) $q$, :'oak')), '23503',
  'nobody files media under another agent''s listing');
select is(tests.probe('stranger', format($q$ update studio.media_items set contact_id = %L where user_id = %L $q$, :'maria', :'stranger_id')), 'rows=0',
  'nor under another agent''s contact (no rows of theirs to move there)');
select is(tests.probe('owner', $$ insert into studio.media_items (type, url) values ('image', '') $$), '23514', 'a media item has a URL');

-- Library queries: by listing, by contact, favourites, tags.
select tests.authenticate_as('owner');
update studio.media_items set is_favorite = true, tags = tags || '{hero}'::text[] where id = :'media';
select is((select count(*)::int from studio.media_items where listing_id = :'oak'), 1, 'by listing');
select is((select count(*)::int from studio.media_items where contact_id = :'maria'), 1, 'by contact');
select is((select count(*)::int from studio.media_items where is_favorite and tags @> '{hero}'), 1, 'favourites with a tag');
select tests.clear_authentication();

-- Moderation is audit-logged.
select tests.authenticate_as('platform_admin');
delete from studio.media_items where id = :'media';
select tests.clear_authentication();
select results_eq(format($q$ select action, by_platform_admin, account_id from public.audit_log where resource_type = 'studio.media_items' and resource_id = %L $q$, :'media'),
  format($q$ values ('DELETE'::text, true, %L::uuid) $q$, :'team'), 'an admin removing media is audit-logged with the paying account');
select is((select count(*)::int from studio.ai_jobs where id = tests.studio_id('job', 's-done') and status = 'completed'), 1,
  'removing the media leaves the job''s record intact');

select * from finish();
rollback;
