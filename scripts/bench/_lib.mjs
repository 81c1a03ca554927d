// Shared helpers for the benchmarks in scripts/bench/*.mjs (files starting
// with "_" are not benchmarks).
import { randomUUID } from "node:crypto";
import pg from "pg";

/** Opens n connections; `setup` SQL runs once on each (e.g. `set role service_role`). */
export async function connections(url, n, setup = null) {
  const clients = [];
  for (let i = 0; i < n; i++) {
    const client = new pg.Client({ connectionString: url, application_name: `domus-bench-${i}` });
    await client.connect();
    if (setup) await client.query(setup);
    clients.push(client);
  }
  return clients;
}

export async function closeAll(clients) {
  await Promise.all(clients.map((c) => c.end().catch(() => {})));
}

/** Runs `work(client, index, i)` `perClient` times on every client at once; returns seconds and errors by SQLSTATE. */
export async function hammer(clients, perClient, work) {
  const errors = {};
  let ok = 0;
  const started = process.hrtime.bigint();
  await Promise.all(clients.map(async (client, index) => {
    for (let i = 0; i < perClient; i++) {
      try {
        await work(client, index, i);
        ok++;
      } catch (error) {
        const code = error.code ?? "client";
        errors[code] = (errors[code] ?? 0) + 1;
        if (!error.code) throw error;
      }
    }
  }));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seconds, ok, errors };
}

/** A deterministic spread of work over `size` targets (same sequence for every run and every contender). */
export function spread(index, i, size) {
  let x = (index + 1) * 2_654_435_761 + i * 40_503;
  x ^= x >>> 13;
  return Math.abs(x) % size;
}

/** Creates users the way GoTrue does; the sign-up trigger gives each a personal account with the user's id. */
export async function createUsers(client, n, label) {
  const ids = Array.from({ length: n }, () => randomUUID());
  await client.query(
    `insert into auth.users (id, aud, role, email, raw_user_meta_data, email_confirmed_at)
     select id, 'authenticated', 'authenticated', $2 || '-' || left(id::text, 8) || '@bench.domus.dev',
            jsonb_build_object('full_name', $2), now()
     from unnest($1::uuid[]) as id`,
    [ids, label],
  );
  return ids;
}

export const round = (x, digits = 1) => Number(x.toFixed(digits));

export const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** request.jwt.claims of a signed-in user, as PostgREST sets them. */
export const claimsFor = (user) => JSON.stringify({ sub: user, role: "authenticated", aud: "authenticated" });

function planNodes(node, out = []) {
  out.push(node);
  for (const child of node.Plans ?? []) planNodes(child, out);
  return out;
}

// The chain a row goes up from the first scan: InitPlans and SubPlans hang
// off a node as children too, but they are not above or below it (their
// Result nodes once read as "two extra nodes above the Sort"); they are
// counted on the node that owns them instead.
function planChain(node, out = []) {
  const children = node.Plans ?? [];
  const side = children.filter((c) => /^(InitPlan|SubPlan)$/.test(c["Parent Relationship"] ?? ""));
  out.push({ node, side: side.length });
  for (const child of children) if (!side.includes(child)) planChain(child, out);
  return out;
}

const nodeName = (n) => n["Node Type"] + (n["Index Name"] ? ` using ${n["Index Name"]}` : "") + (n["Relation Name"] ? ` on ${n["Relation Name"]}` : "");

/** What an EXPLAIN (FORMAT JSON) plan reads: its indexes, sequential scans, sorts and top nodes. */
export function planSummary(plan) {
  const nodes = planNodes(plan[0].Plan);
  const scans = nodes.filter((n) => /Scan/.test(n["Node Type"]) && n["Relation Name"]);
  const seq = scans.filter((n) => n["Node Type"] === "Seq Scan").map((n) => n["Relation Name"]);
  const indexes = [...new Set(nodes.filter((n) => n["Index Name"]).map((n) => n["Index Name"]))];
  return {
    uses_index: indexes.length > 0 && seq.length === 0,
    sorts: nodes.filter((n) => n["Node Type"] === "Sort" || n["Node Type"] === "Incremental Sort").length,
    indexes,
    seq_scans: seq,
    top: planChain(plan[0].Plan).slice(0, 6).map(({ node, side }) => nodeName(node) + (side ? ` (+${side} InitPlan/SubPlan)` : "")),
  };
}

const ANON_CLAIMS = JSON.stringify({ role: "anon" });

/** Who a query runs as under RLS: anon, or the signed-in `user` (role authenticated + claims). */
export const requester = (user = null) => (user
  ? { role: "authenticated", claims: claimsFor(user) }
  : { role: "anon", claims: ANON_CLAIMS });

async function asRequester(client, who) {
  await client.query("select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)", [who.role, who.claims]);
}

const sum = (xs) => xs.reduce((s, x) => s + x, 0);

/**
 * Times one query under RLS against the same query as the table owner, the
 * one loop every "RLS vs owner" benchmark uses.
 *
 * `build(i)` gives round i's [sql, params]; `who(i)` gives round i's
 * requester (see requester()). Both sides run the same SQL text with the same
 * parameters in round i, each in its own transaction the way PostgREST runs a
 * request (role and claims set local on the RLS side, untimed; only the query
 * itself is timed, on both sides). `warmup` untimed rounds first, then
 * `rounds` rounds, alternating which side goes first so caches favour
 * neither. Rows are compared by `rowKey` in order. Plans: EXPLAIN of round 1
 * on both sides.
 *
 * Returns medians and their ratio (sub-millisecond queries: a few runs hit by
 * GC or autovacuum move the mean, so the headline is medians), means and
 * their ratio, whether both sides returned the same rows, rows per query,
 * and both plans summarised (planSummary).
 */
export async function compareUnderRls({ rls, owner, build, who, rounds, warmup, rowKey = (r) => r.id ?? r.user_id }) {
  const run = async (client, i, underRls) => {
    const [sql, params] = build(i);
    await client.query("begin");
    try {
      if (underRls) await asRequester(client, who(i));
      const t = process.hrtime.bigint();
      const r = await client.query(sql, params);
      const ns = Number(process.hrtime.bigint() - t);
      return { ns, rows: r.rowCount, sig: r.rows.map(rowKey).join() };
    } finally {
      await client.query("commit");
    }
  };
  for (let i = 0; i < warmup; i++) {
    await run(rls, i, true);
    await run(owner, i, false);
  }
  const rlsRuns = [];
  const ownerRuns = [];
  let rlsRows = 0;
  let ownerRows = 0;
  let sameRows = true;
  for (let i = 0; i < rounds; i++) {
    const rlsFirst = i % 2 === 0;
    const a = rlsFirst ? await run(rls, i, true) : null;
    const b = await run(owner, i, false);
    const c = rlsFirst ? a : await run(rls, i, true);
    rlsRuns.push(c.ns);
    ownerRuns.push(b.ns);
    rlsRows += c.rows;
    ownerRows += b.rows;
    if (c.sig !== b.sig) sameRows = false;
  }
  const explain = async (client, underRls) => {
    const [sql, params] = build(1);
    await client.query("begin");
    try {
      if (underRls) await asRequester(client, who(1));
      const { rows: [explained] } = await client.query(`explain (format json) ${sql}`, params);
      return planSummary(explained["QUERY PLAN"]);
    } finally {
      await client.query("commit");
    }
  };
  const rlsPlan = await explain(rls, true);
  const ownerPlan = await explain(owner, false);
  return {
    rls_ms_median: round(median(rlsRuns) / 1e6, 3),
    owner_ms_median: round(median(ownerRuns) / 1e6, 3),
    rls_vs_owner_ratio: round(median(rlsRuns) / median(ownerRuns), 3),
    rls_ms_avg: round(sum(rlsRuns) / rounds / 1e6, 3),
    owner_ms_avg: round(sum(ownerRuns) / rounds / 1e6, 3),
    rls_vs_owner_mean_ratio: round(sum(rlsRuns) / sum(ownerRuns), 3),
    same_rows: sameRows && rlsRows === ownerRows,
    rows_per_query: round(rlsRows / rounds, 1),
    plan_uses_index: rlsPlan.uses_index && ownerPlan.uses_index,
    plan_sorts: rlsPlan.sorts + ownerPlan.sorts,
    plan_indexes: rlsPlan.indexes,
    plan_seq_scans: [...rlsPlan.seq_scans, ...ownerPlan.seq_scans],
    plan_top_rls: rlsPlan.top,
    plan_top_owner: ownerPlan.top,
  };
}

/**
 * What a set of compareUnderRls results says against the goal: the worst
 * ratio, whether it meets the goal, and whether every plan used an index and
 * both sides returned the same rows (the fields each RLS benchmark reports).
 */
export function rlsVerdict(measured, goalRatio) {
  const results = Object.values(measured);
  const worst = Math.max(...results.map((q) => q.rls_vs_owner_ratio));
  return {
    worst_rls_vs_owner_ratio: round(worst, 3),
    meets_goal: worst <= goalRatio,
    every_plan_uses_an_index: results.every((q) => q.plan_uses_index),
    same_rows: results.every((q) => q.same_rows),
  };
}
