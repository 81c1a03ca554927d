// The shared worker loop on a fake queue: the time budget, batch
// completion with lost leases, the concurrency cap, and the service-role
// gate. (The real queue's side of leases is in supabase/tests/301-*.)
import { coalescedWakes, drain, serviceRole, workerName } from "./worker.ts";
import { assert, assertEquals, signToken } from "./testing.ts";

function fakeQueue(n: number) {
  const queued = Array.from({ length: n }, (_, i) => i + 1);
  const claims: number[] = [];
  return {
    queued,
    claims,
    claim: (_worker: string, limit: number) => {
      claims.push(limit);
      return Promise.resolve(queued.splice(0, limit));
    },
  };
}

Deno.test("drain stops claiming once the time budget is used and says so; the rest stays queued", async () => {
  const q = fakeQueue(100);
  let clock = 0;
  const report = await drain({
    worker: "w",
    claim: q.claim,
    run: (job: number) => {
      clock += 10; // each job takes 10 ms of the budget
      return Promise.resolve({ outcome: job });
    },
    batchSize: 5,
    concurrency: 1,
    budgetMs: 100,
    now: () => clock,
  });
  assertEquals(report.stopped, "budget");
  assertEquals(report.claimed, 10, "two rounds of five fit in 100 ms");
  assertEquals(q.queued.length, 90, "nothing claimed that was not run");
});

Deno.test("drain empties the queue within budget, and max_jobs caps what it claims", async () => {
  const q = fakeQueue(7);
  const all = await drain({ worker: "w", claim: q.claim, run: (j: number) => Promise.resolve({ outcome: j }), batchSize: 3, budgetMs: 60_000 });
  assertEquals([all.stopped, all.claimed, all.rounds, all.outcomes], ["empty", 7, 3, [1, 2, 3, 4, 5, 6, 7]]);

  const q2 = fakeQueue(7);
  const capped = await drain({ worker: "w", claim: q2.claim, run: (j: number) => Promise.resolve({ outcome: j }), batchSize: 3, budgetMs: 60_000, maxJobs: 4 });
  assertEquals([capped.stopped, capped.claimed, q2.claims], ["max_jobs", 4, [3, 1]]);
});

Deno.test("one batch completion per round; a job whose lease was lost is reported lost", async () => {
  const q = fakeQueue(6);
  const batches: number[][] = [];
  const report = await drain({
    worker: "w",
    claim: q.claim,
    run: (job: number) => Promise.resolve({ outcome: `done ${job}`, complete: { id: job, result: { n: job } } }),
    completeBatch: (_worker, completions) => {
      batches.push(completions.map((c) => c.id));
      // job 2 was reclaimed by another worker: the database leaves it out
      return Promise.resolve(new Set(completions.map((c) => c.id).filter((id) => id !== 2)));
    },
    lost: (o) => `${o} (lease lost)`,
    batchSize: 3,
    budgetMs: 60_000,
  });
  assertEquals(batches, [[1, 2, 3], [4, 5, 6]], "one completion call per round, every job of it");
  assertEquals(report.outcomes, ["done 1", "done 2 (lease lost)", "done 3", "done 4", "done 5", "done 6"]);
});

Deno.test("no more jobs run at once than the concurrency allows", async () => {
  const q = fakeQueue(12);
  let running = 0;
  let peak = 0;
  await drain({
    worker: "w",
    claim: q.claim,
    run: async (job: number) => {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, 1));
      running--;
      return { outcome: job };
    },
    batchSize: 12,
    concurrency: 3,
    budgetMs: 60_000,
  });
  assertEquals(peak, 3);
});

Deno.test("only the service-role key drives a worker; each invocation has its own lease name", async () => {
  const secret = "worker-test-secret-with-32-characters!!";
  const exp = Math.floor(Date.now() / 1000) + 600;
  const req = (token?: string) => new Request("http://x", { headers: token ? { authorization: `Bearer ${token}` } : {} });
  assert(await serviceRole(req(await signToken({ role: "service_role", exp }, secret)), secret), "service role accepted");
  assertEquals(await serviceRole(req(await signToken({ role: "authenticated", sub: crypto.randomUUID(), exp }, secret)), secret), null);
  assertEquals(await serviceRole(req(await signToken({ role: "service_role", exp }, "another-secret-with-32-characters!!!!!")), secret), null);
  assertEquals(await serviceRole(req(), secret), null);
  assert(workerName("valuation") !== workerName("valuation"), "two invocations never share a lease name");
});

Deno.test("a wake that arrives while its worker runs is not dropped: the worker runs once more, right after", async () => {
  const runs: string[] = [];
  let release!: () => void;
  const wake = coalescedWakes(async (key) => {
    runs.push(key);
    if (runs.length === 1) await new Promise<void>((r) => (release = r));
  });
  const first = wake("homes.valuation");
  await Promise.resolve();
  // Three jobs enqueued while the first run is still going (NOTIFY each).
  void wake("homes.valuation");
  void wake("homes.valuation");
  const third = wake("homes.valuation");
  assertEquals(runs.length, 1, "never two runs of one queue at once");
  release();
  await first;
  await third;
  assertEquals(runs, ["homes.valuation", "homes.valuation"], "one rerun for the wakes that came during the run");
  await wake("homes.valuation");
  assertEquals(runs.length, 3, "an idle queue is woken at once");
});
