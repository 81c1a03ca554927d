// The me handler without a server: real HS256 tokens, injected revocation
// check and profile loader.
import type { MeResponse } from "@domus/contracts/me.ts";
import type { Claims } from "../_shared/jwt.ts";
import { createHandler } from "./index.ts";
import { assertEquals, signToken } from "../_shared/testing.ts";

const SECRET = "test-secret-with-at-least-32-characters!!";


const sign = (payload: Record<string, unknown>, secret = SECRET) => signToken(payload, secret);

const USER = "7d4f0c1e-1b2a-4c3d-8e9f-0a1b2c3d4e5f";
const me: MeResponse = {
  user: { id: USER, email: "a@b.c", full_name: "A", account_status: "active", is_platform_admin: false },
  accounts: [{ id: USER, name: "A", slug: "u-a", account_type: "personal", role: "owner" }],
};

function handler(revoked: string | null = null, seen: Claims[] = []) {
  return createHandler({
    jwtSecret: SECRET,
    revocationReason: (claims) => {
      seen.push(claims);
      return Promise.resolve(revoked);
    },
    loadMe: (claims) => Promise.resolve(claims.sub === USER ? me : null),
  });
}

const get = (token?: string) =>
  new Request("http://x/me", { headers: token ? { authorization: `Bearer ${token}` } : {} });
const exp = () => Math.floor(Date.now() / 1000) + 600;

Deno.test("me returns the caller's profile for a valid user token", async () => {
  const seen: Claims[] = [];
  const res = await handler(null, seen)(get(await sign({ sub: USER, role: "authenticated", session_id: "s1", exp: exp() })));
  assertEquals(res.status, 200);
  assertEquals(await res.json(), me);
  assertEquals(seen[0]?.session_id, "s1", "the revocation check sees the session");
});

Deno.test("me refuses missing, forged and expired tokens with 401 naming authorization", async () => {
  const cases = [
    get(),
    get(await sign({ sub: USER, role: "authenticated", exp: exp() }, "another-secret-of-sufficient-length!!")),
    get(await sign({ sub: USER, role: "authenticated", exp: 1 })),
  ];
  for (const req of cases) {
    const res = await handler()(req);
    assertEquals(res.status, 401);
    assertEquals((await res.json()).error.field, "authorization");
  }
});

Deno.test("me refuses a revoked session and a non-user key", async () => {
  const revoked = await handler("session revoked")(get(await sign({ sub: USER, role: "authenticated", exp: exp() })));
  assertEquals(revoked.status, 401);
  assertEquals((await revoked.json()).error.code, "token_revoked");
  const anon = await handler()(get(await sign({ role: "anon", exp: exp() })));
  assertEquals((await anon.json()).error.code, "user_token_required");
});

Deno.test("me answers 404 when the user has no profile", async () => {
  const res = await handler()(get(await sign({ sub: "00000000-0000-4000-8000-000000000000", role: "authenticated", exp: exp() })));
  assertEquals(res.status, 404);
});
