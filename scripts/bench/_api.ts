// Deno half of the "api" section of scripts/bench/reports.mjs: runs the api
// function's handler in-process on 8 concurrent connections, GET /schedules
// with the key verified (shape, checksum, SHA-256, one database call that
// counts and meters) and the same handler and route with authentication
// stubbed out (the store answers "valid" without the database). Verified
// twice: one key shared by all 8 connections (one rate-limit window row and
// one usage counter: the contention case) and 8 keys of 8 accounts, one per
// connection (the verification cost itself). Prints JSON.
import { createHandler } from "../../functions/api/index.ts";
import { connect } from "../../functions/_shared/db.ts";
import { apiStore, type ApiStore } from "../../functions/_shared/reports/api/store.ts";

const url = Deno.env.get("SUPABASE_DB_URL")!;
const keys = JSON.parse(Deno.env.get("BENCH_KEYS")!) as Array<{ key: string; id: string; account_id: string }>;
const shared = JSON.parse(Deno.env.get("BENCH_SHARED_KEY")!) as { key: string; id: string; account_id: string };
const accountId = shared.account_id;
const keyId = shared.id;
const perConnection = Number(Deno.env.get("BENCH_REQUESTS") ?? "400");
const CONNECTIONS = 8;

const sql = connect(url, CONNECTIONS);
const real = apiStore(sql);
const unauthenticated: ApiStore = {
  ...real,
  authenticate: () => Promise.resolve({ status: "valid", account_id: accountId, key_id: keyId, retry_after_seconds: null }),
};

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

async function run(store: ApiStore, n: number, keyOf: (connection: number) => string) {
  const handler = createHandler({ store, signUrl: null });
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, async (_, c) => {
    const key = keyOf(c);
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const res = await handler(new Request("http://local/functions/v1/api/schedules", { headers: { authorization: `Bearer ${key}` } }));
      await res.arrayBuffer();
      latencies.push(performance.now() - t);
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  return {
    requests: latencies.length,
    statuses,
    requests_per_second: Math.round(latencies.length / seconds),
    p50_ms: Number(pct(latencies, 50).toFixed(2)),
    p99_ms: Number(pct(latencies, 99).toFixed(2)),
  };
}

const one = () => shared.key;
const own = (c: number) => keys[c % keys.length].key;
await run(unauthenticated, 25, one); // warm-up: connections, JIT
await run(real, 25, one);
await run(real, 25, own);
// Phase lines let the caller attribute its pg_stat_activity samples.
const phase = (name: string) => console.log(JSON.stringify({ phase: name }));
phase("one_key");
const oneKey = await run(real, perConnection, one);
phase("eight_keys");
const eightKeys = await run(real, perConnection, own);
phase("without_auth");
const without = await run(unauthenticated, perConnection, one);
phase("done");
await sql.end();
console.log(JSON.stringify({ one_key: oneKey, eight_keys: eightKeys, without_auth: without }));
