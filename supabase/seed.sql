-- Catalogue data: rows every environment needs. Idempotent (upserts by
-- code), so it runs on every `npm start` and on hosted projects after
-- `supabase db push`. Demo users and their data live in supabase/demo/.

-- ------------------------------------------------------------ plans
-- product, code, name, tier, rank, default?, monthly, annual, currency, credits/period, trial days
insert into public.plans (product, code, name, description, tier, tier_rank, is_default, monthly_price, annual_price, currency, credits_per_period, trial_days)
values
  -- seed 000: subscription_plans with included valuations
  ('homes', 'homes_free', 'Homes Free', 'Browse, list and get two valuations a month.', 'free', 0, true, 0, 0, 'USD', 0, 0),
  ('homes', 'homes_pro', 'Homes Pro', 'For active sellers: 25 valuations a month, then $2 each.', 'pro', 1, false, 29.00, 290.00, 'USD', 0, 14),
  ('homes', 'homes_agency', 'Homes Agency', 'Unlimited valuations for agencies.', 'agency', 2, false, 199.00, 1990.00, 'USD', 0, 14),
  -- seed 001: free / premium / premium_plus
  ('quicksell', 'quicksell_free', 'QuickSell Free', '10 AI listings a month, 2 marketplaces.', 'free', 0, true, 0, 0, 'USD', 0, 0),
  ('quicksell', 'quicksell_premium', 'QuickSell Premium', '100 AI listings a month, all marketplaces.', 'premium', 1, false, 9.99, 99.00, 'USD', 0, 7),
  ('quicksell', 'quicksell_premium_plus', 'QuickSell Premium Plus', 'Unlimited AI listings and analytics.', 'premium_plus', 2, false, 19.99, 199.00, 'USD', 0, 7),
  -- seed 002: free / basic / pro / enterprise with monthly credits (PayFast, ZAR)
  ('studio', 'studio_free', 'Studio Free', '50 credits to try the studio.', 'free', 0, true, 0, 0, 'ZAR', 0, 0),
  ('studio', 'studio_basic', 'Studio Basic', '100 credits every month.', 'basic', 1, false, 299.00, 2990.00, 'ZAR', 100, 0),
  ('studio', 'studio_pro', 'Studio Pro', '400 credits every month.', 'pro', 2, false, 799.00, 7990.00, 'ZAR', 400, 0),
  ('studio', 'studio_enterprise', 'Studio Enterprise', '1,200 credits every month.', 'enterprise', 3, false, 1999.00, 19990.00, 'ZAR', 1200, 0),
  -- seed 003: FREE, CUSTOM, STARTER, GROWTH, ELITE, ENTERPRISE (tools gated by minimum tier)
  ('tools', 'tools_free', 'Tools Free', 'Free tools only.', 'free', 0, true, 0, 0, 'USD', 0, 0),
  ('tools', 'tools_custom', 'Tools Custom', 'Pay per tool from the marketplace.', 'custom', 1, false, 0.01, null, 'USD', 0, 0),
  ('tools', 'tools_starter', 'Tools Starter', 'Starter tools included.', 'starter', 2, false, 49.00, 490.00, 'USD', 1000, 0),
  ('tools', 'tools_growth', 'Tools Growth', 'Growth tools, RAG and AI Hub included.', 'growth', 3, false, 149.00, 1490.00, 'USD', 5000, 0),
  ('tools', 'tools_elite', 'Tools Elite', 'Elite tools included.', 'elite', 4, false, 399.00, 3990.00, 'USD', 15000, 0),
  ('tools', 'tools_enterprise', 'Tools Enterprise', 'Everything, with enterprise support.', 'enterprise', 5, false, 999.00, 9990.00, 'USD', 50000, 0),
  -- seed 004: plans with report limits, overage, property reports and SMS credits
  ('reports', 'reports_free', 'Reports Free', '5 market reports and 3 property reports a month.', 'free', 0, true, 0, 0, 'USD', 0, 0),
  ('reports', 'reports_solo', 'Reports Solo', '50 reports a month, then $0.50 each; 50 SMS.', 'solo', 1, false, 29.00, 290.00, 'USD', 0, 14),
  ('reports', 'reports_team', 'Reports Team', '250 reports a month, then $0.40 each; 250 SMS.', 'team', 2, false, 99.00, 990.00, 'USD', 0, 14),
  ('reports', 'reports_affiliate', 'Reports Affiliate', 'Unlimited reports for sponsoring affiliates.', 'affiliate', 3, false, 299.00, 2990.00, 'USD', 0, 0)
on conflict (code) do update set
  name = excluded.name, description = excluded.description, tier = excluded.tier, tier_rank = excluded.tier_rank,
  is_default = excluded.is_default, monthly_price = excluded.monthly_price, annual_price = excluded.annual_price,
  currency = excluded.currency, credits_per_period = excluded.credits_per_period, trial_days = excluded.trial_days;

-- Stripe price ids: placeholders for test mode; set the real ones per environment.
update public.plans set
  stripe_price_id_monthly = 'price_' || code || '_monthly',
  stripe_price_id_annual = case when annual_price is not null and annual_price > 0 then 'price_' || code || '_annual' end
where monthly_price > 0 and product <> 'studio' and stripe_price_id_monthly is null;

-- ------------------------------------------------------------ entitlements
-- feature, quota (null = unlimited), overage allowed, overage unit price
insert into public.plan_entitlements (plan_id, feature, quota, overage_allowed, overage_unit_price)
select p.id, e.feature, e.quota, e.overage_allowed, e.overage_unit_price
from (values
  ('homes_free', 'homes.valuation', 2, false, null::numeric),
  ('homes_pro', 'homes.valuation', 25, true, 2.00),
  ('homes_agency', 'homes.valuation', null, false, null),
  ('quicksell_free', 'quicksell.ai_listing', 10, false, null),
  ('quicksell_free', 'quicksell.crosspost_marketplace', 2, false, null),
  ('quicksell_premium', 'quicksell.ai_listing', 100, false, null),
  ('quicksell_premium', 'quicksell.crosspost_marketplace', null, false, null),
  ('quicksell_premium_plus', 'quicksell.ai_listing', null, false, null),
  ('quicksell_premium_plus', 'quicksell.crosspost_marketplace', null, false, null),
  ('quicksell_premium_plus', 'quicksell.advanced_analytics', null, false, null),
  ('studio_free', 'studio.ai_job', null, false, null),
  ('studio_basic', 'studio.ai_job', null, false, null),
  ('studio_pro', 'studio.ai_job', null, false, null),
  ('studio_enterprise', 'studio.ai_job', null, false, null),
  ('tools_free', 'tools.purchase', null, false, null),
  ('tools_custom', 'tools.purchase', null, false, null),
  ('tools_starter', 'tools.purchase', null, false, null),
  ('tools_growth', 'tools.purchase', null, false, null),
  ('tools_elite', 'tools.purchase', null, false, null),
  ('tools_enterprise', 'tools.purchase', null, false, null),
  -- tools.usage: one unit = 0.01 USD of a USAGE_BASED tool's per-use price, none included
  ('tools_free', 'tools.usage', 0, true, 0.01),
  ('tools_custom', 'tools.usage', 0, true, 0.01),
  ('tools_starter', 'tools.usage', 0, true, 0.01),
  ('tools_growth', 'tools.usage', 0, true, 0.01),
  ('tools_elite', 'tools.usage', 0, true, 0.01),
  ('tools_enterprise', 'tools.usage', 0, true, 0.01),
  ('reports_free', 'reports.market_report', 5, false, null),
  ('reports_free', 'reports.property_report', 3, false, null),
  ('reports_free', 'reports.sms', 0, false, null),
  ('reports_solo', 'reports.market_report', 50, true, 0.50),
  ('reports_solo', 'reports.property_report', 20, true, 1.00),
  ('reports_solo', 'reports.sms', 50, false, null),
  ('reports_team', 'reports.market_report', 250, true, 0.40),
  ('reports_team', 'reports.property_report', 100, true, 0.80),
  ('reports_team', 'reports.sms', 250, false, null),
  ('reports_affiliate', 'reports.market_report', null, false, null),
  ('reports_affiliate', 'reports.property_report', null, false, null),
  ('reports_affiliate', 'reports.sms', 1000, false, null)
) as e (plan_code, feature, quota, overage_allowed, overage_unit_price)
join public.plans p on p.code = e.plan_code
on conflict (plan_id, feature) do update set
  quota = excluded.quota, overage_allowed = excluded.overage_allowed, overage_unit_price = excluded.overage_unit_price;

-- ------------------------------------------------------------ credit packs
insert into public.credit_packs (product, code, name, pool, credits, price, currency, stripe_price_id)
values
  ('studio', 'studio_credits_100', '100 Studio credits', 'credits', 100, 149.00, 'ZAR', null),
  ('studio', 'studio_credits_500', '500 Studio credits', 'credits', 500, 599.00, 'ZAR', null),
  ('tools', 'tools_credits_1000', '1,000 platform credits', 'credits', 1000, 10.00, 'USD', 'price_tools_credits_1000'),
  ('tools', 'tools_credits_5000', '5,000 platform credits', 'credits', 5000, 45.00, 'USD', 'price_tools_credits_5000'),
  ('reports', 'reports_sms_500', '500 SMS credits', 'sms', 500, 15.00, 'USD', 'price_reports_sms_500')
on conflict (code) do update set
  name = excluded.name, pool = excluded.pool, credits = excluded.credits, price = excluded.price,
  currency = excluded.currency, stripe_price_id = excluded.stripe_price_id;

-- ------------------------------------------------------------ studio
-- Studio (seed 002) AI job prices: credits per job by type, service and
-- model; api_cost_estimate is the provider's list price in USD. The default
-- row per type and service is used when a request names no model.
insert into studio.job_prices (job_type, service, model, credits, api_cost_estimate, is_default, description)
values
  ('photo_edit', 'nano_banana', 'gemini-2.5-flash-image', 5, 0.0390, true, 'Google Gemini 2.5 Flash Image ("nano banana") edit'),
  ('photo_edit', 'replicate', 'black-forest-labs/flux-kontext-pro', 6, 0.0400, true, 'FLUX.1 Kontext [pro] on Replicate'),
  ('photo_edit', 'qwen', 'qwen-image-edit', 4, 0.0300, true, 'Qwen-Image-Edit on Alibaba Model Studio'),
  ('video', 'replicate', 'minimax/video-01', 40, 0.5000, true, 'MiniMax Video-01 on Replicate (first frame + prompt)'),
  ('video', 'qwen', 'wan2.2-i2v-flash', 30, 0.2000, true, 'Wan 2.2 image-to-video on Alibaba Model Studio'),
  ('template', 'nano_banana', 'gemini-2.5-flash-image', 3, 0.0390, true, 'Listing graphic with Gemini 2.5 Flash Image'),
  ('template', 'replicate', 'black-forest-labs/flux-schnell', 2, 0.0030, true, 'FLUX.1 [schnell] on Replicate'),
  ('template', 'qwen', 'qwen-image', 3, 0.0350, true, 'Qwen-Image on Alibaba Model Studio')
on conflict (job_type, service, model) do update set
  credits = excluded.credits, api_cost_estimate = excluded.api_cost_estimate, is_default = excluded.is_default,
  description = excluded.description, active = true;
