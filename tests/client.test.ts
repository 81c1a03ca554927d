// @domus/client at runtime: what it sends to the Data API, how it reports
// errors, that it refuses bad input before any request (naming the field),
// and its function calls against the real local gateway.
import { createDomusClient, DomusError } from "@domus/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asRequest, closeDb, createUser, userClaims } from "./support/db.ts";
import { stackEnv } from "./support/stack-env.ts";
import { recordingFetch } from "./support/recording-fetch.ts";
import { accessToken } from "./support/tokens.ts";

const env = stackEnv();
const REST = "http://rest.test";

afterAll(closeDb);

describe("accounts over the Data API", () => {
  it("creates a team account through the create_team_account RPC with the user's token", async () => {
    const account = { id: "4f7c2a7e-2a39-4b53-8d8e-8c1b4c3f0a01", name: "Acme", slug: "acme", account_type: "team" };
    const rec = recordingFetch(() => ({ status: 200, body: account }));
    const client = createDomusClient({ url: REST, anonKey: "anon-key", accessToken: "user-token", fetch: rec.fetch });

    const created = await client.accounts.createTeam({ name: "  Acme  ", slug: "acme" });

    expect(created).toEqual(account);
    expect(rec.requests).toHaveLength(1);
    const [req] = rec.requests;
    expect(req!.method).toBe("POST");
    expect(req!.url.pathname).toBe("/rest/v1/rpc/create_team_account");
    expect(req!.body).toEqual({ name: "Acme", slug: "acme" });
    expect(req!.headers.get("apikey")).toBe("anon-key");
    expect(req!.headers.get("authorization")).toBe("Bearer user-token");
  });

  it("changes a member's role with a filtered PATCH on account_memberships", async () => {
    const rec = recordingFetch(() => ({ status: 200, body: { account_id: "a", user_id: "u", role: "admin" } }));
    const client = createDomusClient({ url: REST, anonKey: "k", fetch: rec.fetch });
    const accountId = "4f7c2a7e-2a39-4b53-8d8e-8c1b4c3f0a01";
    const userId = "5a1d3c2b-1111-4222-8333-944455556666";

    await client.accounts.setMemberRole(accountId, userId, "admin");

    const [req] = rec.requests;
    expect(req!.method).toBe("PATCH");
    expect(req!.url.pathname).toBe("/rest/v1/account_memberships");
    expect(req!.url.searchParams.get("account_id")).toBe(`eq.${accountId}`);
    expect(req!.url.searchParams.get("user_id")).toBe(`eq.${userId}`);
    expect(req!.body).toEqual({ role: "admin" });
  });

  it("refuses bad input before sending anything, naming the field", async () => {
    const rec = recordingFetch(() => ({ status: 500, body: {} }));
    const client = createDomusClient({ url: REST, anonKey: "k", fetch: rec.fetch });

    await expect(client.accounts.createTeam({ name: "" })).rejects.toMatchObject({ status: 400, field: "name" });
    await expect(client.accounts.createTeam({ name: "Acme", slug: "Not A Slug" })).rejects.toMatchObject({ field: "slug" });
    await expect(client.accounts.invite({ accountId: "nope" })).rejects.toMatchObject({ field: "accountId" });
    await expect(client.accounts.acceptInvitation("short")).rejects.toBeInstanceOf(DomusError);
    expect(rec.requests).toHaveLength(0);
  });

  it("turns a Postgres permission error into a DomusError with its SQLSTATE and a 403", async () => {
    const rec = recordingFetch(() => ({
      status: 403,
      body: { code: "42501", message: "only an owner or admin of the account can invite", details: null, hint: null },
    }));
    const client = createDomusClient({ url: REST, anonKey: "k", fetch: rec.fetch });

    const error = await client.accounts
      .invite({ accountId: "4f7c2a7e-2a39-4b53-8d8e-8c1b4c3f0a01", role: "member" })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DomusError);
    expect(error).toMatchObject({ code: "42501", status: 403, message: "only an owner or admin of the account can invite" });
  });

  it("names the field from a database validation message", async () => {
    const rec = recordingFetch(() => ({ status: 400, body: { code: "22023", message: "slug: use 2 to 63 lowercase letters" } }));
    const client = createDomusClient({ url: REST, anonKey: "k", fetch: rec.fetch });
    await expect(client.accounts.createTeam({ name: "Acme" })).rejects.toMatchObject({ status: 400, field: "slug", code: "22023" });
  });
});

describe("functions through the client, against the local gateway", () => {
  let user: Awaited<ReturnType<typeof createUser>>;
  beforeAll(async () => {
    user = await createUser("client");
  });

  const clientFor = (token?: string) =>
    createDomusClient({
      url: env.functionsUrl.replace(/\/functions\/v1$/, ""),
      anonKey: env.anonKey,
      accessToken: token,
      functionsUrl: env.functionsUrl,
    });

  it("health() parses the contract", async () => {
    const health = await clientFor().functions.health();
    expect(health.status).toBe("ok");
  });

  it("me() returns the signed-in user's profile and accounts", async () => {
    const me = await clientFor(accessToken(user)).functions.me();
    expect(me.user.id).toBe(user.id);
    expect(me.accounts.map((a) => a.account_type)).toEqual(["personal"]);
  });

  it("me() after sign-out everywhere fails with a 401 DomusError", async () => {
    await asRequest(userClaims(user), (c) => c.query("select public.revoke_all_sessions()"), { commit: true });
    const error = await clientFor(accessToken(user)).functions.me().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomusError);
    expect(error).toMatchObject({ status: 401, code: "token_revoked" });
  });
});
