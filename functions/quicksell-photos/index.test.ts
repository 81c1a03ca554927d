// quicksell-photos against the real database and the stack's Storage (the
// gateway's /storage/v1, files on disk, storage policies applied): a seller
// uploads real PNG and JPEG files, the insert trigger queues them, the
// worker makes the renditions and records what the files are; the stored
// thumbnail is downloaded and decoded to check its real size. Then what must
// not work: lying about the type, uploading elsewhere, someone else's photo,
// reading a draft's photo; and retention by moving the clock.
import { Buffer } from "node:buffer";
import jpeg from "jpeg-js";
import { asUser } from "../_shared/db.ts";
import { encodeJpeg, encodePng } from "../_shared/quicksell/images.ts";
import { BUCKET, renditionPaths } from "../_shared/quicksell/photo-process.ts";
import { productShot } from "../_shared/quicksell/sample-images.ts";
import { mediaStore } from "../_shared/quicksell/store-media.ts";
import { supabaseStorage } from "../_shared/storage.ts";
import { assert, assertEquals, DB_URL, dbTest, newUser, signToken, testSql, userToken } from "../_shared/testing.ts";
import { createHandler, type PhotosDeps } from "./index.ts";

const BASE = Deno.env.get("SUPABASE_URL") ?? "http://127.0.0.1:54321";
const SECRET = Deno.env.get("SUPABASE_JWT_SECRET") ?? "unset";
const SERVICE_KEY = Deno.env.get("SUPABASE_SERVICE_ROLE_KEY") ?? "unset";
const ANON_KEY = Deno.env.get("SUPABASE_ANON_KEY") ?? "unset";
const URL_ = "http://functions.test/functions/v1/quicksell-photos";

function setup() {
  const storage = supabaseStorage({ url: BASE, serviceRoleKey: SERVICE_KEY });
  const deps: PhotosDeps = {
    jwtSecret: SECRET,
    revocationReason: () => Promise.resolve(null),
    store: mediaStore(testSql()),
    storage,
    maxMs: 30_000,
    batchSize: 4,
    retentionDays: 30,
  };
  return { handler: createHandler(deps), storage };
}

async function call(handler: (r: Request) => Promise<Response>, token: string | null, body: unknown) {
  const res = await handler(new Request(URL_, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  }));
  return { status: res.status, body: await res.json() };
}

const serviceToken = () => signToken({ role: "service_role", iss: "supabase", exp: Math.floor(Date.now() / 1000) + 600 }, SECRET);

async function seller(label: string) {
  const user = await newUser(label);
  const [listing] = await testSql()`
    insert into quicksell.listings (user_id, title, description, category, condition, price, brand)
    values (${user.id}, 'Brass lamp', 'A lamp', 'home', 'good', 40, 'Anglepoise') returning id`;
  return { user, listingId: listing.id as string, token: await userToken(user, SECRET) };
}

/** The seller's own upload through the Storage API, with his access token (the policies decide). */
async function upload(token: string, name: string, bytes: Uint8Array, contentType: string) {
  const res = await fetch(`${BASE}/storage/v1/object/${BUCKET}/${name}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": contentType },
    body: bytes as unknown as BodyInit,
  });
  await res.body?.cancel();
  return res.status;
}

async function addPhoto(s: { user: { id: string; email: string }; listingId: string }, file: string) {
  const claims = { sub: s.user.id, role: "authenticated", email: s.user.email };
  return await asUser(testSql(), claims, async (tx) => {
    const [row] = await tx`
      insert into quicksell.photos (listing_id, original_url, filename)
      values (${s.listingId}, ${`${s.user.id}/${s.listingId}/${file}`}, ${file}) returning id`;
    return row.id as string;
  });
}

async function drainPhotos(handler: (r: Request) => Promise<Response>) {
  const { status, body } = await call(handler, await serviceToken(), { queue: "quicksell.photo" });
  assertEquals(status, 200, JSON.stringify(body));
  return body as { claimed: number; outcomes: Record<string, number>; jobs: Array<{ queueJobId: number; outcome: string; error?: string }> };
}

async function photoRow(id: string) {
  const [row] = await testSql()`
    select width, height, file_size, mime_type, thumb_url, optimized_url, storage_path, background_type from quicksell.photos where id = ${id}`;
  return row;
}

async function jobOf(photoId: string) {
  const [row] = await testSql()`
    select status, last_error from public.jobs where queue = 'quicksell.photo' and payload ->> 'photo_id' = ${photoId}`;
  return row;
}

dbTest("an uploaded PNG is queued, processed into real renditions, and measured from the file", async () => {
  const { handler, storage } = setup();
  const s = await seller("qs-photo-png");
  const png = encodePng(productShot(1200, 900));
  assertEquals(await upload(s.token, `${s.user.id}/${s.listingId}/front.png`, png, "image/png"), 200, "the seller uploads into his listing folder");
  const photoId = await addPhoto(s, "front.png");
  assertEquals((await jobOf(photoId)).status, "queued", "the insert queued a photo_process job");

  const report = await drainPhotos(handler);
  assert(report.claimed >= 1, "the worker claimed it");
  assertEquals((await jobOf(photoId)).status, "succeeded");
  const row = await photoRow(photoId);
  assertEquals([row.width, row.height, row.file_size, row.mime_type], [1200, 900, png.byteLength, "image/png"], "metadata from the file");
  assertEquals(row.background_type, null, "processing alone does not analyse (that is the paid AI request)");

  const paths = renditionPaths({ user_id: s.user.id, listing_id: s.listingId, id: photoId });
  assert(String(row.thumb_url).endsWith(`/storage/v1/object/authenticated/${BUCKET}/${paths.thumb}`), `thumb_url ${row.thumb_url}`);
  const thumb = await storage.download(BUCKET, paths.thumb);
  assert(thumb, "the thumbnail is in Storage");
  const t = jpeg.decode(Buffer.from(thumb!.bytes), { useTArray: true });
  assertEquals([t.width, t.height], [320, 240], "a real 320 px JPEG thumbnail");
  const optimized = jpeg.decode(Buffer.from((await storage.download(BUCKET, paths.optimized))!.bytes), { useTArray: true });
  assertEquals([optimized.width, optimized.height], [1200, 900], "the optimized image is never enlarged");

  // Private bucket: nobody but the seller reads a draft's photo, until it is public.
  const anonRead = () => fetch(`${BASE}/storage/v1/object/authenticated/${BUCKET}/${paths.thumb}`, { headers: { authorization: `Bearer ${ANON_KEY}` } });
  let res = await anonRead();
  await res.body?.cancel();
  assertEquals(res.status, 404, "a draft's thumbnail is not public");
  res = await fetch(`${BASE}/storage/v1/object/public/${BUCKET}/${paths.thumb}`);
  await res.body?.cancel();
  assertEquals(res.status, 404, "and the bucket has no public URLs");
  await testSql()`update quicksell.listings set status = 'published', published_at = now() where id = ${s.listingId}`;
  res = await anonRead();
  assertEquals(res.status, 200, "once the listing is published, anyone reads it");
  assertEquals(res.headers.get("content-type"), "image/jpeg");
  await res.body?.cancel();
});

dbTest("a JPEG processed on the seller's request; someone else's photo is 404", async () => {
  const { handler } = setup();
  const s = await seller("qs-photo-jpeg");
  const jpg = encodeJpeg(productShot(2400, 1600), 85);
  assertEquals(await upload(s.token, `${s.user.id}/${s.listingId}/side.jpg`, jpg, "image/jpeg"), 200);
  const photoId = await addPhoto(s, "side.jpg");
  const { status, body } = await call(handler, s.token, { photoId });
  assertEquals(status, 200, JSON.stringify(body));
  assertEquals([body.width, body.height, body.mimeType, body.fileSize], [2400, 1600, "image/jpeg", jpg.byteLength]);
  assertEquals([body.thumb.width, body.thumb.height, body.optimized.width, body.optimized.height], [320, 213, 1600, 1067]);
  const row = await photoRow(photoId);
  assertEquals([row.width, row.height], [2400, 1600], "recorded");

  const other = await seller("qs-photo-other");
  assertEquals((await call(handler, other.token, { photoId })).status, 404, "another seller gets 404, as if it did not exist");
  assertEquals((await call(handler, null, { photoId })).status, 401, "no token: 401");
  assertEquals((await call(handler, s.token, { photoId: "not-a-uuid" })).status, 400, "bad input names the field");
});

dbTest("lies and strays: a PNG called JPEG, a GIF, uploads elsewhere, client-set dimensions", async () => {
  const { handler } = setup();
  const s = await seller("qs-photo-lies");
  // PNG bytes declared as image/jpeg: the bucket takes the declared type, the worker does not.
  assertEquals(await upload(s.token, `${s.user.id}/${s.listingId}/liar.jpg`, encodePng(productShot(64, 64)), "image/jpeg"), 200);
  const liar = await addPhoto(s, "liar.jpg");
  const gifBytes = new TextEncoder().encode("GIF89a" + "\u0000".repeat(64));
  assertEquals(await upload(s.token, `${s.user.id}/${s.listingId}/anim.png`, gifBytes, "image/png"), 200);
  const gif = await addPhoto(s, "anim.png");
  await drainPhotos(handler);
  const liarJob = await jobOf(liar);
  assertEquals(liarJob.status, "dead", "a type mismatch fails for good (no retries)");
  assert(/^mime_type: the file is image\/png, not image\/jpeg/.test(liarJob.last_error), liarJob.last_error);
  assertEquals((await photoRow(liar)).width, null, "and records nothing");
  const gifJob = await jobOf(gif);
  assertEquals(gifJob.status, "dead");
  assert(/^file: only JPEG and PNG/.test(gifJob.last_error), gifJob.last_error);

  const other = await seller("qs-photo-stray");
  assertEquals(await upload(s.token, `${other.user.id}/${other.listingId}/x.png`, encodePng(productShot(8, 8)), "image/png"), 403,
    "no uploads into another seller's folder");
  assertEquals(await upload(s.token, `${s.user.id}/${other.listingId}/x.png`, encodePng(productShot(8, 8)), "image/png"), 403,
    "nor into a folder named after another seller's listing");
  assertEquals(await upload(s.token, `${s.user.id}/${s.listingId}/x.gif`, gifBytes, "image/gif"), 415, "the bucket takes JPEG and PNG only");

  const claims = { sub: s.user.id, role: "authenticated", email: s.user.email };
  let refused = "";
  try {
    await asUser(testSql(), claims, (tx) => tx`
      insert into quicksell.photos (listing_id, original_url, width, height, mime_type)
      values (${s.listingId}, ${`${s.user.id}/${s.listingId}/liar.jpg`}, 9999, 9999, 'image/png')`);
  } catch (error) {
    refused = (error as { code?: string }).code ?? "";
  }
  assertEquals(refused, "42501", "a client cannot supply width, height or type");
});

dbTest("retention: 30 days after the listing is deleted, rows and files go; uploads never linked too", async () => {
  const { handler, storage } = setup();
  const s = await seller("qs-photo-retention");
  const png = encodePng(productShot(200, 150));
  assertEquals(await upload(s.token, `${s.user.id}/${s.listingId}/old.png`, png, "image/png"), 200);
  assertEquals(await upload(s.token, `${s.user.id}/${s.listingId}/never-linked.png`, png, "image/png"), 200);
  const photoId = await addPhoto(s, "old.png");
  await call(handler, s.token, { photoId });
  const paths = renditionPaths({ user_id: s.user.id, listing_id: s.listingId, id: photoId });
  assert(await storage.download(BUCKET, paths.thumb), "processed");
  await testSql()`update quicksell.listings set deleted_at = now() where id = ${s.listingId}`;

  const sweep = async (days: number) => {
    const { status, body } = await call(handler, await serviceToken(), { retention: true, now: new Date(Date.now() + days * 86_400_000).toISOString() });
    assertEquals(status, 200, JSON.stringify(body));
    return body as { photos: number; objects: number };
  };
  await sweep(29);
  assert((await photoRow(photoId)) !== undefined, "29 days on, the photo stays");
  const due = await sweep(31);
  assert(due.photos >= 1 && due.objects >= 4, `31 days on, rows and objects go: ${JSON.stringify(due)}`);
  assertEquals(await photoRow(photoId), undefined, "the row is gone");
  for (const name of [`${s.user.id}/${s.listingId}/old.png`, paths.thumb, paths.optimized, `${s.user.id}/${s.listingId}/never-linked.png`]) {
    assertEquals(await storage.download(BUCKET, name), null, `${name} is gone from Storage`);
  }
  const [left] = await testSql()`select count(*)::int as n from storage.objects where bucket_id = ${BUCKET} and name like ${s.user.id + "/%"}`;
  assertEquals(left.n, 0, "no object rows are left either");
});

if (!DB_URL) console.warn("quicksell-photos: SUPABASE_DB_URL not set; database tests ignored");
