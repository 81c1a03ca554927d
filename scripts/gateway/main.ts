// The local gateway process started by `npm start` and `npm test`: functions
// (gateway.ts), Storage (storage.ts, with DOMUS_STORAGE_DIR) and the job
// scheduler (scheduler.ts, unless DOMUS_SCHEDULER_TICK_MS=0) on one port.
//
// Run: deno run -A --config functions/deno.json scripts/gateway/main.ts
import { trustedClientIpHeader } from "../../functions/_shared/client-address.ts";
import { connect } from "../../functions/_shared/db.ts";
import { readFunctionConfigs } from "./config.ts";
import { createGateway, loadFunctions } from "./gateway.ts";
import { startScheduler } from "./scheduler.ts";
import { createLocalStorage } from "./storage.ts";

const supabaseDir = new URL("../../supabase/", import.meta.url);

// Started with a pipe on stdin by the stack scripts: the pipe closes when
// they die, however they die, and then so do we (no orphaned gateway).
function exitWhenParentGoes() {
  (async () => {
    try {
      for await (const _ of Deno.stdin.readable) { /* nothing is sent; we only wait for EOF */ }
    } catch { /* closed */ }
    Deno.exit(0);
  })();
}

if (import.meta.main) {
  if (Deno.env.get("DOMUS_EXIT_WITH_STDIN") === "1") exitWhenParentGoes();
  const port = Number(Deno.env.get("PORT") ?? "54321");
  const jwtSecret = Deno.env.get("SUPABASE_JWT_SECRET");
  if (!jwtSecret) throw new Error("missing environment variable SUPABASE_JWT_SECRET");
  const configs = readFunctionConfigs(await Deno.readTextFile(new URL("config.toml", supabaseDir)));
  const functions = await loadFunctions(configs, supabaseDir);
  const tickMs = Number(Deno.env.get("DOMUS_SCHEDULER_TICK_MS") ?? "5000");
  const dbUrl = Deno.env.get("SUPABASE_DB_URL");
  const serviceRoleKey = Deno.env.get("SUPABASE_SERVICE_ROLE_KEY");
  const storageDir = Deno.env.get("DOMUS_STORAGE_DIR");
  const storage = storageDir && dbUrl
    ? createLocalStorage({ dir: storageDir.replace(/\/$/, ""), sql: connect(dbUrl, 16), jwtSecret })
    : undefined;
  const gateway = createGateway(functions, {
    jwtSecret,
    storage,
    stackToken: Deno.env.get("DOMUS_STACK_TOKEN") || undefined,
    clientIpHeader: trustedClientIpHeader(),
  });
  if (tickMs > 0 && dbUrl && serviceRoleKey) {
    startScheduler({ dbUrl, tickMs, serviceRoleKey, call: (_name, req) => gateway(req), serves: (name) => functions.has(name) });
  }
  Deno.serve(
    {
      port,
      hostname: "127.0.0.1",
      onListen: () => console.log(`functions listening on ${port}: ${[...functions.keys()].join(", ")}${storage ? `; storage in ${storageDir}` : ""}`),
    },
    gateway,
  );
}
