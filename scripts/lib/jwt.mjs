// HS256 JWTs shaped like the ones Supabase Auth issues, signed with the local
// JWT secret, so the database and the functions see the same claims they
// would in production.
import { createHmac, randomUUID } from "node:crypto";

// Supabase's well-known local development secret: never used outside a local stack.
export const LOCAL_JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";

const b64url = (value) => Buffer.from(value).toString("base64url");

export function signJwt(payload, secret = LOCAL_JWT_SECRET) {
  const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = b64url(JSON.stringify(payload));
  const signature = createHmac("sha256", secret).update(`${header}.${body}`).digest("base64url");
  return `${header}.${body}.${signature}`;
}

/** The project API keys: role-only tokens valid for ten years, like Supabase's local ones. */
export function apiKey(role, secret = LOCAL_JWT_SECRET) {
  const iat = 1_700_000_000;
  return signJwt({ iss: "supabase-demo", role, iat, exp: iat + 10 * 365 * 24 * 3600 }, secret);
}

/** An access token for a user, as GoTrue issues one after sign-in. */
/** `issuer` is the stack's Auth URL: it names the port actually used. */
export function userToken({ sub, email, sessionId = randomUUID(), ttlSeconds = 3600, secret = LOCAL_JWT_SECRET, issuer = "http://127.0.0.1:54321/auth/v1" }) {
  const iat = Math.floor(Date.now() / 1000);
  return signJwt(
    {
      iss: issuer,
      aud: "authenticated",
      role: "authenticated",
      sub,
      email,
      session_id: sessionId,
      aal: "aal1",
      amr: [{ method: "password", timestamp: iat }],
      app_metadata: { provider: "email", providers: ["email"] },
      user_metadata: {},
      is_anonymous: false,
      iat,
      exp: iat + ttlSeconds,
    },
    secret,
  );
}
