// CSV per RFC 4180 (CRLF rows, fields with a comma, quote, CR or LF quoted,
// quotes doubled) and safe to open in a spreadsheet: a text cell starting
// with = + - @ (or a tab / CR, which some spreadsheets strip first) gets a
// leading apostrophe so it is never read as a formula. Numbers are written
// as numbers, so -3.2 stays a number.
import { METRIC_LABELS } from "./format.ts";
import { type MarketStats, METRIC_KEYS, type ReportMeta } from "./types.ts";

export type Cell = string | number | boolean | null | undefined;

export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return "";
  let s: string;
  if (typeof value === "number") s = Number.isFinite(value) ? String(value) : "";
  else if (typeof value === "boolean") s = value ? "true" : "false";
  else {
    s = value;
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  }
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(rows: Cell[][]): string {
  return rows.map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

/** RFC 4180 parser (the inverse of toCsv, less the formula guard). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') {
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && field === "") {
      quoted = true;
      i++;
    } else if (c === ",") {
      row.push(field);
      field = "";
      i++;
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i += 2;
    } else {
      field += c;
      i++;
    }
  }
  if (field !== "" || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/**
 * Three blocks in one sheet, separated by an empty row: what the report is,
 * the metrics (value, MoM %, YoY %), and the monthly series.
 */
export function renderMarketCsv(stats: MarketStats, meta: ReportMeta): string {
  const rows: Cell[][] = [
    ["report_id", meta.report_id],
    ["title", meta.title],
    ["generated_at", meta.generated_at],
    ["cities", stats.areas.cities.join("; ")],
    ["zip_codes", stats.areas.zip_codes.join("; ")],
    ["period_start", stats.period.start],
    ["period_end", stats.period.end],
    ["currency", stats.currency],
    ["closed_sales", stats.closed_sales],
    ["enough_data", stats.enough_data],
    ["message", stats.message],
    [],
    ["metric", "label", "value", "mom_pct", "yoy_pct"],
    ...METRIC_KEYS.map((k): Cell[] => {
      const m = stats.metrics[k];
      return [k, METRIC_LABELS[k], m?.value, m?.mom_pct, m?.yoy_pct];
    }),
    [],
    ["month", "closed_sales", "median_sale_price", "median_price_per_sqft", "median_days_on_market", "active_inventory", "months_of_supply"],
    ...stats.series.map((s): Cell[] => [
      s.month,
      s.closed_sales,
      s.median_sale_price,
      s.median_price_per_sqft,
      s.median_days_on_market,
      s.active_inventory,
      s.months_of_supply,
    ]),
  ];
  return toCsv(rows);
}
