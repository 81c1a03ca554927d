// The valuation worker and engine against the real database, on data whose
// answer can be checked by hand. Each test builds its own neighbourhood
// (a postal code and city nobody else uses), publishes a listing the way a
// seller does (homes.publish_listing as the user), then wakes the worker
// with the service-role key exactly as the scheduler does.
import { asUser } from "../_shared/db.ts";
import { assert, assertEquals, closeTestSql, dbTest, newUser, signToken, testSql, userToken } from "../_shared/testing.ts";
import { createHandler, type ValuationDeps } from "./index.ts";
import { valuationStore } from "../_shared/homes/valuation-store.ts";

const JWT_SECRET = "valuation-test-secret-with-32-characters!";
const URL_ = "http://functions.test/functions/v1/valuation";

function deps(): ValuationDeps {
  return {
    jwtSecret: JWT_SECRET,
    revocationReason: () => Promise.resolve(null),
    store: valuationStore(testSql()),
    workerId: `test-worker-${crypto.randomUUID().slice(0, 6)}`,
  };
}

async function post(token: string | null, body: unknown) {
  const res = await createHandler(deps())(new Request(URL_, {
    method: "POST",
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), "content-type": "application/json" },
    body: JSON.stringify(body),
  }));
  return { status: res.status, body: await res.json() };
}

const serviceToken = () => signToken({ role: "service_role", exp: Math.floor(Date.now() / 1000) + 600 }, JWT_SECRET);
const wakeWorker = async () => post(await serviceToken(), { queue: "homes.valuation" });

interface Home {
  bedrooms?: number;
  bathrooms?: number;
  area?: number;
  lot?: number;
  year?: number;
  sold?: number;
  soldDaysAgo?: number;
  postal?: string;
}

/** A neighbourhood of its own: unique city and postal code. */
function place() {
  const tag = crypto.randomUUID().slice(0, 6).toUpperCase();
  return { city: `Testville ${tag}`, state: "TX", postal: `T${tag}` };
}

async function addHome(owner: string, where: ReturnType<typeof place>, h: Home = {}): Promise<string> {
  const [row] = await testSql()`
    insert into homes.properties (owner_id, address, city, state, postal_code, bedrooms, bathrooms, living_area_sqft,
                                  lot_size_sqft, year_built, last_sold_price, last_sold_at)
    values (${owner}, ${"1 Test Way"}, ${where.city}, ${where.state}, ${h.postal ?? where.postal}, ${h.bedrooms ?? 3},
            ${h.bathrooms ?? 2}, ${h.area ?? 2000}, ${h.lot ?? 5000}, ${h.year ?? 2000}, ${h.sold ?? null},
            ${h.sold ? new Date(Date.now() - (h.soldDaysAgo ?? 30) * 86_400_000).toISOString().slice(0, 10) : null})
    returning id`;
  return row.id;
}

/** The seller lists and publishes through the API path (RLS, RPC); returns the listing id. */
async function publish(seller: { id: string; email: string }, propertyId: string, price = 410_000): Promise<string> {
  return await asUser(testSql(), { sub: seller.id, role: "authenticated", email: seller.email }, async (tx) => {
    const [listing] = await tx`insert into homes.listings (property_id, asking_price) values (${propertyId}, ${price}) returning id`;
    await tx`select homes.publish_listing(${listing.id})`;
    return listing.id as string;
  });
}

async function latest(propertyId: string) {
  const [v] = await testSql()`
    select id, estimate::float8 as estimate, estimate_low::float8 as low, estimate_high::float8 as high,
           confidence::float8 as confidence, valuation_method, comparables_count, usage_event_id
    from homes.valuations where property_id = ${propertyId} order by created_at desc limit 1`;
  return v;
}

async function jobFor(listingId: string) {
  const [job] = await testSql()`select status, result from public.jobs where queue = 'homes.valuation' and payload ->> 'listing_id' = ${listingId}`;
  return job;
}

async function notificationTypes(userId: string): Promise<string[]> {
  const rows = await testSql()`select type from public.notifications where user_id = ${userId} order by created_at, type`;
  return rows.map((r) => r.type);
}

/** Three sales of identical homes at $200, $210 and $190 per sqft. */
async function threeSales(where: ReturnType<typeof place>) {
  const neighbour = await newUser("neighbour");
  await addHome(neighbour.id, where, { sold: 400_000, soldDaysAgo: 30 });
  await addHome(neighbour.id, where, { sold: 420_000, soldDaysAgo: 60 });
  await addHome(neighbour.id, where, { sold: 380_000, soldDaysAgo: 90 });
  return neighbour;
}

dbTest("publish -> worker -> valuation: three identical sales give 400,000 at confidence 0.551", async () => {
  // By hand: similarity 1 and weight 1 each (same rooms, area, lot, age;
  // sold within a year). Weighted $/sqft = (200 + 210 + 190) / 3 = 200;
  // x 2,000 sqft = 400,000. cv = sqrt((0 + 100 + 100) / 3) / 200 = 0.0408;
  // confidence = 3/5 x (1 - 2 x 0.0408) x 1 = 0.551; range = +/-5% (cv < 5%).
  const where = place();
  await threeSales(where);
  const seller = await newUser("seller");
  const home = await addHome(seller.id, where);
  const listing = await publish(seller, home);
  assertEquals((await jobFor(listing)).status, "queued", "publishing queues a valuation job");

  const { status, body } = await wakeWorker();
  assertEquals(status, 200, JSON.stringify(body));
  assert(body.valued >= 1, `the worker valued the job: ${JSON.stringify(body)}`);

  const v = await latest(home);
  assertEquals([v.estimate, v.low, v.high, v.confidence, v.valuation_method, v.comparables_count],
    [400_000, 380_000, 420_000, 0.551, "comps_ppsf_postal_code", 3]);
  const comps = await testSql()`select adjusted_price::float8 as p, price_kind, similarity::float8 as s from homes.valuation_comparables where valuation_id = ${v.id} order by adjusted_price`;
  assertEquals(comps.map((c) => [c.p, c.price_kind, c.s]), [[380_000, "sold", 1], [400_000, "sold", 1], [420_000, "sold", 1]]);

  const job = await jobFor(listing);
  assertEquals([job.status, job.result.outcome, job.result.valuation_id], ["succeeded", "valued", v.id]);
  const [usage] = await testSql()`select feature, billable, reference_id from public.usage_events where id = ${v.usage_event_id}`;
  assertEquals([usage.feature, usage.billable, usage.reference_id], ["homes.valuation", false, v.id], "the valuation counted as included use");
  assert((await notificationTypes(seller.id)).includes("valuation_ready"), "the owner is told");
});

dbTest("an asking price counts at 0.6 of a sale, and a bigger home at its similarity", async () => {
  // By hand: a fourth comparable, an active listing of a 2,500 sqft home
  // asking 550,000 ($220/sqft): similarity 1 / (1 + 500/2000) = 0.8,
  // weight 0.8 x 0.6 = 0.48. $/sqft = (200 + 210 + 190 + 0.48 x 220) / 3.48
  // = 202.7586; x 2,000 = 405,517. cv = 0.0505; confidence = 4/6 x
  // (1 - 0.1011) x mean similarity 0.95 = 0.569.
  const where = place();
  const neighbour = await threeSales(where);
  const bigger = await addHome(neighbour.id, where, { area: 2500 });
  await testSql()`insert into homes.listings (property_id, seller_id, asking_price) values (${bigger}, ${neighbour.id}, 550000)`;
  await testSql()`update homes.listings set status = 'active', published_at = now() where property_id = ${bigger}`;
  const seller = await newUser("seller");
  const home = await addHome(seller.id, where);
  await publish(seller, home);
  await wakeWorker();

  const v = await latest(home);
  assertEquals([v.estimate, v.confidence, v.comparables_count], [405_517, 0.569, 4]);
  const [asking] = await testSql()`select similarity::float8 as s, weight::float8 as w, adjusted_price::float8 as p from homes.valuation_comparables where valuation_id = ${v.id} and price_kind = 'asking'`;
  assertEquals([asking.s, asking.w, asking.p], [0.8, 0.48, 440_000]);
});

dbTest("too few comparables: no number invented, nothing charged", async () => {
  const where = place();
  const neighbour = await newUser("neighbour");
  await addHome(neighbour.id, where, { sold: 400_000 });
  await addHome(neighbour.id, where, { sold: 410_000 });
  const seller = await newUser("seller");
  const home = await addHome(seller.id, where);
  const listing = await publish(seller, home);
  await wakeWorker();

  const v = await latest(home);
  assertEquals([v.estimate, v.confidence, v.valuation_method, v.comparables_count, v.usage_event_id],
    [null, 0, "insufficient_comparables", 2, null]);
  assertEquals((await jobFor(listing)).result.outcome, "insufficient");
  const [{ n }] = await testSql()`select count(*)::int as n from public.usage_events where account_id = ${seller.id}`;
  assertEquals(n, 0, "no usage recorded");
  assert((await notificationTypes(seller.id)).includes("valuation_insufficient"), "the owner is told why");
});

dbTest("a thin postal code widens to the city, discounting other postal codes to 0.8", async () => {
  // One sale in the subject's postal code, three elsewhere in the city:
  // 200 x 1 + (210 + 190 + 200) x 0.8 over 1 + 3 x 0.8 = 200 $/sqft.
  const where = place();
  const neighbour = await newUser("neighbour");
  const other = `U${where.postal.slice(1)}`;
  await addHome(neighbour.id, where, { sold: 400_000 });
  await addHome(neighbour.id, where, { sold: 420_000, postal: other });
  await addHome(neighbour.id, where, { sold: 380_000, postal: other });
  await addHome(neighbour.id, where, { sold: 400_000, postal: other });
  const seller = await newUser("seller");
  const home = await addHome(seller.id, where);
  await publish(seller, home);
  await wakeWorker();
  const v = await latest(home);
  assertEquals([v.estimate, v.valuation_method, v.comparables_count], [400_000, "comps_ppsf_city", 4]);
  const sims = await testSql()`select similarity::float8 as s from homes.valuation_comparables where valuation_id = ${v.id} order by rank`;
  assertEquals(sims.map((r) => r.s), [1, 0.8, 0.8, 0.8]);
});

dbTest("past the free plan's two valuations the job is refused, the owner told, nothing stored", async () => {
  const where = place();
  await threeSales(where);
  const seller = await newUser("seller");
  await testSql()`select private.record_usage(${seller.id}, 'homes.valuation', 2, ${"used-" + seller.id})`;
  const home = await addHome(seller.id, where);
  const listing = await publish(seller, home);
  const { body } = await wakeWorker();
  assert(body.refused >= 1, JSON.stringify(body));

  assertEquals(await latest(home), undefined, "no valuation stored");
  const job = await jobFor(listing);
  assertEquals([job.status, job.result.outcome], ["succeeded", "refused"]);
  assert(/allowance/.test(job.result.reason), job.result.reason);
  assert((await notificationTypes(seller.id)).includes("valuation_refused"), "the owner is told");
});

dbTest("Homes Pro past its 25 included valuations: valued and billed $2 overage", async () => {
  const where = place();
  await threeSales(where);
  const seller = await newUser("seller");
  await testSql()`
    select private.billing_upsert_subscription('stripe', ${"sub_test_" + seller.id}, ${seller.id},
      (select id from public.plans where code = 'homes_pro'), 'active', now(), 'month', now() - interval '1 day',
      now() + interval '29 days')`;
  await testSql()`select private.record_usage(${seller.id}, 'homes.valuation', 25, ${"used-" + seller.id})`;
  const home = await addHome(seller.id, where);
  await publish(seller, home);
  await wakeWorker();
  const v = await latest(home);
  assertEquals(v.estimate, 400_000);
  const [usage] = await testSql()`select billable, amount::float8 as amount, currency from public.usage_events where id = ${v.usage_event_id}`;
  assertEquals([usage.billable, usage.amount, usage.currency], [true, 2, "USD"]);
});

dbTest("owners value on demand; others get 404; bad input 400; no token 401", async () => {
  const where = place();
  await threeSales(where);
  const owner = await newUser("owner");
  const stranger = await newUser("stranger");
  const home = await addHome(owner.id, where);

  const mine = await post(await userToken(owner, JWT_SECRET), { property_id: home });
  assertEquals(mine.status, 200, JSON.stringify(mine.body));
  assertEquals([mine.body.valuation.estimate, mine.body.comparables.length, mine.body.billable], [400_000, 3, false]);
  assertEquals(mine.body.comparables.map((c: { rank: number }) => c.rank), [1, 2, 3]);

  assertEquals((await post(await userToken(stranger, JWT_SECRET), { property_id: home })).status, 404);
  const bad = await post(await userToken(owner, JWT_SECRET), { property_id: "nope" });
  assertEquals([bad.status, bad.body.error.field], [400, "property_id"]);
  assertEquals((await post(null, { property_id: home })).status, 401);

  // The free plan allows two: the third on-demand valuation is a 402.
  await post(await userToken(owner, JWT_SECRET), { property_id: home });
  const third = await post(await userToken(owner, JWT_SECRET), { property_id: home });
  assertEquals([third.status, third.body.error.code], [402, "payment_required"]);
});

dbTest("a job without a property is skipped, not retried", async () => {
  const [job] = await testSql()`select id from private.enqueue_job('homes.valuation', '{"demo": true}'::jsonb, null, ${"test-skip-" + crypto.randomUUID()})`;
  const { body } = await wakeWorker();
  const mine = body.jobs.find((j: { job_id: number }) => j.job_id === Number(job.id));
  assertEquals(mine?.outcome, "skipped");
  const [row] = await testSql()`select status from public.jobs where id = ${job.id}`;
  assertEquals(row.status, "succeeded");
});

dbTest("a valuation runs once per job even when the worker is woken twice", async () => {
  const where = place();
  await threeSales(where);
  const seller = await newUser("seller");
  const home = await addHome(seller.id, where);
  await publish(seller, home);
  const [a, b] = await Promise.all([wakeWorker(), wakeWorker()]);
  assertEquals(a.status + b.status, 400);
  const [{ n }] = await testSql()`select count(*)::int as n from homes.valuations where property_id = ${home}`;
  assertEquals(n, 1);
});

dbTest("a skipped job whose lease was lost meanwhile is not completed by the old worker (batch completion)", async () => {
  const [job] = await testSql()`select id from private.enqueue_job('homes.valuation', '{"demo": true}'::jsonb, null, ${"test-lost-" + crypto.randomUUID()})`;
  const base = deps();
  const thief = `thief-${crypto.randomUUID().slice(0, 6)}`;
  // Between the claim and the batch completion the lease runs out and another worker takes the job.
  const store = {
    ...base.store,
    claim: async (worker: string, limit: number) => {
      const jobs = await base.store.claim(worker, limit);
      await testSql()`update public.jobs set locked_by = ${thief} where id = ${job.id} and status = 'running'`;
      return jobs;
    },
  };
  const res = await createHandler({ ...base, store })(new Request(URL_, {
    method: "POST",
    headers: { authorization: `Bearer ${await serviceToken()}`, "content-type": "application/json" },
    body: JSON.stringify({ queue: "homes.valuation" }),
  }));
  const body = await res.json();
  const mine = body.jobs.find((j: { job_id: number }) => j.job_id === Number(job.id));
  assertEquals(mine?.outcome, "failed", "reported as not completed");
  const [row] = await testSql()`select status, locked_by from public.jobs where id = ${job.id}`;
  assertEquals([row.status, row.locked_by], ["running", thief], "still the new holder's job");
  await testSql()`select private.complete_jobs(array[${job.id}]::bigint[], ${thief})`;
});

dbTest("each invocation of one worker function holds its lease under its own name", async () => {
  const handler = createHandler(deps());
  const wake = async () => (await (await handler(new Request(URL_, {
    method: "POST",
    headers: { authorization: `Bearer ${await serviceToken()}`, "content-type": "application/json" },
    body: JSON.stringify({ queue: "homes.valuation" }),
  }))).json()).worker as string;
  const [a, b] = [await wake(), await wake()];
  assert(a.startsWith("test-worker-") && b.startsWith("test-worker-"), `named after the function: ${a}, ${b}`);
  assert(a !== b, "two invocations never share a lease name (one could settle the other's reclaimed job)");
});

dbTest("close the pool", async () => {
  await closeTestSql();
});
