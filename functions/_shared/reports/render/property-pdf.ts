// The property (CMA) report and the consumer home-value report as a PDF:
// only the pages the agent selected, in the fixed order of PROPERTY_PAGES,
// each starting a new page, in one of five themes (colour scheme and page
// layout; an affiliate's brand colours, when set, take over the scheme's).
// The cover and the agent page carry the QR code of the public landing URL.
import { PROPERTY_REPORT_PAGES, type PropertyReportPage } from "@domus/contracts/reports-generate.ts";
import { changePct, DEFAULT_ACCENT, DEFAULT_PRIMARY, METRIC_LABELS, metricValue, money, notEnoughMessage, safeColor } from "./format.ts";
import { agentLines } from "./market-pdf.ts";
import { type Color, color, drawTrendChart, GREY, PAGE, PdfWriter } from "./pdf-kit.ts";
import { type Agent, type Branding, type MarketStats, METRIC_KEYS } from "./types.ts";

/** The fixed page list (the contract's, so the client offers the same pages). */
export const PROPERTY_PAGES = PROPERTY_REPORT_PAGES;
export type PropertyPage = PropertyReportPage;
export const PAGE_TITLES: Record<PropertyPage, string> = {
  cover: "Cover",
  property: "Subject property",
  comparables: "Comparable properties",
  market: "Market conditions",
  estimate: "Estimated value",
  agent: "Your agent",
};

type Layout = "band" | "sidebar" | "rule" | "block" | "frame";
export const THEMES: Record<1 | 2 | 3 | 4 | 5, { name: string; primary: string; accent: string; layout: Layout }> = {
  1: { name: "Classic", primary: "#1d4e89", accent: "#e07a1f", layout: "band" },
  2: { name: "Modern", primary: "#0f766e", accent: "#f59e0b", layout: "sidebar" },
  3: { name: "Minimal", primary: "#111827", accent: "#6b7280", layout: "rule" },
  4: { name: "Bold", primary: "#7c2d12", accent: "#ca8a04", layout: "block" },
  5: { name: "Elegant", primary: "#312e81", accent: "#a855f7", layout: "frame" },
};

/**
 * Checks a selected_pages value: a non-empty list of known pages without
 * repeats. Answers the pages in report order, or the reason it is refused
 * (worded "selected_pages: ..." as the 22023 contract wants).
 */
export function checkSelectedPages(value: unknown): { pages: PropertyPage[] } | { error: string } {
  if (!Array.isArray(value) || value.length === 0) return { error: "selected_pages: a non-empty list of pages" };
  const seen = new Set<string>();
  for (const p of value) {
    if (typeof p !== "string" || !(PROPERTY_PAGES as readonly string[]).includes(p)) {
      return { error: `selected_pages: unknown page ${JSON.stringify(p)}; pages are ${PROPERTY_PAGES.join(", ")}` };
    }
    if (seen.has(p)) return { error: `selected_pages: ${p} appears twice` };
    seen.add(p);
  }
  return { pages: PROPERTY_PAGES.filter((p) => seen.has(p)) };
}

export interface Subject {
  address: string;
  city: string | null;
  state: string | null;
  zip: string | null;
  apn?: string | null;
  bedrooms?: number | null;
  bathrooms?: number | null;
  living_area_sqft?: number | null;
  lot_size_sqft?: number | null;
  year_built?: number | null;
}

export interface CmaComparable {
  address?: string | null;
  city: string;
  postal_code: string;
  bedrooms: number;
  bathrooms: number;
  living_area_sqft: number;
  year_built: number | null;
  price: number;
  price_kind: "sold" | "asking";
  price_date: string;
  price_per_sqft: number;
  similarity: number;
  adjusted_price: number;
}

export interface ValueEstimate {
  estimate: number | null;
  low: number | null;
  high: number | null;
  confidence: number;
  method: string;
  comparables_count: number;
  currency: string;
}

export interface PropertyReportInput {
  report_id: string;
  kind: "property" | "consumer";
  title?: string;
  theme: number;
  selected_pages: unknown;
  subject: Subject;
  comparables: CmaComparable[];
  value: ValueEstimate | null;
  market: MarketStats | null;
  /** The public page this report's QR code points at (null: no QR, e.g. a consumer report). */
  landing_url: string | null;
  qr_png: Uint8Array | null;
  branding: Branding;
  agent: Agent;
  generated_at: string;
}

export class RenderInputError extends Error {}

const place = (s: Subject) => [s.city, [s.state, s.zip].filter(Boolean).join(" ")].filter(Boolean).join(", ");

export async function renderPropertyPdf(input: PropertyReportInput): Promise<Uint8Array> {
  const checked = checkSelectedPages(input.selected_pages);
  if ("error" in checked) throw new RenderInputError(checked.error);
  const themeNo = Number.isInteger(input.theme) && input.theme >= 1 && input.theme <= 5 ? input.theme as 1 | 2 | 3 | 4 | 5 : null;
  if (themeNo === null) throw new RenderInputError("theme: 1 to 5");
  const theme = THEMES[themeNo];
  const primary = color(safeColor(input.branding.primary_color, theme.primary ?? DEFAULT_PRIMARY));
  const accent = color(safeColor(input.branding.accent_color, theme.accent ?? DEFAULT_ACCENT));
  const title = input.title ?? (input.kind === "consumer" ? "Home value report" : "Comparative market analysis");
  const w = await PdfWriter.create(`${title}: ${input.subject.address}`);
  const qr = input.qr_png ? await w.doc.embedPng(input.qr_png) : null;
  let current: PropertyPage = checked.pages[0];
  w.setPageDecorator((pw) => decorate(pw, theme.layout, primary, accent, current === "cover"));

  for (const page of checked.pages) {
    current = page;
    w.newPage();
    if (page !== "cover") w.heading(PAGE_TITLES[page], accent, primary);
    if (page === "cover") cover(w, input, title, primary, theme.layout, qr);
    if (page === "property") propertyPage(w, input.subject);
    if (page === "comparables") comparablesPage(w, input.comparables, input.value?.currency ?? "USD");
    if (page === "market") marketPage(w, input.market, primary, accent);
    if (page === "estimate") valuePage(w, input.value, primary);
    if (page === "agent") agentPage(w, input.agent, input.branding, input.landing_url, qr);
  }
  w.numberPages(`${title}  |  ${input.subject.address}  |  theme ${theme.name}`);
  return await w.save();
}

function decorate(w: PdfWriter, layout: Layout, primary: Color, accent: Color, isCover: boolean) {
  const p = w.page;
  if (layout === "band") p.drawRectangle({ x: 0, y: PAGE.height - 18, width: PAGE.width, height: 18, color: primary });
  if (layout === "sidebar") p.drawRectangle({ x: 0, y: 0, width: 18, height: PAGE.height, color: primary });
  if (layout === "rule") p.drawLine({ start: { x: PAGE.margin, y: PAGE.height - 30 }, end: { x: PAGE.width - PAGE.margin, y: PAGE.height - 30 }, thickness: 0.75, color: accent });
  if (layout === "block" && isCover) p.drawRectangle({ x: 0, y: PAGE.height * 0.45, width: PAGE.width, height: PAGE.height * 0.55, color: primary });
  if (layout === "block" && !isCover) p.drawRectangle({ x: 0, y: PAGE.height - 8, width: PAGE.width, height: 8, color: accent });
  if (layout === "frame") p.drawRectangle({ x: 20, y: 20, width: PAGE.width - 40, height: PAGE.height - 40, borderColor: primary, borderWidth: 2 });
}

function qrBlock(w: PdfWriter, url: string | null, qr: Awaited<ReturnType<PdfWriter["doc"]["embedPng"]>> | null) {
  if (!url || !qr) return;
  w.ensure(150);
  w.image(qr, PAGE.margin, w.y, 120, 120);
  const x = PAGE.margin + 132;
  const y0 = w.y;
  w.y -= 40;
  w.line("Scan to view this report online", { x, size: 11, bold: true });
  for (const l of w.wrap(w.clean(url), 9, PAGE.width - PAGE.margin - x)) w.line(l, { x, size: 9, color: GREY, gap: 2 });
  w.y = y0 - 132;
}

function cover(w: PdfWriter, input: PropertyReportInput, title: string, primary: Color, layout: Layout, qr: Parameters<typeof qrBlock>[2]) {
  const onColour = layout === "block";
  const ink = onColour ? color("#ffffff") : primary;
  w.y = PAGE.height - 120;
  if (input.branding.brand_display_name) w.line(input.branding.brand_display_name, { size: 12, bold: true, color: ink });
  w.line(title, { size: 26, bold: true, color: ink, gap: 12 });
  w.paragraph(input.subject.address, { size: 16, color: onColour ? ink : undefined });
  const where = place(input.subject);
  if (where) w.line(where, { size: 12, color: onColour ? ink : GREY });
  const agent = agentLines(input.agent);
  if (agent.length) w.line(`Prepared by ${agent[0]}`, { size: 11, color: onColour ? ink : GREY });
  w.line(`Prepared ${input.generated_at.slice(0, 10)}`, { size: 10, color: onColour ? ink : GREY, gap: 30 });
  if (onColour) w.y = Math.min(w.y, PAGE.height * 0.45 - 30);
  qrBlock(w, input.landing_url, qr);
}

function fact(v: number | string | null | undefined, unit = ""): string {
  if (v === null || v === undefined || v === "") return "n/a";
  return typeof v === "number" ? `${v.toLocaleString("en-US")}${unit}` : `${v}${unit}`;
}

function propertyPage(w: PdfWriter, s: Subject) {
  w.table(
    [{ header: "Subject", width: 180 }, { header: "", width: 336 }],
    [
      ["Address", s.address],
      ["City / state / ZIP", place(s) || "n/a"],
      ["APN", fact(s.apn)],
      ["Bedrooms", fact(s.bedrooms)],
      ["Bathrooms", fact(s.bathrooms)],
      ["Living area", fact(s.living_area_sqft, " sq ft")],
      ["Lot size", fact(s.lot_size_sqft, " sq ft")],
      ["Year built", fact(s.year_built)],
    ],
    { size: 10.5 },
  );
}

function comparablesPage(w: PdfWriter, comps: CmaComparable[], currency: string) {
  if (!comps.length) {
    w.paragraph("No comparable sales or listings were found near this property.", { size: 11 });
    return;
  }
  w.table(
    [
      { header: "#", width: 20, align: "right" },
      { header: "Location", width: 126 },
      { header: "Bd/Ba", width: 42, align: "right" },
      { header: "Sq ft", width: 46, align: "right" },
      { header: "Built", width: 36, align: "right" },
      { header: "Price", width: 74, align: "right" },
      { header: "Date", width: 62 },
      { header: "$/sq ft", width: 50, align: "right" },
      { header: "Similar", width: 60, align: "right" },
    ],
    comps.map((c, i) => [
      i + 1,
      c.address ? `${c.address}, ${c.postal_code}` : `${c.city} ${c.postal_code}`,
      `${c.bedrooms}/${c.bathrooms}`,
      c.living_area_sqft.toLocaleString("en-US"),
      c.year_built ?? "",
      `${money(c.price, currency)}${c.price_kind === "asking" ? " ask" : ""}`,
      c.price_date,
      money(c.price_per_sqft, currency),
      `${Math.round(c.similarity * 100)}%`,
    ]),
    { size: 8.5 },
  );
  w.paragraph("Sold prices count fully; asking prices of active listings count at a discount. Similarity compares rooms, area, lot and age.", { size: 8.5, color: GREY });
}

function marketPage(w: PdfWriter, stats: MarketStats | null, primary: Color, accent: Color) {
  if (!stats) {
    w.paragraph("Market statistics are not available for this area.", { size: 11 });
    return;
  }
  w.line(`${[...stats.areas.cities, ...stats.areas.zip_codes].join(", ")}  |  ${stats.period.start} to ${stats.period.end}`, { size: 10, color: GREY });
  if (!stats.enough_data) w.paragraph(notEnoughMessage(stats), { size: 11, bold: true, color: accent });
  w.table(
    [{ header: "Metric", width: 216 }, { header: "Value", width: 120, align: "right" }, { header: "MoM", width: 90, align: "right" }, { header: "YoY", width: 90, align: "right" }],
    METRIC_KEYS.map((k) => {
      const m = stats.metrics[k];
      return [METRIC_LABELS[k], metricValue(k, m?.value, stats.currency), changePct(m?.mom_pct), changePct(m?.yoy_pct)];
    }),
    { size: 10, headerColor: primary },
  );
  drawTrendChart(w, stats.series, { primary, accent, currency: stats.currency });
}

function valuePage(w: PdfWriter, v: ValueEstimate | null, primary: Color) {
  if (!v || v.estimate === null) {
    w.paragraph(`Not enough comparable sales for a value estimate${v ? ` (${v.comparables_count} found)` : ""}.`, { size: 12, bold: true });
    return;
  }
  w.line(money(v.estimate, v.currency), { size: 30, bold: true, color: primary, gap: 12 });
  w.line(`Range ${money(v.low, v.currency)} to ${money(v.high, v.currency)}`, { size: 12 });
  w.line(`Confidence ${Math.round(v.confidence * 100)}%  |  ${v.comparables_count} comparables  |  method ${v.method}`, { size: 10, color: GREY });
  w.paragraph("An estimate from recent comparable sales and listings, not an appraisal.", { size: 9, color: GREY });
}

function agentPage(w: PdfWriter, agent: Agent, branding: Branding, url: string | null, qr: Parameters<typeof qrBlock>[2]) {
  const lines = agentLines(agent);
  if (!lines.length) w.line("Agent details are not available.", { size: 11 });
  lines.forEach((l, i) => w.line(l, { size: i === 0 ? 14 : 11, bold: i === 0 }));
  if (branding.brand_display_name) w.line(branding.brand_display_name, { size: 11, color: GREY, gap: 20 });
  w.y -= 10;
  qrBlock(w, url, qr);
}
