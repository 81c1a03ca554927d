// Reports outgoing webhooks (Standard Webhooks 1.0): the reports-webhooks
// function's inputs and answers, shared with @domus/client. Endpoints are
// read and edited (url, events, is_active) through the Data API; creation
// and rotation go through the function because it makes the secret, which
// is shown once in its answer and never again.
import { z } from "zod";
import { text } from "./errors.ts";

export const webhookEvent = z.enum(["report.completed", "report.failed", "lead.created", "schedule.run_failed", "webhook.test"]);
export type WebhookEvent = z.infer<typeof webhookEvent>;
export const webhookEvents = webhookEvent.options;

export const deliveryStatus = z.enum(["pending", "delivered", "failed", "dead"]);
export type DeliveryStatus = z.infer<typeof deliveryStatus>;

/** Seconds before attempt n+1 after attempt n failed (n = 1..7), each times a random factor in [0.9, 1.1]. */
export const RETRY_DELAYS_SECONDS = [5, 300, 1800, 7200, 18000, 36000, 36000] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_SECONDS.length + 1;
export const RETRY_JITTER = 0.1;

const webhookUrl = text().trim().url().max(2000).regex(/^https?:\/\//i, "must be an http(s) URL");
const events = z.array(webhookEvent).min(1).max(5);

export const createWebhookInput = z.object({
  action: z.literal("create"),
  accountId: text().uuid(),
  url: webhookUrl,
  events,
}).strict();
export type CreateWebhookInput = z.infer<typeof createWebhookInput>;

export const rotateWebhookSecretInput = z.object({
  action: z.literal("rotate"),
  webhookId: text().uuid(),
}).strict();
export type RotateWebhookSecretInput = z.infer<typeof rotateWebhookSecretInput>;

export const webhooksUserInput = z.discriminatedUnion("action", [createWebhookInput, rotateWebhookSecretInput]);
export type WebhooksUserInput = z.infer<typeof webhooksUserInput>;

/** An endpoint as clients see it (never its secret). */
export const webhookSummary = z.object({
  id: text().uuid(),
  accountId: text().uuid(),
  url: text(),
  events: z.array(webhookEvent),
  isActive: z.boolean(),
  previousSecretExpiresAt: text().nullable(),
  createdAt: text(),
});
export type WebhookSummary = z.infer<typeof webhookSummary>;

/** create (201) and rotate (200): the secret, `whsec_` + base64, shown this once. */
export const webhookSecretResponse = z.object({
  webhook: webhookSummary,
  secret: text().regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/),
});
export type WebhookSecretResponse = z.infer<typeof webhookSecretResponse>;

export const webhooksWorkerInput = z.object({
  queue: z.literal("reports.webhooks"),
  batchSize: z.number().int().min(1).max(100).optional(),
  /** Stop claiming after this long (the attempts claimed still finish). */
  maxMs: z.number().int().min(0).max(600_000).optional(),
}).strict();

export const attemptOutcome = z.enum(["delivered", "failed", "dead", "skipped", "lease_lost"]);
export const webhooksWorkerResponse = z.object({
  worker: text(),
  claimed: z.number().int(),
  outcomes: z.record(text(), z.number().int()),
  attempts: z.array(z.object({
    deliveryId: text().uuid().nullable(),
    jobId: z.number().int(),
    outcome: attemptOutcome,
    responseStatus: z.number().int().nullable(),
    ms: z.number().int(),
    error: text().nullable(),
    nextAttemptAt: text().nullable(),
  })),
  seconds: z.number(),
});
export type WebhooksWorkerResponse = z.infer<typeof webhooksWorkerResponse>;
