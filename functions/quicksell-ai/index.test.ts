// quicksell-ai on the local providers against the real database: each
// assistant end to end (request_ai as the seller -> queue -> worker -> the
// listing or photo changed), who pays (allowance, then credits, then 402),
// and that a retried or re-run job is never charged twice.
import { asUser } from "../_shared/db.ts";
import { type DescriptionProvider, localDescriber, TransientAiError } from "../_shared/quicksell/describe.ts";
import { encodePng } from "../_shared/quicksell/images.ts";
import { BUCKET, processPhoto } from "../_shared/quicksell/photo-process.ts";
import { noise, productShot } from "../_shared/quicksell/sample-images.ts";
import { mediaStore } from "../_shared/quicksell/store-media.ts";
import { memoryStorage } from "../_shared/storage.ts";
import { assert, assertEquals, dbTest, ledgerViolations, newUser, signToken, testSql } from "../_shared/testing.ts";
import { type AiDeps, createHandler } from "./index.ts";

const SECRET = "quicksell-ai-test-secret-with-32-characters";
const URL_ = "http://functions.test/functions/v1/quicksell-ai";

function setup(describer: DescriptionProvider = localDescriber()) {
  const storage = memoryStorage();
  const deps: AiDeps = { jwtSecret: SECRET, store: mediaStore(testSql()), storage, describer, timeoutMs: 5_000, maxMs: 30_000, batchSize: 8 };
  return { handler: createHandler(deps), storage, deps };
}

/** A describer that fails transiently the first `failures` times. */
function flaky(failures: number): DescriptionProvider & { calls: number } {
  const local = localDescriber();
  const d = {
    mode: "local" as const,
    calls: 0,
    describe(l: Parameters<DescriptionProvider["describe"]>[0]) {
      d.calls++;
      if (d.calls <= failures) return Promise.reject(new TransientAiError("openai: HTTP 503"));
      return local.describe(l);
    },
  };
  return d;
}

async function drain(handler: (r: Request) => Promise<Response>) {
  const token = await signToken({ role: "service_role", iss: "supabase", exp: Math.floor(Date.now() / 1000) + 600 }, SECRET);
  const res = await handler(new Request(URL_, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ queue: "quicksell.ai" }),
  }));
  const body = await res.json();
  assertEquals(res.status, 200, JSON.stringify(body));
  return body as { claimed: number; outcomes: Record<string, number>; jobs: Array<{ queueJobId: number; kind: string; outcome: string; provider?: string; error?: string }> };
}

type User = { id: string; email: string };

async function listing(user: User, fields: Record<string, unknown> = {}) {
  const f = { title: "Canon AE-1 film camera", description: "camera", category: "cameras", condition: "good", price: 150, brand: "Canon", model: "AE-1", ...fields };
  const [row] = await testSql()`
    insert into quicksell.listings (user_id, title, description, category, condition, price, brand, model, color, local_pickup_available)
    values (${user.id}, ${f.title as string}, ${f.description as string}, ${f.category as string}, ${f.condition as string}::quicksell.listing_condition,
            ${f.price as number}, ${f.brand as string | null}, ${f.model as string | null}, 'black', true)
    returning id`;
  return row.id as string;
}

async function requestAi(user: User, listingId: string, kind: string) {
  return await asUser(testSql(), { sub: user.id, role: "authenticated", email: user.email }, async (tx) => {
    const [row] = await tx`select quicksell.request_ai(${listingId}::uuid, ${kind}) as r`;
    return row.r as { request_id: string; status: string; paid_by: string; credits: number; replayed: boolean };
  });
}

async function refusal(run: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await run();
  } catch (error) {
    return { code: (error as { code?: string }).code ?? "", message: (error as Error).message };
  }
  throw new Error("expected a refusal");
}

async function request(id: string) {
  const [row] = await testSql()`select status, paid_by, credits, provider, result, error_message, usage_event_id from quicksell.ai_requests where id = ${id}`;
  return row;
}

async function credits(accountId: string) {
  const [row] = await testSql()`select balance, held from public.credit_balances where account_id = ${accountId} and pool = 'credits'`;
  return { balance: row?.balance ?? 0, held: row?.held ?? 0 };
}

/** Sold comparables by other sellers: listed, published, sold with a completed sale `days` ago. */
async function sold(category: string, brand: string, prices: number[], days = 10) {
  const other = await newUser("qs-ai-comparable");
  for (const [i, price] of prices.entries()) {
    const id = await listing(other, { category, brand, price, title: `${brand} sold ${i}` });
    await testSql()`update quicksell.listings set status = 'published', published_at = now() - interval '40 days' where id = ${id}`;
    await testSql()`
      insert into quicksell.sales (listing_id, seller_id, sale_price, status, sale_date, completed_date)
      values (${id}, ${other.id}, ${price}, 'completed', now() - make_interval(days => ${days + i}), now() - make_interval(days => ${days + i}))`;
    await testSql()`update quicksell.listings set status = 'sold' where id = ${id} and status <> 'sold'`;
  }
}

dbTest("description: the local writer describes the listing from its fields; ai_description_generated is set", async () => {
  const { handler } = setup();
  const user = await newUser("qs-ai-desc");
  const id = await listing(user);
  const r = await requestAi(user, id, "description");
  assertEquals([r.status, r.paid_by, r.replayed], ["queued", "allowance", false]);
  const again = await requestAi(user, id, "description");
  assertEquals([again.request_id, again.replayed], [r.request_id, true], "a double click returns the open request");
  const report = await drain(handler);
  const mine = report.jobs.find((j) => j.kind === "description" && j.outcome === "completed" && j.provider === "local:template");
  assert(mine, JSON.stringify(report));
  const [l] = await testSql()`select description, ai_description_generated from quicksell.listings where id = ${id}`;
  assert(l.ai_description_generated, "flag set");
  assert(/Canon AE-1 film camera/.test(l.description) && /good condition/.test(l.description) && /local pickup/i.test(l.description) && /\$150\.00/.test(l.description),
    `a real description: ${l.description}`);
  const req = await request(r.request_id);
  assertEquals([req.status, req.provider], ["completed", "local:template"]);
  const [use] = await testSql()`select count(*)::int as n from public.usage_events where account_id = ${user.id} and feature = 'quicksell.ai_listing'`;
  assertEquals(use.n, 1, "one allowance unit used, recorded on delivery");
});

dbTest("price estimate: from seeded sold comparables; below 3 it says not enough data and sets nothing", async () => {
  const { handler } = setup();
  const category = `cameras-${crypto.randomUUID().slice(0, 8)}`;
  await sold(category, "Canon", [140, 160, 150, 155]);
  await sold(category, "Nikon", [400, 420, 410]);
  const user = await newUser("qs-ai-price");
  const id = await listing(user, { category });
  const r = await requestAi(user, id, "price_estimate");
  await drain(handler);
  const [l] = await testSql()`select estimated_price::float8 as p, ai_price_estimated, confidence_score::float8 as c from quicksell.listings where id = ${id}`;
  assert(l.ai_price_estimated, "flag set");
  assert(l.p >= 140 && l.p <= 160, `estimated from the four Canons, not the Nikons: ${l.p}`);
  assert(l.c > 0 && l.c <= 1, `confidence ${l.c}`);
  const req = await request(r.request_id);
  assertEquals([req.status, req.result.estimate.comparables, req.result.estimate.matched_on], ["completed", 4, "category, brand and condition"]);

  const sparse = `drones-${crypto.randomUUID().slice(0, 8)}`;
  await sold(sparse, "DJI", [300, 320]);
  const lonely = await listing(user, { category: sparse, brand: "DJI" });
  const r2 = await requestAi(user, lonely, "price_estimate");
  const report = await drain(handler);
  assert(report.jobs.some((j) => j.error === "not enough data"), JSON.stringify(report));
  const req2 = await request(r2.request_id);
  assertEquals(req2.status, "not_enough_data");
  assert(/^not enough data: 2 comparable sold listings/.test(req2.result.estimate.message), req2.result.estimate.message);
  const [l2] = await testSql()`select estimated_price, ai_price_estimated, confidence_score from quicksell.listings where id = ${lonely}`;
  assertEquals([l2.estimated_price, l2.ai_price_estimated, l2.confidence_score], [null, false, null], "the listing is untouched");
  const [use] = await testSql()`select count(*)::int as n from public.usage_events where account_id = ${user.id} and feature = 'quicksell.ai_listing'`;
  assertEquals(use.n, 1, "only the delivered estimate used the allowance");
});

dbTest("photo analysis: the local pixel analysis fills each photo's AI fields, faces and hands stay null", async () => {
  const { handler, storage, deps } = setup();
  const user = await newUser("qs-ai-photo");
  const id = await listing(user);
  const photos: string[] = [];
  for (const [file, raster] of [["white.png", productShot(640, 480)], ["noise.png", noise(320, 240)]] as const) {
    const path = `${user.id}/${id}/${file}`;
    await storage.upload(BUCKET, path, encodePng(raster), "image/png");
    const [row] = await testSql()`insert into quicksell.photos (listing_id, user_id, original_url) values (${id}, ${user.id}, ${path}) returning id`;
    await processPhoto({ store: deps.store, storage }, row.id, { analyze: false });
    photos.push(row.id);
  }
  const r = await requestAi(user, id, "photo_analysis");
  await drain(handler);
  assertEquals((await request(r.request_id)).status, "completed");
  const rows = await testSql()`
    select id, background_type, quality_score::float8 as q, object_confidence::float8 as o, contains_faces, contains_hands
    from quicksell.photos where listing_id = ${id}`;
  const white = rows.find((p) => p.id === photos[0])!;
  const busy = rows.find((p) => p.id === photos[1])!;
  assertEquals([white.background_type, busy.background_type], ["plain_white", "busy"]);
  assert(white.o > 0.8 && busy.o < 0.2, `object confidence ${white.o} / ${busy.o}`);
  assert(white.q > 0 && white.q <= 1, `quality ${white.q}`);
  assertEquals([white.contains_faces, white.contains_hands, busy.contains_faces], [null, null, null], "not guessed");
});

dbTest("who pays: the allowance, then credits, then a clear 402", async () => {
  const { handler } = setup();
  const user = await newUser("qs-ai-pay");
  const a = await listing(user);
  const b = await listing(user, { title: "Second" });
  // Nine of the free plan's ten already used this period.
  for (let i = 0; i < 9; i++) await testSql()`select private.record_usage(${user.id}::uuid, 'quicksell.ai_listing', 1, ${`earlier-${i}`})`;
  assertEquals((await requestAi(user, a, "description")).paid_by, "allowance", "the tenth comes from the allowance");
  const none = await refusal(() => requestAi(user, b, "description"));
  assertEquals(none.code, "PT402");
  assert(/AI allowance used up .*and not enough credits: 0 available, 2 needed/.test(none.message), none.message);

  await testSql()`select private.credit_apply(${user.id}::uuid, 'credits', 3, 'grant', ${`grant-${user.id}`})`;
  const paid = await requestAi(user, b, "description");
  assertEquals([paid.paid_by, paid.credits], ["credits", 2]);
  assertEquals(await credits(user.id), { balance: 3, held: 2 }, "held until delivered");
  const short = await refusal(() => requestAi(user, b, "photo_analysis"));
  assertEquals(short.code, "PT409", "(photo analysis without photos is a state conflict, checked first)");
  const estimate = await requestAi(user, b, "price_estimate");
  assertEquals([estimate.paid_by, estimate.credits], ["credits", 1], "the last credit covers a price estimate");
  const broke = await refusal(() => requestAi(user, a, "price_estimate"));
  assertEquals(broke.code, "PT402", "and then nothing is left");
  assert(/0 available, 1 needed/.test(broke.message), broke.message);
  await drain(handler);
  const [est] = await testSql()`select status from quicksell.ai_requests where id = ${estimate.request_id}`;
  // The estimate costs its credit only if it was delivered ("not enough data" is free).
  const expected = est.status === "completed" ? 3 : 2;
  assertEquals(await credits(user.id), { balance: 3 - expected, held: 0 }, `captured what was delivered (${est.status})`);
  const [spent] = await testSql()`select coalesce(sum(-amount), 0)::int as n from public.credit_transactions where account_id = ${user.id} and type = 'usage'`;
  assertEquals(spent.n, expected, "each delivered request spent its price once");
  assertEquals(await ledgerViolations(), 0, "the ledger balances");
});

dbTest("a retried job is not charged twice: transient failure, reaped lease, replayed completion", async () => {
  const describer = flaky(1);
  const { handler, deps } = setup(describer);
  const user = await newUser("qs-ai-retry");
  const id = await listing(user);
  for (let i = 0; i < 10; i++) await testSql()`select private.record_usage(${user.id}::uuid, 'quicksell.ai_listing', 1, ${`used-${i}`})`;
  await testSql()`select private.credit_apply(${user.id}::uuid, 'credits', 10, 'grant', ${`grant-${user.id}`})`;
  const r = await requestAi(user, id, "description");
  assertEquals(r.paid_by, "credits");
  const [{ queue_job_id: jobId }] = await testSql()`select queue_job_id from quicksell.ai_requests where id = ${r.request_id}`;

  // 1. The provider answers 503: the job is requeued, the hold kept.
  let report = await drain(handler);
  assert(report.jobs.some((j) => j.queueJobId === Number(jobId) && j.outcome === "retrying"), JSON.stringify(report));
  assertEquals(await credits(user.id), { balance: 10, held: 2 }, "still held, nothing spent");
  assertEquals((await request(r.request_id)).status, "queued");

  // 2. A worker claims it and dies mid-job; the reaper hands it out again.
  await testSql()`update public.jobs set run_at = now() where id = ${jobId}`;
  const claimed = await deps.store.claimAi("crashed-worker", 50);
  assert(claimed.some((j) => j.queue_job_id === Number(jobId)), "claimed by the worker that crashes");
  await testSql()`update public.jobs set lease_expires_at = now() - interval '1 second' where id = ${jobId}`;
  await testSql()`select private.reap_expired_jobs()`;
  assertEquals((await request(r.request_id)).status, "queued", "the request follows its job back to the queue");

  // 3. It runs and succeeds: charged once.
  report = await drain(handler);
  assert(report.jobs.some((j) => j.queueJobId === Number(jobId) && j.outcome === "completed"), JSON.stringify(report));
  assertEquals(await credits(user.id), { balance: 8, held: 0 }, "2 credits spent, once");

  // 4. The crashed worker wakes up and reports its result: refused, nothing charged.
  assertEquals(await deps.store.completeAi(Number(jobId), "crashed-worker", { description: "late", provider: "local:template" }), "lease_lost");
  // 5. Even a completion replayed under a live lease (the job handed out again by mistake) pays nothing more.
  await testSql()`update public.jobs set status = 'running', locked_by = 'replay', finished_at = null where id = ${jobId}`;
  assertEquals(await deps.store.completeAi(Number(jobId), "replay", { description: "again", provider: "local:template" }), "completed");
  assertEquals(await credits(user.id), { balance: 8, held: 0 }, "still 2 spent in all");
  const [rows] = await testSql()`
    select count(*)::int as n from public.credit_transactions t join public.credit_reservations r on r.id = t.reservation_id
    where r.idempotency_key = ${"quicksell.ai:" + r.request_id} and t.type = 'usage'`;
  assertEquals(rows.n, 1, "one usage row for the request");
  assertEquals(describer.calls, 2, "the provider ran twice (503, then success); the replay did not run it");
  assertEquals(await ledgerViolations(), 0);
});

dbTest("the worker is the service role's; a seller's token is refused", async () => {
  const { handler } = setup();
  const user = await newUser("qs-ai-forbidden");
  const token = await signToken({ sub: user.id, role: "authenticated", exp: Math.floor(Date.now() / 1000) + 600 }, SECRET);
  const res = await handler(new Request(URL_, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: "{}" }));
  assertEquals(res.status, 403);
  await res.body?.cancel();
});
