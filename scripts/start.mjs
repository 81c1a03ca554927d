// npm start — the local Domus stack without Docker.
//   1. installs what is missing (npm deps, Debian PostgreSQL extensions)
//   2. starts a private PostgreSQL 15 cluster in .stack/db (port 54332)
//   3. platform script, migrations (Supabase CLI), seed, demo data
//   4. serves every edge function at http://127.0.0.1:54321/functions/v1/<name>
//   5. writes .stack/env and prints `ready`; Ctrl-C / SIGTERM stops it all
// `npm start -- --reset` rebuilds the database from scratch.
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { Cluster } from "./lib/cluster.mjs";
import { applyDemo, applyMigrations, applyPlatform, applySeed } from "./lib/database.mjs";
import { userToken } from "./lib/jwt.mjs";
import { elapsedSeconds, fail, step } from "./lib/log.mjs";
import { ensureSetup } from "./lib/setup.mjs";
import { STACK_DIR, stackKeys, startFunctions, stopProcess, writeEnvFile } from "./lib/stack.mjs";

const args = process.argv.slice(2);
const reset = args.includes("--reset");
const DB_PORT = Number(process.env.DOMUS_DB_PORT ?? 54332);
const FUNCTIONS_PORT = Number(process.env.DOMUS_FUNCTIONS_PORT ?? 54321);

let functions = null;
const cluster = new Cluster({ dir: join(STACK_DIR, "db"), port: DB_PORT });
let stopping = false;

async function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  process.stdout.write("\nstopping: functions gateway, PostgreSQL\n");
  await stopProcess(functions?.child);
  cluster.stop();
  process.stdout.write("stopped\n");
  process.exit(code);
}
process.on("SIGINT", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));

try {
  step("checking set-up (npm dependencies, Debian packages)");
  ensureSetup();

  if (reset) {
    step("--reset: removing the local database and storage");
    cluster.destroy();
    rmSync(join(STACK_DIR, "storage"), { recursive: true, force: true });
  }
  const fresh = !cluster.exists;
  if (fresh) {
    step(`creating a PostgreSQL 15 cluster in ${cluster.dir}`);
    cluster.init();
  }
  step(`starting PostgreSQL on 127.0.0.1:${DB_PORT}`);
  cluster.start();

  step("applying the local platform script (roles, auth, storage, extensions)");
  applyPlatform(cluster);
  step("applying pending migrations with the Supabase CLI");
  applyMigrations(cluster);
  step("loading supabase/seed.sql");
  applySeed(cluster);
  if (cluster.value("select count(*) from auth.users") === "0") {
    step("loading demo data (supabase/demo/*.sql)");
    applyDemo(cluster);
  } else {
    step("demo data already present (npm start -- --reset to reload)");
  }

  step(`starting the functions gateway on 127.0.0.1:${FUNCTIONS_PORT}`);
  functions = await startFunctions({ dbUrl: cluster.url, port: FUNCTIONS_PORT });

  const keys = stackKeys();
  const env = {
    SUPABASE_DB_URL: cluster.url,
    SUPABASE_FUNCTIONS_URL: functions.url,
    SUPABASE_JWT_SECRET: keys.jwtSecret,
    SUPABASE_ANON_KEY: keys.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
  };
  writeEnvFile(env);

  const demo = cluster.value(
    "select string_agg(p.email || '|' || p.id || '|' || coalesce((select string_agg(a.name || ' (' || m.role || ')', ', ' order by a.name) from public.account_memberships m join public.accounts a on a.id = m.account_id where m.user_id = p.id and a.account_type <> 'personal'), 'solo') || case when exists (select 1 from public.platform_admins pa where pa.user_id = p.id) then ', platform admin' else '' end, E'\\n' order by p.email) from public.profiles p where p.email like '%@demo.domus.dev'",
  );
  const alice = demo.split("\n").find((l) => l.startsWith("alice@"));
  let token = "";
  if (alice) {
    const sessionId = randomUUID();
    const aliceId = alice.split("|")[1];
    cluster.psql(`insert into auth.sessions (id, user_id, user_agent) values ('${sessionId}', '${aliceId}', 'npm start')`);
    token = userToken({ sub: aliceId, email: "alice@demo.domus.dev", sessionId, ttlSeconds: 24 * 3600 });
  }

  const rows = Object.entries(env).map(([k, v]) => `  ${k.padEnd(26)} ${v}`).join("\n");
  const people = demo
    ? demo.split("\n").map((l) => { const [email, , roles] = l.split("|"); return `  ${email.padEnd(26)} ${roles}`; }).join("\n")
    : "  (none)";
  process.stdout.write(`
Domus local stack (written to .stack/env)
${rows}

Demo users (password: domus-demo-password)
${people}

Access token for alice@demo.domus.dev (24 h):
  ${token}

Try:  curl -H "Authorization: Bearer <token>" ${functions.url}/me
      psql "${cluster.url}"

ready in ${elapsedSeconds().toFixed(1)}s — Ctrl-C to stop
`);
} catch (error) {
  process.stderr.write(`\n${error.message}\n`);
  const log = cluster.tailLog(20);
  if (log) process.stderr.write(`\nlast lines of ${cluster.logFile}:\n${log}\n`);
  await shutdown(1);
  fail("npm start failed");
}
