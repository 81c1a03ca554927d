// npm start — the local Domus stack without Docker.
//   1. installs what is missing (npm ci from the lockfile, Debian PostgreSQL extensions)
//   2. refuses at once if a port it needs is taken (naming the variable to set)
//   3. starts a private PostgreSQL 15 cluster outside the checkout
//      (scripts/lib/paths.mjs: /var/tmp/domus/<hash of the checkout's path>)
//   4. platform script, migrations (Supabase CLI), seed, demo data
//   5. serves every edge function at http://127.0.0.1:54321/functions/v1/<name>
//   6. writes .stack/env and prints `ready`
// It stops everything (gateway, PostgreSQL) on SIGINT/SIGTERM, when any part
// dies after `ready` (saying which and why), and when its parent goes away.
// `npm start -- --reset` rebuilds the database from scratch.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Cluster } from "./lib/cluster.mjs";
import { applyDemo, applyMigrations, applyPlatform, applySeed, rewritePublicUrls } from "./lib/database.mjs";
import { userToken } from "./lib/jwt.mjs";
import { elapsedSeconds, step } from "./lib/log.mjs";
import { ensureSetup, root } from "./lib/setup.mjs";
import { assertPortsFree, STACK_DIR, STATE_DIR, stackKeys, startFunctions, stopProcess, writeEnvFile } from "./lib/stack.mjs";

const args = process.argv.slice(2);
const reset = args.includes("--reset");
const DB_PORT = Number(process.env.DOMUS_DB_PORT ?? 54332);
const FUNCTIONS_PORT = Number(process.env.DOMUS_FUNCTIONS_PORT ?? 54321);
const PUBLIC_URL = `http://127.0.0.1:${FUNCTIONS_PORT}`;
const LOCK = join(STATE_DIR, "start.pid");

let functions = null;
let watchdog = null;
let ownsLock = false;
let clusterOurs = false; // never stop a cluster another start is using
const cluster = new Cluster({ dir: join(STATE_DIR, "db"), port: DB_PORT });
let stopping = false;

async function shutdown(code = 0, why = "") {
  if (stopping) return;
  stopping = true;
  if (why) process.stderr.write(`\n${why}\n`);
  process.stdout.write("\nstopping: functions gateway, PostgreSQL\n");
  await stopProcess(functions?.child);
  try { if (clusterOurs) cluster.stop(); } catch (error) { process.stderr.write(`could not stop PostgreSQL: ${error.message}\n`); }
  watchdog?.stdin.end();
  if (ownsLock) rmSync(LOCK, { force: true });
  process.stdout.write("stopped\n");
  process.exit(code);
}
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => void shutdown(0));

// The parent (npm, a shell, a supervisor) gone means nobody will ever stop us: stop now.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) void shutdown(1, `parent process ${parentPid} is gone: stopping the stack`);
}, 1000).unref();

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

/** One `npm start` per checkout: a second would share (and later stop) the first one's cluster. */
function takeLock() {
  if (existsSync(LOCK)) {
    const pid = Number(readFileSync(LOCK, "utf8"));
    if (pid && pid !== process.pid && alive(pid)) {
      throw new Error(`npm start is already running for this checkout (pid ${pid}); stop it first`);
    }
  }
  writeFileSync(LOCK, String(process.pid));
  ownsLock = true;
}

function startWatchdog() {
  const child = spawn(process.execPath, [join(root, "scripts", "lib", "watchdog.mjs"), cluster.dataDir], {
    stdio: ["pipe", "ignore", "inherit"],
    detached: true,
  });
  child.unref();
  return child;
}

/** After `ready`: any part that stops on its own takes the rest down, saying which and why. */
function watchParts() {
  functions.child.once("exit", (code, signal) => {
    const tail = functions.output().trim().split("\n").slice(-15).join("\n");
    void shutdown(1, `functions gateway (deno, pid ${functions.child.pid}) exited ${signal ? `on ${signal}` : `with code ${code}`}${tail ? `; its last output:\n${tail}` : ""}`);
  });
  const postmaster = cluster.postmaster();
  setInterval(() => {
    if (stopping || !postmaster || alive(postmaster.pid)) return;
    void shutdown(1, `PostgreSQL (pid ${postmaster.pid}) stopped; last lines of ${cluster.logFile}:\n${cluster.tailLog(15)}`);
  }, 1000);
}

try {
  step("checking set-up (npm dependencies, Debian packages)");
  ensureSetup();
  cluster.ensureStateDir();
  takeLock();
  // A cluster left running by an earlier start that did not stop cleanly is ours: stop it, then check ports.
  if (cluster.exists && cluster.isRunning()) {
    clusterOurs = true;
    step("stopping PostgreSQL left running by an earlier npm start");
    cluster.stop();
  }
  await assertPortsFree({ DOMUS_DB_PORT: DB_PORT, DOMUS_FUNCTIONS_PORT: FUNCTIONS_PORT });

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
  watchdog = startWatchdog();
  clusterOurs = true;
  cluster.start();

  step("applying the local platform script (roles, auth, storage, extensions)");
  applyPlatform(cluster);
  step("applying pending migrations with the Supabase CLI");
  applyMigrations(cluster);
  step("loading supabase/seed.sql");
  applySeed(cluster);
  const urlFile = join(cluster.dir, "public-url");
  if (cluster.value("select count(*) from auth.users") === "0") {
    step("loading demo data (supabase/demo/*.sql)");
    applyDemo(cluster, { publicUrl: PUBLIC_URL });
  } else {
    step("demo data already present (npm start -- --reset to reload)");
    const before = existsSync(urlFile) ? readFileSync(urlFile, "utf8").trim() : "http://127.0.0.1:54321";
    if (before !== PUBLIC_URL) {
      step(`functions port moved: rewriting stored URLs from ${before} to ${PUBLIC_URL}`);
      rewritePublicUrls(cluster, before, PUBLIC_URL);
    }
  }
  writeFileSync(urlFile, PUBLIC_URL + "\n");

  step(`starting the functions gateway on 127.0.0.1:${FUNCTIONS_PORT}`);
  functions = await startFunctions({ dbUrl: cluster.url, port: FUNCTIONS_PORT });

  const keys = stackKeys();
  const env = {
    // The project URL clients are made with (createDomusClient({ url })): functions and Storage
    // are served under it; /rest/v1 and /auth/v1 answer 501 on this Docker-free stack.
    SUPABASE_URL: functions.url.replace(/\/functions\/v1$/, ""),
    SUPABASE_DB_URL: cluster.url,
    SUPABASE_FUNCTIONS_URL: functions.url,
    SUPABASE_JWT_SECRET: keys.jwtSecret,
    SUPABASE_ANON_KEY: keys.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
    // Kept across restarts (scripts/lib/stack.mjs keptKey): marketplace tokens and webhook secrets are sealed under them.
    QUICKSELL_TOKEN_KEY: functions.env.QUICKSELL_TOKEN_KEY,
    REPORTS_WEBHOOK_KEY: functions.env.REPORTS_WEBHOOK_KEY,
    // Local mail (.eml) and SMS (.json) land here when no provider key is set.
    DOMUS_OUTBOX_DIR: functions.env.DOMUS_OUTBOX_DIR,
    REPORTS_UNSUBSCRIBE_KEY: functions.env.REPORTS_UNSUBSCRIBE_KEY,
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
    token = userToken({ sub: aliceId, email: "alice@demo.domus.dev", sessionId, ttlSeconds: 24 * 3600, issuer: `${PUBLIC_URL}/auth/v1` });
  }

  const rows = Object.entries(env).map(([k, v]) => `  ${k.padEnd(26)} ${v}`).join("\n");
  const people = demo
    ? demo.split("\n").map((l) => { const [email, , roles] = l.split("|"); return `  ${email.padEnd(26)} ${roles}`; }).join("\n")
    : "  (none)";
  watchParts();
  process.stdout.write(`
Domus local stack (written to .stack/env; database in ${cluster.dir})
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
  const log = cluster.tailLog(20);
  await shutdown(1, `${error.message}${log && !/in use: set|already running/.test(error.message) ? `\n\nlast lines of ${cluster.logFile}:\n${log}` : ""}\nerror: npm start failed`);
}
