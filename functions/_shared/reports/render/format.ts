// Numbers and labels shared by every format, so the HTML, CSV and PDF of one
// report print the same figures.
import type { MarketStats, MetricKey } from "./types.ts";

export const METRIC_LABELS: Record<MetricKey, string> = {
  median_sale_price: "Median sale price",
  median_price_per_sqft: "Median price per sq ft",
  median_days_on_market: "Median days on market",
  active_inventory: "Active inventory",
  months_of_supply: "Months of supply",
  absorption_rate_pct: "Absorption rate",
  avg_sale_to_list_pct: "Avg sale-to-list",
  closed_sales: "Closed sales",
};

const MONEY_METRICS = new Set<MetricKey>(["median_sale_price", "median_price_per_sqft"]);
const PCT_METRICS = new Set<MetricKey>(["absorption_rate_pct", "avg_sale_to_list_pct"]);
const DECIMAL_METRICS = new Set<MetricKey>(["months_of_supply"]);

const grouped = (n: number, digits: number) =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

export function money(v: number | null | undefined, currency = "USD"): string {
  if (!isNum(v)) return "n/a";
  const symbol = currency === "USD" ? "$" : `${currency} `;
  return `${v < 0 ? "-" : ""}${symbol}${grouped(Math.abs(v), Math.abs(v) < 1000 && !Number.isInteger(v) ? 2 : 0)}`;
}

/** A metric's value as printed. */
export function metricValue(key: MetricKey, v: number | null | undefined, currency = "USD"): string {
  if (!isNum(v)) return "n/a";
  if (MONEY_METRICS.has(key)) return money(v, currency);
  if (PCT_METRICS.has(key)) return `${grouped(v, 1)}%`;
  if (DECIMAL_METRICS.has(key)) return grouped(v, 1);
  return grouped(v, 0);
}

/** A change in percent, signed: +3.2%, -0.5%, 0.0%. */
export function changePct(v: number | null | undefined): string {
  if (!isNum(v)) return "n/a";
  const s = grouped(Math.abs(v), 1);
  return `${v > 0 ? "+" : v < 0 ? "-" : ""}${s}%`;
}

export function areaLabel(stats: MarketStats): string {
  const parts = [...(stats.areas.cities ?? []), ...(stats.areas.zip_codes ?? [])];
  return parts.length ? parts.join(", ") : "All areas";
}

export const periodLabel = (stats: MarketStats) => `${stats.period.start} to ${stats.period.end}`;

export function notEnoughMessage(stats: MarketStats): string {
  return stats.message ?? `Not enough data: ${stats.closed_sales} closed sales in the period, at least ${stats.min_sales} needed.`;
}

/** "#1f6feb"-style colours only; anything else falls back (it ends up in CSS and PDF operators). */
export function safeColor(v: string | null | undefined, fallback: string): string {
  return typeof v === "string" && /^#[0-9a-fA-F]{6}$/.test(v) ? v.toLowerCase() : fallback;
}

export function hexToRgb01(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [((n >> 16) & 255) / 255, ((n >> 8) & 255) / 255, (n & 255) / 255];
}

export const DEFAULT_PRIMARY = "#1d4e89";
export const DEFAULT_ACCENT = "#e07a1f";
