// A newcomer's purchase on the local stack, end to end over HTTP: the
// client calls the real checkout function, which (no provider keys) sends
// signed events to the real webhooks through the gateway; the credits and
// subscription then show up through the client's reads (checked in the
// database as the user, the way PostgREST would run them).
import { createDomusClient, DomusError } from "@domus/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asRequest, closeDb, createUser, db, userClaims } from "./support/db.ts";
import { stackEnv } from "./support/stack-env.ts";
import { accessToken } from "./support/tokens.ts";

const env = stackEnv();
let user: Awaited<ReturnType<typeof createUser>>;

const client = () =>
  createDomusClient({
    url: env.functionsUrl.replace(/\/functions\/v1$/, ""),
    anonKey: env.anonKey,
    accessToken: accessToken(user),
    functionsUrl: env.functionsUrl,
  });

beforeAll(async () => {
  user = await createUser("buyer");
});
afterAll(closeDb);

describe("checkout in local mode", () => {
  it("buys a Studio credit pack with PayFast and the credits arrive", async () => {
    const result = await client().billing.checkout({
      accountId: user.id,
      provider: "payfast",
      item: { type: "credit_pack", packCode: "studio_credits_100" },
    });
    expect(result).toMatchObject({ mode: "local", provider: "payfast", paymentStatus: "succeeded", events: ["itn.COMPLETE"] });

    const { rows } = await asRequest(userClaims(user), (c) =>
      c.query("select balance, held from public.credit_balances where account_id = $1 and pool = 'credits'", [user.id]),
    );
    expect(rows).toEqual([{ balance: 100, held: 0 }]);
  });

  it("subscribes to Tools Growth with Stripe: subscription active, period credits granted, events logged", async () => {
    const result = await client().billing.checkout({
      accountId: user.id,
      provider: "stripe",
      item: { type: "plan", planCode: "tools_growth", interval: "month" },
    });
    expect(result).toMatchObject({ mode: "local", provider: "stripe", paymentStatus: "succeeded" });

    const subs = await asRequest(userClaims(user), (c) =>
      c.query("select s.status, s.provider from public.subscriptions s where s.account_id = $1", [user.id]),
    );
    expect(subs.rows).toEqual([{ status: "active", provider: "stripe" }]);
    const { rows } = await db().query(
      "select event_type, status from public.billing_events where account_id = $1 and provider = 'stripe' order by received_at",
      [user.id],
    );
    expect(rows.map((r) => `${r.event_type}:${r.status}`)).toEqual([
      "checkout.session.completed:processed",
      "customer.subscription.created:processed",
      "invoice.paid:processed",
    ]);
    const ledger = await db().query("select count(*)::int as n from private.credit_invariant_violations()");
    expect(ledger.rows[0].n).toBe(0);
  });

  it("refuses to buy for an account the caller does not administer, with a 403 naming the field", async () => {
    const error = await client()
      .billing.checkout({ accountId: "10000000-0000-4000-8000-000000000001", provider: "stripe", item: { type: "credit_pack", packCode: "tools_credits_1000" } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomusError);
    expect(error).toMatchObject({ status: 403, field: "account_id" });
  });
});
