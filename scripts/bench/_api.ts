// Deno half of the "api" section of scripts/bench/reports.mjs: runs the api
// function's handler in-process on 8 concurrent connections, GET /schedules
// with the key verified (shape, checksum, SHA-256, one database call that
// counts and meters) and the same handler and route with authentication
// stubbed out (the store answers "valid" without the database). Prints JSON.
import { createHandler } from "../../functions/api/index.ts";
import { connect } from "../../functions/_shared/db.ts";
import { apiStore, type ApiStore } from "../../functions/_shared/reports/api/store.ts";

const url = Deno.env.get("SUPABASE_DB_URL")!;
const key = Deno.env.get("BENCH_API_KEY")!;
const accountId = Deno.env.get("BENCH_ACCOUNT_ID")!;
const keyId = Deno.env.get("BENCH_KEY_ID")!;
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

async function run(store: ApiStore, n: number) {
  const handler = createHandler({ store, signUrl: null });
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
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

await run(unauthenticated, 25); // warm-up: connections, JIT
await run(real, 25);
const withKey = await run(real, perConnection);
const without = await run(unauthenticated, perConnection);
await sql.end();
console.log(JSON.stringify({ with_key: withKey, without_auth: without }));
