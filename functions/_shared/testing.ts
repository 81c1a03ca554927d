// Helpers for the functions' Deno tests: assertions, a database pool on
// SUPABASE_DB_URL (migrations, seed and demo data applied by npm test),
// fresh users, user access tokens, and the credit-ledger invariant.
import { connect, type Sql } from "./db.ts";

export function assertEquals(actual: unknown, expected: unknown, msg = "") {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${msg} expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

export function assert(cond: unknown, msg: string) {
  if (!cond) throw new Error(msg);
}

export const DB_URL = Deno.env.get("SUPABASE_DB_URL");

let pool: Sql | null = null;
export const testSql = (): Sql => (pool ??= connect(DB_URL!, 4));
export async function closeTestSql() {
  await pool?.end();
  pool = null;
}

/** A test that uses the shared pool (which keeps sockets and timers between tests). */
export const dbTest = (name: string, fn: () => Promise<void>) =>
  Deno.test({ name, ignore: !DB_URL, sanitizeOps: false, sanitizeResources: false, fn });

/** A fresh user; the sign-up trigger gives them a personal account with the same id. */
export async function newUser(label = "test"): Promise<{ id: string; email: string }> {
  const id = crypto.randomUUID();
  const email = `${label}-${id.slice(0, 8)}@test.domus.dev`;
  await testSql()`
    insert into auth.users (id, aud, role, email, raw_user_meta_data, email_confirmed_at)
    values (${id}, 'authenticated', 'authenticated', ${email}, ${JSON.stringify({ full_name: label })}::text::jsonb, now())`;
  return { id, email };
}

export async function ledgerViolations(): Promise<number> {
  const [row] = await testSql()`select count(*)::int as n from private.credit_invariant_violations()`;
  return row.n;
}

const b64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/** An HS256 access token shaped like Supabase Auth's. */
export async function signToken(payload: Record<string, unknown>, secret: string): Promise<string> {
  const enc = (v: unknown) => b64url(new TextEncoder().encode(JSON.stringify(v)));
  const data = `${enc({ alg: "HS256", typ: "JWT" })}.${enc(payload)}`;
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return `${data}.${b64url(new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(data))))}`;
}

export function userToken(user: { id: string; email: string }, secret: string): Promise<string> {
  return signToken({ sub: user.id, email: user.email, role: "authenticated", session_id: crypto.randomUUID(), exp: Math.floor(Date.now() / 1000) + 600 }, secret);
}
