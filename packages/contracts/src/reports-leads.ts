// Reports leads (seed 004, issue 13): the public lead form's body and answer
// (POST /functions/v1/reports-leads, no sign-in), the worker's body, and the
// lead statuses a member may move a lead through (reports.leads.status).
import { z } from "zod";
import { text } from "./errors.ts";

export const leadSource = z.enum(["landing_page", "qr_code", "share_link", "email", "sms", "other"]);
export type LeadSource = z.infer<typeof leadSource>;

export const leadStatus = z.enum(["new", "contacted", "qualified", "converted", "lost"]);
export type LeadStatus = z.infer<typeof leadStatus>;

/** The status machine the database enforces (PT409 / HTTP 409 for anything else). */
export const LEAD_TRANSITIONS: Record<LeadStatus, readonly LeadStatus[]> = {
  new: ["contacted", "lost"],
  contacted: ["qualified", "lost"],
  qualified: ["converted", "lost"],
  converted: [],
  lost: [],
};

const E164 = /^\+[1-9][0-9]{6,14}$/;
/** An optional field; an empty string counts as not given. */
const optional = <T extends z.ZodTypeAny>(s: T) => z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), s.optional());

/** The lead form. Spaces, dots, dashes and brackets in a phone number are ignored. */
export const submitLeadInput = z.object({
  shortCode: text().trim().min(1).max(32),
  name: optional(text().trim().max(200)),
  email: optional(text().trim().max(254).email("not an email address")),
  phone: optional(text().transform((v) => v.replace(/[\s().-]/g, "")).pipe(
    text().regex(E164, "an international number such as +15125550100 (E.164)"),
  )),
  message: optional(text().trim().max(2000)),
  consent: z.literal(true, { errorMap: () => ({ message: "the visitor must agree to be contacted" }) }),
  source: leadSource.optional(),
}).strict().superRefine((v, ctx) => {
  if (!v.email && !v.phone) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["email"], message: "give an email address or a phone number" });
});
export type SubmitLeadRequest = z.input<typeof submitLeadInput>;

/**
 * The one answer to a well-formed lead for a live report (HTTP 202), whether
 * it was stored or refused for a blocked address or the rate limit: telling
 * them apart would only help an abuser.
 */
export interface SubmitLeadResponse {
  received: true;
}

/** The service role's call: drain the lead notification queue. */
export const leadsWorkerInput = z.object({
  queue: z.literal("reports.leads"),
  batchSize: z.number().int().min(1).max(100).optional(),
  maxMs: z.number().int().min(0).max(600_000).optional(),
}).strict();

/** What notifying the agent of one lead did. */
export interface LeadNotified {
  leadId: string;
  sms: "sent" | "no_credits" | "no_phone" | "failed" | "skipped";
  email: "sent" | "failed" | "no_email";
  provider: { sms: string | null; email: string | null };
}
