// npm test — every check and test on a throwaway stack, then one summary
// line `N passed, N failed`. Does its own set-up like npm start, on its own
// cluster (<state dir>/test-<pid>, see scripts/lib/paths.mjs; a free port) and its own functions port, and
// removes them afterwards, so it runs beside a running `npm start`.
//
// Counted: each static check (tsc, deno check, db lint, db advisors, types
// up to date) as one; every pgTAP assertion; every Deno and vitest test.
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Cluster } from "./lib/cluster.mjs";
import { cliUrl, prepareDatabase, supabaseCli } from "./lib/database.mjs";
import { step } from "./lib/log.mjs";
import { run, runAsync } from "./lib/run.mjs";
import { bin, ensureSetup, root } from "./lib/setup.mjs";
import { DENO_CONFIG, freePort, STATE_DIR, startFunctions, stopProcess } from "./lib/stack.mjs";
import { committedTypes, EXPOSED_SCHEMAS, generateTypes } from "./lib/types.mjs";

const results = [];
const record = (name, passed, failed, detail = "") => {
  results.push({ name, passed, failed, detail });
  const mark = failed ? "FAIL" : "ok  ";
  process.stdout.write(`  ${mark} ${name}: ${passed} passed, ${failed} failed\n`);
  if (failed && detail) process.stdout.write(indent(detail.trim().split("\n").slice(-60).join("\n")) + "\n");
};
const indent = (text) => text.split("\n").map((l) => `       ${l}`).join("\n");

function check(name, fn) {
  try {
    const detail = fn();
    record(name, 1, 0, detail ?? "");
  } catch (error) {
    record(name, 0, 1, error.message);
  }
}

function functionFiles() {
  const dir = join(root, "functions");
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(dir, d.name)).filter((f) => f.endsWith(".ts")).map((f) => join(dir, d.name, f)));
}

function gatewayFiles() {
  const dir = join(root, "scripts", "gateway");
  return readdirSync(dir).filter((f) => f.endsWith(".ts")).map((f) => join(dir, f));
}

function parseTap(output) {
  const passed = (output.match(/^\s*ok \d+/gm) ?? []).length;
  const failed = (output.match(/^\s*not ok \d+/gm) ?? []).length;
  return { passed, failed };
}

const porcelain = () => run("git", ["status", "--porcelain"], { cwd: root, allowFail: true }).stdout;
const treeBefore = porcelain();
ensureSetup();
const cluster = new Cluster({ dir: join(STATE_DIR, `test-${process.pid}`), port: await freePort() });
let functions = null;
let exitCode = 1;
const functionsPort = await freePort();

try {
  step(`throwaway cluster on port ${cluster.port}`);
  cluster.init();
  cluster.start();
  prepareDatabase(cluster, { demo: true, onStep: step, publicUrl: `http://127.0.0.1:${functionsPort}` });

  step("static checks");
  check("tsc (packages, tests)", () => { run(bin("tsc"), ["-p", "tsconfig.json"], { cwd: root }); });
  check("deno check (every function, the gateway)", () => {
    run(bin("deno"), ["check", "--config", DENO_CONFIG, ...functionFiles(), ...gatewayFiles()], {
      cwd: root, env: { NO_COLOR: "1" },
    });
  });
  check("supabase db lint (fail on warning)", () => {
    const r = supabaseCli(["db", "lint", `--remote=${cliUrl(cluster.url)}`, "--schema", ["private", ...EXPOSED_SCHEMAS].join(","), "--level", "warning", "--fail-on", "warning"]);
    if (!/No schema errors found/.test(r.stdout + r.stderr)) throw new Error(r.stdout + r.stderr);
  });
  check("supabase db advisors (fail on warn)", () => {
    const r = supabaseCli(["db", "advisors", `--remote=${cliUrl(cluster.url)}`, "--level", "warn", "--fail-on", "warn"], { allowFail: true });
    if (r.status !== 0 || !/No issues found/.test(r.stdout + r.stderr)) throw new Error(r.stdout + r.stderr);
  });
  check("generated types are up to date (npm run gen:types)", () => {
    if (generateTypes(cluster.url) !== committedTypes()) {
      throw new Error("packages/client/src/database.types.ts is stale: run `npm run gen:types` and commit it");
    }
  });

  step("pgTAP (pg_prove supabase/tests)");
  {
    const r = await runAsync("pg_prove", ["--verbose", "--ext", ".sql", "-r", "-d", cluster.url, join(root, "supabase", "tests")], { cwd: root });
    const { passed, failed } = parseTap(r.stdout);
    const broken = r.status !== 0 && failed === 0 ? 1 : 0;
    const failures = r.stdout.split("\n").filter((l) => /^\s*not ok|^#\s/.test(l)).join("\n");
    record("pgTAP assertions", passed, failed + broken, failures + "\n" + r.stderr + (broken ? "\n" + r.stdout.split("\n").slice(-30).join("\n") : ""));
  }

  step("functions gateway for the integration tests");
  // No scheduler: tests drive the job workers themselves, so nothing races them.
  functions = await startFunctions({
    dbUrl: cluster.url, port: functionsPort, schedulerTickMs: 0, storageDir: join(cluster.dir, "storage"), outboxDir: join(cluster.dir, "outbox"),
  });

  step("Deno tests (functions)");
  {
    const tests = [...functionFiles(), ...gatewayFiles()].filter((f) => f.endsWith(".test.ts"));
    if (tests.length) {
      const r = await runAsync(bin("deno"), ["test", "--allow-net", "--allow-env", "--allow-read", `--allow-write=${functions.env.DOMUS_OUTBOX_DIR}`, "--config", DENO_CONFIG, ...tests], {
        cwd: root, env: { ...functions.env, NO_COLOR: "1" },
      });
      const m = /(ok|FAILED) \| (\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed/.exec(r.stdout + r.stderr);
      const passed = m ? Number(m[2]) : 0;
      const failed = m ? Number(m[3]) : 1;
      record("Deno tests", passed, failed + (r.status !== 0 && failed === 0 ? 1 : 0), r.stdout + r.stderr);
    }
  }

  step("vitest");
  {
    const report = join(cluster.dir, "vitest.json");
    const r = await runAsync(bin("vitest"), ["run", "--config", "tests/vitest.config.ts", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`], {
      cwd: root,
      env: { ...functions.env, SUPABASE_FUNCTIONS_URL: functions.url, CI: "true", NO_COLOR: "1" },
    });
    let passed = 0;
    let failed = r.status === 0 ? 0 : 1;
    if (existsSync(report)) {
      const json = JSON.parse(readFileSync(report, "utf8"));
      passed = json.numPassedTests;
      failed = json.numFailedTests + (r.status !== 0 && json.numFailedTests === 0 ? 1 : 0);
    }
    record("vitest tests", passed, failed, r.stdout + r.stderr);
  }

  step("npm start from a fresh clone in a mode-700 folder (tests/stack, node --test)");
  {
    const files = readdirSync(join(root, "tests", "stack")).filter((f) => f.endsWith(".test.mjs")).map((f) => join("tests", "stack", f));
    const r = await runAsync(process.execPath, ["--test", "--test-reporter=tap", ...files], { cwd: root, env: { NO_COLOR: "1" } });
    // Top-level results only: nested lines are indented.
    const passed = (r.stdout.match(/^ok \d+/gm) ?? []).length;
    const failed = (r.stdout.match(/^not ok \d+/gm) ?? []).length;
    record("stack lifecycle tests", passed, failed + (r.status !== 0 && failed === 0 ? 1 : 0), r.stdout + r.stderr);
  }

  check("npm test left git status --porcelain as it found it", () => {
    const after = porcelain();
    if (after !== treeBefore) throw new Error(`before:\n${treeBefore}\nafter:\n${after}`);
  });

  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  exitCode = failed === 0 && passed > 0 ? 0 : 1;
  process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
} catch (error) {
  process.stderr.write(`\nnpm test could not run: ${error.message}\n${cluster.tailLog(20)}\n`);
  process.stdout.write(`\n${results.reduce((n, r) => n + r.passed, 0)} passed, ${results.reduce((n, r) => n + r.failed, 0) + 1} failed\n`);
} finally {
  await stopProcess(functions?.child);
  cluster.destroy();
  rmSync(cluster.dir, { recursive: true, force: true });
}
process.exit(exitCode);
