// A private PostgreSQL 15 cluster: its own data directory, its own port,
// pg_cron preloaded, listening on 127.0.0.1 only. Started with pg_ctl so a
// crash of the Node process never leaves a half-started server behind: the
// next start finds the postmaster.pid and stops or reuses it.
import { existsSync, mkdirSync, writeFileSync, rmSync, chownSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { isRoot, run, runAsPostgres } from "./run.mjs";
import { PG_BIN } from "./setup.mjs";

function postgresIds() {
  const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
  return { uid, gid };
}

export class Cluster {
  constructor({ dir, port }) {
    this.dir = dir;
    this.dataDir = join(dir, "data");
    this.logFile = join(dir, "postgres.log");
    this.port = port;
  }

  get url() {
    return `postgresql://postgres:postgres@127.0.0.1:${this.port}/postgres`;
  }

  get exists() {
    return existsSync(join(this.dataDir, "PG_VERSION"));
  }

  init() {
    mkdirSync(this.dir, { recursive: true });
    if (isRoot) {
      const { uid, gid } = postgresIds();
      chownSync(this.dir, uid, gid);
      const probe = runAsPostgres("test", ["-w", this.dir], { allowFail: true });
      if (probe.status !== 0) {
        throw new Error(
          `the postgres OS user cannot write ${this.dir}; clone the project where that user can traverse the path (e.g. /work or /srv)`,
        );
      }
    }
    runAsPostgres(join(PG_BIN, "initdb"), [
      "-D", this.dataDir, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8",
    ]);
    const conf = [
      "# Domus local cluster (written by scripts/lib/cluster.mjs)",
      `port = ${this.port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${this.dir}'`,
      "shared_preload_libraries = 'pg_cron'",
      "cron.database_name = 'postgres'",
      "max_connections = 200",
      "fsync = off",
      "synchronous_commit = off",
      "full_page_writes = off",
      "shared_buffers = 256MB",
      "log_min_messages = warning",
      "",
    ].join("\n");
    writeFileSync(join(this.dataDir, "postgresql.auto.conf"), conf);
    if (isRoot) {
      const { uid, gid } = postgresIds();
      chownSync(join(this.dataDir, "postgresql.auto.conf"), uid, gid);
    }
  }

  isRunning() {
    const r = runAsPostgres(join(PG_BIN, "pg_ctl"), ["status", "-D", this.dataDir], { allowFail: true });
    return r.status === 0;
  }

  start() {
    if (this.isRunning()) return;
    runAsPostgres(join(PG_BIN, "pg_ctl"), ["start", "-w", "-t", "60", "-D", this.dataDir, "-l", this.logFile]);
  }

  stop() {
    if (!existsSync(this.dataDir) || !this.isRunning()) return;
    runAsPostgres(join(PG_BIN, "pg_ctl"), ["stop", "-w", "-m", "fast", "-D", this.dataDir], { allowFail: true });
  }

  destroy() {
    this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Runs SQL text (or a file with {file}) through psql, stopping at the first error. */
  psql(sql, { file, vars = {}, quiet = true } = {}) {
    const args = ["-X", "-v", "ON_ERROR_STOP=1", "-d", this.url];
    if (quiet) args.push("-q");
    for (const [k, v] of Object.entries(vars)) args.push("-v", `${k}=${v}`);
    if (file) args.push("-f", file);
    else args.push("-c", sql);
    return run("psql", args, { env: { PGOPTIONS: "--client-min-messages=warning" } }).stdout;
  }

  /** One value from a query, as text. */
  value(sql) {
    return run("psql", ["-X", "-A", "-t", "-d", this.url, "-c", sql]).stdout.trim();
  }

  tailLog(lines = 40) {
    if (!existsSync(this.logFile)) return "";
    return readFileSync(this.logFile, "utf8").split("\n").slice(-lines).join("\n");
  }
}
