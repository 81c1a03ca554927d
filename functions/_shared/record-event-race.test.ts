// Audit: two deliveries of one failed event at once. The first has the row
// and sets it back to 'received' (to apply it again); the second, whose
// insert already found the event recorded, must wait for it and then see the
// event in progress, not apply it too.
// Before 20261201008000_billing_record_event_lock.sql the second read the
// stale 'failed' and also answered should_apply = true.
import { billingStore } from "./billing/store.ts";
import { connect } from "./db.ts";
import { assertEquals, closeTestSql, DB_URL, dbTest, testSql } from "./testing.ts";

/** Until some session waits on a lock held by `holderPid` (no sleeping a guessed time). */
async function waitUntilBlockedBy(sql: ReturnType<typeof testSql>, holderPid: number) {
  for (;;) {
    const [row] = await sql`select count(*)::int as n from pg_stat_activity where ${holderPid}::int = any (pg_blocking_pids(pid))`;
    if (row.n > 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

dbTest("a redelivery of a failed event while another delivery is re-applying it is answered in progress", async () => {
  const sql = testSql();
  const store = billingStore(sql);
  const eventId = `evt_race_${crypto.randomUUID()}`;
  const input = { provider: "stripe" as const, eventId, eventType: "audit.race", payload: {}, signatureValid: true };
  const first = await store.recordEvent(input);
  await store.finishEvent(first.id, "failed", "audit: failed once");

  const holder = connect(DB_URL!, 1);
  const other = connect(DB_URL!, 1);
  try {
    let second: Promise<{ should_apply: boolean; outcome: string }[]> | null = null;
    await holder.begin(async (tx) => {
      // The first redelivery (or a replay, billing_begin_replay) has found the
      // row and is about to set it back to 'received'; the second arrives now,
      // after its own insert found the event already recorded.
      const [{ pid }] = await tx`select pg_backend_pid() as pid`;
      await tx`select 1 from public.billing_events where id = ${first.id} for no key update`;
      second = other`select should_apply, outcome from private.billing_record_event('stripe', ${eventId}, 'audit.race', '{}'::jsonb, true)`;
      second.catch(() => {});
      await waitUntilBlockedBy(sql, pid);
      await tx`update public.billing_events set status = 'received', received_at = now() where id = ${first.id}`;
    });
    const [row] = await second!;
    assertEquals([row.should_apply, row.outcome], [false, "in_progress"], "the concurrent redelivery must not apply it too");
  } finally {
    await holder.end();
    await other.end();
  }
});

dbTest("close the pool", async () => {
  await closeTestSql();
});
