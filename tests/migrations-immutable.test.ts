// Migrations that can be deployed (issue 8 §5): a hosted project records
// which migration versions it has applied and never re-reads them, so an
// edit to a landed file silently never reaches production. Every change
// to the schema is therefore a NEW file, and this test holds each file in
// supabase/migrations to its first committed version in this branch's
// history. A file not committed yet passes (it has not landed).
//
// The rule starts at BASELINE, the commit that gave every migration its
// final name before anything was deployed (69e584a); files that existed then
// were still being edited in place before it, so they are held to their
// content at BASELINE. Files added later are held to the commit adding them.
//
// Needs the repository's history, not a database. A shallow clone
// (`git clone --depth N`) would show every file as added by the graft
// commit, so the comparison would pass whatever was edited: the test
// refuses to run there and says how to fix it (`git fetch --unshallow`).
// A tree without git (an exported tarball) fails the same way.
import { PRODUCT_SCOPES } from "@domus/contracts/products.ts";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DIR = "supabase/migrations";
const BASELINE = "69e584a4163998a7761f49fbf46103a12a694b46";
// Modules: the shared ones plus every product code, from the product list contract (a file, no database).
const MODULES = [...new Set([...PRODUCT_SCOPES, "billing", "jobs"])];
export const MIGRATION_NAME = new RegExp(`^\\d{14}_(${MODULES.join("|")})_[a-z0-9_]+\\.sql$`);

function git(args: string[]): Buffer {
  return execFileSync("git", args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] });
}

function requireFullHistory(): void {
  let shallow: string;
  try {
    shallow = git(["rev-parse", "--is-shallow-repository"]).toString().trim();
  } catch (error) {
    throw new Error(`migrations-immutable needs the git history of ${ROOT}, and git failed: ${(error as Error).message}`);
  }
  if (shallow !== "false") {
    throw new Error(
      "migrations-immutable needs the full git history, and this clone is shallow: run `git fetch --unshallow` " +
        "(or clone without --depth; in CI set fetch-depth: 0). Refusing to pass without checking.",
    );
  }
}

/** Every commit reachable from BASELINE (the rule's start); fails if this history lacks it. */
function commitsUpToBaseline(): Set<string> {
  let out: string;
  try {
    out = git(["rev-list", BASELINE]).toString();
  } catch {
    throw new Error(`migrations-immutable: baseline commit ${BASELINE} is not in this history (rewritten or shallow?)`);
  }
  return new Set(out.split("\n").filter(Boolean));
}

/**
 * The commit that first added each path under supabase/migrations, oldest first (renames count as adds),
 * along this branch's own line (first parents): on main, a merged branch's file lands with the merge,
 * as it was merged; what happened to it on the branch before that never landed.
 */
function firstAdditions(): Map<string, string> {
  const out = git(["log", "--first-parent", "-m", "--reverse", "--diff-filter=A", "--name-only", "--format=commit %H", "--", DIR]).toString();
  const first = new Map<string, string>();
  let commit = "";
  for (const line of out.split("\n")) {
    if (line.startsWith("commit ")) commit = line.slice("commit ".length);
    else if (line.trim() && !first.has(line)) first.set(line, commit);
  }
  return first;
}

const migrations = readdirSync(join(ROOT, DIR)).filter((f) => !f.startsWith(".")).sort();

describe("supabase/migrations", () => {
  it("names every file <timestamp>_<module>_<concern>.sql", () => {
    expect(MIGRATION_NAME.test("20261201001000_platform_products.sql")).toBe(true);
    expect(MIGRATION_NAME.test("20261201001000_products.sql")).toBe(false);
    expect(MIGRATION_NAME.test("20261201001000_cinema_films.sql")).toBe(false);
    expect(migrations.length).toBeGreaterThan(0);
    expect(migrations.filter((f) => !MIGRATION_NAME.test(f))).toEqual([]);
  });

  it("has unique timestamps (the Supabase CLI keys applied migrations by them)", () => {
    const versions = migrations.map((f) => f.slice(0, 14));
    expect(versions.filter((v, i) => versions.indexOf(v) !== i)).toEqual([]);
  });

  it("never edits a landed migration: each file equals its first committed version", () => {
    requireFullHistory();
    const first = firstAdditions();
    const beforeRule = commitsUpToBaseline();
    expect(first.size).toBeGreaterThan(0);
    const edited: string[] = [];
    for (const file of migrations) {
      const path = `${DIR}/${file}`;
      const commit = first.get(path);
      if (!commit) continue; // not committed yet: a new migration
      const landedAt = beforeRule.has(commit) ? BASELINE : commit;
      const landed = git(["show", `${landedAt}:${path}`]);
      const now = readFileSync(join(ROOT, path));
      if (!landed.equals(now)) edited.push(`${path} differs from its landed version (${landedAt.slice(0, 12)}); write a new migration instead`);
    }
    expect(edited).toEqual([]);
  });

  it("never deletes or renames a landed, well-named migration", () => {
    requireFullHistory();
    const gone = [...firstAdditions().keys()]
      .map((path) => path.slice(DIR.length + 1))
      .filter((file) => MIGRATION_NAME.test(file) && !migrations.includes(file));
    expect(gone).toEqual([]);
  });
});
