// The inputs every report renderer takes: the market statistics exactly as
// private.reports_market_stats returns them (docs/reports.md, "Market
// statistics"), the sponsor's branding and the agent's own details.

export interface Metric {
  value: number | null;
  mom_pct: number | null;
  yoy_pct: number | null;
}

export const METRIC_KEYS = [
  "median_sale_price",
  "median_price_per_sqft",
  "median_days_on_market",
  "active_inventory",
  "months_of_supply",
  "absorption_rate_pct",
  "avg_sale_to_list_pct",
  "closed_sales",
] as const;
export type MetricKey = typeof METRIC_KEYS[number];

export interface SeriesPoint {
  month: string;
  closed_sales: number | null;
  median_sale_price: number | null;
  median_price_per_sqft: number | null;
  median_days_on_market: number | null;
  active_inventory: number | null;
  months_of_supply: number | null;
}

export interface MarketStats {
  areas: { cities: string[]; zip_codes: string[] };
  period: { start: string; end: string };
  currency: string;
  min_sales: number;
  closed_sales: number;
  enough_data: boolean;
  message: string | null;
  metrics: Partial<Record<MetricKey, Metric | null>>;
  series: SeriesPoint[];
}

export interface Branding {
  brand_display_name: string | null;
  logo_url: string | null;
  primary_color: string | null;
  accent_color: string | null;
}

export interface Agent {
  display_name: string | null;
  email: string | null;
  phone: string | null;
  photo_url: string | null;
  license_number: string | null;
}

/** What a rendered file says about itself. */
export interface ReportMeta {
  report_id: string;
  title: string;
  generated_at: string;
  branding: Branding;
  agent: Agent;
}

export const NO_BRANDING: Branding = { brand_display_name: null, logo_url: null, primary_color: null, accent_color: null };
export const NO_AGENT: Agent = { display_name: null, email: null, phone: null, photo_url: null, license_number: null };
