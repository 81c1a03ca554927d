// Installs what the stack needs and is missing: npm dependencies, Debian's
// PostgreSQL extensions and pg_prove. Deno and the Supabase CLI come from npm.
import { existsSync } from "node:fs";
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

export function ensureNodeModules() {
  const needed = ["supabase", "deno", "tsc", "vitest", "prettier"];
  if (needed.every((b) => existsSync(bin(b)))) return;
  step("installing npm dependencies (npm install)");
  run("npm", ["install", "--no-audit", "--no-fund"], { cwd: root });
}

export function ensureSetup() {
  ensureNodeModules();
  ensureDebianPackages();
}
