// The one email and SMS interface every product uses (Reports' scheduled
// mail now; leads' SMS and notifications later): a message in, a result out
// that always says which provider handled it and what it answered.

export type EmailProvider = "resend" | "postmark" | "local";
export type SmsProvider = "twilio" | "local";

export interface Attachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

export interface EmailMessage {
  /** `Name <address>` or a bare address. */
  from: string;
  to: string[];
  subject: string;
  text: string;
  html?: string;
  replyTo?: string;
  /** Extra headers, e.g. List-Unsubscribe; a value with a line break is refused. */
  headers?: Record<string, string>;
  attachments?: Attachment[];
  /** Provider tags / metadata (Resend tags, Postmark metadata); not headers. */
  tags?: Record<string, string>;
}

export interface SendOptions {
  /** Same key, same message: providers that support it deliver once (Resend). */
  idempotencyKey?: string;
}

export interface EmailResult {
  provider: EmailProvider;
  /** True when the provider accepted the message for delivery. */
  accepted: boolean;
  /** The provider's id for the message (Resend id, Postmark MessageID, local Message-ID). */
  messageId: string | null;
  /** HTTP status the provider answered (the local outbox answers 200 once the file is written). */
  status: number;
  error: string | null;
  /** Local outbox only: the file written. */
  path?: string;
}

export interface EmailSender {
  readonly provider: EmailProvider;
  send(message: EmailMessage, options?: SendOptions): Promise<EmailResult>;
}

export interface SmsMessage {
  /** E.164, e.g. +14155550123. */
  to: string;
  body: string;
  /** Overrides the sender's default number. */
  from?: string;
}

export interface SmsResult {
  provider: SmsProvider;
  accepted: boolean;
  /** Twilio message SID (or the local outbox's). */
  sid: string | null;
  status: number;
  /** The provider's message status (queued, sent, ...). */
  providerStatus: string | null;
  error: string | null;
  segments: number;
  from: string | null;
  path?: string;
}

export interface SmsSender {
  readonly provider: SmsProvider;
  send(message: SmsMessage): Promise<SmsResult>;
}

export type Env = (name: string) => string | undefined;
export const denoEnv: Env = (name) => Deno.env.get(name);
