-- Tools marketplace reviews (issue 10, "Reviews" and the reviews part of
-- "Access"): what the database keeps true about marketplace_reviews, and the
-- two tables of their own for "helpful" votes and reports.
--
-- Adds:
--   * verified_purchase, set by the database on every insert and update of a
--     review, and again whenever one of the account's purchases changes state:
--     true iff the review's account holds a purchase of the tool, directly or
--     via a bundle containing it, with payment_status COMPLETED and status
--     ACTIVE or CANCELLED (cancelled but paid). Refunded and expired purchases
--     do not verify;
--   * an author's edit (rating, title or review) of an APPROVED review sends
--     it back to PENDING;
--   * tools.moderate_review(review_id, status, notes): platform admins move a
--     review to APPROVED / REJECTED / FLAGGED with notes; moderated_at and
--     moderated_by are set here, never by the caller;
--   * avg_rating / review_count on marketplace_tools count APPROVED reviews
--     only, recomputed by trigger under a lock on the tool row (so two
--     moderations of the same tool never both count from a stale snapshot);
--   * tools.marketplace_review_votes ("helpful", one per user per review) and
--     tools.marketplace_review_reports (one per user per review, with a
--     reason), kept in helpful_count / flagged_count by triggers;
--   * a review reported by 3 distinct users since its last moderation goes to
--     FLAGGED (private.tools_review_flag_threshold()).
--
-- Who may do what:
--   * reviews: as in 20261201007000 (approved ones public; the author and
--     platform admins read the rest; authors write content only). Protected
--     columns (organization_id after insert, user_id, verified_purchase,
--     status, counters, moderation fields) have no client grant: 42501;
--   * votes and reports: a signed-in user adds their own on an APPROVED review
--     they did not write, reads and withdraws their own; platform admins read
--     all (reports are the moderation queue); nothing is ever updated by
--     clients; anon has no access; service_role everything.
--
-- Lock order: review row, then tool row (moderation, edits, votes and
-- reports all lock the review first; the counter trigger then the tool).

-- ---------------------------------------------------------------- verified purchase
create or replace function private.tools_review_verified(p_account_id uuid, p_tool_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1
    from tools.marketplace_purchases p
    where p.organization_id = p_account_id
      and p.payment_status = 'COMPLETED'
      and p.status in ('ACTIVE', 'CANCELLED')
      and (p.tool_id = p_tool_id
           or p.bundle_id in (select bi.bundle_id from tools.marketplace_bundle_items bi where bi.tool_id = p_tool_id))
  );
$$;
revoke execute on function private.tools_review_verified(uuid, uuid) from public, anon, authenticated;

-- Before insert or update: the database's own fields of a review.
create or replace function private.tools_review_before_write()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  new.verified_purchase := private.tools_review_verified(new.organization_id, new.tool_id);
  if tg_op = 'UPDATE'
     and old.status = 'APPROVED'
     and new.status = 'APPROVED'
     and (new.rating, new.title, new.review) is distinct from (old.rating, old.title, old.review) then
    -- What was approved is no longer what is shown: moderate it again.
    new.status := 'PENDING';
  end if;
  return new;
end;
$$;
revoke execute on function private.tools_review_before_write() from public, anon, authenticated;
create trigger marketplace_reviews_before_write before insert or update on tools.marketplace_reviews
  for each row execute function private.tools_review_before_write();

-- A purchase that starts or stops verifying refreshes the account's reviews of
-- the tool (or of every tool in the bundle).
create or replace function private.tools_purchase_refresh_reviews()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update tools.marketplace_reviews r
  set verified_purchase = private.tools_review_verified(r.organization_id, r.tool_id)
  where r.organization_id = new.organization_id
    and (r.tool_id = new.tool_id
         or r.tool_id in (select bi.tool_id from tools.marketplace_bundle_items bi where bi.bundle_id = new.bundle_id))
    and r.verified_purchase is distinct from private.tools_review_verified(r.organization_id, r.tool_id);
  return null;
end;
$$;
revoke execute on function private.tools_purchase_refresh_reviews() from public, anon, authenticated;
create trigger marketplace_purchases_refresh_reviews
  after insert or update of status, payment_status on tools.marketplace_purchases
  for each row execute function private.tools_purchase_refresh_reviews();

-- ---------------------------------------------------------------- avg_rating, review_count
create or replace function private.tools_recount_tool_reviews(p_tool_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- Lock first, count in a later statement: that statement's snapshot then
  -- includes every moderation committed before we got the lock. A single
  -- UPDATE with the counts as subqueries would count from the snapshot taken
  -- before it waited, and lose a concurrent approval.
  perform 1 from tools.marketplace_tools t where t.id = p_tool_id for update;
  update tools.marketplace_tools t
  set avg_rating = s.avg_rating, review_count = s.review_count
  from (select avg(r.rating)::real as avg_rating, count(*)::int as review_count
        from tools.marketplace_reviews r
        where r.tool_id = p_tool_id and r.status = 'APPROVED') s
  where t.id = p_tool_id
    and (t.avg_rating, t.review_count) is distinct from (s.avg_rating, s.review_count);
end;
$$;
revoke execute on function private.tools_recount_tool_reviews(uuid) from public, anon, authenticated;

create or replace function private.tools_review_after_write()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op in ('UPDATE', 'DELETE') and old.status = 'APPROVED'
     and (tg_op = 'DELETE' or new.status <> 'APPROVED' or new.rating <> old.rating or new.tool_id <> old.tool_id) then
    perform private.tools_recount_tool_reviews(old.tool_id);
  end if;
  if tg_op in ('INSERT', 'UPDATE') and new.status = 'APPROVED'
     and (tg_op = 'INSERT' or old.status <> 'APPROVED' or new.rating <> old.rating or new.tool_id <> old.tool_id) then
    perform private.tools_recount_tool_reviews(new.tool_id);
  end if;
  return null;
end;
$$;
revoke execute on function private.tools_review_after_write() from public, anon, authenticated;
create trigger marketplace_reviews_after_write after insert or update or delete on tools.marketplace_reviews
  for each row execute function private.tools_review_after_write();

-- ---------------------------------------------------------------- moderation
create or replace function tools.moderate_review(review_id uuid, status tools.review_status, notes text default null)
returns tools.marketplace_reviews
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_review tools.marketplace_reviews;
begin
  if not private.is_platform_admin() then
    raise exception 'moderate_review: only platform admins moderate reviews' using errcode = '42501';
  end if;
  if moderate_review.status is null or moderate_review.status = 'PENDING' then
    raise exception 'status: must be APPROVED, REJECTED or FLAGGED' using errcode = '22023';
  end if;
  if char_length(moderate_review.notes) > 10000 then
    raise exception 'notes: at most 10000 characters' using errcode = '22023';
  end if;

  update tools.marketplace_reviews r
  set status = moderate_review.status,
      moderation_notes = moderate_review.notes,
      -- The clock, not the transaction start: reports are ordered against it.
      moderated_at = clock_timestamp(),
      moderated_by = auth.uid()
  where r.id = moderate_review.review_id
  returning r.* into v_review;
  if not found then
    raise exception 'review_id: no such review' using errcode = 'PT404';
  end if;
  return v_review;
end;
$$;
revoke execute on function tools.moderate_review(uuid, tools.review_status, text) from public, anon;
grant execute on function tools.moderate_review(uuid, tools.review_status, text) to authenticated, service_role;

-- ---------------------------------------------------------------- votes and reports
create table tools.marketplace_review_votes (
  id uuid primary key default extensions.gen_random_uuid(),
  review_id uuid not null references tools.marketplace_reviews (id) on delete cascade,
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  created_at timestamptz not null default now(),
  -- Also the index for review_id.
  unique (review_id, user_id)
);
create index marketplace_review_votes_user_id_idx on tools.marketplace_review_votes (user_id);

create table tools.marketplace_review_reports (
  id uuid primary key default extensions.gen_random_uuid(),
  review_id uuid not null references tools.marketplace_reviews (id) on delete cascade,
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  reason text check (char_length(reason) <= 1000),
  -- The clock, as moderated_at: "since its last moderation" holds within one transaction too.
  created_at timestamptz not null default clock_timestamp(),
  -- Also the index for review_id.
  unique (review_id, user_id)
);
create index marketplace_review_reports_user_id_idx on tools.marketplace_review_reports (user_id);

create or replace function private.tools_review_flag_threshold()
returns integer
language sql
immutable
set search_path = ''
as $$ select 3 $$;
revoke execute on function private.tools_review_flag_threshold() from public, anon, authenticated;

create or replace function private.tools_review_vote_counted()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    update tools.marketplace_reviews set helpful_count = helpful_count + 1 where id = new.review_id;
  else
    update tools.marketplace_reviews set helpful_count = greatest(helpful_count - 1, 0) where id = old.review_id;
  end if;
  return null;
end;
$$;
revoke execute on function private.tools_review_vote_counted() from public, anon, authenticated;
create trigger marketplace_review_votes_counted after insert or delete on tools.marketplace_review_votes
  for each row execute function private.tools_review_vote_counted();

create or replace function private.tools_review_report_counted()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_review tools.marketplace_reviews;
begin
  if tg_op = 'DELETE' then
    update tools.marketplace_reviews set flagged_count = greatest(flagged_count - 1, 0) where id = old.review_id;
    return null;
  end if;
  -- The update locks the review, so concurrent reports are counted one at a time.
  update tools.marketplace_reviews set flagged_count = flagged_count + 1 where id = new.review_id
  returning * into v_review;
  -- Reports a moderator has already weighed do not count again.
  if v_review.status in ('APPROVED', 'PENDING')
     and (select count(*) from tools.marketplace_review_reports rr
          where rr.review_id = new.review_id
            and (v_review.moderated_at is null or rr.created_at > v_review.moderated_at))
         >= private.tools_review_flag_threshold() then
    update tools.marketplace_reviews set status = 'FLAGGED' where id = new.review_id;
  end if;
  return null;
end;
$$;
revoke execute on function private.tools_review_report_counted() from public, anon, authenticated;
create trigger marketplace_review_reports_counted after insert or delete on tools.marketplace_review_reports
  for each row execute function private.tools_review_report_counted();

grant select, delete on tools.marketplace_review_votes, tools.marketplace_review_reports to authenticated;
grant insert (review_id) on tools.marketplace_review_votes to authenticated;
grant insert (review_id, reason) on tools.marketplace_review_reports to authenticated;
grant all on tools.marketplace_review_votes, tools.marketplace_review_reports to service_role;

alter table tools.marketplace_review_votes enable row level security;
alter table tools.marketplace_review_reports enable row level security;

create policy "marketplace_review_votes: the voter and platform admins read"
  on tools.marketplace_review_votes for select to authenticated
  using (user_id = (select auth.uid()) or (select private.is_platform_admin()));
-- The subquery reads reviews under the caller's RLS: only a review they can
-- see, that is approved and not their own.
create policy "marketplace_review_votes: a user votes once on an approved review of someone else"
  on tools.marketplace_review_votes for insert to authenticated
  with check (user_id = (select auth.uid())
              and exists (select 1 from tools.marketplace_reviews r
                          where r.id = review_id and r.status = 'APPROVED' and r.user_id <> (select auth.uid())));
create policy "marketplace_review_votes: the voter withdraws"
  on tools.marketplace_review_votes for delete to authenticated using (user_id = (select auth.uid()));

create policy "marketplace_review_reports: the reporter and platform admins read"
  on tools.marketplace_review_reports for select to authenticated
  using (user_id = (select auth.uid()) or (select private.is_platform_admin()));
create policy "marketplace_review_reports: a user reports once an approved review of someone else"
  on tools.marketplace_review_reports for insert to authenticated
  with check (user_id = (select auth.uid())
              and exists (select 1 from tools.marketplace_reviews r
                          where r.id = review_id and r.status = 'APPROVED' and r.user_id <> (select auth.uid())));
create policy "marketplace_review_reports: the reporter withdraws"
  on tools.marketplace_review_reports for delete to authenticated using (user_id = (select auth.uid()));
