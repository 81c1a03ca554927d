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

/**
 * Demo data: every supabase/demo/*.sql in name order (platform first, then
 * each product). `publicUrl` (the gateway's base URL) becomes the
 * `domus.public_url` setting the demo files build their URLs from.
 */
export function applyDemo(cluster, { publicUrl } = {}) {
  if (!existsSync(DEMO_DIR)) return;
  const settings = publicUrl ? { "domus.public_url": publicUrl } : {};
  for (const file of readdirSync(DEMO_DIR).filter((f) => f.endsWith(".sql")).sort()) {
    cluster.psql(null, { file: join(DEMO_DIR, file), settings });
  }
}

/**
 * After the functions port moved, stored URLs that named the old gateway
 * (demo media, rendered outputs) are rewritten to the new one. Local data
 * only: triggers are skipped so finished rows may be touched.
 */
export function rewritePublicUrls(cluster, from, to) {
  if (!from || from === to) return 0;
  const sql = `
    set session_replication_role = replica;
    do $$
    declare c record;
    begin
      for c in
        select table_schema, table_name, column_name from information_schema.columns
        where table_schema in (select schema_name from public.products)
          and data_type = 'text' and column_name like '%url%'
          and (table_schema, table_name) in (select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE')
      loop
        execute format('update %I.%I set %I = replace(%I, %L, %L) where %I like %L',
          c.table_schema, c.table_name, c.column_name, c.column_name, '${from}/', '${to}/', c.column_name, '${from}/%');
      end loop;
    end $$;`;
  cluster.psql(sql);
  return 1;
}

export function prepareDatabase(cluster, { demo = true, onStep = () => {}, publicUrl } = {}) {
  onStep("applying the local platform script (roles, auth, storage, extensions)");
  applyPlatform(cluster);
  onStep("applying migrations with the Supabase CLI");
  applyMigrations(cluster);
  onStep("loading supabase/seed.sql");
  applySeed(cluster);
  if (demo) {
    onStep("loading demo data");
    applyDemo(cluster, { publicUrl });
  }
}
