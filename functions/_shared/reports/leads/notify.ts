// Telling the agent about a new lead, from the reports.leads queue job (so
// the public form never waits on a provider):
//   * SMS to the agent's phone (E.164 in the profile), spending the
//     account's 'sms' credits, one per segment, logged in reports.sms_logs
//     (LeadSms; messaging.ts adapts the shared SMS spend). With too few
//     credits nothing is sent and the agent gets a public.notifications row
//     (type lead_sms_skipped) saying so; the email still goes;
//   * email to the agent's address;
//   * sms_sent_at / email_sent_at stamped once (private.reports_lead_notified).
// A retried job does not repeat what already went out: the stamps say what
// was sent, and the SMS spend is idempotent by lead (key lead-sms:<id>). An
// email the provider refused fails the job, which retries it.
import type { LeadNotified } from "@domus/contracts/reports-leads.ts";
import type { LeadForNotification, LeadsStore, SmsOutcome } from "./store.ts";

export interface LeadSmsInput {
  accountId: string;
  to: string;
  body: string;
  idempotencyKey: string;
  leadId: string;
}

export interface LeadSms {
  readonly provider: string;
  /** Debits the account's 'sms' credits and logs the SMS; "no_credits" when there are too few (logged as refused). */
  send(sms: LeadSmsInput): Promise<{ status: "sent" | "no_credits" | "failed"; error?: string | null }>;
}

export interface LeadEmail {
  readonly provider: string;
  send(m: { to: string; subject: string; text: string; idempotencyKey: string }): Promise<{ accepted: boolean; error: string | null }>;
}

export interface NotifyDeps {
  store: Pick<LeadsStore, "lead" | "notified">;
  sms: LeadSms;
  email: LeadEmail;
  /** Where the agent manages leads (a link in the email). */
  appUrl?: string;
}

export class EmailNotSent extends Error {}

const who = (l: LeadForNotification) => l.name ?? l.email ?? l.phone ?? "someone";
const where = (l: LeadForNotification) => [l.property_address, l.property_city].filter(Boolean).join(", ") || "your report";

/** At most one 160-character GSM segment for the usual lead (long names or messages are cut). */
export function smsText(l: LeadForNotification): string {
  const contact = [l.email, l.phone].filter(Boolean).join(" ");
  const head = `New lead: ${who(l).slice(0, 40)} (${contact}) on ${where(l).slice(0, 50)}`;
  const room = 160 - head.length - 3;
  const msg = l.message && room > 10 ? `: "${l.message.length > room ? l.message.slice(0, room - 1) + "…" : l.message}"` : "";
  return head + msg;
}

export function emailText(l: LeadForNotification, appUrl?: string): { subject: string; text: string } {
  const lines = [
    `${who(l)} asked to be contacted about ${where(l)}${l.short_code ? ` (report ${l.short_code})` : ""}.`,
    "",
    `Name: ${l.name ?? "-"}`,
    `Email: ${l.email ?? "-"}`,
    `Phone: ${l.phone ?? "-"}`,
    `Source: ${l.source}`,
    "",
    l.message ? `Message:\n${l.message}` : "No message.",
    "",
    "They agreed to be contacted.",
    ...(appUrl ? ["", `Your leads: ${appUrl.replace(/\/$/, "")}/reports/leads`] : []),
  ];
  return { subject: `New lead: ${who(l).slice(0, 80)} on ${where(l).slice(0, 100)}`, text: lines.join("\n") };
}

export async function notifyLead(deps: NotifyDeps, leadId: string): Promise<LeadNotified> {
  const lead = await deps.store.lead(leadId);
  const agent = lead.agent;
  let sms: SmsOutcome;
  if (lead.sms_sent_at) sms = "skipped";
  else if (!agent?.phone) sms = "no_phone";
  else {
    const r = await deps.sms.send({ accountId: lead.account_id, to: agent.phone, body: smsText(lead), idempotencyKey: `lead-sms:${lead.lead_id}`, leadId: lead.lead_id });
    sms = r.status;
  }
  let email: LeadNotified["email"];
  let emailError: string | null = null;
  if (lead.email_sent_at) email = "sent";
  else if (!agent?.email) email = "no_email";
  else {
    const { subject, text } = emailText(lead, deps.appUrl);
    const r = await deps.email.send({ to: agent.email, subject, text, idempotencyKey: `lead-email:${lead.lead_id}` });
    email = r.accepted ? "sent" : "failed";
    emailError = r.error;
  }
  await deps.store.notified(lead.lead_id, sms, email === "sent" && !lead.email_sent_at);
  if (email === "failed") throw new EmailNotSent(`email: ${emailError ?? "the provider refused it"}`);
  return { leadId: lead.lead_id, sms, email, provider: { sms: sms === "no_phone" ? null : deps.sms.provider, email: email === "no_email" ? null : deps.email.provider } };
}
