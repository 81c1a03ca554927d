// Stops a cluster when the process that started it is gone, however it went
// (SIGKILL, a crash, its terminal closed): it holds the read end of a pipe
// from that process, and the pipe reaches end-of-file only when it dies.
// An orderly stop stops the cluster first; then this finds nothing to do.
//   node watchdog.mjs <data dir>        (stdin: the pipe)
import { runAsPostgres } from "./run.mjs";

const PG_CTL = "/usr/lib/postgresql/15/bin/pg_ctl";
const dataDir = process.argv[2];

// Signals meant for the stack reach us too (a terminal's Ctrl-C): our parent handles them.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => {});

process.stdin.on("data", () => {});
process.stdin.on("end", () => {
  const status = runAsPostgres(PG_CTL, ["status", "-D", dataDir], { allowFail: true });
  if (status.status === 0) runAsPostgres(PG_CTL, ["stop", "-w", "-m", "fast", "-D", dataDir], { allowFail: true });
  process.exit(0);
});
process.stdin.resume();
