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
  ('reports_affiliate', 'reports.sms', 1000, false, null),
  -- reports.api_call: every call of the api function, metered, unlimited
  ('reports_free', 'reports.api_call', null, false, null),
  ('reports_solo', 'reports.api_call', null, false, null),
  ('reports_team', 'reports.api_call', null, false, null),
  ('reports_affiliate', 'reports.api_call', null, false, null)
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

-- ------------------------------------------------------------ tools
-- Tools (seed 003) marketplace catalogue: the seed's 54 tools by its
-- numbering (tool N has id 00000000-0000-4000-a003-0000000000NN) and its five
-- bundles (bundle K: 00000000-0000-4000-b003-00000000000K). docs/tools.md
-- ("Catalogue") gives the category choices the seed's mapping leaves open and
-- the pricing rule. One transaction, because a bundle's price is checked
-- against its tools at commit: tools, bundles and items land together, then
-- each bundle's price and tier are set from its tools by the same rule the
-- database checks. Rows are only rewritten when something changed, so
-- reloading leaves the audit log alone.
begin;

insert into tools.marketplace_tools as t (id, name, description, category, price_model, price_amount, required_tier,
  integration_type, provider, status, is_featured, is_popular, tags, features)
select ('00000000-0000-4000-a003-0000000000' || lpad(v.n::text, 2, '0'))::uuid, v.name, v.description,
       v.category::tools.tool_category, v.price_model::tools.price_model, v.price_amount, v.required_tier::tools.subscription_tier,
       v.integration_type::tools.integration_type, v.provider, v.status::tools.tool_status, v.is_featured, v.is_popular,
       v.tags, v.features::jsonb
from (values
  -- n, name, description, category, price model, price (USD; per use for USAGE_BASED, per period for MONTHLY/ANNUAL),
  -- required tier, integration, provider, status, featured, popular, tags, features
  (1, 'Lead Generation Agent', '24/7 lead capture system that answers, qualifies and routes new enquiries.', 'LEAD_GENERATION', 'ONE_TIME', 149.00, 'CUSTOM', 'N8N_WORKFLOW', 'Internal', 'ACTIVE', true, true,
   array['leads', 'capture', 'ai-agent'], '["24/7 capture from web, SMS and social", "Instant qualification questions", "Routing to the right agent"]'),
  (2, 'Lead Scoring Engine', 'AI prospect enrichment and scoring so agents call the hottest leads first.', 'LEAD_GENERATION', 'ONE_TIME', 99.00, 'STARTER', 'API', 'Internal', 'ACTIVE', false, true,
   array['leads', 'scoring'], '["Prospect enrichment", "Behavioural scoring", "Daily hot-lead list"]'),
  (3, 'Lead Source Analysis', 'Tracks where every lead came from and which sources convert.', 'LEAD_GENERATION', 'ONE_TIME', 49.00, 'CUSTOM', 'NATIVE', 'Internal', 'ACTIVE', false, false,
   array['leads', 'attribution'], '["Origin tracking per lead", "Conversion by source", "Cost per lead by channel"]'),
  (4, 'Lead Capture Summary Generator', 'Summarises each captured lead into a short brief for the agent.', 'LEAD_GENERATION', 'USAGE_BASED', 0.25, 'CUSTOM', 'NATIVE', 'Internal', 'ACTIVE', false, false,
   array['leads', 'summaries'], '["One-paragraph lead brief", "Key needs and budget highlighted", "Billed per summary"]'),
  (5, 'Multi-Touch Campaign Engine', 'Nurturing sequences across email, SMS and social.', 'LEAD_NURTURING', 'MONTHLY', 39.00, 'STARTER', 'N8N_WORKFLOW', 'Internal', 'ACTIVE', false, true,
   array['nurturing', 'campaigns'], '["Multi-channel sequences", "Behaviour-triggered steps", "A/B tested messages"]'),
  (6, 'Client Communication Preferences Tracker', 'Remembers how and when each client wants to be contacted.', 'LEAD_NURTURING', 'ONE_TIME', 29.00, 'CUSTOM', 'NATIVE', 'Internal', 'ACTIVE', false, false,
   array['nurturing', 'preferences'], '["Preferred channel and hours", "Opt-out handling", "Shared with every tool"]'),
  (7, 'Budget Range Prediction Tool', 'Predicts a buyer''s realistic budget range from income and debt-to-income analysis.', 'LEAD_NURTURING', 'ONE_TIME', 79.00, 'GROWTH', 'API', 'Internal', 'ACTIVE', false, false,
   array['qualification', 'budget'], '["DTI analysis", "Budget range with confidence", "Affordability notes for the agent"]'),
  (8, 'Client Pre-Qualification System', 'Pre-qualifies buyers before the first showing.', 'LEAD_NURTURING', 'ONE_TIME', 129.00, 'GROWTH', 'API', 'Internal', 'ACTIVE', false, false,
   array['qualification'], '["Guided pre-qualification", "Lender-ready summary", "Status on the lead record"]'),
  (9, 'Listing Description Generator', 'SEO copywriting for listings in the agent''s voice.', 'LISTING_OPTIMIZATION', 'USAGE_BASED', 0.50, 'CUSTOM', 'API', 'Internal', 'ACTIVE', false, true,
   array['listings', 'copywriting', 'seo'], '["SEO-optimised descriptions", "Tone matching", "Billed per description"]'),
  (10, 'Property Photo Enhancement', 'AI image optimisation: light, colour and sky for listing photos.', 'LISTING_OPTIMIZATION', 'USAGE_BASED', 0.75, 'CUSTOM', 'API', 'Internal', 'ACTIVE', false, false,
   array['listings', 'photos'], '["HDR and colour correction", "Sky replacement", "Billed per photo"]'),
  (11, 'Virtual Staging AI', 'Places furniture in empty rooms for listing photos.', 'LISTING_OPTIMIZATION', 'USAGE_BASED', 2.00, 'STARTER', 'API', 'Internal', 'BETA', true, false,
   array['listings', 'staging'], '["Furniture placement by style", "Before/after pairs", "Billed per staged photo"]'),
  (12, 'Property Alert System', 'New-listing notifications matched to each buyer''s search.', 'PROPERTY_SHOPPING', 'ONE_TIME', 59.00, 'CUSTOM', 'WEBHOOK', 'Internal', 'ACTIVE', false, false,
   array['buyers', 'alerts'], '["Instant new-listing alerts", "Price-drop alerts", "Email, SMS or webhook"]'),
  (13, 'Property Comparison Engine', 'Side-by-side comparison of shortlisted homes.', 'PROPERTY_SHOPPING', 'ONE_TIME', 89.00, 'STARTER', 'EMBED', 'Internal', 'ACTIVE', false, false,
   array['buyers', 'comparison'], '["Side-by-side features and costs", "Shareable comparison page", "Embeddable widget"]'),
  (14, 'Virtual Tour Coordination', 'Schedules and hosts live virtual tours.', 'PROPERTY_SHOPPING', 'ONE_TIME', 119.00, 'GROWTH', 'STANDALONE', 'Internal', 'ACTIVE', false, false,
   array['buyers', 'tours'], '["Tour scheduling", "Hosted live video tours", "Recorded tour links"]'),
  (15, 'Property Matching Algorithm', 'Matches buyers to homes from their stated and observed preferences.', 'PROPERTY_SHOPPING', 'ONE_TIME', 149.00, 'GROWTH', 'API', 'Internal', 'ACTIVE', false, false,
   array['buyers', 'matching'], '["Preference learning", "Match scores per listing", "Daily match digest"]'),
  (16, 'Automated CMA Generator', 'Comparative market analyses in minutes.', 'MARKET_INTELLIGENCE', 'USAGE_BASED', 1.50, 'STARTER', 'NATIVE', 'Internal', 'ACTIVE', true, true,
   array['market', 'cma'], '["Comparable selection and adjustments", "Branded PDF report", "Billed per CMA"]'),
  (17, 'Predictive Analytics Engine', 'Price forecasting for neighbourhoods and property types.', 'MARKET_INTELLIGENCE', 'ONE_TIME', 249.00, 'ELITE', 'API', 'Internal', 'ACTIVE', false, false,
   array['market', 'forecasting'], '["12-month price forecasts", "Demand indicators", "Forecast confidence bands"]'),
  (18, 'Risk Assessment AI', 'Depreciation and risk scoring for a property.', 'MARKET_INTELLIGENCE', 'ONE_TIME', 179.00, 'GROWTH', 'API', 'Internal', 'ACTIVE', false, false,
   array['market', 'risk'], '["Depreciation scoring", "Flood and hazard flags", "Risk summary per property"]'),
  (19, 'Market Data Integration', 'Real-time market trends from MLS and public records.', 'MARKET_INTELLIGENCE', 'MONTHLY', 29.00, 'STARTER', 'API', 'MLS data partners', 'ACTIVE', false, false,
   array['market', 'data', 'mls'], '["Real-time trend feeds", "Days-on-market and absorption", "Public-record sync"]'),
  (20, 'Investment Property Analyzer', 'ROI, cash flow and cap rate for investment properties.', 'INVESTMENT_ANALYSIS', 'ONE_TIME', 129.00, 'GROWTH', 'STANDALONE', 'Internal', 'ACTIVE', false, false,
   array['investment', 'roi'], '["ROI and cap rate", "Cash-flow projections", "Scenario comparison"]'),
  (21, 'Portfolio Performance Tracker', 'Tracks an investor''s portfolio value and yield.', 'INVESTMENT_ANALYSIS', 'ANNUAL', 199.00, 'GROWTH', 'NATIVE', 'Internal', 'ACTIVE', false, false,
   array['investment', 'portfolio'], '["Portfolio valuation", "Yield and equity over time", "Quarterly investor report"]'),
  (22, 'Competitive Analysis Tool', 'Compares an agent''s listings and results with competitors.', 'MARKET_INTELLIGENCE', 'ONE_TIME', 99.00, 'STARTER', 'NATIVE', 'Internal', 'ACTIVE', false, false,
   array['market', 'competition'], '["Competitor listing share", "Price and speed comparison", "Monthly summary"]'),
  (23, 'Territory Management System', 'Plans and balances farming territories across a team.', 'MARKET_INTELLIGENCE', 'ONE_TIME', 199.00, 'ELITE', 'STANDALONE', 'Internal', 'ACTIVE', false, false,
   array['market', 'territory'], '["Territory maps", "Coverage and opportunity per area", "Team assignment"]'),
  (24, 'Contract Generation System', 'Contracts from auto-populated templates.', 'DOCUMENT_PROCESSING', 'ONE_TIME', 149.00, 'STARTER', 'NATIVE', 'Internal', 'ACTIVE', true, false,
   array['documents', 'contracts'], '["Auto-populated templates", "Clause library", "E-signature hand-off"]'),
  (25, 'Document Processing Automation', 'Extracts data from uploaded transaction documents.', 'DOCUMENT_PROCESSING', 'USAGE_BASED', 0.40, 'STARTER', 'API', 'Internal', 'ACTIVE', false, false,
   array['documents', 'extraction'], '["Data extraction from PDFs and scans", "Field validation", "Billed per document"]'),
  (26, 'Transaction Milestone Tracker', 'Keeps every deal''s milestones and deadlines in view.', 'DOCUMENT_PROCESSING', 'ONE_TIME', 69.00, 'CUSTOM', 'NATIVE', 'Internal', 'ACTIVE', false, false,
   array['transactions', 'milestones'], '["Milestone timeline per deal", "Deadline reminders", "Client status page"]'),
  (27, 'Compliance Monitor', 'Fair Housing and advertising compliance alerts.', 'DOCUMENT_PROCESSING', 'MONTHLY', 49.00, 'GROWTH', 'WEBHOOK', 'Internal', 'ACTIVE', false, false,
   array['compliance', 'fair-housing'], '["Fair Housing language alerts", "Disclosure checklist", "Audit trail"]'),
  (28, 'Commission Calculator', 'Automatic commission splits and fees.', 'COMMISSION_FINANCIAL', 'ONE_TIME', 39.00, 'CUSTOM', 'NATIVE', 'Internal', 'ACTIVE', false, true,
   array['commission', 'finance'], '["Split and fee rules", "Per-deal statements", "Year-to-date totals"]'),
  (29, 'Automated Financial Reporting', 'Monthly financial reports for agents and teams.', 'COMMISSION_FINANCIAL', 'ONE_TIME', 119.00, 'GROWTH', 'NATIVE', 'Internal', 'ACTIVE', false, false,
   array['finance', 'reports'], '["Monthly P&L", "Commission pipeline", "Export to accounting"]'),
  (30, 'Booking Agent', 'Books showings and appointments by chat, SMS or voice.', 'BOOKING_SCHEDULING', 'ONE_TIME', 99.00, 'CUSTOM', 'N8N_WORKFLOW', 'Internal', 'ACTIVE', false, false,
   array['booking', 'ai-agent'], '["Conversational booking", "Availability from the calendar", "Confirmation messages"]'),
  (31, 'Calendar Integration', 'Two-way calendar sync with reminders.', 'BOOKING_SCHEDULING', 'ONE_TIME', 29.00, 'CUSTOM', 'API', 'Internal', 'ACTIVE', false, false,
   array['calendar', 'reminders'], '["Google and Outlook sync", "Reminders before each appointment", "Team calendars"]'),
  (32, 'No-Show Prevention System', 'Confirms appointments and rebooks likely no-shows.', 'BOOKING_SCHEDULING', 'ONE_TIME', 59.00, 'STARTER', 'WEBHOOK', 'Internal', 'ACTIVE', false, false,
   array['booking', 'no-shows'], '["Confirmation requests", "No-show risk score", "Automatic rebooking offers"]'),
  (33, 'Script Generator', 'Call scripts tailored to the lead and situation.', 'COMMUNICATION', 'USAGE_BASED', 0.20, 'CUSTOM', 'NATIVE', 'Internal', 'ACTIVE', false, false,
   array['communication', 'scripts'], '["Situation-specific call scripts", "Objection handling", "Billed per script"]'),
  (34, 'Email Template Engine', 'Personalised email templates for every stage of a deal.', 'COMMUNICATION', 'ONE_TIME', 49.00, 'CUSTOM', 'NATIVE', 'Internal', 'ACTIVE', false, false,
   array['communication', 'email'], '["Template library", "Merge fields from the CRM", "Brand styling"]'),
  (35, 'Review Management System', 'Requests, monitors and answers client reviews.', 'COMMUNICATION', 'ONE_TIME', 45.00, 'STARTER', 'WEBHOOK', 'Internal', 'ACTIVE', false, false,
   array['communication', 'reviews'], '["Review requests after closing", "Monitoring across sites", "Suggested replies"]'),
  (36, 'Contact Activity Feed AI', 'One feed of every touch with a contact, summarised.', 'CRM_TOOLS', 'ONE_TIME', 69.00, 'STARTER', 'NATIVE', 'Internal', 'ACTIVE', false, false,
   array['crm', 'activity'], '["Unified activity feed", "AI summaries", "Next-step suggestions"]'),
  (37, 'Referral Network Manager', 'Tracks referral partners and the business they send.', 'CRM_TOOLS', 'ONE_TIME', 79.00, 'GROWTH', 'NATIVE', 'Internal', 'ACTIVE', false, false,
   array['crm', 'referrals'], '["Partner directory", "Referral tracking and fees", "Thank-you reminders"]'),
  (38, 'Client Lifecycle Tracker', 'Follows clients from first contact to past client and back.', 'CRM_TOOLS', 'ONE_TIME', 89.00, 'GROWTH', 'NATIVE', 'Internal', 'ACTIVE', false, false,
   array['crm', 'lifecycle'], '["Lifecycle stages", "Anniversary and move-up prompts", "Stage reports"]'),
  (39, 'Appointment Reminder System', 'Reminders for clients and agents before appointments.', 'CRM_TOOLS', 'ONE_TIME', 35.00, 'CUSTOM', 'WEBHOOK', 'Internal', 'ACTIVE', false, false,
   array['crm', 'reminders'], '["SMS and email reminders", "Custom lead times", "Reply-to-confirm"]'),
  (40, 'Transaction Analytics Dashboard', 'Pipeline, volume and cycle-time analytics for transactions.', 'ANALYTICS_TOOLS', 'ONE_TIME', 149.00, 'GROWTH', 'EMBED', 'Internal', 'ACTIVE', false, false,
   array['analytics', 'transactions'], '["Pipeline and volume charts", "Cycle time by stage", "Embeddable dashboard"]'),
  (41, 'Agent Performance Tracker', 'Performance metrics per agent for team leaders.', 'ANALYTICS_TOOLS', 'ONE_TIME', 129.00, 'ELITE', 'EMBED', 'Internal', 'ACTIVE', false, false,
   array['analytics', 'agents'], '["Per-agent KPIs", "Leaderboards", "Coaching insights"]'),
  (42, 'Mortgage Lender Integration', 'Connects deals to partner lenders; priced per brokerage.', 'INTEGRATION_TOOLS', 'CUSTOM', 0, 'ELITE', 'API', 'Lender partner network', 'ACTIVE', false, false,
   array['integration', 'mortgage'], '["Lender hand-off from the deal", "Rate and approval status sync", "Custom terms per brokerage"]'),
  (43, 'AI Property Valuation (AVM)', 'Automated valuation model for instant estimates.', 'MARKET_INTELLIGENCE', 'USAGE_BASED', 1.00, 'STARTER', 'API', 'Internal', 'ACTIVE', true, false,
   array['valuation', 'avm'], '["Instant value estimate", "Confidence range", "Billed per valuation"]'),
  (44, 'Neighborhood Intelligence', 'Schools, amenities, safety and trends for any neighbourhood.', 'MARKET_INTELLIGENCE', 'ONE_TIME', 99.00, 'STARTER', 'EMBED', 'Internal', 'ACTIVE', false, false,
   array['market', 'neighbourhood'], '["School and amenity scores", "Local trend charts", "Embeddable area guide"]'),
  (45, 'Expense Tracker AI', 'Captures and categorises business expenses from receipts.', 'COMMISSION_FINANCIAL', 'ONE_TIME', 49.00, 'CUSTOM', 'NATIVE', 'Internal', 'ACTIVE', false, false,
   array['finance', 'expenses'], '["Receipt capture", "Automatic categories", "Mileage log"]'),
  (46, 'Tax Optimization Planner', 'Plans deductions and quarterly estimates for agents.', 'COMMISSION_FINANCIAL', 'ANNUAL', 149.00, 'GROWTH', 'STANDALONE', 'Internal', 'COMING_SOON', false, false,
   array['finance', 'tax'], '["Deduction finder", "Quarterly estimate planner", "Year-end summary"]'),
  (47, 'QuickBooks Integration', 'Syncs commissions and expenses with QuickBooks.', 'INTEGRATION_TOOLS', 'ANNUAL', 99.00, 'STARTER', 'API', 'Intuit QuickBooks', 'ACTIVE', false, false,
   array['integration', 'accounting'], '["Two-way QuickBooks sync", "Commission and expense mapping", "Reconciliation report"]'),
  (48, 'Social Media Auto-Posting', 'Posts listings and milestones to social channels on a schedule.', 'AUTOMATION_TOOLS', 'MONTHLY', 19.00, 'CUSTOM', 'N8N_WORKFLOW', 'Internal', 'ACTIVE', false, true,
   array['automation', 'social'], '["Scheduled posts", "Listing and just-sold templates", "Multi-network publishing"]'),
  (49, 'Marketing Automation Engine', 'Automates marketing workflows across channels.', 'AUTOMATION_TOOLS', 'ONE_TIME', 179.00, 'GROWTH', 'N8N_WORKFLOW', 'Internal', 'ACTIVE', false, false,
   array['automation', 'marketing'], '["Visual workflow builder", "Audience segments", "Trigger-based campaigns"]'),
  (50, 'Campaign ROI Tracker', 'Measures return on every marketing campaign.', 'ANALYTICS_TOOLS', 'ONE_TIME', 79.00, 'GROWTH', 'EMBED', 'Internal', 'ACTIVE', false, false,
   array['analytics', 'marketing'], '["Spend and revenue per campaign", "Attribution to closed deals", "ROI dashboard"]'),
  (51, 'Listing Engagement Monitor', 'Views, saves and enquiries per listing, across portals.', 'ANALYTICS_TOOLS', 'ONE_TIME', 59.00, 'STARTER', 'WEBHOOK', 'Internal', 'ACTIVE', false, false,
   array['analytics', 'listings'], '["Portal engagement stats", "Seller-ready weekly report", "Engagement alerts"]'),
  (52, 'Sai Universal Assistant', 'The platform assistant, included in every tier.', 'AUTOMATION_TOOLS', 'FREE', 0, 'FREE', 'NATIVE', 'Internal', 'ACTIVE', true, true,
   array['assistant', 'included'], '["Ask anything about your business", "Works across every module", "Included in all tiers"]'),
  (53, 'RAG System', 'Answers from your own documents and data, included from GROWTH up.', 'AUTOMATION_TOOLS', 'FREE', 0, 'GROWTH', 'NATIVE', 'Internal', 'ACTIVE', false, false,
   array['rag', 'knowledge', 'included'], '["Search over your documents", "Cited answers", "Included from GROWTH"]'),
  (54, 'AI Hub Management', 'Manages the account''s AI tools, agents and usage, included from GROWTH up.', 'AUTOMATION_TOOLS', 'FREE', 0, 'GROWTH', 'NATIVE', 'Internal', 'ACTIVE', false, false,
   array['ai-hub', 'included'], '["One place for every AI tool", "Usage and cost overview", "Included from GROWTH"]')
) as v (n, name, description, category, price_model, price_amount, required_tier, integration_type, provider, status,
        is_featured, is_popular, tags, features)
on conflict (id) do update set
  name = excluded.name, description = excluded.description, category = excluded.category,
  price_model = excluded.price_model, price_amount = excluded.price_amount, required_tier = excluded.required_tier,
  integration_type = excluded.integration_type, provider = excluded.provider, status = excluded.status,
  is_featured = excluded.is_featured, is_popular = excluded.is_popular, tags = excluded.tags, features = excluded.features
where (t.name, t.description, t.category, t.price_model, t.price_amount, t.required_tier, t.integration_type, t.provider,
       t.status, t.is_featured, t.is_popular, t.tags, t.features)
  is distinct from (excluded.name, excluded.description, excluded.category, excluded.price_model, excluded.price_amount,
       excluded.required_tier, excluded.integration_type, excluded.provider, excluded.status, excluded.is_featured,
       excluded.is_popular, excluded.tags, excluded.features);

-- Price and tier start as placeholders for a new bundle and are set below.
insert into tools.marketplace_bundles as b (id, name, description, price_amount, discount_percent, required_tier, status, is_featured, is_popular)
select ('00000000-0000-4000-b003-00000000000' || v.k)::uuid, v.name, v.description, 0, v.discount_percent, 'FREE', 'ACTIVE',
       v.is_featured, v.is_popular
from (values
  (1, 'Lead Generation Pro Bundle', 'Everything to capture, qualify and nurture leads (tools 1-8).', 20, false, true),
  (2, 'Listing Domination Bundle', 'Listing copy, photos, staging and buyer matching (tools 9-15).', 25, true, false),
  (3, 'Market Intelligence Bundle', 'CMAs, forecasting, risk and investment analysis (tools 16-23).', 25, false, false),
  (4, 'Transaction Management Bundle', 'Contracts, documents, milestones, compliance and commissions (tools 24-29).', 15, false, false),
  (5, 'Complete Real Estate Suite', 'Every tool in the marketplace (tools 1-54).', 35, true, true)
) as v (k, name, description, discount_percent, is_featured, is_popular)
on conflict (id) do update set
  name = excluded.name, description = excluded.description, discount_percent = excluded.discount_percent,
  status = excluded.status, is_featured = excluded.is_featured, is_popular = excluded.is_popular
where (b.name, b.description, b.discount_percent, b.status, b.is_featured, b.is_popular)
  is distinct from (excluded.name, excluded.description, excluded.discount_percent, excluded.status,
                    excluded.is_featured, excluded.is_popular);

-- Bundle K holds the seed's tool range, position 1.. in the seed's order.
create temporary table seed_bundle_items on commit drop as
select ('00000000-0000-4000-b003-00000000000' || r.k)::uuid as bundle_id,
       ('00000000-0000-4000-a003-0000000000' || lpad(n::text, 2, '0'))::uuid as tool_id,
       n - r.first_tool + 1 as position
from (values (1, 1, 8), (2, 9, 15), (3, 16, 23), (4, 24, 29), (5, 1, 54)) as r (k, first_tool, last_tool),
     generate_series(r.first_tool, r.last_tool) as n;

delete from tools.marketplace_bundle_items i
where i.bundle_id in (select distinct s.bundle_id from seed_bundle_items s)
  and (i.bundle_id, i.tool_id) not in (select s.bundle_id, s.tool_id from seed_bundle_items s);

insert into tools.marketplace_bundle_items as i (bundle_id, tool_id, position)
select s.bundle_id, s.tool_id, s.position from seed_bundle_items s
on conflict (bundle_id, tool_id) do update set position = excluded.position
where i.position is distinct from excluded.position;

-- Each bundle's price and tier from its tools (the rule 20261201007100 checks).
update tools.marketplace_bundles b set
  price_amount = private.tools_bundle_expected_price(b.id),
  required_tier = (select max(t.required_tier) from tools.marketplace_bundle_items i
                   join tools.marketplace_tools t on t.id = i.tool_id where i.bundle_id = b.id)
where b.id in (select distinct s.bundle_id from seed_bundle_items s)
  and (b.price_amount, b.required_tier) is distinct from (
    private.tools_bundle_expected_price(b.id),
    (select max(t.required_tier) from tools.marketplace_bundle_items i
     join tools.marketplace_tools t on t.id = i.tool_id where i.bundle_id = b.id));

commit;
