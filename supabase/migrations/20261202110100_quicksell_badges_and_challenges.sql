-- QuickSell (seed 001), gamification part 2: badges and challenges.
--   * badges unlock exactly once: private.quicksell_unlock_badges(user, type,
--     value) inserts every badge of that requirement_type whose
--     requirement_value the value has reached, ON CONFLICT (user_id,
--     badge_id) DO NOTHING, and notifies only for the rows it inserted; the
--     unique key makes a second unlock impossible even across transactions
--     (a concurrent inserter waits for the first and then inserts nothing);
--   * badges.requirement_type is one of the counters the engine feeds
--     (items_sold, listings_created, photos_uploaded, total_points,
--     posting_streak, ratings_received; the user_stats column names
--     total_items_sold and current_posting_streak mean the same) or null for
--     a badge only a challenge gives;
--   * challenges gain requirement_type / requirement_value (the seed has a
--     reward but no goal): progress counts the user's events of that type
--     between starts_at and ends_at; progress_percentage = progress / goal,
--     at most 100; reaching the goal completes it once (completed_at, the
--     'challenge_completed' points award with the challenge's reward_points,
--     the reward badge, a notification). A user is enrolled by his first
--     counted event or by quicksell.join_challenge;
--   * private.quicksell_expire_challenges(at) on pg_cron (every 5 minutes):
--     active user challenges of challenges that ended become 'expired' and
--     the challenges is_active = false; a completed one stays completed.
-- Who may do what: badges and challenges are written by service_role (qs-core
-- grants); user_badges and user_challenges only by this code; a signed-in
-- user may join a running challenge (quicksell.join_challenge).

alter table quicksell.badges
  add constraint badges_requirement_type_known check (
    requirement_type is null
    or requirement_type in ('items_sold', 'listings_created', 'photos_uploaded', 'total_points', 'posting_streak', 'ratings_received',
                            'total_items_sold', 'current_posting_streak')),
  add constraint badges_requirement_pair check ((requirement_type is null) = (requirement_value is null)),
  add constraint badges_requirement_value_positive check (requirement_value > 0);

create index badges_requirement_idx on quicksell.badges (requirement_type, requirement_value) where requirement_type is not null;

alter table quicksell.challenges
  add column requirement_type text check (
    requirement_type in ('listings_created', 'listings_published', 'photos_uploaded', 'items_sold', 'ratings_received', 'points_earned')),
  add column requirement_value integer check (requirement_value > 0),
  add constraint challenges_requirement_pair check ((requirement_type is null) = (requirement_value is null)),
  add constraint challenges_window check (ends_at is null or starts_at is null or ends_at > starts_at);

comment on column quicksell.challenges.requirement_type is 'What counts towards the challenge (events between starts_at and ends_at).';
comment on column quicksell.challenges.requirement_value is 'The goal: progress needed to complete the challenge.';

create index challenges_running_idx on quicksell.challenges (requirement_type, ends_at) where is_active;

-- ------------------------------------------------------------ badges

create or replace function private.quicksell_notify_badge(p_user uuid, p_badge_id uuid)
returns void
language sql
volatile
security definer
set search_path = ''
as $$
  select private.notify(p_user, 'badge_unlocked', left('Badge unlocked: ' || b.badge_name, 255),
                        coalesce(nullif(b.badge_description, ''), b.badge_name), 'quicksell', null,
                        jsonb_build_object('badge_key', b.badge_key, 'badge_id', b.id))
  from quicksell.badges b where b.id = p_badge_id;
$$;
revoke execute on function private.quicksell_notify_badge(uuid, uuid) from public, anon, authenticated;

-- Unlocks (once) every badge of p_type that p_value has reached; returns how many now.
create or replace function private.quicksell_unlock_badges(p_user uuid, p_type text, p_value integer)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_badge uuid;
  v_count integer := 0;
begin
  if p_value is null or p_value <= 0 then
    return 0;
  end if;
  for v_badge in
    insert into quicksell.user_badges (user_id, badge_id)
    select p_user, b.id from quicksell.badges b
    where b.requirement_type in (p_type, case p_type when 'items_sold' then 'total_items_sold'
                                                     when 'posting_streak' then 'current_posting_streak' end)
      and b.requirement_value <= p_value
    order by b.id
    on conflict (user_id, badge_id) do nothing
    returning badge_id
  loop
    perform private.quicksell_notify_badge(p_user, v_badge);
    v_count := v_count + 1;
  end loop;
  return v_count;
end;
$$;
revoke execute on function private.quicksell_unlock_badges(uuid, text, integer) from public, anon, authenticated;

-- A badge given by a challenge (any requirement_type): once, notified.
create or replace function private.quicksell_give_badge(p_user uuid, p_badge_id uuid)
returns boolean
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_id uuid;
begin
  insert into quicksell.user_badges (user_id, badge_id) values (p_user, p_badge_id)
  on conflict (user_id, badge_id) do nothing
  returning badge_id into v_id;
  if v_id is not null then
    perform private.quicksell_notify_badge(p_user, v_id);
  end if;
  return v_id is not null;
end;
$$;
revoke execute on function private.quicksell_give_badge(uuid, uuid) from public, anon, authenticated;

-- ------------------------------------------------------------ challenges

-- Completes a user challenge whose progress reached its goal: once.
create or replace function private.quicksell_complete_challenge(p_user_challenge uuid)
returns boolean
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_uc quicksell.user_challenges;
  v_ch quicksell.challenges;
begin
  update quicksell.user_challenges uc
  set status = 'completed', completed_at = now(), progress_percentage = 100
  where uc.id = p_user_challenge and uc.status = 'active'
  returning * into v_uc;
  if not found then
    return false;
  end if;
  select * into v_ch from quicksell.challenges c where c.id = v_uc.challenge_id;
  perform private.notify(v_uc.user_id, 'challenge_completed', left('Challenge completed: ' || v_ch.challenge_name, 255),
                         coalesce(nullif(v_ch.description, ''), v_ch.challenge_name), 'quicksell', null,
                         jsonb_build_object('challenge_key', v_ch.challenge_key, 'challenge_id', v_ch.id));
  if v_ch.reward_badge_id is not null then
    perform private.quicksell_give_badge(v_uc.user_id, v_ch.reward_badge_id);
  end if;
  perform private.quicksell_award(v_uc.user_id, 'challenge_completed', 'challenge:' || v_ch.id,
                                  jsonb_build_object('challenge_id', v_ch.id, 'challenge_key', v_ch.challenge_key));
  return true;
end;
$$;
revoke execute on function private.quicksell_complete_challenge(uuid) from public, anon, authenticated;

-- Counts p_delta (may be negative: a refunded sale) towards every running
-- challenge of p_type, enrolling the user on a positive event; completes
-- the ones whose goal is reached. Progress never goes below 0 and a
-- completed or expired challenge no longer moves.
create or replace function private.quicksell_challenge_progress(p_user uuid, p_type text, p_delta integer, p_at timestamptz default now())
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_ch record;
  v_id uuid;
  v_progress integer;
  v_done integer := 0;
begin
  if p_delta is null or p_delta = 0 then
    return 0;
  end if;
  for v_ch in
    select c.id, c.requirement_value from quicksell.challenges c
    where c.is_active and c.requirement_type = p_type
      and (c.starts_at is null or c.starts_at <= p_at)
      and (c.ends_at is null or c.ends_at > p_at)
    order by c.id
  loop
    v_id := null;
    if p_delta > 0 then
      insert into quicksell.user_challenges as uc (user_id, challenge_id, progress)
      values (p_user, v_ch.id, p_delta)
      on conflict (user_id, challenge_id) do update set progress = uc.progress + p_delta
        where uc.status = 'active'
      returning uc.id, uc.progress into v_id, v_progress;
    else
      update quicksell.user_challenges uc set progress = greatest(uc.progress + p_delta, 0)
      where uc.user_id = p_user and uc.challenge_id = v_ch.id and uc.status = 'active'
      returning uc.id, uc.progress into v_id, v_progress;
    end if;
    continue when v_id is null;
    update quicksell.user_challenges uc
    set progress_percentage = least(100, round(v_progress * 100.0 / v_ch.requirement_value, 2))
    where uc.id = v_id;
    if v_progress >= v_ch.requirement_value and private.quicksell_complete_challenge(v_id) then
      v_done := v_done + 1;
    end if;
  end loop;
  return v_done;
end;
$$;
revoke execute on function private.quicksell_challenge_progress(uuid, text, integer, timestamptz) from public, anon, authenticated;

-- A signed-in user joins a running challenge (progress 0; idempotent).
create or replace function quicksell.join_challenge(p_challenge_id uuid)
returns quicksell.user_challenges
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_user uuid := (select auth.uid());
  v_ch quicksell.challenges;
  v_row quicksell.user_challenges;
begin
  if v_user is null then
    raise exception 'sign in to join a challenge' using errcode = '42501';
  end if;
  select * into v_ch from quicksell.challenges c where c.id = p_challenge_id;
  if not found then
    raise exception 'challenge_id: no such challenge' using errcode = 'PT404';
  end if;
  if not v_ch.is_active or (v_ch.starts_at is not null and v_ch.starts_at > now())
     or (v_ch.ends_at is not null and v_ch.ends_at <= now()) then
    raise exception 'challenge: not running' using errcode = 'PT409';
  end if;
  insert into quicksell.user_challenges (user_id, challenge_id) values (v_user, p_challenge_id)
  on conflict (user_id, challenge_id) do nothing;
  select * into v_row from quicksell.user_challenges uc where uc.user_id = v_user and uc.challenge_id = p_challenge_id;
  return v_row;
end;
$$;
revoke execute on function quicksell.join_challenge(uuid) from public, anon;
grant execute on function quicksell.join_challenge(uuid) to authenticated, service_role;

-- pg_cron: challenges that ended expire (p_now lets tests move the clock).
create or replace function private.quicksell_expire_challenges(p_now timestamptz default now())
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  update quicksell.user_challenges uc
  set status = 'expired'
  from quicksell.challenges c
  where c.id = uc.challenge_id and uc.status = 'active' and c.ends_at is not null and c.ends_at <= p_now;
  get diagnostics v_count = row_count;
  update quicksell.challenges c set is_active = false
  where c.is_active and c.ends_at is not null and c.ends_at <= p_now;
  return v_count;
end;
$$;
revoke execute on function private.quicksell_expire_challenges(timestamptz) from public, anon, authenticated;

select cron.schedule('quicksell-expire-challenges', '*/5 * * * *', 'select private.quicksell_expire_challenges()');

create index user_challenges_active_challenge_idx on quicksell.user_challenges (challenge_id) where status = 'active';
