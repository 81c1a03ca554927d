// sendSms: Twilio when TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (and a
// sender: TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID) are set, else
// the local outbox. Numbers must be E.164; the result carries the segment
// count, which is what a message costs in 'sms' credits (segments.ts).
// Spending those credits and logging in reports.sms_logs is the caller's
// (messaging/store.ts: private.reports_send_sms_debit / reports_sms_finish).
import twilio from "twilio";
import { localSmsSender, outboxDir } from "./outbox.ts";
import { countSegments, isE164 } from "./segments.ts";
import { denoEnv, type Env, type SmsMessage, type SmsResult, type SmsSender } from "./types.ts";

export { countSegments, isE164 } from "./segments.ts";
export type { SmsMessage, SmsResult, SmsSender } from "./types.ts";

export class SmsInputError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
  }
}

/** Refuses what no provider should be asked to send. */
export function validateSms(m: SmsMessage): void {
  if (!isE164(m.to)) throw new SmsInputError("to", "must be an E.164 number such as +14155550123");
  if (m.from !== undefined && !isE164(m.from)) throw new SmsInputError("from", "must be an E.164 number");
  if (m.body.trim().length === 0) throw new SmsInputError("body", "must not be empty");
  if (countSegments(m.body).segments > 10) throw new SmsInputError("body", "longer than 10 segments");
}

/** What twilioSender needs of the Twilio client. */
export interface TwilioLike {
  messages: {
    create(o: { to: string; body: string; from?: string; messagingServiceSid?: string }): Promise<{ sid: string; status: string; from?: string | null }>;
  };
}

export function twilioSender(client: TwilioLike, sender: { from?: string; messagingServiceSid?: string }): SmsSender {
  return {
    provider: "twilio",
    async send(m: SmsMessage): Promise<SmsResult> {
      validateSms(m);
      const { segments } = countSegments(m.body);
      const from = m.from ?? sender.from;
      try {
        const r = await client.messages.create({
          to: m.to,
          body: m.body,
          ...(from ? { from } : { messagingServiceSid: sender.messagingServiceSid }),
        });
        return { provider: "twilio", accepted: true, sid: r.sid, status: 201, providerStatus: r.status, error: null, segments, from: r.from ?? from ?? null };
      } catch (e) {
        const err = e as { status?: number; code?: number; message?: string };
        return {
          provider: "twilio", accepted: false, sid: null, status: typeof err.status === "number" ? err.status : 502,
          providerStatus: "failed", error: `${err.code ?? "error"}: ${err.message ?? String(e)}`, segments, from: from ?? null,
        };
      }
    },
  };
}

export type TwilioFactory = (accountSid: string, authToken: string) => TwilioLike;
export const realTwilio: TwilioFactory = (sid, token) => twilio(sid, token) as unknown as TwilioLike;

export function smsSenderFromEnv(env: Env = denoEnv, factory: TwilioFactory = realTwilio): SmsSender {
  const sid = env("TWILIO_ACCOUNT_SID");
  const token = env("TWILIO_AUTH_TOKEN");
  const from = env("TWILIO_FROM_NUMBER") || undefined;
  const messagingServiceSid = env("TWILIO_MESSAGING_SERVICE_SID") || undefined;
  if (sid && token && (from || messagingServiceSid)) return twilioSender(factory(sid, token), { from, messagingServiceSid });
  const local = localSmsSender(outboxDir(env), { from: from ?? "+15005550006" });
  return {
    provider: "local",
    send: (m) => {
      validateSms(m);
      return local.send(m);
    },
  };
}

let fromEnv: SmsSender | null = null;

export function sendSms(m: SmsMessage, o: { sender?: SmsSender } = {}): Promise<SmsResult> {
  const sender = o.sender ?? (fromEnv ??= smsSenderFromEnv());
  return sender.send(m);
}
