// The trend chart as inline SVG: median sale price line with a dot per month
// (data-month / data-value carry the figure, so the chart can be checked
// against the series), closed-sales bars, both axes labelled.
import { chartGeometry, type ChartBox, DEFAULT_BOX, labelledMonths, monthLabel } from "./chart.ts";
import { escapeHtml } from "./escape.ts";
import { money } from "./format.ts";
import type { SeriesPoint } from "./types.ts";

const r = (v: number) => Math.round(v * 100) / 100;

export function svgTrendChart(
  series: SeriesPoint[],
  options: { primary: string; accent: string; currency?: string; box?: ChartBox },
): string {
  const g = chartGeometry(series, options.box ?? DEFAULT_BOX);
  const { box, plot } = g;
  const currency = options.currency ?? "USD";
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="trend-chart" viewBox="0 0 ${box.width} ${box.height}" width="${box.width}" height="${box.height}" role="img" aria-label="Monthly median sale price and closed sales">`,
  );
  out.push(`<rect x="${plot.x0}" y="${plot.y0}" width="${r(plot.x1 - plot.x0)}" height="${r(plot.y1 - plot.y0)}" fill="#ffffff" stroke="#d0d7de"/>`);
  for (const p of g.points) {
    if (p.barHeight <= 0) continue;
    out.push(
      `<rect class="bar" data-month="${escapeHtml(p.month)}" data-value="${p.sales}" x="${r(p.x - g.barWidth / 2)}" y="${r(p.barY)}" width="${r(g.barWidth)}" height="${r(p.barHeight)}" fill="${options.accent}" fill-opacity="0.35"/>`,
    );
  }
  for (const seg of g.segments) {
    out.push(`<polyline class="price-line" fill="none" stroke="${options.primary}" stroke-width="2" points="${seg.map((s) => `${r(s.x)},${r(s.y)}`).join(" ")}"/>`);
  }
  for (const p of g.points) {
    if (p.priceY === null) continue;
    out.push(`<circle class="price-point" data-month="${escapeHtml(p.month)}" data-value="${p.price}" cx="${r(p.x)}" cy="${r(p.priceY)}" r="3" fill="${options.primary}"/>`);
  }
  if (g.price) {
    out.push(`<text x="${plot.x0 - 6}" y="${plot.y0 + 4}" text-anchor="end" font-size="10">${escapeHtml(money(g.price.max, currency))}</text>`);
    out.push(`<text x="${plot.x0 - 6}" y="${plot.y1}" text-anchor="end" font-size="10">${escapeHtml(money(g.price.min, currency))}</text>`);
  }
  out.push(`<text x="${plot.x1 + 6}" y="${plot.y0 + 4}" font-size="10">${g.salesMax}</text>`);
  out.push(`<text x="${plot.x1 + 6}" y="${plot.y1}" font-size="10">0</text>`);
  for (const p of labelledMonths(g.points)) {
    out.push(`<text x="${r(p.x)}" y="${plot.y1 + 16}" text-anchor="middle" font-size="10">${escapeHtml(monthLabel(p.month))}</text>`);
  }
  out.push(`<text x="${plot.x0}" y="${box.height - 6}" font-size="10" fill="${options.primary}">Median sale price (line)</text>`);
  out.push(`<text x="${plot.x1}" y="${box.height - 6}" text-anchor="end" font-size="10" fill="${options.accent}">Closed sales (bars)</text>`);
  out.push(`</svg>`);
  return out.join("\n");
}
