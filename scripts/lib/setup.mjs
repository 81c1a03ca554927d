// Installs what the stack needs and is missing: npm dependencies, Debian's
// PostgreSQL extensions and pg_prove. Deno and the Supabase CLI come from npm.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isRoot, run } from "./run.mjs";
import { step, fail } from "./log.mjs";

export const root = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
export const bin = (name) => join(root, "node_modules", ".bin", name);
export const PG_BIN = "/usr/lib/postgresql/15/bin";

const DEBIAN_PACKAGES = [
  "postgresql-15",
  "postgresql-15-pgtap",
  "postgresql-15-cron",
  "postgresql-15-plpgsql-check",
  "libtap-parser-sourcehandler-pgtap-perl",
];

function missingDebianPackages() {
  return DEBIAN_PACKAGES.filter((pkg) => {
    const r = run("dpkg-query", ["-W", "-f=${Status}", pkg], { allowFail: true });
    return !(r.status === 0 && r.stdout.includes("install ok installed"));
  });
}

export function ensureDebianPackages() {
  const missing = missingDebianPackages();
  if (missing.length === 0) return;
  const command = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(" ")}`;
  if (!isRoot) fail(`missing Debian packages; run as root:\n  ${command}`);
  step(`installing Debian packages: ${missing.join(", ")}`);
  run("bash", ["-c", command], { env: { DEBIAN_FRONTEND: "noninteractive" } });
}

// node_modules is current when it was installed from exactly this package.json
// and lockfile; checked by hash, so warm starts skip npm entirely.
const STAMP = join(root, "node_modules", ".domus-installed");
const NEEDED_BINS = ["supabase", "deno", "tsc", "vitest", "prettier"];

function dependencyHash() {
  const hash = createHash("sha256");
  for (const f of ["package.json", "package-lock.json"]) {
    const p = join(root, f);
    hash.update(f).update(existsSync(p) ? readFileSync(p) : "");
  }
  return hash.digest("hex");
}

export function nodeModulesCurrent() {
  if (!NEEDED_BINS.every((b) => existsSync(bin(b)))) return false;
  return existsSync(STAMP) && readFileSync(STAMP, "utf8").trim() === dependencyHash();
}

/**
 * `npm ci` from the committed lockfile, which it never rewrites, so the two
 * commands leave the tree clean; `npm install` only when there is no lockfile.
 */
export function ensureNodeModules() {
  if (nodeModulesCurrent()) return;
  const ci = existsSync(join(root, "package-lock.json"));
  step(`installing npm dependencies (${ci ? "npm ci" : "npm install"})`);
  run("npm", [ci ? "ci" : "install", "--no-audit", "--no-fund"], { cwd: root });
  writeFileSync(STAMP, dependencyHash() + "\n");
}

export function ensureSetup() {
  ensureNodeModules();
  ensureDebianPackages();
}
