-- QuickSell cross-posting (seed 001), part 4: the worker's side, all
-- service_role only (the marketplace-sync function):
--   * private.quicksell_sync_load(job, worker): the job's copy, listing,
--     photos and account (token ciphertext included) while the worker holds
--     the job's lease; null otherwise. A job whose copy is gone (account
--     disconnected) is completed here and answered {"gone": true}.
--   * private.quicksell_sync_checkpoint(copy, remote): the marketplace's ids
--     saved before going live, so a rerun updates instead of creating twice.
--   * private.quicksell_sync_succeed(job, worker, copy, action, status,
--     remote, posted_price): the copy's new sync_status (the status machine
--     of part 1 applies), ids, URL, posted price and time, error cleared, and
--     the job completed, in one transaction. A publish that finishes after
--     its listing left the market queues a delist of the new copy at once.
--     status 'sold' (a poll saw the sale) goes through quicksell_sync_sell.
--   * private.quicksell_sync_fail(job, worker, copy, error, retry,
--     retry_after_seconds): the error kept on the copy (last_error), the job
--     retried with the queue's exponential backoff, never sooner than the
--     marketplace's Retry-After; the last failed attempt of a publish, update
--     or delist leaves the copy in 'error'.
--   * private.quicksell_sync_sell(copy) (internal): a marketplace sold the
--     copy: the copy becomes 'sold' and, when the listing was still
--     published, the listing becomes 'sold' (the listing trigger of part 5
--     then delists every other copy). A second marketplace reporting a sale of
--     an already sold listing marks its copy sold with an error saying so (a
--     double sale the seller must cancel); a repeated report changes nothing.
--     NOTE for the merge: qs-game's sale recording (quicksell.record_sale /
--     private.quicksell_mark_sold) is not on this branch; the listing is
--     marked sold here directly, and the lead switches this call to it.
--   * private.quicksell_sync_notify(marketplace, listing id): a marketplace's
--     notification is only a hint: it queues a poll of that copy (at most one
--     per copy per 10 s), and the poll reads the truth with the seller's token.
--   * pg_cron 'quicksell-sync-poll' every 5 minutes polls every active copy on
--     a marketplace whose account has auto_sync_enabled (private.quicksell_sync_poll_active).

create or replace function private.quicksell_sync_load(p_job_id bigint, p_worker text)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_job public.jobs;
  v_ctx jsonb;
begin
  select * into v_job from public.jobs j
  where j.id = p_job_id and j.queue = 'quicksell.sync' and j.status = 'running' and j.locked_by = p_worker;
  if not found then
    return null;
  end if;
  select jsonb_build_object(
    'job_id', v_job.id,
    'action', v_job.payload ->> 'action',
    'copy', jsonb_build_object('id', ml.id, 'listing_id', ml.listing_id, 'marketplace_name', ml.marketplace_name,
      'sync_status', ml.sync_status, 'synced_data', ml.synced_data),
    'listing', jsonb_build_object('id', l.id, 'user_id', l.user_id, 'title', l.title, 'description', l.description,
      'price', l.price, 'currency', l.currency, 'condition', l.condition, 'category', l.category, 'brand', l.brand,
      'status', l.status, 'deleted_at', l.deleted_at),
    'photos', coalesce((select jsonb_agg(coalesce(p.optimized_url, p.original_url) order by p.is_primary desc, p.display_order, p.created_at)
                        from quicksell.photos p where p.listing_id = l.id), '[]'::jsonb),
    'account', jsonb_build_object('id', a.id, 'user_id', a.user_id, 'is_active', a.is_active,
      'marketplace_user_id', a.marketplace_user_id, 'access_token', a.access_token, 'refresh_token', a.refresh_token,
      'token_expires_at', a.token_expires_at, 'refresh_token_expires_at', a.refresh_token_expires_at,
      'marketplace_data', a.marketplace_data))
  into v_ctx
  from quicksell.marketplace_listings ml
  join quicksell.listings l on l.id = ml.listing_id
  join quicksell.marketplace_accounts a on a.id = ml.marketplace_account_id
  where ml.id = (v_job.payload ->> 'copy_id')::uuid;
  if v_ctx is null then
    perform private.complete_job(p_job_id, p_worker, jsonb_build_object('skipped', 'the copy no longer exists'));
    return jsonb_build_object('gone', true, 'job_id', v_job.id);
  end if;
  return v_ctx;
end;
$$;

create or replace function private.quicksell_sync_checkpoint(p_copy_id uuid, p_remote jsonb)
returns void
language sql
volatile
security definer
set search_path = ''
as $$
  update quicksell.marketplace_listings ml set
    synced_data = coalesce(ml.synced_data, '{}'::jsonb) || jsonb_build_object('remote', p_remote),
    marketplace_listing_id = coalesce(p_remote ->> 'listingId', ml.marketplace_listing_id)
  where ml.id = p_copy_id;
$$;

create or replace function private.quicksell_sync_sell(p_copy_id uuid)
returns boolean
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_copy quicksell.marketplace_listings;
  v_listing quicksell.listings;
  v_live boolean;
begin
  select * into v_copy from quicksell.marketplace_listings ml where ml.id = p_copy_id;
  if not found then
    raise exception 'copy_id: no such marketplace copy' using errcode = 'PT404';
  end if;
  -- The listing first, then its copies: two marketplaces reporting at once queue here.
  select * into v_listing from quicksell.listings l where l.id = v_copy.listing_id for update;
  v_live := v_listing.status = 'published' and v_listing.deleted_at is null;
  update quicksell.marketplace_listings ml set
    sync_status = 'sold',
    last_sync_at = now(),
    last_error = case when v_live then null
                      else format('sold on %s after the listing was already %s: cancel one of the two sales', ml.marketplace_name, v_listing.status) end,
    last_error_at = case when v_live then null else now() end
  where ml.id = p_copy_id and ml.sync_status in ('active', 'error');
  if not found or not v_live then
    return false;
  end if;
  -- Until qs-game's record_sale is merged: the listing is sold by the backend (published -> sold).
  update quicksell.listings l set status = 'sold' where l.id = v_listing.id;
  return true;
end;
$$;

create or replace function private.quicksell_sync_succeed(
  p_job_id bigint,
  p_worker text,
  p_copy_id uuid,
  p_action text,
  p_status quicksell.sync_status,
  p_remote jsonb,
  p_posted_price numeric
)
returns text
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_job public.jobs;
  v_copy quicksell.marketplace_listings;
begin
  select * into v_job from public.jobs j where j.id = p_job_id and j.status = 'running' and j.locked_by = p_worker for update;
  if not found then
    return 'lease_lost';
  end if;
  if v_job.payload ->> 'copy_id' is distinct from p_copy_id::text then
    raise exception 'p_copy_id: job % is not about copy %', p_job_id, p_copy_id using errcode = '22023';
  end if;
  if p_status = 'sold' then
    perform private.quicksell_sync_sell(p_copy_id);
  elsif p_status is not null or p_remote is not null then
    update quicksell.marketplace_listings ml set
      sync_status = coalesce(p_status, ml.sync_status),
      synced_data = case when p_remote is null then ml.synced_data
                         else coalesce(ml.synced_data, '{}'::jsonb) || jsonb_build_object('remote', p_remote) end,
      marketplace_listing_id = coalesce(p_remote ->> 'listingId', ml.marketplace_listing_id),
      marketplace_url = coalesce(left(p_remote ->> 'url', 500), ml.marketplace_url),
      posted_price = case when p_status = 'active' then p_posted_price else ml.posted_price end,
      posted_at = case when p_status = 'active' then coalesce(ml.posted_at, now()) else ml.posted_at end,
      last_sync_at = now(),
      last_error = null,
      last_error_at = null
    where ml.id = p_copy_id
    returning * into v_copy;
    -- What was synced, for the seller to compare with the listing.
    if p_status = 'active' then
      update quicksell.marketplace_listings ml set synced_data = ml.synced_data || jsonb_build_object('listing',
        (select jsonb_build_object('title', l.title, 'price', l.price, 'currency', l.currency, 'condition', l.condition,
                                   'category', l.category, 'brand', l.brand, 'synced_at', now())
         from quicksell.listings l where l.id = ml.listing_id))
      where ml.id = p_copy_id;
      -- The listing left the market while this publish ran: take the new copy down again.
      if p_action = 'publish' and not exists (
        select 1 from quicksell.listings l where l.id = v_copy.listing_id and l.status = 'published' and l.deleted_at is null
      ) then
        perform private.quicksell_sync_enqueue(p_copy_id, 'delist', format('delist:%s:late:%s', p_copy_id, p_job_id));
      end if;
    end if;
  end if;
  perform private.complete_job(p_job_id, p_worker, jsonb_build_object('status', p_status, 'remote', p_remote));
  return 'done';
end;
$$;

create or replace function private.quicksell_sync_fail(
  p_job_id bigint,
  p_worker text,
  p_copy_id uuid,
  p_error text,
  p_retry boolean,
  p_retry_after_seconds integer
)
returns text
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_job public.jobs;
  v_action text;
begin
  select * into v_job from public.jobs j where j.id = p_job_id and j.status = 'running' and j.locked_by = p_worker for update;
  if not found then
    return 'lease_lost';
  end if;
  if v_job.payload ->> 'copy_id' is distinct from p_copy_id::text then
    raise exception 'p_copy_id: job % is not about copy %', p_job_id, p_copy_id using errcode = '22023';
  end if;
  v_action := v_job.payload ->> 'action';
  v_job := private.fail_job(p_job_id, p_worker, p_error, coalesce(p_retry, true));
  if v_job.status = 'queued' and p_retry_after_seconds > 0 then
    update public.jobs j set run_at = greatest(j.run_at, now() + make_interval(secs => least(p_retry_after_seconds, 3600)))
    where j.id = p_job_id;
  end if;
  update quicksell.marketplace_listings ml set
    last_error = left(p_error, 2000),
    last_error_at = now(),
    sync_status = case when v_job.status = 'dead' and v_action in ('publish', 'update', 'delist') and ml.sync_status in ('draft', 'active')
                       then 'error'::quicksell.sync_status else ml.sync_status end
  where ml.id = p_copy_id;
  return case when v_job.status = 'dead' then 'failed' else 'retrying' end;
end;
$$;

create or replace function private.quicksell_sync_notify(p_marketplace text, p_marketplace_listing_id text)
returns boolean
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_copy uuid;
begin
  select ml.id into v_copy from quicksell.marketplace_listings ml
  where ml.marketplace_name = p_marketplace and ml.marketplace_listing_id = p_marketplace_listing_id and ml.sync_status = 'active';
  if v_copy is null then
    return false;
  end if;
  perform private.quicksell_sync_enqueue(v_copy, 'poll', format('poll:%s:%s', v_copy, floor(extract(epoch from now()) / 10)::bigint));
  return true;
end;
$$;

create or replace function private.quicksell_sync_poll_active()
returns integer
language sql
volatile
security definer
set search_path = ''
as $$
  select count(private.quicksell_sync_enqueue(ml.id, 'poll', format('poll:%s:cron:%s', ml.id, floor(extract(epoch from now()) / 300)::bigint)))::integer
  from quicksell.marketplace_listings ml
  join quicksell.marketplace_accounts a on a.id = ml.marketplace_account_id
  where ml.sync_status = 'active' and ml.marketplace_name <> 'local' and a.is_active and a.auto_sync_enabled;
$$;

revoke execute on function
  private.quicksell_sync_load(bigint, text),
  private.quicksell_sync_checkpoint(uuid, jsonb),
  private.quicksell_sync_sell(uuid),
  private.quicksell_sync_succeed(bigint, text, uuid, text, quicksell.sync_status, jsonb, numeric),
  private.quicksell_sync_fail(bigint, text, uuid, text, boolean, integer),
  private.quicksell_sync_notify(text, text),
  private.quicksell_sync_poll_active()
  from public, anon, authenticated;
grant execute on function
  private.quicksell_sync_load(bigint, text),
  private.quicksell_sync_checkpoint(uuid, jsonb),
  private.quicksell_sync_succeed(bigint, text, uuid, text, quicksell.sync_status, jsonb, numeric),
  private.quicksell_sync_fail(bigint, text, uuid, text, boolean, integer),
  private.quicksell_sync_notify(text, text)
  to service_role;

select cron.schedule('quicksell-sync-poll', '*/5 * * * *', 'select private.quicksell_sync_poll_active()');
