// The health handler without a server: injected database ping and clock.
import { createHandler } from "./index.ts";
import { assertEquals } from "../_shared/testing.ts";


const now = () => new Date("2026-01-02T03:04:05.000Z");

Deno.test("health is ok when the database answers", async () => {
  const res = await createHandler({ pingDatabase: () => Promise.resolve(true), now })(new Request("http://x/health"));
  assertEquals(res.status, 200);
  assertEquals(await res.json(), { status: "ok", database: "up", time: "2026-01-02T03:04:05.000Z" });
});

Deno.test("health is degraded with 503 when the ping fails or throws", async () => {
  for (const ping of [() => Promise.resolve(false), () => Promise.reject(new Error("down"))]) {
    const res = await createHandler({ pingDatabase: ping, now })(new Request("http://x/health"));
    assertEquals(res.status, 503);
    assertEquals((await res.json()).database, "down");
  }
});

Deno.test("health answers CORS preflight and refuses POST", async () => {
  const handler = createHandler({ pingDatabase: () => Promise.resolve(true) });
  assertEquals((await handler(new Request("http://x/health", { method: "OPTIONS" }))).status, 204);
  const res = await handler(new Request("http://x/health", { method: "POST" }));
  assertEquals(res.status, 405);
  assertEquals((await res.json()).error.code, "method_not_allowed");
});
