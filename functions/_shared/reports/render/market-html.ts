// The market report as one self-contained HTML page: branding, the agent's
// details, the metrics with their month-over-month and year-over-year change,
// the SVG trend chart and the monthly table. Every value is escaped and the
// page forbids scripts outright (CSP), so a hostile city name stays text.
import { escapeHtml as e, safeUrl } from "./escape.ts";
import { areaLabel, changePct, DEFAULT_ACCENT, DEFAULT_PRIMARY, METRIC_LABELS, metricValue, money, notEnoughMessage, periodLabel, safeColor } from "./format.ts";
import { svgTrendChart } from "./svg-chart.ts";
import { type MarketStats, METRIC_KEYS, type ReportMeta } from "./types.ts";

const CSP = "default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'";

export function agentBlockHtml(meta: ReportMeta): string {
  const a = meta.agent;
  const photo = safeUrl(a.photo_url);
  const lines = [
    a.display_name ? `<strong>${e(a.display_name)}</strong>` : "",
    a.license_number ? `License ${e(a.license_number)}` : "",
    a.email ? e(a.email) : "",
    a.phone ? e(a.phone) : "",
  ].filter(Boolean);
  if (!lines.length && !photo) return "";
  return `<aside class="agent">${photo ? `<img src="${e(photo)}" alt="" width="64" height="64">` : ""}<div>${lines.join("<br>")}</div></aside>`;
}

export function renderMarketHtml(stats: MarketStats, meta: ReportMeta): string {
  const primary = safeColor(meta.branding.primary_color, DEFAULT_PRIMARY);
  const accent = safeColor(meta.branding.accent_color, DEFAULT_ACCENT);
  const logo = safeUrl(meta.branding.logo_url);
  const brand = meta.branding.brand_display_name;
  const rows = METRIC_KEYS.map((k) => {
    const m = stats.metrics[k];
    return `<tr data-metric="${k}"><th scope="row">${e(METRIC_LABELS[k])}</th><td>${e(metricValue(k, m?.value, stats.currency))}</td><td>${e(changePct(m?.mom_pct))}</td><td>${e(changePct(m?.yoy_pct))}</td></tr>`;
  }).join("\n");
  const monthly = stats.series.map((s) =>
    `<tr><td>${e(s.month)}</td><td>${e(metricValue("closed_sales", s.closed_sales))}</td><td>${e(money(s.median_sale_price, stats.currency))}</td><td>${e(money(s.median_price_per_sqft, stats.currency))}</td><td>${e(metricValue("median_days_on_market", s.median_days_on_market))}</td><td>${e(metricValue("active_inventory", s.active_inventory))}</td><td>${e(metricValue("months_of_supply", s.months_of_supply))}</td></tr>`
  ).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(meta.title)}</title>
<style>
body{font-family:Helvetica,Arial,sans-serif;color:#1f2328;margin:0;background:#f6f8fa}
header{background:${primary};color:#fff;padding:24px 32px;display:flex;align-items:center;gap:16px}
header img{max-height:48px}
main{max-width:880px;margin:0 auto;padding:24px 32px;background:#fff}
h1{margin:0;font-size:24px} h2{color:${primary};font-size:18px;border-bottom:2px solid ${accent};padding-bottom:4px}
table{border-collapse:collapse;width:100%;font-size:14px} th,td{padding:6px 8px;border-bottom:1px solid #d0d7de;text-align:right}
th[scope=row],td:first-child{text-align:left}
.notice{background:#fff8c5;border:1px solid #d4a72c;padding:12px;margin:16px 0}
.agent{display:flex;gap:12px;align-items:center;margin:16px 0;font-size:14px}
footer{font-size:12px;color:#57606a;margin-top:24px}
</style>
</head>
<body>
<header>${logo ? `<img src="${e(logo)}" alt="">` : ""}<div>${brand ? `<div class="brand">${e(brand)}</div>` : ""}<h1>${e(meta.title)}</h1><div>${e(areaLabel(stats))} &middot; ${e(periodLabel(stats))}</div></div></header>
<main>
${agentBlockHtml(meta)}
${stats.enough_data ? "" : `<p class="notice" role="status">${e(notEnoughMessage(stats))}</p>`}
<h2>Market summary</h2>
<p>${e(stats.closed_sales)} closed sales in ${e(areaLabel(stats))} (minimum ${e(stats.min_sales)} for statistics).</p>
<table class="metrics"><thead><tr><th scope="col">Metric</th><th scope="col">Value</th><th scope="col">MoM</th><th scope="col">YoY</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<h2>Trend</h2>
${svgTrendChart(stats.series, { primary, accent, currency: stats.currency })}
<h2>By month</h2>
<table class="monthly"><thead><tr><th scope="col">Month</th><th scope="col">Closed sales</th><th scope="col">Median price</th><th scope="col">Median $/sq ft</th><th scope="col">Median DOM</th><th scope="col">Active inventory</th><th scope="col">Months of supply</th></tr></thead>
<tbody>
${monthly}
</tbody></table>
<footer>Report ${e(meta.report_id)} &middot; generated ${e(meta.generated_at)}</footer>
</main>
</body>
</html>
`;
}
