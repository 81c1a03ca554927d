// The demo data promise: every table in every exposed schema has rows, and
// owned tables have rows owned by more than one user or account.
import { PRODUCT_SCHEMAS } from "@domus/contracts/products.ts";
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, db } from "./support/db.ts";

const EXPOSED = PRODUCT_SCHEMAS;
const OWNER_COLUMNS = ["user_id", "account_id", "owner_id", "seller_id", "buyer_id", "primary_owner_user_id"];

afterAll(closeDb);

async function exposedTables(): Promise<Array<{ schema: string; table: string }>> {
  const { rows } = await db().query(
    `select n.nspname as schema, c.relname as "table" from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind in ('r', 'p') and n.nspname = any($1) order by 1, 2`,
    [EXPOSED],
  );
  return rows;
}

describe("demo data", () => {
  it("covers every table in every exposed schema", async () => {
    const tables = await exposedTables();
    expect(tables.length).toBeGreaterThan(0);
    const empty: string[] = [];
    for (const { schema, table } of tables) {
      const { rows } = await db().query(`select exists (select 1 from "${schema}"."${table}") as has_rows`);
      if (!rows[0].has_rows) empty.push(`${schema}.${table}`);
    }
    expect(empty).toEqual([]);
  });

  it("spreads owned rows over more than one owner", async () => {
    const single: string[] = [];
    for (const { schema, table } of await exposedTables()) {
      const { rows: cols } = await db().query(
        "select column_name from information_schema.columns where table_schema = $1 and table_name = $2 and column_name = any($3)",
        [schema, table, OWNER_COLUMNS],
      );
      for (const { column_name } of cols) {
        const { rows } = await db().query(`select count(distinct "${column_name}")::int as owners from "${schema}"."${table}"`);
        if (rows[0].owners < 2) single.push(`${schema}.${table}.${column_name}`);
      }
    }
    expect(single).toEqual([]);
  });

  it("has at least two team accounts with several members each, and solo users", async () => {
    const { rows: teams } = await db().query(
      `select a.slug, count(*)::int as members from public.accounts a join public.account_memberships m on m.account_id = a.id
       where a.account_type = 'team' group by a.slug having count(*) >= 3`,
    );
    expect(teams.length).toBeGreaterThanOrEqual(2);
    const { rows: solo } = await db().query(
      `select p.id from public.profiles p where not exists (
         select 1 from public.account_memberships m join public.accounts a on a.id = m.account_id
         where m.user_id = p.id and a.account_type <> 'personal')`,
    );
    expect(solo.length).toBeGreaterThanOrEqual(2);
  });

  it("has a Tools marketplace to try: tiers, purchases by every method and state, carts, reviews in every moderation state", async () => {
    const { rows: [tiers] } = await db().query(
      `select count(distinct private.tools_account_tier(id))::int as n from public.accounts`,
    );
    expect(tiers.n).toBeGreaterThanOrEqual(4);
    const { rows: methods } = await db().query(
      `select distinct payment_method::text as m from tools.marketplace_purchases order by 1`,
    );
    expect(methods.map((r) => r.m)).toEqual(["ACH", "CREDIT_CARD", "INVOICE", "PLATFORM_CREDITS"]);
    const { rows: states } = await db().query(
      `select distinct status::text as s from tools.marketplace_purchases order by 1`,
    );
    expect(states.map((r) => r.s)).toEqual(["ACTIVE", "CANCELLED", "EXPIRED", "REFUNDED"]);
    const { rows: payments } = await db().query(
      `select distinct payment_status::text as s from tools.marketplace_purchases order by 1`,
    );
    expect(payments.map((r) => r.s)).toEqual(expect.arrayContaining(["COMPLETED", "FAILED", "PENDING", "REFUNDED"]));
    const { rows: kinds } = await db().query(`select distinct purchase_type::text as k from tools.marketplace_purchases order by 1`);
    expect(kinds.map((r) => r.k)).toEqual(["BUNDLE", "TOOL"]);
    const { rows: reviews } = await db().query(`select distinct status::text as s from tools.marketplace_reviews order by 1`);
    expect(reviews.map((r) => r.s)).toEqual(["APPROVED", "FLAGGED", "PENDING", "REJECTED"]);
    const { rows: moderated } = await db().query(
      // FLAGGED may be the reporters' doing (no moderator yet); APPROVED and REJECTED are a moderator's.
      `select count(*)::int as n from tools.marketplace_reviews where status in ('APPROVED', 'REJECTED') and (moderated_by is null or moderated_at is null)`,
    );
    expect(moderated[0].n).toBe(0);
    const { rows: carts } = await db().query(`select count(distinct user_id)::int as n from tools.marketplace_cart`);
    expect(carts[0].n).toBeGreaterThanOrEqual(2);
  });

  it("gives alice credits for any bundle and a tier that may buy every one, with nothing of hers in the cart", async () => {
    const alice = "00000000-0000-4000-8000-000000000001";
    const { rows: [r] } = await db().query(
      `select (select balance - held from public.credit_balances where account_id = $1 and pool = 'credits') as available,
              (select max(price_amount) * 100 from tools.marketplace_bundles) as dearest,
              (select bool_and(required_tier <= private.tools_account_tier($1)) from tools.marketplace_bundles) as tier_ok,
              (select count(*)::int from tools.marketplace_purchases where organization_id = $1) as owned,
              (select count(*)::int from tools.marketplace_cart where organization_id = $1) as in_cart`,
      [alice],
    );
    expect(Number(r.available)).toBeGreaterThanOrEqual(Number(r.dearest));
    expect(r.tier_ok).toBe(true);
    expect([r.owned, r.in_cart]).toEqual([0, 0]);
  });
});
