// The market report as a PDF: a branded band, the agent's details, the
// summary, the metrics table (value, MoM, YoY), the trend chart drawn as
// vector lines and bars, and the monthly table; further pages as needed,
// numbered. When the area has too few sales the report says so in words
// and prints "n/a" rather than noise.
import { areaLabel, changePct, DEFAULT_ACCENT, DEFAULT_PRIMARY, METRIC_LABELS, metricValue, money, notEnoughMessage, periodLabel, safeColor } from "./format.ts";
import { color, drawTrendChart, GREY, PAGE, PdfWriter } from "./pdf-kit.ts";
import { type Agent, type MarketStats, METRIC_KEYS, type ReportMeta } from "./types.ts";

export function agentLines(agent: Agent): string[] {
  return [
    agent.display_name ?? "",
    agent.license_number ? `License ${agent.license_number}` : "",
    agent.email ?? "",
    agent.phone ?? "",
  ].filter(Boolean);
}

export async function renderMarketPdf(stats: MarketStats, meta: ReportMeta): Promise<Uint8Array> {
  const primary = color(safeColor(meta.branding.primary_color, DEFAULT_PRIMARY));
  const accent = color(safeColor(meta.branding.accent_color, DEFAULT_ACCENT));
  const w = await PdfWriter.create(meta.title);
  const brand = meta.branding.brand_display_name;
  w.setPageDecorator((pw) => {
    pw.page.drawRectangle({ x: 0, y: PAGE.height - 14, width: PAGE.width, height: 14, color: primary });
    pw.y = PAGE.height - PAGE.margin;
  });
  w.newPage();
  // The first page's band is taller and carries the title.
  w.page.drawRectangle({ x: 0, y: PAGE.height - 96, width: PAGE.width, height: 96, color: primary });
  const white = color("#ffffff");
  if (brand) w.page.drawText(w.clean(brand), { x: PAGE.margin, y: PAGE.height - 32, size: 10, font: w.bold, color: white });
  w.page.drawText(w.clean(meta.title), { x: PAGE.margin, y: PAGE.height - 56, size: 20, font: w.bold, color: white });
  w.page.drawText(w.clean(`${areaLabel(stats)}  |  ${periodLabel(stats)}`), { x: PAGE.margin, y: PAGE.height - 78, size: 10, font: w.font, color: white });
  w.y = PAGE.height - 110;

  const agent = agentLines(meta.agent);
  if (agent.length) {
    w.line(`Prepared by ${agent[0]}`, { size: 10, bold: true });
    for (const l of agent.slice(1)) w.line(l, { size: 9, color: GREY, gap: 3 });
  }

  w.heading("Market summary", accent, primary);
  if (!stats.enough_data) {
    w.paragraph(notEnoughMessage(stats), { size: 11, bold: true, color: accent });
    w.y -= 4;
  }
  w.paragraph(`${stats.closed_sales} closed sales in ${areaLabel(stats)} from ${stats.period.start} to ${stats.period.end} (statistics need at least ${stats.min_sales}).`, { size: 10 });
  w.y -= 4;
  w.table(
    [
      { header: "Metric", width: 216 },
      { header: "Value", width: 120, align: "right" },
      { header: "MoM", width: 90, align: "right" },
      { header: "YoY", width: 90, align: "right" },
    ],
    METRIC_KEYS.map((k) => {
      const m = stats.metrics[k];
      return [METRIC_LABELS[k], metricValue(k, m?.value, stats.currency), changePct(m?.mom_pct), changePct(m?.yoy_pct)];
    }),
    { size: 10, headerColor: primary },
  );

  w.heading("Trend", accent, primary);
  drawTrendChart(w, stats.series, { primary, accent, currency: stats.currency });

  w.heading("By month", accent, primary);
  w.table(
    [
      { header: "Month", width: 62 },
      { header: "Sales", width: 52, align: "right" },
      { header: "Median price", width: 92, align: "right" },
      { header: "Median $/sqft", width: 82, align: "right" },
      { header: "Median DOM", width: 72, align: "right" },
      { header: "Inventory", width: 72, align: "right" },
      { header: "Months supply", width: 84, align: "right" },
    ],
    stats.series.map((s) => [
      s.month,
      metricValue("closed_sales", s.closed_sales),
      money(s.median_sale_price, stats.currency),
      money(s.median_price_per_sqft, stats.currency),
      metricValue("median_days_on_market", s.median_days_on_market),
      metricValue("active_inventory", s.active_inventory),
      metricValue("months_of_supply", s.months_of_supply),
    ]),
  );
  w.numberPages(`Report ${meta.report_id}  |  generated ${meta.generated_at}`);
  return await w.save();
}
