// Reports part 2 end to end (issue 13, "Done when"), the way docs/reports.md
// "Try it (part 2)" walks it: a new user creates an API key (the RPC, as the
// user), calls the `api` function with it (200 / 202, and 401 for a
// mistyped key, 403 for a missing scope, 401 once revoked), registers a
// webhook through @domus/client pointing at a local receiver that fails the
// first attempt of every message (the receiver of `npm run
// webhook:receive`, in process), triggers a test event and a completed
// report, and runs the delivery worker as the scheduler would. Every
// delivery verifies with the independent `standardwebhooks` package; a
// retry carries the same webhook-id; every attempt is in
// webhook_deliveries with its status, HTTP status, time and number; after a
// rotation both secrets verify. The test stack's project URL is 127.0.0.1,
// so the function lets the endpoint point at this machine (outside the
// local stack that URL is refused: functions/reports-webhooks/index.test.ts).
import { createDomusClient } from "@domus/client";
import { Webhook } from "standardwebhooks";
import { createServer } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { type RawRequest, startReceiver } from "../scripts/lib/webhook-receiver.mjs";
import { asRequest, closeDb, createUser, db, userClaims } from "./support/db.ts";
import { stackEnv } from "./support/stack-env.ts";
import { wakeWorker } from "./support/workers.ts";
import { accessToken } from "./support/tokens.ts";

const env = stackEnv();
const gateway = env.functionsUrl.replace(/\/functions\/v1\/?$/, "");
const cleanups: Array<() => Promise<unknown>> = [];

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  await closeDb();
});

async function api(path: string, key: string | null, init: { method?: string; body?: unknown } = {}) {
  const res = await fetch(`${env.functionsUrl}/api${path}`, {
    method: init.method ?? "GET",
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(init.body ? { "content-type": "application/json" } : {}) },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  return { status: res.status, body: await res.json() };
}

/**
 * Wakes a worker until `done(probe())` holds, at most 50 times. Under `npm test` nothing else
 * drains the queues and the first wake does it; against `npm start` the gateway's scheduler may
 * hold the job at that moment, and the next wake sees its result.
 */
async function settle<T>(fn: "reports-webhooks" | "report-generate", queue: string, probe: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 50; i++) {
    await wakeWorker(fn, queue);
    const value = await probe();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  return await probe();
}

/** The retry's backoff (5 s) has passed: the endpoint's pending attempts are due now. */
async function makeDue(webhookId: string) {
  await db().query(
    `update public.jobs j set run_at = now() from reports.webhook_deliveries d
     where d.webhook_id = $1 and d.status = 'pending' and j.queue = 'reports.webhooks' and j.idempotency_key = d.id::text and j.status = 'queued'`,
    [webhookId],
  );
}

/** A port nobody listens on now (the endpoint is registered before its receiver starts, as a person would). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** The key with one character changed (the checksum no longer matches). */
function mistyped(key: string): string {
  const i = 10;
  return key.slice(0, i) + (key[i] === "A" ? "B" : "A") + key.slice(i + 1);
}

const header = (r: RawRequest, name: string) => String(r.headers[name]);
const verifies = (secret: string, r: RawRequest) => {
  try {
    new Webhook(secret).verify(r.body, { "webhook-id": header(r, "webhook-id"), "webhook-timestamp": header(r, "webhook-timestamp"), "webhook-signature": header(r, "webhook-signature") });
    return true;
  } catch {
    return false;
  }
};

describe("reports part 2: an API key, the API with curl, a webhook to a local receiver that fails on purpose", () => {
  it("key -> api 200/202/401/403 -> webhook -> test event and completed report -> failed then delivered, signed, same id", async () => {
    const user = await createUser("rp-integrations");
    const accountId = user.id;
    const domus = createDomusClient({ url: gateway, anonKey: env.anonKey, accessToken: accessToken(user) });

    // 1. The owner creates a key through the RPC (as PostgREST would run it). The answer is the only copy.
    const created = await asRequest(userClaims(user), async (c) => (await c.query(
      "select reports.create_api_key($1, 'curl', '{reports:read,reports:write}', 60) as k", [accountId])).rows[0].k,
    { commit: true });
    expect(created).toMatchObject({ name: "curl", scopes: ["reports:read", "reports:write"], rate_limit: 60 });
    const key: string = created.key;
    expect(key).toMatch(/^trk_[0-9A-Za-z]{36}$/);
    expect(key.startsWith(created.key_prefix)).toBe(true);
    const { rows: stored } = await db().query("select key_prefix, key_hash from reports.api_keys where id = $1", [created.id]);
    expect(stored[0].key_hash).not.toContain(key.slice(4));

    // 2. The API with the key: list (200); refusals by status. (The report it creates comes in step 5, once a webhook listens.)
    expect(await api("/reports", key)).toEqual({ status: 200, body: { data: [], next_before: null } });
    expect(await api("/reports", mistyped(key))).toMatchObject({ status: 401, body: { error: { code: "invalid_api_key", field: "authorization" } } });
    expect(await api("/reports", null)).toMatchObject({ status: 401, body: { error: { code: "missing_api_key" } } });
    expect(await api("/leads", key)).toMatchObject({ status: 403, body: { error: { code: "forbidden" } } });
    expect((await api("/leads", key)).body.error.message).toContain("leads:read");
    // Every call by the key is metered with its outcome; the mistyped and the missing one name no key and are not.
    const { rows: metered } = await db().query(
      "select reference_id from public.usage_events where account_id = $1 and feature = 'reports.api_call' order by reference_id",
      [accountId]);
    expect(metered.map((r) => r.reference_id)).toEqual([
      `api_key:${created.id}:forbidden`, `api_key:${created.id}:forbidden`, `api_key:${created.id}:valid`,
    ]);

    // 3. An endpoint for a receiver on this machine, then the receiver with the secret the answer showed once,
    //    as the Try-it does: `npm run webhook:receive -- --port <port> --secret whsec_... --fail-first 1`.
    const port = await freePort();
    const hook = await domus.reports.createWebhook({ account_id: accountId, url: `http://127.0.0.1:${port}/hook`, events: ["report.completed", "webhook.test"] });
    cleanups.push(() => db().query("delete from reports.webhooks where id = $1", [hook.webhook.id]));
    const secret = hook.secret;
    expect(hook.webhook).toMatchObject({ accountId, url: `http://127.0.0.1:${port}/hook`, isActive: true, previousSecretExpiresAt: null });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    const seen: RawRequest[] = [];
    const receiver = await startReceiver({ port, secrets: [secret], failFirst: 1, onRequest: (r) => seen.push(r) });
    cleanups.push(() => receiver.close());
    const check = (r: RawRequest) => verifies(secret, r);

    // 4. A test event: attempt 1 fails (500, on purpose), the retry is due in about 5 s; moved to now, attempt 2 is delivered.
    const testDelivery = await asRequest(userClaims(user), async (c) =>
      (await c.query("select reports.send_test_webhook($1) as id", [hook.webhook.id])).rows[0].id as string, { commit: true });
    const chain = async (event: string) => (await db().query(
      `select id, message_id, attempt, status, response_status, response_ms, error, next_attempt_at, attempted_at, payload
       from reports.webhook_deliveries where webhook_id = $1 and event = $2 order by attempt`, [hook.webhook.id, event])).rows;
    const [failed, pending] = await settle("reports-webhooks", "reports.webhooks", () => chain("webhook.test"), (c) => c.length >= 2);
    expect(failed.id).toBe(testDelivery);
    expect(failed).toMatchObject({ attempt: 1, status: "failed", response_status: 500 });
    expect(failed.error).toContain("500");
    const backoff = (new Date(failed.next_attempt_at).getTime() - new Date(failed.attempted_at).getTime()) / 1000;
    expect(backoff).toBeGreaterThanOrEqual(4.4);
    expect(backoff).toBeLessThanOrEqual(5.6);
    expect(pending).toMatchObject({ attempt: 2, status: "pending", message_id: failed.message_id });
    await makeDue(hook.webhook.id);
    const testChain = await settle("reports-webhooks", "reports.webhooks", () => chain("webhook.test"), (c) => c[1]?.status !== "pending");
    expect(testChain.map((d) => [d.attempt, d.status, d.response_status])).toEqual([[1, "failed", 500], [2, "delivered", 204]]);
    expect(testChain.every((d) => d.response_ms !== null && d.response_ms >= 0)).toBe(true);

    const testRequests = seen.filter((r) => header(r, "webhook-id") === failed.message_id);
    expect(testRequests).toHaveLength(2);
    expect(testRequests.every(check)).toBe(true);
    expect(testRequests.map((r) => [r.entry.verdict, r.entry.attempt, r.entry.status])).toEqual([["valid", 1, 500], ["valid", 2, 204]]);
    expect(JSON.parse(testRequests[1]!.body.toString())).toMatchObject({ type: "webhook.test" });
    // Each attempt is signed at its own time: the timestamps differ, the id and body do not.
    expect(testRequests[0]!.body.equals(testRequests[1]!.body)).toBe(true);

    // 5. A market report through the API (202); it completes (the render worker), which emits report.completed:
    //    failed once, then delivered, same id.
    const city = `Hookville ${user.id.slice(0, 6)}`;
    const now = new Date();
    const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1) - 86_400_000).toISOString().slice(0, 10);
    const requested = await api("/reports", key, { method: "POST", body: { cities: [city], period_start: `${end.slice(0, 8)}01`, period_end: end, formats: ["json"] } });
    // The answer re-reads the row: a running scheduler (npm start) may have claimed it already.
    expect(requested).toMatchObject({ status: 202, body: { status: expect.stringMatching(/^(pending|processing|completed)$/) } });
    const reportId: string = requested.body.id;
    expect(await api(`/reports/${reportId}`, key)).toMatchObject({ status: 200, body: { id: reportId, params: { cities: [city] } } });
    const status = async () => (await db().query("select status from reports.report_generations where id = $1", [reportId])).rows[0].status as string;
    expect(await settle("report-generate", "reports.render", status, (s) => s !== "pending" && s !== "processing")).toBe("completed");
    await settle("reports-webhooks", "reports.webhooks", () => chain("report.completed"), (c) => c.length >= 2);
    await makeDue(hook.webhook.id);
    const reportChain = await settle("reports-webhooks", "reports.webhooks", () => chain("report.completed"), (c) => c[1]?.status !== "pending");
    expect(reportChain.map((d) => [d.attempt, d.status, d.response_status])).toEqual([[1, "failed", 500], [2, "delivered", 204]]);
    expect(new Set(reportChain.map((d) => d.message_id)).size).toBe(1);
    const reportRequests = seen.filter((r) => header(r, "webhook-id") === reportChain[0].message_id);
    expect(reportRequests).toHaveLength(2);
    expect(reportRequests.every(check)).toBe(true);
    const payload = JSON.parse(reportRequests[1]!.body.toString());
    expect(payload).toMatchObject({ type: "report.completed", data: { report_id: reportId, status: "completed", formats: ["json"] } });
    expect(JSON.stringify(payload)).not.toMatch(/storage|\.json"/);
    // The API agrees: the report is completed.
    expect(await api(`/reports/${reportId}`, key)).toMatchObject({ status: 200, body: { status: "completed" } });

    // A forged or altered delivery would not pass: one byte changed, or another endpoint's secret.
    const last = reportRequests[1]!;
    expect(verifies(secret, { ...last, body: Buffer.from(last.body.toString().replace("completed", "complete!")) })).toBe(false);
    expect(verifies("whsec_" + Buffer.alloc(32, 7).toString("base64"), last)).toBe(false);

    // 6. Rotation: the next delivery carries two signatures, and both the old and the new secret verify it.
    const rotated = await domus.reports.rotateWebhookSecret(hook.webhook.id);
    expect(rotated.secret).not.toBe(secret);
    expect(rotated.webhook.previousSecretExpiresAt).not.toBeNull();
    const again = await asRequest(userClaims(user), async (c) =>
      (await c.query("select reports.send_test_webhook($1) as id", [hook.webhook.id])).rows[0].id as string, { commit: true });
    const { rows: [{ message_id: rotatedId }] } = await db().query("select message_id from reports.webhook_deliveries where id = $1", [again]);
    await settle("reports-webhooks", "reports.webhooks", async () => seen.filter((r) => header(r, "webhook-id") === rotatedId).length, (n) => n >= 1);
    const afterRotation = seen.filter((r) => header(r, "webhook-id") === rotatedId);
    expect(afterRotation).toHaveLength(1);
    expect(header(afterRotation[0]!, "webhook-signature").split(" ")).toHaveLength(2);
    expect(verifies(secret, afterRotation[0]!)).toBe(true);
    expect(verifies(rotated.secret, afterRotation[0]!)).toBe(true);

    // 7. Revoked, the key is refused on the next request.
    await asRequest(userClaims(user), (c) => c.query("select reports.revoke_api_key($1)", [created.id]), { commit: true });
    expect(await api("/reports", key)).toMatchObject({ status: 401, body: { error: { code: "revoked_api_key" } } });
  });
});

describe("reports part 2 through @domus/client against the real functions", () => {
  it("importContacts sends the CSV as text/csv: good rows imported, a bad one reported by line and field", async () => {
    const user = await createUser("rp-integrations-csv");
    const domus = createDomusClient({ url: gateway, anonKey: env.anonKey, accessToken: accessToken(user) });
    const csv = "Name,Email,Type,Phone\r\nAnn,ANN@example.com,client,1\r\nBob,not-an-address,prospect,2\r\nCy,cy@example.com,,3\r\n";
    expect(await domus.reports.importContacts(user.id, csv)).toEqual({
      imported: 2,
      skipped: [{ line: 3, field: "email", message: expect.stringMatching(/^email: /) }],
      unknown_columns: ["Phone"],
    });
    const { rows } = await db().query("select email, type from reports.contacts where account_id = $1 order by email", [user.id]);
    expect(rows).toEqual([{ email: "ann@example.com", type: "client" }, { email: "cy@example.com", type: "other" }]);
    // Another user's client cannot import into this account.
    const stranger = createDomusClient({ url: gateway, anonKey: env.anonKey, accessToken: accessToken(await createUser("rp-integrations-csv-x")) });
    await expect(stranger.reports.importContacts(user.id, csv)).rejects.toMatchObject({ status: 403, field: "account_id" });
  });
});
