// Database access for tests, shaped like PostgREST's: each request is one
// transaction with `set local role` and `request.jwt.claims`, and the
// pre-request hook (private.check_request) runs first.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { stackEnv } from "./stack-env.ts";

let pool: pg.Pool | null = null;

export function db(): pg.Pool {
  pool ??= new pg.Pool({ connectionString: stackEnv().dbUrl, max: 10 });
  return pool;
}

export async function closeDb(): Promise<void> {
  await pool?.end();
  pool = null;
}

export interface Claims {
  sub?: string;
  role: "anon" | "authenticated" | "service_role";
  email?: string;
  session_id?: string;
  exp?: number;
}

/** Runs fn as PostgREST would for a request carrying these claims; rolls back unless commit is set. */
export async function asRequest<T>(claims: Claims, fn: (client: pg.PoolClient) => Promise<T>, { commit = false } = {}): Promise<T> {
  const client = await db().connect();
  try {
    await client.query("begin");
    await client.query("select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)", [
      claims.role,
      JSON.stringify(claims),
    ]);
    await client.query("select private.check_request()");
    const result = await fn(client);
    await client.query(commit ? "commit" : "rollback");
    return result;
  } catch (error) {
    await client.query("rollback").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** Creates a user the way GoTrue does (auth.users insert; the sign-up trigger does the rest). */
export async function createUser(label: string, metadata: Record<string, unknown> = {}): Promise<{ id: string; email: string; sessionId: string }> {
  const id = randomUUID();
  const sessionId = randomUUID();
  const email = `${label}-${id.slice(0, 8)}@test.domus.dev`;
  await db().query(
    `insert into auth.users (id, aud, role, email, raw_user_meta_data, email_confirmed_at)
     values ($1, 'authenticated', 'authenticated', $2, $3, now())`,
    [id, email, JSON.stringify({ full_name: label, ...metadata })],
  );
  await db().query("insert into auth.sessions (id, user_id) values ($1, $2)", [sessionId, id]);
  return { id, email, sessionId };
}

export function userClaims(user: { id: string; email: string; sessionId: string }): Claims {
  return { sub: user.id, role: "authenticated", email: user.email, session_id: user.sessionId, exp: Math.floor(Date.now() / 1000) + 3600 };
}
