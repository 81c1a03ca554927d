-- Tools review votes and reports (demo), after 300_tools.sql, which writes
-- the reviews in every moderation state. Written over whatever approved
-- reviews exist, so this file does not repeat that one's choices:
--   * every approved review gets "helpful" votes from the first two demo
--     people (by number) who did not write it;
--   * the first approved review (by id) is also reported by two people: the
--     counters show it, and it stays APPROVED (the third distinct reporter
--     would send it to FLAGGED; docs/tools.md).
-- Inserted as the table owner; the database's triggers keep helpful_count and
-- flagged_count as the API would.

begin;

with demo_people (n, id) as (
  select n, ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid from generate_series(1, 8) n
), ranked as (
  select r.id as review_id, p.id as user_id, row_number() over (partition by r.id order by p.n) as k
  from tools.marketplace_reviews r
  join demo_people p on p.id <> r.user_id
  where r.status = 'APPROVED'
)
insert into tools.marketplace_review_votes (review_id, user_id)
select review_id, user_id from ranked where k <= 2
on conflict (review_id, user_id) do nothing;

with first_review as (
  select r.id, r.user_id from tools.marketplace_reviews r where r.status = 'APPROVED' order by r.id limit 1
), demo_people (n, id) as (
  select n, ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid from generate_series(1, 8) n
)
insert into tools.marketplace_review_reports (review_id, user_id, reason)
select f.id, p.id, 'demo: ' || case when p.n % 2 = 0 then 'reads like an advert' else 'not about this tool' end
from first_review f
join demo_people p on p.id <> f.user_id
order by p.n desc
limit 2
on conflict (review_id, user_id) do nothing;

commit;
