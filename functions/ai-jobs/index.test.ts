// The ai-jobs function against the real database: the whole life of a
// Studio project on the local provider (start, claim, run, store, settle),
// and everything that can go wrong on the way: bad input, too few credits,
// repeated requests, permanent failures, timeouts with retries, crashed
// workers, expired holds, and concurrent workers. Files go to an in-memory
// Storage; the vitest suite covers the gateway's Storage on disk.
import { localProvider } from "../_shared/ai-providers/local.ts";
import { decodeImage, encodePng, meanDifference, placeholderRoom } from "../_shared/ai-providers/image.ts";
import { type AiProvider, ProviderError } from "../_shared/ai-providers/types.ts";
import { memoryStorage } from "../_shared/storage.ts";
import { studioStore } from "../_shared/studio/store.ts";
import { assert, assertEquals, closeTestSql, dbTest, ledgerViolations, newUser, signToken, testSql, userToken } from "../_shared/testing.ts";
import { type AiJobsDeps, createHandler } from "./index.ts";

const JWT_SECRET = "ai-jobs-test-secret-with-32-characters!!";
const URL_ = "http://functions.test/functions/v1/ai-jobs";

type Behaviour = "ok" | "fail" | "transient" | "hang";

/** Local provider by default; per AI job id: fail for good, fail once transiently, or hang. */
function scripted(script: Map<string, Behaviour[]>, runs: Map<string, number>): (s: "replicate" | "qwen" | "nano_banana") => AiProvider {
  return (service) => {
    const local = localProvider(service);
    return {
      service,
      mode: "local",
      run(job, ctx) {
        runs.set(job.aiJobId, (runs.get(job.aiJobId) ?? 0) + 1);
        const plan = script.get(job.aiJobId);
        const next = plan?.length ? plan.shift()! : "ok";
        if (next === "fail") return Promise.reject(new ProviderError(`${service}: content policy refused the image`, false));
        if (next === "transient") return Promise.reject(new ProviderError(`${service}: HTTP 503 overloaded`, true));
        if (next === "hang") {
          return new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason), { once: true }));
        }
        return local.run(job, ctx);
      },
    };
  };
}

function setup(overrides: Partial<AiJobsDeps> = {}) {
  const storage = memoryStorage();
  const script = new Map<string, Behaviour[]>();
  const runs = new Map<string, number>();
  const deps: AiJobsDeps = {
    jwtSecret: JWT_SECRET,
    revocationReason: () => Promise.resolve(null),
    store: studioStore(testSql()),
    storage,
    providers: scripted(script, runs),
    objectExists: (bucket, path) => Promise.resolve(storage.objects.has(`${bucket}/${path}`)),
    fetch: () => Promise.reject(new Error("no network in tests")),
    timeoutMs: 5_000,
    maxMs: 30_000,
    batchSize: 4,
    ...overrides,
  };
  return { handler: createHandler(deps), storage, script, runs, deps };
}

async function call(handler: (r: Request) => Promise<Response>, token: string | null, body: unknown) {
  const res = await handler(new Request(URL_, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  }));
  return { status: res.status, body: await res.json() };
}

const serviceToken = () => signToken({ role: "service_role", iss: "supabase", exp: Math.floor(Date.now() / 1000) + 600 }, JWT_SECRET);

async function runWorker(handler: (r: Request) => Promise<Response>, extra: Record<string, unknown> = {}) {
  const { status, body } = await call(handler, await serviceToken(), { queue: "studio.ai_job", ...extra });
  assertEquals(status, 200, JSON.stringify(body));
  return body as { claimed: number; outcomes: Record<string, number>; jobs: Array<{ aiJobId: string; outcome: string; mode?: string; error?: string }> };
}

async function start(handler: (r: Request) => Promise<Response>, user: { id: string; email: string }, body: Record<string, unknown>) {
  return await call(handler, await userToken(user, JWT_SECRET), { name: "Test project", ...body });
}

async function credits(accountId: string) {
  const [row] = await testSql()`select coalesce(balance, 0) as balance, coalesce(held, 0) as held from public.credit_balances where account_id = ${accountId} and pool = 'credits'`;
  return { balance: row?.balance ?? 0, held: row?.held ?? 0 };
}

async function project(id: string) {
  const [row] = await testSql()`select status, credit_cost, error_message, output_data from studio.projects where id = ${id}`;
  return row;
}

async function jobsOf(projectId: string) {
  return await testSql()`
    select j.id, j.status, j.credit_cost, j.latency_ms, j.api_cost::float8 as api_cost, j.output, j.error_message, j.attempts,
           r.status as hold, (select count(*)::int from public.credit_transactions t where t.reservation_id = r.id) as usage_rows
    from studio.ai_jobs j join public.credit_reservations r on r.id = j.reservation_id
    where j.project_id = ${projectId} order by j.created_at, j.id`;
}

/** Makes a job that is waiting out its retry backoff due now. */
async function makeDue(projectId: string) {
  await testSql()`update public.jobs q set run_at = now() from studio.ai_jobs j where j.queue_job_id = q.id and j.project_id = ${projectId} and q.status = 'queued'`;
}

dbTest("start: a token is required; bad input is a 400 naming the field; nothing is created", async () => {
  const { handler } = setup();
  const user = await newUser("studio-bad");
  assertEquals((await call(handler, null, { type: "photo_edit", name: "x" })).status, 401);
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ type: "painting" }, "type"],
    [{ type: "photo_edit", name: "" }, "name"],
    [{ type: "photo_edit", input: { style: "sepia" } }, "input.style"],
    [{ type: "photo_edit", input: { images: [{ url: "ftp://x/y.png" }] } }, "input.images.0.url"],
    [{ type: "video", input: { durationSeconds: 60 } }, "input.durationSeconds"],
    [{ type: "photo_edit", service: "dalle" }, "service"],
    [{ type: "photo_edit", accountId: "acme" }, "accountId"],
    [{ type: "photo_edit", input: { images: [{ path: "00000000-0000-4000-8000-000000000001/uploads/a.png" }] } }, "input.images.0.path"],
    [{ type: "video", service: "nano_banana" }, "service"],
    [{ type: "photo_edit", service: "qwen", model: "gpt-image-1" }, "model"],
  ];
  for (const [body, field] of cases) {
    const res = await start(handler, user, body);
    assertEquals([res.status, res.body.error?.field], [400, field], JSON.stringify(res.body));
  }
  const [row] = await testSql()`select count(*)::int as n from studio.projects where user_id = ${user.id}`;
  assertEquals(row.n, 0, "no project for refused requests");
});

dbTest("start: too few credits is a 402 and nothing is created or held", async () => {
  const { handler } = setup();
  const user = await newUser("studio-poor");
  // Welcome credits (50) pay for one 40-credit video; the second is refused.
  const first = await start(handler, user, { type: "video", service: "replicate" });
  assertEquals(first.status, 201, JSON.stringify(first.body));
  assertEquals(await credits(user.id), { balance: 50, held: 40 });
  const second = await start(handler, user, { type: "video", service: "replicate", name: "Second" });
  assertEquals(second.status, 402, JSON.stringify(second.body));
  assertEquals(second.body.error.code, "payment_required");
  assert(/insufficient credits: 10 available, 40 needed/.test(second.body.error.message), second.body.error.message);
  const [row] = await testSql()`
    select (select count(*)::int from studio.projects where user_id = ${user.id}) as projects,
           (select count(*)::int from studio.ai_jobs where user_id = ${user.id}) as jobs,
           (select count(*)::int from public.credit_reservations where account_id = ${user.id}) as holds`;
  assertEquals(row, { projects: 1, jobs: 1, holds: 1 }, "the refused request left nothing behind");
  assertEquals(await credits(user.id), { balance: 50, held: 40 });
  // A team account the user is not a member of is refused (403), one they are is charged.
  const stranger = await newUser("studio-stranger");
  const res = await start(handler, stranger, { type: "template", accountId: user.id });
  assertEquals([res.status, res.body.error?.field], [403, "account_id"]);
  await runWorker(handler);
});

dbTest("start: the same idempotency key returns the first project and charges once", async () => {
  const { handler } = setup();
  const user = await newUser("studio-idem");
  const body = { type: "photo_edit", service: "nano_banana", idempotencyKey: `idem-${user.id}`, input: { width: 64, height: 48 } };
  const [a, b] = await Promise.all([start(handler, user, body), start(handler, user, body)]);
  assertEquals([a.status, b.status].sort(), [200, 201]);
  assertEquals(a.body.project.id, b.body.project.id);
  assertEquals(await credits(user.id), { balance: 50, held: 5 });
  await runWorker(handler);
  const again = await start(handler, user, body);
  assertEquals([again.status, again.body.replayed, again.body.project.status], [200, true, "completed"]);
  assertEquals(await credits(user.id), { balance: 45, held: 0 }, "charged exactly once");
});

dbTest("whole life on the local provider: a photo edit becomes a PNG in Storage, a media item, a charge and a notification", async () => {
  const { handler, storage } = setup();
  const user = await newUser("studio-life");
  const started = await start(handler, user, { type: "photo_edit", service: "nano_banana", name: "Living room", input: { style: "virtual_staging", width: 160, height: 120 } });
  assertEquals(started.status, 201, JSON.stringify(started.body));
  assertEquals([started.body.project.status, started.body.project.creditCost, started.body.jobs.length], ["pending", 5, 1]);
  assertEquals([started.body.jobs[0].service, started.body.jobs[0].model], ["nano_banana", "gemini-2.5-flash-image"]);

  const worked = await runWorker(handler);
  const mine = worked.jobs.find((j) => j.aiJobId === started.body.jobs[0].id)!;
  assertEquals([mine.outcome, mine.mode], ["completed", "local"]);

  const p = await project(started.body.project.id);
  assertEquals([p.status, p.credit_cost, p.error_message], ["completed", 5, null]);
  const [job] = await jobsOf(started.body.project.id);
  assertEquals([job.status, job.hold, job.usage_rows, job.api_cost, job.output.mode, job.output.provider], ["completed", "captured", 1, 0, "local", "local:nano_banana"]);
  assert(job.latency_ms >= 0, "latency recorded");

  const [media] = await testSql()`select * from studio.media_items where ai_job_id = ${job.id}`;
  assertEquals([media.type, media.user_id, media.account_id, media.credits_used, media.mime_type], ["image", user.id, user.id, 5, "image/png"]);
  const object = storage.objects.get(`studio-media/${media.storage_path}`)!;
  assertEquals([object.contentType, object.bytes.byteLength], ["image/png", media.file_size]);
  const png = decodeImage(object.bytes);
  assertEquals([png.width, png.height], [160, 120]);
  assert(meanDifference(png, placeholderRoom(160, 120, parseInt(job.id.replace(/-/g, "").slice(0, 6), 16))) > 3, "the edit changed the picture");
  assertEquals(p.output_data.media[0].media_id, media.id);

  assertEquals(await credits(user.id), { balance: 45, held: 0 });
  const notes = await testSql()`select type, product, action_url from public.notifications where user_id = ${user.id} order by created_at`;
  assertEquals(notes.map((n) => n.type), ["job_completed"]);
  assertEquals([notes[0].product, notes[0].action_url], ["studio", `/studio/projects/${started.body.project.id}`]);
  assertEquals(await ledgerViolations(), 0);
});

dbTest("an uploaded photo is really edited: same size, different pixels; video and template render too", async () => {
  const { handler, storage } = setup();
  const user = await newUser("studio-upload");
  const source = placeholderRoom(120, 90, 7);
  await storage.upload("studio-media", `${user.id}/uploads/room.png`, encodePng(source), "image/png");
  const res = await start(handler, user, { type: "photo_edit", service: "qwen", input: { images: [{ path: `${user.id}/uploads/room.png` }], style: "twilight" } });
  assertEquals(res.status, 201, JSON.stringify(res.body));
  const video = await start(handler, user, { type: "video", service: "qwen", name: "Tour", input: { image: { path: `${user.id}/uploads/room.png` }, durationSeconds: 1, width: 60, height: 45 } });
  assertEquals(video.status, 201, JSON.stringify(video.body));
  await runWorker(handler);
  const [edited] = await testSql()`select storage_path from studio.media_items where project_id = ${res.body.project.id}`;
  const out = decodeImage(storage.objects.get(`studio-media/${edited.storage_path}`)!.bytes);
  assertEquals([out.width, out.height], [120, 90]);
  assert(meanDifference(out, source) > 10, "twilight changed the photo");
  const [clip] = await testSql()`select type, mime_type, storage_path from studio.media_items where project_id = ${video.body.project.id}`;
  assertEquals([clip.type, clip.mime_type], ["video", "image/gif"]);
  assertEquals(new TextDecoder().decode(storage.objects.get(`studio-media/${clip.storage_path}`)!.bytes.subarray(0, 6)), "GIF89a");

  const promo = await start(handler, user, { type: "template", service: "replicate", name: "Promo", input: { fields: { headline: "Just listed <3", price: "$450,000" }, width: 300, height: 300 } });
  await runWorker(handler);
  const [svg] = await testSql()`select type, mime_type, storage_path from studio.media_items where project_id = ${promo.body.project.id}`;
  const text = new TextDecoder().decode(storage.objects.get(`studio-media/${svg.storage_path}`)!.bytes);
  assertEquals([svg.type, svg.mime_type], ["template", "image/svg+xml"]);
  assert(text.includes("Just listed &lt;3") && text.includes("$450,000") && text.includes("local provider"), "the SVG carries the escaped fields and says it is local");
  assertEquals(await credits(user.id), { balance: 50 - 4 - 30 - 2, held: 0 });
});

dbTest("a permanent failure releases the hold once, fails the project and tells the user", async () => {
  const { handler, script } = setup();
  const user = await newUser("studio-fail");
  const res = await start(handler, user, { type: "photo_edit", service: "replicate", input: { width: 32, height: 24 } });
  script.set(res.body.jobs[0].id, ["fail"]);
  const worked = await runWorker(handler);
  assertEquals(worked.jobs.find((j) => j.aiJobId === res.body.jobs[0].id)?.outcome, "failed");
  const p = await project(res.body.project.id);
  assertEquals([p.status, p.credit_cost], ["failed", 0]);
  assert(/content policy/.test(p.error_message), p.error_message);
  const [job] = await jobsOf(res.body.project.id);
  assertEquals([job.status, job.hold, job.usage_rows, job.credit_cost, job.attempts], ["failed", "released", 0, 0, 1]);
  assertEquals(await credits(user.id), { balance: 50, held: 0 });
  const notes = await testSql()`select type, title, data from public.notifications where user_id = ${user.id}`;
  assertEquals(notes.map((n) => [n.type, n.title, n.data.status]), [["system", "Your photo edit failed", "failed"]]);
  const [media] = await testSql()`select count(*)::int as n from studio.media_items where project_id = ${res.body.project.id}`;
  assertEquals(media.n, 0);
});

dbTest("a timeout is retried with the hold kept, and the retry that succeeds charges once", async () => {
  const { handler, script, runs } = setup({ timeoutMs: 100 });
  const user = await newUser("studio-timeout");
  const res = await start(handler, user, { type: "photo_edit", service: "qwen", input: { width: 32, height: 24 } });
  const id = res.body.jobs[0].id;
  script.set(id, ["hang", "transient"]);
  const first = await runWorker(handler);
  const mine = first.jobs.find((j) => j.aiJobId === id)!;
  assertEquals(mine.outcome, "retrying");
  assert(/timed out after 100 ms/.test(mine.error!), mine.error!);
  let [job] = await jobsOf(res.body.project.id);
  assertEquals([job.status, job.hold, job.attempts], ["pending", "held", 1]);
  assertEquals(await credits(user.id), { balance: 50, held: 4 }, "still held while it waits to retry");
  assert(/timed out/.test(job.error_message), "the error is recorded");

  await makeDue(res.body.project.id);
  assertEquals((await runWorker(handler)).jobs.find((j) => j.aiJobId === id)?.outcome, "retrying");
  await makeDue(res.body.project.id);
  assertEquals((await runWorker(handler)).jobs.find((j) => j.aiJobId === id)?.outcome, "completed");
  [job] = await jobsOf(res.body.project.id);
  assertEquals([job.status, job.hold, job.usage_rows, job.attempts, runs.get(id)], ["completed", "captured", 1, 3, 3]);
  assertEquals(await credits(user.id), { balance: 46, held: 0 }, "three attempts, one charge");
  assertEquals((await project(res.body.project.id)).status, "completed");
});

dbTest("a job that keeps timing out dies after its last attempt and is refunded exactly once", async () => {
  const { handler, script } = setup({ timeoutMs: 50 });
  const user = await newUser("studio-dead");
  const res = await start(handler, user, { type: "template", service: "qwen" });
  const id = res.body.jobs[0].id;
  script.set(id, ["hang", "hang", "hang", "hang"]);
  for (const expected of ["retrying", "retrying", "failed"]) {
    await makeDue(res.body.project.id);
    assertEquals((await runWorker(handler)).jobs.find((j) => j.aiJobId === id)?.outcome, expected);
  }
  const [job] = await jobsOf(res.body.project.id);
  assertEquals([job.status, job.hold, job.usage_rows, job.attempts], ["failed", "released", 0, 3]);
  const [q] = await testSql()`select status from public.jobs where id = (select queue_job_id from studio.ai_jobs where id = ${id})`;
  assertEquals(q.status, "dead");
  assertEquals(await credits(user.id), { balance: 50, held: 0 });
  assertEquals((await project(res.body.project.id)).status, "failed");
  // Releasing again (the trigger seeing the job die twice) changes nothing.
  await testSql()`select private.credit_release(reservation_id) from studio.ai_jobs where id = ${id}`;
  assertEquals(await credits(user.id), { balance: 50, held: 0 });
  assertEquals(await ledgerViolations(), 0);
});

dbTest("a crashed worker: its lease is reaped, another worker finishes the job, the late one changes nothing", async () => {
  const { handler, deps } = setup();
  const user = await newUser("studio-crash");
  const res = await start(handler, user, { type: "photo_edit", service: "nano_banana", input: { width: 32, height: 24 } });
  const id = res.body.jobs[0].id;
  // Claimed by a worker that then crashes (never reports).
  const claimed = await deps.store.claim("crashed-worker", 100);
  const mine = claimed.find((j) => j.ai_job_id === id)!;
  assert(mine, "the crashed worker had claimed it");
  for (const other of claimed.filter((j) => j.ai_job_id !== id)) await deps.store.fail(other.queue_job_id, "crashed-worker", "test: handing back", true, null);
  await testSql()`update public.jobs set run_at = now() where locked_by is null and status = 'queued' and queue = 'studio.ai_job'`;
  assertEquals((await jobsOf(res.body.project.id))[0].status, "processing");
  await testSql()`update public.jobs set lease_expires_at = now() - interval '1 second' where id = ${mine.queue_job_id}`;
  await testSql()`select private.reap_expired_jobs()`;
  assertEquals((await jobsOf(res.body.project.id))[0].status, "pending", "the reaped job is queued again");
  assertEquals((await runWorker(handler)).jobs.find((j) => j.aiJobId === id)?.outcome, "completed");
  // The crashed worker wakes up and reports: refused, nothing doubled.
  const late = await deps.store.complete({ queueJobId: mine.queue_job_id, worker: "crashed-worker", outputUrl: "http://x/late.png", output: {}, latencyMs: 1, apiCost: 0, media: {} });
  assertEquals(late, "lease_lost");
  assertEquals(await deps.store.fail(mine.queue_job_id, "crashed-worker", "late", false, null), "lease_lost");
  const [job] = await jobsOf(res.body.project.id);
  assertEquals([job.status, job.usage_rows, job.attempts], ["completed", 1, 2]);
  const [media] = await testSql()`select count(*)::int as n from studio.media_items where project_id = ${res.body.project.id}`;
  assertEquals(media.n, 1);
  assertEquals(await credits(user.id), { balance: 45, held: 0 });
});

dbTest("a crash on the last attempt: the reaper kills the job and the hold is released", async () => {
  const { deps } = setup();
  const { handler } = setup();
  const user = await newUser("studio-crash-last");
  const res = await start(handler, user, { type: "template", service: "replicate" });
  const id = res.body.jobs[0].id;
  await testSql()`update public.jobs set max_attempts = 1 where id = (select queue_job_id from studio.ai_jobs where id = ${id})`;
  const claimed = await deps.store.claim("crashed-worker-2", 100);
  for (const other of claimed.filter((j) => j.ai_job_id !== id)) await deps.store.fail(other.queue_job_id, "crashed-worker-2", "test: handing back", true, null);
  await testSql()`update public.jobs set run_at = now() where locked_by is null and status = 'queued' and queue = 'studio.ai_job'`;
  await testSql()`update public.jobs set lease_expires_at = now() - interval '1 second' where id = (select queue_job_id from studio.ai_jobs where id = ${id})`;
  await testSql()`select private.reap_expired_jobs()`;
  const [job] = await jobsOf(res.body.project.id);
  assertEquals([job.status, job.hold], ["failed", "released"]);
  assert(/lease expired/.test(job.error_message), job.error_message);
  assertEquals((await project(res.body.project.id)).status, "failed");
  assertEquals(await credits(user.id), { balance: 50, held: 0 });
});

dbTest("a hold that expires before its job runs kills the job: nothing stays reserved or pending", async () => {
  const { handler } = setup();
  const user = await newUser("studio-expire");
  const res = await start(handler, user, { type: "template", service: "replicate" });
  await testSql()`update public.credit_reservations set expires_at = now() - interval '1 second'
                  where id = (select reservation_id from studio.ai_jobs where id = ${res.body.jobs[0].id})`;
  await testSql()`select private.expire_credit_reservations()`;
  const [job] = await jobsOf(res.body.project.id);
  assertEquals([job.status, job.hold], ["failed", "expired"]);
  assertEquals((await project(res.body.project.id)).status, "failed");
  assertEquals(await credits(user.id), { balance: 50, held: 0 });
  const worked = await runWorker(handler);
  assert(!worked.jobs.some((j) => j.aiJobId === res.body.jobs[0].id), "a dead job is never run");
});

dbTest("a project of several photos: one fails, the others are delivered and charged, the failed one refunded", async () => {
  const { handler, script, storage } = setup();
  const user = await newUser("studio-multi");
  for (const n of [1, 2, 3]) await storage.upload("studio-media", `${user.id}/uploads/${n}.png`, encodePng(placeholderRoom(40, 30, n)), "image/png");
  const res = await start(handler, user, {
    type: "photo_edit", service: "nano_banana", name: "Three rooms",
    input: { images: [1, 2, 3].map((n) => ({ path: `${user.id}/uploads/${n}.png` })), style: "enhance" },
  });
  assertEquals([res.status, res.body.jobs.length, res.body.project.creditCost], [201, 3, 15]);
  script.set(res.body.jobs[1].id, ["fail"]);
  await runWorker(handler);
  const p = await project(res.body.project.id);
  assertEquals([p.status, p.credit_cost, p.output_data.failed_jobs, p.output_data.media.length], ["failed", 10, 1, 2]);
  assertEquals(await credits(user.id), { balance: 40, held: 0 });
});

dbTest("four concurrent workers never run one job twice", async () => {
  const { handler, runs } = setup({ batchSize: 3 });
  const users = await Promise.all([1, 2, 3].map((n) => newUser(`studio-conc-${n}`)));
  const ids: string[] = [];
  for (const user of users) {
    for (let i = 0; i < 8; i++) {
      const res = await start(handler, user, { type: "template", service: "replicate", name: `Promo ${i}`, input: { width: 64, height: 64 } });
      assertEquals(res.status, 201, JSON.stringify(res.body));
      ids.push(res.body.jobs[0].id);
    }
  }
  const results = await Promise.all([1, 2, 3, 4].map(() => runWorker(handler)));
  const ran = results.flatMap((r) => r.jobs).filter((j) => ids.includes(j.aiJobId));
  assertEquals(ran.length, ids.length, "every job ran");
  assertEquals(new Set(ran.map((j) => j.aiJobId)).size, ids.length, "no job reported twice");
  assert(ids.every((id) => runs.get(id) === 1), "each provider call happened once");
  assert(results.filter((r) => r.claimed > 0).length >= 2, "the work was shared");
  const [row] = await testSql()`
    select count(*) filter (where j.status = 'completed')::int as completed,
           count(distinct m.id)::int as media,
           sum(j.attempts)::int as attempts
    from studio.ai_jobs j left join studio.media_items m on m.ai_job_id = j.id
    where j.id = any(${ids}::uuid[])`;
  assertEquals(row, { completed: 24, media: 24, attempts: 24 });
  for (const user of users) assertEquals(await credits(user.id), { balance: 50 - 8 * 2, held: 0 });
  assertEquals(await ledgerViolations(), 0);
});

dbTest("the worker answers only the service role; a user token starts projects, never runs the queue", async () => {
  const { handler } = setup();
  const user = await newUser("studio-role");
  const res = await call(handler, await userToken(user, JWT_SECRET), { queue: "studio.ai_job" });
  assertEquals([res.status, res.body.error.field], [400, "type"]);
  const bad = await call(handler, await serviceToken(), { queue: "homes.valuation" });
  assertEquals([bad.status, bad.body.error.field], [400, "queue"]);
  const get = await handler(new Request(URL_, { method: "GET" }));
  assertEquals(get.status, 405);
  await get.body?.cancel();
});

Deno.test({ name: "close the test pool", sanitizeOps: false, sanitizeResources: false, fn: closeTestSql });
