// The JSON file: the statistics exactly as computed, plus what the report is.
import type { MarketStats, ReportMeta } from "./types.ts";

export function renderMarketJson(stats: MarketStats, meta: ReportMeta): string {
  return JSON.stringify({ report: meta, statistics: stats }, null, 2) + "\n";
}
