// Paying for Tools with platform credits under contention: eight members of
// one team check out their carts at the same moment, each from its own
// connection, as eight PostgREST requests would. The team holds credits for
// only some of them, so the rest must be refused with PT402. Afterwards:
//   * exactly as many checkouts succeeded as the credits cover, and the
//     balance fell by exactly what they cost (never below zero);
//   * every refused checkout left no purchase and no ledger row behind;
//   * a member firing the same checkout twice at once pays once;
//   * private.credit_invariant_violations() is empty.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asRequest, closeDb, createUser, db, userClaims } from "./support/db.ts";

const MEMBERS = 8;
const PRICE = 6.0; // USD, so 600 credits a cart
const CART_CREDITS = PRICE * 100;
const GRANT = 2_000; // covers three carts, not four
const runId = randomUUID().slice(0, 8);

type User = Awaited<ReturnType<typeof createUser>>;
let members: User[] = [];
let team = "";
const tools: string[] = [];

afterAll(closeDb);

beforeAll(async () => {
  members = [];
  for (let i = 0; i < MEMBERS; i++) members.push(await createUser(`tools-credits-${i}`));
  const owner = members[0]!;
  team = await asRequest(userClaims(owner), async (c) => {
    const { rows } = await c.query("select id from public.create_team_account($1, $2)", [`Credits race ${runId}`, `credits-race-${runId}`]);
    return rows[0].id as string;
  }, { commit: true });
  for (const m of members.slice(1)) {
    await db().query("insert into public.account_memberships (account_id, user_id, role) values ($1, $2, 'member')", [team, m.id]);
  }
  for (let i = 0; i < MEMBERS; i++) {
    const id = randomUUID();
    tools.push(id);
    await db().query(
      `insert into tools.marketplace_tools (id, name, description, category, price_model, price_amount, required_tier, integration_type, provider)
       values ($1, $2, 'concurrency test tool', 'CRM_TOOLS', 'ONE_TIME', $3, 'FREE', 'API', 'Domus tests')`,
      [id, `Race tool ${runId} ${i}`, PRICE],
    );
  }
  // Each member's cart holds a tool of its own, so the only conflict is money.
  await Promise.all(members.map((m, i) => asRequest(userClaims(m), (c) =>
    c.query("insert into tools.marketplace_cart (organization_id, tool_id, item_type) values ($1, $2, 'TOOL')", [team, tools[i]]),
  { commit: true })));
  await db().query("select private.credit_apply($1, 'credits', $2, 'grant', $3, 'tools concurrency test')", [team, GRANT, `tools-race-${runId}`]);
});

async function available(): Promise<number> {
  const { rows } = await db().query("select balance - held as available from public.credit_balances where account_id = $1 and pool = 'credits'", [team]);
  return rows[0].available as number;
}

async function checkout(user: User): Promise<{ ok: true; purchases: number } | { ok: false; code: string; message: string }> {
  try {
    const rows = await asRequest(userClaims(user), async (c) => (await c.query("select * from tools.checkout_with_credits($1)", [team])).rows, { commit: true });
    return { ok: true, purchases: rows.length };
  } catch (error) {
    const e = error as { code?: string; message?: string };
    return { ok: false, code: e.code ?? "?", message: e.message ?? "" };
  }
}

describe("tools.checkout_with_credits under contention", () => {
  it("eight simultaneous checkouts spend only the credits there are", async () => {
    const results = await Promise.all(members.map(checkout));
    const won = results.filter((r) => r.ok);
    const refused = results.filter((r): r is { ok: false; code: string; message: string } => !r.ok);
    const covered = Math.floor(GRANT / CART_CREDITS);

    expect(won).toHaveLength(covered);
    expect(refused).toHaveLength(MEMBERS - covered);
    for (const r of refused) {
      expect(r.code).toBe("PT402");
      expect(r.message).toMatch(/^credits: \d+ more credits needed/);
    }
    expect(await available()).toBe(GRANT - covered * CART_CREDITS);

    const { rows: purchases } = await db().query(
      "select payment_status, count(*)::int as n, sum(amount)::numeric as total from tools.marketplace_purchases where organization_id = $1 group by 1",
      [team],
    );
    expect(purchases).toEqual([{ payment_status: "COMPLETED", n: covered, total: String((covered * PRICE).toFixed(2)) }]);
    const { rows: debits } = await db().query(
      "select count(*)::int as n, coalesce(sum(amount), 0)::int as total from public.credit_transactions where account_id = $1 and type = 'usage'",
      [team],
    );
    expect(debits[0]).toEqual({ n: covered, total: -covered * CART_CREDITS });
    const { rows: lowest } = await db().query("select min(balance_after)::int as low from public.credit_transactions where account_id = $1", [team]);
    expect(lowest[0].low).toBeGreaterThanOrEqual(0);
  });

  it("the same checkout sent twice at once pays once", async () => {
    // Top up so one more cart is covered; a refused member tries twice at once.
    await db().query("select private.credit_apply($1, 'credits', $2, 'grant', $3, 'tools concurrency top-up')", [team, CART_CREDITS, `tools-race-topup-${runId}`]);
    const { rows } = await db().query(
      "select c.user_id from tools.marketplace_cart c where c.organization_id = $1 order by c.user_id limit 1",
      [team],
    );
    const user = members.find((m) => m.id === rows[0].user_id)!;
    const before = await available();
    const [a, b] = await Promise.all([checkout(user), checkout(user)]);
    const outcomes = [a, b].map((r) => (r.ok ? "ok" : r.code)).sort();
    // The second waits for the first's cart lock, then finds the cart empty.
    expect(outcomes).toEqual(["22023", "ok"]);
    expect(await available()).toBe(before - CART_CREDITS);
  });

  it("leaves the ledger exact", async () => {
    const { rows } = await db().query("select * from private.credit_invariant_violations()");
    expect(rows).toEqual([]);
  });
});
