// The reports-webhooks function against the real database and a local
// receiver (Deno.serve on a free port) that fails on purpose: signatures
// checked by an independent Standard Webhooks implementation
// (npm:standardwebhooks), the whole retry schedule with its jitter bounds
// (the clock is moved by making each next job due), Retry-After, 410,
// redirects, timeouts, the same webhook-id on every attempt, secret
// rotation, SSRF refusals, disabling after days of failures, the test and
// replay RPCs, and who may create and rotate.
import { Webhook } from "standardwebhooks";
import { RETRY_DELAYS_SECONDS } from "@domus/contracts/reports-webhooks.ts";
import { asUser } from "../_shared/db.ts";
import { webhooksStore } from "../_shared/reports/webhooks/store.ts";
import { checkTarget, type Resolve, specialAddress, TargetRefused } from "../_shared/reports/webhooks/ssrf.ts";
import { newSecretBoxKey, secretBox } from "../_shared/secret-box.ts";
import { assert, assertEquals, closeTestSql, dbTest, newUser, signToken, testSql, userToken } from "../_shared/testing.ts";
import { createHandler, secretContext, type WebhooksDeps } from "./index.ts";

const JWT_SECRET = "reports-webhooks-test-secret-with-32-chars!";
const FN = "http://functions.test/functions/v1/reports-webhooks";
const box = secretBox(newSecretBoxKey(), "REPORTS_WEBHOOK_KEY");

type Reply = { status: number; headers?: Record<string, string>; hang?: boolean };
interface Seen {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** A receiver on 127.0.0.1: each path answers from its script (then 200), and every request is kept. */
function receiver() {
  const scripts = new Map<string, Reply[]>();
  const seen: Seen[] = [];
  const hanging: Array<() => void> = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const path = new URL(req.url).pathname;
    seen.push({ path, headers: Object.fromEntries(req.headers), body: await req.text() });
    const reply = scripts.get(path)?.shift() ?? { status: 200 };
    if (reply.hang) await new Promise<void>((resolve) => hanging.push(resolve));
    return new Response(reply.status === 200 ? "ok" : `no (${reply.status})`, { status: reply.status, headers: reply.headers });
  });
  const base = `http://127.0.0.1:${server.addr.port}`;
  return {
    url: (path: string) => `${base}${path}`,
    script: (path: string, replies: Reply[]) => scripts.set(path, replies),
    seen: (path: string) => seen.filter((s) => s.path === path),
    stop: async () => {
      hanging.forEach((r) => r());
      await server.shutdown();
    },
  };
}

const fakeResolve = (table: Record<string, { A?: string[]; AAAA?: string[] }>): Resolve => (host, type) =>
  Promise.resolve(table[host]?.[type] ?? []);

function setup(overrides: Partial<WebhooksDeps> = {}) {
  const deps: WebhooksDeps = {
    jwtSecret: JWT_SECRET,
    revocationReason: () => Promise.resolve(null),
    store: webhooksStore(testSql()),
    box,
    fetch,
    resolve: fakeResolve({}),
    allowPrivate: true,
    timeoutMs: 5_000,
    maxMs: 30_000,
    batchSize: 20,
    nowSeconds: () => Math.floor(Date.now() / 1000),
    ...overrides,
  };
  return { handler: createHandler(deps), deps };
}

async function serviceToken() {
  return await signToken({ role: "service_role", exp: Math.floor(Date.now() / 1000) + 600 }, JWT_SECRET);
}

async function drive(handler: (req: Request) => Promise<Response>) {
  const res = await handler(new Request(FN, {
    method: "POST",
    headers: { authorization: `Bearer ${await serviceToken()}`, "content-type": "application/json" },
    body: JSON.stringify({ queue: "reports.webhooks" }),
  }));
  assertEquals(res.status, 200, "worker answer");
  return await res.json();
}

async function call(handler: (req: Request) => Promise<Response>, token: string | null, body: unknown) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await handler(new Request(FN, { method: "POST", headers, body: JSON.stringify(body) }));
  return { status: res.status, body: await res.json() };
}

/** A team with an owner, an admin and a member, and their tokens. */
async function team() {
  const sql = testSql();
  const owner = await newUser("hook-owner");
  const admin = await newUser("hook-admin");
  const member = await newUser("hook-member");
  const id = crypto.randomUUID();
  await sql`insert into public.accounts (id, name, slug, account_type, primary_owner_user_id)
            values (${id}, 'Hooks Team', ${"hooks-" + id.slice(0, 8)}, 'team', ${owner.id})`;
  await sql`insert into public.account_memberships (account_id, user_id, role) values
            (${id}, ${owner.id}, 'owner'), (${id}, ${admin.id}, 'admin'), (${id}, ${member.id}, 'member')`;
  return {
    id,
    owner,
    admin,
    member,
    ownerToken: await userToken(owner, JWT_SECRET),
    adminToken: await userToken(admin, JWT_SECRET),
    memberToken: await userToken(member, JWT_SECRET),
    claims: (u: { id: string; email: string }) => ({ sub: u.id, email: u.email, role: "authenticated" }),
  };
}

async function createEndpoint(handler: (req: Request) => Promise<Response>, token: string, accountId: string, url: string, events: string[]) {
  const r = await call(handler, token, { action: "create", accountId, url, events });
  assertEquals(r.status, 201, `create: ${JSON.stringify(r.body)}`);
  return r.body as { webhook: { id: string }; secret: string };
}

async function emit(accountId: string, event: string, data: Record<string, unknown>) {
  const [row] = await testSql()`select private.reports_emit_event(${accountId}, ${event}, ${JSON.stringify(data)}::text::jsonb) as n`;
  return row.n as number;
}

async function attempts(webhookId: string) {
  return await testSql()`
    select id, message_id, attempt, status, response_status, response_ms, error, next_attempt_at, attempted_at, replay_of, payload
    from reports.webhook_deliveries where webhook_id = ${webhookId} order by created_at, attempt`;
}

/** Moves the clock for one endpoint: its pending attempts are due now. */
async function makeDue(webhookId: string) {
  await testSql()`
    update public.jobs j set run_at = now() from reports.webhook_deliveries d
    where d.webhook_id = ${webhookId} and d.status = 'pending' and j.queue = 'reports.webhooks' and j.idempotency_key = d.id::text
      and j.status = 'queued'`;
}

const verify = (secret: string, s: Seen) => new Webhook(secret).verify(s.body, s.headers);
const verifies = (secret: string, s: Seen) => {
  try {
    verify(secret, s);
    return true;
  } catch {
    return false;
  }
};

dbTest("reports-webhooks: create shows a whsec_ secret once, stores ciphertext only; members, strangers and anon are refused", async () => {
  const { handler } = setup();
  const t = await team();
  const stranger = await newUser("hook-stranger");
  const made = await createEndpoint(handler, t.adminToken, t.id, "http://127.0.0.1:9/hook", ["report.completed", "report.failed"]);
  assert(/^whsec_[A-Za-z0-9+/]+={0,2}$/.test(made.secret), "whsec_ + base64");
  const bytes = atob(made.secret.slice(6)).length;
  assert(bytes >= 24 && bytes <= 64, `24-64 random bytes, got ${bytes}`);
  const [row] = await testSql()`select secret, previous_secret from reports.webhooks where id = ${made.webhook.id}`;
  assert(row.secret.startsWith("v1:") && !row.secret.includes(made.secret.slice(6, 20)), "only ciphertext is stored");
  assertEquals(await box.open(row.secret, secretContext(made.webhook.id)), made.secret, "the ciphertext opens to the secret shown");
  let moved = false;
  try {
    await box.open(row.secret, secretContext(crypto.randomUUID()));
  } catch {
    moved = true;
  }
  assert(moved, "a ciphertext moved to another row does not open");

  const body = { action: "create", accountId: t.id, url: "http://127.0.0.1:9/x", events: ["report.completed"] };
  assertEquals((await call(handler, t.memberToken, body)).status, 403, "a member may not create");
  assertEquals((await call(handler, await userToken(stranger, JWT_SECRET), body)).status, 404, "a stranger does not see the account");
  assertEquals((await call(handler, null, body)).status, 401, "anon");
  const bad = await call(handler, t.ownerToken, { ...body, events: ["report.deleted"] });
  assertEquals([bad.status, bad.body.error.field], [400, "events.0"], "unknown event type");
  const rot = await call(handler, t.memberToken, { action: "rotate", webhookId: made.webhook.id });
  assertEquals(rot.status, 403, "a member may not rotate");
  const rotStranger = await call(handler, await userToken(stranger, JWT_SECRET), { action: "rotate", webhookId: made.webhook.id });
  assertEquals(rotStranger.status, 404, "a stranger does not see the endpoint");
  const [after] = await testSql()`select secret from reports.webhooks where id = ${made.webhook.id}`;
  assertEquals(after.secret, row.secret, "refused rotations changed nothing");
});

dbTest("reports-webhooks: a delivery verifies with npm:standardwebhooks over exactly the bytes sent; only subscribed endpoints get it", async () => {
  const rx = receiver();
  try {
    const { handler } = setup();
    const t = await team();
    const a = await createEndpoint(handler, t.ownerToken, t.id, rx.url("/a"), ["report.completed"]);
    await createEndpoint(handler, t.ownerToken, t.id, rx.url("/b"), ["report.failed"]);
    assertEquals(await emit(t.id, "report.completed", { report_id: "r-1", note: "ünïcödé ✓" }), 1, "one subscribed endpoint");
    await drive(handler);
    const got = rx.seen("/a");
    assertEquals(got.length, 1, "delivered once");
    assertEquals(rx.seen("/b").length, 0, "the endpoint not subscribed got nothing");
    const payload = verify(a.secret, got[0]) as { type: string; data: { note: string } };
    assertEquals([payload.type, payload.data.note], ["report.completed", "ünïcödé ✓"]);
    assert(/^msg_[a-f0-9]{32}$/.test(got[0].headers["webhook-id"]), "webhook-id is the message id");
    assertEquals(got[0].headers["webhook-signature"].split(" ").length, 1, "one secret, one signature");
    const tampered = { ...got[0], body: got[0].body.replace("r-1", "r-2") };
    assert(!verifies(a.secret, tampered), "an edited body fails verification");
    const [d] = await attempts(a.webhook.id);
    assertEquals([d.status, d.response_status, d.attempt, d.error, d.next_attempt_at], ["delivered", 200, 1, null, null]);
    assert(d.response_ms >= 0 && d.message_id === got[0].headers["webhook-id"], "ms and message id recorded");
  } finally {
    await rx.stop();
  }
});

dbTest("reports-webhooks: retries follow 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (jitter within 10%) with one webhook-id, then dead", async () => {
  const rx = receiver();
  try {
    const { handler } = setup();
    const t = await team();
    const ep = await createEndpoint(handler, t.ownerToken, t.id, rx.url("/down"), ["report.failed"]);
    rx.script("/down", Array.from({ length: 8 }, () => ({ status: 500 })));
    await emit(t.id, "report.failed", { report_id: "r-9" });
    for (let n = 1; n <= 8; n++) {
      await makeDue(ep.webhook.id);
      await drive(handler);
      const rows = await attempts(ep.webhook.id);
      const last = rows.find((r) => r.attempt === n)!;
      assertEquals([last.response_status, last.error?.startsWith("HTTP 500")], [500, true], `attempt ${n} recorded`);
      if (n < 8) {
        assertEquals(last.status, "failed", `attempt ${n} failed`);
        const delay = (new Date(last.next_attempt_at).getTime() - new Date(last.attempted_at).getTime()) / 1000;
        const want = RETRY_DELAYS_SECONDS[n - 1];
        assert(delay >= want * 0.9 - 0.01 && delay <= want * 1.1 + 0.01, `attempt ${n + 1} after ${delay}s, want ${want}s ±10%`);
        const next = rows.find((r) => r.attempt === n + 1)!;
        assertEquals([next.status, new Date(next.next_attempt_at).getTime()], ["pending", new Date(last.next_attempt_at).getTime()]);
        await drive(handler);
        assertEquals(rx.seen("/down").length, n, "not sent before it is due");
      } else {
        assertEquals([last.status, last.next_attempt_at], ["dead", null], "attempt 8 is the last");
      }
    }
    const seen = rx.seen("/down");
    assertEquals(seen.length, 8);
    assertEquals(new Set(seen.map((s) => s.headers["webhook-id"])).size, 1, "the same webhook-id on every attempt");
    assert(seen.every((s) => verifies(ep.secret, s)), "every attempt is signed afresh");
    assertEquals((await attempts(ep.webhook.id)).length, 8, "one row per attempt");
    const [w] = await testSql()`select is_active, failing_since from reports.webhooks where id = ${ep.webhook.id}`;
    assert(w.is_active && w.failing_since !== null, "failing, but not for days: still on");
  } finally {
    await rx.stop();
  }
});

dbTest("reports-webhooks: Retry-After on 429 / 503 (seconds or a date) is a floor for the next attempt", async () => {
  const rx = receiver();
  try {
    const { handler } = setup();
    const t = await team();
    const ep = await createEndpoint(handler, t.ownerToken, t.id, rx.url("/busy"), ["report.completed"]);
    const date = new Date(Date.now() + 900_000).toUTCString();
    rx.script("/busy", [{ status: 429, headers: { "retry-after": "120" } }, { status: 503, headers: { "retry-after": date } }]);
    await emit(t.id, "report.completed", { report_id: "r-2" });
    await drive(handler);
    let [first] = await attempts(ep.webhook.id);
    let wait = (new Date(first.next_attempt_at).getTime() - new Date(first.attempted_at).getTime()) / 1000;
    assert(wait >= 119.9 && wait <= 120.1, `429 Retry-After: 120 -> ${wait}s (schedule alone: 5 s)`);
    await makeDue(ep.webhook.id);
    await drive(handler);
    const rows = await attempts(ep.webhook.id);
    first = rows[1];
    wait = (new Date(first.next_attempt_at).getTime() - new Date(first.attempted_at).getTime()) / 1000;
    assert(wait >= 880 && wait <= 901, `503 Retry-After: <date in 15 min> -> ${wait}s (schedule alone: 5 min)`);
  } finally {
    await rx.stop();
  }
});

dbTest("reports-webhooks: 410 disables the endpoint and tells its owners and admins; later events are not queued", async () => {
  const rx = receiver();
  try {
    const { handler } = setup();
    const t = await team();
    const ep = await createEndpoint(handler, t.ownerToken, t.id, rx.url("/gone"), ["report.completed"]);
    rx.script("/gone", [{ status: 410 }]);
    await emit(t.id, "report.completed", { report_id: "r-3" });
    await drive(handler);
    const [d] = await attempts(ep.webhook.id);
    assertEquals([d.status, d.response_status], ["dead", 410]);
    const [w] = await testSql()`select is_active, disabled_reason from reports.webhooks where id = ${ep.webhook.id}`;
    assertEquals([w.is_active, w.disabled_reason], [false, "gone"]);
    const told = await testSql()`
      select user_id from public.notifications where type = 'webhook_disabled' and data ->> 'webhook_id' = ${ep.webhook.id}`;
    assertEquals(told.map((r) => r.user_id).sort(), [t.owner.id, t.admin.id].sort(), "owner and admin, not the member");
    assertEquals(await emit(t.id, "report.completed", { report_id: "r-4" }), 0, "a disabled endpoint gets nothing");
  } finally {
    await rx.stop();
  }
});

dbTest("reports-webhooks: a redirect is not followed, a hung receiver times out; both retry", async () => {
  const rx = receiver();
  try {
    const { handler } = setup({ timeoutMs: 300 });
    const t = await team();
    const moved = await createEndpoint(handler, t.ownerToken, t.id, rx.url("/moved"), ["report.completed"]);
    const slow = await createEndpoint(handler, t.ownerToken, t.id, rx.url("/slow"), ["report.completed"]);
    rx.script("/moved", [{ status: 307, headers: { location: rx.url("/elsewhere") } }]);
    rx.script("/slow", [{ status: 200, hang: true }]);
    assertEquals(await emit(t.id, "report.completed", { report_id: "r-5" }), 2);
    await drive(handler);
    assertEquals(rx.seen("/elsewhere").length, 0, "the Location was never requested");
    const [m] = await attempts(moved.webhook.id);
    assertEquals([m.status, m.response_status], ["failed", 307]);
    assert(m.error.includes("redirect not followed"), m.error);
    const [s] = await attempts(slow.webhook.id);
    assertEquals([s.status, s.response_status, s.error], ["failed", null, "timed out after 300 ms"]);
    assertEquals((await attempts(slow.webhook.id)).length, 2, "a next attempt is queued");
  } finally {
    await rx.stop();
  }
});

dbTest("reports-webhooks: rotation signs with both secrets for 24 h, then with the new one only", async () => {
  const rx = receiver();
  try {
    const { handler } = setup();
    const t = await team();
    const ep = await createEndpoint(handler, t.ownerToken, t.id, rx.url("/rot"), ["schedule.run_failed"]);
    const r = await call(handler, t.adminToken, { action: "rotate", webhookId: ep.webhook.id });
    assertEquals(r.status, 200);
    const fresh = r.body.secret as string;
    assert(fresh !== ep.secret, "a new secret");
    const expires = new Date(r.body.webhook.previousSecretExpiresAt).getTime() - Date.now();
    assert(expires > 23.9 * 3600_000 && expires <= 24 * 3600_000, "the old one is valid 24 h more");
    await emit(t.id, "schedule.run_failed", { schedule_id: "s-1" });
    await drive(handler);
    const [during] = rx.seen("/rot");
    assertEquals(during.headers["webhook-signature"].split(" ").length, 2, "two v1 entries");
    assert(verifies(fresh, during) && verifies(ep.secret, during), "both secrets verify during the overlap");
    // 24 hours later.
    await testSql()`update reports.webhooks set previous_secret_expires_at = now() - interval '1 second' where id = ${ep.webhook.id}`;
    await emit(t.id, "schedule.run_failed", { schedule_id: "s-2" });
    await drive(handler);
    const after = rx.seen("/rot")[1];
    assertEquals(after.headers["webhook-signature"].split(" ").length, 1);
    assert(verifies(fresh, after) && !verifies(ep.secret, after), "only the new secret verifies after 24 h");
  } finally {
    await rx.stop();
  }
});

dbTest("reports-webhooks: outside the local stack, private, loopback, link-local and mapped addresses are refused", async () => {
  const resolve = fakeResolve({
    "loopback.example.com": { A: ["127.0.0.1"] },
    "sneaky.example.com": { A: ["93.184.216.34"], AAAA: ["::ffff:10.1.2.3"] },
    "public.example.com": { A: ["93.184.216.34"], AAAA: ["2606:2800:220:1:248:1893:25c8:1946"] },
  });
  const policy = { allowPrivate: false, resolve };
  const refused = async (url: string) => {
    try {
      await checkTarget(url, policy);
      return null;
    } catch (error) {
      if (error instanceof TargetRefused) return error.message;
      throw error;
    }
  };
  for (const url of [
    "https://127.0.0.1/h", "https://10.0.0.5/h", "https://169.254.169.254/latest", "https://[::1]/h",
    "https://[::ffff:127.0.0.1]/h", "https://[::ffff:a9fe:a9fe]/h", "https://[fe80::1]/h", "https://[fd00::1]/h",
    "https://192.168.1.1/h", "https://172.16.0.1/h", "https://100.64.0.1/h", "https://0.0.0.0/h", "https://2130706433/h",
    "https://[64:ff9b::7f00:1]/h", "https://loopback.example.com/h", "https://sneaky.example.com/h", "https://localhost/h",
    "https://nowhere.example.com/h", "http://public.example.com/h",
  ]) {
    assert(await refused(url), `${url} must be refused`);
  }
  assertEquals(await refused("https://public.example.com/hook"), null, "a public https host is fine");
  assertEquals(specialAddress("8.8.8.8"), null);
  assertEquals(await refused("http://127.0.0.1:8080/h"), "url: must be https");
  assertEquals(await checkTarget("http://127.0.0.1:8080/h", { allowPrivate: true, resolve }), undefined, "the local stack allows it");

  // Through the function: creation refuses, and the worker refuses an URL edited later.
  const rx = receiver();
  try {
    const { handler } = setup({ allowPrivate: false, resolve });
    const t = await team();
    const r = await call(handler, t.ownerToken, { action: "create", accountId: t.id, url: "https://loopback.example.com/h", events: ["report.completed"] });
    assertEquals([r.status, r.body.error.field], [400, "url"]);
    assert(r.body.error.message.includes("127.0.0.1"), r.body.error.message);
    const ok = await createEndpoint(handler, t.ownerToken, t.id, "https://public.example.com/hook", ["report.completed"]);
    await asUser(testSql(), t.claims(t.owner), (tx) => tx`update reports.webhooks set url = ${rx.url("/inside")} where id = ${ok.webhook.id}`);
    await emit(t.id, "report.completed", { report_id: "r-6" });
    await drive(handler);
    const [d] = await attempts(ok.webhook.id);
    assertEquals(d.status, "failed");
    assert(d.error.startsWith("refused: url: must be https"), d.error);
    assertEquals(rx.seen("/inside").length, 0, "nothing was sent to the private address");
  } finally {
    await rx.stop();
  }
});

dbTest("reports-webhooks: an endpoint failing for 3 days is disabled and its owners told; pending attempts of a disabled one are not sent", async () => {
  const rx = receiver();
  try {
    const { handler } = setup();
    const t = await team();
    const ep = await createEndpoint(handler, t.ownerToken, t.id, rx.url("/flaky"), ["report.completed"]);
    await testSql()`update reports.webhooks set failing_since = now() - interval '3 days 1 minute' where id = ${ep.webhook.id}`;
    rx.script("/flaky", [{ status: 502 }]);
    await emit(t.id, "report.completed", { report_id: "r-7" });
    await drive(handler);
    const [w] = await testSql()`select is_active, disabled_reason from reports.webhooks where id = ${ep.webhook.id}`;
    assertEquals([w.is_active, w.disabled_reason], [false, "failing"]);
    const rows = await attempts(ep.webhook.id);
    assertEquals(rows.map((r) => r.status), ["dead"], "no retry once disabled");
    const [{ n }] = await testSql()`select count(*)::int as n from public.notifications where type = 'webhook_disabled' and data ->> 'webhook_id' = ${ep.webhook.id}`;
    assertEquals(n, 2, "owner and admin told");

    // Switched on again, an attempt queued, then switched off before it runs: recorded dead, never sent.
    await asUser(testSql(), t.claims(t.owner), (tx) => tx`update reports.webhooks set is_active = true where id = ${ep.webhook.id}`);
    await emit(t.id, "report.completed", { report_id: "r-8" });
    await asUser(testSql(), t.claims(t.admin), (tx) => tx`update reports.webhooks set is_active = false where id = ${ep.webhook.id}`);
    const before = rx.seen("/flaky").length;
    await drive(handler);
    assertEquals(rx.seen("/flaky").length, before, "not sent");
    const last = (await attempts(ep.webhook.id)).at(-1)!;
    assertEquals([last.status, last.error], ["dead", "endpoint disabled: not sent"]);
  } finally {
    await rx.stop();
  }
});

dbTest("reports-webhooks: send_test_webhook reaches that endpoint only; replay repeats the webhook-id and payload in a new chain", async () => {
  const rx = receiver();
  try {
    const { handler } = setup();
    const t = await team();
    const one = await createEndpoint(handler, t.ownerToken, t.id, rx.url("/one"), ["report.completed"]);
    await createEndpoint(handler, t.ownerToken, t.id, rx.url("/two"), ["webhook.test"]);
    const [{ id: testId }] = await asUser(testSql(), t.claims(t.admin), (tx) => tx`select reports.send_test_webhook(${one.webhook.id}) as id`);
    let memberRefused = "";
    try {
      await asUser(testSql(), t.claims(t.member), (tx) => tx`select reports.send_test_webhook(${one.webhook.id})`);
    } catch (error) {
      memberRefused = (error as { code: string }).code;
    }
    assertEquals(memberRefused, "42501", "a member may not send test events");
    await drive(handler);
    assertEquals([rx.seen("/one").length, rx.seen("/two").length], [1, 0], "only the endpoint asked for");
    const test = verify(one.secret, rx.seen("/one")[0]) as { type: string; data: { webhook_id: string } };
    assertEquals([test.type, test.data.webhook_id], ["webhook.test", one.webhook.id]);

    const [{ id: replayId }] = await asUser(testSql(), t.claims(t.owner), (tx) => tx`select reports.replay_webhook_delivery(${testId}) as id`);
    await drive(handler);
    const [a, b] = rx.seen("/one");
    assertEquals(b.headers["webhook-id"], a.headers["webhook-id"], "the same webhook-id");
    assertEquals(b.body, a.body, "the same payload bytes");
    const rows = await attempts(one.webhook.id);
    const replay = rows.find((r) => r.id === replayId)!;
    assertEquals([replay.attempt, replay.replay_of, replay.status], [1, testId, "delivered"]);
  } finally {
    await rx.stop();
  }
});

dbTest("reports-webhooks: a worker whose lease was lost records nothing", async () => {
  const { handler } = setup();
  const t = await team();
  const ep = await createEndpoint(handler, t.ownerToken, t.id, "http://127.0.0.1:9/never", ["report.completed"]);
  await emit(t.id, "report.completed", { report_id: "r-10" });
  const [d] = await attempts(ep.webhook.id);
  const [job] = await testSql()`select id from public.jobs where queue = 'reports.webhooks' and idempotency_key = ${d.id}::text`;
  await testSql()`update public.jobs set status = 'running', locked_by = 'someone-else', attempts = 1 where id = ${job.id}`;
  let code = "";
  try {
    await testSql()`select private.reports_webhook_record_attempt(${job.id}, 'me', ${d.id}, 'delivered', 200, 5, null, null)`;
  } catch (error) {
    code = (error as { code: string }).code;
  }
  assertEquals(code, "PT409");
  const [still] = await attempts(ep.webhook.id);
  assertEquals(still.status, "pending", "nothing recorded");
  await testSql()`update public.jobs set status = 'dead', locked_by = null where id = ${job.id}`;
});

Deno.test({ name: "reports-webhooks: close the pool", sanitizeOps: false, sanitizeResources: false, fn: closeTestSql });
