// The status a function's caller sees for each database error, through the
// shared contract (packages/contracts/src/errors.ts): every SQLSTATE raised in
// the real database, answered by withErrors + pgCall as a function answers it.
// The last test reads the live function bodies so a new code gets a row here.
import { withErrors } from "./http.ts";
import { pgCall } from "./pg-errors.ts";
import { assert, assertEquals, closeTestSql, dbTest, testSql } from "./testing.ts";

/** Answers a request by running `query` in the database, as a function does. */
function answering(query: string) {
  return withErrors(async () => {
    await pgCall(() => testSql().unsafe(query));
    return new Response("unreachable", { status: 200 });
  });
}

async function answer(query: string): Promise<{ status: number; error: { code: string; message: string; field?: string } }> {
  const originalError = console.error;
  console.error = () => {}; // the 500s are logged on purpose
  try {
    const res = await answering(query)(new Request("http://functions.test/x", { method: "POST" }));
    return { status: res.status, error: (await res.json()).error };
  } finally {
    console.error = originalError;
  }
}

const raise = (code: string, message = "listing_id: refused", extra = "") =>
  `do $$ begin raise sqlstate '${code}' using message = '${message}'${extra}; end $$`;

// [SQLSTATE, status the caller sees, error name]
const EXPECTED: Array<[string, number, string]> = [
  ["PT409", 409, "invalid_state"],
  ["PT402", 402, "payment_required"],
  ["PT404", 404, "not_found"],
  ["PT429", 429, "rate_limited"],
  ["42501", 403, "forbidden"],
  ["22023", 400, "invalid_request"],
  ["23505", 409, "conflict"],
  ["23503", 409, "conflict"],
  ["23514", 400, "invalid_request"],
  ["P0001", 400, "invalid_request"],
  // Codes of before the move to PTnnn, still read right during the change-over.
  ["55000", 409, "invalid_state"],
  ["DM402", 402, "payment_required"],
  ["P0002", 404, "not_found"],
];

dbTest("each SQLSTATE our SQL raises answers its status, name, message and field", async () => {
  for (const [code, status, name] of EXPECTED) {
    const res = await answer(raise(code));
    assertEquals([res.status, res.error.code, res.error.message, res.error.field], [status, name, "listing_id: refused", "listing_id"], code);
  }
});

dbTest("a PGRST raise answers the status of its detail", async () => {
  const res = await answer(raise("PGRST", "token: revoked", `, detail = '{"status": 401, "headers": {}}'`));
  assertEquals([res.status, res.error.code], [401, "unauthorized"]);
});

dbTest("bad text that still reaches the database (22021, 22P05, 22P02) is a 400, not a 500", async () => {
  const nul = await answer(`select convert_from('\\x610062'::bytea, 'UTF8')`);
  assertEquals([nul.status, nul.error.code], [400, "invalid_request"], "22021 NUL in text");
  const escape = await answer(`select '"a\\u0000b"'::jsonb ->> 0`);
  assertEquals([escape.status, escape.error.code], [400, "invalid_request"], "22P05 unsupported escape");
  const number = await answer(`select 'twelve'::int`);
  assertEquals([number.status, number.error.code], [400, "invalid_request"], "22P02 bad number");
});

dbTest("a serialization failure or deadlock is a retryable 503; our own bugs stay a logged 500", async () => {
  for (const code of ["40001", "40P01"]) {
    const res = await answer(raise(code));
    assertEquals([res.status, res.error.code], [503, "unavailable"], code);
  }
  for (const code of ["XX000", "42883"]) {
    const res = await answer(code === "42883" ? "select private.no_such_function()" : raise(code));
    assert(code === "42883" ? res.status === 404 : res.status === 500, `${code}: ${res.status}`);
  }
});

dbTest("every SQLSTATE written in a live function body is one the table above covers", async () => {
  const rows = await testSql()`
    select distinct m[1] as code
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace,
         regexp_matches(p.prosrc, '(?:errcode\\s*=\\s*|raise\\s+sqlstate\\s+)''([0-9A-Z]{5})''', 'gi') m
    where n.nspname = 'private' or n.nspname in (select schema_name from public.products)`;
  const covered = new Set([...EXPECTED.map(([code]) => code), "PGRST"]);
  const missing = rows.map((r) => r.code as string).filter((code) => !covered.has(code));
  assertEquals(missing, [], "SQLSTATEs raised but not asserted here");
  assert(rows.some((r) => r.code === "PT409") && rows.some((r) => r.code === "PT402"), "the live bodies raise PT409 and PT402");
});

Deno.test({ name: "close the test pool (pg-errors)", sanitizeOps: false, sanitizeResources: false, fn: closeTestSql });
