// The lead notifier's providers are the shared messaging ones
// (functions/_shared/messaging/): SMS through sendAccountSms (one 'sms'
// credit per segment from the account's pool, logged in reports.sms_logs
// with its lead, PT402 logged 'refused' when the credits are short) and the
// environment's SMS and email senders (Twilio / Resend / Postmark, else the
// local outbox, provider "local").
//
// Retries: sendAccountSms sends a key once. A send that failed gave its
// credits back and is final for that key, so a retried job asks again under
// the next attempt's key (lead-sms:<lead>#<failed sends so far>); a sent or
// refused SMS keeps its key and is never repeated.
import type { Sql } from "../../db.ts";
import { emailSenderFromEnv, mailFrom } from "../../messaging/email.ts";
import { smsSenderFromEnv } from "../../messaging/sms.ts";
import { sendAccountSms, SmsRefused } from "../../messaging/sms-spend.ts";
import { type MessagingStore, messagingStore } from "../../messaging/store.ts";
import type { EmailSender, Env, SmsSender } from "../../messaging/types.ts";
import type { LeadEmail, LeadSms } from "./notify.ts";

type SmsStore = Pick<MessagingStore, "smsDebit" | "smsFinish">;

export function leadSms(sql: Sql, sender: SmsSender, store: SmsStore = messagingStore(sql)): LeadSms {
  return {
    provider: sender.provider,
    async send(sms) {
      const [prior] = await sql<{ failed: number }[]>`
        select count(*)::int as failed from reports.sms_logs
        where lead_id = ${sms.leadId} and status in ('failed', 'undelivered')`;
      const key = prior.failed === 0 ? sms.idempotencyKey : `${sms.idempotencyKey}#${prior.failed}`;
      try {
        const r = await sendAccountSms(store, sender, { accountId: sms.accountId, to: sms.to, body: sms.body, idempotencyKey: key, leadId: sms.leadId });
        if (r.result === null || r.result.accepted) return { status: "sent" };
        return { status: "failed", error: r.result.error };
      } catch (error) {
        if (error instanceof SmsRefused) return { status: "no_credits" };
        throw error;
      }
    },
  };
}

export function leadEmail(sender: EmailSender, from: string): LeadEmail {
  return {
    provider: sender.provider,
    async send(m) {
      const r = await sender.send({ from, to: [m.to], subject: m.subject, text: m.text }, { idempotencyKey: m.idempotencyKey });
      return { accepted: r.accepted, error: r.error };
    },
  };
}

export function leadMessagingFromEnv(sql: Sql, env: Env = (n) => Deno.env.get(n)): { sms: LeadSms; email: LeadEmail } {
  return { sms: leadSms(sql, smsSenderFromEnv(env)), email: leadEmail(emailSenderFromEnv(env), mailFrom(env)) };
}
