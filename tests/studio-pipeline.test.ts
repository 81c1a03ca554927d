// Studio end to end over HTTP on the local stack: an agent uploads a photo
// to Storage, starts a photo edit with their token through the client, the
// worker runs (as pg_cron or the gateway would call it, with the service-role
// key), and the edited PNG is in the media library and served from its
// public URL. Also: the Storage policies, the 402 refusal, and the ledger.
import { createDomusClient, DomusError } from "@domus/client";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { functionInvoker } from "../packages/client/src/functions.ts";
import { studioApi } from "../packages/client/src/studio.ts";
import { asRequest, closeDb, createUser, db, userClaims } from "./support/db.ts";
import { rgbPng } from "./support/png.ts";
import { stackEnv } from "./support/stack-env.ts";
import { accessToken } from "./support/tokens.ts";

const env = stackEnv();
const base = env.functionsUrl.replace(/\/functions\/v1$/, "");
type User = Awaited<ReturnType<typeof createUser>>;
let agent: User;
let stranger: User;

function studio(user: User) {
  const { supabase } = createDomusClient({ url: base, anonKey: env.anonKey, accessToken: accessToken(user), functionsUrl: env.functionsUrl });
  return studioApi(supabase, functionInvoker(supabase));
}

// ------------------------------------------------------------ a real PNG
/** A w x h RGB gradient "room": wall on top, floor below. */
function roomPng(w: number, h: number): Buffer {
  return rgbPng(w, h, (x, y) => (y > h * 0.6 ? [120, 90, 60] : [150 + Math.round((x / w) * 30), 140, 125]));
}
const pngSize = (b: Buffer) => ({ signature: b.subarray(0, 8).toString("hex"), width: b.readUInt32BE(16), height: b.readUInt32BE(20) });

async function runWorker() {
  const res = await fetch(`${env.functionsUrl}/ai-jobs`, {
    method: "POST",
    headers: { authorization: `Bearer ${env.serviceRoleKey}`, "content-type": "application/json" },
    body: JSON.stringify({ queue: "studio.ai_job" }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { claimed: number; jobs: Array<{ aiJobId: string; outcome: string; mode?: string }> };
}

beforeAll(async () => {
  agent = await createUser("studio-agent");
  stranger = await createUser("studio-stranger");
});
afterAll(closeDb);

describe("a newcomer's photo edit, end to end", () => {
  it("uploads a photo, spends credits on a virtual staging edit, and gets a PNG in the media library", async () => {
    const input = roomPng(96, 64);
    const ref = await studio(agent).uploadPhoto(agent.id, "living-room.png", new Uint8Array(input), "image/png");
    expect(ref).toEqual({ path: `${agent.id}/uploads/living-room.png` });

    const started = await studio(agent).startProject({
      type: "photo_edit",
      name: "Living room staging",
      service: "nano_banana",
      idempotencyKey: `e2e-${agent.id}`,
      input: { images: [ref], style: "virtual_staging" },
    });
    expect(started).toMatchObject({ replayed: false, project: { status: "pending", creditCost: 5, accountId: agent.id } });

    const worked = await runWorker();
    expect(worked.jobs.find((j) => j.aiJobId === started.jobs[0]!.id)).toMatchObject({ outcome: "completed", mode: "local" });

    // What the agent sees (as PostgREST would run it): project done, one media item, credits spent.
    const seen = await asRequest(userClaims(agent), async (c) => ({
      project: (await c.query("select status, credit_cost from studio.projects where id = $1", [started.project.id])).rows,
      media: (await c.query("select id, type, url, storage_path, mime_type, file_size, credits_used from studio.media_items where project_id = $1", [started.project.id])).rows,
      credits: (await c.query("select balance, held from public.credit_balances where account_id = $1 and pool = 'credits'", [agent.id])).rows,
      notes: (await c.query("select type from public.notifications where user_id = $1", [agent.id])).rows,
    }));
    expect(seen.project).toEqual([{ status: "completed", credit_cost: 5 }]);
    expect(seen.credits).toEqual([{ balance: 45, held: 0 }]);
    expect(seen.notes).toEqual([{ type: "job_completed" }]);
    expect(seen.media).toHaveLength(1);
    const media = seen.media[0];
    expect(media).toMatchObject({ type: "image", mime_type: "image/png", credits_used: 5 });
    expect(media.url).toBe(`${base}/storage/v1/object/public/studio-media/${media.storage_path}`);

    // The public URL serves the edited PNG: same size as the upload, different pixels.
    const res = await fetch(media.url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    const out = Buffer.from(await res.arrayBuffer());
    expect(pngSize(out)).toEqual({ signature: "89504e470d0a1a0a", width: 96, height: 64 });
    expect(out.length).toBe(media.file_size);
    expect(createHash("sha256").update(out).digest("hex")).not.toBe(createHash("sha256").update(input).digest("hex"));

    // Storage recorded the object as Supabase does.
    const { rows } = await db().query("select owner, metadata from storage.objects where bucket_id = 'studio-media' and name = $1", [media.storage_path]);
    expect(rows).toEqual([{ owner: null, metadata: expect.objectContaining({ size: out.length, mimetype: "image/png" }) }]);

    // Asking again with the same key returns the same project and charges nothing.
    const again = await studio(agent).startProject({ type: "photo_edit", name: "Living room staging", service: "nano_banana", idempotencyKey: `e2e-${agent.id}`, input: { images: [ref], style: "virtual_staging" } });
    expect(again).toMatchObject({ replayed: true, project: { id: started.project.id, status: "completed" } });
    const { rows: bal } = await db().query("select balance, held from public.credit_balances where account_id = $1 and pool = 'credits'", [agent.id]);
    expect(bal).toEqual([{ balance: 45, held: 0 }]);
  });

  it("refuses with 402 when credits are short, and nothing is created", async () => {
    const poor = await createUser("studio-poor");
    // 50 welcome credits pay for one 40-credit video; the second is refused.
    await studio(poor).startProject({ type: "video", name: "First tour", service: "replicate", input: { durationSeconds: 1, width: 32, height: 24 } });
    const count = async () => (await db().query("select count(*)::int as n from studio.projects where user_id = $1", [poor.id])).rows[0].n;
    const before = await count();
    const error = await studio(poor)
      .startProject({ type: "video", name: "Too expensive", service: "replicate", input: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomusError);
    expect(error).toMatchObject({ status: 402, code: "payment_required", message: "insufficient credits: 10 available, 40 needed" });
    expect(await count()).toBe(before);
    const { rows } = await db().query("select balance, held from public.credit_balances where account_id = $1 and pool = 'credits'", [poor.id]);
    expect(rows).toEqual([{ balance: 50, held: 40 }]);
  });

  it("names the bad field before anything is charged", async () => {
    const error = await fetch(`${env.functionsUrl}/ai-jobs`, {
      method: "POST",
      headers: { authorization: `Bearer ${accessToken(agent)}`, "content-type": "application/json" },
      body: JSON.stringify({ type: "photo_edit", name: "x", input: { style: "sepia" } }),
    });
    expect(error.status).toBe(400);
    expect((await error.json()).error).toMatchObject({ code: "invalid_request", field: "input.style" });
  });
});

describe("the studio-media bucket on the local Storage stand-in", () => {
  it("lets agents write only into their own folder; anyone reads public URLs", async () => {
    const put = (token: string | null, path: string) =>
      fetch(`${base}/storage/v1/object/studio-media/${path}`, {
        method: "POST",
        headers: { "content-type": "image/png", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: new Uint8Array(roomPng(4, 4)),
      });
    expect((await put(accessToken(stranger), `${agent.id}/uploads/intruder.png`)).status).toBe(403);
    expect((await put(null, `${agent.id}/uploads/anon.png`)).status).toBe(403);
    expect((await put(accessToken(stranger), `${stranger.id}/uploads/mine.png`)).status).toBe(200);
    expect((await put(accessToken(stranger), `${stranger.id}/uploads/mine.png`)).status).toBe(409);
    // '..' never reaches the server (URLs normalise it); names with backslashes are refused.
    expect((await put(accessToken(stranger), `${stranger.id}/..%5C..%5Cescape.png`)).status).toBe(400);
    const disallowed = await fetch(`${base}/storage/v1/object/studio-media/${stranger.id}/uploads/x.txt`, {
      method: "POST", headers: { authorization: `Bearer ${accessToken(stranger)}`, "content-type": "text/plain" }, body: "hello",
    });
    expect(disallowed.status).toBe(415);

    const authed = (token: string, path: string) =>
      fetch(`${base}/storage/v1/object/authenticated/studio-media/${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect((await authed(accessToken(stranger), `${stranger.id}/uploads/mine.png`)).status).toBe(200);
    expect((await authed(accessToken(agent), `${stranger.id}/uploads/mine.png`)).status).toBe(404);
    const pub = await fetch(`${base}/storage/v1/object/public/studio-media/${stranger.id}/uploads/mine.png`);
    expect([pub.status, pub.headers.get("content-type")]).toEqual([200, "image/png"]);
    await pub.arrayBuffer();
    expect((await fetch(`${base}/storage/v1/object/public/studio-media/${stranger.id}/uploads/none.png`)).status).toBe(404);

    const removed = await fetch(`${base}/storage/v1/object/studio-media`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${accessToken(stranger)}`, "content-type": "application/json" },
      body: JSON.stringify({ prefixes: [`${stranger.id}/uploads/mine.png`] }),
    });
    expect(removed.status).toBe(200);
    expect((await fetch(`${base}/storage/v1/object/public/studio-media/${stranger.id}/uploads/mine.png`)).status).toBe(404);
  });
});

describe("the ledger after all of it", () => {
  it("balances exactly", async () => {
    const { rows } = await db().query("select count(*)::int as n from private.credit_invariant_violations()");
    expect(rows[0].n).toBe(0);
  });
});
