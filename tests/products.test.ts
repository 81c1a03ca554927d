// The product list has one source, public.products (issue 8 §5). These tests
// hold everything that must agree with it to it: the generated contract the
// client and functions use, the Data API's exposed schemas in config.toml,
// the columns that name a product, and the code base, which must not spell
// the list again anywhere the table could be read instead.
import { PRODUCT_ROWS, PRODUCT_SCHEMAS, PRODUCTS } from "@domus/contracts/products.ts";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { exposedSchemas } from "../scripts/lib/config.mjs";
import { closeDb, db } from "./support/db.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
// The migration that created public.products; older migrations are landed and immutable.
const PRODUCTS_MIGRATION = "20261201001000";

afterAll(closeDb);

describe("public.products is the one product list", () => {
  it("matches the generated contract row for row (run `npm run gen:types` after adding a product)", async () => {
    const { rows } = await db().query(
      `select code, kind, name, description, schema_name as "schemaName", sort_order as "sortOrder"
       from public.products order by sort_order`,
    );
    expect(rows).toEqual(PRODUCT_ROWS);
    expect(PRODUCTS).toEqual(rows.filter((r) => r.kind === "product").map((r) => r.code));
  });

  it("names the schemas config.toml exposes to the Data API, each of which exists", async () => {
    expect([...exposedSchemas()].sort()).toEqual([...PRODUCT_SCHEMAS].sort());
    const { rows } = await db().query(
      "select p.schema_name from public.products p left join pg_namespace n on n.nspname = p.schema_name where n.oid is null",
    );
    expect(rows).toEqual([]);
  });

  it("is what every product column references, by foreign key", async () => {
    const { rows } = await db().query(
      `select c.conrelid::regclass::text || '.' || a.attname as col
       from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any (c.conkey)
       where c.contype = 'f' and c.confrelid = 'public.products'::regclass order by 1`,
    );
    expect(rows.map((r) => r.col)).toEqual([
      "analytics_events.product",
      "credit_packs.product",
      "notifications.product",
      "plans.product",
      "quicksell.analytics_events_archive.product",
      "subscriptions.product",
    ]);
    // ...and no column anywhere named product escapes it.
    const { rows: loose } = await db().query(
      `select table_schema || '.' || table_name || '.' || column_name as col from information_schema.columns c
       join pg_class r on r.relname = c.table_name join pg_namespace n on n.oid = r.relnamespace and n.nspname = c.table_schema
       where c.column_name = 'product' and r.relkind in ('r', 'p')
         and c.table_schema = any ($1)
         and not exists (select 1 from pg_constraint k where k.conrelid = r.oid and k.contype = 'f'
                         and k.confrelid = 'public.products'::regclass)`,
      [PRODUCT_SCHEMAS],
    );
    expect(loose).toEqual([]);
  });

  it("is not repeated by any CHECK constraint", async () => {
    const { rows } = await db().query(
      `select conrelid::regclass::text || ' ' || conname as con from pg_constraint
       where contype = 'c' and (select count(*) from unnest($1::text[]) p where pg_get_constraintdef(oid) like '%''' || p || '''%') >= 3`,
      [PRODUCTS],
    );
    expect(rows).toEqual([]);
  });

  it("is not spelled out in code, scripts, tests or demo data (read the table or the contract)", () => {
    // Landed migrations cannot change; config.toml is checked against the table above;
    // the generated files are derived from the table.
    const skip = (rel: string) =>
      /^(node_modules|\.stack|\.git|bench\/results|docs)\//.test(rel) ||
      /^packages\/[^/]+\/dist\//.test(rel) ||
      rel === "packages/client/src/database.types.ts" ||
      rel === "packages/contracts/src/products.generated.ts" ||
      (rel.startsWith("supabase/migrations/") && rel.slice("supabase/migrations/".length, 14 + "supabase/migrations/".length) < PRODUCTS_MIGRATION);
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        const rel = relative(ROOT, path);
        if (skip(rel + (statSync(path).isDirectory() ? "/" : ""))) continue;
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.(ts|mjs|js|sql)$/.test(name)) {
          readFileSync(path, "utf8").split("\n").forEach((line, i) => {
            const quoted = PRODUCTS.filter((p) => new RegExp(`["'\`]${p}["'\`]`).test(line));
            if (quoted.length >= 4) offenders.push(`${rel}:${i + 1}`);
          });
        }
      }
    };
    walk(ROOT);
    expect(offenders).toEqual([]);
  });
});
