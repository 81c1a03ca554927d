// docs/seed-map.md promises a reader holding a seed where every seed column
// lives now. This holds the promise to the database: every target in a
// "lives in" column must exist (table, view, column, view column, function),
// and every target still marked `planned:` must not exist yet (once a
// product issue builds it, the map must name it as a real target).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, db } from "./support/db.ts";

const DOC = fileURLToPath(new URL("../docs/seed-map.md", import.meta.url));
const PLANNED_SCHEMAS = ["quicksell", "tools", "reports"];

interface Target {
  text: string;
  line: number;
  planned: boolean;
}

type Parsed =
  | { kind: "relation"; schema: string; name: string }
  | { kind: "column"; schema: string; name: string; column: string }
  | { kind: "function"; schema: string; name: string };

const cells = (row: string) => row.trim().replace(/^\||\|$/g, "").split("|").map((c) => c.trim());

/** Every backticked target in the "lives in" column of the doc's mapping tables. */
export function targetsOf(markdown: string): Target[] {
  const lines = markdown.split("\n");
  const targets: Target[] = [];
  let mapping = false;
  lines.forEach((line, i) => {
    if (!line.startsWith("|")) {
      mapping = false;
      return;
    }
    if (/^\|[-| ]+\|$/.test(line)) return;
    if (/^\|[-| ]+\|$/.test(lines[i + 1] ?? "")) {
      mapping = cells(line)[1] === "lives in";
      return;
    }
    if (!mapping) return;
    const cell = cells(line)[1] ?? "";
    for (const m of cell.matchAll(/(planned:\s*)?`([^`]+)`/g)) {
      targets.push({ text: m[2]!, line: i + 1, planned: Boolean(m[1]) });
    }
  });
  return targets;
}

export function parseTarget(text: string): Parsed | null {
  const fn = /^([a-z_]+)\.([a-z_][a-z0-9_]*)\(\)$/.exec(text);
  if (fn) return { kind: "function", schema: fn[1]!, name: fn[2]! };
  const col = /^([a-z_]+)\.([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)$/.exec(text);
  if (col) return { kind: "column", schema: col[1]!, name: col[2]!, column: col[3]! };
  const rel = /^([a-z_]+)\.([a-z_][a-z0-9_]*)$/.exec(text);
  if (rel) return { kind: "relation", schema: rel[1]!, name: rel[2]! };
  return null;
}

async function exists(t: Parsed): Promise<boolean> {
  const sql = {
    relation: `select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
               where n.nspname = $1 and c.relname = $2 and c.relkind in ('r', 'p', 'v', 'm')`,
    column: `select 1 from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
             where n.nspname = $1 and c.relname = $2 and a.attname = $3 and a.attnum > 0 and not a.attisdropped
               and c.relkind in ('r', 'p', 'v', 'm')`,
    function: `select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = $1 and p.proname = $2`,
  }[t.kind];
  const args = t.kind === "column" ? [t.schema, t.name, t.column] : [t.schema, t.name];
  return (await db().query(sql, args)).rowCount! > 0;
}

const targets = targetsOf(readFileSync(DOC, "utf8"));

afterAll(closeDb);

describe("docs/seed-map.md", () => {
  it("maps all five seeds", () => {
    const doc = readFileSync(DOC, "utf8");
    for (const seed of ["000", "001", "002", "003", "004"]) expect(doc).toContain(`## Seed ${seed}`);
    expect(targets.filter((t) => !t.planned).length).toBeGreaterThan(300);
  });

  it("writes every target in a form this test can check", () => {
    const bad = targets.filter((t) => !parseTarget(t.text)).map((t) => `line ${t.line}: \`${t.text}\``);
    expect(bad).toEqual([]);
  });

  it("names only targets that exist in the database", async () => {
    const missing: string[] = [];
    for (const t of targets.filter((t) => !t.planned)) {
      const parsed = parseTarget(t.text);
      if (parsed && !(await exists(parsed))) missing.push(`line ${t.line}: ${t.text}`);
    }
    expect(missing).toEqual([]);
  });

  it("marks as planned only what a product issue has not built yet", async () => {
    const built: string[] = [];
    for (const t of targets.filter((t) => t.planned)) {
      const parsed = parseTarget(t.text);
      if (!parsed || !PLANNED_SCHEMAS.includes(parsed.schema)) built.push(`line ${t.line}: ${t.text} is not in a planned product schema`);
      else if (await exists(parsed)) built.push(`line ${t.line}: ${t.text} exists now: map the seed columns to it`);
    }
    expect(built).toEqual([]);
  });

  it("catches a target that does not exist (the check itself works)", async () => {
    const [fake] = targetsOf("| seed column | lives in | notes |\n|---|---|---|\n| `x` | `public.profiles.no_such_column` | |\n");
    expect(fake).toEqual({ text: "public.profiles.no_such_column", line: 3, planned: false });
    expect(await exists(parseTarget(fake!.text)!)).toBe(false);
    expect(await exists(parseTarget("public.profiles.full_name")!)).toBe(true);
    expect(await exists(parseTarget("studio.users.credits")!)).toBe(true);
    expect(await exists(parseTarget("public.check_entitlement()")!)).toBe(true);
  });
});
