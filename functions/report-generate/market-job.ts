// One market report: begin (pending -> processing, or resume a retried
// job's processing row), statistics in SQL, branding and the agent's
// details, each requested format rendered and stored under its fixed name,
// then complete (urls, processing time; billing happens there, once per
// report id).
import { renderMarketCsv } from "../_shared/reports/render/csv.ts";
import { renderMarketHtml } from "../_shared/reports/render/market-html.ts";
import { renderMarketJson } from "../_shared/reports/render/market-json.ts";
import { renderMarketPdf } from "../_shared/reports/render/market-pdf.ts";
import { areaLabel } from "../_shared/reports/render/format.ts";
import type { ReportMeta } from "../_shared/reports/render/types.ts";
import { BUCKET, type ReportGenerateDeps } from "./deps.ts";
import { CONTENT_TYPES, marketPath } from "./paths.ts";
import { PermanentError } from "./errors.ts";

export async function runMarketReport(deps: ReportGenerateDeps, id: string) {
  const started = performance.now();
  const row = await deps.store.generation(id);
  if (!row) throw new PermanentError(`report ${id}: no such report generation`);
  if (row.status === "completed") return { skipped: true as const, files: [] as string[], processingMs: 0 };
  const params = await deps.store.beginGeneration(id);
  const stats = await deps.store.marketStats(params);
  const { branding, agent } = await deps.store.brandingFor(row.account_id, row.user_id);
  const meta: ReportMeta = {
    report_id: id,
    title: `Market report: ${areaLabel(stats)}`,
    generated_at: (deps.now?.() ?? new Date()).toISOString(),
    branding,
    agent,
  };
  const encoder = new TextEncoder();
  const urls: Record<string, string> = {};
  for (const format of params.formats) {
    const bytes = format === "pdf"
      ? await renderMarketPdf(stats, meta)
      : encoder.encode(format === "html" ? renderMarketHtml(stats, meta) : format === "json" ? renderMarketJson(stats, meta) : renderMarketCsv(stats, meta));
    const path = marketPath(row.account_id, id, format);
    await deps.storage.upload(BUCKET, path, bytes, CONTENT_TYPES[format], { upsert: true });
    urls[`${format}_url`] = path;
  }
  const processingMs = Math.max(0, Math.round(performance.now() - started));
  await deps.store.completeGeneration(id, urls, processingMs);
  return { skipped: false as const, files: Object.values(urls), processingMs };
}
