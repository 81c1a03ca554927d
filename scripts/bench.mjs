// npm run bench [-- <name>...] — benchmarks, not tests: each prints its
// figures and writes bench/results/<name>.json. Every module in
// scripts/bench/ (except _*.mjs helpers) is a benchmark: its default export
// is `async ({ url, cluster, step, functions }) => results`, where
// `functions()` starts (once) the local functions gateway and resolves to
// { url, env }. Runs all of them, or the ones named on the command line, on
// a throwaway cluster (like npm test: .stack/bench-<pid>, a free port, no
// demo data), which is destroyed afterwards.
//
//   npm run bench               # every benchmark
//   npm run bench -- billing    # one
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Cluster } from "./lib/cluster.mjs";
import { prepareDatabase } from "./lib/database.mjs";
import { step } from "./lib/log.mjs";
import { ensureSetup, root } from "./lib/setup.mjs";
import { freePort, STATE_DIR, startFunctions, stopProcess } from "./lib/stack.mjs";

const BENCH_DIR = join(root, "scripts", "bench");
const RESULTS_DIR = join(root, "bench", "results");

const available = readdirSync(BENCH_DIR)
  .filter((f) => f.endsWith(".mjs") && !f.startsWith("_"))
  .map((f) => f.replace(/\.mjs$/, ""))
  .sort();
const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length) {
  process.stderr.write(`unknown benchmark ${unknown.join(", ")}; available: ${available.join(", ")}\n`);
  process.exit(2);
}
const selected = wanted.length ? wanted : available;

function print(value, indent = "  ") {
  for (const [k, v] of Object.entries(value)) {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      process.stdout.write(`${indent}${k}:\n`);
      print(v, indent + "  ");
    } else {
      process.stdout.write(`${indent}${k}: ${Array.isArray(v) ? JSON.stringify(v) : v}\n`);
    }
  }
}

ensureSetup();
const cluster = new Cluster({ dir: join(STATE_DIR, `bench-${process.pid}`), port: await freePort() });
let gateway = null;
let exitCode = 0;
const functions = async () => {
  gateway ??= startFunctions({ dbUrl: cluster.url, port: await freePort(), schedulerTickMs: 0, storageDir: join(cluster.dir, "storage") }).catch((error) => {
    gateway = null;
    throw error;
  });
  return gateway;
};

const stop = async () => {
  const g = await gateway?.catch(() => null);
  await stopProcess(g?.child);
  cluster.destroy();
  rmSync(cluster.dir, { recursive: true, force: true });
};
process.once("SIGINT", () => stop().finally(() => process.exit(130)));
process.once("SIGTERM", () => stop().finally(() => process.exit(143)));

try {
  step(`throwaway cluster on port ${cluster.port}`);
  cluster.init();
  cluster.start();
  prepareDatabase(cluster, { demo: false, onStep: step });
  const environment = {
    node: process.version,
    postgres: cluster.value("show server_version"),
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? "unknown",
  };
  mkdirSync(RESULTS_DIR, { recursive: true });

  for (const name of selected) {
    step(`benchmark ${name}`);
    const mod = await import(pathToFileURL(join(BENCH_DIR, `${name}.mjs`)).href);
    const started = new Date();
    const results = await mod.default({ url: cluster.url, cluster, step, functions });
    const report = { benchmark: name, description: mod.description ?? null, started_at: started.toISOString(), environment, ...results };
    const file = join(RESULTS_DIR, `${name}.json`);
    writeFileSync(file, JSON.stringify(report, null, 2) + "\n");
    process.stdout.write(`\n${name}:\n`);
    print(results);
    process.stdout.write(`  (written to ${file.slice(root.length + 1)})\n\n`);
    if (results.ok === false) exitCode = 1;
  }
} catch (error) {
  process.stderr.write(`\nnpm run bench could not run: ${error.stack ?? error.message}\n${cluster.tailLog(20)}\n`);
  exitCode = 1;
} finally {
  await stop();
}
process.exit(exitCode);
