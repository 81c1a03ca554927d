// POST /functions/v1/billing-replay {"id": "<billing_events.id>"} — a
// platform admin applies a recorded event again, e.g. a PayFast ITN whose
// processing failed after the 200 (PayFast does not resend it). Only genuine
// events that failed, or were left unfinished for over 2 minutes, can be
// replayed (409 otherwise); not an admin: 403; unknown id: 404. Answers the
// outcome: processed, ignored, or failed with the error (the event stays
// failed and can be replayed again). See docs/billing.md#replay.
import { z } from "zod";
import { type AuthDeps, requireUser } from "../_shared/auth.ts";
import { toolsStore } from "../_shared/tools/store.ts";
import { billingStore } from "../_shared/billing/store.ts";
import { connect, revocationReason } from "../_shared/db.ts";
import { requireEnv } from "../_shared/env.ts";
import { errorResponse, json, parseBody, withErrors } from "../_shared/http.ts";
import { localConfirmation, payfastConfig, payfastServerConfirmation, PAYFAST_VALIDATE_HOST } from "../_shared/payfast.ts";
import { claim, replay, type ReplayDeps } from "./replay.ts";

const replayInput = z.object({ id: z.string().uuid("a billing event id") });

export function createHandler(deps: ReplayDeps & AuthDeps) {
  return withErrors(async (req) => {
    if (req.method !== "POST") return errorResponse(405, "method_not_allowed", "method: use POST");
    const caller = await requireUser(req, deps);
    const { id } = await parseBody(req, replayInput);
    const event = await claim(deps.store, id, caller.userId);
    const result = await replay(deps, event);
    return json({
      id: event.id,
      provider: event.provider,
      outcome: result.outcome,
      ...(result.outcome === "failed" ? { error: result.error } : result.outcome === "ignored" ? { reason: result.reason } : {}),
    });
  });
}

export function build() {
  const sql = connect(requireEnv("SUPABASE_DB_URL"), 2);
  const config = payfastConfig();
  return createHandler({
    jwtSecret: requireEnv("SUPABASE_JWT_SECRET"),
    revocationReason: (claims) => revocationReason(sql, claims),
    store: billingStore(sql),
    tools: toolsStore(sql),
    payfast: {
      merchantId: config.merchantId,
      confirmation: config.mode === "local"
        ? localConfirmation(config.passphrase)
        : payfastServerConfirmation(PAYFAST_VALIDATE_HOST[config.mode]),
    },
  });
}

if (import.meta.main) Deno.serve(build());
