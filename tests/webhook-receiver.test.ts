// The local webhook receiver (scripts/lib/webhook-receiver.mjs, `npm run
// webhook:receive`): what it accepts and refuses as a Standard Webhooks
// verifier (a forged signature, a replayed old timestamp, a body changed by
// one byte, a missing header, another secret), how it fails on purpose
// (first N attempts of every message, a random share, 503 with Retry-After)
// and counts attempts per webhook-id, its command line, and the same logic
// over a real socket.
import { createHmac, randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { createReceiver, formatEntry, parseArgs, startReceiver, UsageError } from "../scripts/lib/webhook-receiver.mjs";

const secret = () => `whsec_${randomBytes(32).toString("base64")}`;
const SECRET = secret();
const now = () => Math.floor(Date.now() / 1000);

/** A delivery signed the way the spec says, by hand (not by the library the receiver uses). */
function signed(body: string, { id = `msg_${randomBytes(8).toString("hex")}`, ts = now(), key = SECRET } = {}) {
  const raw = Buffer.from(key.slice("whsec_".length), "base64");
  const sig = createHmac("sha256", raw).update(`${id}.${ts}.${body}`).digest("base64");
  return { body, headers: { "webhook-id": id, "webhook-timestamp": String(ts), "webhook-signature": `v1,${sig}`, "content-type": "application/json" } };
}
const event = (type = "webhook.test") => JSON.stringify({ type, timestamp: new Date().toISOString(), data: { n: 1 } });

describe("verifying", () => {
  it("accepts a correctly signed delivery (204) and reads its id, timestamp, attempt and type", () => {
    const r = createReceiver({ secrets: [SECRET] });
    const req = signed(event("report.completed"), { id: "msg_ok" });
    const out = r.receive({ headers: req.headers, body: req.body });
    expect(out.status).toBe(204);
    expect(out.entry).toMatchObject({ id: "msg_ok", attempt: 1, type: "report.completed", verdict: "valid", status: 204, duplicate: false });
    expect(out.entry.timestamp).toBe(Number(req.headers["webhook-timestamp"]));
    expect(formatEntry(out.entry)).toMatch(/id msg_ok {2}attempt 1 {2}webhook-timestamp \d+ \(.*Z\) {2}type report\.completed {2}signature valid {2}-> 204$/);
  });

  it("a library-signed delivery and a header list with a rotated-out signature first verify too", () => {
    const r = createReceiver({ secrets: [SECRET] });
    const body = event();
    const ts = new Date(now() * 1000);
    const lib = new Webhook(SECRET).sign("msg_lib", ts, body);
    expect(r.receive({ headers: { "webhook-id": "msg_lib", "webhook-timestamp": String(now()), "webhook-signature": lib }, body }).status).toBe(204);
    const old = signed(body, { id: "msg_two", key: secret() }).headers["webhook-signature"];
    const cur = signed(body, { id: "msg_two" });
    expect(r.receive({ headers: { ...cur.headers, "webhook-signature": `${old} ${cur.headers["webhook-signature"]}` }, body }).status).toBe(204);
  });

  it("refuses a forged signature, another endpoint's secret, a replayed old timestamp, a future one, a body changed by one byte, missing headers (401, not counted)", () => {
    const r = createReceiver({ secrets: [SECRET] });
    const good = signed(event(), { id: "msg_target" });
    const cases: Array<[string, { headers: Record<string, string>; body: string }, RegExp]> = [
      ["forged", { headers: { ...good.headers, "webhook-signature": `v1,${randomBytes(32).toString("base64")}` }, body: good.body }, /No matching signature/],
      ["other secret", signed(good.body, { id: "msg_target", key: secret() }), /No matching signature/],
      ["replayed old", signed(good.body, { id: "msg_target", ts: now() - 10 * 60 }), /too old/],
      ["future", signed(good.body, { id: "msg_target", ts: now() + 10 * 60 }), /too new/],
      ["one byte", { headers: good.headers, body: good.body.replace('"n":1', '"n":2') }, /No matching signature/],
      ["one byte appended", { headers: good.headers, body: `${good.body} ` }, /No matching signature/],
      ["timestamp moved", { headers: { ...good.headers, "webhook-timestamp": String(Number(good.headers["webhook-timestamp"]) - 1) }, body: good.body }, /No matching signature/],
      ["id changed", { headers: { ...good.headers, "webhook-id": "msg_other" }, body: good.body }, /No matching signature/],
      ["v2 only", { headers: { ...good.headers, "webhook-signature": good.headers["webhook-signature"].replace("v1,", "v2,") }, body: good.body }, /No matching signature/],
      ["unsigned", { headers: { "webhook-id": "msg_target", "webhook-timestamp": String(now()) }, body: good.body }, /Missing required headers/],
    ];
    for (const [name, req, reason] of cases) {
      const out = r.receive({ headers: req.headers, body: req.body });
      expect([name, out.status], name).toEqual([name, 401]);
      expect(out.entry.verdict, name).toMatch(reason);
      expect(out.entry.attempt, name).toBeNull();
    }
    // None of them counted as an attempt of the message they named: the real one is attempt 1.
    expect(r.attempts.get("msg_target")).toBeUndefined();
    expect(r.receive({ headers: good.headers, body: good.body }).entry).toMatchObject({ attempt: 1, status: 204 });
    // A valid request sent again is flagged as already delivered (receivers dedupe on webhook-id).
    expect(r.receive({ headers: good.headers, body: good.body }).entry).toMatchObject({ attempt: 2, status: 204, duplicate: true });
  });

  it("accepts either of two secrets (while an endpoint's secret is being rotated)", () => {
    const next = secret();
    const r = createReceiver({ secrets: [SECRET, next] });
    expect(r.receive(signed(event(), { key: next })).status).toBe(204);
    expect(r.receive(signed(event(), { key: SECRET })).status).toBe(204);
    expect(r.receive(signed(event(), { key: secret() })).status).toBe(401);
  });

  it("answers only POST", () => {
    const r = createReceiver({ secrets: [SECRET] });
    expect(r.receive({ method: "GET", headers: {}, body: "" })).toMatchObject({ status: 405, headers: { allow: "POST" } });
  });
});

describe("failing on purpose", () => {
  it("--fail-first 2: the first two attempts of every message are 500, the third is delivered; messages are counted apart", () => {
    const r = createReceiver({ secrets: [SECRET], failFirst: 2 });
    const a = signed(event(), { id: "msg_a" });
    const b = signed(event(), { id: "msg_b" });
    const statuses = [a, b, a, a, b, b].map((req) => r.receive(req).status);
    expect(statuses).toEqual([500, 500, 500, 204, 500, 204]);
    expect(r.entries.map((e) => [e.id, e.attempt, e.reason])).toEqual([
      ["msg_a", 1, "fail-first 2"], ["msg_b", 1, "fail-first 2"], ["msg_a", 2, "fail-first 2"],
      ["msg_a", 3, null], ["msg_b", 2, "fail-first 2"], ["msg_b", 3, null],
    ]);
  });

  it("--fail-status 503 answers Retry-After; --fail-rate fails the draws below the rate", () => {
    const draws = [0.1, 0.5, 0.19, 0.2];
    const r = createReceiver({ secrets: [SECRET], failRate: 0.2, failStatus: 503, retryAfter: 7, random: () => draws.shift()! });
    const out = [0, 1, 2, 3].map(() => r.receive(signed(event())));
    expect(out.map((o) => o.status)).toEqual([503, 204, 503, 204]);
    expect(out[0]!.headers["retry-after"]).toBe("7");
    expect(out[1]!.headers["retry-after"]).toBeUndefined();
    expect(out[0]!.entry.reason).toBe("fail-rate 0.2");
  });

  it("a forged request is refused even while failing on purpose (the verdict comes first)", () => {
    const r = createReceiver({ secrets: [SECRET], failFirst: 5 });
    const good = signed(event());
    expect(r.receive({ headers: good.headers, body: `${good.body}x` }).status).toBe(401);
  });
});

describe("command line", () => {
  it("reads the options, repeated --secret and --flag=value; WEBHOOK_SECRET when no --secret", () => {
    const next = secret();
    expect(parseArgs(["--port", "9999", "--secret", SECRET, `--secret=${next}`, "--fail-first", "2", "--fail-rate", "0.2", "--fail-status", "503", "--retry-after", "30"]))
      .toEqual({ port: 9999, host: "127.0.0.1", secrets: [SECRET, next], failFirst: 2, failRate: 0.2, failStatus: 503, retryAfter: 30 });
    expect(parseArgs([], { WEBHOOK_SECRET: SECRET })).toMatchObject({ port: 8787, secrets: [SECRET], failFirst: 0, failRate: 0, failStatus: 500 });
  });

  it("refuses a missing or malformed secret and bad numbers with the usage text", () => {
    const bad: Array<[string[], RegExp]> = [
      [[], /--secret: required/],
      [["--secret", "not-a-secret"], /--secret: whsec_/],
      [["--secret", "whsec_"], /--secret: whsec_/],
      [["--secret", SECRET, "--fail-rate", "1.5"], /--fail-rate: a number from 0 to 1/],
      [["--secret", SECRET, "--fail-first", "-1"], /--fail-first: an integer/],
      [["--secret", SECRET, "--fail-first", "two"], /--fail-first: an integer/],
      [["--secret", SECRET, "--fail-status", "404"], /--fail-status: 500 or 503/],
      [["--secret", SECRET, "--port", "70000"], /--port: an integer/],
      [["--secret", SECRET, "--port"], /--port: needs a value/],
      [["--secret", SECRET, "--verbose", "1"], /--verbose: unknown option/],
    ];
    for (const [argv, message] of bad) {
      expect(() => parseArgs(argv), argv.join(" ")).toThrow(UsageError);
      expect(() => parseArgs(argv), argv.join(" ")).toThrow(message);
    }
  });
});

describe("over a socket", () => {
  it("serves the same decisions over HTTP on a free port and logs one line per request", async () => {
    const lines: string[] = [];
    const server = await startReceiver({ port: 0, secrets: [SECRET], failFirst: 1, failStatus: 503, retryAfter: 3, log: (l) => lines.push(l) });
    try {
      const req = signed(event("lead.created"), { id: "msg_socket" });
      const first = await fetch(`${server.url}/hook`, { method: "POST", headers: req.headers, body: req.body });
      const second = await fetch(`${server.url}/hook`, { method: "POST", headers: req.headers, body: req.body });
      const forged = await fetch(`${server.url}/hook`, { method: "POST", headers: req.headers, body: req.body.toUpperCase() });
      const huge = await fetch(`${server.url}/hook`, { method: "POST", headers: req.headers, body: "x".repeat(1024 * 1024 + 1) });
      expect([first.status, first.headers.get("retry-after"), second.status, forged.status, huge.status]).toEqual([503, "3", 204, 401, 413]);
      expect(lines.slice(0, 3).map((l) => / -> (\d+)/.exec(l)![1])).toEqual(["503", "204", "401"]);
      expect(lines[0]).toContain("type lead.created");
      expect(server.receiver.attempts.get("msg_socket")).toBe(2);
    } finally {
      await server.close();
    }
  });
});
