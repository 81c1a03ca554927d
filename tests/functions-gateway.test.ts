// The local functions gateway and the `me` / `health` functions, over HTTP:
// JWT verification as Supabase's gateway does it, and revocation and
// suspension honoured by the functions themselves.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asRequest, closeDb, createUser, db, userClaims } from "./support/db.ts";
import { stackEnv } from "./support/stack-env.ts";
import { accessToken, signToken } from "./support/tokens.ts";

const env = stackEnv();
const call = (name: string, init: RequestInit = {}) => fetch(`${env.functionsUrl}/${name}`, init);
const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });

let user: Awaited<ReturnType<typeof createUser>>;

beforeAll(async () => {
  user = await createUser("gateway");
});
afterAll(closeDb);

describe("health", () => {
  it("answers without a token and reports the database up", async () => {
    const res = await call("health");
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ status: "ok", database: "up" });
    expect(Date.parse(body.time)).not.toBeNaN();
  });

  it("refuses other methods with 405", async () => {
    const res = await call("health", { method: "POST" });
    expect(res.status).toBe(405);
    expect((await res.json()).error.message).toMatch(/method/);
  });
});

describe("gateway JWT verification (verify_jwt = true)", () => {
  it("refuses a request without Authorization", async () => {
    const res = await call("me");
    expect(res.status).toBe(401);
    expect((await res.json()).message).toBe("Missing authorization header");
  });

  it("refuses a token signed with another secret", async () => {
    const forged = signToken({ sub: user.id, role: "authenticated", exp: Date.now() / 1000 + 60 }, "x".repeat(40));
    const res = await call("me", bearer(forged));
    expect(res.status).toBe(401);
    expect((await res.json()).message).toMatch(/invalid signature/);
  });

  it("refuses an expired token", async () => {
    const res = await call("me", bearer(accessToken(user, -60)));
    expect(res.status).toBe(401);
    expect((await res.json()).message).toMatch(/expired/);
  });

  it("answers 404 for an unknown function", async () => {
    const res = await call("no-such-function");
    expect(res.status).toBe(404);
  });
});

describe("me", () => {
  it("returns the caller's profile and personal account", async () => {
    const res = await call("me", bearer(accessToken(user)));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.user).toMatchObject({ id: user.id, email: user.email, account_status: "active", is_platform_admin: false });
    expect(body.accounts).toEqual([
      expect.objectContaining({ id: user.id, account_type: "personal", role: "owner" }),
    ]);
  });

  it("refuses the anon key: a project key is not a user", async () => {
    const res = await call("me", bearer(env.anonKey));
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe("user_token_required");
  });

  it("refuses a session after it was revoked, but not the user's other sessions", async () => {
    const other = await createUser("gateway-revoked");
    const second = { ...other, sessionId: crypto.randomUUID() };
    await db().query("insert into auth.sessions (id, user_id) values ($1, $2)", [second.sessionId, other.id]);
    expect((await call("me", bearer(accessToken(other)))).status).toBe(200);

    await asRequest(userClaims(other), (c) => c.query("select public.revoke_session()"), { commit: true });

    const refused = await call("me", bearer(accessToken(other)));
    expect(refused.status).toBe(401);
    expect((await refused.json()).error).toMatchObject({ code: "token_revoked", message: "authorization: session revoked" });
    expect((await call("me", bearer(accessToken(second)))).status).toBe(200);
  });

  it("refuses a suspended user", async () => {
    const suspended = await createUser("gateway-suspended");
    await db().query("update public.profiles set account_status = 'suspended' where id = $1", [suspended.id]);
    const res = await call("me", bearer(accessToken(suspended)));
    expect(res.status).toBe(401);
    expect((await res.json()).error.message).toMatch(/account suspended/);
  });
});
