// @domus/client QuickSell API against a recording fetch: what each call
// sends to the Data API (schema `quicksell` via the Accept-/Content-Profile
// headers), to Storage and to the functions, that bad input is refused
// before any request naming the field, and that the database's refusals keep
// their statuses (PT402 -> 402, PT409 -> 409, 42501 -> 403, PT404 -> 404).
import { createDomusClient } from "@domus/client";
import { periodStart } from "@domus/contracts/quicksell.ts";
import { describe, expect, it } from "vitest";
import { type Captured, ok, only, refusing, recordingFetch } from "./support/recording-fetch.ts";
import { signToken } from "./support/tokens.ts";

const REST = "http://rest.test";
const USER = "00000000-0000-4000-8000-000000000001";
const BUYER = "00000000-0000-4000-8000-000000000002";
const LISTING = "4f7c2a7e-2a39-4b53-8d8e-8c1b4c3f0a01";
const PHOTO = "6a1e0c1e-6c1b-4d7e-9a55-3a1f5b1f0c01";
const PHOTO2 = "6a1e0c1e-6c1b-4d7e-9a55-3a1f5b1f0c02";
const SALE = "5a1e0c1e-6c1b-4d7e-9a55-3a1f5b1f0c03";
const ACCOUNT = "7a1e0c1e-6c1b-4d7e-9a55-3a1f5b1f0c04";
const TOKEN = signToken({ sub: USER, role: "authenticated", aud: "authenticated" }, "test-secret");

function client(respond: (req: Captured) => { status: number; body: unknown }) {
  const rec = recordingFetch(respond);
  const { quicksell } = createDomusClient({ url: REST, anonKey: "anon-key", accessToken: TOKEN, fetch: rec.fetch });
  return { rec, qs: quicksell };
}

describe("listings", () => {
  it("the public feed: published and sold, not deleted, newest first, by category, with photos, range-paged", async () => {
    const rows = [{ id: LISTING, photos: [{ id: PHOTO2, display_order: 1 }, { id: PHOTO, display_order: 0 }] }, { id: PHOTO, photos: [] }];
    const { rec, qs } = client(ok(rows));
    const page = await qs.feed({ category: "Electronics", page_size: 2, offset: 4 });
    const req = only(rec);
    expect([req.method, req.url.pathname, req.headers.get("accept-profile")]).toEqual(["GET", "/rest/v1/listings", "quicksell"]);
    const p = req.url.searchParams;
    expect(p.get("select")).toBe("*,photos(*)");
    expect(p.get("status")).toBe("in.(published,sold)");
    expect(p.get("deleted_at")).toBe("is.null");
    expect(p.get("category")).toBe("eq.Electronics");
    expect(p.get("order")).toBe("published_at.desc,id.desc");
    expect([p.get("offset"), p.get("limit")]).toEqual(["4", "2"]);
    expect(page.nextOffset).toBe(6);
    expect(page.items[0]!.photos.map((ph) => ph.id)).toEqual([PHOTO, PHOTO2]);
  });

  it("the last feed page says so; no category means every category", async () => {
    const { rec, qs } = client(ok([{ id: LISTING, photos: [] }]));
    const page = await qs.feed();
    const p = only(rec).url.searchParams;
    expect(p.has("category")).toBe(false);
    expect(p.get("limit")).toBe("24");
    expect(page.nextOffset).toBeNull();
  });

  it("my listings: the caller's own (user id from the token), any status, deleted ones only on request", async () => {
    const { rec, qs } = client(ok());
    await qs.myListings({ status: ["draft", "published"] });
    await qs.myListings({ status: "sold", include_deleted: true });
    const [a, b] = rec.requests.map((r) => r.url.searchParams);
    expect(a!.get("user_id")).toBe(`eq.${USER}`);
    expect(a!.get("status")).toBe("in.(draft,published)");
    expect(a!.get("deleted_at")).toBe("is.null");
    expect(a!.get("order")).toBe("created_at.desc,id.desc");
    expect(b!.get("status")).toBe("eq.sold");
    expect(b!.has("deleted_at")).toBe(false);
  });

  it("creates a draft with only client-writable columns; an empty description is allowed on a draft", async () => {
    const { rec, qs } = client(ok({ id: LISTING, status: "draft" }));
    await qs.createListing({ title: " Camera ", category: "Electronics", condition: "good", price: 120.5, brand: "Canon" });
    const req = only(rec);
    expect([req.method, req.url.pathname, req.headers.get("content-profile")]).toEqual(["POST", "/rest/v1/listings", "quicksell"]);
    expect(req.body).toEqual({ title: "Camera", description: "", category: "Electronics", condition: "good", price: 120.5, brand: "Canon" });
    expect(req.url.searchParams.get("select")).toBe("*");
  });

  it("refuses before any request, naming the field: fields QuickSell sets, bad amounts, blank titles, enums", async () => {
    const { rec, qs } = client(ok());
    const base = { title: "Lamp", category: "Home", condition: "good", price: 10 } as const;
    const cases: Array<[unknown, string]> = [
      [{ ...base, estimated_price: 5 }, "estimated_price"],
      [{ ...base, user_id: BUYER }, "user_id"],
      [{ ...base, view_count: 1000 }, "view_count"],
      [{ ...base, published_at: "2026-01-01T00:00:00Z" }, "published_at"],
      [{ ...base, price: -1 }, "price"],
      [{ ...base, price: 1.005 }, "price"],
      [{ ...base, price: Number.NaN }, "price"],
      [{ ...base, price: 1e8 }, "price"],
      [{ ...base, weight_kg: 1e6 }, "weight_kg"],
      [{ ...base, title: "   " }, "title"],
      [{ ...base, title: "x".repeat(201) }, "title"],
      [{ ...base, condition: "mint" }, "condition"],
      [{ ...base, currency: "usd" }, "currency"],
      [{ ...base, status: "sold" }, "status"],
      [{ ...base, description: "a\u0000b" }, "description"],
    ];
    for (const [input, field] of cases) {
      await expect(qs.createListing(input as never), field).rejects.toMatchObject({ status: 400, code: "invalid_request", field });
    }
    await expect(qs.updateListing(LISTING, {})).rejects.toMatchObject({ status: 400 });
    await expect(qs.updateListing(LISTING, { status: "published" } as never)).rejects.toMatchObject({ status: 400, field: "status" });
    await expect(qs.publish("not-a-uuid")).rejects.toMatchObject({ status: 400, field: "listing_id" });
    expect(rec.requests).toHaveLength(0);
  });

  it("edits, publishes, delists, archives and soft-deletes by PATCH on the listing", async () => {
    const { rec, qs } = client(ok({ id: LISTING }));
    await qs.updateListing(LISTING, { price: 99, description: "Works well" });
    await qs.publish(LISTING);
    await qs.delist(LISTING);
    await qs.archive(LISTING);
    const before = Date.now();
    await qs.deleteListing(LISTING);
    expect(rec.requests.map((r) => [r.method, r.url.searchParams.get("id")])).toEqual(Array(5).fill(["PATCH", `eq.${LISTING}`]));
    expect(rec.requests.slice(0, 4).map((r) => r.body)).toEqual([
      { price: 99, description: "Works well" }, { status: "published" }, { status: "delisted" }, { status: "archived" },
    ]);
    const deleted = rec.requests[4]!.body as { deleted_at: string };
    expect(Object.keys(deleted)).toEqual(["deleted_at"]);
    expect(Date.parse(deleted.deleted_at)).toBeGreaterThanOrEqual(before - 1000);
  });

  it("a status the machine refuses is a 409 with the database's message; someone else's listing is a 404", async () => {
    const { qs } = client(refusing(400, "PT409", "status: a listing cannot go from sold to published"));
    await expect(qs.publish(LISTING)).rejects.toMatchObject({ status: 409, code: "PT409", field: "status" });
    const { qs: none } = client(() => ({ status: 406, body: { code: "PGRST116", message: "JSON object requested, multiple (or no) rows returned" } }));
    await expect(none.listing(LISTING)).rejects.toMatchObject({ status: 404 });
    const { qs: grant } = client(refusing(403, "42501", "permission denied for table listings"));
    await expect(grant.updateListing(LISTING, { title: "x" })).rejects.toMatchObject({ status: 403, code: "42501" });
  });

  it("one listing with its photos; its history in version order", async () => {
    const { rec, qs } = client(ok({ id: LISTING, photos: [] }));
    await qs.listing(LISTING);
    await qs.history(LISTING);
    expect(rec.requests.map((r) => [r.url.pathname, r.url.searchParams.get("select"), r.url.searchParams.get("order")])).toEqual([
      ["/rest/v1/listings", "*,photos(*)", null],
      ["/rest/v1/listing_versions", "*", "version.asc"],
    ]);
  });

  it("records a view or a click through quicksell.record_view", async () => {
    const { rec, qs } = client(ok(true));
    expect(await qs.recordView(LISTING)).toBe(true);
    expect(await qs.recordView(LISTING, "click")).toBe(true);
    expect(rec.requests.map((r) => [r.method, r.url.pathname, r.headers.get("content-profile"), r.body])).toEqual([
      ["POST", "/rest/v1/rpc/record_view", "quicksell", { p_listing_id: LISTING, p_kind: "view" }],
      ["POST", "/rest/v1/rpc/record_view", "quicksell", { p_listing_id: LISTING, p_kind: "click" }],
    ]);
    const { rec: none, qs: bad } = client(ok(true));
    await expect(bad.recordView(LISTING, "like" as never)).rejects.toMatchObject({ status: 400, field: "kind" });
    expect(none.requests).toHaveLength(0);
  });
});

describe("photos", () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

  it("uploads to quicksell-photos/<me>/<listing>/<file>, then inserts the row naming that object", async () => {
    const { rec, qs } = client((req) => ({ status: 200, body: req.url.pathname.startsWith("/storage") ? { Key: "k" } : { id: PHOTO } }));
    await qs.uploadPhoto({ listing_id: LISTING, file_name: "front.png", content_type: "image/png", display_order: 0 }, png);
    expect(rec.requests.map((r) => [r.method, r.url.pathname])).toEqual([
      ["POST", `/storage/v1/object/quicksell-photos/${USER}/${LISTING}/front.png`],
      ["POST", "/rest/v1/photos"],
    ]);
    expect(rec.requests[0]!.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
    expect(rec.requests[1]!.body).toEqual({ listing_id: LISTING, original_url: `${USER}/${LISTING}/front.png`, filename: "front.png", display_order: 0 });
  });

  it("a refused row removes the upload again and keeps the database's refusal", async () => {
    const { rec, qs } = client((req) =>
      req.url.pathname === "/rest/v1/photos"
        ? { status: 403, body: { code: "42501", message: "new row violates row-level security policy for table \"photos\"" } }
        : { status: 200, body: req.method === "DELETE" ? [] : { Key: "k" } });
    await expect(qs.uploadPhoto({ listing_id: LISTING, file_name: "a.jpg", content_type: "image/jpeg" }, png)).rejects.toMatchObject({ status: 403 });
    expect(rec.requests.map((r) => r.method)).toEqual(["POST", "POST", "DELETE"]);
    expect(rec.requests[2]!.body).toEqual({ prefixes: [`${USER}/${LISTING}/a.jpg`] });
  });

  it("refuses paths that escape the folder, other types and empty or oversized files before any request", async () => {
    const { rec, qs } = client(ok());
    const base = { listing_id: LISTING, content_type: "image/png" } as const;
    await expect(qs.uploadPhoto({ ...base, file_name: "../x.png" }, png)).rejects.toMatchObject({ status: 400, field: "file_name" });
    await expect(qs.uploadPhoto({ ...base, file_name: "a/b.png" }, png)).rejects.toMatchObject({ field: "file_name" });
    await expect(qs.uploadPhoto({ ...base, file_name: ".hidden" }, png)).rejects.toMatchObject({ field: "file_name" });
    await expect(qs.uploadPhoto({ ...base, file_name: "a.gif", content_type: "image/gif" as never }, png)).rejects.toMatchObject({ field: "content_type" });
    await expect(qs.uploadPhoto({ ...base, file_name: "a.png" }, new Uint8Array())).rejects.toMatchObject({ field: "file" });
    await expect(qs.uploadPhoto({ ...base, file_name: "a.png" }, new Uint8Array(10 * 1024 * 1024 + 1))).rejects.toMatchObject({ field: "file" });
    await expect(qs.uploadPhoto({ ...base, listing_id: "x", file_name: "a.png" }, png)).rejects.toMatchObject({ field: "listing_id" });
    expect(rec.requests).toHaveLength(0);
  });

  it("a Storage refusal keeps its status", async () => {
    const { qs } = client(() => ({ status: 403, body: { statusCode: "403", error: "Unauthorized", message: "new row violates row-level security policy" } }));
    await expect(qs.uploadPhoto({ listing_id: LISTING, file_name: "a.png", content_type: "image/png" }, png)).rejects.toMatchObject({ status: 403, code: "storage_error" });
  });

  it("reorders through quicksell.reorder_photos, each photo once; sets primary; deletes; processes now", async () => {
    const { rec, qs } = client((req) => ({
      status: 200,
      body: req.url.pathname.startsWith("/functions")
        ? { photoId: PHOTO, listingId: LISTING, mimeType: "image/png", width: 640, height: 480, fileSize: 2000, thumbUrl: "t", optimizedUrl: "o", analysis: null }
        : [],
    }));
    await qs.reorderPhotos(LISTING, [PHOTO2, PHOTO]);
    await qs.setPrimaryPhoto(PHOTO2);
    await qs.deletePhoto(PHOTO);
    const done = await qs.processPhoto(PHOTO);
    expect(done).toMatchObject({ width: 640, height: 480, mimeType: "image/png" });
    expect(rec.requests.map((r) => [r.method, r.url.pathname, r.body])).toEqual([
      ["POST", "/rest/v1/rpc/reorder_photos", { p_listing_id: LISTING, p_photo_ids: [PHOTO2, PHOTO] }],
      ["PATCH", "/rest/v1/photos", { is_primary: true }],
      ["DELETE", "/rest/v1/photos", undefined],
      ["POST", "/functions/v1/quicksell-photos", { photoId: PHOTO }],
    ]);
    const { rec: none, qs: bad } = client(ok());
    await expect(bad.reorderPhotos(LISTING, [PHOTO, PHOTO])).rejects.toMatchObject({ status: 400, field: "photo_ids" });
    await expect(bad.reorderPhotos(LISTING, [])).rejects.toMatchObject({ field: "photo_ids" });
    await expect(bad.processPhoto("x")).rejects.toMatchObject({ field: "photo_id" });
    expect(none.requests).toHaveLength(0);
  });

  it("someone else's photo is the function's 404, field kept", async () => {
    const { qs } = client(() => ({ status: 404, body: { error: { code: "not_found", message: "photoId: no such photo of yours", field: "photoId" } } }));
    await expect(qs.processPhoto(PHOTO)).rejects.toMatchObject({ status: 404, code: "not_found", field: "photoId" });
  });

  it("reads a rendition from the private bucket by its URL, as the caller", async () => {
    const { rec, qs } = client(ok({}));
    await qs.photoFile(`http://127.0.0.1:1/storage/v1/object/authenticated/quicksell-photos/${USER}/${LISTING}/${PHOTO}/thumb.jpg`);
    const req = only(rec);
    expect(req.url.pathname).toBe(`/storage/v1/object/quicksell-photos/${USER}/${LISTING}/${PHOTO}/thumb.jpg`);
    expect(req.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
  });
});

describe("AI assistance", () => {
  it("asks quicksell.request_ai; reads the caller's requests of a listing", async () => {
    const { rec, qs } = client(ok({ request_id: SALE, status: "queued", paid_by: "allowance", credits: 0, replayed: false }));
    const r = await qs.requestAi(LISTING, "price_estimate");
    await qs.aiRequests(LISTING);
    expect(r.paid_by).toBe("allowance");
    expect(rec.requests.map((q) => [q.method, q.url.pathname, q.body])).toEqual([
      ["POST", "/rest/v1/rpc/request_ai", { p_listing_id: LISTING, p_kind: "price_estimate" }],
      ["GET", "/rest/v1/ai_requests", undefined],
    ]);
    expect(rec.requests[1]!.url.searchParams.get("listing_id")).toBe(`eq.${LISTING}`);
  });

  it("an unknown kind is refused before any request; allowance and credits used up is a 402", async () => {
    const { rec, qs } = client(ok());
    await expect(qs.requestAi(LISTING, "poem" as never)).rejects.toMatchObject({ status: 400, field: "kind" });
    expect(rec.requests).toHaveLength(0);
    const { qs: broke } = client(refusing(402, "PT402", "AI allowance used up (10 of 10 on plan quicksell_free) and not enough credits: 0 available, 1 needed"));
    await expect(broke.requestAi(LISTING, "price_estimate")).rejects.toMatchObject({ status: 402, code: "PT402" });
  });
});

describe("cross-posting", () => {
  it("lists accounts without their token columns (a select * would be a 403)", async () => {
    const { rec, qs } = client(ok());
    await qs.marketplaceAccounts();
    const columns = only(rec).url.searchParams.get("select")!.split(",");
    expect(columns).toContain("marketplace_name");
    expect(columns).toContain("token_expires_at");
    for (const hidden of ["*", "access_token", "refresh_token", "marketplace_data"]) expect(columns).not.toContain(hidden);
  });

  it("connects through POST marketplace-sync/connect; a local fake needs no code", async () => {
    const account = { id: ACCOUNT, marketplace_name: "ebay", marketplace_user_id: "u1", account_name: "me", is_active: true, auto_sync_enabled: true, token_expires_at: null };
    const { rec, qs } = client(ok({ account, mode: "local" }));
    const res = await qs.connectMarketplace({ marketplace: "ebay" });
    expect(res.mode).toBe("local");
    const req = only(rec);
    expect([req.method, req.url.pathname, req.body]).toEqual(["POST", "/functions/v1/marketplace-sync/connect", { marketplace: "ebay" }]);
    expect(req.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
  });

  it("refuses an unknown marketplace or extra fields before any request", async () => {
    const { rec, qs } = client(ok());
    await expect(qs.connectMarketplace({ marketplace: "amazon" } as never)).rejects.toMatchObject({ status: 400, field: "marketplace" });
    await expect(qs.connectMarketplace({ marketplace: "ebay", accessToken: "x" } as never)).rejects.toMatchObject({ status: 400 });
    await expect(qs.crosspost(LISTING, "amazon" as never)).rejects.toMatchObject({ status: 400, field: "marketplace" });
    await expect(qs.updateMarketplaceAccount(ACCOUNT, { access_token: "x" } as never)).rejects.toMatchObject({ status: 400 });
    expect(rec.requests).toHaveLength(0);
  });

  it("cross-posts through quicksell.crosspost_listing and reads the copies; past the plan it is a 402", async () => {
    const { rec, qs } = client(ok({ id: ACCOUNT, sync_status: "draft" }));
    await qs.crosspost(LISTING, "ebay");
    await qs.copies(LISTING);
    await qs.updateMarketplaceAccount(ACCOUNT, { auto_sync_enabled: false });
    await qs.disconnectMarketplace(ACCOUNT);
    expect(rec.requests.map((r) => [r.method, r.url.pathname, r.body])).toEqual([
      ["POST", "/rest/v1/rpc/crosspost_listing", { p_listing_id: LISTING, p_marketplace: "ebay" }],
      ["GET", "/rest/v1/marketplace_listings", undefined],
      ["PATCH", "/rest/v1/marketplace_accounts", { auto_sync_enabled: false }],
      ["DELETE", "/rest/v1/marketplace_accounts", undefined],
    ]);
    const { qs: free } = client(refusing(402, "PT402", "quicksell.crosspost_marketplace: 2 of 2 marketplaces used this period"));
    await expect(free.crosspost(LISTING, "etsy")).rejects.toMatchObject({ status: 402, code: "PT402" });
    const { qs: draft } = client(refusing(400, "PT409", "listing: only a published listing can be cross-posted"));
    await expect(draft.crosspost(LISTING, "ebay")).rejects.toMatchObject({ status: 409, field: "listing" });
  });
});

describe("sales", () => {
  it("records a sale with only the arguments given, then completes, cancels, refunds and rates through the RPCs", async () => {
    const { rec, qs } = client(ok(SALE));
    expect(await qs.recordSale({ listing_id: LISTING, sale_price: 80 })).toBe(SALE);
    await qs.recordSale({ listing_id: LISTING, sale_price: 80, shipping_cost: 7.5, buyer_id: BUYER, marketplace_name: "ebay" });
    await qs.completeSale(SALE);
    await qs.cancelSale(SALE);
    await qs.refundSale(SALE);
    await qs.rateSale({ sale_id: SALE, rating: 5, review: " Great " });
    await qs.rateSale({ sale_id: SALE, rating: 4 });
    expect(rec.requests.map((r) => [r.url.pathname, r.body])).toEqual([
      ["/rest/v1/rpc/record_sale", { p_listing_id: LISTING, p_sale_price: 80 }],
      ["/rest/v1/rpc/record_sale", { p_listing_id: LISTING, p_sale_price: 80, p_shipping_cost: 7.5, p_buyer_id: BUYER, p_marketplace_name: "ebay" }],
      ["/rest/v1/rpc/complete_sale", { p_sale_id: SALE }],
      ["/rest/v1/rpc/cancel_sale", { p_sale_id: SALE }],
      ["/rest/v1/rpc/refund_sale", { p_sale_id: SALE }],
      ["/rest/v1/rpc/rate_sale", { p_sale_id: SALE, p_rating: 5, p_review: "Great" }],
      ["/rest/v1/rpc/rate_sale", { p_sale_id: SALE, p_rating: 4, p_review: null }],
    ]);
    expect(new Set(rec.requests.map((r) => r.headers.get("content-profile")))).toEqual(new Set(["quicksell"]));
  });

  it("refuses bad amounts and ratings before any request, naming the field", async () => {
    const { rec, qs } = client(ok());
    await expect(qs.recordSale({ listing_id: LISTING, sale_price: -5 })).rejects.toMatchObject({ status: 400, field: "sale_price" });
    await expect(qs.recordSale({ listing_id: LISTING, sale_price: Infinity })).rejects.toMatchObject({ field: "sale_price" });
    await expect(qs.recordSale({ listing_id: LISTING, sale_price: 5, shipping_cost: 0.001 })).rejects.toMatchObject({ field: "shipping_cost" });
    await expect(qs.recordSale({ listing_id: LISTING, sale_price: 5, buyer_id: "bob" })).rejects.toMatchObject({ field: "buyer_id" });
    await expect(qs.recordSale({ listing_id: LISTING, sale_price: 5, final_amount: 1 } as never)).rejects.toMatchObject({ status: 400, field: "final_amount" });
    await expect(qs.rateSale({ sale_id: SALE, rating: 6 })).rejects.toMatchObject({ field: "rating" });
    await expect(qs.rateSale({ sale_id: SALE, rating: 4.5 })).rejects.toMatchObject({ field: "rating" });
    await expect(qs.rateSale({ sale_id: SALE, rating: 4, review: "x".repeat(5001) })).rejects.toMatchObject({ field: "review" });
    await expect(qs.completeSale("nope")).rejects.toMatchObject({ field: "sale_id" });
    expect(rec.requests).toHaveLength(0);
  });

  it("keeps the database's refusals: sold twice 409, not the seller 403, no such sale 404", async () => {
    const { qs: twice } = client(refusing(400, "PT409", "listing: is sold, only a published listing can be sold"));
    await expect(twice.recordSale({ listing_id: LISTING, sale_price: 5 })).rejects.toMatchObject({ status: 409, code: "PT409", field: "listing" });
    const { qs: stranger } = client(refusing(403, "42501", "only the seller records a sale of this listing"));
    await expect(stranger.recordSale({ listing_id: LISTING, sale_price: 5 })).rejects.toMatchObject({ status: 403, code: "42501" });
    const { qs: missing } = client(refusing(400, "PT404", "sale_id: no such sale"));
    await expect(missing.completeSale(SALE)).rejects.toMatchObject({ status: 404, field: "sale_id" });
  });

  it("lists the caller's sales as seller or as buyer", async () => {
    const { rec, qs } = client(ok());
    await qs.sales();
    await qs.sales({ as: "buyer", limit: 5 });
    const [a, b] = rec.requests.map((r) => r.url.searchParams);
    expect(a!.get("seller_id")).toBe(`eq.${USER}`);
    expect(b!.get("buyer_id")).toBe(`eq.${USER}`);
    expect(b!.get("limit")).toBe("5");
  });
});

describe("game", () => {
  it("reads my stats, my points, my badges with the badge and my challenges", async () => {
    const { rec, qs } = client(ok([]));
    await qs.stats();
    await qs.stats(BUYER);
    await qs.pointsHistory({ limit: 3 });
    await qs.userBadges();
    await qs.myChallenges();
    await qs.joinChallenge(SALE);
    expect(rec.requests.map((r) => [r.url.pathname, r.url.searchParams.get("user_id"), r.url.searchParams.get("select")])).toEqual([
      ["/rest/v1/user_stats", `eq.${USER}`, "*"],
      ["/rest/v1/user_stats", `eq.${BUYER}`, "*"],
      ["/rest/v1/points_ledger", `eq.${USER}`, "*"],
      ["/rest/v1/user_badges", `eq.${USER}`, "*,badge:badges(*)"],
      ["/rest/v1/user_challenges", `eq.${USER}`, "*,challenge:challenges(*)"],
      ["/rest/v1/rpc/join_challenge", null, null],
    ]);
    expect(rec.requests[5]!.body).toEqual({ p_challenge_id: SALE });
  });

  it("leaderboards: this week's or month's period, by points or by sales, in the index's order", async () => {
    const { rec, qs } = client(ok([]));
    const weekly = await qs.leaderboard();
    const monthly = await qs.leaderboard({ period: "monthly", by: "sales", limit: 5, at: "2026-03-15T12:00:00Z" });
    const [w, m] = rec.requests.map((r) => r.url.searchParams);
    expect(w!.get("period")).toBe("eq.weekly");
    expect(w!.get("period_start")).toBe(`eq.${periodStart("weekly")}`);
    expect(w!.get("order")).toBe("points.desc,user_id.asc");
    expect(w!.get("limit")).toBe("10");
    expect(m!.get("period_start")).toBe("eq.2026-03-01");
    expect(m!.get("order")).toBe("sales_count.desc,sales_revenue.desc,user_id.asc");
    expect(weekly.period_start).toBe(periodStart("weekly"));
    expect(monthly).toMatchObject({ period: "monthly", by: "sales", period_start: "2026-03-01" });
    const { rec: none, qs: bad } = client(ok());
    await expect(bad.leaderboard({ period: "daily" } as never)).rejects.toMatchObject({ status: 400, field: "period" });
    await expect(bad.leaderboard({ limit: 1000 })).rejects.toMatchObject({ field: "limit" });
    expect(none.requests).toHaveLength(0);
  });

  it("a week starts on Monday UTC, a month on the 1st UTC", () => {
    expect(periodStart("weekly", new Date("2026-12-06T23:59:59Z"))).toBe("2026-11-30"); // a Sunday
    expect(periodStart("weekly", new Date("2026-11-30T00:00:00Z"))).toBe("2026-11-30");
    expect(periodStart("weekly", new Date("2027-01-01T10:00:00Z"))).toBe("2026-12-28");
    expect(periodStart("monthly", new Date("2026-12-31T23:59:59Z"))).toBe("2026-12-01");
  });
});
