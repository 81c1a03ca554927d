// @domus/client billing: what it asks the Data API for, how it derives the
// available balance, and that it refuses bad input before any request.
import { createDomusClient } from "@domus/client";
import { describe, expect, it } from "vitest";
import { recordingFetch } from "./support/recording-fetch.ts";

const REST = "http://rest.test";
const ACCOUNT = "4f7c2a7e-2a39-4b53-8d8e-8c1b4c3f0a01";

describe("billing reads", () => {
  it("lists a product's plans with their entitlements, cheapest tier first", async () => {
    const rec = recordingFetch(() => ({ status: 200, body: [] }));
    await createDomusClient({ url: REST, anonKey: "k", fetch: rec.fetch }).billing.plans("reports");
    const url = rec.requests[0]!.url;
    expect(url.pathname).toBe("/rest/v1/plans");
    expect(url.searchParams.get("select")).toBe("*,plan_entitlements(*)");
    expect(url.searchParams.get("product")).toBe("eq.reports");
    expect(url.searchParams.get("order")).toBe("product.asc,tier_rank.asc");
  });

  it("reports available credits as balance minus held, and zero for an account without a ledger", async () => {
    const rec = recordingFetch((req) => ({
      status: 200,
      body: req.url.searchParams.get("pool") === "eq.sms" ? [] : [{ balance: 120, held: 30 }],
    }));
    const billing = createDomusClient({ url: REST, anonKey: "k", fetch: rec.fetch }).billing;
    expect(await billing.creditBalance(ACCOUNT)).toEqual({ balance: 120, held: 30, available: 90 });
    expect(await billing.creditBalance(ACCOUNT, "sms")).toEqual({ balance: 0, held: 0, available: 0 });
    expect(rec.requests[0]!.url.searchParams.get("account_id")).toBe(`eq.${ACCOUNT}`);
  });

  it("pages credit history by created_at, newest first", async () => {
    const rec = recordingFetch(() => ({ status: 200, body: [] }));
    const billing = createDomusClient({ url: REST, anonKey: "k", fetch: rec.fetch }).billing;
    await billing.creditHistory(ACCOUNT, { limit: 20, before: "2026-11-01T00:00:00Z" });
    const params = rec.requests[0]!.url.searchParams;
    expect(params.get("order")).toBe("created_at.desc");
    expect(params.get("limit")).toBe("20");
    expect(params.get("created_at")).toBe("lt.2026-11-01T00:00:00Z");
  });

  it("asks check_entitlement and validates its answer", async () => {
    const rec = recordingFetch(() => ({
      status: 200,
      body: { allowed: true, billable: true, plan: "reports_solo", quota: 50, used: 50, remaining: 0, overage_units: 1, overage_unit_price: 0.5, overage_amount: 0.5, currency: "USD" },
    }));
    const billing = createDomusClient({ url: REST, anonKey: "k", fetch: rec.fetch }).billing;
    const decision = await billing.entitlement(ACCOUNT, "reports.market_report");
    expect(decision).toMatchObject({ allowed: true, billable: true, overage_amount: 0.5 });
    expect(rec.requests[0]!.url.pathname).toBe("/rest/v1/rpc/check_entitlement");
    expect(rec.requests[0]!.body).toEqual({ account_id: ACCOUNT, feature: "reports.market_report", units: 1 });
  });
});

describe("billing input checks", () => {
  it("refuses a bad feature, account or checkout before sending anything", async () => {
    const rec = recordingFetch(() => ({ status: 500, body: {} }));
    const billing = createDomusClient({ url: REST, anonKey: "k", fetch: rec.fetch }).billing;
    await expect(billing.entitlement(ACCOUNT, "valuation")).rejects.toMatchObject({ status: 400 });
    await expect(billing.entitlement("nope", "homes.valuation")).rejects.toMatchObject({ status: 400 });
    await expect(
      billing.checkout({ accountId: ACCOUNT, provider: "stripe", item: { type: "plan", planCode: "Bad Code" } }),
    ).rejects.toMatchObject({ status: 400, field: "item.planCode" });
    await expect(
      // @ts-expect-error: bitcoin is not a provider
      billing.checkout({ accountId: ACCOUNT, provider: "bitcoin", item: { type: "credit_pack", packCode: "studio_credits_100" } }),
    ).rejects.toMatchObject({ field: "provider" });
    expect(rec.requests).toHaveLength(0);
  });
});
