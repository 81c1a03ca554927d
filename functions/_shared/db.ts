// Database access for functions. Hosted Supabase gives every function
// SUPABASE_DB_URL; the local stack sets the same variable. Queries made on a
// user's behalf run inside asUser(), which sets the role and JWT claims the
// way PostgREST does, so RLS applies to functions as it does to the Data API.
import postgres from "postgres";
import type { Claims } from "./jwt.ts";

export type Sql = postgres.Sql;
export type Tx = postgres.TransactionSql;

export function connect(url: string, max = 5): Sql {
  return postgres(url, { max, idle_timeout: 20, prepare: false, onnotice: () => {} });
}

export async function asUser<T>(sql: Sql, claims: Claims, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return await sql.begin(async (tx) => {
    await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
    return await fn(tx);
  }) as T;
}

export async function revocationReason(sql: Sql, claims: Claims): Promise<string | null> {
  const [row] = await sql`select private.request_is_revoked(${JSON.stringify(claims)}::text::jsonb) as reason`;
  return row?.reason ?? null;
}
