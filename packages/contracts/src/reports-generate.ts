// Reports rendering contracts shared by the report-generate function and
// @domus/client: the job payloads of queue `reports`, the worker's body and
// answer, the signed-URL request and answer, and the fixed page list and
// themes of a property (CMA) report.
import { z } from "zod";
import { text } from "./errors.ts";

/** rp-core spells the lead's queue `reports` as `reports.render` (job_queues wants `<product>.<queue>`). */
export const REPORTS_QUEUE = "reports.render";

/** Pages a property report may include, in the order they are printed. */
export const PROPERTY_REPORT_PAGES = ["cover", "property", "comparables", "market", "estimate", "agent"] as const;
export type PropertyReportPage = typeof PROPERTY_REPORT_PAGES[number];
export const propertyReportPage = z.enum(PROPERTY_REPORT_PAGES);
/** A non-empty list of known pages without repeats. */
export const selectedPages = z.array(propertyReportPage).min(1).max(PROPERTY_REPORT_PAGES.length)
  .refine((pages) => new Set(pages).size === pages.length, "a page appears twice");
export const propertyReportTheme = z.number().int().min(1).max(5);

export const reportJobKind = z.enum(["market_report", "property_report", "consumer_report"]);
export type ReportJobKind = z.infer<typeof reportJobKind>;
export const reportJobPayload = z.object({ kind: reportJobKind, id: text().uuid() });
export type ReportJobPayload = z.infer<typeof reportJobPayload>;

/** The worker's body (service-role key); the scheduler sends {"queue": "reports.render"}. */
export const reportWorkerInput = z.object({
  queue: z.literal(REPORTS_QUEUE).default(REPORTS_QUEUE),
  batchSize: z.number().int().min(1).max(20).optional(),
  maxMs: z.number().int().min(0).max(600_000).optional(),
}).strict();

export interface ReportJobOutcome {
  job_id: number;
  kind: ReportJobKind | null;
  report_id: string | null;
  outcome: "completed" | "retrying" | "failed" | "skipped" | "lease_lost";
  files?: string[];
  processing_ms?: number;
  error?: string;
}

export interface ReportWorkerResponse {
  queue: typeof REPORTS_QUEUE;
  worker: string;
  claimed: number;
  /** Reports left processing by jobs that ran out of attempts, now recorded as failed. */
  abandoned_failed: number;
  jobs: ReportJobOutcome[];
}

/** GET /functions/v1/report-generate?id=<uuid> with a member's token. */
export const reportFilesQuery = z.object({ id: text().uuid() }).strict();

export const REPORT_FILE_FORMATS = ["html", "json", "csv", "pdf", "qr"] as const;
export type ReportFileFormat = typeof REPORT_FILE_FORMATS[number];

export interface ReportFilesResponse {
  id: string;
  kind: "market" | "property" | "consumer";
  status: "pending" | "processing" | "completed" | "failed";
  error_message: string | null;
  /** Seconds each URL stays valid. */
  expires_in: number;
  expires_at: string;
  /** A signed URL per stored file; formats not stored are absent. */
  files: Partial<Record<ReportFileFormat, string>>;
}
