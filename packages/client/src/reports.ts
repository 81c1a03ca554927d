// Reports (seed 004): market reports (request, poll, list, signed download
// links), schedules, property (CMA) reports, the public landing page,
// consumer report requests and events (anon), email / SMS logs and
// suppressions, affiliate branding and the platform's daily metrics; part 2
// (leads, contacts, API keys, webhooks) is composed in from reports-crm.ts
// and reports-integrations.ts. Every
// rule (quota and overage, rights, statuses, next_run_at, counters) is the
// database's; the client validates input with the shared contracts so a bad
// field is a 400 before any request, and keeps the database's refusals'
// statuses (PT402 -> 402, PT409 -> 409, PT404 -> 404, 42501 -> 403).
import {
  brandingInput,
  type BrandingInput,
  consumerReportInput,
  type ConsumerReportInput,
  emailLogFilters,
  type EmailLogFilters,
  landingInput,
  logFilters,
  type LogFilters,
  marketReportParams,
  type MarketReportParams,
  metricsRange,
  type MetricsRange,
  propertyReportInput,
  type PropertyReportInput,
  propertyReportPatch,
  type PropertyReportPatch,
  reportEventInput,
  type ReportEventInput,
  reportListFilters,
  type ReportListFilters,
  scheduleInput,
  type ScheduleInput,
  schedulePatch,
  type SchedulePatch,
  suppressionInput,
  type SuppressionInput,
} from "@domus/contracts/reports.ts";
import { reportFilesQuery, type ReportFilesResponse } from "@domus/contracts/reports-generate.ts";
import { z } from "zod";
import type { Database, Json } from "./database.types.ts";
import { DomusError, unwrap } from "./errors.ts";
import type { FunctionInvoker } from "./functions.ts";
import { reportsCrmApi } from "./reports-crm.ts";
import { reportsIntegrationsApi } from "./reports-integrations.ts";
import type { DomusSupabase } from "./supabase.ts";
import { validate } from "./validate.ts";

type Tables = Database["reports"]["Tables"];
export type ReportGeneration = Tables["report_generations"]["Row"];
export type ReportSchedule = Tables["schedules"]["Row"];
export type ScheduleRun = Tables["schedule_runs"]["Row"];
export type PropertyReport = Tables["property_reports"]["Row"];
export type PropertyReportStats = Tables["property_report_stats"]["Row"];
export type PropertyReportStatsDaily = Tables["property_report_stats_daily"]["Row"];
export type ConsumerReport = Tables["consumer_reports"]["Row"];
export type ReportEvent = Tables["report_analytics"]["Row"];
export type EmailLogEntry = Tables["email_log"]["Row"];
export type EmailSuppression = Tables["email_suppressions"]["Row"];
export type SmsLogEntry = Tables["sms_logs"]["Row"];
export type AffiliateBranding = Tables["affiliate_branding"]["Row"];
export type AdminDailyMetrics = Database["reports"]["Views"]["admin_daily_metrics"]["Row"];
export type ReportFiles = ReportFilesResponse;

/** What reports.property_report_landing answers: only what the public page needs. */
export interface PropertyReportLanding {
  short_code: string;
  report_type: string;
  theme: number;
  selected_pages: string[];
  property: { address: string; city: string | null; state: string | null; zip: string | null };
  comparables: { count: number; median_sold_price: number | null; min_sold_price: number | null; max_sold_price: number | null; items: Array<Record<string, string | number | null>> };
  agent: { name: string | null; photo_url: string | null; license_number: string | null; headline: string | null; subheadline: string | null; cta: string | null } | null;
  branding: { display_name: string | null; logo_url: string | null; primary_color: string | null; accent_color: string | null };
  pdf_available: boolean;
}

export interface PropertyReportWithStats extends PropertyReport {
  stats: PropertyReportStats | null;
  daily: PropertyReportStatsDaily[];
}

const uuid = z.string().uuid();

// The ReportFilesResponse of report-generate, checked so a drifted function fails loudly.
const reportFilesResponse: z.ZodType<ReportFilesResponse> = z.object({
  id: z.string(),
  kind: z.enum(["market", "property", "consumer"]),
  status: z.enum(["pending", "processing", "completed", "failed"]),
  error_message: z.string().nullable(),
  expires_in: z.number(),
  expires_at: z.string(),
  files: z.object({ html: z.string(), json: z.string(), csv: z.string(), pdf: z.string(), qr: z.string() }).partial(),
});

// The RPCs' arguments are checked by the contracts before the call; their
// answers are typed here.
type ReportsRpc = keyof Database["reports"]["Functions"];

/** Drops undefined keys (PostgREST would write null for an explicit null, which is what null means here). */
function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function reportsApi(supabase: DomusSupabase, invoke: FunctionInvoker) {
  const reports = () => supabase.schema("reports");
  const rpc = async <T>(fn: ReportsRpc, args: Record<string, unknown>): Promise<T> =>
    unwrap(await reports().rpc(fn, args as never)) as T;

  return {
    // Part 2 (issue 13): leads, contacts and groups, admin views (reports-crm.ts);
    // API keys and webhooks (reports-integrations.ts). One `reports` namespace.
    ...reportsCrmApi(supabase, invoke),
    ...reportsIntegrationsApi(supabase, invoke),

    // ---------------------------------------------------------- market reports

    /**
     * Requests a market report (reports.request_market_report): billed against
     * the plan's allowance (402 past it unless the plan sells overage), rendered
     * by the report-generate worker. Pass `idempotency_key` when retrying: the
     * same key returns the first report's id and charges nothing.
     */
    async requestMarketReport(accountId: string, params: MarketReportParams): Promise<string> {
      validate(uuid, accountId);
      const p = validate(marketReportParams, params);
      return rpc<string>("request_market_report", { p_account_id: accountId, p_params: defined(p) });
    },

    /** One report, to poll its status (pending -> processing -> completed | failed with error_message). */
    async report(reportId: string): Promise<ReportGeneration> {
      validate(uuid, reportId);
      return unwrap(await reports().from("report_generations").select("*").eq("id", reportId).single());
    },

    /** The account's market reports, newest first; page on with `before` = the last row's created_at. */
    async reports(accountId: string, filters: ReportListFilters = {}): Promise<ReportGeneration[]> {
      validate(uuid, accountId);
      const f = validate(reportListFilters, filters);
      let query = reports().from("report_generations").select("*").eq("account_id", accountId);
      if (typeof f.status === "string") query = query.eq("status", f.status);
      else if (f.status) query = query.in("status", f.status);
      if (f.before) query = query.lt("created_at", f.before);
      return unwrap(await query.order("created_at", { ascending: false }).order("id").limit(f.limit));
    },

    /**
     * Short-lived signed URLs of a report's stored files (market: html / json /
     * csv / pdf; property and consumer reports: pdf, qr), from report-generate.
     * Members of the report's account only; anyone else gets 404.
     */
    async files(reportId: string): Promise<ReportFiles> {
      const { id } = validate(reportFilesQuery, { id: reportId });
      return invoke(`report-generate?id=${encodeURIComponent(id)}`, reportFilesResponse, { method: "GET" });
    },

    // ---------------------------------------------------------- schedules

    async schedules(accountId: string): Promise<ReportSchedule[]> {
      validate(uuid, accountId);
      return unwrap(await reports().from("schedules").select("*").eq("account_id", accountId).order("created_at").order("id"));
    },

    /**
     * Owners and admins: a recurring market report. `next_run_at` is the
     * database's (the first due time in the schedule's zone, the account's by default).
     */
    async createSchedule(input: ScheduleInput): Promise<ReportSchedule> {
      const s = validate(scheduleInput, input);
      const row = defined({ ...s, filters: s.filters as Json | undefined }) as Tables["schedules"]["Insert"];
      return unwrap(await reports().from("schedules").insert(row).select("*").single());
    },

    /** Owners and admins: a new cadence sends its day field and clears the other one. */
    async updateSchedule(scheduleId: string, patch: SchedulePatch): Promise<ReportSchedule> {
      validate(uuid, scheduleId);
      const p = validate(schedulePatch, patch);
      const change: Record<string, unknown> = defined({ ...p, filters: p.filters as Json | undefined });
      if (p.cadence) {
        if (p.cadence !== "weekly") change.weekly_dow = null;
        if (p.cadence !== "monthly") change.monthly_dom = null;
      }
      return unwrap(await reports().from("schedules").update(change as Tables["schedules"]["Update"]).eq("id", scheduleId).select("*").single());
    },

    /** Pauses (false) or resumes (true) a schedule; resuming recomputes next_run_at and clears the failure count. */
    async setScheduleActive(scheduleId: string, active: boolean): Promise<ReportSchedule> {
      validate(uuid, scheduleId);
      validate(z.boolean(), active);
      return unwrap(await reports().from("schedules").update({ active }).eq("id", scheduleId).select("*").single());
    },

    async deleteSchedule(scheduleId: string): Promise<void> {
      validate(uuid, scheduleId);
      unwrap(await reports().from("schedules").delete().eq("id", scheduleId));
    },

    /** A schedule's runs, newest first, each with the report it made (report_run_id). */
    async scheduleRuns(scheduleId: string, filters: LogFilters = {}): Promise<ScheduleRun[]> {
      validate(uuid, scheduleId);
      const f = validate(logFilters, filters);
      let query = reports().from("schedule_runs").select("*").eq("schedule_id", scheduleId);
      if (f.before) query = query.lt("started_at", f.before);
      return unwrap(await query.order("started_at", { ascending: false }).order("id").limit(f.limit));
    },

    // ---------------------------------------------------------- property (CMA) reports

    /** Members: a property report (metered; 402 past the allowance), rendered to PDF with a QR code. Returns its id. */
    async createPropertyReport(input: PropertyReportInput): Promise<string> {
      const r = validate(propertyReportInput, input);
      return rpc<string>("create_property_report", defined({
        p_account_id: r.account_id,
        p_property_address: r.property_address,
        p_property_city: r.property_city ?? undefined,
        p_property_state: r.property_state ?? undefined,
        p_property_zip: r.property_zip ?? undefined,
        p_theme: r.theme,
        p_selected_pages: r.selected_pages,
        p_report_type: r.report_type,
        p_apn: r.apn ?? undefined,
        p_expires_at: r.expires_at ?? undefined,
      }));
    },

    async propertyReports(accountId: string, filters: LogFilters = {}): Promise<PropertyReport[]> {
      validate(uuid, accountId);
      const f = validate(logFilters, filters);
      let query = reports().from("property_reports").select("*").eq("account_id", accountId);
      if (f.before) query = query.lt("created_at", f.before);
      return unwrap(await query.order("created_at", { ascending: false }).order("id").limit(f.limit));
    },

    /** One property report with its view counters (total and per UTC day, newest day first). */
    async propertyReport(reportId: string): Promise<PropertyReportWithStats> {
      validate(uuid, reportId);
      const row = unwrap(
        await reports()
          .from("property_reports")
          .select("*, stats:property_report_stats(*), daily:property_report_stats_daily(*)")
          .eq("id", reportId)
          .order("date", { referencedTable: "property_report_stats_daily", ascending: false })
          .single(),
      ) as unknown as PropertyReport & { stats: PropertyReportStats | PropertyReportStats[] | null; daily: PropertyReportStatsDaily[] | null };
      const stats = Array.isArray(row.stats) ? (row.stats[0] ?? null) : row.stats;
      return { ...row, stats, daily: row.daily ?? [] };
    },

    /** Switches a property report's landing page off or on, or moves its expiry (authors, owners, admins). */
    async updatePropertyReport(reportId: string, patch: PropertyReportPatch): Promise<PropertyReport> {
      validate(uuid, reportId);
      const p = validate(propertyReportPatch, patch);
      return unwrap(await reports().from("property_reports").update(p).eq("id", reportId).select("*").single());
    },

    async deletePropertyReport(reportId: string): Promise<void> {
      validate(uuid, reportId);
      unwrap(await reports().from("property_reports").delete().eq("id", reportId));
    },

    // ---------------------------------------------------------- public: landing page, consumer reports, events

    /** The public landing page by short code (anon). Each call counts a view; unknown, off or expired: 404. */
    async landing(code: string, session?: string): Promise<PropertyReportLanding> {
      const l = validate(landingInput, defined({ short_code: code, session_id: session }));
      return rpc<PropertyReportLanding>("property_report_landing", defined({ p_short_code: l.short_code, p_session_id: l.session_id }));
    },

    /** A consumer asks an agent (by agent_code) for a report (anon): consent and an email or phone required. Returns the report's id. */
    async requestConsumerReport(input: ConsumerReportInput): Promise<string> {
      const c = validate(consumerReportInput, input);
      return rpc<string>("request_consumer_report", {
        p_agent_code: c.agent_code,
        p_email: c.email ?? null,
        p_phone: c.phone ?? null,
        p_consent: c.consent,
        p_property_address: c.property_address,
        p_city: c.city ?? null,
        p_state: c.state ?? null,
        p_zip: c.zip ?? null,
      });
    },

    /** An event on a consumer report (anon): open, page_view, cta_click or share. */
    async trackEvent(input: ReportEventInput): Promise<void> {
      const e = validate(reportEventInput, input);
      await rpc<null>("track_report_event", {
        p_report_id: e.report_id,
        p_event_type: e.event_type,
        p_event_data: e.event_data ?? {},
        p_session_id: e.session_id ?? null,
        p_device_type: e.device_type ?? null,
      });
    },

    /** The account's consumer reports, newest first. */
    async consumerReports(accountId: string, filters: LogFilters = {}): Promise<ConsumerReport[]> {
      validate(uuid, accountId);
      const f = validate(logFilters, filters);
      let query = reports().from("consumer_reports").select("*").eq("account_id", accountId);
      if (f.before) query = query.lt("created_at", f.before);
      return unwrap(await query.order("created_at", { ascending: false }).order("id").limit(f.limit));
    },

    /** A consumer report's events, newest first. */
    async reportEvents(reportId: string, filters: LogFilters = {}): Promise<ReportEvent[]> {
      validate(uuid, reportId);
      const f = validate(logFilters, filters);
      let query = reports().from("report_analytics").select("*").eq("report_id", reportId);
      if (f.before) query = query.lt("created_at", f.before);
      return unwrap(await query.order("created_at", { ascending: false }).order("id").limit(f.limit));
    },

    // ---------------------------------------------------------- messaging logs and suppressions

    /** Every email the account's schedules sent or skipped, newest first. */
    async emailLog(accountId: string, filters: EmailLogFilters = {}): Promise<EmailLogEntry[]> {
      validate(uuid, accountId);
      const f = validate(emailLogFilters, filters);
      let query = reports().from("email_log").select("*").eq("account_id", accountId);
      if (f.schedule_id) query = query.eq("schedule_id", f.schedule_id);
      if (f.schedule_run_id) query = query.eq("schedule_run_id", f.schedule_run_id);
      if (f.before) query = query.lt("created_at", f.before);
      return unwrap(await query.order("created_at", { ascending: false }).order("id").limit(f.limit));
    },

    async smsLog(accountId: string, filters: LogFilters = {}): Promise<SmsLogEntry[]> {
      validate(uuid, accountId);
      const f = validate(logFilters, filters);
      let query = reports().from("sms_logs").select("*").eq("account_id", accountId);
      if (f.before) query = query.lt("created_at", f.before);
      return unwrap(await query.order("created_at", { ascending: false }).order("id").limit(f.limit));
    },

    /** The account's suppressed addresses (platform admins also see the global ones with account_id null). */
    async suppressions(accountId: string): Promise<EmailSuppression[]> {
      validate(uuid, accountId);
      return unwrap(await reports().from("email_suppressions").select("*").eq("account_id", accountId).order("created_at").order("id"));
    },

    /** Owners and admins: never mail this address again from this account (reason `manual`; 409 if already suppressed). */
    async addSuppression(input: SuppressionInput): Promise<EmailSuppression> {
      const s = validate(suppressionInput, input);
      return unwrap(await reports().from("email_suppressions").insert({ account_id: s.account_id, email: s.email, reason: "manual" }).select("*").single());
    },

    /** Owners and admins: removes a manual suppression (what a recipient asked for stays). */
    async removeSuppression(suppressionId: string): Promise<void> {
      validate(uuid, suppressionId);
      const removed = unwrap(await reports().from("email_suppressions").delete().eq("id", suppressionId).select("id"));
      // RLS hides rows the caller may not delete: say so rather than succeed silently.
      if (!removed.length) throw new DomusError("id: no manual suppression of yours with this id", "not_found", 404, "id");
    },

    // ---------------------------------------------------------- affiliate branding

    /** An affiliate's branding (its members, and members of the accounts it sponsors); null when none is set. */
    async branding(accountId: string): Promise<AffiliateBranding | null> {
      validate(uuid, accountId);
      return unwrap(await reports().from("affiliate_branding").select("*").eq("account_id", accountId).maybeSingle());
    },

    /** Owners and admins of an affiliate account: sets the fields given (creates the row the first time). */
    async saveBranding(accountId: string, input: BrandingInput): Promise<AffiliateBranding> {
      validate(uuid, accountId);
      const b = validate(brandingInput, input);
      const updated = unwrap(await reports().from("affiliate_branding").update(b).eq("account_id", accountId).select("*"));
      if (updated.length) return updated[0]!;
      return unwrap(await reports().from("affiliate_branding").insert({ account_id: accountId, ...b }).select("*").single());
    },

    async deleteBranding(accountId: string): Promise<void> {
      validate(uuid, accountId);
      unwrap(await reports().from("affiliate_branding").delete().eq("account_id", accountId));
    },

    // ---------------------------------------------------------- platform admins

    /** Signups, reports and revenue per UTC day, newest first (platform admins; everyone else gets no rows). */
    async adminDailyMetrics(range: MetricsRange = {}): Promise<AdminDailyMetrics[]> {
      const r = validate(metricsRange, range);
      let query = reports().from("admin_daily_metrics").select("*");
      if (r.from) query = query.gte("day", r.from);
      if (r.to) query = query.lte("day", r.to);
      return unwrap(await query.order("day", { ascending: false }));
    },
  };
}

export type ReportsApi = ReturnType<typeof reportsApi>;
