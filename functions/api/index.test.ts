// The api function on the real database: every status it answers for a key
// (401 missing / malformed / bad checksum / unknown / revoked, 403 scope, 429
// with Retry-After), the routes within scopes, one account never reaching
// another's rows, a concurrent burst never admitting more than the limit, and
// the OpenAPI document listing every route.
import { apiScopes } from "@domus/contracts/reports-api.ts";
import { checksumOf, makeKey } from "../_shared/reports/api/keys.ts";
import { routes } from "../_shared/reports/api/routes.ts";
import { apiStore, type ApiStore } from "../_shared/reports/api/store.ts";
import { assert, assertEquals, dbTest, newUser, testSql } from "../_shared/testing.ts";
import { createHandler } from "./index.ts";

const BASE = "http://local/functions/v1/api";

async function keyFor(accountOwner: string, accountId: string, scopes: string[], rateLimit = 100): Promise<{ id: string; key: string }> {
  const [row] = await testSql().begin(async (tx) => {
    await tx`select set_config('role', 'authenticated', true),
                    set_config('request.jwt.claims', ${JSON.stringify({ sub: accountOwner, role: "authenticated" })}, true)`;
    return await tx`select reports.create_api_key(${accountId}, 'test key', ${scopes}::text[], ${rateLimit}) as k`;
  });
  return row.k as { id: string; key: string };
}

/** A store that counts database calls, so a test can prove a refusal made none. */
function spied(store: ApiStore) {
  const calls: string[] = [];
  const proxy = new Proxy(store, {
    get(target, prop) {
      const value = target[prop as keyof ApiStore];
      return typeof value === "function"
        ? (...args: unknown[]) => {
          calls.push(String(prop));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        }
        : value;
    },
  });
  return { store: proxy, calls };
}

function setup() {
  const spy = spied(apiStore(testSql()));
  const handler = createHandler({ store: spy.store, signUrl: (path) => Promise.resolve(`https://signed.test/${path}?token=t`) });
  const call = async (method: string, path: string, key: string | null, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await handler(new Request(BASE + path, {
      method,
      headers: { ...(key !== null ? { authorization: `Bearer ${key}` } : {}), ...(body ? { "content-type": "application/json" } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    }));
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
  };
  return { call, calls: spy.calls };
}

const lastMonth = () => {
  const now = new Date();
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0));
  return { period_start: start.toISOString().slice(0, 10), period_end: end.toISOString().slice(0, 10) };
};

dbTest("401 without a database call for a missing, malformed or bad-checksum key", async () => {
  const { call, calls } = setup();
  const good = makeKey();
  const typo = good.slice(0, 10) + (good[10] === "a" ? "b" : "a") + good.slice(11);
  const fake = "trk_" + "A".repeat(30) + (checksumOf("trk_" + "A".repeat(30)) === "000000" ? "000001" : "000000");
  const cases: Array<[string | null, Record<string, string>, string]> = [
    [null, {}, "missing_api_key"],
    ["", { authorization: "Basic dXNlcjpwYXNz" }, "malformed_api_key"],
    ["trk_short", {}, "malformed_api_key"],
    [good.replace("trk_", "ghp_"), {}, "malformed_api_key"],
    [good + "x", {}, "malformed_api_key"],
    [typo, {}, "invalid_api_key"],
    [fake, {}, "invalid_api_key"],
  ];
  for (const [key, headers, code] of cases) {
    const res = await call("GET", "/reports", key === "" ? null : key, undefined, headers);
    assertEquals([res.status, res.body.error.code, res.body.error.field], [401, code, "authorization"], `key ${key}`);
    assertEquals(res.headers.get("www-authenticate"), 'Bearer realm="api"');
  }
  assertEquals(calls, [], "no store call for a key the checksum refuses");
});

dbTest("401 for an unknown and a revoked key; 403 for a missing scope; usage recorded for known keys", async () => {
  const owner = await newUser("api-owner");
  const { call, calls } = setup();
  const unknown = await call("GET", "/reports", makeKey());
  assertEquals([unknown.status, unknown.body.error.code], [401, "invalid_api_key"]);
  assertEquals(calls, ["authenticate"], "a well-formed key is looked up once");

  const key = await keyFor(owner.id, owner.id, ["reports:read"]);
  const forbidden = await call("GET", "/schedules", key.key);
  assertEquals([forbidden.status, forbidden.body.error.code], [403, "forbidden"]);
  assert(forbidden.body.error.message.includes("schedules:read"), forbidden.body.error.message);
  const write = await call("POST", "/reports", key.key, { cities: ["Austin"], ...lastMonth() });
  assertEquals(write.status, 403, "reports:read does not create reports");
  const ok = await call("GET", "/reports", key.key);
  assertEquals([ok.status, ok.body.data], [200, []]);

  await testSql().begin(async (tx) => {
    await tx`select set_config('role', 'authenticated', true),
                    set_config('request.jwt.claims', ${JSON.stringify({ sub: owner.id, role: "authenticated" })}, true)`;
    await tx`select reports.revoke_api_key(${key.id})`;
  });
  const revoked = await call("GET", "/reports", key.key);
  assertEquals([revoked.status, revoked.body.error.code], [401, "revoked_api_key"]);

  const usage = await testSql()`select reference_id from public.usage_events
    where account_id = ${owner.id} and feature = 'reports.api_call' order by id`;
  assertEquals(usage.map((u) => u.reference_id.split(":")[2]), ["forbidden", "forbidden", "valid", "revoked"]);
  const [k] = await testSql()`select last_used_at is not null as used from reports.api_keys where id = ${key.id}`;
  assertEquals(k.used, true, "last_used_at set");
});

dbTest("429 with Retry-After past the rate limit; nothing past it is counted or served", async () => {
  const owner = await newUser("api-limit");
  const { call } = setup();
  const key = await keyFor(owner.id, owner.id, ["schedules:read"], 3);
  const statuses: number[] = [];
  let retry: string | null = null;
  for (let i = 0; i < 5; i++) {
    const res = await call("GET", "/schedules", key.key);
    statuses.push(res.status);
    if (res.status === 429) {
      retry = res.headers.get("retry-after");
      assertEquals([res.body.error.code, res.body.error.field], ["rate_limited", "authorization"]);
    }
  }
  const windows = await testSql()`select hits from reports.api_key_windows where key_id = ${key.id} order by window_start`;
  // A minute boundary may fall inside the loop: then each window holds at most 3.
  assert(windows.every((w) => w.hits <= 3), JSON.stringify(windows));
  assertEquals(statuses.filter((s) => s === 200).length, windows.reduce((n, w) => n + w.hits, 0), "every admitted call counted");
  if (windows.length === 1) assertEquals(statuses, [200, 200, 200, 429, 429]);
  assert(statuses.includes(429), "the limit was reached");
  assert(retry !== null && Number(retry) >= 1 && Number(retry) <= 60, `Retry-After ${retry}`);
});

dbTest("a concurrent burst of 40 on one key with limit 7 admits at most 7 per minute window", async () => {
  const owner = await newUser("api-burst");
  const { call } = setup();
  const key = await keyFor(owner.id, owner.id, ["reports:read"], 7);
  const results = await Promise.all(Array.from({ length: 40 }, () => call("GET", "/reports?limit=1", key.key)));
  const admitted = results.filter((r) => r.status === 200).length;
  assert(results.every((r) => r.status === 200 || r.status === 429), JSON.stringify(results.map((r) => r.status)));
  const windows = await testSql()`select hits from reports.api_key_windows where key_id = ${key.id}`;
  assert(windows.every((w) => w.hits <= 7), JSON.stringify(windows));
  assertEquals(admitted, windows.reduce((n, w) => n + w.hits, 0));
  assert(admitted >= 7 && admitted <= 7 * windows.length, `admitted ${admitted} over ${windows.length} window(s)`);
});

dbTest("reports: create (billed once, idempotent), poll, list with signed links; another account's report is 404", async () => {
  const owner = await newUser("api-reports");
  const rival = await newUser("api-rival");
  const { call } = setup();
  const key = await keyFor(owner.id, owner.id, ["reports:read", "reports:write"]);
  const rivalKey = await keyFor(rival.id, rival.id, ["reports:read"]);
  const params = { cities: ["Austin"], ...lastMonth(), formats: ["html", "pdf"], idempotency_key: "api-test-1" };
  const created = await call("POST", "/reports", key.key, params);
  assertEquals([created.status, created.body.status], [202, "pending"], JSON.stringify(created.body));
  const again = await call("POST", "/reports", key.key, params);
  assertEquals(again.body.id, created.body.id, "the same idempotency_key answers the first report");
  const [billed] = await testSql()`select count(*)::int as n, min(user_id::text) as user_id from public.usage_events
    where account_id = ${owner.id} and feature = 'reports.market_report'`;
  assertEquals([billed.n, billed.user_id], [1, owner.id], "one report billed, to the key's creator");

  const bad = await call("POST", "/reports", key.key, { cities: ["Austin"], ...lastMonth(), account_id: rival.id });
  assertEquals([bad.status, bad.body.error.field], [400, "account_id"], "a strict body");
  const future = await call("POST", "/reports", key.key, { cities: ["Austin"], period_start: "2999-01-01", period_end: "2999-01-31" });
  assertEquals([future.status, future.body.error.field], [400, "period_start"]);

  const id = created.body.id;
  await testSql()`select private.reports_begin_generation(${id})`;
  await testSql()`select private.reports_complete_generation(${id}, ${testSql().json({ html: `${owner.id}/${id}/report.html`, pdf: `${owner.id}/${id}/report.pdf` })}, 5)`;
  const polled = await call("GET", `/reports/${id}`, key.key);
  assertEquals([polled.status, polled.body.status, polled.body.error], [200, "completed", null]);
  assertEquals(polled.body.files.map((f: { format: string; url: string }) => [f.format, f.url]), [
    ["html", `https://signed.test/${owner.id}/${id}/report.html?token=t`],
    ["pdf", `https://signed.test/${owner.id}/${id}/report.pdf?token=t`],
  ]);
  const list = await call("GET", "/reports?limit=5", key.key);
  assertEquals([list.status, list.body.data.map((r: { id: string }) => r.id), list.body.next_before], [200, [id], null]);
  const badLimit = await call("GET", "/reports?limit=500", key.key);
  assertEquals([badLimit.status, badLimit.body.error.field], [400, "limit"]);

  const theirs = await call("GET", `/reports/${id}`, rivalKey.key);
  assertEquals(theirs.status, 404, "a key reaches its own account only");
  assertEquals((await call("GET", "/reports", rivalKey.key)).body.data, []);
});

dbTest("schedules: list, create, read, change, delete within the key's account; leads by scope", async () => {
  const owner = await newUser("api-schedules");
  const rival = await newUser("api-schedules-rival");
  const { call } = setup();
  const key = await keyFor(owner.id, owner.id, ["schedules:read", "schedules:write", "leads:read"]);
  const rivalKey = await keyFor(rival.id, rival.id, ["schedules:read", "schedules:write"]);
  const created = await call("POST", "/schedules", key.key, { city: "Austin", cadence: "weekly", weekly_dow: 1, send_hour: 8, recipients: ["a@example.com"] });
  assertEquals([created.status, created.body.cadence, created.body.time_zone], [201, "weekly", "UTC"], JSON.stringify(created.body));
  const sid = created.body.id;
  const sneaky = await call("POST", "/schedules", key.key, { city: "Austin", cadence: "daily", send_hour: 8, next_run_at: "2030-01-01T00:00:00Z" });
  assertEquals([sneaky.status, sneaky.body.error.field], [400, "next_run_at"], "backend columns are refused");
  const badZone = await call("POST", "/schedules", key.key, { city: "Austin", cadence: "daily", send_hour: 8, time_zone: "Mars/Base" });
  assertEquals([badZone.status, badZone.body.error.field], [400, "time_zone"], "the database's check names the field");
  const patched = await call("PATCH", `/schedules/${sid}`, key.key, { send_hour: 9, active: false });
  assertEquals([patched.status, patched.body.send_hour, patched.body.active], [200, 9, false]);
  assertEquals((await call("GET", `/schedules/${sid}`, key.key)).body.id, sid);
  assertEquals((await call("GET", "/schedules", key.key)).body.data.map((s: { id: string }) => s.id), [sid]);

  assertEquals((await call("PATCH", `/schedules/${sid}`, rivalKey.key, { send_hour: 3 })).status, 404, "not the rival's");
  assertEquals((await call("DELETE", `/schedules/${sid}`, rivalKey.key)).status, 404);
  assertEquals((await call("DELETE", `/schedules/${sid}`, key.key)).status, 204);
  assertEquals((await call("GET", `/schedules/${sid}`, key.key)).status, 404);
  assertEquals((await call("GET", "/schedules/not-a-uuid", key.key)).body.error.field, "id");

  const leads = await call("GET", "/leads", key.key);
  assertEquals([leads.status, leads.body.data, leads.body.next_before], [200, [], null], JSON.stringify(leads.body));
  assertEquals((await call("GET", "/leads", rivalKey.key)).status, 403);
});

dbTest("routing and the OpenAPI document: every route of the table, unknown paths and methods", async () => {
  const { call, calls } = setup();
  const doc = await call("GET", "/openapi.json", null);
  assertEquals([doc.status, doc.body.openapi], [200, "3.1.0"]);
  for (const route of routes) {
    const op = doc.body.paths[route.path]?.[route.method.toLowerCase()];
    assert(op, `${route.method} ${route.path} is in the document`);
    assertEquals(op.operationId, route.operation);
    if (route.scope) assertEquals(Object.keys(op.responses).filter((s) => ["401", "403", "429"].includes(s)), ["401", "403", "429"]);
  }
  const documented = Object.values(doc.body.paths as Record<string, Record<string, unknown>>).reduce((n, p) => n + Object.keys(p).length, 0);
  assertEquals(documented, routes.length, "nothing documented that is not served");
  const scopes = new Set(routes.map((r) => r.scope).filter(Boolean));
  assertEquals([...scopes].sort(), [...apiScopes].sort(), "every scope guards some route");
  const body = doc.body.paths["/reports"].post.requestBody.content["application/json"].schema;
  assertEquals([body.additionalProperties, body.required], [false, ["period_start", "period_end"]]);
  assertEquals((await call("GET", "/nope", makeKey())).status, 404);
  assertEquals((await call("PUT", "/reports", makeKey())).status, 405);
  assertEquals(calls, [], "routing refusals need no key lookup");
});
