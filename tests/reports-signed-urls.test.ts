// Signed URLs on the local stack's Storage (scripts/gateway/storage.ts), as
// the report-generate function uses them for the private `reports` bucket:
// the service role signs, the URL reads the object without any key until
// it expires; a tampered, foreign or expired token reads nothing; nobody
// but the service role reads or signs a reports object directly.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, createUser } from "./support/db.ts";
import { stackEnv } from "./support/stack-env.ts";
import { accessToken, signToken } from "./support/tokens.ts";

const env = stackEnv();
const storage = `${env.functionsUrl.replace(/\/functions\/v1$/, "")}/storage/v1`;
const service = { authorization: `Bearer ${env.serviceRoleKey}`, apikey: env.serviceRoleKey };
const account = crypto.randomUUID();
const name = `${account}/${crypto.randomUUID()}/report.csv`;
const other = `${account}/${crypto.randomUUID()}/report.csv`;
const body = "metric,value\r\nmedian_sale_price,412000\r\n";

async function sign(path: string, headers: Record<string, string>, expiresIn: unknown = 60) {
  return await fetch(`${storage}/object/sign/reports/${path}`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify({ expiresIn }),
  });
}

beforeAll(async () => {
  for (const [path, text] of [[name, body], [other, "other"]]) {
    const res = await fetch(`${storage}/object/reports/${path}`, { method: "POST", headers: { ...service, "content-type": "text/csv" }, body: text });
    expect(res.status, await res.clone().text()).toBe(200);
  }
});
afterAll(closeDb);

describe("reports bucket: signed URLs", () => {
  it("the service role signs; the URL reads the object with no key at all", async () => {
    const res = await sign(name, service);
    expect(res.status).toBe(200);
    const { signedURL } = await res.json() as { signedURL: string };
    expect(signedURL).toMatch(new RegExp(`^/object/sign/reports/${name}\\?token=[\\w-]+\\.[\\w-]+\\.[\\w-]+$`));
    const read = await fetch(`${storage}${signedURL}`);
    expect([read.status, read.headers.get("content-type"), await read.text()]).toEqual([200, "text/csv", body]);
  });

  it("a tampered token is refused: a changed signature, or a payload moved to another object", async () => {
    const { signedURL } = await (await sign(name, service)).json() as { signedURL: string };
    const token = new URL(signedURL, "http://x").searchParams.get("token")!;
    const [head, payload, sig] = token.split(".");
    const flipped = `${head}.${payload}.${sig!.slice(0, -2)}${sig!.endsWith("AA") ? "BB" : "AA"}`;
    const bad = await fetch(`${storage}/object/sign/reports/${name}?token=${flipped}`);
    expect([bad.status, (await bad.json()).error]).toEqual([400, "InvalidJWT"]);
    const moved = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, "base64url").toString()), url: `reports/${other}` })).toString("base64url");
    expect((await fetch(`${storage}/object/sign/reports/${other}?token=${head}.${moved}.${sig}`)).status).toBe(400);
    // A genuine token used on another object's path.
    expect((await fetch(`${storage}/object/sign/reports/${other}?token=${token}`)).status).toBe(400);
    expect((await fetch(`${storage}/object/sign/reports/${name}`)).status).toBe(400);
  });

  it("an expired token, or one without an expiry, is refused even though its signature is good", async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = signToken({ url: `reports/${name}`, iat: now - 120, exp: now - 60 });
    const res = await fetch(`${storage}/object/sign/reports/${name}?token=${expired}`);
    expect([res.status, (await res.json()).message]).toEqual([400, "signed URL: token expired"]);
    const forever = signToken({ url: `reports/${name}`, iat: now });
    expect((await fetch(`${storage}/object/sign/reports/${name}?token=${forever}`)).status).toBe(400);
    const fresh = signToken({ url: `reports/${name}`, iat: now, exp: now + 60 });
    expect((await fetch(`${storage}/object/sign/reports/${name}?token=${fresh}`)).status).toBe(200);
  });

  it("no API role reads or signs a reports object directly; bad lifetimes and missing objects are refused", async () => {
    const member = await createUser("reports-sign");
    const user = { authorization: `Bearer ${accessToken(member)}`, apikey: env.anonKey };
    expect((await sign(name, user)).status).toBe(404);
    expect((await sign(name, { apikey: env.anonKey })).status).toBe(404);
    expect((await fetch(`${storage}/object/authenticated/reports/${name}`, { headers: user })).status).toBe(404);
    expect((await fetch(`${storage}/object/public/reports/${name}`)).status).toBe(404);
    expect((await fetch(`${storage}/object/reports/${account}/x/report.pdf`, { method: "POST", headers: { ...user, "content-type": "application/pdf" }, body: "%PDF" })).status).toBe(403);
    for (const expiresIn of [0, -5, 1.5, "60", 604_801]) expect((await sign(name, service, expiresIn)).status).toBe(400);
    expect((await sign(`${account}/missing/report.csv`, service)).status).toBe(404);
  });
});
