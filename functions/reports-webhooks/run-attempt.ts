// One claimed attempt: is the endpoint still on and allowed, open its
// secrets, sign the exact body bytes with each (two while a rotated-out
// secret is valid), POST, and record the outcome — the database schedules
// the next attempt and completes the job in the same transaction.
import { attempt } from "../_shared/reports/webhooks/deliver.ts";
import { webhookHeaders } from "../_shared/reports/webhooks/sign.ts";
import { checkTarget, TargetRefused } from "../_shared/reports/webhooks/ssrf.ts";
import type { AttemptRecord, ClaimedAttempt } from "../_shared/reports/webhooks/store.ts";
import { SecretBoxError } from "../_shared/secret-box.ts";
import type { WebhooksWorkerResponse } from "@domus/contracts/reports-webhooks.ts";
import { secretContext, type WebhooksDeps } from "./deps.ts";

export type AttemptReport = WebhooksWorkerResponse["attempts"][number];

async function secretsOf(deps: WebhooksDeps, job: ClaimedAttempt): Promise<string[]> {
  const context = secretContext(job.webhook_id!);
  const secrets = [await deps.box.open(job.secret!, context)];
  if (job.previous_secret) {
    try {
      secrets.push(await deps.box.open(job.previous_secret, context));
    } catch (error) {
      // The new secret still signs; a broken old one only costs the old receivers.
      if (!(error instanceof SecretBoxError)) throw error;
    }
  }
  return secrets;
}

export async function runAttempt(deps: WebhooksDeps, job: ClaimedAttempt, worker: string): Promise<AttemptReport> {
  const base = { deliveryId: job.delivery_id, jobId: Number(job.job_id) };
  const record = async (r: Omit<AttemptRecord, "jobId" | "worker" | "deliveryId">): Promise<AttemptReport> => {
    try {
      const done = await deps.store.record({ ...r, jobId: Number(job.job_id), worker, deliveryId: job.delivery_id! });
      return {
        ...base,
        outcome: done.status,
        responseStatus: r.responseStatus,
        ms: r.responseMs ?? 0,
        error: r.error,
        nextAttemptAt: done.next_attempt_at ? new Date(done.next_attempt_at).toISOString() : null,
      };
    } catch (error) {
      // PT409: our lease ran out and the job went to another worker, which records it.
      if ((error as { code?: string }).code === "PT409") {
        return { ...base, outcome: "lease_lost", responseStatus: r.responseStatus, ms: r.responseMs ?? 0, error: r.error, nextAttemptAt: null };
      }
      throw error;
    }
  };
  const none = { responseStatus: null, responseMs: null, retryAfterSeconds: null };

  if (!job.delivery_id || !job.webhook_id || job.delivery_status !== "pending") {
    // Deleted endpoint, or recorded already: the database completes the job and says skipped.
    if (!job.delivery_id) return { ...base, outcome: "skipped", responseStatus: null, ms: 0, error: "no delivery", nextAttemptAt: null };
    return await record({ ...none, outcome: "failed", error: null });
  }
  if (!job.is_active) return await record({ ...none, outcome: "disabled", error: "endpoint disabled: not sent" });

  try {
    await checkTarget(job.url!, { allowPrivate: deps.allowPrivate, resolve: deps.resolve });
  } catch (error) {
    if (error instanceof TargetRefused) return await record({ ...none, outcome: "failed", error: `refused: ${error.message}` });
    throw error;
  }
  let secrets: string[];
  try {
    secrets = await secretsOf(deps, job);
  } catch (error) {
    if (error instanceof SecretBoxError) {
      return await record({ ...none, outcome: "failed", error: `secret: ${error.message}; rotate the endpoint's secret` });
    }
    throw error;
  }
  const body = new TextEncoder().encode(JSON.stringify(job.payload));
  const headers = await webhookHeaders(secrets, job.message_id!, deps.nowSeconds(), body);
  const result = await attempt({ url: job.url!, headers, body, timeoutMs: deps.timeoutMs, fetch: deps.fetch });
  return await record({
    outcome: result.outcome,
    responseStatus: result.status,
    responseMs: result.ms,
    error: result.error,
    retryAfterSeconds: result.retryAfterSeconds,
  });
}
