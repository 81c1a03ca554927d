// Deno half of the "rendering" section of scripts/bench/reports.mjs: the
// report-generate function's handler in-process, called the way pg_cron and
// the gateway call it (POST {"queue": "reports.render"} with the
// service-role key), one freshly requested market report per call, so each
// call is one report end to end: claim, begin, statistics in SQL, branding,
// HTML, JSON, CSV and PDF rendered and uploaded to Storage (the gateway's own
// local Storage code, in-process, files on disk), completion, job settled.
// The store and the storage are wrapped to time the statistics query, the
// other database calls and the uploads; rendering is what is left. rss is
// sampled every 5 ms and after every wrapped call (a PDF is synchronous
// work, so the timer alone could miss its peak). Prints JSON.
import { createHandler } from "../../functions/report-generate/index.ts";
import { connect } from "../../functions/_shared/db.ts";
import { reportsStore, type ReportsStore } from "../../functions/_shared/reports/store.ts";
import { supabaseStorage, type Storage } from "../../functions/_shared/storage.ts";
import { renderMarketCsv } from "../../functions/_shared/reports/render/csv.ts";
import { renderMarketHtml } from "../../functions/_shared/reports/render/market-html.ts";
import { renderMarketJson } from "../../functions/_shared/reports/render/market-json.ts";
import { renderMarketPdf } from "../../functions/_shared/reports/render/market-pdf.ts";
import { type MarketStats, NO_AGENT, NO_BRANDING, type ReportMeta } from "../../functions/_shared/reports/render/types.ts";
import { createLocalStorage } from "../gateway/storage.ts";

const env = (name: string) => {
  const v = Deno.env.get(name);
  if (!v) throw new Error(`missing ${name}`);
  return v;
};
const url = env("SUPABASE_DB_URL");
const jwtSecret = env("SUPABASE_JWT_SECRET");
const serviceRoleKey = env("SUPABASE_SERVICE_ROLE_KEY");
const storageDir = env("BENCH_STORAGE_DIR");
const accountId = env("BENCH_ACCOUNT_ID");
const params = JSON.parse(env("BENCH_PARAMS"));
const rounds = Number(env("BENCH_ROUNDS"));
const WARMUP = 2;

let peakRss = 0;
const sample = () => {
  const rss = Deno.memoryUsage().rss;
  if (rss > peakRss) peakRss = rss;
};
const sampler = setInterval(sample, 5);

const sql = connect(url, 6);
const local = createLocalStorage({ dir: storageDir, sql: connect(url, 4), jwtSecret });
const storage: Storage = supabaseStorage({
  url: "http://storage.local",
  serviceRoleKey,
  fetch: ((input: string | URL | Request, init?: RequestInit) => local(new Request(input, init))) as typeof fetch,
});

const clock = { statistics: 0, database: 0, storage: 0 };
const timed = <T extends object>(target: T, bucket: (name: string) => keyof typeof clock): T =>
  new Proxy(target, {
    get(obj, name, receiver) {
      const value = Reflect.get(obj, name, receiver);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        const t = performance.now();
        try {
          return await value.apply(obj, args);
        } finally {
          clock[bucket(String(name))] += (performance.now() - t) / 1000;
          sample();
        }
      };
    },
  });

let lastStats: MarketStats | null = null;
const realStore = reportsStore(sql);
const store: ReportsStore = timed({
  ...realStore,
  marketStats: async (p) => (lastStats = await realStore.marketStats(p)),
}, (name) => (name === "marketStats" ? "statistics" : "database"));

const handler = createHandler({
  jwtSecret,
  revocationReason: () => Promise.resolve(null),
  store,
  storage: timed(storage, () => "storage"),
  landingUrl: (code) => `http://local/r/${code}`,
  signedUrlSeconds: 300,
  maxMs: 60_000,
  batchSize: 1,
});

// A personal account: its id is its owner's user id.
const userId = accountId;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

sample();
const idleRss = Deno.memoryUsage().rss;
const runs: Array<{ seconds: number; statistics: number; database: number; storage: number }> = [];
const reportIds: string[] = [];
const failures: unknown[] = [];
for (let i = 0; i < WARMUP + rounds; i++) {
  const [{ id }] = await sql`
    select private.reports_create_generation(${accountId}::uuid, ${userId}::uuid,
           ${JSON.stringify({ ...params, idempotency_key: `bench-render-${i}-${crypto.randomUUID()}` })}::text::jsonb, 'market') as id`;
  clock.statistics = clock.database = clock.storage = 0;
  const t = performance.now();
  const res = await handler(new Request("http://local/functions/v1/report-generate", {
    method: "POST",
    headers: { authorization: `Bearer ${serviceRoleKey}`, "content-type": "application/json" },
    body: JSON.stringify({ queue: "reports.render", batchSize: 1 }),
  }));
  const body = await res.json();
  const seconds = (performance.now() - t) / 1000;
  sample();
  const outcome = body.jobs?.[0];
  if (res.status !== 200 || body.claimed !== 1 || outcome?.report_id !== id || outcome?.outcome !== "completed") failures.push({ status: res.status, body });
  if (i >= WARMUP) {
    runs.push({ seconds, ...clock });
    reportIds.push(id);
  }
}

// Each renderer alone on the last report's statistics (same document, same meta).
const meta: ReportMeta = { report_id: reportIds[0] ?? crypto.randomUUID(), title: "Market report", generated_at: new Date().toISOString(), branding: NO_BRANDING, agent: NO_AGENT };
const formats: Record<string, { ms_median: number; bytes: number }> = {};
if (lastStats) {
  const stats = lastStats;
  const { branding, agent } = await realStore.brandingFor(accountId, userId);
  Object.assign(meta, { branding, agent });
  const renderers: Record<string, () => Promise<Uint8Array | string> | Uint8Array | string> = {
    html: () => renderMarketHtml(stats, meta),
    json: () => renderMarketJson(stats, meta),
    csv: () => renderMarketCsv(stats, meta),
    pdf: () => renderMarketPdf(stats, meta),
  };
  for (const [format, render] of Object.entries(renderers)) {
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < rounds; i++) {
      const t = performance.now();
      const out = await render();
      times.push(performance.now() - t);
      bytes = typeof out === "string" ? new TextEncoder().encode(out).byteLength : out.byteLength;
      sample();
    }
    formats[format] = { ms_median: Number(median(times).toFixed(2)), bytes };
  }
}
clearInterval(sampler);
await sql.end();

const secs = runs.map((r) => r.seconds);
const total = secs.reduce((a, b) => a + b, 0);
const sum = (k: "statistics" | "database" | "storage") => runs.reduce((a, r) => a + r[k], 0);
const mb = (b: number) => Number((b / 1024 / 1024).toFixed(1));
console.log(JSON.stringify({
  report_ids: reportIds,
  failures,
  closed_sales: lastStats ? (lastStats as unknown as { closed_sales: number }).closed_sales : null,
  seconds_median: Number(median(secs).toFixed(4)),
  seconds_p95: Number(pct(secs, 95).toFixed(4)),
  seconds_max: Number(Math.max(...secs).toFixed(4)),
  statistics_seconds_median: Number(median(runs.map((r) => r.statistics)).toFixed(4)),
  sql_share: Number((sum("statistics") / total).toFixed(3)),
  rendering_share: Number((1 - sum("statistics") / total).toFixed(3)),
  rendering_breakdown_share: {
    render_cpu: Number(((total - sum("statistics") - sum("database") - sum("storage")) / total).toFixed(3)),
    storage_upload: Number((sum("storage") / total).toFixed(3)),
    other_database_calls: Number((sum("database") / total).toFixed(3)),
  },
  formats,
  rss_idle_mb: mb(idleRss),
  peak_memory_mb: mb(peakRss),
}));
