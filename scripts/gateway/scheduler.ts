import { connect } from "../../functions/_shared/db.ts";
import { coalescedWakes } from "../../functions/_shared/worker.ts";

/**
 * Stand-in for pg_cron + pg_net on hosted Supabase: wakes the worker
 * function of each queue in public.job_queues every tick, and at once when
 * a job is enqueued (NOTIFY domus_jobs), by calling it as service_role.
 */
export function startScheduler(options: {
  dbUrl: string;
  tickMs: number;
  serviceRoleKey: string;
  call: (name: string, req: Request) => Promise<Response>;
  serves: (name: string) => boolean;
}): { stop: () => Promise<void> } {
  const sql = connect(options.dbUrl, 2);
  const warned = new Set<string>();
  const workers = new Map<string, string>();
  // One run per queue at a time; a NOTIFY during a run reruns it right after.
  const drainQueue = coalescedWakes(async (queue) => {
    const worker = workers.get(queue)!;
    try {
      const res = await options.call(worker, new Request(`http://local/functions/v1/${worker}`, {
        method: "POST",
        headers: { authorization: `Bearer ${options.serviceRoleKey}`, "content-type": "application/json" },
        body: JSON.stringify({ queue }),
      }));
      if (!res.ok) console.error(`scheduler: ${worker} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
      else await res.body?.cancel();
    } catch (error) {
      console.error(`scheduler: ${worker} failed:`, error);
    }
  });
  const wake = async (queue: string, worker: string) => {
    if (!options.serves(worker)) {
      if (!warned.has(worker)) console.error(`scheduler: queue ${queue}: worker function ${worker} is not served here`);
      warned.add(worker);
      return;
    }
    workers.set(queue, worker);
    await drainQueue(queue);
  };
  const tick = async (only?: string) => {
    try {
      const queues = await sql`select queue, worker_function from public.job_queues`;
      await Promise.all(queues.filter((q) => !only || q.queue === only).map((q) => wake(q.queue, q.worker_function)));
    } catch (error) {
      console.error("scheduler: cannot read job_queues:", (error as Error).message);
    }
  };
  const timer = setInterval(() => void tick(), options.tickMs);
  const listening = sql.listen("domus_jobs", (queue) => void tick(queue)).catch((error) => {
    console.error("scheduler: LISTEN failed:", error.message);
    return null;
  });
  return {
    stop: async () => {
      clearInterval(timer);
      await (await listening)?.unlisten();
      await sql.end();
    },
  };
}

