// What a provider's webhook body means for us: a hard bounce or a complaint
// about one address (which suppresses it), or anything else (recorded and
// ignored). Parsed with zod after the signature or credentials are checked;
// a genuine body we cannot read is ignored, since a redelivery would bring
// the same bytes.
import { emailAddress as address, postmarkEvent, resendEvent } from "@domus/contracts/reports-messaging.ts";

export interface ProviderEvent {
  eventType: string;
  /** Resend: the Standard Webhooks id (stable across retries); Postmark: RecordType:ID. */
  eventId: string | null;
  createdAt: Date | null;
  /** null when the event is not one we act on. */
  kind: "hard_bounce" | "complaint" | null;
  emails: string[];
  messageId: string | null;
  why?: string;
}

const date = (v: string | undefined | null) => {
  const d = v ? new Date(v) : null;
  return d && !Number.isNaN(d.getTime()) ? d : null;
};

export function parseResend(body: unknown, webhookId: string): ProviderEvent | { malformed: string } {
  const parsed = resendEvent.safeParse(body);
  if (!parsed.success) return { malformed: parsed.error.issues[0].path.join(".") || "body" };
  const e = parsed.data;
  const to = e.data.to === undefined ? [] : Array.isArray(e.data.to) ? e.data.to : [e.data.to];
  const emails = to.flatMap((t) => {
    const a = address.safeParse(t.replace(/^.*<([^>]+)>\s*$/, "$1"));
    return a.success ? [a.data] : [];
  });
  const base = { eventType: e.type, eventId: webhookId, createdAt: date(e.created_at), emails, messageId: e.data.email_id ?? null };
  // Resend sends email.bounced for permanent rejections; a bounce it marks
  // Transient (a full mailbox) is not a reason to stop mailing.
  if (e.type === "email.bounced") {
    if (e.data.bounce?.type?.toLowerCase() === "transient") return { ...base, kind: null, why: "transient bounce" };
    return { ...base, kind: "hard_bounce" };
  }
  if (e.type === "email.complained") return { ...base, kind: "complaint" };
  return { ...base, kind: null, why: `not a bounce or complaint (${e.type})` };
}

// Postmark's bounce webhook (RecordType "Bounce") and spam complaint webhook (RecordType "SpamComplaint").
/** Postmark bounce types that mean the address will not take mail. */
const HARD = new Set(["HardBounce", "BadEmailAddress", "ManuallyDeactivated", "Unsubscribe"]);

export function parsePostmark(body: unknown): ProviderEvent | { malformed: string } {
  const parsed = postmarkEvent.safeParse(body);
  if (!parsed.success) return { malformed: parsed.error.issues[0].path.join(".") || "body" };
  const e = parsed.data;
  const email = address.safeParse(e.Email ?? "");
  const base = {
    eventType: `${e.RecordType}${e.Type ? `:${e.Type}` : ""}`,
    eventId: `${e.RecordType}:${e.ID}`,
    createdAt: date(e.BouncedAt),
    emails: email.success ? [email.data] : [],
    messageId: e.MessageID ?? null,
  };
  if (e.RecordType === "SpamComplaint" || e.Type === "SpamComplaint") return { ...base, kind: "complaint" };
  if (e.RecordType === "Bounce" && (HARD.has(e.Type ?? "") || e.Inactive === true)) return { ...base, kind: "hard_bounce" };
  return { ...base, kind: null, why: `not a hard bounce or complaint (${base.eventType})` };
}
