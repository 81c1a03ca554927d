-- QuickSell cross-posting (seed 001), part 3: a seller cross-posts a listing.
--   * quicksell.crosspost_listing(p_listing_id, p_marketplace) (authenticated,
--     the listing's seller only): the listing must be published (PT409) and
--     the seller's account on that marketplace connected and switched on
--     (PT409; QuickSell's own 'local' marketplace needs no connection: its
--     account row is made here). Creates the marketplace_listings copy as
--     'draft' and queues its publish on 'quicksell.sync'. Idempotent: a copy
--     that is draft or active is returned as it is (nothing queued again); a
--     delisted or failed copy goes back to draft and is queued again.
--   * Plan entitlement quicksell.crosspost_marketplace (seed plans: Free 2,
--     Premium and Premium Plus unlimited): each external marketplace a seller
--     cross-posts to counts once per billing period (private.record_usage with
--     a key per marketplace and period); the local marketplace is free. Past
--     the allowance: PT402 and nothing is created.
--   * private.quicksell_sync_enqueue: one sync job for one copy, idempotent
--     by key (used here, by the worker settlement and by the listing triggers).
-- Errors: PT404 no such listing; 42501 not your listing; 22023 unknown
-- marketplace; PT409 not published / not connected / switched off; PT402.

create or replace function private.quicksell_sync_enqueue(p_copy_id uuid, p_action text, p_key text, p_run_at timestamptz default now())
returns bigint
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_seller uuid;
  v_job public.jobs;
begin
  select l.user_id into v_seller
  from quicksell.marketplace_listings ml join quicksell.listings l on l.id = ml.listing_id
  where ml.id = p_copy_id;
  -- Personal accounts share their owner's id: the job is the seller's.
  v_job := private.enqueue_job('quicksell.sync', jsonb_build_object('copy_id', p_copy_id, 'action', p_action),
    (select a.id from public.accounts a where a.id = v_seller), p_key, p_run_at, 5);
  return v_job.id;
end;
$$;

create or replace function quicksell.crosspost_listing(p_listing_id uuid, p_marketplace text)
returns quicksell.marketplace_listings
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := (select auth.uid());
  v_listing quicksell.listings;
  v_account quicksell.marketplace_accounts;
  v_copy quicksell.marketplace_listings;
  v_display text;
begin
  if v_uid is null then
    raise exception 'authorization: sign in to cross-post' using errcode = '42501';
  end if;
  select * into v_listing from quicksell.listings l where l.id = p_listing_id and l.deleted_at is null for update;
  if not found then
    raise exception 'p_listing_id: no such listing' using errcode = 'PT404';
  end if;
  if v_listing.user_id <> v_uid then
    raise exception 'p_listing_id: only the seller may cross-post this listing' using errcode = '42501';
  end if;
  select m.display_name into v_display from quicksell.marketplaces m where m.name = p_marketplace;
  if not found then
    raise exception 'p_marketplace: unknown marketplace %', coalesce(p_marketplace, 'null') using errcode = '22023';
  end if;
  if v_listing.status <> 'published' then
    raise exception 'p_listing_id: only a published listing can be cross-posted (this one is %)', v_listing.status using errcode = 'PT409';
  end if;

  if p_marketplace = 'local' then
    insert into quicksell.marketplace_accounts (user_id, marketplace_name, marketplace_user_id, account_name)
    values (v_uid, 'local', v_uid::text, 'QuickSell')
    on conflict (user_id, marketplace_name) do nothing;
  end if;
  select * into v_account from quicksell.marketplace_accounts a where a.user_id = v_uid and a.marketplace_name = p_marketplace;
  if not found then
    raise exception 'p_marketplace: connect your % account first', v_display using errcode = 'PT409';
  end if;
  if not v_account.is_active then
    raise exception 'p_marketplace: your % account is switched off (is_active)', v_display using errcode = 'PT409';
  end if;

  select * into v_copy from quicksell.marketplace_listings ml
  where ml.listing_id = p_listing_id and ml.marketplace_account_id = v_account.id for update;
  if found and v_copy.sync_status in ('draft', 'active', 'sold') then
    return v_copy;
  end if;

  if p_marketplace <> 'local' then
    perform private.record_usage(v_uid, 'quicksell.crosspost_marketplace', 1,
      format('quicksell.crosspost:%s:%s', p_marketplace, private.usage_period_start(v_uid, 'quicksell')),
      v_uid, p_marketplace);
  end if;

  if v_copy.id is null then
    insert into quicksell.marketplace_listings (listing_id, marketplace_account_id, marketplace_name, sync_status, synced_data)
    values (p_listing_id, v_account.id, p_marketplace, 'draft', '{}'::jsonb)
    returning * into v_copy;
  else
    update quicksell.marketplace_listings ml set sync_status = 'draft', last_error = null, last_error_at = null
    where ml.id = v_copy.id returning * into v_copy;
  end if;
  perform private.quicksell_sync_enqueue(v_copy.id, 'publish', format('publish:%s:%s', v_copy.id, (extract(epoch from clock_timestamp()) * 1000000)::bigint));
  return v_copy;
end;
$$;

comment on function quicksell.crosspost_listing(uuid, text) is
  'The seller cross-posts a published listing to a marketplace: a draft copy and a queued publish (idempotent; plan entitlement quicksell.crosspost_marketplace).';

revoke execute on function private.quicksell_sync_enqueue(uuid, text, text, timestamptz) from public, anon, authenticated;
revoke execute on function quicksell.crosspost_listing(uuid, text) from public, anon;
grant execute on function quicksell.crosspost_listing(uuid, text) to authenticated;
