// Two (and many) schedule dispatchers at once (issue 12, Schedules: "each at
// most once per due time even with overlapping dispatchers"). The
// dispatcher takes due schedules FOR UPDATE SKIP LOCKED and a run's
// (schedule_id, due_at) is unique, so:
//   * "interleaved": the first dispatcher holds the schedules (uncommitted);
//     a second one started meanwhile skips them and starts nothing of ours;
//     after both commit every schedule ran exactly once;
//   * "raced": eight dispatchers fired at once with the same clock, twice
//     (two due times), schedules of four accounts: exactly one run per
//     schedule per due time, each with its report (none lost to a deadlock).
// The clock is moved by passing p_now (the schedules' next due time + 1 min).
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, createUser, db } from "./support/db.ts";
import { stackEnv } from "./support/stack-env.ts";

const createdSchedules: string[] = [];
afterAll(async () => {
  await db().query("delete from reports.schedules where id = any($1)", [createdSchedules]);
  await closeDb();
});

async function connect(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: stackEnv().dbUrl });
  await client.connect();
  return client;
}

/**
 * `n` daily schedules spread over `accounts` fresh accounts allowed plenty of
 * reports (several accounts: each report holds its account's usage counter
 * lock, which is where overlapping dispatchers once deadlocked); returns
 * their ids and a clock just past all their due times.
 */
async function schedules(n: number, tag: string, accounts = 1): Promise<{ ids: string[]; clock: string }> {
  const owners = [];
  for (let a = 0; a < accounts; a++) owners.push(await createUser(`dispatch-${tag}-${a}`));
  await db().query("update public.accounts set monthly_report_limit_override = 10000 where id = any($1)", [owners.map((o) => o.id)]);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const owner = owners[i % owners.length]!;
    const { rows: [s] } = await db().query(
      `insert into reports.schedules (account_id, city, cadence, send_hour, send_minute, recipients, time_zone)
       values ($1, 'Springfield', 'daily', $2, $3, array['race@example.com'], 'UTC') returning id`,
      [owner.id, i % 24, (i * 7) % 60],
    );
    ids.push(s.id);
  }
  createdSchedules.push(...ids);
  const { rows: [c] } = await db().query("select (max(next_run_at) + interval '1 minute')::text as clock from reports.schedules where id = any($1)", [ids]);
  return { ids, clock: c.clock };
}

async function runsPerSchedule(ids: string[]): Promise<number[]> {
  const { rows } = await db().query(
    `select s.id, count(r.id)::int as n from reports.schedules s left join reports.schedule_runs r on r.schedule_id = s.id
     where s.id = any($1) group by s.id order by s.id`,
    [ids],
  );
  return rows.map((r) => r.n);
}

describe("reports schedule dispatcher under overlap", () => {
  it("interleaved: a dispatcher started while another holds the schedules skips them; each runs once", async () => {
    const { ids, clock } = await schedules(6, "interleaved");
    const a = await connect();
    const b = await connect();
    try {
      await a.query("begin");
      await a.query("select private.reports_dispatch_due_schedules($1::timestamptz)", [clock]);
      await b.query("begin");
      await b.query("select private.reports_dispatch_due_schedules($1::timestamptz)", [clock]);
      const { rows: [seen] } = await b.query("select count(*)::int as n from reports.schedule_runs where schedule_id = any($1)", [ids]);
      expect(seen.n, "b started none of ours (a holds them, uncommitted)").toBe(0);
      await b.query("commit");
      await a.query("commit");
    } finally {
      await a.end();
      await b.end();
    }
    expect(await runsPerSchedule(ids)).toEqual(ids.map(() => 1));
    const { rows } = await db().query("select count(*)::int as n from reports.schedules where id = any($1) and next_run_at > $2::timestamptz", [ids, clock]);
    expect(rows[0].n, "every next_run_at moved past the clock").toBe(ids.length);
  });

  it("raced: eight dispatchers at once, two due times: one run per schedule per due time, each with its report", async () => {
    const { ids, clock } = await schedules(12, "raced", 4);
    const clients = await Promise.all(Array.from({ length: 8 }, connect));
    try {
      for (const at of [clock, null]) {
        const now = at ?? (await db().query("select (max(next_run_at) + interval '1 minute')::text as c from reports.schedules where id = any($1)", [ids])).rows[0].c;
        await Promise.all(clients.map((c) => c.query("select private.reports_dispatch_due_schedules($1::timestamptz)", [now])));
      }
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
    expect(await runsPerSchedule(ids)).toEqual(ids.map(() => 2));
    const { rows: [dupes] } = await db().query(
      "select count(*)::int as n from (select schedule_id, due_at from reports.schedule_runs where schedule_id = any($1) group by 1, 2 having count(*) > 1) d",
      [ids],
    );
    expect(dupes.n).toBe(0);
    const { rows: [reports] } = await db().query(
      "select count(distinct r.report_run_id)::int as n, count(*)::int as runs from reports.schedule_runs r where r.schedule_id = any($1)",
      [ids],
    );
    expect(reports.n, "each run created its own report").toBe(reports.runs);
  });
});
