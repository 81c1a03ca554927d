-- public.plan_entitlements: what each plan includes per feature and period.
--   * readable by anon and every signed-in user for active plans; the
--     entitlements of a retired (inactive) plan are hidden;
--   * written only by service_role (42501 for everyone else);
--   * quota null means unlimited; overage needs a unit price.

begin;
select plan(12);

select tests.billing_data() as acme \gset
insert into public.plans (product, code, name, tier, tier_rank, monthly_price, is_active)
values ('reports', 'b_retired', 'Reports Retired', 'retired_b', 9, 5, false)
returning id as retired_id \gset
insert into public.plan_entitlements (plan_id, feature, quota) values (:'retired_id', 'reports.market_report', 7);
select id as solo_id from public.plans where code = 'reports_solo' \gset

-- Counted over three features, so a feature added to the plans later (e.g.
-- reports.api_call) does not change what these lines prove.
select format($q$ select 1 from public.plan_entitlements where plan_id in (%L, %L)
                    and feature in ('reports.market_report', 'reports.property_report', 'reports.sms') $q$, :'solo_id', :'retired_id') as read_sql,
       format($q$ insert into public.plan_entitlements (plan_id, feature, quota) values (%L, 'reports.bonus', 1) $q$, :'solo_id') as insert_sql,
       format($q$ update public.plan_entitlements set quota = 51 where plan_id = %L and feature = 'reports.market_report' $q$, :'solo_id') as update_sql,
       format($q$ delete from public.plan_entitlements where plan_id = %L $q$, :'retired_id') as delete_sql \gset

-- ---------------------------------------------------------------- who may do what
-- reports_solo has 3 of those entitlements; the retired plan 1.
select is(tests.rights('anon', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=3, insert 42501, update 42501, delete 42501',
  'anon reads entitlements of active plans only and writes nothing');
select is(tests.rights('stranger', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=3, insert 42501, update 42501, delete 42501',
  'a stranger reads entitlements of active plans only and writes nothing');
select is(tests.rights('owner', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=3, insert 42501, update 42501, delete 42501',
  'an account owner reads entitlements of active plans only and writes nothing');
select is(tests.rights('member', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=3, insert 42501, update 42501, delete 42501',
  'another member reads entitlements of active plans only and writes nothing');
select is(tests.rights('admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=3, insert 42501, update 42501, delete 42501',
  'an account admin reads entitlements of active plans only and writes nothing');
select is(tests.rights('platform_admin', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=3, insert 42501, update 42501, delete 42501',
  'a platform admin reads entitlements of active plans only and writes nothing through the API');
select is(tests.rights('service_role', :'read_sql', :'insert_sql', :'update_sql', :'delete_sql'),
  'read rows=4, insert rows=1, update rows=1, delete rows=1',
  'service_role reads every entitlement and writes them');

-- ---------------------------------------------------------------- what plans include
select tests.authenticate_as_anon();
select results_eq(
  $$ select p.code, e.quota, e.overage_allowed, e.overage_unit_price
     from public.plan_entitlements e join public.plans p on p.id = e.plan_id
     where e.feature = 'reports.market_report' order by p.tier_rank $$,
  $$ values ('reports_free'::text, 5, false, null::numeric), ('reports_solo', 50, true, 0.5000),
            ('reports_team', 250, true, 0.4000), ('reports_affiliate', null, false, null) $$,
  'market reports: 5 free, 50 then 0.50 (solo), 250 then 0.40 (team), unlimited (affiliate)');
select is((select quota from public.plan_entitlements e join public.plans p on p.id = e.plan_id
           where p.code = 'homes_agency' and e.feature = 'homes.valuation'), null::integer,
  'a null quota means unlimited (homes_agency valuations)');

select tests.clear_authentication();
select throws_ok(format($q$ insert into public.plan_entitlements (plan_id, feature, quota, overage_allowed) values (%L, 'reports.unpriced', 1, true) $q$, :'solo_id'),
  '23514', null, 'overage must carry a unit price');
select throws_ok(format($q$ insert into public.plan_entitlements (plan_id, feature, quota) values (%L, 'Bad Feature', 1) $q$, :'solo_id'),
  '23514', null, 'features are named product.feature');
select throws_ok(format($q$ insert into public.plan_entitlements (plan_id, feature, quota) values (%L, 'reports.negative', -1) $q$, :'solo_id'),
  '23514', null, 'a quota cannot be negative');

select * from finish();
rollback;
