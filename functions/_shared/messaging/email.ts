// sendEmail: Resend when RESEND_API_KEY is set, else Postmark when
// POSTMARK_SERVER_TOKEN is, else the local outbox (outbox.ts). A client is
// constructed only when its key is there; the result names the provider and
// its HTTP answer either way, and a provider's refusal is a result, not an
// exception, so callers log it (reports.email_log) and move on.
import { ServerClient } from "postmark";
import { Resend } from "resend";
import { localEmailSender, outboxDir } from "./outbox.ts";
import { denoEnv, type EmailMessage, type EmailResult, type EmailSender, type Env, type SendOptions } from "./types.ts";

export type { EmailMessage, EmailResult, EmailSender } from "./types.ts";

const toBase64 = (bytes: Uint8Array) => {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
};

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** What resendSender needs of the Resend client (so tests can stand in for it). */
export interface ResendLike {
  emails: { send: Resend["emails"]["send"] };
}

export function resendSender(client: ResendLike): EmailSender {
  return {
    provider: "resend",
    async send(m: EmailMessage, o: SendOptions = {}): Promise<EmailResult> {
      try {
        const { data, error } = await client.emails.send({
          from: m.from,
          to: m.to,
          subject: m.subject,
          text: m.text,
          ...(m.html ? { html: m.html } : {}),
          ...(m.replyTo ? { replyTo: m.replyTo } : {}),
          headers: m.headers,
          attachments: m.attachments?.map((a) => ({ filename: a.filename, content: toBase64(a.content), contentType: a.contentType })),
          tags: Object.entries(m.tags ?? {}).map(([name, value]) => ({ name, value })),
        }, o.idempotencyKey ? { idempotencyKey: o.idempotencyKey } : undefined);
        if (error) return { provider: "resend", accepted: false, messageId: null, status: error.statusCode ?? 500, error: `${error.name}: ${error.message}` };
        return { provider: "resend", accepted: true, messageId: data?.id ?? null, status: 200, error: null };
      } catch (e) {
        return { provider: "resend", accepted: false, messageId: null, status: 502, error: message(e) };
      }
    },
  };
}

/** What postmarkSender needs of the Postmark client. */
export interface PostmarkLike {
  sendEmail: ServerClient["sendEmail"];
}

export function postmarkSender(client: PostmarkLike, messageStream = "outbound"): EmailSender {
  return {
    provider: "postmark",
    async send(m: EmailMessage): Promise<EmailResult> {
      try {
        const r = await client.sendEmail({
          From: m.from,
          To: m.to.join(", "),
          Subject: m.subject,
          TextBody: m.text,
          HtmlBody: m.html,
          ReplyTo: m.replyTo,
          Headers: Object.entries(m.headers ?? {}).map(([Name, Value]) => ({ Name, Value })),
          Attachments: m.attachments?.map((a) => ({ Name: a.filename, Content: toBase64(a.content), ContentType: a.contentType, ContentID: null })),
          Metadata: m.tags,
          MessageStream: messageStream,
        });
        if (r.ErrorCode !== 0) return { provider: "postmark", accepted: false, messageId: r.MessageID ?? null, status: 422, error: `${r.ErrorCode}: ${r.Message}` };
        return { provider: "postmark", accepted: true, messageId: r.MessageID, status: 200, error: null };
      } catch (e) {
        const status = (e as { statusCode?: number }).statusCode;
        const code = (e as { code?: number }).code;
        return { provider: "postmark", accepted: false, messageId: null, status: typeof status === "number" && status > 0 ? status : 502, error: `${code ?? "error"}: ${message(e)}` };
      }
    },
  };
}

export interface EmailClientFactories {
  resend: (apiKey: string) => ResendLike;
  postmark: (serverToken: string) => PostmarkLike;
}

export const realEmailClients: EmailClientFactories = {
  resend: (apiKey) => new Resend(apiKey),
  postmark: (serverToken) => new ServerClient(serverToken),
};

/** The sender the environment asks for; a provider client exists only when its key is set. */
export function emailSenderFromEnv(env: Env = denoEnv, clients: EmailClientFactories = realEmailClients): EmailSender {
  const resendKey = env("RESEND_API_KEY");
  if (resendKey) return resendSender(clients.resend(resendKey));
  const postmarkToken = env("POSTMARK_SERVER_TOKEN");
  if (postmarkToken) return postmarkSender(clients.postmark(postmarkToken), env("POSTMARK_MESSAGE_STREAM") || "outbound");
  return localEmailSender(outboxDir(env));
}

/** The sender address scheduled mail goes out from (REPORTS_MAIL_FROM). */
export function mailFrom(env: Env = denoEnv): string {
  return env("REPORTS_MAIL_FROM") || "Domus Reports <reports@domus.local>";
}

let fromEnv: EmailSender | null = null;

/** Sends one message with the environment's provider. */
export function sendEmail(m: EmailMessage, o: SendOptions & { sender?: EmailSender } = {}): Promise<EmailResult> {
  const sender = o.sender ?? (fromEnv ??= emailSenderFromEnv());
  return sender.send(m, o);
}
