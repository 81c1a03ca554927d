// GET /functions/v1/health — liveness of the function runtime and the
// database. Public (verify_jwt = false): it reveals nothing but up/down.
import type { HealthResponse } from "@domus/contracts/health.ts";
import { connect } from "../_shared/db.ts";
import { requireEnv } from "../_shared/env.ts";
import { errorResponse, json, withErrors } from "../_shared/http.ts";

export interface HealthDeps {
  pingDatabase: () => Promise<boolean>;
  now?: () => Date;
}

export function createHandler(deps: HealthDeps) {
  return withErrors(async (req) => {
    if (req.method !== "GET") return errorResponse(405, "method_not_allowed", "method: use GET");
    const up = await deps.pingDatabase().catch(() => false);
    const body: HealthResponse = {
      status: up ? "ok" : "degraded",
      database: up ? "up" : "down",
      time: (deps.now?.() ?? new Date()).toISOString(),
    };
    return json(body, up ? 200 : 503);
  });
}

export function build() {
  const sql = connect(requireEnv("SUPABASE_DB_URL"), 1);
  return createHandler({
    pingDatabase: async () => (await sql`select 1 as ok`)[0]?.ok === 1,
  });
}

if (import.meta.main) Deno.serve(build());
