// Studio benchmark: the AI job pipeline end to end on the local provider.
// Writes bench/results/studio.json.
//
// 10,000 photo edits (qwen, 4 credits each, a real 64x48 PNG "enhance" per
// job) are started through private.studio_start_project from 8 connections
// over 100 funded accounts (price, hold, project, AI job and queue row in one
// transaction each). Then 4 concurrent ai-jobs workers drain the queue, each
// invocation looping claim (SKIP LOCKED) -> local provider -> PNG upload to
// Storage (the gateway's disk-backed stand-in) -> one settling database call.
// The headline run gives each worker its own gateway process, as the edge
// runtime gives each invocation its own isolate; a second run puts the same
// 4 workers in one process (one event loop for all).
//
// Checked per run: no job ran twice (every AI job claimed exactly once, one
// media item, one Storage object and one capture per job, no id reported by
// two workers), and the ledger balances exactly (credit_invariant_violations()
// empty, every account down by exactly 4 credits per job, nothing held).
// Baseline in the same run: the bare queue (claim_jobs + complete_job, no
// work) drained by 4 connections, for the pipeline's overhead.
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { freePort, startFunctions, stopProcess } from "../lib/stack.mjs";
import { closeAll, connections, createUsers, hammer, round } from "./_lib.mjs";

const JOBS = Number(process.env.STUDIO_BENCH_JOBS ?? 10_000);
const ACCOUNTS = 100;
const STARTERS = 8;
const WORKERS = 4;
const PRICE = 4; // photo_edit on qwen (supabase/seed.sql)
const INPUT = { style: "enhance", width: 64, height: 48 };

export const description = "Studio AI job pipeline: 10,000 local photo edits drained by 4 concurrent ai-jobs workers; exactly-once and ledger checks";

export default async function studio({ url, cluster, step, functions }) {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  // Storage goes in the throwaway cluster's directory when this benchmark
  // starts the gateway; benchmark files are removed afterwards either way.
  process.env.DOMUS_STORAGE_DIR ??= join(cluster.dir, "storage");
  let gateway;
  try {
    gateway = await functions();
  } catch (error) {
    await admin.end();
    return { skipped: true, reason: `the functions gateway did not start: ${error.message.split("\n")[0]}` };
  }
  const storageDir = gateway.env.DOMUS_STORAGE_DIR;
  const run = randomUUID().slice(0, 8);
  const extra = [];
  const allAccounts = [];
  try {
    const baseline = await queueBaseline(admin, url, step, run);

    step(`studio: ${WORKERS - 1} more gateway processes, so each worker has its own (as edge isolates do)`);
    for (let i = 1; i < WORKERS; i++) {
      extra.push(await startFunctions({ dbUrl: url, port: await freePort(), schedulerTickMs: 0, storageDir }));
    }
    const separate = await pipelineRun({ admin, url, step, run, label: "separate", endpoints: [gateway, ...extra], allAccounts });
    const shared = await pipelineRun({ admin, url, step, run, label: "shared", endpoints: Array(WORKERS).fill(gateway), allAccounts });

    return {
      jobs: JOBS,
      workers: WORKERS,
      provider: "local (no provider keys)",
      job: "photo_edit qwen, 64x48 PNG enhance, 4 credits",
      jobs_per_s: separate.drain.jobs_per_s,
      no_job_ran_twice: separate.no_job_ran_twice.ok && shared.no_job_ran_twice.ok,
      ledger_exact: separate.ledger.ok && shared.ledger.ok,
      workers_in_separate_processes: separate,
      workers_in_one_process: shared,
      baseline_bare_queue: baseline,
      pipeline_vs_bare_queue_ratio: round(separate.drain.jobs_per_s / baseline.jobs_per_s, 3),
      ok: separate.ok && shared.ok,
    };
  } finally {
    for (const g of extra) await stopProcess(g.child);
    for (const a of allAccounts) rmSync(join(storageDir, "studio-media", a), { recursive: true, force: true });
    await admin.end();
  }
}

async function pipelineRun({ admin, url, step, run, label, endpoints, allAccounts }) {
  step(`studio (${label}): ${ACCOUNTS} accounts funded for ${Math.ceil(JOBS / ACCOUNTS)} photo edits each`);
  const accounts = await createUsers(admin, ACCOUNTS, `bench-studio-${label}`);
  allAccounts.push(...accounts);
  await admin.query(
    "select private.credit_apply(a, 'credits', $2, 'grant', 'bench-studio-fund') from unnest($1::uuid[]) as a",
    [accounts, Math.ceil(JOBS / ACCOUNTS) * PRICE + 100],
  );
  // The seed's 50 welcome credits, which the first project grants anyway (same ledger key), counted up front.
  await admin.query(
    "select private.credit_apply(a, 'credits', 50, 'grant', 'studio-welcome', 'Studio welcome credits') from unnest($1::uuid[]) as a",
    [accounts],
  );
  const before = await balances(admin, accounts);

  step(`studio (${label}): starting ${JOBS} photo edits from ${STARTERS} connections`);
  const starters = await connections(url, STARTERS);
  const perStarter = Math.ceil(JOBS / STARTERS);
  const starts = await hammer(starters, perStarter, (client, index, i) => {
    const n = index * perStarter + i;
    if (n >= JOBS) return Promise.resolve();
    return client.query({
      name: "bench-studio-start",
      text: "select private.studio_start_project($1, $1, 'photo_edit', $2, 'qwen', null, $3::jsonb, $4)",
      values: [accounts[n % ACCOUNTS], `Bench edit ${n}`, JSON.stringify(INPUT), `bench-${run}-${label}-${n}`],
    });
  });
  await closeAll(starters);
  await admin.query("analyze studio.projects; analyze studio.ai_jobs; analyze public.jobs; analyze public.credit_reservations; analyze public.credit_balances");
  const afterStart = await balances(admin, accounts);

  step(`studio (${label}): ${WORKERS} concurrent ai-jobs workers drain the queue`);
  const started = process.hrtime.bigint();
  const responses = await Promise.all(endpoints.map(async (g) => {
    const all = [];
    // An invocation drains until the queue is empty (or its time budget ends: then call again).
    for (;;) {
      const res = await fetch(`${g.url}/ai-jobs`, {
        method: "POST",
        headers: { authorization: `Bearer ${g.env.SUPABASE_SERVICE_ROLE_KEY}`, "content-type": "application/json" },
        body: JSON.stringify({ queue: "studio.ai_job", batchSize: 4, maxMs: 600_000 }),
      });
      if (res.status !== 200) throw new Error(`ai-jobs answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
      const body = await res.json();
      all.push(body);
      if (body.claimed === 0) return all;
    }
  }));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;

  const reported = responses.flat().flatMap((r) => r.jobs);
  const count = (key) => reported.reduce((acc, j) => ({ ...acc, [j[key] ?? "?"]: (acc[j[key] ?? "?"] ?? 0) + 1 }), {});
  const phases = {};
  for (const r of responses.flat()) for (const [k, v] of Object.entries(r.phases ?? {})) phases[k] = (phases[k] ?? 0) + v;

  step(`studio (${label}): checking exactly-once and the ledger`);
  const { rows: [jobs] } = await admin.query(
    `select count(*)::int as ai_jobs,
            count(*) filter (where j.status = 'completed')::int as completed,
            count(*) filter (where j.attempts = 1)::int as claimed_once,
            coalesce(sum(j.attempts), 0)::int as claims,
            count(*) filter (where q.status = 'succeeded' and q.attempts = 1)::int as queue_succeeded_first_try,
            percentile_cont(0.5) within group (order by j.latency_ms)::int as latency_p50_ms,
            percentile_cont(0.95) within group (order by j.latency_ms)::int as latency_p95_ms
     from studio.ai_jobs j join public.jobs q on q.id = j.queue_job_id
     where j.account_id = any($1)`,
    [accounts],
  );
  const { rows: [media] } = await admin.query(
    `select count(*)::int as items, count(distinct m.ai_job_id)::int as distinct_jobs, coalesce(sum(m.file_size), 0)::bigint as bytes,
            count(o.id)::int as storage_objects
     from studio.media_items m left join storage.objects o on o.bucket_id = 'studio-media' and o.name = m.storage_path
     where m.account_id = any($1)`,
    [accounts],
  );
  const { rows: [holds] } = await admin.query(
    `select count(*) filter (where r.status = 'captured')::int as captured,
            count(*) filter (where r.status = 'held')::int as still_held,
            (select count(*)::int from public.credit_transactions t where t.account_id = any($1) and t.type = 'usage') as usage_rows,
            (select count(*)::int from (select t.reservation_id from public.credit_transactions t
                                       where t.account_id = any($1) and t.reservation_id is not null
                                       group by t.reservation_id having count(*) > 1) d) as double_captures
     from public.credit_reservations r where r.account_id = any($1) and r.purpose = 'studio.photo_edit'`,
    [accounts],
  );
  const { rows: [projects] } = await admin.query(
    "select count(*) filter (where status = 'completed')::int as completed from studio.projects where account_id = any($1)",
    [accounts],
  );
  const after = await balances(admin, accounts);
  const violations = Number((await admin.query("select count(*)::int as n from private.credit_invariant_violations()")).rows[0].n);
  const expectedFor = (i) => (Math.floor(JOBS / ACCOUNTS) + (i < JOBS % ACCOUNTS ? 1 : 0)) * PRICE;
  const wrongAccounts = accounts.filter((a, i) => before.get(a).balance - after.get(a).balance !== expectedFor(i) || after.get(a).held !== 0).length;

  const reportedIds = reported.map((j) => j.aiJobId);
  const noJobTwice = {
    jobs_started: starts.ok,
    jobs_reported_by_workers: reportedIds.length,
    distinct_jobs_reported: new Set(reportedIds).size,
    ai_jobs_claimed_exactly_once: jobs.claimed_once,
    total_claims: jobs.claims,
    queue_rows_succeeded_first_try: jobs.queue_succeeded_first_try,
    media_items: media.items,
    media_distinct_jobs: media.distinct_jobs,
    storage_objects: media.storage_objects,
  };
  noJobTwice.ok = starts.ok === STARTERS * perStarter && reportedIds.length === JOBS && noJobTwice.distinct_jobs_reported === JOBS &&
    jobs.ai_jobs === JOBS && jobs.claimed_once === JOBS && jobs.claims === JOBS && jobs.queue_succeeded_first_try === JOBS &&
    media.items === JOBS && media.distinct_jobs === JOBS && media.storage_objects === JOBS;

  const spent = accounts.reduce((n, a) => n + before.get(a).balance - after.get(a).balance, 0);
  const heldAfterStart = accounts.reduce((n, a) => n + afterStart.get(a).held, 0);
  const ledger = {
    invariant_violations: violations,
    credits_held_after_start: heldAfterStart,
    credits_spent: spent,
    credits_expected: JOBS * PRICE,
    holds_captured: holds.captured,
    holds_still_held: holds.still_held,
    usage_rows: holds.usage_rows,
    double_captures: holds.double_captures,
    accounts_off_by_any_credit: wrongAccounts,
  };
  ledger.ok = violations === 0 && spent === JOBS * PRICE && heldAfterStart === JOBS * PRICE && holds.captured === JOBS &&
    holds.still_held === 0 && holds.usage_rows === JOBS && holds.double_captures === 0 && wrongAccounts === 0;

  return {
    start: { connections: STARTERS, seconds: round(starts.seconds, 3), starts_per_s: round(JOBS / starts.seconds), errors: starts.errors },
    drain: {
      seconds: round(seconds, 3),
      jobs_per_s: round(JOBS / seconds),
      per_worker_claimed: responses.map((rs) => rs.reduce((n, r) => n + r.claimed, 0)),
      outcomes: count("outcome"),
      modes: count("mode"),
      projects_completed: projects.completed,
      // Summed over jobs; jobs of one batch overlap, so these add up to more than the wall time.
      time_per_job_ms: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k.replace(/_ms$/, ""), round(v / JOBS, 2)])),
      provider_latency_p50_ms: jobs.latency_p50_ms,
      provider_latency_p95_ms: jobs.latency_p95_ms,
      media_bytes: Number(media.bytes),
    },
    no_job_ran_twice: noJobTwice,
    ledger,
    ok: noJobTwice.ok && ledger.ok && projects.completed === JOBS,
  };
}

async function balances(admin, accounts) {
  const { rows } = await admin.query(
    "select account_id, balance, held from public.credit_balances where account_id = any($1) and pool = 'credits'",
    [accounts],
  );
  return new Map(rows.map((r) => [r.account_id, { balance: r.balance, held: r.held }]));
}

/** The bare queue: JOBS no-op jobs drained by 4 connections with claim_jobs + complete_job. */
async function queueBaseline(admin, url, step, run) {
  step(`baseline: ${JOBS} no-op jobs on queue bench.noop drained by ${WORKERS} connections`);
  await admin.query("insert into public.job_queues (queue, worker_function, batch_size) values ('bench.noop', 'none', 4) on conflict do nothing");
  await admin.query("select count(*) from (select private.enqueue_job('bench.noop', jsonb_build_object('n', g), null, $1 || g) from generate_series(1, $2::int) g) s", [`noop-${run}-`, JOBS]);
  const clients = await connections(url, WORKERS);
  const started = process.hrtime.bigint();
  let done = 0;
  await Promise.all(clients.map(async (client, i) => {
    const worker = `noop-${i}`;
    for (;;) {
      const { rows } = await client.query("select id from private.claim_jobs('bench.noop', $1, 4)", [worker]);
      if (!rows.length) return;
      for (const r of rows) await client.query("select private.complete_job($1, $2, null)", [r.id, worker]);
      done += rows.length;
    }
  }));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await closeAll(clients);
  const { rows: [q] } = await admin.query("select count(*) filter (where status = 'succeeded' and attempts = 1)::int as once from public.jobs where queue = 'bench.noop'");
  return { jobs: done, seconds: round(seconds, 3), jobs_per_s: round(done / seconds), succeeded_first_try: q.once };
}
