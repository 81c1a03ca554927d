-- Billing: every money column refuses NaN and the infinities (issue 14 §2).
-- PostgreSQL's numeric accepts 'NaN', and NaN compares greater than every
-- number, so `check (amount > 0)` lets it through; a NaN price or amount
-- would then poison every sum, balance and comparison it meets. The typmods
-- (numeric(12, 2) ...) already refuse the infinities; the checks say so
-- anyway, so a column keeps its guarantee if its precision is ever dropped.
-- Rule: every numeric column carries `<table>_<column>_finite`
--   check (col > '-Infinity' and col < 'Infinity')
-- (false for NaN, which sorts above 'Infinity'; null stays allowed where the
-- column allows it). supabase/tests/003-numeric-columns-refuse-nan.sql
-- fails for any numeric column of an exposed schema without such a check.
-- Who may write: unchanged (catalogue by migrations/service_role, payments,
-- refunds, subscriptions and usage by the provider webhooks and definer code).

alter table public.plans
  add constraint plans_monthly_price_finite check (monthly_price > '-Infinity' and monthly_price < 'Infinity'),
  add constraint plans_annual_price_finite check (annual_price > '-Infinity' and annual_price < 'Infinity');

alter table public.plan_entitlements
  add constraint plan_entitlements_overage_unit_price_finite
    check (overage_unit_price > '-Infinity' and overage_unit_price < 'Infinity');

alter table public.credit_packs
  add constraint credit_packs_price_finite check (price > '-Infinity' and price < 'Infinity');

alter table public.subscriptions
  add constraint subscriptions_price_finite check (price > '-Infinity' and price < 'Infinity');

alter table public.payments
  add constraint payments_amount_finite check (amount > '-Infinity' and amount < 'Infinity'),
  add constraint payments_amount_refunded_finite check (amount_refunded > '-Infinity' and amount_refunded < 'Infinity');

alter table public.refunds
  add constraint refunds_amount_finite check (amount > '-Infinity' and amount < 'Infinity');

alter table public.usage_events
  add constraint usage_events_unit_price_finite check (unit_price > '-Infinity' and unit_price < 'Infinity'),
  add constraint usage_events_amount_finite check (amount > '-Infinity' and amount < 'Infinity');
