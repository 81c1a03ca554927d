// The lead notifier's providers, from the shared Reports messaging
// (functions/_shared/messaging/): SMS through sendAccountSms (debits the
// account's 'sms' credits per segment and logs reports.sms_logs; a refusal
// for too few credits is SmsRefused, PT402) and email through the
// environment's sender (Resend, Postmark, else the local outbox). Without
// provider keys both are the local outbox, and say provider "local".
import type { Sql } from "../../db.ts";
import { emailSenderFromEnv, mailFrom } from "../../messaging/email.ts";
import { smsSenderFromEnv } from "../../messaging/sms.ts";
import { sendAccountSms, SmsRefused } from "../../messaging/sms-spend.ts";
import { messagingStore } from "../../messaging/store.ts";
import type { EmailSender, Env, SmsSender } from "../../messaging/types.ts";
import type { LeadEmail, LeadSms } from "./notify.ts";

export function leadSms(sql: Sql, sender: SmsSender): LeadSms {
  const store = messagingStore(sql);
  return {
    provider: sender.provider,
    async send(sms) {
      try {
        const r = await sendAccountSms(store, sender, { accountId: sms.accountId, to: sms.to, body: sms.body, idempotencyKey: sms.idempotencyKey, leadId: sms.leadId });
        // A retry of a key already spent: sent (or failed) the first time.
        if (!r.result) return { status: "sent" };
        return r.result.accepted ? { status: "sent" } : { status: "failed", error: r.result.error };
      } catch (error) {
        if (error instanceof SmsRefused) return { status: "no_credits", error: error.message };
        throw error;
      }
    },
  };
}

export function leadEmail(sender: EmailSender, from: string): LeadEmail {
  return {
    provider: sender.provider,
    async send(m) {
      const r = await sender.send({ from, to: [m.to], subject: m.subject, text: m.text, tags: { kind: "lead" } }, { idempotencyKey: m.idempotencyKey });
      return { accepted: r.accepted, error: r.error };
    },
  };
}

export function leadMessagingFromEnv(sql: Sql, env: Env = (n) => Deno.env.get(n)): { sms: LeadSms; email: LeadEmail } {
  return { sms: leadSms(sql, smsSenderFromEnv(env)), email: leadEmail(emailSenderFromEnv(env), mailFrom(env)) };
}
