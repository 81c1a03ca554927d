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

// ------------------------------------------------------------ part 2: leads, contacts, API keys, webhooks (issue 13)
// The functions' own contracts (reports-leads.ts, reports-contacts.ts,
// reports-api.ts, reports-webhooks.ts) define the bodies they accept; these
// are the Data API writes a client makes beside them, with the same limits
// as the database's triggers and checks.

/**
 * Like `.strict()`, but the refusal names the key ("account_id: is not
 * accepted here") instead of the whole input: what the database sets itself
 * (account_id after creation, counters, statuses, hashes, secrets, send
 * times) is refused by name before any request.
 */
function closed<T extends z.ZodRawShape>(schema: z.ZodObject<T>) {
  return schema.passthrough().superRefine((value, ctx) => {
    for (const key of Object.keys(value)) {
      if (!(key in schema.shape)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [key], message: "is not accepted here (the database sets it, or it is unknown)" });
    }
  }).transform((value) => value as z.output<z.ZodObject<T>>);
}
const nothingToChange = (p: object) => Object.keys(p).length > 0;

export const LEAD_STATUSES = ["new", "contacted", "qualified", "converted", "lost"] as const;
export const leadStatusValue = z.enum(LEAD_STATUSES);

/** An account's leads, newest first, by status, paged by created_at. */
export const leadFilters = z.object({
  status: z.union([leadStatusValue, z.array(leadStatusValue).min(1)]).optional(),
  property_report_id: uuid.optional(),
  before: text().datetime({ offset: true }).optional(),
  limit: z.number().int().min(1).max(200).default(50),
}).strict();
export type LeadFilters = z.input<typeof leadFilters>;

export const CONTACT_TYPE_VALUES = ["client", "prospect", "agent", "vendor", "other"] as const;
const contactEmail = text().trim().toLowerCase().max(254, "at most 254 characters").regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, "not an email address");
const contactFields = {
  email: contactEmail,
  name: text().trim().max(200, "at most 200 characters").nullish(),
  /** Any case; the database lower-cases it. */
  type: text().trim().toLowerCase().pipe(z.enum(CONTACT_TYPE_VALUES)).optional(),
  notes: text().max(2000, "at most 2000 characters").nullish(),
};

/** A new contact of an account (members): email unique per account ignoring case (23505 -> 409). */
export const contactInput = closed(z.object({ account_id: uuid, ...contactFields }));
export type ContactInput = z.input<typeof contactInput>;

/** What a member may change on a contact: never the account it belongs to. */
export const contactPatch = closed(z.object(contactFields).partial()).refine(nothingToChange, { message: "nothing to change", path: ["patch"] });
export type ContactPatch = z.input<typeof contactPatch>;

export const contactFilters = z.object({
  type: z.enum(CONTACT_TYPE_VALUES).optional(),
  /** Part of a name or address, case-insensitive. */
  search: text().trim().min(1).max(100).optional(),
  limit: z.number().int().min(1).max(1000).default(200),
  offset: z.number().int().min(0).max(1_000_000).default(0),
}).strict();
export type ContactFilters = z.input<typeof contactFilters>;

const groupName = text().trim().min(1, "1 to 100 characters").max(100, "1 to 100 characters");
export const contactGroupInput = closed(z.object({ account_id: uuid, name: groupName }));
export type ContactGroupInput = z.input<typeof contactGroupInput>;
export const contactGroupName = groupName;

/** Contacts to link to a group at once (each link once; the database refuses another account's contact). */
export const groupMemberIds = z.array(uuid).min(1, "one or more contact ids").max(1000, "at most 1000 at once")
  .refine((ids) => new Set(ids).size === ids.length, "each contact once");

/** The CSV the reports-contacts-import function reads: text, at most 1 MiB. */
export const contactsCsv = text().min(1, "an empty file").refine((csv) => new TextEncoder().encode(csv).byteLength <= 1_048_576, "at most 1 MiB");

export const API_KEY_SCOPES = ["reports:read", "reports:write", "leads:read", "schedules:read", "schedules:write"] as const;
/** reports.create_api_key (owners, admins): the key comes back once, in the answer. */
export const apiKeyInput = closed(z.object({
  account_id: uuid,
  name: text().trim().min(1, "1 to 100 characters").max(100, "1 to 100 characters"),
  scopes: z.array(z.enum(API_KEY_SCOPES)).min(1, "one or more scopes").max(5),
  /** Requests per minute, default 60. */
  rate_limit: z.number().int().min(1, "1 to 10000 requests per minute").max(10_000, "1 to 10000 requests per minute").optional(),
}));
export type ApiKeyInput = z.input<typeof apiKeyInput>;

export const WEBHOOK_EVENTS = ["report.completed", "report.failed", "lead.created", "schedule.run_failed", "webhook.test"] as const;
const webhookUrl = text().trim().max(2000, "at most 2000 characters").url("not a URL").regex(/^https?:\/\//i, "must be an http(s) URL");
const webhookEventList = z.array(z.enum(WEBHOOK_EVENTS)).min(1, "one or more events").max(5)
  .refine((e) => new Set(e).size === e.length, "each event once");

/** A new endpoint (owners, admins), made by the reports-webhooks function, which answers its secret once. */
export const webhookInput = closed(z.object({ account_id: uuid, url: webhookUrl, events: webhookEventList }));
export type WebhookInput = z.input<typeof webhookInput>;

/** What owners and admins change on an endpoint; the secret only by rotation, the rest is the delivery worker's. */
export const webhookPatch = closed(z.object({ url: webhookUrl, events: webhookEventList, is_active: z.boolean() }).partial())
  .refine(nothingToChange, { message: "nothing to change", path: ["patch"] });
export type WebhookPatch = z.input<typeof webhookPatch>;

export const DELIVERY_STATUSES = ["pending", "delivered", "failed", "dead"] as const;
export const deliveryFilters = z.object({
  status: z.union([z.enum(DELIVERY_STATUSES), z.array(z.enum(DELIVERY_STATUSES)).min(1)]).optional(),
  message_id: text().min(1).max(100).optional(),
  before: text().datetime({ offset: true }).optional(),
  limit: z.number().int().min(1).max(200).default(50),
}).strict();
export type DeliveryFilters = z.input<typeof deliveryFilters>;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^(?=.*:)[0-9A-Fa-f:.]{2,45}$/;
/** An address or CIDR range; the database keeps the network and refuses anything wider than /8 (IPv4) or /32 (IPv6). */
export const blockedAddress = text().trim().max(50).superRefine((value, ctx) => {
  const [address, bits, ...rest] = value.split("/");
  const v4 = IPV4.test(address ?? "");
  const v6 = !v4 && IPV6.test(address ?? "") && (address!.match(/::/g) ?? []).length <= 1;
  if (rest.length || (!v4 && !v6)) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: "an IPv4 or IPv6 address, or a CIDR range like 203.0.113.0/24" });
    return;
  }
  if (bits === undefined) return;
  const n = /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  const [min, max] = v4 ? [8, 32] : [32, 128];
  if (!(n >= min && n <= max)) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `a prefix length from /${min} to /${max}` });
});
const blockReason = text().trim().max(500, "at most 500 characters").nullish();
export const blockedIpInput = closed(z.object({ ip_address: blockedAddress, reason: blockReason }));
export type BlockedIpInput = z.input<typeof blockedIpInput>;
export const blockedIpReason = blockReason;

export const pageFilters = z.object({
  before: text().datetime({ offset: true }).optional(),
  limit: z.number().int().min(1).max(200).default(50),
}).strict();
export type PageFilters = z.input<typeof pageFilters>;

export const leaderboardFilters = z.object({ limit: z.number().int().min(1).max(500).default(50) }).strict();
export type LeaderboardFilters = z.input<typeof leaderboardFilters>;
