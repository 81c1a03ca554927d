// The leads module's database calls (service_role): submitting a lead with
// the trusted sender address, and the notification queue reports.leads.
// Every write is a private.reports_* function, so the rules live in SQL
// (supabase/migrations/20261202300200_reports_submit_lead.sql).
import type { Sql } from "../../db.ts";

export type SubmitOutcome = "accepted" | "blocked" | "rate_limited";

export interface SubmitLead {
  shortCode: string;
  /** From the trusted client-address header only (null: unknown). */
  ip: string | null;
  name?: string;
  email?: string;
  phone?: string;
  message?: string;
  consent: boolean;
  source?: string;
}

export interface LeadJob {
  id: number;
  payload: { lead_id?: string };
  attempts: number;
  max_attempts: number;
}

/** What the worker needs of a lead (private.reports_lead_for_notification). */
export interface LeadForNotification {
  lead_id: string;
  account_id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  message: string | null;
  source: string;
  sms_sent_at: string | null;
  email_sent_at: string | null;
  short_code: string | null;
  property_address: string | null;
  property_city: string | null;
  agent: { id: string; name: string; email: string | null; phone: string | null } | null;
}

export type SmsOutcome = "sent" | "no_credits" | "no_phone" | "failed" | "skipped";

export function leadsStore(sql: Sql) {
  return {
    async submit(l: SubmitLead): Promise<{ outcome: SubmitOutcome; lead_id: string | null }> {
      const [row] = await sql`
        select private.reports_submit_lead(${l.shortCode}, ${l.ip}::inet, ${l.name ?? null}, ${l.email ?? null},
          ${l.phone ?? null}, ${l.message ?? null}, ${l.consent}, ${l.source ?? null}) as r`;
      return row.r;
    },
    async claim(worker: string, limit: number): Promise<LeadJob[]> {
      const rows = await sql`
        select id, payload, attempts, max_attempts from private.claim_jobs('reports.leads', ${worker}, ${limit})`;
      // bigint ids arrive as strings.
      return rows.map((r) => ({ id: Number(r.id), payload: r.payload, attempts: r.attempts, max_attempts: r.max_attempts }));
    },
    async lead(leadId: string): Promise<LeadForNotification> {
      const [row] = await sql`select private.reports_lead_for_notification(${leadId}::uuid) as r`;
      return row.r;
    },
    async notified(leadId: string, sms: SmsOutcome, emailSent: boolean): Promise<void> {
      await sql`select private.reports_lead_notified(${leadId}::uuid, ${sms}, ${emailSent})`;
    },
    async completeJobs(worker: string, ids: number[], results: unknown[]): Promise<Set<number>> {
      const rows = await sql`select private.complete_jobs(${ids}::bigint[], ${worker}, ${JSON.stringify(results)}::text::jsonb) as id`;
      return new Set(rows.map((r) => Number(r.id)));
    },
    async failJob(id: number, worker: string, error: string, retry = true): Promise<void> {
      await sql`select private.fail_job(${id}, ${worker}, ${error.slice(0, 2000)}, ${retry})`;
    },
  };
}

export type LeadsStore = ReturnType<typeof leadsStore>;
