// Reports (seed 004) contracts for @domus/client: what a caller may send to
// the reports RPCs and tables, checked as the database checks it so a bad
// field is a 400 naming it before any request. The database stays the
// judge (quota, rights, the clock, time zones it knows); these rules only
// keep requests that it would refuse from leaving the client. The rendering
// contract (reports-generate.ts) is reused for pages, themes and signed files.
import { z } from "zod";
import { text } from "./errors.ts";
import { propertyReportTheme, selectedPages } from "./reports-generate.ts";

const uuid = text().uuid();
/** An address as the mailer keeps it: trimmed, lower case (the same rule as reports-messaging.ts). */
const emailAddress = text().trim().toLowerCase().email().max(320);

// ------------------------------------------------------------ market reports

/** The formats a market report renders (private.reports_market_params). */
export const MARKET_REPORT_FORMATS = ["html", "json", "csv", "pdf"] as const;
export const marketReportFormat = z.enum(MARKET_REPORT_FORMATS);

/** At most this many cities and this many ZIP codes; a period of at most this many days. */
export const MAX_REPORT_AREAS = 20;
export const MAX_REPORT_DAYS = 366;

const POSTAL = /^[A-Za-z0-9][A-Za-z0-9 -]{1,11}$/;
const city = text().trim().min(1, "each city is a name of 1 to 100 characters").max(100, "each city is a name of 1 to 100 characters");
const zipCode = text().trim().regex(POSTAL, "each ZIP code is 2 to 12 letters, digits, spaces or dashes");

/** A calendar date YYYY-MM-DD that exists (2026-02-30 does not). */
export const isoDate = text().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date (YYYY-MM-DD)").refine((s) => {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}, "must be a date (YYYY-MM-DD)");

const days = (start: string, end: string) => (Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / 86_400_000 + 1;

/** reports.request_market_report's p_params: the same checks as private.reports_market_params. */
export const marketReportParams = z.object({
  cities: z.array(city).max(MAX_REPORT_AREAS, `at most ${MAX_REPORT_AREAS} cities`).default([]),
  zip_codes: z.array(zipCode).max(MAX_REPORT_AREAS, `at most ${MAX_REPORT_AREAS} ZIP codes`).default([]),
  period_start: isoDate,
  period_end: isoDate,
  formats: z.array(marketReportFormat).min(1, "one or more of html, json, csv, pdf").optional(),
  idempotency_key: text().min(1).max(100).optional(),
}).strict().superRefine((p, ctx) => {
  if (p.cities.length + p.zip_codes.length === 0) {
    ctx.addIssue({ code: "custom", path: ["cities"], message: "give at least one city or ZIP code" });
  }
  if (p.period_end < p.period_start) {
    ctx.addIssue({ code: "custom", path: ["period_end"], message: "must be on or after period_start" });
  } else if (days(p.period_start, p.period_end) > MAX_REPORT_DAYS) {
    ctx.addIssue({ code: "custom", path: ["period_end"], message: `a period covers at most ${MAX_REPORT_DAYS} days` });
  }
});
export type MarketReportParams = z.input<typeof marketReportParams>;

export const REPORT_STATUSES = ["pending", "processing", "completed", "failed"] as const;
export const reportStatus = z.enum(REPORT_STATUSES);

/** Listing an account's reports: newest first, paged by created_at. */
export const reportListFilters = z.object({
  status: z.union([reportStatus, z.array(reportStatus).min(1)]).optional(),
  before: text().datetime({ offset: true }).optional(),
  limit: z.number().int().min(1).max(100).default(20),
}).strict();
export type ReportListFilters = z.input<typeof reportListFilters>;

// ------------------------------------------------------------ schedules

export const SCHEDULE_CADENCES = ["daily", "weekly", "monthly"] as const;
export const scheduleCadence = z.enum(SCHEDULE_CADENCES);

/** An IANA zone this runtime knows (the database checks it against its own list too). */
export const timeZone = text().min(1).max(64).refine((zone) => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, "unknown time zone");

const weeklyDow = z.number().int().min(0, "0 (Sunday) to 6 (Saturday)").max(6, "0 (Sunday) to 6 (Saturday)");
const monthlyDom = z.number().int().min(1, "1 to 31 (a day the month lacks runs on its last day)").max(31, "1 to 31 (a day the month lacks runs on its last day)");
const sendHour = z.number().int().min(0, "0 to 23").max(23, "0 to 23");
const sendMinute = z.number().int().min(0, "0 to 59").max(59, "0 to 59");
const recipients = z.array(emailAddress.refine((e) => e.length <= 254, "at most 254 characters")).max(100, "at most 100 addresses");
const scheduleCity = text().trim().min(1, "1 to 100 characters").max(100, "1 to 100 characters");
const scheduleZips = z.array(zipCode).max(50, "at most 50 ZIP codes");
// The database keeps any object up to 4 KB; the dispatcher reads `formats`.
const scheduleFilters = z.object({ formats: z.array(marketReportFormat).min(1).optional() }).passthrough()
  .refine((f) => new TextEncoder().encode(JSON.stringify(f)).length <= 4096, "at most 4096 bytes");

/** weekly needs weekly_dow and no monthly_dom; monthly the reverse; daily neither (schedules_weekly_has_dow / _monthly_has_dom). */
function checkCadence(
  s: { cadence?: string; weekly_dow?: number | null; monthly_dom?: number | null },
  ctx: z.RefinementCtx,
) {
  if (!s.cadence) return;
  if (s.cadence === "weekly" && (s.weekly_dow === undefined || s.weekly_dow === null)) {
    ctx.addIssue({ code: "custom", path: ["weekly_dow"], message: "a weekly schedule needs a day of the week (0-6)" });
  }
  if (s.cadence !== "weekly" && s.weekly_dow !== undefined && s.weekly_dow !== null) {
    ctx.addIssue({ code: "custom", path: ["weekly_dow"], message: `only weekly schedules have one (cadence is ${s.cadence})` });
  }
  if (s.cadence === "monthly" && (s.monthly_dom === undefined || s.monthly_dom === null)) {
    ctx.addIssue({ code: "custom", path: ["monthly_dom"], message: "a monthly schedule needs a day of the month (1-31)" });
  }
  if (s.cadence !== "monthly" && s.monthly_dom !== undefined && s.monthly_dom !== null) {
    ctx.addIssue({ code: "custom", path: ["monthly_dom"], message: `only monthly schedules have one (cadence is ${s.cadence})` });
  }
}

export const scheduleInput = z.object({
  account_id: uuid,
  city: scheduleCity.nullish(),
  zip_codes: scheduleZips.optional(),
  cadence: scheduleCadence,
  weekly_dow: weeklyDow.nullish(),
  monthly_dom: monthlyDom.nullish(),
  send_hour: sendHour,
  send_minute: sendMinute.optional(),
  recipients: recipients.optional(),
  filters: scheduleFilters.optional(),
  active: z.boolean().optional(),
  /** Default: the account's time zone. */
  time_zone: timeZone.optional(),
}).strict().superRefine((s, ctx) => {
  checkCadence(s, ctx);
  if (!s.city && !(s.zip_codes && s.zip_codes.length)) {
    ctx.addIssue({ code: "custom", path: ["city"], message: "give a city or at least one ZIP code" });
  }
});
export type ScheduleInput = z.input<typeof scheduleInput>;

/**
 * A change to a schedule. Changing the cadence sends the whole timing: the
 * day field of the new cadence, and the other one cleared (the client sends
 * null for it), so the row never holds a weekly day on a monthly schedule.
 */
export const schedulePatch = z.object({
  city: scheduleCity.nullish(),
  zip_codes: scheduleZips.optional(),
  cadence: scheduleCadence.optional(),
  weekly_dow: weeklyDow.nullish(),
  monthly_dom: monthlyDom.nullish(),
  send_hour: sendHour.optional(),
  send_minute: sendMinute.optional(),
  recipients: recipients.optional(),
  filters: scheduleFilters.optional(),
  active: z.boolean().optional(),
  time_zone: timeZone.optional(),
}).strict().superRefine(checkCadence).refine((p) => Object.keys(p).length > 0, { message: "nothing to change", path: ["patch"] });
export type SchedulePatch = z.input<typeof schedulePatch>;

// ------------------------------------------------------------ property (CMA) reports

export const PROPERTY_REPORT_TYPES = ["cma", "seller", "buyer", "listing"] as const;

/** reports.create_property_report's arguments (the same checks, field by field). */
export const propertyReportInput = z.object({
  account_id: uuid,
  property_address: text().trim().min(1, "1 to 300 characters").max(300, "1 to 300 characters"),
  property_city: text().trim().max(100).nullish(),
  property_state: text().trim().max(100).nullish(),
  property_zip: text().trim().regex(POSTAL, "2 to 12 letters, digits, spaces or dashes").nullish(),
  theme: propertyReportTheme.optional(),
  selected_pages: selectedPages.optional(),
  report_type: z.enum(PROPERTY_REPORT_TYPES).optional(),
  apn: text().trim().max(100).nullish(),
  expires_at: text().datetime({ offset: true }).nullish(),
}).strict();
export type PropertyReportInput = z.input<typeof propertyReportInput>;

/** What a member may change on a property report: switch it off/on, or move its expiry (null: never). */
export const propertyReportPatch = z.object({
  is_active: z.boolean().optional(),
  expires_at: text().datetime({ offset: true }).nullable().optional(),
}).strict().refine((p) => Object.keys(p).length > 0, { message: "nothing to change", path: ["patch"] });
export type PropertyReportPatch = z.input<typeof propertyReportPatch>;

// ------------------------------------------------------------ public (anon) calls

/** The code a landing page URL carries: 8 of the unambiguous alphabet (any case). */
export const shortCode = text().trim().regex(/^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$/i, "8 letters and digits (no 0, O, 1, I or L)");
export const sessionId = text().min(1).max(128);

export const landingInput = z.object({ short_code: shortCode, session_id: sessionId.optional() }).strict();
export type LandingInput = z.input<typeof landingInput>;

const E164 = /^\+[1-9][0-9]{6,14}$/;
/** Spaces, dots, dashes and brackets are dropped, as the database does, before the E.164 check. */
const phone = text().max(40).transform((p) => p.replace(/[\s.()-]/g, "")).refine((p) => E164.test(p), "an international number like +15125550100");

/** reports.request_consumer_report: consent and an email or phone are required. */
export const consumerReportInput = z.object({
  agent_code: text().trim().min(1).max(32),
  email: emailAddress.refine((e) => e.length <= 254, "at most 254 characters").nullish(),
  phone: phone.nullish(),
  consent: z.literal(true, { errorMap: () => ({ message: "the consumer must consent to be contacted" }) }),
  property_address: text().trim().min(1, "1 to 300 characters").max(300, "1 to 300 characters"),
  city: text().trim().max(100).nullish(),
  state: text().trim().max(100).nullish(),
  zip: text().trim().regex(POSTAL, "not a postal code").nullish(),
}).strict().superRefine((c, ctx) => {
  if (!c.email && !c.phone) ctx.addIssue({ code: "custom", path: ["email"], message: "give an email address or a phone number" });
});
export type ConsumerReportInput = z.input<typeof consumerReportInput>;

export const REPORT_EVENT_TYPES = ["open", "page_view", "cta_click", "share"] as const;
export const DEVICE_TYPES = ["desktop", "mobile", "tablet", "other"] as const;

/** reports.track_report_event: known events only, data an object of at most 2 KB. */
export const reportEventInput = z.object({
  report_id: uuid,
  event_type: z.enum(REPORT_EVENT_TYPES),
  event_data: z.record(text(), z.unknown()).refine((d) => new TextEncoder().encode(JSON.stringify(d)).length <= 2048, "at most 2048 bytes").optional(),
  session_id: sessionId.optional(),
  device_type: z.enum(DEVICE_TYPES).optional(),
}).strict();
export type ReportEventInput = z.input<typeof reportEventInput>;

// ------------------------------------------------------------ logs, suppressions, branding, admin

export const logFilters = z.object({
  before: text().datetime({ offset: true }).optional(),
  limit: z.number().int().min(1).max(200).default(50),
}).strict();
export type LogFilters = z.input<typeof logFilters>;

export const emailLogFilters = logFilters.extend({ schedule_id: uuid.optional(), schedule_run_id: uuid.optional() }).strict();
export type EmailLogFilters = z.input<typeof emailLogFilters>;

/** A manual suppression (the only kind an account adds; unsubscribe/bounce/complaint are the backend's). */
export const suppressionInput = z.object({
  account_id: uuid,
  email: emailAddress.refine((e) => e.length <= 254, "at most 254 characters"),
}).strict();
export type SuppressionInput = z.input<typeof suppressionInput>;

const hexColor = text().regex(/^#[0-9A-Fa-f]{6}$/, "a colour like #1d4ed8");
export const brandingInput = z.object({
  brand_display_name: text().trim().min(1, "1 to 100 characters").max(100, "1 to 100 characters").nullish(),
  logo_url: text().url().max(2000).refine((u) => u.startsWith("https://"), "an https:// URL").nullish(),
  primary_color: hexColor.nullish(),
  accent_color: hexColor.nullish(),
}).strict().refine((b) => Object.keys(b).length > 0, { message: "nothing to change", path: ["branding"] });
export type BrandingInput = z.input<typeof brandingInput>;

export const metricsRange = z.object({ from: isoDate.optional(), to: isoDate.optional() }).strict()
  .refine((r) => !r.from || !r.to || r.from <= r.to, { message: "must not be after to", path: ["from"] });
export type MetricsRange = z.input<typeof metricsRange>;
