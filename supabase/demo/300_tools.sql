-- Demo Tools marketplace (seed 003), loaded after 000_platform.sql and
-- 010_billing.sql: accounts on tools plans of different tiers, purchases of
-- tools and bundles in several states and by every payment method, cart
-- lines, reviews in every moderation state with helpful votes and reports,
-- and demo credits for alice to buy a bundle (docs/tools.md "Try it").
--
--   account              tools plan      owns
--   Alice (personal)     ENTERPRISE      nothing yet: 2,000,000+ credits to buy a bundle with
--   Acme Realty          ELITE           bundle 1 (credits), a tool (card), a monthly tool (card)
--   Harbor Homes         STARTER         a tool on invoice (PENDING), a refunded tool (ACH)
--   Northwind Mortgage   GROWTH          bundle 2 (invoice, paid), an expired annual tool, a failed card payment
--   Heidi (personal)     CUSTOM          a cancelled tool
--   Carol (personal)     none (FREE)     a usage-based tool with recorded use
--
-- Purchases are inserted as the table owner with their final payment state
-- (the checkout paths are exercised by the tests); tools are chosen by
-- their price model and tier from the catalogue, so the file keeps working
-- when supabase/seed.sql changes its prices. Cart lines and reviews go
-- through the tables' own rules (triggers), and moderation through
-- tools.moderate_review as the demo platform admin ivan.

begin;

-- ------------------------------------------------------------ plans, credits, purchases
do $$
declare
  alice constant uuid := '00000000-0000-4000-8000-000000000001';
  bob constant uuid := '00000000-0000-4000-8000-000000000002';
  carol constant uuid := '00000000-0000-4000-8000-000000000003';
  dave constant uuid := '00000000-0000-4000-8000-000000000004';
  erin constant uuid := '00000000-0000-4000-8000-000000000005';
  grace constant uuid := '00000000-0000-4000-8000-000000000007';
  heidi constant uuid := '00000000-0000-4000-8000-000000000008';
  acme constant uuid := '10000000-0000-4000-8000-000000000001';
  harbor constant uuid := '10000000-0000-4000-8000-000000000002';
  northwind constant uuid := '10000000-0000-4000-8000-000000000003';
  bundle1 constant uuid := '00000000-0000-4000-b003-000000000001';
  bundle2 constant uuid := '00000000-0000-4000-b003-000000000002';
  v_bundle tools.marketplace_bundles;
  v_tool tools.marketplace_tools;
  v_purchase uuid;
  v_credits integer;
begin
  -- Tools plans at different tiers (the account's tier is its live tools plan).
  perform private.billing_upsert_subscription('stripe', 'sub_demo_tools_alice', alice,
    (select id from public.plans where code = 'tools_enterprise'), 'active', now() - interval '1 day', 'month',
    now() - interval '3 days', now() + interval '27 days', false, 'cus_demo_alice');
  perform private.billing_upsert_subscription('stripe', 'sub_demo_tools_acme', acme,
    (select id from public.plans where code = 'tools_elite'), 'active', now() - interval '1 day', 'year',
    now() - interval '40 days', now() + interval '325 days', false, 'cus_demo_acme');
  perform private.billing_upsert_subscription('stripe', 'sub_demo_tools_harbor', harbor,
    (select id from public.plans where code = 'tools_starter'), 'active', now() - interval '1 day', 'month',
    now() - interval '12 days', now() + interval '18 days', false, 'cus_demo_harbor');
  perform private.billing_upsert_subscription('stripe', 'sub_demo_tools_northwind', northwind,
    (select id from public.plans where code = 'tools_growth'), 'active', now() - interval '1 day', 'month',
    now() - interval '6 days', now() + interval '24 days', false, 'cus_demo_northwind');
  perform private.billing_upsert_subscription('stripe', 'sub_demo_tools_heidi', heidi,
    (select id from public.plans where code = 'tools_custom'), 'active', now() - interval '1 day', 'month',
    now() - interval '2 days', now() + interval '28 days', false, 'cus_demo_heidi');

  -- Alice's demo credits: enough for the dearest bundle (1 credit = 0.01 USD).
  select greatest(2000000, ceil(max(price_amount) * 100)::int + 10000) into v_credits from tools.marketplace_bundles;
  perform private.credit_apply(alice, 'credits', v_credits, 'grant', 'demo-grant-alice-tools',
    'demo credits for the Tools marketplace');

  -- Acme: bundle 1 paid with credits (granted, then debited as checkout does).
  select * into v_bundle from tools.marketplace_bundles where id = bundle1;
  insert into tools.marketplace_purchases (organization_id, user_id, bundle_id, purchase_type, amount, currency,
    payment_method, payment_status, status, activated_at, purchase_date)
  values (acme, alice, bundle1, 'BUNDLE', v_bundle.price_amount, v_bundle.currency, 'PLATFORM_CREDITS', 'COMPLETED',
    'ACTIVE', now() - interval '20 days', now() - interval '20 days')
  returning id into v_purchase;
  if v_bundle.price_amount > 0 then
    perform private.credit_apply(acme, 'credits', (v_bundle.price_amount * 100)::int, 'grant', 'demo-grant-acme-tools',
      'demo credits for the Tools marketplace');
    perform private.credit_apply(acme, 'credits', -(v_bundle.price_amount * 100)::int, 'usage', 'demo-tools-' || v_purchase,
      'Tools: ' || v_bundle.name, null, null, null, v_purchase::text);
  end if;

  -- Acme: a one-time tool outside bundle 1, by card.
  select t.* into v_tool from tools.marketplace_tools t
  where t.price_model = 'ONE_TIME' and t.required_tier <= 'ELITE'
    and not exists (select 1 from tools.marketplace_bundle_items i where i.bundle_id = bundle1 and i.tool_id = t.id)
  order by t.id limit 1;
  insert into tools.marketplace_purchases (organization_id, user_id, tool_id, purchase_type, amount, currency,
    payment_method, payment_status, stripe_payment_id, stripe_invoice_id, status, activated_at, purchase_date)
  values (acme, bob, v_tool.id, 'TOOL', v_tool.price_amount, v_tool.currency, 'CREDIT_CARD', 'COMPLETED',
    'pi_demo_tools_acme_1:1', null, 'ACTIVE', now() - interval '9 days', now() - interval '9 days');

  -- Acme: a monthly tool outside bundle 1, by card: one period, no auto-renewal.
  select t.* into v_tool from tools.marketplace_tools t
  where t.price_model = 'MONTHLY' and t.required_tier <= 'ELITE'
    and not exists (select 1 from tools.marketplace_bundle_items i where i.bundle_id = bundle1 and i.tool_id = t.id)
  order by t.id limit 1;
  if found then
    insert into tools.marketplace_purchases (organization_id, user_id, tool_id, purchase_type, amount, currency,
      payment_method, payment_status, stripe_payment_id, stripe_invoice_id, is_subscription, subscription_start,
      subscription_end, auto_renew, status, activated_at, purchase_date)
    values (acme, alice, v_tool.id, 'TOOL', v_tool.price_amount, v_tool.currency, 'CREDIT_CARD', 'COMPLETED',
      'pi_demo_tools_acme_2:1', 'in_demo_tools_acme_2', true, now() - interval '10 days', now() + interval '20 days', false,
      'ACTIVE', now() - interval '10 days', now() - interval '10 days');
  end if;

  -- Harbor: a tool on invoice, unpaid (PENDING until a platform admin marks it paid).
  select t.* into v_tool from tools.marketplace_tools t
  where t.price_model = 'ONE_TIME' and t.required_tier <= 'STARTER' order by t.id limit 1;
  insert into tools.marketplace_purchases (organization_id, user_id, tool_id, purchase_type, amount, currency,
    payment_method, payment_status, status, purchase_date)
  values (harbor, dave, v_tool.id, 'TOOL', v_tool.price_amount, v_tool.currency, 'INVOICE', 'PENDING', 'ACTIVE',
    now() - interval '2 days');

  -- Harbor: a tool paid by ACH and refunded (access ended).
  select t.* into v_tool from tools.marketplace_tools t
  where t.price_model = 'ONE_TIME' and t.required_tier <= 'STARTER' order by t.id offset 1 limit 1;
  insert into tools.marketplace_purchases (organization_id, user_id, tool_id, purchase_type, amount, currency,
    payment_method, payment_status, stripe_payment_id, status, activated_at, refunded_at, purchase_date)
  values (harbor, erin, v_tool.id, 'TOOL', v_tool.price_amount, v_tool.currency, 'ACH', 'REFUNDED',
    'pi_demo_tools_harbor_1:1', 'REFUNDED', now() - interval '15 days', now() - interval '11 days', now() - interval '15 days');

  -- Northwind: bundle 2 on invoice, paid.
  select * into v_bundle from tools.marketplace_bundles where id = bundle2;
  insert into tools.marketplace_purchases (organization_id, user_id, bundle_id, purchase_type, amount, currency,
    payment_method, payment_status, status, activated_at, purchase_date)
  values (northwind, grace, bundle2, 'BUNDLE', v_bundle.price_amount, v_bundle.currency, 'INVOICE', 'COMPLETED', 'ACTIVE',
    now() - interval '25 days', now() - interval '30 days');

  -- Northwind: an annual tool whose year ran out (EXPIRED), and a card payment that failed.
  select t.* into v_tool from tools.marketplace_tools t
  where t.price_model in ('ANNUAL', 'MONTHLY') order by t.price_model desc, t.id limit 1;
  if found then
    insert into tools.marketplace_purchases (organization_id, user_id, tool_id, purchase_type, amount, currency,
      payment_method, payment_status, stripe_payment_id, is_subscription, subscription_start, subscription_end,
      auto_renew, status, activated_at, purchase_date)
    values (northwind, grace, v_tool.id, 'TOOL', v_tool.price_amount, v_tool.currency, 'CREDIT_CARD', 'COMPLETED',
      'pi_demo_tools_northwind_1:1', true, now() - interval '400 days', now() - interval '35 days', false, 'EXPIRED',
      now() - interval '400 days', now() - interval '400 days');
  end if;
  select t.* into v_tool from tools.marketplace_tools t
  where t.price_model = 'ONE_TIME' and t.required_tier <= 'GROWTH' order by t.id desc limit 1;
  insert into tools.marketplace_purchases (organization_id, user_id, tool_id, purchase_type, amount, currency,
    payment_method, payment_status, stripe_payment_id, status, cancelled_at, purchase_date)
  values (northwind, grace, v_tool.id, 'TOOL', v_tool.price_amount, v_tool.currency, 'CREDIT_CARD', 'FAILED',
    'pi_demo_tools_northwind_2:1', 'CANCELLED', now() - interval '4 days', now() - interval '4 days');

  -- Heidi: a tool bought with credits and cancelled.
  select t.* into v_tool from tools.marketplace_tools t
  where t.price_model = 'ONE_TIME' and t.required_tier <= 'CUSTOM' order by t.id limit 1;
  if not found then
    select t.* into v_tool from tools.marketplace_tools t where t.price_model = 'ONE_TIME' order by t.id limit 1;
  end if;
  insert into tools.marketplace_purchases (organization_id, user_id, tool_id, purchase_type, amount, currency,
    payment_method, payment_status, stripe_payment_id, status, activated_at, cancelled_at, purchase_date)
  values (heidi, heidi, v_tool.id, 'TOOL', v_tool.price_amount, v_tool.currency, 'CREDIT_CARD', 'COMPLETED',
    'pi_demo_tools_heidi_1:1', 'CANCELLED', now() - interval '50 days', now() - interval '5 days', now() - interval '50 days');

  -- Carol: a usage-based tool, used 17 times (each use metered as tools.usage).
  select t.* into v_tool from tools.marketplace_tools t where t.price_model = 'USAGE_BASED' order by t.id limit 1;
  if found then
    insert into tools.marketplace_purchases (organization_id, user_id, tool_id, purchase_type, amount, currency,
      payment_method, payment_status, stripe_payment_id, status, activated_at, usage_count, last_used_at, purchase_date)
    values (carol, carol, v_tool.id, 'TOOL', 0, v_tool.currency, 'CREDIT_CARD', 'COMPLETED', 'pi_demo_tools_carol_1:1',
      'ACTIVE', now() - interval '8 days', 17, now() - interval '3 hours', now() - interval '8 days');
  end if;
end
$$;

-- ------------------------------------------------------------ cart lines
-- Through the cart's own rules: each line is the first candidate the database
-- accepts (not owned, tier high enough, for sale), so a stricter rule only
-- moves the demo to another item.
do $$
declare
  lines constant jsonb := jsonb_build_array(
    -- account, user, kind
    jsonb_build_array('10000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', 'TOOL'),
    jsonb_build_array('10000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000003', 'TOOL'),
    jsonb_build_array('10000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000005', 'TOOL'),
    jsonb_build_array('10000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000007', 'BUNDLE'),
    jsonb_build_array('00000000-0000-4000-8000-000000000008', '00000000-0000-4000-8000-000000000008', 'TOOL'));
  line jsonb;
  v_account uuid;
  v_user uuid;
  v_item uuid;
  v_added boolean;
begin
  for line in select * from jsonb_array_elements(lines) loop
    v_account := (line ->> 0)::uuid;
    v_user := (line ->> 1)::uuid;
    v_added := false;
    for v_item in
      select t.id from tools.marketplace_tools t
      where line ->> 2 = 'TOOL' and t.status in ('ACTIVE', 'BETA') and t.price_model not in ('FREE', 'CUSTOM')
        and t.required_tier <= private.tools_account_tier(v_account)
        and not exists (select 1 from tools.marketplace_purchases p where p.organization_id = v_account and p.status = 'ACTIVE'
                          and (p.tool_id = t.id or p.bundle_id in (select i.bundle_id from tools.marketplace_bundle_items i where i.tool_id = t.id)))
        and not exists (select 1 from tools.marketplace_cart c where c.user_id = v_user and c.tool_id = t.id)
      union all
      select b.id from tools.marketplace_bundles b
      where line ->> 2 = 'BUNDLE' and b.status = 'ACTIVE' and b.required_tier <= private.tools_account_tier(v_account)
        and not exists (select 1 from tools.marketplace_purchases p where p.organization_id = v_account and p.bundle_id = b.id)
      order by 1 desc
      limit 20
    loop
      begin
        if line ->> 2 = 'TOOL' then
          insert into tools.marketplace_cart (organization_id, user_id, item_type, tool_id) values (v_account, v_user, 'TOOL', v_item);
        else
          insert into tools.marketplace_cart (organization_id, user_id, item_type, bundle_id) values (v_account, v_user, 'BUNDLE', v_item);
        end if;
        v_added := true;
        exit;
      exception when others then
        -- refused by a cart rule: try the next candidate
      end;
    end loop;
    if not v_added then
      raise notice 'demo: no % the cart accepts for user % in account %', line ->> 2, v_user, v_account;
    end if;
  end loop;
end
$$;

-- ------------------------------------------------------------ reviews, votes, reports, moderation
do $$
declare
  ivan constant uuid := '00000000-0000-4000-8000-000000000009';
  tool1 constant uuid := '00000000-0000-4000-a003-000000000001';
  tool2 constant uuid := '00000000-0000-4000-a003-000000000002';
  tool3 constant uuid := '00000000-0000-4000-a003-000000000003';
  tool9 constant uuid := '00000000-0000-4000-a003-000000000009';
  v_approved uuid;
  v_approved_2 uuid;
  v_rejected uuid;
  v_flagged uuid;
  v_pending uuid;
  v_edited uuid;
  v_id uuid;
  v_status tools.review_status;
  v_notes text;
begin
  insert into tools.marketplace_reviews (tool_id, organization_id, user_id, rating, title, review) values
    (tool1, '10000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000001', 5, 'Leads on autopilot',
     'Bundle 1 paid for itself in the first month.')
  returning id into v_approved;
  insert into tools.marketplace_reviews (tool_id, organization_id, user_id, rating, title, review) values
    (tool2, '10000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', 4, 'Solid',
     'Does what it says; setup took an afternoon.')
  returning id into v_approved_2;
  insert into tools.marketplace_reviews (tool_id, organization_id, user_id, rating, title, review) values
    (tool1, '10000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000004', 1, 'BUY MY COURSE',
     'Visit my site for a better tool!!!')
  returning id into v_rejected;
  insert into tools.marketplace_reviews (tool_id, organization_id, user_id, rating, title, review) values
    (tool3, '00000000-0000-4000-8000-000000000008', '00000000-0000-4000-8000-000000000008', 2, 'Meh',
     'Rude words the reporters did not like.')
  returning id into v_flagged;
  insert into tools.marketplace_reviews (tool_id, organization_id, user_id, rating, title, review) values
    (tool2, '10000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000005', 4, 'Waiting for moderation',
     'Written yesterday, not yet moderated.')
  returning id into v_pending;
  insert into tools.marketplace_reviews (tool_id, organization_id, user_id, rating, title, review) values
    (tool9, '10000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000007', 3, 'Good, then changed my mind',
     'Approved once; edited since, so it waits for moderation again.')
  returning id into v_edited;

  -- Moderation as ivan (a platform admin), through the RPC.
  perform set_config('request.jwt.claims', json_build_object('sub', ivan, 'role', 'authenticated')::text, true);
  for v_id, v_status, v_notes in
    select * from (values (v_approved, 'APPROVED'::tools.review_status, 'helpful detail'),
                          (v_approved_2, 'APPROVED', null),
                          (v_edited, 'APPROVED', null),
                          (v_rejected, 'REJECTED', 'promotional content')) m
  loop
    perform tools.moderate_review(v_id, v_status, v_notes);
  end loop;
  perform set_config('request.jwt.claims', '', true);

  -- The author's edit of an approved review sends it back to PENDING (the database does so).
  perform set_config('request.jwt.claims', json_build_object('sub', '00000000-0000-4000-8000-000000000007', 'role', 'authenticated')::text, true);
  update tools.marketplace_reviews set review = review || ' (edited)' where id = v_edited;
  perform set_config('request.jwt.claims', '', true);

  -- Helpful votes and reports (tables of their own; the counters follow).
  insert into tools.marketplace_review_votes (review_id, user_id)
  select v_approved, u from unnest(array['00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000006',
                                         '00000000-0000-4000-8000-000000000008']::uuid[]) u
  on conflict do nothing;
  insert into tools.marketplace_review_votes (review_id, user_id)
  values (v_approved_2, '00000000-0000-4000-8000-000000000001') on conflict do nothing;
  -- Three distinct reporters: the threshold that sends a review to FLAGGED.
  insert into tools.marketplace_review_reports (review_id, user_id)
  select v_flagged, u from unnest(array['00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000006',
                                        '00000000-0000-4000-8000-000000000007']::uuid[]) u
  on conflict do nothing;
  insert into tools.marketplace_review_reports (review_id, user_id)
  values (v_approved_2, '00000000-0000-4000-8000-000000000010') on conflict do nothing;
end
$$;

commit;
