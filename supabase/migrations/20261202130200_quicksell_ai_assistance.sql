-- Adds QuickSell's AI assistance on the shared job queue and billing:
--   * quicksell.ai_requests: one row per request (kind 'description',
--     'price_estimate' or 'photo_analysis'), who pays (the plan's allowance
--     or credits), its queue job, result and outcome. The seller reads his;
--     platform admins read all; nobody writes it but the functions below;
--   * quicksell.request_ai(listing, kind) (authenticated, seller only): under
--     the listing lock, returns the open request of that kind if there is one
--     (a double click pays once); else pays and enqueues on 'quicksell.ai':
--       - within the plan's `quicksell.ai_listing` allowance (requests still
--         open count against it, serialised per account), nothing is charged
--         yet: the use is recorded (private.record_usage, keyed by the
--         request) when the result is delivered;
--       - past it, the kind's credit price is held (private.credit_reserve,
--         keyed by the request) and captured on delivery;
--       - neither: PT402 "AI allowance used up ... and not enough credits";
--   * the worker's calls (service_role): private.quicksell_ai_claim,
--     private.quicksell_ai_complete (applies the result and pays, once: a
--     retried or replayed completion finds the request settled and charges
--     nothing), private.quicksell_ai_fail (retry keeping the hold, or fail);
--     a job that dies by any route (retries used, reaped lease) releases its
--     hold and fails its request (trigger on public.jobs);
--   * private.quicksell_price_estimate(listing, now): comparable SOLD
--     listings of the same category and condition in the same currency, the
--     same brand when at least 3 such exist (else any brand, with a lower
--     weight and confidence), weighted by similarity (same model > same brand
--     > other) and recency (half-life ~4 months); confidence 0-1 from how
--     many comparables and how tight their spread; fewer than 3: "not enough
--     data", and the listing is left as it was (nothing is charged either).
-- Lock order: queue row, listing, request, then the ledger.
-- Invariants: supabase/tests/771-quicksell-ai-requests.sql, 772-quicksell-price-estimate.sql,
-- functions/quicksell-ai/index.test.ts.

create table quicksell.ai_requests (
  id uuid primary key default extensions.gen_random_uuid(),
  listing_id uuid not null references quicksell.listings (id) on delete cascade,
  user_id uuid not null references public.profiles (id) on delete cascade,
  account_id uuid not null references public.accounts (id) on delete cascade,
  kind text not null check (kind in ('description', 'price_estimate', 'photo_analysis')),
  status text not null default 'queued' check (status in ('queued', 'running', 'completed', 'failed', 'not_enough_data')),
  paid_by text not null check (paid_by in ('allowance', 'credits')),
  credits integer not null default 0 check (credits >= 0),
  reservation_id uuid references public.credit_reservations (id),
  usage_event_id bigint references public.usage_events (id),
  queue_job_id bigint references public.jobs (id) on delete set null,
  provider text,
  result jsonb,
  error_message text,
  attempts integer not null default 0 check (attempts >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  completed_at timestamptz,
  check ((paid_by = 'credits') = (reservation_id is not null) or status = 'failed')
);

comment on table quicksell.ai_requests is
  'QuickSell AI assistance requests: kind, who paid (allowance or credits), queue job, outcome. Written only by quicksell.request_ai and the quicksell-ai worker.';

create unique index ai_requests_one_open_per_kind on quicksell.ai_requests (listing_id, kind) where status in ('queued', 'running');
create index ai_requests_listing_id_idx on quicksell.ai_requests (listing_id, created_at desc);
create index ai_requests_user_id_idx on quicksell.ai_requests (user_id, created_at desc);
create index ai_requests_account_open_idx on quicksell.ai_requests (account_id) where status in ('queued', 'running');
create index ai_requests_account_id_idx on quicksell.ai_requests (account_id);
create index ai_requests_reservation_id_idx on quicksell.ai_requests (reservation_id);
create index ai_requests_usage_event_id_idx on quicksell.ai_requests (usage_event_id);
create unique index ai_requests_queue_job_id_key on quicksell.ai_requests (queue_job_id);

create trigger ai_requests_set_updated_at
  before update on quicksell.ai_requests
  for each row execute function private.set_updated_at();

alter table quicksell.ai_requests enable row level security;
revoke all on quicksell.ai_requests from anon, authenticated, service_role;
grant select on quicksell.ai_requests to authenticated, service_role;

create policy "ai_requests: the seller and platform admins read"
  on quicksell.ai_requests for select to authenticated
  using (user_id = (select auth.uid()) or (select private.is_platform_admin()));

-- Credits per request past the allowance.
create or replace function private.quicksell_ai_credit_price(p_kind text)
returns integer
language sql
immutable
set search_path = ''
as $$
  select case p_kind when 'description' then 2 when 'price_estimate' then 1 when 'photo_analysis' then 1 end
$$;

-- Holds outlive every retry: 3 attempts x 300 s lease + backoff, with margin.
create or replace function private.quicksell_ai_hold_ttl()
returns interval
language sql
immutable
set search_path = ''
as $$ select interval '2 hours' $$;

-- ------------------------------------------------------------------ estimate
create or replace function private.quicksell_price_estimate(p_listing_id uuid, p_now timestamptz default now())
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_target quicksell.listings;
  v_relaxed boolean;
  v_n integer;
  v_mean numeric;
  v_var numeric;
  v_cv numeric;
  v_conf numeric;
  v_min numeric;
  v_max numeric;
begin
  select * into v_target from quicksell.listings l where l.id = p_listing_id;
  if not found then
    raise exception 'listing_id: no such listing' using errcode = 'PT404';
  end if;

  with base as (
    select s.price, s.sold_at,
           v_target.brand is not null and lower(btrim(c.brand)) = lower(btrim(v_target.brand)) as same_brand,
           v_target.model is not null and lower(btrim(c.model)) = lower(btrim(v_target.model)) as same_model
    from quicksell.listings c
    cross join lateral (
      select coalesce(x.sale_price, c.price) as price, coalesce(x.completed_date, x.sale_date, c.updated_at) as sold_at
      from (select 1) one
      left join lateral (
        select sa.sale_price, sa.completed_date, sa.sale_date from quicksell.sales sa
        where sa.listing_id = c.id and sa.status = 'completed'
        order by sa.completed_date desc nulls last limit 1) x on true
    ) s
    where c.status = 'sold' and c.id <> v_target.id
      and c.category = v_target.category and c.condition = v_target.condition and c.currency = v_target.currency
      and s.price > 0 and s.sold_at <= p_now
  ), level as (
    select count(*) filter (where b.same_brand) < 3 as relaxed from base b
  ), chosen as (
    -- The most recent 100 are plenty; older ones weigh almost nothing anyway.
    select b.* from base b, level where level.relaxed or b.same_brand order by b.sold_at desc limit 100
  ), w as (
    select c.price,
           (case when c.same_model and c.same_brand then 1.3 when c.same_brand then 1.0 else 0.6 end)
             * exp(-greatest(extract(epoch from (p_now - c.sold_at)) / 86400.0, 0) / 180.0) as weight
    from chosen c
  ), m as (
    select count(*)::integer as n, sum(w.weight * w.price) / nullif(sum(w.weight), 0) as mean, sum(w.weight) as total,
           min(w.price) as lo, max(w.price) as hi
    from w
  )
  select m.n, m.mean, (select sum(w.weight * (w.price - m.mean) ^ 2) / nullif(m.total, 0) from w), m.lo, m.hi,
         (select level.relaxed from level)
  into v_n, v_mean, v_var, v_min, v_max, v_relaxed
  from m;

  if v_n < 3 or v_mean is null then
    return jsonb_build_object('status', 'not_enough_data', 'comparables', v_n, 'needed', 3,
      'matched_on', case when v_relaxed then 'category and condition' else 'category, brand and condition' end,
      'message', format('not enough data: %s comparable sold listing%s in %s (%s), at least 3 needed',
                        v_n, case when v_n = 1 then '' else 's' end, v_target.category, v_target.condition));
  end if;
  v_cv := sqrt(greatest(v_var, 0)) / v_mean;
  v_conf := (1 - exp(-v_n / 6.0)) / (1 + 2 * v_cv) * case when v_relaxed then 0.85 else 1 end;
  return jsonb_build_object(
    'status', 'estimated',
    'estimated_price', round(v_mean, 2),
    'confidence_score', round(least(greatest(v_conf, 0), 1), 2),
    'comparables', v_n,
    'matched_on', case when v_relaxed then 'category and condition' else 'category, brand and condition' end,
    'spread', round(v_cv, 3),
    'low', v_min, 'high', v_max,
    'currency', v_target.currency);
end;
$$;

-- ------------------------------------------------------------------ request
create or replace function quicksell.request_ai(p_listing_id uuid, p_kind text)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uid uuid := (select auth.uid());
  v_listing quicksell.listings;
  v_open quicksell.ai_requests;
  v_request quicksell.ai_requests;
  v_inflight integer;
  v_decision jsonb;
  v_paid_by text;
  v_price integer := private.quicksell_ai_credit_price(p_kind);
  v_available integer;
  v_hold public.credit_reservations;
  v_job public.jobs;
begin
  if v_uid is null then
    raise exception 'authorization: sign in to ask for AI help' using errcode = '42501';
  end if;
  if p_kind is null or v_price is null then
    raise exception 'p_kind: one of description, price_estimate, photo_analysis' using errcode = '22023';
  end if;
  select * into v_listing from quicksell.listings l where l.id = p_listing_id and l.deleted_at is null for update;
  if not found then
    raise exception 'p_listing_id: no such listing' using errcode = 'PT404';
  end if;
  if v_listing.user_id <> v_uid then
    raise exception 'p_listing_id: only the seller may ask for AI help on a listing' using errcode = '42501';
  end if;
  if p_kind = 'photo_analysis' and not exists (
      select 1 from quicksell.photos p where p.listing_id = p_listing_id and p.storage_path is not null) then
    raise exception 'photos: the listing has no photos to analyse' using errcode = 'PT409';
  end if;

  select * into v_open from quicksell.ai_requests r
  where r.listing_id = p_listing_id and r.kind = p_kind and r.status in ('queued', 'running');
  if found then
    return jsonb_build_object('request_id', v_open.id, 'listing_id', v_open.listing_id, 'kind', v_open.kind,
      'status', v_open.status, 'paid_by', v_open.paid_by, 'credits', v_open.credits, 'replayed', true);
  end if;

  -- One account's requests decide on its allowance one at a time.
  perform pg_advisory_xact_lock(hashtextextended('quicksell.ai_listing:' || v_listing.user_id::text, 0));
  select count(*)::integer into v_inflight from quicksell.ai_requests r
  where r.account_id = v_listing.user_id and r.paid_by = 'allowance' and r.status in ('queued', 'running');
  v_decision := private.entitlement(v_listing.user_id, 'quicksell.ai_listing', v_inflight + 1);

  if (v_decision ->> 'allowed')::boolean then
    v_paid_by := 'allowance';
  else
    select coalesce((select b.balance - b.held from public.credit_balances b
                     where b.account_id = v_listing.user_id and b.pool = 'credits'), 0)
    into v_available;
    if v_available < v_price then
      raise exception 'AI allowance used up (% of % on plan %, % open) and not enough credits: % available, % needed',
        coalesce((v_decision ->> 'used'), '0'), coalesce((v_decision ->> 'quota'), '0'),
        coalesce(v_decision ->> 'plan', 'none'), v_inflight, v_available, v_price
        using errcode = 'PT402', detail = v_decision::text,
              hint = 'Upgrade the QuickSell plan or buy credits.';
    end if;
    v_paid_by := 'credits';
  end if;

  v_request.id := extensions.gen_random_uuid();
  if v_paid_by = 'credits' then
    begin
      v_hold := private.credit_reserve(v_listing.user_id, 'credits', v_price, 'quicksell.ai:' || v_request.id,
        'quicksell.ai_' || p_kind, p_listing_id::text, private.quicksell_ai_hold_ttl());
    exception when sqlstate 'PT402' then
      raise exception 'AI allowance used up and not enough credits: % needed', v_price using errcode = 'PT402';
    end;
  end if;

  insert into quicksell.ai_requests (id, listing_id, user_id, account_id, kind, paid_by, credits, reservation_id)
  values (v_request.id, p_listing_id, v_uid, v_listing.user_id, p_kind, v_paid_by,
          case when v_paid_by = 'credits' then v_price else 0 end, v_hold.id)
  returning * into v_request;

  v_job := private.enqueue_job('quicksell.ai',
    jsonb_build_object('kind', p_kind, 'request_id', v_request.id, 'listing_id', p_listing_id),
    v_listing.user_id, 'quicksell.ai:' || v_request.id);
  update quicksell.ai_requests r set queue_job_id = v_job.id where r.id = v_request.id;

  return jsonb_build_object('request_id', v_request.id, 'listing_id', p_listing_id, 'kind', p_kind,
    'status', 'queued', 'paid_by', v_paid_by, 'credits', v_request.credits, 'replayed', false);
end;
$$;

revoke execute on function quicksell.request_ai(uuid, text) from public, anon;
grant execute on function quicksell.request_ai(uuid, text) to authenticated;

-- ------------------------------------------------------------------ worker
create or replace function private.quicksell_ai_claim(p_worker text, p_limit integer default 4)
returns table (queue_job_id bigint, request_id uuid, kind text, listing_id uuid, user_id uuid, attempt integer)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_job public.jobs;
  v_request quicksell.ai_requests;
  v_hold text;
begin
  for v_job in select * from private.claim_jobs('quicksell.ai', p_worker, p_limit) loop
    select * into v_request from quicksell.ai_requests r where r.queue_job_id = v_job.id for update;
    if not found or v_request.status in ('completed', 'failed', 'not_enough_data') then
      perform private.complete_job(v_job.id, p_worker, jsonb_build_object('skipped', 'request already settled'));
      continue;
    end if;
    if v_request.reservation_id is not null then
      select r.status into v_hold from public.credit_reservations r where r.id = v_request.reservation_id;
      if v_hold <> 'held' then
        perform private.fail_job(v_job.id, p_worker, 'credit hold ' || v_hold || ' before the job ran', false);
        continue;
      end if;
    end if;
    update quicksell.ai_requests r set status = 'running', attempts = v_job.attempts where r.id = v_request.id;
    queue_job_id := v_job.id;
    request_id := v_request.id;
    kind := v_request.kind;
    listing_id := v_request.listing_id;
    user_id := v_request.user_id;
    attempt := v_job.attempts;
    return next;
  end loop;
end;
$$;

-- Applies a delivered result and pays for it, once. Returns 'completed',
-- 'not_enough_data', or 'lease_lost' (this worker no longer holds the job).
create or replace function private.quicksell_ai_complete(p_queue_job_id bigint, p_worker text, p_result jsonb)
returns text
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_request quicksell.ai_requests;
  v_estimate jsonb;
  v_text text;
  v_outcome text := 'completed';
  v_usage public.usage_events;
  v_result jsonb := coalesce(p_result, '{}'::jsonb);
  v_photo jsonb;
begin
  perform 1 from public.jobs j
  where j.id = p_queue_job_id and j.queue = 'quicksell.ai' and j.status = 'running' and j.locked_by = p_worker
  for update;
  if not found then
    return 'lease_lost';
  end if;
  perform 1 from quicksell.listings l
  where l.id = (select r.listing_id from quicksell.ai_requests r where r.queue_job_id = p_queue_job_id) for update;
  select * into v_request from quicksell.ai_requests r where r.queue_job_id = p_queue_job_id for update;
  if not found or v_request.status in ('completed', 'failed', 'not_enough_data') then
    -- Settled already (a replay after a lost answer): nothing more to apply or pay.
    perform private.complete_job(p_queue_job_id, p_worker, jsonb_build_object('skipped', 'request already settled'));
    return coalesce(nullif(v_request.status, 'failed'), 'completed');
  end if;

  if v_request.kind = 'description' then
    v_text := btrim(v_result ->> 'description');
    if v_text is null or v_text = '' then
      raise exception 'description: the provider returned no text' using errcode = '22023';
    end if;
    update quicksell.listings l set description = left(v_text, 5000), ai_description_generated = true
    where l.id = v_request.listing_id;
  elsif v_request.kind = 'price_estimate' then
    v_estimate := private.quicksell_price_estimate(v_request.listing_id);
    v_result := v_result || jsonb_build_object('estimate', v_estimate);
    if v_estimate ->> 'status' = 'not_enough_data' then
      v_outcome := 'not_enough_data';
    else
      update quicksell.listings l set
        estimated_price = (v_estimate ->> 'estimated_price')::numeric,
        ai_price_estimated = true,
        confidence_score = (v_estimate ->> 'confidence_score')::numeric
      where l.id = v_request.listing_id;
    end if;
  else
    for v_photo in select * from jsonb_array_elements(coalesce(v_result -> 'photos', '[]'::jsonb)) loop
      continue when v_photo ? 'skipped';
      if (v_photo ->> 'background_type') not in ('plain_white', 'plain_dark', 'plain_color', 'busy') then
        raise exception 'background_type: unknown value %', v_photo ->> 'background_type' using errcode = '22023';
      end if;
      update quicksell.photos p set
        background_type = v_photo ->> 'background_type',
        quality_score = least(greatest((v_photo ->> 'quality_score')::numeric, 0), 1),
        object_confidence = least(greatest((v_photo ->> 'object_confidence')::numeric, 0), 1),
        contains_faces = (v_photo ->> 'contains_faces')::boolean,
        contains_hands = (v_photo ->> 'contains_hands')::boolean
      where p.id = (v_photo ->> 'id')::uuid and p.listing_id = v_request.listing_id;
    end loop;
  end if;

  -- Pay for what was delivered; "not enough data" delivers nothing and costs nothing.
  if v_outcome = 'completed' then
    if v_request.paid_by = 'allowance' then
      begin
        v_usage := private.record_usage(v_request.account_id, 'quicksell.ai_listing', 1, 'quicksell.ai:' || v_request.id,
          v_request.user_id, v_request.listing_id::text);
      exception when sqlstate 'PT402' then
        -- The plan shrank while the request was open; it was accepted, so it is delivered.
        v_result := v_result || jsonb_build_object('usage_note', 'allowance changed while the request was open; not counted');
      end;
    else
      perform private.credit_capture(v_request.reservation_id);
    end if;
  elsif v_request.reservation_id is not null then
    perform private.credit_release(v_request.reservation_id);
  end if;

  update quicksell.ai_requests r set
    status = v_outcome, result = v_result, provider = left(v_result ->> 'provider', 100),
    usage_event_id = v_usage.id, error_message = null, completed_at = now(),
    credits = case when v_outcome = 'completed' then r.credits else 0 end
  where r.id = v_request.id;
  perform private.complete_job(p_queue_job_id, p_worker, jsonb_build_object('outcome', v_outcome, 'request_id', v_request.id));
  return v_outcome;
end;
$$;

create or replace function private.quicksell_ai_fail(p_queue_job_id bigint, p_worker text, p_error text, p_retry boolean)
returns text
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_job public.jobs;
begin
  perform 1 from public.jobs j
  where j.id = p_queue_job_id and j.queue = 'quicksell.ai' and j.status = 'running' and j.locked_by = p_worker
  for update;
  if not found then
    return 'lease_lost';
  end if;
  -- A death settles the request through the queue trigger below.
  v_job := private.fail_job(p_queue_job_id, p_worker, p_error, p_retry);
  if v_job.status = 'queued' then
    update quicksell.ai_requests r set status = 'queued', error_message = left(p_error, 2000)
    where r.queue_job_id = p_queue_job_id and r.status = 'running';
    return 'retrying';
  end if;
  return 'failed';
end;
$$;

-- Requests follow their queue rows: a requeue (reaped lease) reopens the
-- request; a death, however it came, releases the hold and fails it.
create or replace function private.quicksell_ai_follow_queue()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_request quicksell.ai_requests;
begin
  select * into v_request from quicksell.ai_requests r where r.queue_job_id = new.id for update;
  if not found or v_request.status in ('completed', 'failed', 'not_enough_data') then
    return null;
  end if;
  if new.status = 'queued' then
    update quicksell.ai_requests r set status = 'queued', error_message = new.last_error where r.id = v_request.id;
  elsif new.status = 'dead' then
    if v_request.reservation_id is not null then
      perform private.credit_release(v_request.reservation_id);
    end if;
    update quicksell.ai_requests r set status = 'failed', credits = 0, completed_at = now(),
      error_message = coalesce(left(new.last_error, 2000), 'failed')
    where r.id = v_request.id;
  end if;
  return null;
end;
$$;

create trigger quicksell_ai_requests_follow_queue
  after update of status on public.jobs
  for each row when (new.queue = 'quicksell.ai' and new.status is distinct from old.status and new.status in ('queued', 'dead'))
  execute function private.quicksell_ai_follow_queue();

revoke execute on function private.quicksell_ai_credit_price(text), private.quicksell_ai_hold_ttl(),
  private.quicksell_price_estimate(uuid, timestamptz), private.quicksell_ai_claim(text, integer),
  private.quicksell_ai_complete(bigint, text, jsonb), private.quicksell_ai_fail(bigint, text, text, boolean),
  private.quicksell_ai_follow_queue() from public, anon, authenticated;
grant execute on function private.quicksell_ai_claim(text, integer), private.quicksell_ai_complete(bigint, text, jsonb),
  private.quicksell_ai_fail(bigint, text, text, boolean), private.quicksell_price_estimate(uuid, timestamptz) to service_role;
