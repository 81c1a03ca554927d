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
});
