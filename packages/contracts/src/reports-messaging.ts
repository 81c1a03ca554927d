// Reports messaging (issue 12) contracts: the bodies the functions
// reports-mail (worker), reports-unsubscribe and reports-email-events read
// and answer, and the provider webhook shapes they accept. Clients call
// none of these directly; the answers are listed for tooling and tests.
import { z } from "zod";
import { text } from "./errors.ts";

/** The scheduled-mail queue and its worker function. */
export const REPORTS_MAIL_QUEUE = "reports.mail";

/** POST /functions/v1/reports-mail (service role): drain the queue. */
export const mailWorkerInput = z.object({
  queue: z.literal(REPORTS_MAIL_QUEUE).optional(),
  maxMs: z.number().int().min(100).max(140_000).optional(),
  batchSize: z.number().int().min(1).max(50).optional(),
}).strict();
export type MailWorkerInput = z.infer<typeof mailWorkerInput>;

export const emailProvider = z.enum(["resend", "postmark", "local"]);
export const smsProvider = z.enum(["twilio", "local"]);

export const mailJobOutcome = z.object({
  job: z.union([z.number(), text()]),
  outcome: z.enum(["mailed", "skipped", "retry", "failed"]),
  sent: z.number().int(),
  skipped: z.number().int(),
  failed: z.number().int(),
  provider: emailProvider,
  reason: text().optional(),
});
export type MailJobOutcome = z.infer<typeof mailJobOutcome>;
export const mailWorkerResponse = z.object({
  worker: text(),
  claimed: z.number().int(),
  provider: emailProvider,
  jobs: z.array(mailJobOutcome),
  seconds: z.number(),
});
export type MailWorkerResponse = z.infer<typeof mailWorkerResponse>;

/** POST /functions/v1/reports-unsubscribe?t=<token>, RFC 8058 one-click (form-encoded). */
export const ONE_CLICK_BODY = "List-Unsubscribe=One-Click";
export const unsubscribeResponse = z.object({ unsubscribed: z.literal(true) });

/** POST /functions/v1/reports-email-events/{resend|postmark}: the answers. */
export const emailEventsResponse = z.object({
  received: z.literal(true),
  duplicate: z.literal(true).optional(),
  ignored: z.literal(true).optional(),
});

const address = text().trim().toLowerCase().email().max(320);
export { address as emailAddress };

/** A Resend webhook body (Standard Webhooks signed; the fields we read). */
export const resendEvent = z.object({
  type: text().max(200),
  created_at: text().max(100).optional(),
  data: z.object({
    email_id: text().max(200).optional(),
    to: z.union([z.array(text().max(320)).max(100), text().max(320)]).optional(),
    bounce: z.object({ type: text().max(100).optional(), subType: text().max(100).optional(), message: text().max(5000).optional() })
      .passthrough().optional(),
  }).passthrough(),
}).passthrough();
export type ResendEvent = z.infer<typeof resendEvent>;

/** A Postmark bounce or spam-complaint webhook body (the fields we read). */
export const postmarkEvent = z.object({
  RecordType: text().max(100),
  ID: z.union([z.number(), text().max(100)]),
  Type: text().max(100).optional(),
  Email: text().max(320).optional(),
  MessageID: text().max(200).optional().nullable(),
  BouncedAt: text().max(100).optional().nullable(),
  Inactive: z.boolean().optional(),
}).passthrough();
export type PostmarkEvent = z.infer<typeof postmarkEvent>;
