// The running stack: cluster + functions gateway, its keys and .stack/env.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { apiKey, LOCAL_JWT_SECRET } from "./jwt.mjs";
import { bin, root } from "./setup.mjs";

export const STACK_DIR = join(root, ".stack");
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

export function functionsEnv({ dbUrl, port }) {
  const keys = stackKeys();
  return {
    PORT: String(port),
    SUPABASE_URL: `http://127.0.0.1:${port}`,
    SUPABASE_DB_URL: dbUrl,
    SUPABASE_JWT_SECRET: keys.jwtSecret,
    SUPABASE_ANON_KEY: keys.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
  };
}

/**
 * Starts the Deno gateway and resolves once /functions/v1/health answers.
 * It also serves Storage from `storageDir` (default: $DOMUS_STORAGE_DIR, else
 * .stack/storage), the only place it may write.
 */
export async function startFunctions({ dbUrl, port, log = () => {}, schedulerTickMs = 5000, storageDir = process.env.DOMUS_STORAGE_DIR || join(STACK_DIR, "storage") }) {
  mkdirSync(storageDir, { recursive: true });
  const env = { ...functionsEnv({ dbUrl, port }), DOMUS_SCHEDULER_TICK_MS: String(schedulerTickMs), DOMUS_STORAGE_DIR: storageDir };
  const child = spawn(
    bin("deno"),
    ["run", "--allow-net", "--allow-env", "--allow-read", `--allow-write=${storageDir}`, "--config", DENO_CONFIG, join(root, "scripts", "serve-functions.ts")],
    { cwd: root, env: { ...process.env, ...env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout.on("data", (d) => { output += d; log(String(d)); });
  child.stderr.on("data", (d) => { output += d; log(String(d)); });
  const url = `http://127.0.0.1:${port}/functions/v1/health`;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`functions gateway exited:\n${output}`);
    try {
      const res = await fetch(url);
      if (res.status === 200) return { child, url: `http://127.0.0.1:${port}/functions/v1`, env };
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill("SIGTERM");
  throw new Error(`functions gateway did not become healthy in 120s:\n${output}`);
}

export function stopProcess(child) {
  return new Promise((resolve) => {
    if (!child || child.exitCode !== null) return resolve();
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
