// Typed calls to the Reports messaging functions in Postgres (migrations
// 2026120223xxxx_reports_*): the webhook event log, suppressions, the
// scheduled-mail jobs on queue 'reports.mail' and their email_log rows, and
// SMS spend. Every write is a private.reports_* function (service_role).
import type { EventInput, EventOutcome, RecordedEvent } from "../billing/store.ts";
import type { Sql } from "../db.ts";
import type { EventLog } from "../webhook.ts";

/** The scheduled-mail queue (public.job_queues: worker function reports-mail). */
export const MAIL_QUEUE = "reports.mail";

export type EmailEventProvider = "resend" | "postmark";
export type SuppressionKind = "hard_bounce" | "complaint" | "unsubscribe";

export interface MailJob {
  /** bigint: postgres.js returns it as a string. */
  id: number | string;
  attempts: number;
  payload: { kind: string; schedule_run_id?: string };
}

/** What one scheduled email needs, from private.reports_mail_context. */
export interface MailContext {
  schedule_run_id: string;
  schedule_id: string;
  account_id: string;
  account_name: string;
  report_id: string;
  report_type: string;
  report_status: string;
  cities: string[] | null;
  zip_codes: string[] | null;
  period_start: string | null;
  period_end: string | null;
  urls: { html: string | null; json: string | null; csv: string | null; pdf: string | null };
  recipients: string[];
}

export interface ClaimedRecipient {
  email_log_id: string;
  email: string;
  /** 'send' (never sent, or a send that died half-way), 'skip_suppressed', or 'done' (already sent or skipped). */
  action: "send" | "skip_suppressed" | "done";
}

export interface SmsDebit {
  sms_log_id: string;
  segments: number;
  balance_after: number;
  /** false when this key was already debited (a retry): do not send again. */
  fresh: boolean;
  status: string;
}

export function messagingStore(sql: Sql) {
  const events: EventLog<EmailEventProvider> = {
    async recordEvent(e: Omit<EventInput, "provider"> & { provider: EmailEventProvider }): Promise<RecordedEvent> {
      const [row] = await sql`
        select * from private.reports_email_record_event(
          ${e.provider}, ${e.eventId}, ${e.eventType}, ${JSON.stringify(e.payload ?? {})}::text::jsonb, ${e.signatureValid},
          ${e.eventCreatedAt ? e.eventCreatedAt.toISOString() : null}::timestamptz, ${e.sourceIp ?? null}::inet, ${e.error ?? null},
          ${e.payloadSha256 ?? null}, ${e.payloadBytes ?? null}::int)`;
      return { id: row.email_event_id, shouldApply: row.should_apply, outcome: row.outcome };
    },
    async finishEvent(id: string, outcome: EventOutcome, error: string | null = null, accountId: string | null = null) {
      await sql`select private.reports_email_finish_event(${id}, ${outcome}, ${error}, ${accountId}::uuid)`;
    },
  };

  return {
    events,

    /** Suppresses an address a provider reported; returns the accounts it now applies to (none: ignored). */
    async suppressFromEvent(provider: EmailEventProvider, kind: Exclude<SuppressionKind, "unsubscribe">, email: string, messageId: string | null): Promise<string[]> {
      const [row] = await sql`
        select private.reports_email_suppress_from_event(${provider}, ${kind}, ${email}, ${messageId}) as accounts`;
      return row.accounts ?? [];
    },

    /** One-click / page unsubscribe: idempotent; false when the account no longer exists. */
    async unsubscribe(accountId: string, email: string): Promise<boolean> {
      const [row] = await sql`select private.reports_unsubscribe(${accountId}::uuid, ${email}) as ok`;
      return row.ok;
    },

    async claimMailJobs(worker: string, limit: number): Promise<MailJob[]> {
      return await sql<MailJob[]>`select id, attempts, payload from private.claim_jobs(${MAIL_QUEUE}, ${worker}, ${limit})`;
    },

    async completeJob(id: number | string, worker: string, result: Record<string, unknown>) {
      await sql`select private.complete_job(${id}, ${worker}, ${JSON.stringify(result)}::text::jsonb)`;
    },

    async failJob(id: number | string, worker: string, error: string) {
      await sql`select private.fail_job(${id}, ${worker}, ${error})`;
    },

    async mailContext(scheduleRunId: string): Promise<MailContext | null> {
      const [row] = await sql`select private.reports_mail_context(${scheduleRunId}::uuid) as ctx`;
      return (row?.ctx as MailContext | null) ?? null;
    },

    /** Claims each recipient's email_log row for this run (suppressed ones are logged as skipped there). */
    async claimRecipients(scheduleRunId: string, subject: string, provider: string): Promise<ClaimedRecipient[]> {
      return await sql<ClaimedRecipient[]>`
        select * from private.reports_mail_claim_recipients(${scheduleRunId}::uuid, ${subject}, ${provider})`;
    },

    async finishRecipient(emailLogId: string, r: { provider: string; status: "sent" | "failed"; responseCode: number; messageId: string | null; error: string | null }) {
      await sql`
        select private.reports_mail_finish_recipient(${emailLogId}::uuid, ${r.provider}, ${r.status}, ${r.responseCode}::int,
          ${r.messageId}, ${r.error})`;
    },

    /** Debits one 'sms' credit per segment and logs the SMS; PT402 (logged 'refused') when there are too few. */
    async smsDebit(i: { accountId: string; toPhone: string; fromPhone: string | null; message: string; segments: number; idempotencyKey: string; leadId?: string | null }): Promise<SmsDebit> {
      const [row] = await sql`
        select * from private.reports_send_sms_debit(${i.accountId}::uuid, ${i.toPhone}, ${i.fromPhone}, ${i.message},
          ${i.segments}::int, ${i.idempotencyKey}, ${i.leadId ?? null}::uuid)`;
      return row as SmsDebit;
    },

    async smsFinish(smsLogId: string, r: { status: string; sid: string | null; provider: string; error: string | null }) {
      await sql`select private.reports_sms_finish(${smsLogId}::uuid, ${r.status}, ${r.sid}, ${r.provider}, ${r.error})`;
    },
  };
}

export type MessagingStore = ReturnType<typeof messagingStore>;
