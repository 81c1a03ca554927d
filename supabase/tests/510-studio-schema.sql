-- Studio's schema keeps seed 002: every enum with the seed's values, every
-- product table with the seed's columns and named indexes, RLS on every
-- table, the price table, the seed's `users` as a security-invoker view, and
-- the queue the ai-jobs worker drains.

begin;
select plan(36);

select tables_are('studio', array['job_prices', 'templates', 'crm_contacts', 'crm_listings', 'projects', 'ai_jobs', 'media_items'],
  'studio holds the seed''s product tables and the price table');
select views_are('studio', array['users'], 'the seed''s users is a view over the shared platform');

select enum_has_labels('studio', 'job_status', array['pending', 'processing', 'completed', 'failed'], 'job_status as in the seed');
select enum_has_labels('studio', 'project_type', array['photo_edit', 'video', 'template'], 'project_type as in the seed');
select enum_has_labels('studio', 'ai_service', array['replicate', 'qwen', 'nano_banana'], 'ai_service as in the seed');
select enum_has_labels('studio', 'contact_type', array['buyer', 'seller', 'investor', 'other'], 'contact_type as in the seed');
select enum_has_labels('studio', 'contact_status', array['lead', 'active', 'closed'], 'contact_status as in the seed');
select enum_has_labels('studio', 'listing_status', array['active', 'pending', 'sold', 'off_market'], 'listing_status as in the seed');
select enum_has_labels('studio', 'media_type', array['image', 'video', 'template'], 'media_type as in the seed');
select enum_has_labels('studio', 'template_type', array['listing_promo', 'instagram_reel', 'open_house', 'custom'], 'template_type as in the seed');
select enum_has_labels('studio', 'user_role', array['agent', 'admin'], 'user_role as in the seed');
select enum_has_labels('studio', 'subscription_tier', array['free', 'basic', 'pro', 'enterprise'], 'subscription_tier as in the seed');
select enum_has_labels('studio', 'use_case', array['photos', 'video', 'templates', 'all'], 'use_case as in the seed');
-- The seed's remaining enums are the shared platform's.
select ok((select array_agg(e.enumlabel::text) from pg_enum e where e.enumtypid = 'public.credit_transaction_type'::regtype)
          @> array['purchase', 'usage', 'refund', 'subscription'], 'credit_transaction_type: the shared ledger''s type has the seed''s values');

select columns_are('studio', 'projects', array['id', 'user_id', 'account_id', 'name', 'type', 'status', 'credit_cost', 'input_data',
  'output_data', 'error_message', 'template_id', 'listing_id', 'contact_id', 'idempotency_key', 'created_at', 'updated_at', 'completed_at'],
  'projects: the seed''s columns plus account, links and idempotency key');
select columns_are('studio', 'ai_jobs', array['id', 'user_id', 'account_id', 'project_id', 'service', 'model', 'input', 'status',
  'output_url', 'output', 'error_message', 'credit_cost', 'api_cost', 'latency_ms', 'attempts', 'reservation_id', 'queue_job_id',
  'created_at', 'started_at', 'completed_at'], 'ai_jobs: the seed''s columns plus the queue and ledger links');
select columns_are('studio', 'crm_contacts', array['id', 'user_id', 'name', 'email', 'phone', 'type', 'status', 'notes', 'tags',
  'last_contacted_at', 'created_at', 'updated_at'], 'crm_contacts: exactly the seed''s columns');
select columns_are('studio', 'crm_listings', array['id', 'user_id', 'contact_id', 'address', 'city', 'state', 'zip_code', 'price',
  'bedrooms', 'bathrooms', 'sqft', 'status', 'notes', 'created_at', 'updated_at'], 'crm_listings: exactly the seed''s columns');
select columns_are('studio', 'media_items', array['id', 'user_id', 'account_id', 'listing_id', 'contact_id', 'project_id', 'ai_job_id',
  'type', 'title', 'description', 'url', 'thumbnail_url', 'storage_path', 'mime_type', 'file_size', 'credits_used', 'tags',
  'is_favorite', 'created_at', 'updated_at'], 'media_items: the seed''s columns plus account, job and Storage object');
select columns_are('studio', 'templates', array['id', 'user_id', 'name', 'type', 'description', 'thumbnail_url', 'output_url',
  'prompt_template', 'settings', 'credits_used', 'usage_count', 'is_public', 'created_at', 'updated_at'],
  'templates: exactly the seed''s columns');
select col_type_is('studio', 'ai_jobs', 'api_cost', 'numeric(10,4)', 'ai_jobs.api_cost is numeric(10,4) as in the seed');
select col_type_is('studio', 'crm_listings', 'bathrooms', 'numeric(3,1)', 'crm_listings.bathrooms is decimal(3,1) as in the seed');
select col_default_is('studio', 'ai_jobs', 'status', 'pending'::studio.job_status, 'ai_jobs start pending (the seed''s ''queued'' is no job_status)');

select indexes_are('studio', 'projects', array['projects_pkey', 'projects_user_id_idempotency_key_key', 'idx_projects_user_id',
  'idx_projects_status', 'idx_projects_type', 'idx_projects_created_at', 'projects_account_id_idx', 'projects_template_id_idx',
  'projects_listing_id_idx', 'projects_contact_id_idx'], 'projects: the seed''s indexes and one per foreign key');
select indexes_are('studio', 'ai_jobs', array['ai_jobs_pkey', 'ai_jobs_queue_job_id_key', 'idx_ai_jobs_user_id', 'idx_ai_jobs_service',
  'idx_ai_jobs_status', 'idx_ai_jobs_created_at', 'ai_jobs_project_id_idx', 'ai_jobs_account_id_idx', 'ai_jobs_reservation_id_idx'],
  'ai_jobs: the seed''s indexes and one per foreign key');
select indexes_are('studio', 'crm_contacts', array['crm_contacts_pkey', 'crm_contacts_id_user_id_key', 'idx_crm_contacts_user_id',
  'idx_crm_contacts_status', 'idx_crm_contacts_type', 'idx_crm_contacts_name', 'crm_contacts_tags_idx'], 'crm_contacts: the seed''s indexes, tags GIN');
select indexes_are('studio', 'crm_listings', array['crm_listings_pkey', 'crm_listings_id_user_id_key', 'idx_crm_listings_user_id',
  'idx_crm_listings_status', 'idx_crm_listings_contact_id'], 'crm_listings: the seed''s indexes');
select indexes_are('studio', 'media_items', array['media_items_pkey', 'media_items_ai_job_id_key', 'idx_media_items_user_id',
  'idx_media_items_listing_id', 'idx_media_items_type', 'idx_media_items_project_id', 'media_items_contact_id_idx',
  'media_items_account_id_idx', 'media_items_favorites_idx', 'media_items_tags_idx'], 'media_items: the seed''s indexes, favourites, tags GIN');
select indexes_are('studio', 'templates', array['templates_pkey', 'idx_templates_user_id', 'idx_templates_type', 'idx_templates_public'],
  'templates: the seed''s indexes (public ones by popularity)');
select is((select am.amname::text from pg_class c join pg_am am on am.oid = c.relam where c.oid = 'studio.media_items_tags_idx'::regclass),
  'gin', 'media tags are GIN-indexed (tag filters use the index)');

select is_empty($$ select * from tests.tables_without_rls(array['studio']) $$, 'every studio table has RLS');
select ok((select 'security_invoker=true' = any (c.reloptions) from pg_class c where c.oid = 'studio.users'::regclass),
  'studio.users runs with the caller''s rights');

select is((select count(*)::int from studio.job_prices where active), 8, 'seed.sql prices eight models');
select is((select count(*)::int from (select job_type from studio.job_prices where is_default group by job_type, service having count(*) > 1) d), 0,
  'one default model per job type and service');
select results_eq($$ select worker_function, lease_seconds from public.job_queues where queue = 'studio.ai_job' $$,
  $$ values ('ai-jobs'::text, 300) $$, 'the ai-jobs function drains studio.ai_job under a 300 s lease');
select ok((select public and file_size_limit = 52428800 from storage.buckets where id = 'studio-media'),
  'the studio-media bucket exists, public, 50 MB per file');

select * from finish();
rollback;
