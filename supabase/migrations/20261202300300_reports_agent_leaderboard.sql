-- Reports: the seed's view admin_agent_leaderboard, agents ranked for the
-- platform admins' dashboard. One row per agent (public.profiles) with any
-- report or lead:
--   market_reports     report_generations by user_id;
--   property_reports   property_reports by user_id;
--   consumer_reports   consumer_reports by agent_id;
--   reports            the sum of the three;
--   leads              reports.leads by agent_id (the report's author when
--                      the lead came in);
--   conversions        of those, status converted;
--   conversion_rate    conversions / leads x 100, 2 decimals (null without
--                      leads);
--   rank               rank() by reports, then leads, then conversions
--                      (descending): ties share a rank.
-- Who may do what: security_invoker, so the caller's RLS applies, and the
-- view answers no rows unless the caller is a platform admin (whose RLS
-- shows every row) or the backend (service_role). anon has no grant.

create view reports.admin_agent_leaderboard
with (security_invoker = true)
as
with activity as (
  select g.user_id as agent_id, 1 as market, 0 as property, 0 as consumer, 0 as lead, 0 as converted
  from reports.report_generations g where g.user_id is not null
  union all
  select r.user_id, 0, 1, 0, 0, 0 from reports.property_reports r where r.user_id is not null
  union all
  select c.agent_id, 0, 0, 1, 0, 0 from reports.consumer_reports c where c.agent_id is not null
  union all
  select l.agent_id, 0, 0, 0, 1, (l.status = 'converted')::int from reports.leads l where l.agent_id is not null
), totals as (
  select a.agent_id,
         sum(a.market)::int as market_reports,
         sum(a.property)::int as property_reports,
         sum(a.consumer)::int as consumer_reports,
         sum(a.market + a.property + a.consumer)::int as reports,
         sum(a.lead)::int as leads,
         sum(a.converted)::int as conversions
  from activity a
  group by a.agent_id
)
select rank() over (order by t.reports desc, t.leads desc, t.conversions desc)::int as rank,
       t.agent_id,
       p.full_name as agent_name,
       p.email as agent_email,
       t.reports,
       t.market_reports,
       t.property_reports,
       t.consumer_reports,
       t.leads,
       t.conversions,
       case when t.leads > 0 then round(t.conversions * 100.0 / t.leads, 2) end as conversion_rate
from totals t
join public.profiles p on p.id = t.agent_id
where (select private.is_platform_admin()) or current_user = 'service_role';

comment on view reports.admin_agent_leaderboard is
  'Reports (seed 004): agents ranked by reports, leads and conversions; platform admins only (others see no rows).';

revoke all on reports.admin_agent_leaderboard from anon, authenticated, service_role;
grant select on reports.admin_agent_leaderboard to authenticated, service_role;
