// @domus/client Tools API against a recording fetch: what each call sends to
// the Data API (schema `tools` via the Accept-/Content-Profile headers) and
// to the `checkout` function, that bad input is refused before any request
// naming the field, and that the database's refusals keep their statuses
// (PT402 -> 402 when credits are short, PT409 -> 409, 42501 -> 403).
import { createDomusClient } from "@domus/client";
import { describe, expect, it } from "vitest";
import { type Captured, ok, only, recordingFetch } from "./support/recording-fetch.ts";
import { signToken } from "./support/tokens.ts";

const REST = "http://rest.test";
const ACCOUNT = "10000000-0000-4000-8000-000000000001";
const USER = "00000000-0000-4000-8000-000000000001";
const TOOL = "00000000-0000-4000-a003-000000000007";
const BUNDLE = "00000000-0000-4000-b003-000000000001";
const REVIEW = "7e1a0c1e-6c1b-4d7e-9a55-3a1f5b1f0c01";
const TOKEN = signToken({ sub: USER, role: "authenticated", aud: "authenticated" }, "test-secret");

function client(respond: (req: Captured) => { status: number; body: unknown }) {
  const rec = recordingFetch(respond);
  const { tools } = createDomusClient({ url: REST, anonKey: "anon-key", accessToken: TOKEN, fetch: rec.fetch });
  return { rec, tools };
}


const tool = (n: number, price_model: string, price_amount: number) => ({
  id: `00000000-0000-4000-a003-0000000000${String(n).padStart(2, "0")}`,
  name: `Tool ${n}`,
  price_model,
  price_amount,
});

describe("catalogue", () => {
  it("filters by category, price model, tier, status and featured, sorted by popularity, range-paged", async () => {
    const rows = [tool(1, "ONE_TIME", 10), tool(2, "ONE_TIME", 20)];
    const { rec, tools } = client(ok(rows));
    const page = await tools.browse({
      category: "LEAD_GENERATION",
      price_model: "ONE_TIME",
      available_to_tier: "STARTER",
      status: ["ACTIVE", "BETA"],
      featured: true,
      page_size: 2,
      offset: 4,
    });
    const req = only(rec);
    expect(req.method).toBe("GET");
    expect(req.url.pathname).toBe("/rest/v1/marketplace_tools");
    expect(req.headers.get("accept-profile")).toBe("tools");
    const p = req.url.searchParams;
    expect(p.get("category")).toBe("eq.LEAD_GENERATION");
    expect(p.get("price_model")).toBe("eq.ONE_TIME");
    expect(p.get("required_tier")).toBe("in.(FREE,CUSTOM,STARTER)");
    expect(p.get("status")).toBe("in.(ACTIVE,BETA)");
    expect(p.get("is_featured")).toBe("eq.true");
    expect(p.get("order")).toBe("purchase_count.desc,id.asc");
    expect(p.get("offset")).toBe("4");
    expect(p.get("limit")).toBe("2");
    expect(page).toEqual({ items: rows, nextOffset: 6 });
  });

  it("sorts by rating with unrated tools last, and says when the last page is reached", async () => {
    const { rec, tools } = client(ok([tool(1, "FREE", 0)]));
    const page = await tools.browse({ sort: "rating", required_tier: "GROWTH", status: "ACTIVE" });
    const p = only(rec).url.searchParams;
    expect(p.get("order")).toBe("avg_rating.desc.nullslast,review_count.desc,id.asc");
    expect(p.get("required_tier")).toBe("eq.GROWTH");
    expect(p.get("status")).toBe("eq.ACTIVE");
    expect(p.get("limit")).toBe("20");
    expect(page.nextOffset).toBeNull();
  });

  it("escapes LIKE wildcards in a name search", async () => {
    const { rec, tools } = client(ok());
    await tools.browse({ search: "50%_off" });
    expect(only(rec).url.searchParams.get("name")).toBe("ilike.%50\\%\\_off%");
  });

  it("prices a bundle's contents: the tools that count, the savings and the price in credits", async () => {
    const bundle = {
      id: BUNDLE,
      name: "Lead engine",
      price_amount: 80,
      discount_percent: 20,
      marketplace_bundle_items: [
        { position: 2, marketplace_tools: tool(2, "MONTHLY", 40) },
        { position: 1, marketplace_tools: tool(1, "ONE_TIME", 60) },
        // Granted by the bundle but not priced in it: FREE, USAGE_BASED, CUSTOM.
        { position: 3, marketplace_tools: tool(3, "USAGE_BASED", 0.5) },
        { position: 4, marketplace_tools: tool(4, "FREE", 0) },
      ],
    };
    const { rec, tools } = client(ok(bundle));
    const b = await tools.bundle(BUNDLE);
    const req = only(rec);
    expect(req.url.pathname).toBe("/rest/v1/marketplace_bundles");
    expect(req.url.searchParams.get("select")).toBe("*,marketplace_bundle_items(position,marketplace_tools(*))");
    expect(req.url.searchParams.get("id")).toBe(`eq.${BUNDLE}`);
    expect(b.tools.map((t) => t.position)).toEqual([1, 2, 3, 4]);
    expect(b).toMatchObject({ list_total: 100, savings: 20, savings_percent: 20, price_in_credits: 8000 });
    expect(b).not.toHaveProperty("marketplace_bundle_items");
  });

  it("lists bundles with their savings, in cents so 0.1 + 0.2 stays exact", async () => {
    const { tools } = client(ok([
      { id: BUNDLE, price_amount: 0.24, marketplace_bundle_items: [{ position: 0, marketplace_tools: tool(1, "ONE_TIME", 0.1) }, { position: 1, marketplace_tools: tool(2, "ANNUAL", 0.2) }] },
    ]));
    const [b] = await tools.bundles({ status: "ACTIVE" });
    expect(b).toMatchObject({ list_total: 0.3, savings: 0.06, savings_percent: 20, price_in_credits: 24 });
  });
});

describe("cart", () => {
  it("adds a tool (quantity 1) or a bundle for an account; the caller is the database's default", async () => {
    const { rec, tools } = client(ok({ id: REVIEW }));
    await tools.addToCart({ account_id: ACCOUNT, tool_id: TOOL });
    await tools.addToCart({ account_id: ACCOUNT, bundle_id: BUNDLE });
    expect(rec.requests.map((r) => [r.method, r.url.pathname, r.headers.get("content-profile"), r.body])).toEqual([
      ["POST", "/rest/v1/marketplace_cart", "tools", { organization_id: ACCOUNT, item_type: "TOOL", tool_id: TOOL, quantity: 1 }],
      ["POST", "/rest/v1/marketplace_cart", "tools", { organization_id: ACCOUNT, item_type: "BUNDLE", bundle_id: BUNDLE, quantity: 1 }],
    ]);
  });

  it("lists the caller's own lines (user id from the access token) with their items", async () => {
    const { rec, tools } = client(ok());
    await tools.cart(ACCOUNT);
    const p = only(rec).url.searchParams;
    expect(p.get("organization_id")).toBe(`eq.${ACCOUNT}`);
    expect(p.get("user_id")).toBe(`eq.${USER}`);
    expect(p.get("select")).toContain("tool:marketplace_tools(");
    expect(p.get("select")).toContain("bundle:marketplace_bundles(");

    const { rec: all, tools: admin } = client(ok());
    await admin.cart(ACCOUNT, { everyone: true });
    expect(only(all).url.searchParams.has("user_id")).toBe(false);
  });

  it("removes one line, or empties the caller's cart", async () => {
    const { rec, tools } = client(ok());
    await tools.removeFromCart(REVIEW);
    await tools.clearCart(ACCOUNT);
    expect(rec.requests.map((r) => [r.method, r.url.search])).toEqual([
      ["DELETE", `?id=eq.${REVIEW}`],
      ["DELETE", `?organization_id=eq.${ACCOUNT}&user_id=eq.${USER}`],
    ]);
  });

  it("keeps the database's refusal message and field (tier too low, already owned)", async () => {
    const { tools } = client(() => ({
      status: 409,
      body: { code: "PT409", message: "tool_id: this tool needs the GROWTH tier (the account has STARTER)", details: null, hint: null },
    }));
    await expect(tools.addToCart({ account_id: ACCOUNT, tool_id: TOOL })).rejects.toMatchObject({
      status: 409,
      code: "PT409",
      field: "tool_id",
      message: expect.stringContaining("GROWTH"),
    });
  });
});

describe("checkout by each method", () => {
  it("CREDIT_CARD and ACH go to the checkout function as a tools_cart item", async () => {
    const { rec, tools } = client(ok({ mode: "live", url: "https://checkout.stripe.com/c/pay/cs_test_1", checkoutRef: "x" }));
    const card = await tools.checkout({ account_id: ACCOUNT, method: "CREDIT_CARD", success_url: "https://app.test/done" });
    await tools.checkout({ account_id: ACCOUNT, method: "ACH" });
    expect(card).toMatchObject({ method: "CREDIT_CARD", checkout: { mode: "live", url: "https://checkout.stripe.com/c/pay/cs_test_1" } });
    expect(rec.requests.map((r) => [r.method, r.url.pathname, r.body])).toEqual([
      ["POST", "/functions/v1/checkout", {
        accountId: ACCOUNT,
        provider: "stripe",
        item: { type: "tools_cart", accountId: ACCOUNT, method: "CREDIT_CARD" },
        successUrl: "https://app.test/done",
      }],
      ["POST", "/functions/v1/checkout", { accountId: ACCOUNT, provider: "stripe", item: { type: "tools_cart", accountId: ACCOUNT, method: "ACH" } }],
    ]);
    expect(rec.requests[0]!.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
  });

  it("PLATFORM_CREDITS and INVOICE call their RPCs with the account only (prices are the catalogue's)", async () => {
    const purchase = { id: REVIEW, payment_method: "PLATFORM_CREDITS", payment_status: "COMPLETED", status: "ACTIVE" };
    const { rec, tools } = client(ok([purchase]));
    const credits = await tools.checkout({ account_id: ACCOUNT, method: "PLATFORM_CREDITS" });
    await tools.checkout({ account_id: ACCOUNT, method: "INVOICE" });
    expect(credits).toEqual({ method: "PLATFORM_CREDITS", purchases: [purchase] });
    expect(rec.requests.map((r) => [r.method, r.url.pathname, r.headers.get("content-profile"), r.body])).toEqual([
      ["POST", "/rest/v1/rpc/checkout_with_credits", "tools", { account_id: ACCOUNT }],
      ["POST", "/rest/v1/rpc/checkout_by_invoice", "tools", { account_id: ACCOUNT }],
    ]);
  });

  it("too few credits is a 402 with the database's message; a cart already checked out is a 409", async () => {
    const { tools } = client(() => ({
      status: 402,
      body: { code: "PT402", message: "credits: 8000 needed, 1200 available (short by 6800)", details: null, hint: null },
    }));
    await expect(tools.checkout({ account_id: ACCOUNT, method: "PLATFORM_CREDITS" })).rejects.toMatchObject({
      status: 402,
      code: "PT402",
      field: "credits",
    });
    const { tools: again } = client(() => ({ status: 409, body: { code: "PT409", message: "cart: already being checked out" } }));
    await expect(again.checkout({ account_id: ACCOUNT, method: "INVOICE" })).rejects.toMatchObject({ status: 409, code: "PT409" });
  });

  it("a card checkout refused by the function keeps its status and field", async () => {
    const { tools } = client(() => ({ status: 400, body: { error: { code: "invalid_request", message: "cart: is empty", field: "cart" } } }));
    await expect(tools.checkout({ account_id: ACCOUNT, method: "CREDIT_CARD" })).rejects.toMatchObject({ status: 400, field: "cart" });
  });
});

describe("purchases and access", () => {
  it("lists the account's purchases newest first, keyset-paged on purchase_date", async () => {
    const { rec, tools } = client(ok());
    await tools.purchases(ACCOUNT, { status: "ACTIVE", before: "2026-12-01T10:00:00Z", limit: 10 });
    const p = only(rec).url.searchParams;
    expect(p.get("organization_id")).toBe(`eq.${ACCOUNT}`);
    expect(p.get("status")).toBe("eq.ACTIVE");
    expect(p.get("purchase_date")).toBe("lt.2026-12-01T10:00:00Z");
    expect(p.get("order")).toBe("purchase_date.desc,id.asc");
    expect(p.get("limit")).toBe("10");
  });

  it("asks tools.may_use_tool and answers a boolean", async () => {
    const { rec, tools } = client(ok(true));
    expect(await tools.mayUse(ACCOUNT, TOOL)).toBe(true);
    const req = only(rec);
    expect([req.method, req.url.pathname, req.headers.get("content-profile"), req.body]).toEqual([
      "POST", "/rest/v1/rpc/may_use_tool", "tools", { account_id: ACCOUNT, tool_id: TOOL },
    ]);
    const { tools: no } = client(ok(false));
    expect(await no.mayUse(ACCOUNT, TOOL)).toBe(false);
  });

  it("a stranger's may-use question is a 403", async () => {
    const { tools } = client(() => ({ status: 403, body: { code: "42501", message: "account_id: not a member of this account" } }));
    await expect(tools.mayUse(ACCOUNT, TOOL)).rejects.toMatchObject({ status: 403, field: "account_id" });
  });
});

describe("reviews, votes, reports, moderation", () => {
  it("lists a tool's approved reviews only, range-paged", async () => {
    const { rec, tools } = client(ok());
    await tools.reviews(TOOL, { sort: "helpful", offset: 20, page_size: 10 });
    const p = only(rec).url.searchParams;
    expect(p.get("tool_id")).toBe(`eq.${TOOL}`);
    expect(p.get("status")).toBe("eq.APPROVED");
    expect(p.get("order")).toBe("helpful_count.desc,id.asc");
    expect([p.get("offset"), p.get("limit")]).toEqual(["20", "10"]);
  });

  it("creates, edits and deletes a review sending only the author's fields", async () => {
    const { rec, tools } = client(ok({ id: REVIEW }));
    await tools.createReview({ tool_id: TOOL, account_id: ACCOUNT, rating: 5, title: " Great ", review: "Saves hours." });
    await tools.editReview(REVIEW, { rating: 4 });
    await tools.deleteReview(REVIEW);
    expect(rec.requests.map((r) => [r.method, r.url.pathname, r.url.searchParams.get("id"), r.body])).toEqual([
      ["POST", "/rest/v1/marketplace_reviews", null, { tool_id: TOOL, organization_id: ACCOUNT, rating: 5, title: "Great", review: "Saves hours." }],
      ["PATCH", "/rest/v1/marketplace_reviews", `eq.${REVIEW}`, { rating: 4 }],
      ["DELETE", "/rest/v1/marketplace_reviews", `eq.${REVIEW}`, undefined],
    ]);
  });

  it("votes helpful, takes the vote back, and reports, one row each in their own tables", async () => {
    const { rec, tools } = client(() => ({ status: 201, body: null }));
    await tools.markHelpful(REVIEW);
    await tools.unmarkHelpful(REVIEW);
    await tools.report(REVIEW, "spam");
    await tools.report(REVIEW);
    expect(rec.requests.map((r) => [r.method, r.url.pathname, r.url.search, r.body])).toEqual([
      ["POST", "/rest/v1/marketplace_review_votes", "", { review_id: REVIEW }],
      ["DELETE", "/rest/v1/marketplace_review_votes", `?review_id=eq.${REVIEW}&user_id=eq.${USER}`, undefined],
      ["POST", "/rest/v1/marketplace_review_reports", "", { review_id: REVIEW, reason: "spam" }],
      ["POST", "/rest/v1/marketplace_review_reports", "", { review_id: REVIEW }],
    ]);
    expect(rec.requests.every((r) => r.headers.get("content-profile") === "tools")).toBe(true);
  });

  it("a second vote by the same user is a 409", async () => {
    const { tools } = client(() => ({ status: 409, body: { code: "23505", message: "duplicate key value violates unique constraint" } }));
    await expect(tools.markHelpful(REVIEW)).rejects.toMatchObject({ status: 409, code: "23505" });
  });

  it("moderates through tools.moderate_review and reads the queue", async () => {
    const { rec, tools } = client(ok({ id: REVIEW, status: "REJECTED" }));
    await tools.moderate({ review_id: REVIEW, status: "REJECTED", notes: "off-topic" });
    await tools.moderate({ review_id: REVIEW, status: "APPROVED" });
    await tools.moderationQueue();
    expect(rec.requests.map((r) => [r.method, r.url.pathname, r.body])).toEqual([
      ["POST", "/rest/v1/rpc/moderate_review", { review_id: REVIEW, status: "REJECTED", notes: "off-topic" }],
      ["POST", "/rest/v1/rpc/moderate_review", { review_id: REVIEW, status: "APPROVED", notes: null }],
      ["GET", "/rest/v1/marketplace_reviews", undefined],
    ]);
    expect(rec.requests[2]!.url.searchParams.get("status")).toBe("in.(PENDING,FLAGGED)");
  });

  it("a non-admin moderating is a 403", async () => {
    const { tools } = client(() => ({ status: 403, body: { code: "42501", message: "review_id: only platform admins moderate reviews" } }));
    await expect(tools.moderate({ review_id: REVIEW, status: "APPROVED" })).rejects.toMatchObject({ status: 403, code: "42501" });
  });
});

describe("bad input is refused before sending, naming the field", () => {
  it("refuses each bad field with a 400 and sends nothing", async () => {
    const { rec, tools } = client(ok());
    const refused = async (call: Promise<unknown>, field: string) =>
      expect(call).rejects.toMatchObject({ status: 400, code: "invalid_request", field });

    // @ts-expect-error: not a category
    await refused(tools.browse({ category: "GAMES" }), "category");
    await refused(tools.browse({ page_size: 500 }), "page_size");
    await refused(tools.browse({ offset: -1 }), "offset");
    // @ts-expect-error: not a sort
    await refused(tools.browse({ sort: "cheapest" }), "sort");
    // @ts-expect-error: not a tier
    await refused(tools.browse({ available_to_tier: "GOLD" }), "available_to_tier");
    await refused(tools.bundle("nope"), "input");
    await refused(tools.addToCart({ account_id: ACCOUNT }), "tool_id");
    await refused(tools.addToCart({ account_id: ACCOUNT, tool_id: TOOL, bundle_id: BUNDLE }), "tool_id");
    await refused(tools.addToCart({ account_id: ACCOUNT, tool_id: TOOL, quantity: 2 }), "quantity");
    await refused(tools.addToCart({ account_id: "acme", bundle_id: BUNDLE }), "account_id");
    // @ts-expect-error: not a payment method
    await refused(tools.checkout({ account_id: ACCOUNT, method: "BITCOIN" }), "method");
    await refused(tools.checkout({ account_id: ACCOUNT, method: "CREDIT_CARD", success_url: "not a url" }), "success_url");
    await refused(tools.createReview({ tool_id: TOOL, account_id: ACCOUNT, rating: 6 }), "rating");
    await refused(tools.createReview({ tool_id: TOOL, account_id: ACCOUNT, rating: 0 }), "rating");
    await refused(tools.createReview({ tool_id: TOOL, account_id: ACCOUNT, rating: 4.5 }), "rating");
    await refused(tools.createReview({ tool_id: TOOL, account_id: ACCOUNT, rating: 5, review: "bad\u0000text" }), "review");
    await refused(tools.createReview({ tool_id: TOOL, account_id: ACCOUNT, rating: 5, title: "x".repeat(201) }), "title");
    await refused(tools.editReview(REVIEW, {}), "rating");
    await refused(tools.editReview(REVIEW, { rating: 9 }), "rating");
    await refused(tools.report(REVIEW, "\ud800"), "reason");
    // @ts-expect-error: back to PENDING is the author's edit, not a moderation decision
    await refused(tools.moderate({ review_id: REVIEW, status: "PENDING" }), "status");
    await refused(tools.purchases(ACCOUNT, { before: "yesterday" }), "before");
    await refused(tools.mayUse(ACCOUNT, "tool-7"), "input");
    expect(rec.requests).toHaveLength(0);
  });
});
