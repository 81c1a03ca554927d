-- Studio: every numeric column refuses NaN and the infinities (issue 14 §2;
-- the rule and why: 20261201003000_billing_finite_numbers.sql). api_cost is
-- written by the AI provider's completion path (private.studio_complete_job),
-- price and bathrooms by team members' CRM listings, api_cost_estimate by
-- migrations/service_role: a NaN in any of them is refused with 23514 (400).

alter table studio.job_prices
  add constraint job_prices_api_cost_estimate_finite
    check (api_cost_estimate > '-Infinity' and api_cost_estimate < 'Infinity');

alter table studio.crm_listings
  add constraint crm_listings_price_finite check (price > '-Infinity' and price < 'Infinity'),
  add constraint crm_listings_bathrooms_finite check (bathrooms > '-Infinity' and bathrooms < 'Infinity');

alter table studio.ai_jobs
  add constraint ai_jobs_api_cost_finite check (api_cost > '-Infinity' and api_cost < 'Infinity');
