// QuickSell end to end (issue 11, "Done when"), the way a frontend drives
// it on the running stack: table and RPC requests as PostgREST makes them
// (role + JWT claims per transaction), Storage and the functions over HTTP
// through the gateway with the seller's token (@domus/client), and the
// queue workers woken with the service-role key as the scheduler does. A new
// user lists an item with a real photo, has it processed and priced,
// cross-posts it to the local eBay fake, sells it, and sees points, a badge
// and the leaderboard move.
import { createDomusClient } from "@domus/client";
import { periodStart } from "@domus/contracts/quicksell.ts";
import { afterAll, describe, expect, it } from "vitest";
import { asRequest, closeDb, createUser, db, userClaims } from "./support/db.ts";
import { rgbPng } from "./support/png.ts";
import { stackEnv } from "./support/stack-env.ts";
import { wakeWorker } from "./support/workers.ts";
import { accessToken } from "./support/tokens.ts";

afterAll(closeDb);

const env = stackEnv();
const base = env.functionsUrl.replace(/\/functions\/v1$/, "");
type User = Awaited<ReturnType<typeof createUser>>;

function clientOf(user: User) {
  return createDomusClient({ url: base, anonKey: env.anonKey, accessToken: accessToken(user), functionsUrl: env.functionsUrl });
}

/** Wakes the worker until `done` holds (jobs of other tests may be ahead in the queue). */
async function drainUntil<T>(worker: string, queue: string, read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  let value = await read();
  for (let round = 0; round < 20 && !done(value); round++) {
    await wakeWorker(worker, queue);
    value = await read();
    if (!done(value)) await new Promise((r) => setTimeout(r, 250));
  }
  return value;
}

// ------------------------------------------------------------ a real PNG: a product on a white backdrop
function productPng(w: number, h: number): Buffer {
  return rgbPng(w, h, (x, y) => {
    if (x < w / 4 || x >= (3 * w) / 4 || y < h / 4 || y >= (3 * h) / 4) return [255, 255, 255];
    const checker = (Math.floor(x / 12) + Math.floor(y / 12)) % 2 ? 150 : 50;
    return [checker, checker - 20, checker + 40];
  });
}

/** A JPEG's size from its first start-of-frame marker. */
function jpegSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  let i = 2;
  while (i + 9 < bytes.length) {
    if (bytes[i] !== 0xff) return null;
    const marker = bytes[i + 1]!;
    const length = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return { height: (bytes[i + 5]! << 8) | bytes[i + 6]!, width: (bytes[i + 7]! << 8) | bytes[i + 8]! };
    }
    i += 2 + length;
  }
  return null;
}

/** Sold listings of another seller, same category, brand and condition: what the estimator compares with. */
async function seedComparables(category: string, prices: number[]) {
  const other = await createUser("qs-comparables");
  await db().query(
    `insert into quicksell.listings (user_id, title, description, category, condition, price, brand, model, status, published_at)
     select $1, 'Sold camera ' || n, 'Sold before', $2, 'good', p, 'Canon', 'EOS 200D', 'sold', now() - n * interval '3 days'
     from unnest($3::numeric[]) with ordinality as t(p, n)`,
    [other.id, category, prices],
  );
}

describe("quicksell: a new seller lists, prices, cross-posts and sells; the game moves", () => {
  it("listing with a processed photo, an estimate, an active eBay copy, a sale, points, a badge and the leaderboard", async () => {
    const seller = await createUser("qs-seller");
    const buyer = await createUser("qs-buyer");
    const domus = clientOf(seller);
    const claims = userClaims(seller);
    const category = `Cameras ${seller.id.slice(0, 8)}`;
    const week = periodStart("weekly");
    await seedComparables(category, [300, 320, 340, 310, 330]);

    // ---------------------------------------------------------- 1. a draft listing
    const listing = await asRequest(claims, async (c) => (await c.query(
      `insert into quicksell.listings (title, description, category, condition, price, brand, model, shipping_available, estimated_shipping_cost)
       values ('Canon EOS 200D body', 'Lightly used, with charger and strap.', $1, 'good', 329, 'Canon', 'EOS 200D', true, 12.5)
       returning id, user_id, status, published_at`, [category])).rows[0], { commit: true });
    expect(listing).toMatchObject({ user_id: seller.id, status: "draft", published_at: null });

    // ---------------------------------------------------------- 2. a real photo, uploaded and processed
    const png = productPng(800, 600);
    const objectName = `${seller.id}/${listing.id}/front.png`;
    const uploaded = await domus.supabase.storage.from("quicksell-photos").upload(objectName, png, { contentType: "image/png" });
    expect(uploaded.error).toBeNull();
    // Someone else's folder is refused by the bucket's policies.
    const intruder = clientOf(buyer);
    const refused = await intruder.supabase.storage.from("quicksell-photos").upload(`${seller.id}/${listing.id}/evil.png`, png, { contentType: "image/png" });
    expect(refused.error).not.toBeNull();

    const photo = await asRequest(claims, async (c) => (await c.query(
      "insert into quicksell.photos (listing_id, original_url, filename) values ($1, $2, 'front.png') returning id, is_primary, display_order, width",
      [listing.id, objectName])).rows[0], { commit: true });
    expect(photo).toMatchObject({ is_primary: true, display_order: 0, width: null });

    const processed = await domus.quicksell.processPhoto(photo.id);
    expect(processed).toMatchObject({ photoId: photo.id, listingId: listing.id, mimeType: "image/png", width: 800, height: 600, fileSize: png.length });
    const row = await asRequest(claims, async (c) => (await c.query(
      "select width, height, file_size, mime_type, thumb_url, optimized_url from quicksell.photos where id = $1", [photo.id])).rows[0]);
    expect(row).toMatchObject({ width: 800, height: 600, file_size: png.length, mime_type: "image/png" });
    const thumb = new Uint8Array(await (await domus.quicksell.photoFile(row.thumb_url)).arrayBuffer());
    expect(jpegSize(thumb)).toEqual({ width: 320, height: 240 });
    const optimized = new Uint8Array(await (await domus.quicksell.photoFile(row.optimized_url)).arrayBuffer());
    expect(jpegSize(optimized)).toEqual({ width: 800, height: 600 }); // never enlarged

    // ---------------------------------------------------------- 3. published, then priced by the AI worker
    const published = await asRequest(claims, async (c) => (await c.query(
      "update quicksell.listings set status = 'published' where id = $1 returning status, published_at", [listing.id])).rows[0], { commit: true });
    expect(published.status).toBe("published");
    expect(published.published_at).not.toBeNull();
    // On the public feed now, for anyone: newest first, ahead of the sold comparables.
    const feed = await asRequest({ role: "anon" }, (c) => c.query(
      `select id from quicksell.listings where status in ('published', 'sold') and deleted_at is null and category = $1
       order by published_at desc, id desc limit 24`, [category]));
    expect(feed.rows.map((r) => r.id)).toHaveLength(6);
    expect(feed.rows[0]!.id).toBe(listing.id);

    const ai = await asRequest(claims, async (c) => (await c.query("select quicksell.request_ai($1, 'price_estimate') as r", [listing.id])).rows[0].r, { commit: true });
    expect(ai).toMatchObject({ kind: "price_estimate", status: "queued", replayed: false });
    const priced = await drainUntil("quicksell-ai", "quicksell.ai",
      () => asRequest(claims, async (c) => (await c.query(
        `select r.status, r.provider, l.estimated_price::float8 as estimate, l.ai_price_estimated, l.confidence_score::float8 as confidence
         from quicksell.ai_requests r join quicksell.listings l on l.id = r.listing_id where r.id = $1`, [ai.request_id])).rows[0]),
      (v) => v.status !== "queued" && v.status !== "running");
    expect(priced.status).toBe("completed");
    expect(priced.ai_price_estimated).toBe(true);
    expect(priced.estimate).toBeGreaterThan(300); // the comparables sold for 300-340
    expect(priced.estimate).toBeLessThan(340);
    expect(priced.confidence).toBeGreaterThan(0);
    expect(priced.confidence).toBeLessThanOrEqual(1);

    // ---------------------------------------------------------- 4. cross-posted to the local eBay fake
    const connected = await domus.quicksell.connectMarketplace({ marketplace: "ebay" });
    expect(connected).toMatchObject({ mode: "local", account: { marketplace_name: "ebay", is_active: true } });
    // The seller reads his account, never its tokens.
    await expect(asRequest(claims, (c) => c.query("select access_token from quicksell.marketplace_accounts"))).rejects.toMatchObject({ code: "42501" });

    const copy = await asRequest(claims, async (c) => (await c.query(
      "select id, sync_status from quicksell.crosspost_listing($1, 'ebay')", [listing.id])).rows[0], { commit: true });
    expect(copy.sync_status).toBe("draft");
    const readCopy = () => asRequest(claims, async (c) => (await c.query(
      "select sync_status, marketplace_listing_id, posted_price::float8 as posted_price, last_error from quicksell.marketplace_listings where id = $1", [copy.id])).rows[0]);
    const active = await drainUntil("marketplace-sync", "quicksell.sync", readCopy, (v) => v.sync_status !== "draft");
    expect(active).toMatchObject({ sync_status: "active", posted_price: 329, last_error: null });
    expect(active.marketplace_listing_id).toMatch(/\S/);

    // ---------------------------------------------------------- 5. sold on QuickSell; the game moves
    const before = await asRequest(claims, async (c) => (await c.query(
      `select s.total_points, s.total_items_sold,
              (select points from quicksell.leaderboard_entries e where e.period = 'weekly' and e.period_start = $2 and e.user_id = s.user_id) as weekly_points,
              (select count(*)::int from quicksell.user_badges ub where ub.user_id = s.user_id) as badges
       from quicksell.user_stats s where s.user_id = $1`, [seller.id, week])).rows[0]);
    // Listing created, published and a photo already scored.
    expect(before.total_points).toBeGreaterThan(0);
    expect(before.total_items_sold).toBe(0);
    expect(before.weekly_points).toBe(before.total_points);

    const saleId = await asRequest(claims, async (c) => (await c.query(
      "select quicksell.record_sale($1, 325, 12.5, $2) as id", [listing.id, buyer.id])).rows[0].id, { commit: true });
    const completed = await asRequest(claims, async (c) => (await c.query(
      "select status, final_amount::float8 as final_amount from quicksell.complete_sale($1)", [saleId])).rows[0], { commit: true });
    expect(completed).toEqual({ status: "completed", final_amount: 337.5 });
    // A second sale of the same item is a state conflict.
    await expect(asRequest(claims, (c) => c.query("select quicksell.record_sale($1, 300)", [listing.id]))).rejects.toMatchObject({ code: "PT409" });

    const after = await asRequest({ role: "anon" }, async (c) => (await c.query(
      `select s.total_points, s.total_items_sold, s.total_revenue::float8 as revenue,
              (select l.status from quicksell.listings l where l.id = $2) as listing_status
       from quicksell.user_stats s where s.user_id = $1`, [seller.id, listing.id])).rows[0]);
    expect(after).toMatchObject({ total_items_sold: 1, revenue: 325, listing_status: "sold" });
    expect(after.total_points).toBe(before.total_points + 50); // sale_completed

    const ledger = await asRequest(claims, async (c) => (await c.query(
      "select event, points from quicksell.points_ledger where user_id = $1 order by id", [seller.id])).rows);
    expect(ledger.map((r) => r.event)).toEqual(expect.arrayContaining(["listing_created", "listing_published", "photo_uploaded", "sale_completed"]));
    expect(ledger.reduce((sum, r) => sum + r.points, 0)).toBe(after.total_points);

    const badges = await asRequest({ role: "anon" }, async (c) => (await c.query(
      "select b.badge_key from quicksell.user_badges ub join quicksell.badges b on b.id = ub.badge_id where ub.user_id = $1 order by b.badge_key", [seller.id])).rows.map((r) => r.badge_key));
    expect(badges).toContain("first_sale");
    expect(badges.length).toBeGreaterThan(before.badges);
    const notes = await asRequest(claims, async (c) => (await c.query(
      "select data ->> 'badge_key' as badge from public.notifications where user_id = $1 and product = 'quicksell' and type = 'badge_unlocked'", [seller.id])).rows.map((r) => r.badge));
    expect(notes).toContain("first_sale");

    // The weekly leaderboards, as anyone reads them: by points and by sales.
    const board = async (order: string) => (await asRequest({ role: "anon" }, (c) => c.query(
      `select user_id, points, sales_count, sales_revenue::float8 as revenue from quicksell.leaderboard_entries
       where period = 'weekly' and period_start = $1 order by ${order}, user_id`, [week]))).rows;
    const mine = (await board("points desc")).find((r) => r.user_id === seller.id);
    expect(mine).toMatchObject({ points: after.total_points, sales_count: 1, revenue: 325 });
    const bySales = await board("sales_count desc, sales_revenue desc");
    expect(bySales.findIndex((r) => r.user_id === seller.id)).toBeGreaterThanOrEqual(0);
    const monthly = await asRequest({ role: "anon" }, async (c) => (await c.query(
      "select points, sales_count from quicksell.leaderboard_entries where period = 'monthly' and period_start = $1 and user_id = $2",
      [periodStart("monthly"), seller.id])).rows[0]);
    expect(monthly).toEqual({ points: after.total_points, sales_count: 1 });

    // ---------------------------------------------------------- 6. sold here: the eBay copy is delisted within one sync cycle
    const delisted = await drainUntil("marketplace-sync", "quicksell.sync", readCopy, (v) => v.sync_status !== "active");
    expect(delisted.sync_status).toBe("delisted");

    // The buyer rates the seller once, and the rating scores.
    await asRequest(userClaims(buyer), (c) => c.query("select quicksell.rate_sale($1, 5, 'Exactly as described')", [saleId]), { commit: true });
    await expect(asRequest(userClaims(buyer), (c) => c.query("select quicksell.rate_sale($1, 4)", [saleId]))).rejects.toMatchObject({ code: "PT409" });
    const rated = await asRequest({ role: "anon" }, async (c) => (await c.query(
      "select total_points, positive_ratings, average_rating::float8 as average_rating from quicksell.user_stats where user_id = $1", [seller.id])).rows[0]);
    expect(rated).toMatchObject({ total_points: after.total_points + 20, positive_ratings: 1, average_rating: 5 });
  });
});

describe("quicksell: the client's photo upload on the Docker-free stack", () => {
  it("the file lands in the seller's folder; when the row is refused the upload is removed again", async () => {
    const seller = await createUser("qs-uploader");
    const listingId = await asRequest(userClaims(seller), async (c) => (await c.query(
      "insert into quicksell.listings (title, description, category, condition, price) values ('Lamp', 'Works', 'Home', 'good', 20) returning id")).rows[0].id as string,
      { commit: true });
    const domus = clientOf(seller);
    const objectName = `${seller.id}/${listingId}/lamp.png`;
    const objects = () => db().query("select name from storage.objects where bucket_id = 'quicksell-photos' and name = $1", [objectName]);
    // The gateway serves Storage but not the Data API (501), so the row insert is refused after the upload.
    await expect(domus.quicksell.uploadPhoto({ listing_id: listingId, file_name: "lamp.png", content_type: "image/png" }, new Blob([new Uint8Array(productPng(64, 48))])))
      .rejects.toMatchObject({ status: 501 });
    expect((await objects()).rowCount).toBe(0);
    // The same upload by hand stays (nothing refused it), and reads back byte for byte.
    const png = productPng(64, 48);
    const up = await domus.supabase.storage.from("quicksell-photos").upload(objectName, png, { contentType: "image/png" });
    expect(up.error).toBeNull();
    expect((await objects()).rowCount).toBe(1);
    const back = new Uint8Array(await (await domus.quicksell.photoFile(objectName)).arrayBuffer());
    expect(Buffer.from(back).equals(png)).toBe(true);
  });
});
