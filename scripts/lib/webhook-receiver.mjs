// A local Standard Webhooks receiver: verifies every request with the npm
// `standardwebhooks` package (an implementation independent of ours, so a
// signing bug of the sender cannot hide behind a matching bug here), and
// fails on purpose when told (the first N attempts of every message, or a
// random share) so a newcomer can watch the sender's retries. It keeps what
// it saw in memory only and writes no file. Used by `npm run webhook:receive`
// (scripts/webhook-receiver.mjs) and in-process by
// tests/reports-integrations-flow.test.ts.
import { createServer } from "node:http";
import { Webhook } from "standardwebhooks";

export const MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_RETRY_AFTER_SECONDS = 10;

export class UsageError extends Error {}

const USAGE = `usage: npm run webhook:receive -- --secret whsec_... [--port 8787] [--host 127.0.0.1]
       [--fail-first N] [--fail-rate 0..1] [--fail-status 500|503] [--retry-after SECONDS]
  --secret       the endpoint's secret (whsec_...); give it twice while a rotation is under way
  --fail-first   answer the first N attempts of every message (by webhook-id) with the failure status
  --fail-rate    then answer that share of attempts with the failure status (0.2 = one in five)
  --fail-status  500 (default), or 503 with Retry-After
  --retry-after  seconds in Retry-After on a 503 (default ${DEFAULT_RETRY_AFTER_SECONDS})`;

/** The command line; a bad option is a UsageError with the usage text. */
export function parseArgs(argv, env = {}) {
  const options = { port: 8787, host: "127.0.0.1", secrets: [], failFirst: 0, failRate: 0, failStatus: 500, retryAfter: DEFAULT_RETRY_AFTER_SECONDS };
  const wrong = (message) => new UsageError(`${message}\n${USAGE}`);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") throw new UsageError(USAGE);
    const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = inline ?? argv[++i];
    if (value === undefined) throw wrong(`${flag}: needs a value`);
    const number = (min, max, integer) => {
      const n = Number(value);
      if (value.trim() === "" || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
        throw wrong(`${flag}: ${integer ? "an integer" : "a number"} from ${min} to ${max}`);
      }
      return n;
    };
    switch (flag) {
      case "--port": options.port = number(0, 65535, true); break;
      case "--host": options.host = value; break;
      case "--secret": options.secrets.push(value); break;
      case "--fail-first": options.failFirst = number(0, 1000, true); break;
      case "--fail-rate": options.failRate = number(0, 1, false); break;
      case "--fail-status":
        if (value !== "500" && value !== "503") throw wrong(`${flag}: 500 or 503`);
        options.failStatus = Number(value);
        break;
      case "--retry-after": options.retryAfter = number(0, 86400, true); break;
      default: throw wrong(`${flag}: unknown option`);
    }
  }
  if (!options.secrets.length && env.WEBHOOK_SECRET) options.secrets.push(env.WEBHOOK_SECRET);
  if (!options.secrets.length) throw wrong("--secret: required (the whsec_... the endpoint was created with)");
  for (const s of options.secrets) verifierFor(s, wrong);
  return options;
}

function verifierFor(secret, wrong = (m) => new UsageError(m)) {
  if (!/^whsec_[A-Za-z0-9+/]+={0,2}$/.test(secret)) throw wrong("--secret: whsec_ followed by base64");
  try {
    return new Webhook(secret);
  } catch (error) {
    throw wrong(`--secret: ${error.message}`);
  }
}

const header = (headers, name) => {
  const v = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(", ") : v;
};

/**
 * The receiver's decisions, without a socket: `receive({method, headers, body})`
 * answers `{status, headers, body, entry}`. Unsigned, forged, stale or altered
 * requests are 401 and do not count as attempts of the message they name; a
 * verified attempt fails on purpose as configured, else is 204. `random` is
 * injectable so tests decide the fail-rate draw.
 */
export function createReceiver({ secrets, failFirst = 0, failRate = 0, failStatus = 500, retryAfter = DEFAULT_RETRY_AFTER_SECONDS, random = Math.random }) {
  if (!secrets?.length) throw new UsageError("secrets: at least one whsec_ secret");
  const verifiers = secrets.map((s) => verifierFor(s));
  /** Verified attempts per webhook-id, and the ids answered 2xx. */
  const attempts = new Map();
  const delivered = new Set();
  const entries = [];

  function verify(body, headers) {
    let last = "no signature";
    for (const v of verifiers) {
      try {
        return { ok: true, payload: v.verify(body, headers) };
      } catch (error) {
        last = error.message;
      }
    }
    return { ok: false, reason: last };
  }

  function receive({ method = "POST", headers, body }) {
    const id = header(headers, "webhook-id") ?? null;
    const timestamp = header(headers, "webhook-timestamp") ?? null;
    const entry = { at: new Date().toISOString(), id, timestamp: timestamp === null ? null : Number(timestamp), attempt: null, type: null, verdict: "", status: 0, duplicate: false, reason: null };
    const answer = (status, text, extra = {}) => {
      entry.status = status;
      entries.push(entry);
      return { status, headers: { "content-type": "text/plain; charset=utf-8", ...extra }, body: text, entry };
    };
    if (method !== "POST") {
      entry.verdict = "not checked";
      return answer(405, "POST only\n", { allow: "POST" });
    }
    const plain = {};
    for (const [k, v] of Object.entries(headers)) if (v !== undefined) plain[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : String(v);
    const checked = verify(Buffer.isBuffer(body) ? body : Buffer.from(body ?? ""), plain);
    if (!checked.ok) {
      entry.verdict = `invalid (${checked.reason})`;
      return answer(401, `signature: ${checked.reason}\n`);
    }
    entry.verdict = "valid";
    entry.type = checked.payload && typeof checked.payload === "object" ? (checked.payload.type ?? null) : null;
    const n = (attempts.get(id) ?? 0) + 1;
    attempts.set(id, n);
    entry.attempt = n;
    entry.duplicate = delivered.has(id);
    let fail = null;
    if (n <= failFirst) fail = `fail-first ${failFirst}`;
    else if (failRate > 0 && random() < failRate) fail = `fail-rate ${failRate}`;
    if (fail) {
      entry.reason = fail;
      const extra = failStatus === 503 ? { "retry-after": String(retryAfter) } : {};
      return answer(failStatus, `failing on purpose (${fail})\n`, extra);
    }
    delivered.add(id);
    return answer(204, "");
  }

  return { receive, entries, attempts, delivered };
}

/** One line per request, for a person watching a terminal. */
export function formatEntry(e) {
  const ts = e.timestamp === null || !Number.isFinite(e.timestamp) ? "-" : `${e.timestamp} (${new Date(e.timestamp * 1000).toISOString().replace(".000", "")})`;
  const parts = [
    e.at,
    `id ${e.id ?? "-"}`,
    e.attempt ? `attempt ${e.attempt}` : "attempt -",
    `webhook-timestamp ${ts}`,
    `type ${e.type ?? "-"}`,
    `signature ${e.verdict}`,
    `-> ${e.status}${e.reason ? ` (${e.reason})` : ""}${e.duplicate ? " (already delivered: dedupe on webhook-id)" : ""}`,
  ];
  return parts.join("  ");
}

/** The body, or null when it is larger than MAX_BODY_BYTES (nothing past the limit is kept). */
function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    // Past the limit the rest is read and dropped, so the sender still gets the 413.
    req.on("data", (c) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on("end", () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/**
 * An HTTP server around createReceiver. Resolves once listening with its URL,
 * the receiver (entries, attempts) and close(). `onRequest` sees each raw
 * request (headers, body bytes) with the receiver's verdict, for tests that
 * check the deliveries themselves.
 */
export async function startReceiver({ port = 8787, host = "127.0.0.1", log = () => {}, onRequest = () => {}, ...options }) {
  const receiver = createReceiver(options);
  const server = createServer(async (req, res) => {
    const body = await readBody(req).catch(() => null);
    if (body === null) {
      res.writeHead(413, { "content-type": "text/plain; charset=utf-8", connection: "close" }).end(`body: at most ${MAX_BODY_BYTES} bytes\n`);
      return;
    }
    const out = receiver.receive({ method: req.method, headers: req.headers, body });
    log(formatEntry(out.entry));
    onRequest({ headers: req.headers, body, entry: out.entry });
    res.writeHead(out.status, out.headers).end(out.body);
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(undefined));
  });
  const address = server.address();
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    receiver,
    close: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve(undefined));
    }),
  };
}
