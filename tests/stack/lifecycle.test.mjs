// `npm start` as a new user meets it (issue 9, sections 1 to 4), on a fresh
// clone of this repository in a mode-700 folder: `npm ci` from the committed
// lockfile, busy ports refused by name, the stack answering as itself on the
// ports it was given, a dying part taking the rest down, the port honoured on
// a warm start, SIGTERM to the npm process and the death of its parent each
// leaving no process behind, and the tree as clean as it was cloned.
// Run by `npm test` (node --test); takes a minute or two. It clones the
// repository's committed HEAD: uncommitted changes are not what it tests.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { stateDirFor } from "../../scripts/lib/paths.mjs";
import { freePort } from "../../scripts/lib/stack.mjs";

const repo = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const parent = mkdtempSync(join(tmpdir(), "domus-clone-"));
chmodSync(parent, 0o700);
const clone = join(parent, "domus");
execFileSync("git", ["clone", "-q", "--no-hardlinks", repo, clone]);
const stateDir = stateDirFor(clone);
const porcelain = () => execFileSync("git", ["status", "--porcelain"], { cwd: clone, encoding: "utf8" });
const cleanTree = porcelain();

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Every process of the clone's stack, as "pid args": npm, sh and node run in
 * the clone; deno, the watchdog and PostgreSQL name it or its state directory.
 */
function stackProcesses() {
  const found = [];
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
      let cwd = "";
      try { cwd = readlinkSync(`/proc/${pid}/cwd`); } catch { /* not ours to read */ }
      if (cwd === clone || cwd.startsWith(clone + "/") || cwd.startsWith(stateDir) || args.includes(clone) || args.includes(stateDir)) {
        found.push(`${pid} ${args}`);
      }
    } catch { /* exited meanwhile */ }
  }
  return found;
}

async function noneRemain() {
  for (let i = 0; i < 40 && stackProcesses().length; i++) await sleep(250);
  return stackProcesses();
}

/** `npm start` in the clone; resolves on `ready` or exit. */
function npmStart(env) {
  const child = spawn("npm", ["start"], {
    cwd: clone, env: { ...process.env, ...env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"],
  });
  const run = { child, out: "", err: "", exit: null };
  child.stdout.on("data", (d) => (run.out += d));
  child.stderr.on("data", (d) => (run.err += d));
  run.exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve((run.exit = { code, signal }))));
  run.ready = new Promise((resolve) => {
    const timer = setInterval(() => {
      if (/ready in [\d.]+s/.test(run.out) || run.exit) { clearInterval(timer); resolve(!run.exit); }
    }, 200);
  });
  return run;
}

function hold(port) {
  return new Promise((resolve) => { const s = createServer().listen(port, "127.0.0.1", () => resolve(s)); });
}

const envOf = () => Object.fromEntries(readFileSync(join(clone, ".stack", "env"), "utf8").trim().split("\n").map((l) => l.split(/=(.*)/s).slice(0, 2)));
const dbPort = await freePort();
const fnPort = await freePort();

after(async () => {
  for (const line of stackProcesses()) {
    try { process.kill(Number(line.split(" ")[0]), "SIGKILL"); } catch { /* gone */ }
  }
  rmSync(parent, { recursive: true, force: true });
  rmSync(stateDir, { recursive: true, force: true });
});

test("a fresh clone in a mode-700 folder refuses busy ports, naming the variables to set", async () => {
  const a = await hold(dbPort);
  const b = await hold(fnPort);
  try {
    const run = npmStart({ DOMUS_DB_PORT: String(dbPort), DOMUS_FUNCTIONS_PORT: String(fnPort) });
    await run.exited;
    assert.notEqual(run.exit.code, 0);
    assert.match(run.err, new RegExp(`${dbPort} in use: set DOMUS_DB_PORT=`));
    assert.match(run.err, new RegExp(`${fnPort} in use: set DOMUS_FUNCTIONS_PORT=`));
    assert.doesNotMatch(run.out, /starting PostgreSQL/);
  } finally {
    a.close();
    b.close();
  }
  assert.deepEqual(await noneRemain(), []);
});

test("npm start answers as itself on the ports given; a part dying stops the rest and says which", async () => {
  const run = npmStart({ DOMUS_DB_PORT: String(dbPort), DOMUS_FUNCTIONS_PORT: String(fnPort) });
  assert.equal(await run.ready, true, run.out + run.err);
  const env = envOf();
  assert.equal(env.SUPABASE_DB_URL, `postgresql://postgres:postgres@127.0.0.1:${dbPort}/postgres`);
  assert.equal(env.SUPABASE_FUNCTIONS_URL, `http://127.0.0.1:${fnPort}/functions/v1`);
  assert.equal(env.SUPABASE_URL, `http://127.0.0.1:${fnPort}`, "the project URL a client is made with");
  const health = await fetch(`${env.SUPABASE_FUNCTIONS_URL}/health`);
  assert.equal(health.status, 200);
  assert.match(health.headers.get("x-domus-stack-token") ?? "", /^[0-9a-f-]{36}$/);
  const token = /Access token for alice@demo\.domus\.dev \(24 h\):\n\s+(\S+)/.exec(run.out)?.[1];
  assert.ok(token, "a token is printed");
  assert.equal(JSON.parse(Buffer.from(token.split(".")[1], "base64url")).iss, `http://127.0.0.1:${fnPort}/auth/v1`);
  const urls = execFileSync("psql", ["-X", "-At", "-d", env.SUPABASE_DB_URL, "-c", "select distinct split_part(url, '/storage/', 1) from studio.media_items"], { encoding: "utf8" });
  assert.equal(urls.trim(), `http://127.0.0.1:${fnPort}`);

  const deno = stackProcesses().find((l) => l.includes("scripts/gateway/main.ts"));
  assert.ok(deno, "the gateway runs");
  process.kill(Number(deno.split(" ")[0]), "SIGKILL");
  await run.exited;
  assert.notEqual(run.exit.code, 0);
  assert.match(run.err, /functions gateway \(deno, pid \d+\) exited on SIGKILL/);
  assert.deepEqual(await noneRemain(), []);
});

test("a warm start honours new ports, keeps the data, and SIGTERM to npm stops everything", async () => {
  const newDbPort = await freePort();
  const newFnPort = await freePort();
  const run = npmStart({ DOMUS_DB_PORT: String(newDbPort), DOMUS_FUNCTIONS_PORT: String(newFnPort) });
  assert.equal(await run.ready, true, run.out + run.err);
  assert.doesNotMatch(run.out, /creating a PostgreSQL 15 cluster|installing npm dependencies/);
  const env = envOf();
  assert.equal(env.SUPABASE_DB_URL, `postgresql://postgres:postgres@127.0.0.1:${newDbPort}/postgres`);
  const users = execFileSync("psql", ["-X", "-At", "-d", env.SUPABASE_DB_URL, "-c", "select count(*) > 0 from auth.users"], { encoding: "utf8" });
  assert.equal(users.trim(), "t");
  assert.ok(stackProcesses().some((l) => l.includes(`-p ${newDbPort}`)), "PostgreSQL listens on the new port");
  assert.equal(env.SUPABASE_FUNCTIONS_URL, `http://127.0.0.1:${newFnPort}/functions/v1`);
  const urls = execFileSync("psql", ["-X", "-At", "-d", env.SUPABASE_DB_URL, "-c", "select distinct split_part(url, '/storage/', 1) from studio.media_items"], { encoding: "utf8" });
  assert.equal(urls.trim(), `http://127.0.0.1:${newFnPort}`, "stored media URLs follow the functions port");

  run.child.kill("SIGTERM"); // the npm process, as systemd or a CI runner would
  await run.exited;
  assert.deepEqual(await noneRemain(), []);
});

test("when the npm start process dies outright, the gateway and PostgreSQL go with it", async () => {
  const run = npmStart({ DOMUS_DB_PORT: String(dbPort), DOMUS_FUNCTIONS_PORT: String(fnPort) });
  assert.equal(await run.ready, true, run.out + run.err);
  const node = stackProcesses().find((l) => /^\d+ node scripts\/start\.mjs/.test(l));
  assert.ok(node, "node scripts/start.mjs runs");
  process.kill(Number(node.split(" ")[0]), "SIGKILL"); // no handler runs: only the pipes tell
  await run.exited;
  assert.deepEqual(await noneRemain(), []);
});

test("npm ci and npm start leave the clone's tree exactly as cloned", () => {
  assert.equal(porcelain(), cleanTree);
  assert.equal(cleanTree, "");
});
