// A private PostgreSQL 15 cluster: its own data directory, its own port,
// pg_cron preloaded, listening on 127.0.0.1 only. Started with pg_ctl; the
// port and socket directory are given on every start (not only written at
// creation), so DOMUS_DB_PORT always means what it says.
import { chmodSync, existsSync, mkdirSync, writeFileSync, rmSync, chownSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
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

  /** The cluster's directory, owned by the postgres OS user, on a path it can traverse. */
  ensureStateDir() {
    mkdirSync(this.dir, { recursive: true, mode: 0o755 });
    if (isRoot) {
      const { uid, gid } = postgresIds();
      chownSync(this.dir, uid, gid);
      // A umask of 077 would leave the state directories closed to postgres.
      for (const d of [dirname(this.dir), dirname(dirname(this.dir))]) chmodSync(d, 0o755);
    }
  }

  init() {
    this.ensureStateDir();
    if (isRoot) {
      const probe = runAsPostgres("test", ["-w", this.dir], { allowFail: true });
      if (probe.status !== 0) {
        throw new Error(`the postgres OS user cannot write ${this.dir}; set DOMUS_STATE_DIR to a directory it can reach`);
      }
    }
    runAsPostgres(join(PG_BIN, "initdb"), [
      "-D", this.dataDir, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8",
    ]);
    const conf = [
      "# Domus local cluster (written by scripts/lib/cluster.mjs)",
      "listen_addresses = '127.0.0.1'",
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

  /** The running postmaster's pid and port (postmaster.pid lines 1 and 4), or null. */
  postmaster() {
    try {
      const lines = readFileSync(join(this.dataDir, "postmaster.pid"), "utf8").split("\n");
      return { pid: Number(lines[0]), port: Number(lines[3]) };
    } catch {
      return null;
    }
  }

  start() {
    if (this.isRunning()) {
      if (this.postmaster()?.port === this.port) return;
      this.stop();
    }
    runAsPostgres(join(PG_BIN, "pg_ctl"), [
      "start", "-w", "-t", "60", "-D", this.dataDir, "-l", this.logFile, "-o", `-p ${this.port} -k ${this.dir}`,
    ]);
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
  psql(sql, { file, vars = {}, quiet = true, settings = {} } = {}) {
    const args = ["-X", "-v", "ON_ERROR_STOP=1", "-d", this.url];
    if (quiet) args.push("-q");
    for (const [k, v] of Object.entries(vars)) args.push("-v", `${k}=${v}`);
    if (file) args.push("-f", file);
    else args.push("-c", sql);
    const options = ["--client-min-messages=warning", ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`)];
    return run("psql", args, { env: { PGOPTIONS: options.join(" ") } }).stdout;
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
