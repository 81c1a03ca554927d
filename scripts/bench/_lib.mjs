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
    top: nodes.slice(0, 6).map((n) => n["Node Type"] + (n["Index Name"] ? ` using ${n["Index Name"]}` : "") + (n["Relation Name"] ? ` on ${n["Relation Name"]}` : "")),
  };
}
