// POST /functions/v1/valuation — the valuation orchestrator (seed 000).
//   * With the service-role key and {"queue": "homes.valuation"}: the job
//     worker (drain.ts). Publishing a listing queues a valuation refresh
//     (homes.publish_listing); pg_cron + pg_net on hosted Supabase, or the
//     local gateway's scheduler, wake this function, which drains the queue
//     until it is empty or its time budget is used.
//   * With a user's token and {"property_id": ...}: values one of the
//     caller's own properties now (value-now.ts).
import { valuationRequest, workerRequest } from "@domus/contracts/homes.ts";
import { requireUser } from "../_shared/auth.ts";
import { connect, revocationReason } from "../_shared/db.ts";
import { requireEnv } from "../_shared/env.ts";
import { valuationStore } from "../_shared/homes/valuation-store.ts";
import { errorResponse, json, parseBody, withErrors } from "../_shared/http.ts";
import { serviceRole } from "../_shared/worker.ts";
import type { ValuationDeps } from "./deps.ts";
import { drainValuations } from "./drain.ts";
import { valueNow } from "./value-now.ts";

export type { ValuationDeps } from "./deps.ts";

export function createHandler(deps: ValuationDeps) {
  return withErrors(async (req) => {
    if (req.method !== "POST") return errorResponse(405, "method_not_allowed", "method: use POST");
    if (await serviceRole(req, deps.jwtSecret)) {
      const input = await parseBody(req, workerRequest);
      return json(await drainValuations(deps, input.max_jobs ?? 10_000));
    }
    const caller = await requireUser(req, deps);
    const input = await parseBody(req, valuationRequest);
    return json(await valueNow(deps, caller, input.property_id));
  });
}

export function build() {
  const sql = connect(requireEnv("SUPABASE_DB_URL"), 6);
  return createHandler({
    jwtSecret: requireEnv("SUPABASE_JWT_SECRET"),
    revocationReason: (claims) => revocationReason(sql, claims),
    store: valuationStore(sql),
    workerId: "valuation",
  });
}

if (import.meta.main) Deno.serve(build());
