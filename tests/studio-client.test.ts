// @domus/client Studio API: what it asks the Data API (schema `studio`) and
// the ai-jobs function for, how it watches a project, and that it refuses
// bad input before sending anything.
import { createDomusClient } from "@domus/client";
import { describe, expect, it } from "vitest";
import { functionInvoker } from "../packages/client/src/functions.ts";
import { studioApi } from "../packages/client/src/studio.ts";
import { recordingFetch } from "./support/recording-fetch.ts";

const REST = "http://rest.test";
const ID = "4f7c2a7e-2a39-4b53-8d8e-8c1b4c3f0a01";

function studio(respond: Parameters<typeof recordingFetch>[0]) {
  const rec = recordingFetch(respond);
  const { supabase } = createDomusClient({ url: REST, anonKey: "k", fetch: rec.fetch });
  return { api: studioApi(supabase, functionInvoker(supabase)), requests: rec.requests };
}

describe("studio reads", () => {
  it("lists the media library from schema studio with its filters", async () => {
    const { api, requests } = studio(() => ({ status: 200, body: [] }));
    await api.media({ listingId: ID, favorites: true, tags: ["kitchen", "hero"], type: "image", limit: 20 });
    const req = requests[0]!;
    expect(req.url.pathname).toBe("/rest/v1/media_items");
    expect(req.headers.get("accept-profile")).toBe("studio");
    const p = req.url.searchParams;
    expect([p.get("listing_id"), p.get("is_favorite"), p.get("tags"), p.get("type"), p.get("limit"), p.get("order")])
      .toEqual([`eq.${ID}`, "eq.true", "cs.{kitchen,hero}", "eq.image", "20", "created_at.desc"]);
  });

  it("reads public templates, and prices of one job type", async () => {
    const { api, requests } = studio(() => ({ status: 200, body: [] }));
    await api.templates({ scope: "public", type: "open_house" });
    await api.prices("photo_edit");
    expect(requests[0]!.url.pathname).toBe("/rest/v1/templates");
    expect(requests[0]!.url.searchParams.get("is_public")).toBe("eq.true");
    expect(requests[1]!.url.searchParams.get("job_type")).toBe("eq.photo_edit");
  });

  it("watches a project until it finishes, reporting each new state", async () => {
    const states = ["pending", "processing", "processing", "completed"];
    let i = 0;
    const { api } = studio(() => ({ status: 200, body: { id: ID, status: states[Math.min(i, 3)], updated_at: `t${i++ < 2 ? i : 2}` } }));
    const seen: string[] = [];
    const done = await api.watchProject(ID, { intervalMs: 1, onUpdate: (p) => seen.push(p.status) });
    expect(done.status).toBe("completed");
    expect(seen).toEqual(["pending", "processing", "completed"]);
  });
});

describe("studio writes", () => {
  it("creates a contact in schema studio with only the fields the agent owns", async () => {
    const { api, requests } = studio(() => ({ status: 201, body: { id: ID, name: "Maria" } }));
    await api.createContact({ name: "Maria", email: "maria@example.com", type: "seller", tags: ["vip"] });
    const req = requests[0]!;
    expect([req.method, req.url.pathname, req.headers.get("content-profile")]).toEqual(["POST", "/rest/v1/crm_contacts", "studio"]);
    expect(req.body).toEqual({ name: "Maria", email: "maria@example.com", type: "seller", tags: ["vip"] });
  });

  it("marks a favourite with a patch of is_favorite only", async () => {
    const { api, requests } = studio(() => ({ status: 200, body: { id: ID, is_favorite: true } }));
    await api.setFavorite(ID, true);
    expect([requests[0]!.method, requests[0]!.url.searchParams.get("id"), requests[0]!.body]).toEqual(["PATCH", `eq.${ID}`, { is_favorite: true }]);
  });

  it("starts a project through the ai-jobs function", async () => {
    const answer = {
      project: { id: ID, name: "Kitchen", type: "photo_edit", status: "pending", accountId: ID, creditCost: 5, createdAt: "2026-11-22T10:00:00.000Z" },
      jobs: [{ id: ID, service: "nano_banana", model: "gemini-2.5-flash-image", status: "pending", creditCost: 5 }],
      replayed: false,
    };
    const { api, requests } = studio(() => ({ status: 201, body: answer }));
    const res = await api.startProject({ type: "photo_edit", name: "Kitchen", input: { style: "twilight" }, idempotencyKey: "kitchen-2026-11-22" });
    expect(res).toEqual(answer);
    expect([requests[0]!.method, requests[0]!.url.pathname]).toEqual(["POST", "/functions/v1/ai-jobs"]);
    expect(requests[0]!.body).toMatchObject({ type: "photo_edit", input: { style: "twilight" }, idempotencyKey: "kitchen-2026-11-22" });
  });
});

describe("studio input checks", () => {
  it("refuses bad input naming the field, before any request", async () => {
    const { api, requests } = studio(() => ({ status: 500, body: {} }));
    await expect(api.startProject({ type: "photo_edit", name: "x", input: { style: "sepia" as never } })).rejects.toMatchObject({ status: 400, field: "input.style" });
    await expect(api.startProject({ type: "video", name: "", input: {} })).rejects.toMatchObject({ field: "name" });
    await expect(api.startProject({ type: "template", name: "x", input: { fields: { "Bad Key": "v" } } })).rejects.toMatchObject({ status: 400 });
    await expect(api.createContact({ name: "Maria", email: "not-an-email" })).rejects.toMatchObject({ field: "email" });
    // @ts-expect-error: credits are the database's, not a listing field
    await expect(api.createListing({ address: "1 Main St", credits_used: 3 })).rejects.toMatchObject({ status: 400 });
    await expect(api.updateMedia(ID, { credits_used: 0 } as never)).rejects.toMatchObject({ status: 400 });
    await expect(api.media({ listingId: "nope" })).rejects.toMatchObject({ status: 400 });
    await expect(api.templates({ scope: "mine" })).rejects.toMatchObject({ field: "userId" });
    expect(requests).toHaveLength(0);
  });
});
