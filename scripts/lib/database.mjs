// Brings a cluster to the state hosted Supabase would be in after
// `supabase db push` plus seeding: platform script, migrations through the
// Supabase CLI, catalogue seed, then (optionally) the demo data.
import { join } from "node:path";
import { existsSync, readdirSync } from "node:fs";
import { run } from "./run.mjs";
import { bin, root } from "./setup.mjs";

export const PLATFORM_SQL = join(root, "scripts", "local", "platform.sql");
export const SEED_SQL = join(root, "supabase", "seed.sql");
export const DEMO_DIR = join(root, "supabase", "demo");

/** URL form the Supabase CLI accepts for a local, non-TLS database. */
export function cliUrl(url) {
  return `${url}?sslmode=disable`;
}

export function supabaseCli(args, opts = {}) {
  return run(bin("supabase"), args, {
    cwd: root,
    env: { SUPABASE_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1", ...(opts.env ?? {}) },
    allowFail: opts.allowFail,
  });
}

export function applyPlatform(cluster) {
  cluster.psql(null, { file: PLATFORM_SQL });
}

export function applyMigrations(cluster) {
  const r = supabaseCli(["migration", "up", "--include-all", `--remote=${cliUrl(cluster.url)}`, "--yes"]);
  return r.stdout + r.stderr;
}

export function applySeed(cluster) {
  cluster.psql(null, { file: SEED_SQL });
}

/** Demo data: every supabase/demo/*.sql in name order (platform first, then each product). */
export function applyDemo(cluster) {
  if (!existsSync(DEMO_DIR)) return;
  for (const file of readdirSync(DEMO_DIR).filter((f) => f.endsWith(".sql")).sort()) {
    cluster.psql(null, { file: join(DEMO_DIR, file) });
  }
}

export function prepareDatabase(cluster, { demo = true, onStep = () => {} } = {}) {
  onStep("applying the local platform script (roles, auth, storage, extensions)");
  applyPlatform(cluster);
  onStep("applying migrations with the Supabase CLI");
  applyMigrations(cluster);
  onStep("loading supabase/seed.sql");
  applySeed(cluster);
  if (demo) {
    onStep("loading demo data");
    applyDemo(cluster);
  }
}
