// The hosted delivery fetch connects only to addresses it judged itself:
// a name that resolves (or re-resolves, DNS rebinding) to a private address
// is refused at connect time, and the socket goes where the check looked.
import { attempt } from "../_shared/reports/webhooks/deliver.ts";
import { pinnedFetch, resolveAllowed } from "../_shared/reports/webhooks/pinned-fetch.ts";
import { TargetRefused } from "../_shared/reports/webhooks/ssrf.ts";
import { assert, assertEquals } from "../_shared/testing.ts";

async function receiver(status: number, headers: Record<string, string> = {}) {
  const seen: { host: string | null; body: string }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    seen.push({ host: req.headers.get("host"), body: await req.text() });
    return new Response("nope, not here", { status, headers });
  });
  return { seen, port: server.addr.port, close: () => server.shutdown() };
}

Deno.test("a name that resolves to loopback or a private range is refused when the connection looks it up", async () => {
  const rx = await receiver(200);
  try {
    for (const address of ["127.0.0.1", "10.1.2.3", "169.254.169.254", "::1", "::ffff:192.168.0.1"]) {
      const v6 = address.includes(":");
      const f = pinnedFetch({ resolve: (_h, type) => Promise.resolve((type === "AAAA") === v6 ? [address] : []) });
      const err = await f(`http://hooks.example.com:${rx.port}/in`, { method: "POST", body: new TextEncoder().encode("{}") }).then(() => null, (e) => e);
      assert(err instanceof Error && /at connect time/.test(err.message), `${address}: ${err}`);
    }
    assertEquals(rx.seen.length, 0, "nothing reached the receiver");
  } finally {
    await rx.close();
  }
});

Deno.test("DNS rebinding: a public answer to the check and a private one to the connection is refused", async () => {
  let calls = 0;
  const resolve = (_h: string, type: "A" | "AAAA") => Promise.resolve(type === "AAAA" ? [] : [calls++ === 0 ? "93.184.216.34" : "127.0.0.1"]);
  assertEquals((await resolveAllowed("rebind.example.com", { resolve })).map((a) => a.address), ["93.184.216.34"]);
  const err = await resolveAllowed("rebind.example.com", { resolve }).then(() => null, (e) => e);
  assert(err instanceof TargetRefused && err.message.includes("127.0.0.1 (loopback)"), String(err));
});

Deno.test("the socket connects to the address the lookup judged, with the Host header and the exact body", async () => {
  const rx = await receiver(503, { "retry-after": "7" });
  try {
    // Only 127.0.0.1 is allowed here (the test's receiver); the name does not exist in DNS.
    const f = pinnedFetch({ resolve: (_h, type) => Promise.resolve(type === "A" ? ["127.0.0.1"] : []), judge: (a) => (a === "127.0.0.1" ? null : "not the receiver") });
    const body = new TextEncoder().encode('{"type":"webhook.test"}');
    const r = await attempt({ url: `http://receiver.invalid:${rx.port}/hook`, headers: { "webhook-id": "msg_1" }, body, timeoutMs: 5000, fetch: f });
    assertEquals([r.outcome, r.status, r.retryAfterSeconds, r.error], ["failed", 503, 7, "HTTP 503: nope, not here"]);
    assertEquals(rx.seen, [{ host: `receiver.invalid:${rx.port}`, body: '{"type":"webhook.test"}' }]);
  } finally {
    await rx.close();
  }
});

Deno.test("a literal private address is refused without a connection; a timeout aborts", async () => {
  const f = pinnedFetch({ resolve: () => Promise.resolve([]) });
  const err = await f("http://127.0.0.1:9/x", { method: "POST" }).then(() => null, (e) => e);
  assert(err instanceof TargetRefused && err.message.includes("loopback"), String(err));
  const hang = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () => new Promise<Response>((r) => setTimeout(() => r(new Response("late")), 1000)));
  try {
    const slow = pinnedFetch({ resolve: (_h, t) => Promise.resolve(t === "A" ? ["127.0.0.1"] : []), judge: () => null });
    const r = await attempt({ url: `http://slow.invalid:${hang.addr.port}/`, headers: {}, body: new Uint8Array(), timeoutMs: 200, fetch: slow });
    assertEquals([r.outcome, r.status, r.error], ["failed", null, "timed out after 200 ms"]);
  } finally {
    await hang.shutdown();
  }
});
