// The marketplace-sync function against the real database and the local
// eBay and Etsy fakes (each on its own port): connecting accounts (tokens
// only ever stored as ciphertext), cross-posting to eBay, Etsy and the local
// marketplace, token refresh before token_expires_at, idempotency (a job run
// twice makes one item), a sale on eBay delisting the Etsy and local copies
// exactly once in one worker run, and errors kept and retried with backoff.
import { asUser } from "../_shared/db.ts";
import { ebayAdapter } from "../_shared/quicksell/marketplaces/ebay.ts";
import { etsyAdapter } from "../_shared/quicksell/marketplaces/etsy.ts";
import { frozenClock, serveFake } from "../_shared/quicksell/marketplaces/fake-common.ts";
import { createFakeEbay } from "../_shared/quicksell/marketplaces/fake-ebay.ts";
import { createFakeEtsy } from "../_shared/quicksell/marketplaces/fake-etsy.ts";
import { ebayLocalConfig, etsyLocalConfig } from "../_shared/quicksell/marketplaces/index.ts";
import { localAdapter } from "../_shared/quicksell/marketplaces/local.ts";
import type { MarketplaceAdapter, MarketplaceName } from "../_shared/quicksell/marketplaces/types.ts";
import { syncStore } from "../_shared/quicksell/store.ts";
import { tokenContext } from "../_shared/quicksell/sync.ts";
import { importTokenKey, newTokenKey, tokenCipher } from "../_shared/quicksell/token-crypto.ts";
import { assert, assertEquals, closeTestSql, dbTest, newUser, signToken, testSql, userToken } from "../_shared/testing.ts";
import { createHandler, type MarketplaceSyncDeps } from "./index.ts";

const JWT_SECRET = "marketplace-sync-test-secret-with-32-chars!!";
const BASE = "http://functions.test/functions/v1/marketplace-sync";
const HOUR = 3_600_000;
// One key for the whole file: a worker drains every due job, whichever test queued it.
const KEY = newTokenKey();

type Handler = (r: Request) => Promise<Response>;

async function setup() {
  const clock = frozenClock(Date.now());
  let handler: Handler | null = null;
  const notify = async (event: { marketplace: "ebay" | "etsy"; listingId: string }) => {
    const res = await handler!(new Request(`${BASE}/notify`, { method: "POST", body: JSON.stringify(event), headers: { "content-type": "application/json" } }));
    assertEquals(res.status, 202);
  };
  const ebayFake = createFakeEbay({ clock, perSecond: 1000, notify });
  const etsyFake = createFakeEtsy({ clock, perSecond: 1000, notify });
  const ebayServed = serveFake(ebayFake.handler);
  const etsyServed = serveFake(etsyFake.handler);
  const local = localAdapter({ listingUrl: (sku) => `https://quicksell.test/l/${sku}` });
  const all: Record<MarketplaceName, MarketplaceAdapter> = {
    ebay: ebayAdapter(ebayLocalConfig(ebayServed.url, { now: clock.now })),
    etsy: etsyAdapter(etsyLocalConfig(etsyServed.url, { now: clock.now })),
    local,
  };
  const cipher = tokenCipher(await importTokenKey(KEY));
  const deps: MarketplaceSyncDeps = {
    jwtSecret: JWT_SECRET,
    revocationReason: () => Promise.resolve(null),
    store: syncStore(testSql()),
    adapters: (name) => all[name],
    cipher,
    fakes: { ebay: ebayFake, etsy: etsyFake },
    batchSize: 10,
    maxMs: 30_000,
    now: clock.now,
  };
  handler = createHandler(deps);
  const close = async () => {
    await ebayServed.close();
    await etsyServed.close();
  };
  return { handler, clock, ebayFake, etsyFake, local, cipher, close };
}

async function post(handler: Handler, path: string, token: string | null, body: unknown) {
  const res = await handler(new Request(`${BASE}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  }));
  return { status: res.status, body: await res.json() };
}

const serviceToken = () => signToken({ role: "service_role", iss: "supabase", exp: Math.floor(Date.now() / 1000) + 600 }, JWT_SECRET);

type Report = { copyId: string; action: string; outcome: string; mode: string; error?: string };

/** Drains the queue; reports only the jobs of this test's listings (the database may hold others, e.g. demo polls). */
async function runWorker(handler: Handler, listingIds: string[]) {
  const { status, body } = await post(handler, "", await serviceToken(), { queue: "quicksell.sync" });
  assertEquals(status, 200, JSON.stringify(body));
  const own = new Set((await testSql()`select id from quicksell.marketplace_listings where listing_id = any(${listingIds}::uuid[])`).map((r) => r.id as string));
  const jobs = (body.jobs as Report[]).filter((j) => own.has(j.copyId));
  return { claimed: jobs.length, jobs };
}

async function seller(handler: Handler, label: string, marketplaces: MarketplaceName[] = ["ebay", "etsy"]) {
  const user = await newUser(label);
  const token = await userToken(user, JWT_SECRET);
  for (const marketplace of marketplaces) {
    const res = await post(handler, "/connect", token, { marketplace });
    assertEquals(res.status, 201, JSON.stringify(res.body));
    assertEquals(res.body.mode, "local");
  }
  // The 5-minute pg_cron poll must not add jobs mid-test: sales here arrive by notification.
  await testSql()`update quicksell.marketplace_accounts set auto_sync_enabled = false where user_id = ${user.id}`;
  return { user, token };
}

// A photo row names an uploaded object of the seller's folder (quicksell-photos rules): the object row first.
async function photo(userId: string, listingId: string, file: string, primary: boolean) {
  const name = `${userId}/${listingId}/${file}`;
  await testSql()`insert into storage.objects (bucket_id, name, owner, metadata) values ('quicksell-photos', ${name}, ${userId}, '{"mimetype": "image/jpeg", "size": 1024}')`;
  await testSql()`insert into quicksell.photos (listing_id, user_id, original_url, is_primary) values (${listingId}, ${userId}, ${name}, ${primary})`;
}

async function listing(userId: string, opts: { photo?: boolean; price?: number } = {}) {
  const [row] = await testSql()`
    insert into quicksell.listings (user_id, title, description, category, condition, price, status, published_at, brand)
    values (${userId}, 'Vintage denim jacket', 'Levi''s trucker jacket, size M', 'clothing', 'good', ${opts.price ?? 45}, 'published', now(), 'Levi''s')
    returning id`;
  if (opts.photo !== false) {
    await photo(userId, row.id, "jacket.jpg", true);
  }
  return row.id as string;
}

async function crosspost(userId: string, listingId: string, marketplace: MarketplaceName): Promise<string> {
  return await asUser(testSql(), { sub: userId, role: "authenticated" }, async (tx) => {
    const [row] = await tx`select (quicksell.crosspost_listing(${listingId}::uuid, ${marketplace})).id as id`;
    return row.id as string;
  });
}

async function copies(listingId: string) {
  const rows = await testSql()`
    select id, marketplace_name, sync_status, marketplace_listing_id, marketplace_url, last_error, synced_data
    from quicksell.marketplace_listings where listing_id = ${listingId} order by marketplace_name`;
  return Object.fromEntries(rows.map((r) => [r.marketplace_name, r]));
}

async function account(userId: string, marketplace: string) {
  const [row] = await testSql()`select * from quicksell.marketplace_accounts where user_id = ${userId} and marketplace_name = ${marketplace}`;
  return row;
}

dbTest("connect: tokens reach the database only as ciphertext that decrypts to the fake's tokens; callers and input are checked", async () => {
  const s = await setup();
  try {
    const { user, token } = await seller(s.handler, "qs-sync-connect");
    const ebay = await account(user.id, "ebay");
    assert(/^v1:/.test(ebay.access_token) && /^v1:/.test(ebay.refresh_token), "ciphertext at rest");
    const access = await s.cipher.decrypt(ebay.access_token, tokenContext(user.id, "ebay", "access_token"));
    assert(access.startsWith("v^1.1#"), "decrypts to the eBay token");
    assert(!JSON.stringify(ebay).includes(access), "the plain token appears nowhere in the row");
    assertEquals(Math.round((new Date(ebay.token_expires_at).getTime() - s.clock.now()) / 1000), 7200);
    const etsy = await account(user.id, "etsy");
    assertEquals(Math.round((new Date(etsy.token_expires_at).getTime() - s.clock.now()) / 1000), 3600);
    assert(/^\d+$/.test(etsy.marketplace_data.shop_id), "the Etsy shop id is kept for listing calls");
    assertEquals((await post(s.handler, "/connect", null, { marketplace: "ebay" })).status, 401);
    const bad = await post(s.handler, "/connect", token, { marketplace: "amazon" });
    assertEquals([bad.status, bad.body.error.field], [400, "marketplace"]);
    const forged = await post(s.handler, "/connect", token, { marketplace: "ebay", code: "v^1.1#forged" });
    assertEquals([forged.status, forged.body.error.field], [400, "code"]);
    assertEquals((await post(s.handler, "", token, { queue: "quicksell.sync" })).status, 401, "a user cannot drive the worker");
    const worker = await post(s.handler, "", await serviceToken(), { queue: "studio.ai_job" });
    assertEquals(worker.status, 400);
  } finally {
    await s.close();
  }
});

dbTest("cross-post to eBay, Etsy and local; a job run twice makes one item; edits after a token expiry refresh first", async () => {
  const s = await setup();
  try {
    const { user } = await seller(s.handler, "qs-sync-life");
    const id = await listing(user.id);
    const ebayCopy = await crosspost(user.id, id, "ebay");
    await crosspost(user.id, id, "etsy");
    await crosspost(user.id, id, "local");
    const run = await runWorker(s.handler, [id]);
    assertEquals(run.jobs.map((j) => j.outcome).sort(), ["active", "active", "active"], JSON.stringify(run.jobs));
    let c = await copies(id);
    assertEquals([c.ebay.sync_status, c.etsy.sync_status, c.local.sync_status], ["active", "active", "active"]);
    assert(/^11\d{10}$/.test(c.ebay.marketplace_listing_id), "an eBay listing id");
    assert(/^\d{10}$/.test(c.etsy.marketplace_listing_id), "an Etsy listing id");
    assertEquals(s.etsyFake.listings.get(Number(c.etsy.marketplace_listing_id))!.state, "active");
    assertEquals(c.ebay.synced_data.listing.price, 45);

    // The same publish job again (a redelivery after a lost answer): still one item, one offer, one listing.
    await testSql()`update public.jobs set status = 'queued', run_at = now(), attempts = 0 where queue = 'quicksell.sync' and payload ->> 'copy_id' = ${ebayCopy}`;
    const again = await runWorker(s.handler, [id]);
    assertEquals(again.jobs.map((j) => j.outcome), ["active"]);
    assertEquals([s.ebayFake.items.size, s.ebayFake.offers.size, s.etsyFake.listings.size], [1, 1, 1]);
    assertEquals((await copies(id)).ebay.marketplace_listing_id, c.ebay.marketplace_listing_id, "the same eBay listing");

    // Two hours on, the access tokens are past token_expires_at: an edit refreshes before calling.
    const before = { ebay: await account(user.id, "ebay"), etsy: await account(user.id, "etsy") };
    s.clock.advance(2 * HOUR);
    await testSql()`update quicksell.listings set price = 39.5, title = 'Denim jacket (M)' where id = ${id}`;
    const edit = await runWorker(s.handler, [id]);
    assertEquals(edit.jobs.map((j) => `${j.action}:${j.outcome}`).sort(), ["update:active", "update:active", "update:active"], JSON.stringify(edit.jobs));
    const after = { ebay: await account(user.id, "ebay"), etsy: await account(user.id, "etsy") };
    assert(after.ebay.access_token !== before.ebay.access_token, "eBay access token refreshed and stored");
    assertEquals(after.ebay.refresh_token, before.ebay.refresh_token, "eBay keeps its refresh token");
    assert(after.etsy.refresh_token !== before.etsy.refresh_token, "Etsy rotated its refresh token, stored encrypted");
    assert(new Date(after.ebay.token_expires_at).getTime() > s.clock.now(), "a new expiry");
    const offer = [...s.ebayFake.offers.values()][0];
    assertEquals((offer.body.pricingSummary as { price: { value: string } }).price.value, "39.50");
    c = await copies(id);
    assertEquals(s.etsyFake.listings.get(Number(c.etsy.marketplace_listing_id))!.title, "Denim jacket (M)");
    assertEquals(c.ebay.synced_data.listing.price, 39.5);
  } finally {
    await s.close();
  }
});

dbTest("a sale on eBay delists the Etsy and local copies exactly once, in the worker run that saw it", async () => {
  const s = await setup();
  try {
    const { user } = await seller(s.handler, "qs-sync-sale");
    const id = await listing(user.id);
    for (const m of ["ebay", "etsy", "local"] as const) await crosspost(user.id, id, m);
    await runWorker(s.handler, [id]);
    const c = await copies(id);
    const etsyPatchesBefore = s.etsyFake.calls.filter((x) => x.startsWith("PATCH")).length;
    // A buyer on eBay: the fake notifies us; the notification queues a poll, and the poll reads the sale.
    assertEquals(await s.ebayFake.buy(c.ebay.marketplace_listing_id), true);
    const run = await runWorker(s.handler, [id]);
    assertEquals(run.jobs.map((j) => `${j.action}:${j.outcome}`).sort(), ["delist:delisted", "delist:delisted", "poll:sold"], JSON.stringify(run.jobs));
    const after = await copies(id);
    assertEquals([after.ebay.sync_status, after.etsy.sync_status, after.local.sync_status], ["sold", "delisted", "delisted"]);
    const [l] = await testSql()`select status from quicksell.listings where id = ${id}`;
    assertEquals(l.status, "sold");
    assertEquals(s.etsyFake.listings.get(Number(c.etsy.marketplace_listing_id))!.state, "inactive");
    assertEquals(s.etsyFake.calls.filter((x) => x.startsWith("PATCH")).length - etsyPatchesBefore, 1, "one Etsy deactivation");
    assertEquals(s.local.calls.withdraw, 1, "one local withdraw");
    // The same sale reported again (a duplicate notification), and another worker run: nothing more.
    const dup = await post(s.handler, "/notify", null, { marketplace: "ebay", listingId: c.ebay.marketplace_listing_id });
    assertEquals([dup.status, dup.body.queued], [202, false]);
    assertEquals((await runWorker(s.handler, [id])).claimed, 0);
    assertEquals([s.local.calls.withdraw, s.etsyFake.calls.filter((x) => x.startsWith("PATCH")).length - etsyPatchesBefore], [1, 1]);
    const [jobs] = await testSql()`
      select count(*)::int as n from public.jobs j join quicksell.marketplace_listings ml on ml.id = (j.payload ->> 'copy_id')::uuid
      where j.queue = 'quicksell.sync' and j.payload ->> 'action' = 'delist' and ml.listing_id = ${id}`;
    assertEquals(jobs.n, 2, "two delist jobs in all");
    // A forged notification is only a hint: the poll asks eBay, which says active, so nothing sells.
    const other = await listing(user.id);
    await crosspost(user.id, other, "ebay");
    await runWorker(s.handler, [other]);
    const oc = await copies(other);
    assertEquals((await post(s.handler, "/notify", null, { marketplace: "ebay", listingId: oc.ebay.marketplace_listing_id })).body.queued, true);
    const polled = await runWorker(s.handler, [other]);
    assertEquals(polled.jobs.map((j) => `${j.action}:${j.outcome}`), ["poll:skipped"]);
    assertEquals((await copies(other)).ebay.sync_status, "active");
  } finally {
    await s.close();
  }
});

dbTest("errors are kept on the copy and retried with backoff; a refusal that cannot succeed leaves the copy in error", async () => {
  const s = await setup();
  try {
    const { user } = await seller(s.handler, "qs-sync-errors");
    const id = await listing(user.id);
    const etsyCopy = await crosspost(user.id, id, "etsy");
    const ebayCopy = await crosspost(user.id, id, "ebay");
    s.etsyFake.force(/\/listings$/, 503, 1);
    s.ebayFake.force(/\/inventory_item\//, 429, 1);
    const first = await runWorker(s.handler, [id]);
    assertEquals(first.jobs.map((j) => j.outcome), ["retrying", "retrying"], JSON.stringify(first.jobs));
    let c = await copies(id);
    assertEquals([c.etsy.sync_status, c.etsy.last_error], ["draft", "etsy: Internal server error"]);
    assert(/Too many requests.*\(2001\)/.test(c.ebay.last_error), c.ebay.last_error);
    const [jobs] = await testSql()`
      select max(run_at) filter (where payload ->> 'copy_id' = ${etsyCopy}) > now() + interval '5 seconds' as etsy_backoff,
             max(run_at) filter (where payload ->> 'copy_id' = ${ebayCopy}) >= now() + interval '59 seconds' as ebay_wait
      from public.jobs where queue = 'quicksell.sync' and status = 'queued'`;
    assertEquals([jobs.etsy_backoff, jobs.ebay_wait], [true, true], "backoff, and eBay's 429 waits a minute");
    assertEquals((await runWorker(s.handler, [id])).claimed, 0, "nothing is due yet");
    await testSql()`update public.jobs set run_at = now() where queue = 'quicksell.sync' and status = 'queued' and payload ->> 'copy_id' in (${etsyCopy}, ${ebayCopy})`;
    const second = await runWorker(s.handler, [id]);
    assertEquals(second.jobs.map((j) => j.outcome), ["active", "active"], JSON.stringify(second.jobs));
    c = await copies(id);
    assertEquals([c.etsy.sync_status, c.etsy.last_error, c.ebay.last_error], ["active", null, null]);

    // No photo: eBay refuses to publish (25002). Not retryable: the copy is in error with eBay's message.
    const bare = await listing(user.id, { photo: false });
    await crosspost(user.id, bare, "ebay");
    const refused = await runWorker(s.handler, [bare]);
    assertEquals(refused.jobs.map((j) => j.outcome), ["failed"]);
    const b = await copies(bare);
    assertEquals(b.ebay.sync_status, "error");
    assert(/ImageUrls.*\(25002\)/.test(b.ebay.last_error), b.ebay.last_error);
    // Cross-posting it again after adding a photo puts it back to draft and publishes it.
    await photo(user.id, bare, "b.jpg", false);
    await crosspost(user.id, bare, "ebay");
    assertEquals((await runWorker(s.handler, [bare])).jobs.map((j) => j.outcome), ["active"]);
  } finally {
    await s.close();
  }
});

Deno.test({ name: "close the test pool (marketplace-sync)", sanitizeOps: false, sanitizeResources: false, fn: closeTestSql });
