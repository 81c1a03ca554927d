// POST /functions/v1/quicksell-ai — the QuickSell AI worker (the service-role
// key, body {"queue": "quicksell.ai"}), woken by pg_cron (hosted), the local
// gateway on every enqueue and tick, or tests. Sellers ask for AI help with
// the RPC quicksell.request_ai(listing, kind), which checks the right, pays
// (plan allowance, else credits, else 402) and enqueues; this drains it.
// Description provider: OpenAI when OPENAI_API_KEY is set, else the local
// template writer (mode "local"). Price estimates and photo analysis are
// always local (comparables in SQL, pixels here).
import { connect } from "../_shared/db.ts";
import { requireEnv } from "../_shared/env.ts";
import { errorResponse, withErrors } from "../_shared/http.ts";
import { describerFromEnv } from "../_shared/quicksell/describe.ts";
import { mediaStore } from "../_shared/quicksell/store-media.ts";
import { supabaseStorage } from "../_shared/storage.ts";
import { serviceRole } from "../_shared/worker.ts";
import type { AiDeps } from "./deps.ts";
import { work } from "./work.ts";

export type { AiDeps } from "./deps.ts";

export function createHandler(deps: AiDeps) {
  return withErrors(async (req) => {
    if (req.method !== "POST") return errorResponse(405, "method_not_allowed", "method: use POST");
    if (!(await serviceRole(req, deps.jwtSecret))) {
      return errorResponse(403, "forbidden", "authorization: the worker is driven by the service role; ask for AI help with quicksell.request_ai");
    }
    return await work(deps, req);
  });
}

export function build() {
  const sql = connect(requireEnv("SUPABASE_DB_URL"), 5);
  return createHandler({
    jwtSecret: requireEnv("SUPABASE_JWT_SECRET"),
    store: mediaStore(sql),
    storage: supabaseStorage({ url: requireEnv("SUPABASE_URL"), serviceRoleKey: requireEnv("SUPABASE_SERVICE_ROLE_KEY") }),
    describer: describerFromEnv(),
    timeoutMs: Number(Deno.env.get("QUICKSELL_AI_TIMEOUT_MS") ?? "60000"),
    maxMs: Number(Deno.env.get("QUICKSELL_AI_MAX_MS") ?? "45000"),
    batchSize: Number(Deno.env.get("QUICKSELL_AI_BATCH") ?? "4"),
  });
}

if (import.meta.main) Deno.serve(build());
