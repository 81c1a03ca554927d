// Local stand-in for Supabase's edge runtime gateway (no Docker here).
// Serves every function declared in supabase/config.toml under
// /functions/v1/<name>, verifying the JWT (HS256, local secret) unless the
// function sets verify_jwt = false — as the hosted gateway does. Each
// function's entrypoint exports build(), the handler made from the
// environment; its own Deno.serve runs only under import.meta.main.
//
// Run: deno run -A --config functions/deno.json scripts/serve-functions.ts
import { connect } from "../functions/_shared/db.ts";
import { bearerToken, JwtError, verifyJwt } from "../functions/_shared/jwt.ts";

interface FunctionConfig {
  name: string;
  verifyJwt: boolean;
  entrypoint: string;
}

const supabaseDir = new URL("../supabase/", import.meta.url);

export function readFunctionConfigs(toml: string): FunctionConfig[] {
  const configs: FunctionConfig[] = [];
  let current: FunctionConfig | null = null;
  for (const rawLine of toml.split("\n")) {
    const line = rawLine.replace(/#.*$/, "").trim();
    if (!line) continue;
    const section = /^\[functions\.([A-Za-z0-9_-]+)\]$/.exec(line);
    if (section) {
      current = { name: section[1], verifyJwt: true, entrypoint: `./functions/${section[1]}/index.ts` };
      configs.push(current);
      continue;
    }
    if (line.startsWith("[")) {
      current = null;
      continue;
    }
    if (!current) continue;
    const kv = /^([a-z_]+)\s*=\s*(.+)$/.exec(line);
    if (!kv) continue;
    const value = kv[2].trim().replace(/^"(.*)"$/, "$1");
    if (kv[1] === "verify_jwt") current.verifyJwt = value === "true";
    if (kv[1] === "entrypoint") current.entrypoint = value;
  }
  return configs;
}

type Handler = (req: Request, info?: Deno.ServeHandlerInfo) => Promise<Response> | Response;

function gatewayError(status: number, message: string): Response {
  return new Response(JSON.stringify({ code: status, message }), {
    status,
    headers: { "content-type": "application/json", "access-control-allow-origin": "*" },
  });
}

export async function loadFunctions(toml: string): Promise<Map<string, { config: FunctionConfig; handler: Handler }>> {
  const loaded = new Map<string, { config: FunctionConfig; handler: Handler }>();
  for (const config of readFunctionConfigs(toml)) {
    const mod = await import(new URL(config.entrypoint, supabaseDir).href);
    if (typeof mod.build !== "function") throw new Error(`${config.name}: entrypoint does not export build()`);
    loaded.set(config.name, { config, handler: mod.build() });
  }
  return loaded;
}

export function createGateway(functions: Map<string, { config: FunctionConfig; handler: Handler }>, jwtSecret: string) {
  return async (req: Request, info?: Deno.ServeHandlerInfo): Promise<Response> => {
    const url = new URL(req.url);
    const match = /^\/functions\/v1\/([A-Za-z0-9_-]+)(\/.*)?$/.exec(url.pathname);
    if (!match) return gatewayError(404, "not found: functions live under /functions/v1/<name>");
    const fn = functions.get(match[1]);
    if (!fn) return gatewayError(404, `function ${match[1]} not found`);
    if (fn.config.verifyJwt && req.method !== "OPTIONS") {
      const token = bearerToken(req);
      if (!token) return gatewayError(401, "Missing authorization header");
      try {
        await verifyJwt(token, jwtSecret);
      } catch (error) {
        return gatewayError(401, error instanceof JwtError ? `Invalid JWT: ${error.message}` : "Invalid JWT");
      }
    }
    try {
      return await fn.handler(req, info);
    } catch (error) {
      console.error(`${fn.config.name}:`, error);
      return gatewayError(500, "function crashed; see the stack log");
    }
  };
}

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
  const running = new Set<string>();
  const warned = new Set<string>();
  const wake = async (queue: string, worker: string) => {
    if (!options.serves(worker)) {
      if (!warned.has(worker)) console.error(`scheduler: queue ${queue}: worker function ${worker} is not served here`);
      warned.add(worker);
      return;
    }
    if (running.has(queue)) return;
    running.add(queue);
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
    } finally {
      running.delete(queue);
    }
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

if (import.meta.main) {
  const port = Number(Deno.env.get("PORT") ?? "54321");
  const jwtSecret = Deno.env.get("SUPABASE_JWT_SECRET");
  if (!jwtSecret) throw new Error("missing environment variable SUPABASE_JWT_SECRET");
  const toml = await Deno.readTextFile(new URL("config.toml", supabaseDir));
  const functions = await loadFunctions(toml);
  const tickMs = Number(Deno.env.get("DOMUS_SCHEDULER_TICK_MS") ?? "5000");
  const dbUrl = Deno.env.get("SUPABASE_DB_URL");
  const serviceRoleKey = Deno.env.get("SUPABASE_SERVICE_ROLE_KEY");
  if (tickMs > 0 && dbUrl && serviceRoleKey) {
    const gateway = createGateway(functions, jwtSecret);
    startScheduler({ dbUrl, tickMs, serviceRoleKey, call: (_name, req) => gateway(req), serves: (name) => functions.has(name) });
  }
  Deno.serve({ port, hostname: "127.0.0.1", onListen: () => console.log(`functions listening on ${port}: ${[...functions.keys()].join(", ")}`) }, createGateway(functions, jwtSecret));
}
