// One property (CMA) report or consumer home-value report: the row goes
// pending -> processing, comparables and the value estimate come from the
// Homes valuation engine (SQL), market statistics for the property's ZIP
// code (else city) over the last complete calendar month, then the PDF
// (only the selected pages, in the report's theme) and, for a property
// report, the QR code of its public landing URL, both into Storage under
// fixed names; the row is completed with their object paths.
import { checkSelectedPages, renderPropertyPdf, type Subject } from "../_shared/reports/render/property-pdf.ts";
import { qrPng } from "../_shared/reports/render/qr.ts";
import type { MarketStats } from "../_shared/reports/render/types.ts";
import { BUCKET, type ReportGenerateDeps } from "./deps.ts";
import { PermanentError } from "./errors.ts";
import { CONTENT_TYPES, consumerPath, propertyPath } from "./paths.ts";

/** The last complete calendar month before `now` (UTC). */
export function lastFullMonth(now: Date): { period_start: string; period_end: string } {
  const firstOfThis = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const end = new Date(firstOfThis - 86_400_000);
  const start = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth(), 1));
  return { period_start: start.toISOString().slice(0, 10), period_end: end.toISOString().slice(0, 10) };
}

export async function runPropertyReport(deps: ReportGenerateDeps, kind: "property" | "consumer", id: string) {
  const started = performance.now();
  const row = await deps.store.beginPropertyReport(kind, id);
  if (!row) {
    if ((await deps.store.propertyReportStatus(kind, id)) === null) throw new PermanentError(`${kind} report ${id}: no such report`);
    return { skipped: true as const, files: [] as string[], processingMs: 0 };
  }
  const pages = checkSelectedPages(row.selected_pages);
  if ("error" in pages) throw new PermanentError(pages.error);
  if (!Number.isInteger(row.theme) || row.theme < 1 || row.theme > 5) throw new PermanentError("theme: 1 to 5");
  const now = deps.now?.() ?? new Date();

  const valuation = await deps.store.valuation(row.subject);
  // The row's own facts win; the Homes data fills what the row lacks.
  const subject: Subject = {
    ...row.subject,
    ...valuation.subject,
    ...Object.fromEntries(Object.entries(row.subject).filter(([, v]) => v !== null && v !== undefined)),
    address: row.subject.address,
  };
  let market: MarketStats | null = null;
  const area = row.subject.zip ? { cities: [], zip_codes: [row.subject.zip] } : row.subject.city ? { cities: [row.subject.city], zip_codes: [] } : null;
  // A consumer report always carries market statistics (they are stored on the row too).
  if (area && (kind === "consumer" || pages.pages.includes("market"))) {
    market = await deps.store.marketStats({ ...area, ...lastFullMonth(now) });
  }
  const { branding, agent } = await deps.store.brandingFor(row.account_id, row.user_id);
  const landing = kind === "property" && row.short_code ? deps.landingUrl(row.short_code) : null;
  const qr = landing ? await qrPng(landing) : null;
  const pdf = await renderPropertyPdf({
    report_id: id,
    kind,
    theme: row.theme,
    selected_pages: pages.pages,
    subject,
    comparables: valuation.comparables,
    value: valuation.value ?? { estimate: null, low: null, high: null, confidence: 0, method: "not_in_homes_data", comparables_count: 0, currency: "USD" },
    market,
    landing_url: landing,
    qr_png: qr,
    branding,
    agent,
    generated_at: now.toISOString(),
  });
  const pdfPath = kind === "property" ? propertyPath(row.account_id, id, "report.pdf") : consumerPath(row.account_id, id);
  await deps.storage.upload(BUCKET, pdfPath, pdf, CONTENT_TYPES.pdf, { upsert: true });
  let qrPath: string | null = null;
  if (qr) {
    qrPath = propertyPath(row.account_id, id, "qr.png");
    await deps.storage.upload(BUCKET, qrPath, qr, CONTENT_TYPES.png, { upsert: true });
  }
  await deps.store.completePropertyReport(kind, id, { pdf: pdfPath, qr: qrPath, comparables: valuation.comparables, value: valuation, market });
  return { skipped: false as const, files: [pdfPath, ...(qrPath ? [qrPath] : [])], processingMs: Math.round(performance.now() - started), landing };
}
