// The running stack: cluster + functions gateway, its keys and .stack/env.
import { spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { apiKey, LOCAL_JWT_SECRET } from "./jwt.mjs";
import { STACK_DIR, STATE_DIR } from "./paths.mjs";
import { bin, root } from "./setup.mjs";

export { STACK_DIR, STATE_DIR };
export const GATEWAY_MAIN = join(root, "scripts", "gateway", "main.ts");
export const STACK_TOKEN_HEADER = "x-domus-stack-token";
export const DENO_CONFIG = join(root, "functions", "deno.json");

export function stackKeys() {
  return {
    jwtSecret: LOCAL_JWT_SECRET,
    anonKey: apiKey("anon"),
    serviceRoleKey: apiKey("service_role"),
  };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const keptKeys = new Map();
/**
 * An encryption key (base64 of 32 random bytes) that must outlive a restart,
 * because rows are sealed under it: $NAME, else the one an earlier
 * `npm start` wrote into .stack/env, else a new random one.
 */
export function keptKey(name) {
  if (process.env[name]) return process.env[name];
  if (keptKeys.has(name)) return keptKeys.get(name);
  const file = join(STACK_DIR, "env");
  const line = existsSync(file) ? readFileSync(file, "utf8").split("\n").find((l) => l.startsWith(`${name}=`)) : null;
  const key = line ? line.slice(name.length + 1).trim() : randomBytes(32).toString("base64");
  keptKeys.set(name, key);
  return key;
}

export function functionsEnv({ dbUrl, port }) {
  const keys = stackKeys();
  return {
    // Marketplace tokens (functions/_shared/quicksell/token-crypto.ts) and outgoing
    // webhook secrets (functions/_shared/secret-box.ts) are sealed under these.
    QUICKSELL_TOKEN_KEY: keptKey("QUICKSELL_TOKEN_KEY"),
    REPORTS_WEBHOOK_KEY: keptKey("REPORTS_WEBHOOK_KEY"),
    PORT: String(port),
    SUPABASE_URL: `http://127.0.0.1:${port}`,
    SUPABASE_DB_URL: dbUrl,
    SUPABASE_JWT_SECRET: keys.jwtSecret,
    SUPABASE_ANON_KEY: keys.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
  };
}

/**
 * A secret the local stack makes once and keeps in its state dir (so links
 * signed with it, e.g. Reports' unsubscribe links, survive restarts); an
 * environment variable of the same upper-case name wins.
 */
export function localSecret(name, envName) {
  if (envName && process.env[envName]) return process.env[envName];
  const dir = join(STATE_DIR, "secrets");
  const file = join(dir, name);
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const value = randomBytes(32).toString("hex");
  writeFileSync(file, value + "\n", { mode: 0o600 });
  return value;
}

/** Where local mail and SMS go (functions/_shared/messaging/outbox.ts): the state dir, never the checkout. */
export const DEFAULT_OUTBOX_DIR = process.env.DOMUS_OUTBOX_DIR || join(STATE_DIR, "outbox");

/** Resolves true when nothing listens on 127.0.0.1:port (we can bind it), false when it is taken. */
export function portIsFree(port) {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (error) => (error.code === "EADDRINUSE" || error.code === "EACCES" ? resolve(false) : reject(error)));
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Refuses, before anything starts, when a port is taken, naming the variable
 * that moves it: `{ DOMUS_DB_PORT: 54332, ... }`.
 */
export async function assertPortsFree(ports) {
  const taken = [];
  for (const [variable, port] of Object.entries(ports)) {
    if (!(await portIsFree(port))) taken.push(`${port} in use: set ${variable}=<another port> (e.g. ${variable}=${await freePort()})`);
  }
  if (taken.length) throw new Error(taken.join("\n"));
}

/**
 * Starts the Deno gateway and resolves once /functions/v1/health answers
 * with this start's token (so a gateway of another stack on the same port is
 * never mistaken for ours). It also serves Storage from `storageDir`
 * (default: $DOMUS_STORAGE_DIR, else .stack/storage), the only place it may
 * write, besides the mail/SMS outbox (`outboxDir`). Its stdin is a pipe from us: when this process dies, it exits too.
 */
export async function startFunctions({ dbUrl, port, log = () => {}, schedulerTickMs = 5000, storageDir = process.env.DOMUS_STORAGE_DIR || join(STACK_DIR, "storage"), outboxDir = DEFAULT_OUTBOX_DIR }) {
  mkdirSync(storageDir, { recursive: true });
  mkdirSync(outboxDir, { recursive: true });
  const token = randomUUID();
  const env = {
    ...functionsEnv({ dbUrl, port }), DOMUS_SCHEDULER_TICK_MS: String(schedulerTickMs), DOMUS_STORAGE_DIR: storageDir,
    DOMUS_OUTBOX_DIR: outboxDir, REPORTS_UNSUBSCRIBE_KEY: localSecret("reports-unsubscribe-key", "REPORTS_UNSUBSCRIBE_KEY"),
  };
  // Own process group: a terminal's Ctrl-C reaches only us, and we stop it in order.
  const child = spawn(
    bin("deno"),
    ["run", "--allow-net", "--allow-env", "--allow-read", `--allow-write=${storageDir},${outboxDir}`, "--config", DENO_CONFIG, GATEWAY_MAIN],
    {
      cwd: root,
      env: { ...process.env, ...env, DOMUS_STACK_TOKEN: token, DOMUS_EXIT_WITH_STDIN: "1", NO_COLOR: "1" },
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    },
  );
  let output = "";
  const keep = (d) => { output = (output + d).slice(-20_000); log(String(d)); };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const url = `http://127.0.0.1:${port}/functions/v1/health`;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`functions gateway exited:\n${output}`);
    try {
      const res = await fetch(url);
      await res.body?.cancel();
      if (res.status === 200) {
        if (res.headers.get(STACK_TOKEN_HEADER) !== token) {
          await stopProcess(child);
          throw new Error(`port ${port} is answered by another functions gateway, not this stack's: stop it or move this one (DOMUS_FUNCTIONS_PORT)`);
        }
        return { child, url: `http://127.0.0.1:${port}/functions/v1`, env, output: () => output };
      }
    } catch (error) {
      if (/another functions gateway/.test(error.message)) throw error;
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stopProcess(child);
  throw new Error(`functions gateway did not become healthy in 120s:\n${output}`);
}

export function stopProcess(child) {
  return new Promise((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
    setTimeout(() => child.exitCode === null && child.kill("SIGKILL"), 5000).unref();
  });
}

export function writeEnvFile(values) {
  mkdirSync(STACK_DIR, { recursive: true });
  const text = Object.entries(values).map(([k, v]) => `${k}=${v}`).join("\n") + "\n";
  writeFileSync(join(STACK_DIR, "env"), text);
}
