#!/usr/bin/env node
// npm run webhook:receive -- --secret whsec_... [--port 8787] [--fail-first 2] [--fail-rate 0.2] [--fail-status 503]
// A local receiver for the Reports outgoing webhooks (docs/reports.md, "Try it
// (part 2)"): prints every request's webhook-id, attempt, webhook-timestamp,
// event type and the signature verdict of the independent `standardwebhooks`
// package, and fails on purpose as told so the sender's retries show.
// Writes nothing to disk; Ctrl-C stops it.
import { parseArgs, startReceiver, UsageError } from "./lib/webhook-receiver.mjs";

let options;
try {
  options = parseArgs(process.argv.slice(2), process.env);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(process.argv.includes("--help") || process.argv.includes("-h") ? 0 : 2);
}

const { url, close } = await startReceiver({ ...options, log: (line) => process.stdout.write(`${line}\n`) });
const failing = [
  options.failFirst ? `the first ${options.failFirst} attempt(s) of every message` : "",
  options.failRate ? `${Math.round(options.failRate * 100)}% of the others` : "",
].filter(Boolean).join(" and ");
process.stdout.write(
  `webhook receiver on ${url} (any path), verifying with standardwebhooks against ${options.secrets.length} secret(s)` +
    (failing ? `; answering ${options.failStatus}${options.failStatus === 503 ? ` + Retry-After: ${options.retryAfter}` : ""} to ${failing}` : "") +
    "\n",
);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    void close().then(() => process.exit(0));
  });
}
