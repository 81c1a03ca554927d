// The Reports API (functions/api, issue 13): what a caller authenticated by
// an API key (`Authorization: Bearer trk_...`) may send and gets back. The
// route table (functions/_shared/reports/api/routes.ts) uses these schemas
// both to check requests and to publish GET /openapi.json. Bodies are strict:
// a field the database keeps (status, counters, account_id, next_run_at...)
// is refused here, as the column grants refuse it to a signed-in member.
import { z } from "zod";
import { text } from "./errors.ts";

/** Every scope a key may carry (reports.api_keys.scopes checks the same list). */
export const apiScopes = ["reports:read", "reports:write", "leads:read", "schedules:read", "schedules:write"] as const;
export const apiScope = z.enum(apiScopes);
export type ApiScope = z.infer<typeof apiScope>;

const uuid = text().uuid();
const day = text().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date (YYYY-MM-DD)");
const city = text().trim().min(1).max(100);
const zip = text().trim().regex(/^[A-Za-z0-9][A-Za-z0-9 -]{1,11}$/, "must be a postal code");
const format = z.enum(["html", "json", "csv", "pdf"]);

/** reports.create_api_key(p_account_id, p_name, p_scopes, p_rate_limit) through the Data API (owners, admins). */
export const createApiKeyInput = z.object({
  p_account_id: uuid,
  p_name: text().trim().min(1).max(100),
  p_scopes: z.array(apiScope).min(1).max(5),
  p_rate_limit: z.number().int().min(1).max(10_000).optional(),
}).strict();
export type CreateApiKeyInput = z.input<typeof createApiKeyInput>;

/** The answer of reports.create_api_key: `key` is shown this once and stored nowhere. */
export const createdApiKey = z.object({
  id: uuid,
  key: text(),
  key_prefix: text(),
  name: text(),
  scopes: z.array(apiScope),
  rate_limit: z.number().int(),
  created_at: text(),
});
export type CreatedApiKey = z.infer<typeof createdApiKey>;

/** POST /reports: a market report (the params of reports.request_market_report). */
export const marketReportInput = z.object({
  cities: z.array(city).max(20).optional(),
  zip_codes: z.array(zip).max(20).optional(),
  period_start: day,
  period_end: day,
  formats: z.array(format).min(1).max(4).optional(),
  idempotency_key: text().min(1).max(100).optional(),
}).strict();
export type MarketReportInput = z.input<typeof marketReportInput>;

export const reportStatus = z.enum(["pending", "processing", "completed", "failed"]);

/** A file of a completed report: a signed download URL, or the object path while signing is not wired. */
export const reportFile = z.object({
  format,
  path: text(),
  url: text().nullable(),
});

export const apiReport = z.object({
  id: uuid,
  status: reportStatus,
  error: text().nullable(),
  params: z.record(text(), z.unknown()),
  billable: z.boolean(),
  created_at: text(),
  generated_at: text().nullable(),
  files: z.array(reportFile),
});
export type ApiReport = z.infer<typeof apiReport>;

export const createdReport = z.object({ id: uuid, status: reportStatus });

export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  before: text().datetime({ offset: true }).optional(),
}).strict();

export const reportList = z.object({ data: z.array(apiReport), next_before: text().nullable() });

export const apiLead = z.object({
  id: uuid,
  property_report_id: uuid.nullable(),
  name: text().nullable(),
  email: text().nullable(),
  phone: text().nullable(),
  message: text().nullable(),
  source: text().nullable(),
  status: text(),
  created_at: text(),
});
export const leadList = z.object({ data: z.array(apiLead), next_before: text().nullable() });

const scheduleFields = {
  city: city.nullable(),
  zip_codes: z.array(zip).max(50),
  cadence: z.enum(["daily", "weekly", "monthly"]),
  weekly_dow: z.number().int().min(0).max(6).nullable(),
  monthly_dom: z.number().int().min(1).max(31).nullable(),
  send_hour: z.number().int().min(0).max(23),
  send_minute: z.number().int().min(0).max(59),
  recipients: z.array(text().max(254)).max(100),
  filters: z.record(text(), z.unknown()),
  active: z.boolean(),
  time_zone: text().min(1).max(64),
};

/** POST /schedules: the columns an owner or admin may set (reports.schedules grants). */
export const scheduleInput = z.object({
  ...scheduleFields,
  city: scheduleFields.city.optional(),
  zip_codes: scheduleFields.zip_codes.optional(),
  weekly_dow: scheduleFields.weekly_dow.optional(),
  monthly_dom: scheduleFields.monthly_dom.optional(),
  send_minute: scheduleFields.send_minute.optional(),
  recipients: scheduleFields.recipients.optional(),
  filters: scheduleFields.filters.optional(),
  active: scheduleFields.active.optional(),
  time_zone: scheduleFields.time_zone.optional(),
}).strict();
export type ScheduleInput = z.input<typeof scheduleInput>;

/** PATCH /schedules/:id: any of the same columns, at least one. */
export const schedulePatch = z.object(scheduleFields).partial().strict()
  .refine((p) => Object.keys(p).length > 0, { message: "nothing to change", path: ["cadence"] });
export type SchedulePatch = z.input<typeof schedulePatch>;

export const apiSchedule = z.object({
  id: uuid,
  ...scheduleFields,
  report_type: text(),
  consecutive_failures: z.number().int(),
  last_run_at: text().nullable(),
  next_run_at: text().nullable(),
  created_at: text(),
  updated_at: text(),
});
export type ApiSchedule = z.infer<typeof apiSchedule>;
export const scheduleList = z.object({ data: z.array(apiSchedule) });

export const idParams = z.object({ id: uuid }).strict();

/** The shared error shape of every function (functions/_shared/http.ts). */
export const apiError = z.object({
  error: z.object({ code: text(), message: text(), field: text().optional() }),
});
