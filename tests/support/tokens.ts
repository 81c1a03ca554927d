import { createHmac } from "node:crypto";
import { stackEnv } from "./stack-env.ts";

export function signToken(payload: Record<string, unknown>, secret = stackEnv().jwtSecret): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const head = enc({ alg: "HS256", typ: "JWT" });
  const body = enc(payload);
  const sig = createHmac("sha256", secret).update(`${head}.${body}`).digest("base64url");
  return `${head}.${body}.${sig}`;
}

export function accessToken(user: { id: string; email: string; sessionId: string }, ttlSeconds = 3600): string {
  const now = Math.floor(Date.now() / 1000);
  return signToken({ sub: user.id, email: user.email, role: "authenticated", aud: "authenticated", session_id: user.sessionId, iat: now, exp: now + ttlSeconds });
}
