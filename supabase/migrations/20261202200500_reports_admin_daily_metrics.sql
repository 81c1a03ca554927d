-- Reports: the seed's view admin_daily_metrics, for the platform admins'
-- dashboard: per UTC day with any activity,
--   signups            profiles created (public.profiles.created_at);
--   market_reports     report_generations completed that day (generated_at);
--   property_reports   property reports created; consumer_reports likewise;
--   reports_generated  the sum of the three;
--   revenue            {"<currency>": amount} of payments that succeeded
--                      (status succeeded or partially_refunded, net of
--                      refunds), by processed_at (else created_at): money in
--                      different currencies is never added up.
-- Who may do what: security_invoker, so the caller's RLS applies, and the
-- view itself answers no rows unless the caller is a platform admin (whose
-- RLS shows every profile, report and payment) or the backend
-- (service_role). anon has no grant.

create view reports.admin_daily_metrics
with (security_invoker = true)
as
with signups as (
  select (p.created_at at time zone 'UTC')::date as day, count(*)::int as n
  from public.profiles p group by 1
), market as (
  select (g.generated_at at time zone 'UTC')::date as day, count(*)::int as n
  from reports.report_generations g where g.status = 'completed' group by 1
), property as (
  select (r.created_at at time zone 'UTC')::date as day, count(*)::int as n
  from reports.property_reports r group by 1
), consumer as (
  select (c.created_at at time zone 'UTC')::date as day, count(*)::int as n
  from reports.consumer_reports c group by 1
), revenue as (
  select day, jsonb_object_agg(currency, amount order by currency) as amounts
  from (
    select (coalesce(pay.processed_at, pay.created_at) at time zone 'UTC')::date as day, pay.currency::text as currency,
           sum(pay.amount - pay.amount_refunded) as amount
    from public.payments pay where pay.status in ('succeeded', 'partially_refunded')
    group by 1, 2
  ) by_currency
  group by day
), days as (
  select day from signups union select day from market union select day from property
  union select day from consumer union select day from revenue
)
select d.day,
       coalesce(s.n, 0) as signups,
       coalesce(m.n, 0) + coalesce(p.n, 0) + coalesce(c.n, 0) as reports_generated,
       coalesce(m.n, 0) as market_reports,
       coalesce(p.n, 0) as property_reports,
       coalesce(c.n, 0) as consumer_reports,
       coalesce(r.amounts, '{}'::jsonb) as revenue
from days d
left join signups s on s.day = d.day
left join market m on m.day = d.day
left join property p on p.day = d.day
left join consumer c on c.day = d.day
left join revenue r on r.day = d.day
where (select private.is_platform_admin()) or current_user = 'service_role';

comment on view reports.admin_daily_metrics is
  'Reports (seed 004): signups, reports generated and revenue per UTC day; platform admins only (others see no rows).';

revoke all on reports.admin_daily_metrics from anon, authenticated, service_role;
grant select on reports.admin_daily_metrics to authenticated, service_role;
