// The lead notifier's providers until the shared Reports messaging
// (functions/_shared/messaging/, rp-msg) is merged: the local outbox only,
// clearly provider "local". SMS spend is real: one 'sms' credit per segment
// from the account's pool through the shared ledger (private.credit_apply,
// idempotent by key), every SMS logged in reports.sms_logs with its lead
// ('refused' when the credits are short, PT402 from the ledger). The outbox
// is DOMUS_OUTBOX_DIR (npm start sets it), else <tmp>/domus-outbox:
// sms/<time>-<id>.json and email/<time>-<id>.eml.
import { join } from "node:path";
import type { Sql } from "../../db.ts";
import type { LeadEmail, LeadSms } from "./notify.ts";

type Env = (name: string) => string | undefined;

export function outboxDir(env: Env = (n) => Deno.env.get(n)): string {
  return env("DOMUS_OUTBOX_DIR") || join(env("TMPDIR") || "/tmp", "domus-outbox");
}

/** Where the local providers put what they "send". */
export interface Outbox {
  put(kind: "sms" | "email", name: string, data: string): Promise<void>;
}

/** Files under dir: sms/<name>, email/<name> (never overwritten). */
export function fileOutbox(dir: string): Outbox {
  return {
    async put(kind, name, data) {
      await Deno.mkdir(join(dir, kind), { recursive: true });
      await Deno.writeTextFile(join(dir, kind, name), data, { createNew: true });
    },
  };
}

/** In memory (tests without write permission). */
export function memoryOutbox(): Outbox & { items: Array<{ kind: "sms" | "email"; name: string; data: string }> } {
  const items: Array<{ kind: "sms" | "email"; name: string; data: string }> = [];
  return { items, put: (kind, name, data) => Promise.resolve(void items.push({ kind, name, data })) };
}

const stem = (id: string) => `${new Date().toISOString().replace(/[:.]/g, "-")}-${id}`;

const GSM = new Set(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€",
);

/** Segments a carrier bills: GSM-7 160 / 153 per part, else UCS-2 70 / 67 (extension characters counted once: an upper bound is not needed for alerts this short). */
export function segmentsOf(text: string): number {
  const chars = [...text];
  const gsm = chars.every((c) => GSM.has(c));
  const units = gsm ? chars.length : text.length;
  const [single, multi] = gsm ? [160, 153] : [70, 67];
  return units <= single ? 1 : Math.ceil(units / multi);
}

export function localLeadSms(sql: Sql, outbox: Outbox, from = "+15005550006"): LeadSms {
  return {
    provider: "local",
    async send(sms) {
      const segments = segmentsOf(sms.body);
      const outcome = await sql.begin(async (tx) => {
        // One alert per lead: a retried job finds the first log.
        await tx`select pg_advisory_xact_lock(hashtextextended(${"reports.lead_sms:" + sms.leadId}, 0))`;
        const [seen] = await tx`select status from reports.sms_logs where lead_id = ${sms.leadId} order by created_at limit 1`;
        if (seen) return { status: seen.status === "refused" ? "no_credits" as const : "sent" as const };
        try {
          await tx.savepoint((sp) => sp`
            select private.credit_apply(${sms.accountId}::uuid, 'sms', ${-segments}, 'usage', ${"sms:" + sms.idempotencyKey},
                                        ${`SMS to ${sms.to} (${segments} segment${segments === 1 ? "" : "s"})`}, null, null, null, ${sms.leadId})`);
        } catch (error) {
          if ((error as { code?: string }).code !== "PT402") throw error;
          await tx`insert into reports.sms_logs (account_id, lead_id, to_phone, from_phone, message, status)
                   values (${sms.accountId}, ${sms.leadId}, ${sms.to}, ${from}, ${sms.body}, 'refused')`;
          return { status: "no_credits" as const };
        }
        const sid = `LOCAL${crypto.randomUUID().replaceAll("-", "")}`;
        await tx`insert into reports.sms_logs (account_id, lead_id, to_phone, from_phone, message, status, twilio_sid)
                 values (${sms.accountId}, ${sms.leadId}, ${sms.to}, ${from}, ${sms.body}, 'sent', ${sid})`;
        // "Sent" before the commit: an outbox that fails rolls the debit and the log back.
        const record = { provider: "local", sid, to: sms.to, from, body: sms.body, segments, created_at: new Date().toISOString() };
        await outbox.put("sms", `${stem(crypto.randomUUID())}.json`, JSON.stringify(record, null, 2) + "\n");
        return { status: "sent" as const };
      });
      return { status: outcome.status };
    },
  };
}

const header = (v: string) => v.replace(/[\r\n]+/g, " ");

export function localLeadEmail(outbox: Outbox, from: string): LeadEmail {
  return {
    provider: "local",
    async send(m) {
      const id = crypto.randomUUID();
      const eml = [
        `From: ${header(from)}`, `To: ${header(m.to)}`, `Subject: ${header(m.subject)}`, `Date: ${new Date().toUTCString()}`,
        `Message-ID: <${id}@outbox.domus.local>`, "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit", "", m.text.replace(/\r?\n/g, "\r\n"), "",
      ].join("\r\n");
      await outbox.put("email", `${stem(id)}.eml`, eml);
      return { accepted: true, error: null };
    },
  };
}

export function leadMessagingFromEnv(sql: Sql, env: Env = (n) => Deno.env.get(n)): { sms: LeadSms; email: LeadEmail } {
  const outbox = fileOutbox(outboxDir(env));
  return { sms: localLeadSms(sql, outbox), email: localLeadEmail(outbox, env("REPORTS_MAIL_FROM") || "Domus Reports <reports@domus.local>") };
}
