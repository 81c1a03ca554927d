// Child-process helpers. Output is captured so a failing step can show it,
// and never streamed unless asked, to keep `npm start` readable.
import { spawn, spawnSync } from "node:child_process";

export const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

export function run(cmd, args, { cwd, env, input, allowFail = false, stream = false } = {}) {
  const result = spawnSync(cmd, args, {
    cwd,
    env: { ...process.env, ...env },
    input,
    encoding: "utf8",
    stdio: stream ? ["pipe", "inherit", "inherit"] : "pipe",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  if (result.status !== 0 && !allowFail) {
    const out = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim();
    throw new Error(`${cmd} ${args.join(" ")} exited ${result.status}\n${out}`);
  }
  return result;
}

/** Runs a command as the postgres OS user when we are root: PostgreSQL refuses root. */
// cwd "/": the checkout may be a folder the postgres user cannot enter.
export function runAsPostgres(cmd, args, opts = {}) {
  if (isRoot) return run("runuser", ["-u", "postgres", "--", cmd, ...args], { cwd: "/", ...opts });
  return run(cmd, args, opts);
}

export function runAsync(cmd, args, { cwd, env } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}
