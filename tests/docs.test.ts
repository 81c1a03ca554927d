// The docs a newcomer starts from stay complete: docs/architecture.md names
// every migration, edge function, contract and client module that exists (so
// any table's policies are two steps away), README's migration table lists
// every migration, and every file the architecture page names exists.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const read = (rel: string) => readFileSync(join(root, rel), "utf8");
const architecture = read("docs/architecture.md");
const readme = read("README.md");

const migrations = readdirSync(join(root, "supabase/migrations")).filter((f) => f.endsWith(".sql"));
const functionNames = readdirSync(join(root, "functions")).filter(
  (d) => !d.startsWith("_") && statSync(join(root, "functions", d)).isDirectory() && existsSync(join(root, "functions", d, "index.ts")),
);
const sources = (dir: string) => readdirSync(join(root, dir)).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"));

describe("docs/architecture.md and README.md", () => {
  it("name every migration", () => {
    expect(migrations.filter((m) => !architecture.includes(`\`${m}\``))).toEqual([]);
    expect(migrations.filter((m) => !readme.includes(`\`${m}\``))).toEqual([]);
  });

  it("name every edge function and every file of it", () => {
    expect(functionNames.filter((f) => !architecture.includes(`| \`${f}\` |`))).toEqual([]);
    const unnamed = functionNames.flatMap((f) =>
      sources(`functions/${f}`).filter((file) => !file.endsWith(".test.ts") && !architecture.includes(`\`${file}\``)).map((file) => `${f}/${file}`),
    );
    expect(unnamed).toEqual([]);
  });

  it("name every contract and client module", () => {
    expect(sources("packages/contracts/src").filter((f) => !architecture.includes(`\`${f}\``))).toEqual([]);
    expect(sources("packages/client/src").filter((f) => !architecture.includes(`\`${f}\``))).toEqual([]);
  });

  it("point only at test files and migrations that exist", () => {
    const named = [...architecture.matchAll(/`((?:supabase\/tests\/|tests\/|functions\/)?[\w./-]+\.(?:test\.ts|sql))`/g)].map((m) => m[1]!);
    const missing = named.filter((n) => {
      if (n.includes("/")) return !existsSync(join(root, n));
      if (/^\d{14}_/.test(n)) return !migrations.includes(n);
      if (/^\d{3}-/.test(n)) return !existsSync(join(root, "supabase/tests", n));
      return false;
    });
    expect(missing).toEqual([]);
  });

  it("do not describe the client as not yet wired", () => {
    expect(read("docs/studio.md")).not.toMatch(/once wired/);
  });
});
