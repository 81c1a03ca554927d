-- QuickSell (seed 001), gamification part 3: what listings and photos score,
-- and daily posting streaks.
--   * a listing inserted: user_stats.listings_created + 1, 'listing_created'
--     points (key listing:<id>), a posting day, challenge progress, badges;
--   * a listing published for the first time (published_at set, by the
--     status machine): 'listing_published' points (key listing_published:<id>),
--     a posting day, challenge progress;
--   * a photo inserted: user_stats.photos_uploaded + 1, 'photo_uploaded'
--     points (key photo:<id>; the rule's daily cap stops upload/delete loops),
--     challenge progress, badges;
--   * posting streaks: a day counts when the user creates or publishes a
--     listing; days are the user's own (public.profiles.time_zone), so a
--     listing at 23:30 and one at 00:30 local time are two days even when
--     both fall on one UTC date. The next day continues the streak, the same
--     day changes nothing, a later day starts again at 1; best_posting_streak
--     keeps the longest. private.quicksell_break_streaks(at) on pg_cron
--     (hourly) sets current_posting_streak to 0 once a whole local day passed
--     without posting, so a broken streak never shows as current.
-- Who may do what: nobody writes the counters, streaks or points directly;
-- these triggers run as the definer whoever inserts the listing or photo.

create or replace function private.quicksell_record_posting(p_user uuid, p_at timestamptz default now())
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_stats quicksell.user_stats;
  v_day date;
  v_current integer;
begin
  select (p_at at time zone coalesce(p.time_zone, 'UTC'))::date into v_day from public.profiles p where p.id = p_user;
  if v_day is null then
    v_day := (p_at at time zone 'UTC')::date;
  end if;
  v_stats := private.quicksell_lock_stats(p_user);
  if v_stats.last_activity_date is not null and v_day <= v_stats.last_activity_date then
    -- The same day (or a late event of an earlier one): the streak stands.
    return v_stats.current_posting_streak;
  end if;
  v_current := case when v_stats.last_activity_date = v_day - 1 then coalesce(v_stats.current_posting_streak, 0) + 1 else 1 end;
  update quicksell.user_stats s
  set current_posting_streak = v_current,
      best_posting_streak = greatest(coalesce(s.best_posting_streak, 0), v_current),
      last_activity_date = v_day,
      updated_at = now()
  where s.user_id = p_user;
  perform private.quicksell_unlock_badges(p_user, 'posting_streak', v_current);
  return v_current;
end;
$$;
revoke execute on function private.quicksell_record_posting(uuid, timestamptz) from public, anon, authenticated;

-- pg_cron: a streak whose last posting day is before yesterday (in the
-- user's zone at p_now) is broken.
create or replace function private.quicksell_break_streaks(p_now timestamptz default now())
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  update quicksell.user_stats s
  set current_posting_streak = 0, updated_at = now()
  from public.profiles p
  where p.id = s.user_id
    and s.current_posting_streak > 0
    and s.last_activity_date < (p_now at time zone p.time_zone)::date - 1;
  get diagnostics v_count = row_count;
  return v_count;
end;
$$;
revoke execute on function private.quicksell_break_streaks(timestamptz) from public, anon, authenticated;

create index user_stats_running_streak_idx on quicksell.user_stats (last_activity_date) where current_posting_streak > 0;

select cron.schedule('quicksell-break-streaks', '17 * * * *', 'select private.quicksell_break_streaks()');

-- ------------------------------------------------------------ listings

create or replace function private.quicksell_listing_created()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  perform private.quicksell_lock_stats(new.user_id);
  update quicksell.user_stats s set listings_created = s.listings_created + 1, updated_at = now()
  where s.user_id = new.user_id
  returning s.listings_created into v_count;
  perform private.quicksell_award(new.user_id, 'listing_created', 'listing:' || new.id, jsonb_build_object('listing_id', new.id));
  perform private.quicksell_record_posting(new.user_id, coalesce(new.created_at, now()));
  perform private.quicksell_challenge_progress(new.user_id, 'listings_created', 1);
  perform private.quicksell_unlock_badges(new.user_id, 'listings_created', v_count);
  if new.published_at is not null then
    perform private.quicksell_listing_first_publish(new.user_id, new.id);
  end if;
  return null;
end;
$$;
revoke execute on function private.quicksell_listing_created() from public, anon, authenticated;

create or replace function private.quicksell_listing_first_publish(p_user uuid, p_listing uuid)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  -- published_at is set once, on the first publish (the status machine);
  -- the key keeps a second call from scoring anyway.
  perform private.quicksell_award(p_user, 'listing_published', 'listing_published:' || p_listing,
                                  jsonb_build_object('listing_id', p_listing));
  perform private.quicksell_record_posting(p_user);
  perform private.quicksell_challenge_progress(p_user, 'listings_published', 1);
end;
$$;
revoke execute on function private.quicksell_listing_first_publish(uuid, uuid) from public, anon, authenticated;

create or replace function private.quicksell_listing_published()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.quicksell_listing_first_publish(new.user_id, new.id);
  return null;
end;
$$;
revoke execute on function private.quicksell_listing_published() from public, anon, authenticated;

create trigger listings_gamification_created
  after insert on quicksell.listings
  for each row execute function private.quicksell_listing_created();

-- Not `update of published_at`: the status machine sets it in a BEFORE
-- trigger, which a column-list trigger would not see.
create trigger listings_gamification_published
  after update on quicksell.listings
  for each row when (old.published_at is null and new.published_at is not null)
  execute function private.quicksell_listing_published();

-- ------------------------------------------------------------ photos

create or replace function private.quicksell_photo_uploaded()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  perform private.quicksell_lock_stats(new.user_id);
  update quicksell.user_stats s set photos_uploaded = s.photos_uploaded + 1, updated_at = now()
  where s.user_id = new.user_id
  returning s.photos_uploaded into v_count;
  perform private.quicksell_award(new.user_id, 'photo_uploaded', 'photo:' || new.id,
                                  jsonb_build_object('photo_id', new.id, 'listing_id', new.listing_id));
  perform private.quicksell_challenge_progress(new.user_id, 'photos_uploaded', 1);
  perform private.quicksell_unlock_badges(new.user_id, 'photos_uploaded', v_count);
  return null;
end;
$$;
revoke execute on function private.quicksell_photo_uploaded() from public, anon, authenticated;

create trigger photos_gamification_uploaded
  after insert on quicksell.photos
  for each row execute function private.quicksell_photo_uploaded();
