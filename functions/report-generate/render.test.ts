// The renderers on their own (no database): every format of a market report
// read back and compared with the statistics it was given; the PDF opened
// with pdf.js and its drawing operators decoded; the SVG chart's points
// against the series; CSV parsed back; the QR code decoded to its URL;
// hostile text (markup, formulas, scripts pdf fonts lack) kept inert.
import jsQRModule from "jsqr";
import { decodeImage } from "../_shared/ai-providers/image.ts";
import { parseCsv, renderMarketCsv, toCsv } from "../_shared/reports/render/csv.ts";
import { changePct, METRIC_LABELS, metricValue, money } from "../_shared/reports/render/format.ts";
import { renderMarketHtml } from "../_shared/reports/render/market-html.ts";
import { renderMarketJson } from "../_shared/reports/render/market-json.ts";
import { renderMarketPdf } from "../_shared/reports/render/market-pdf.ts";
import { pdfContentStreams, pdfPageTexts } from "../_shared/reports/render/pdf-read.ts";
import { checkSelectedPages, type CmaComparable, PROPERTY_PAGES, type PropertyReportInput, renderPropertyPdf, THEMES } from "../_shared/reports/render/property-pdf.ts";
import { qrPng } from "../_shared/reports/render/qr.ts";
import { svgTrendChart } from "../_shared/reports/render/svg-chart.ts";
import { type MarketStats, METRIC_KEYS, type ReportMeta, type SeriesPoint } from "../_shared/reports/render/types.ts";
import { assert, assertEquals } from "../_shared/testing.ts";

// jsqr is CommonJS with an ES default in its types; Deno hands over the module object.
type JsQr = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsQR: JsQr = (jsQRModule as unknown as { default?: JsQr }).default ?? (jsQRModule as unknown as JsQr);

/** Statistics in the shape private.reports_market_stats answers, from a seeded pseudo-random walk. */
function sampleStats(o: { seed?: number; cities?: string[]; enough?: boolean; gapAt?: number } = {}): MarketStats {
  let s = o.seed ?? 7;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const series: SeriesPoint[] = [];
  let price = 380_000 + Math.round(rand() * 40_000);
  for (let i = 0; i < 13; i++) {
    const month = new Date(Date.UTC(2025, 9 + i, 1)).toISOString().slice(0, 7);
    price += Math.round((rand() - 0.45) * 20_000);
    const sales = 4 + Math.floor(rand() * 30);
    series.push({
      month,
      closed_sales: sales,
      median_sale_price: i === o.gapAt ? null : price,
      median_price_per_sqft: Math.round(price / 1850 * 100) / 100,
      median_days_on_market: 10 + Math.floor(rand() * 40),
      active_inventory: 20 + Math.floor(rand() * 60),
      months_of_supply: Math.round(rand() * 60) / 10,
    });
  }
  const enough = o.enough ?? true;
  const m = (value: number | null) => (enough ? { value, mom_pct: Math.round((rand() - 0.5) * 200) / 10, yoy_pct: Math.round((rand() - 0.5) * 300) / 10 } : { value: null, mom_pct: null, yoy_pct: null });
  const last = series[12];
  return {
    areas: { cities: o.cities ?? ["Austin"], zip_codes: ["78701"] },
    period: { start: "2026-10-01", end: "2026-10-31" },
    currency: "USD",
    min_sales: 5,
    closed_sales: enough ? last.closed_sales! : 2,
    enough_data: enough,
    message: enough ? null : "Not enough sales in the period (2 of at least 5) for reliable statistics.",
    metrics: {
      median_sale_price: m(last.median_sale_price),
      median_price_per_sqft: m(last.median_price_per_sqft),
      median_days_on_market: m(last.median_days_on_market),
      active_inventory: m(last.active_inventory),
      months_of_supply: m(last.months_of_supply),
      absorption_rate_pct: m(Math.round(rand() * 600) / 10),
      avg_sale_to_list_pct: m(95 + Math.round(rand() * 80) / 10),
      closed_sales: m(last.closed_sales),
    },
    series,
  };
}

function meta(over: Partial<ReportMeta> = {}): ReportMeta {
  return {
    report_id: "6f1c2d3e-0000-4000-8000-00000000abcd",
    title: "Market report",
    generated_at: "2026-11-02T08:00:00.000Z",
    branding: { brand_display_name: "Lone Star Realty", logo_url: "https://cdn.example.com/logo.png", primary_color: "#123456", accent_color: "#abcdef" },
    agent: { display_name: "Ana Agent", email: "ana@example.com", phone: "+1 512 555 0100", photo_url: "https://cdn.example.com/ana.jpg", license_number: "TX-778899" },
    ...over,
  };
}

const compact = (s: string) => s.replace(/\s+/g, " ");

/** Checks that ys are an increasing (or, with flip, decreasing) affine image of values. */
function assertAffine(values: number[], ys: number[], flip: boolean, what: string) {
  assertEquals(values.length, ys.length, `${what}: one point per value`);
  const vMin = Math.min(...values), vMax = Math.max(...values);
  const yMin = Math.min(...ys), yMax = Math.max(...ys);
  values.forEach((v, i) => {
    const expected = (v - vMin) / (vMax - vMin);
    const got = flip ? (yMax - ys[i]) / (yMax - yMin) : (ys[i] - yMin) / (yMax - yMin);
    assert(Math.abs(expected - got) < 0.01, `${what}: point ${i} at ${got.toFixed(3)} of the scale, its value at ${expected.toFixed(3)}`);
  });
}

Deno.test("PDF: opened with pdf.js, every metric, MoM and YoY and every month reads back as computed; the chart is vector lines through the series", async () => {
  const stats = sampleStats({ seed: 11 });
  const bytes = await renderMarketPdf(stats, meta());
  assertEquals(new TextDecoder().decode(bytes.slice(0, 5)), "%PDF-");
  const pages = await pdfPageTexts(bytes);
  assert(pages.length >= 2, `the monthly table runs onto a second page (${pages.length})`);
  pages.forEach((p, i) => assert(p.includes(`Page ${i + 1} of ${pages.length}`), `page ${i + 1} is numbered`));
  const text = compact(pages.join(" "));
  for (const k of METRIC_KEYS) {
    const m = stats.metrics[k]!;
    const row = `${METRIC_LABELS[k]} ${metricValue(k, m.value, "USD")} ${changePct(m.mom_pct)} ${changePct(m.yoy_pct)}`;
    assert(text.includes(row), `metric row "${row}" in the PDF text`);
  }
  for (const s of stats.series) {
    const row = `${s.month} ${s.closed_sales} ${money(s.median_sale_price)}`;
    assert(text.includes(row), `month row "${row}"`);
  }
  assert(text.includes("Lone Star Realty") && text.includes("Ana Agent") && text.includes("License TX-778899"), "branding and agent");
  assert(text.includes(`${stats.closed_sales} closed sales in Austin, 78701`), "summary sentence");
  assert(!/not enough/i.test(text), "no shortage notice when there is enough data");

  // The chart: a connected chain of straight segments in the brand colour, one per pair of months.
  const streams = (await pdfContentStreams(bytes)).join("\n");
  assert(paints(streams, "#123456"), "drawn in the primary colour #123456");
  const segs = [...streams.matchAll(/(-?[\d.]+) (-?[\d.]+) m\s+(-?[\d.]+) (-?[\d.]+) l\s+S/g)].map((m) => m.slice(1, 5).map(Number));
  const chain = longestChain(segs);
  assertEquals(chain.length, stats.series.length, "13 points joined by 12 lines");
  for (let i = 1; i < chain.length; i++) assert(chain[i][0] > chain[i - 1][0], "months left to right");
  assertAffine(stats.series.map((s) => s.median_sale_price!), chain.map((p) => p[1]), false, "PDF price line");
  // Closed sales bars: filled rectangles whose heights follow the series.
  const rects = [...streams.matchAll(/(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re\s+f/g)].map((m) => Number(m[4]));
  const bars = rects.slice(-stats.series.length);
  const sales = stats.series.map((s) => s.closed_sales!);
  bars.forEach((h, i) => assert(Math.abs(h / Math.max(...bars) - sales[i] / Math.max(...sales)) < 0.01, `bar ${i} height follows its sales`));
});

function longestChain(segs: number[][]): number[][] {
  let best: number[][] = [];
  for (let i = 0; i < segs.length; i++) {
    const chain = [[segs[i][0], segs[i][1]], [segs[i][2], segs[i][3]]];
    let j = i + 1;
    while (j < segs.length && Math.abs(segs[j][0] - chain.at(-1)![0]) < 0.01 && Math.abs(segs[j][1] - chain.at(-1)![1]) < 0.01) {
      chain.push([segs[j][2], segs[j][3]]);
      j++;
    }
    if (chain.length > best.length) best = chain;
  }
  return best;
}

Deno.test("PDF: too few sales says so in words and prints n/a, not numbers", async () => {
  const stats = sampleStats({ enough: false });
  const text = compact((await pdfPageTexts(await renderMarketPdf(stats, meta()))).join(" "));
  assert(text.includes("Not enough sales in the period (2 of at least 5)"), text.slice(0, 400));
  assert(text.includes(`${METRIC_LABELS.median_sale_price} n/a n/a n/a`), "metrics print n/a");
});

Deno.test("PDF: text the standard font cannot draw becomes ?, never a crash; hostile colours fall back", async () => {
  const stats = sampleStats({ cities: ["東京", "Zürich", "São Paulo"] });
  const bytes = await renderMarketPdf(stats, meta({ title: "Report \u0000 for 東京", branding: { brand_display_name: "Ω Realty", logo_url: null, primary_color: "0 0 0 RG", accent_color: null } }));
  const text = compact((await pdfPageTexts(bytes)).join(" "));
  assert(text.includes("??, Zürich, São Paulo"), "Latin-1 letters kept, others replaced");
  assert(text.includes("Report   for ??") || text.includes("Report for ??"), "control characters dropped");
  const streams = (await pdfContentStreams(bytes)).join("\n");
  assert(!streams.includes("0 0 0 RG RG"), "a colour that is not #rrggbb never reaches the operators");
});

Deno.test("HTML: a city named <script> is inert text; unsafe URLs and colours are dropped; figures match", () => {
  const stats = sampleStats({ cities: ["<script>alert(1)</script>", `"><img src=x onerror=alert(2)>`] });
  const html = renderMarketHtml(stats, meta({
    title: "</title><script>alert(3)</script>",
    agent: { display_name: "<b>Eve</b>", email: null, phone: null, photo_url: "javascript:alert(4)", license_number: null },
    branding: { brand_display_name: null, logo_url: "data:text/html,<script>alert(5)</script>", primary_color: "red;}</style><script>alert(6)</script>", accent_color: null },
  }));
  assert(!/<script/i.test(html), "no script element anywhere");
  assert(!/<img src=x/i.test(html) && !/onerror=/i.test(html.replace(/&quot;&gt;&lt;img src=x onerror=alert\(2\)&gt;/g, "")), "no injected attribute");
  assert(!html.includes("javascript:") && !html.includes("data:text/html"), "unsafe URLs dropped");
  assert(html.includes("&lt;script&gt;alert(1)&lt;/script&gt;"), "the city is shown, escaped");
  assert(html.includes("&lt;b&gt;Eve&lt;/b&gt;"), "agent name escaped");
  assert(/default-src 'none'/.test(html), "scripts forbidden by CSP too");
  const m = stats.metrics.median_sale_price!;
  assert(html.includes(`<tr data-metric="median_sale_price"><th scope="row">Median sale price</th><td>${money(m.value)}</td><td>${changePct(m.mom_pct)}</td><td>${changePct(m.yoy_pct)}</td></tr>`), "metric row");
});

Deno.test("SVG chart: one dot per month with a median, placed by its value; bars follow closed sales; a missing month breaks the line", () => {
  const stats = sampleStats({ seed: 3, gapAt: 5 });
  const svg = svgTrendChart(stats.series, { primary: "#000000", accent: "#ff0000" });
  const dots = [...svg.matchAll(/<circle class="price-point" data-month="([^"]+)" data-value="([^"]+)" cx="([^"]+)" cy="([^"]+)"/g)];
  const withPrice = stats.series.filter((s) => s.median_sale_price !== null);
  assertEquals(dots.map((d) => d[1]), withPrice.map((s) => s.month), "months in order, the gap month absent");
  assertEquals(dots.map((d) => Number(d[2])), withPrice.map((s) => s.median_sale_price), "values are the series'");
  const xs = dots.map((d) => Number(d[3]));
  for (let i = 1; i < xs.length; i++) assert(xs[i] > xs[i - 1], "x grows with the month");
  assertAffine(withPrice.map((s) => s.median_sale_price!), dots.map((d) => Number(d[4])), true, "SVG price dots (y grows downwards)");
  assertEquals((svg.match(/<polyline/g) ?? []).length, 2, "the gap splits the line in two");
  const bars = [...svg.matchAll(/<rect class="bar" data-month="([^"]+)" data-value="(\d+)" x="[^"]+" y="[^"]+" width="[^"]+" height="([^"]+)"/g)];
  assertEquals(bars.map((b) => Number(b[2])), stats.series.map((s) => s.closed_sales));
  const maxH = Math.max(...bars.map((b) => Number(b[3])));
  const maxS = Math.max(...stats.series.map((s) => s.closed_sales!));
  bars.forEach((b) => assert(Math.abs(Number(b[3]) / maxH - Number(b[2]) / maxS) < 0.01, "bar height follows sales"));
});

Deno.test("CSV: RFC 4180 round trip; formulas neutralised; numbers stay numbers", () => {
  const rows = [["a,b", 'say "hi"', "line\r\nbreak", "=1+2", "+1", "-x", "@SUM(A1)", "\tcmd", -3.5, null, true, "plain"]];
  const csv = toCsv(rows);
  assert(csv.endsWith("\r\n"), "CRLF rows");
  assertEquals(parseCsv(csv), [["a,b", 'say "hi"', "line\r\nbreak", "'=1+2", "'+1", "'-x", "'@SUM(A1)", "'\tcmd", "-3.5", "", "true", "plain"]]);

  const stats = sampleStats({ cities: ['=HYPERLINK("http://evil.example","x")', "Fort Worth, TX"] });
  const parsed = parseCsv(renderMarketCsv(stats, meta()));
  const field = (name: string) => parsed.find((r) => r[0] === name)?.[1];
  assertEquals(field("cities"), `'=HYPERLINK("http://evil.example","x"); Fort Worth, TX`);
  assertEquals(field("closed_sales"), String(stats.closed_sales));
  const metricsAt = parsed.findIndex((r) => r[0] === "metric");
  for (const k of METRIC_KEYS) {
    const row = parsed.slice(metricsAt).find((r) => r[0] === k)!;
    const m = stats.metrics[k]!;
    assertEquals(row.slice(2).map(Number), [m.value, m.mom_pct, m.yoy_pct], k);
  }
  const header = parsed.findIndex((r) => r[0] === "month");
  const months = parsed.slice(header + 1);
  assertEquals(months.map((r) => r[0]), stats.series.map((s) => s.month));
  assertEquals(months.map((r) => Number(r[2])), stats.series.map((s) => s.median_sale_price));
});

Deno.test("JSON: the statistics exactly as given, plus the report's metadata", () => {
  const stats = sampleStats();
  const parsed = JSON.parse(renderMarketJson(stats, meta()));
  assertEquals(parsed.statistics, stats);
  assertEquals([parsed.report.report_id, parsed.report.agent.license_number], [meta().report_id, "TX-778899"]);
});

Deno.test("QR: the PNG decodes back to the landing URL", async () => {
  const url = "https://reports.example.com/r/K7M9QX2T?ref=qr";
  const raster = decodeImage(await qrPng(url));
  const found = jsQR(new Uint8ClampedArray(raster.data), raster.width, raster.height);
  assertEquals(found?.data, url);
});

const comps: CmaComparable[] = [1, 2, 3].map((i) => ({
  address: `${i}0 Comp Street`,
  city: "Austin",
  postal_code: "78701",
  bedrooms: 3,
  bathrooms: 2,
  living_area_sqft: 1900 + i * 50,
  year_built: 2000 + i,
  price: 400_000 + i * 12_345,
  price_kind: i === 3 ? "asking" : "sold",
  price_date: `2026-0${i}-15`,
  price_per_sqft: Math.round((400_000 + i * 12_345) / (1900 + i * 50) * 100) / 100,
  similarity: 1 - i / 10,
  adjusted_price: 400_000 + i * 10_000,
}));

async function cma(over: Partial<PropertyReportInput> = {}): Promise<PropertyReportInput> {
  const url = "https://reports.example.com/r/ABCD2345";
  return {
    report_id: "11111111-2222-4333-8444-555555555555",
    kind: "property",
    theme: 1,
    selected_pages: [...PROPERTY_PAGES],
    subject: { address: "12 Subject Lane", city: "Austin", state: "TX", zip: "78701", bedrooms: 3, bathrooms: 2, living_area_sqft: 2000, year_built: 2004 },
    comparables: comps,
    value: { estimate: 412_000, low: 391_400, high: 432_600, confidence: 0.62, method: "comps_ppsf_postal_code", comparables_count: 3, currency: "USD" },
    market: sampleStats(),
    landing_url: url,
    qr_png: await qrPng(url),
    branding: { brand_display_name: null, logo_url: null, primary_color: null, accent_color: null },
    agent: meta().agent,
    generated_at: "2026-11-02T08:00:00.000Z",
    ...over,
  };
}

Deno.test("CMA PDF: only the selected pages, in report order; comparables, value and QR link read back", async () => {
  const input = await cma({ selected_pages: ["estimate", "cover", "comparables"] });
  const bytes = await renderPropertyPdf(input);
  const pages = (await pdfPageTexts(bytes)).map(compact);
  assertEquals(pages.length, 3, "cover, comparables, value");
  assert(pages[0].includes("Comparative market analysis") && pages[0].includes("12 Subject Lane") && pages[0].includes("Scan to view this report online"), pages[0]);
  assert(pages[0].includes("https://reports.example.com/r/ABCD2345"), "the landing URL is printed under the QR");
  assert(pages[1].includes("Comparable properties"), "comparables second");
  for (const c of comps) assert(pages[1].includes(`${money(c.price)}${c.price_kind === "asking" ? " ask" : ""}`) && pages[1].includes(c.address!), `comparable ${c.address}`);
  assert(pages[2].includes("Estimated value") && pages[2].includes("$412,000") && pages[2].includes("Range $391,400 to $432,600"), pages[2]);
  const all = pages.join(" ");
  for (const absent of ["Market conditions", "Your agent", "Subject property"]) assert(!all.includes(absent), `${absent} not selected`);
  assert(new TextDecoder("latin1").decode(bytes).includes("/Subtype /Image"), "the QR image is embedded");
});

Deno.test("CMA PDF: selected_pages and theme are validated against the fixed lists", async () => {
  assertEquals(checkSelectedPages(["agent", "cover"]), { pages: ["cover", "agent"] });
  for (const bad of [[], ["cover", "cover"], ["cover", "appendix"], "cover", [1], null]) {
    const r = checkSelectedPages(bad);
    assert("error" in r && r.error.startsWith("selected_pages: "), JSON.stringify(bad));
  }
  for (const theme of [0, 6, 2.5]) {
    const error = await renderPropertyPdf(await cma({ theme })).then(() => null, (e) => e as Error);
    assert(error?.message.startsWith("theme: "), `theme ${theme} refused`);
  }
});

/** Does a content stream set this colour (fill or stroke)? */
function paints(stream: string, hex: string): boolean {
  const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  return [...stream.matchAll(/([\d.]+) ([\d.]+) ([\d.]+) (?:rg|RG)/g)].some((m) => [1, 2, 3].every((i) => Math.abs(Number(m[i]) - want[i - 1]) < 0.002));
}

Deno.test("CMA PDF: the five themes draw five colour schemes; a brand colour takes over", async () => {
  const seen = new Set<string>();
  for (const theme of [1, 2, 3, 4, 5] as const) {
    const streams = (await pdfContentStreams(await renderPropertyPdf(await cma({ theme, selected_pages: ["cover", "estimate"] })))).join("\n");
    assert(paints(streams, THEMES[theme].primary), `theme ${theme} paints its primary ${THEMES[theme].primary}`);
    seen.add(streams.length.toString() + THEMES[theme].layout);
  }
  assertEquals(seen.size, 5);
  const branded = (await pdfContentStreams(await renderPropertyPdf(await cma({ branding: { brand_display_name: "X", logo_url: null, primary_color: "#ff0000", accent_color: null }, selected_pages: ["cover"] })))).join("\n");
  assert(paints(branded, "#ff0000"), "brand red used");
});

Deno.test("consumer report PDF: market page with the chart, value page without an estimate says why", async () => {
  const input = await cma({ kind: "consumer", landing_url: null, qr_png: null, value: { estimate: null, low: null, high: null, confidence: 0, method: "insufficient_comparables", comparables_count: 2, currency: "USD" }, selected_pages: ["cover", "market", "estimate"] });
  const pages = (await pdfPageTexts(await renderPropertyPdf(input))).map(compact);
  assert(pages[0].includes("Home value report") && !pages[0].includes("Scan to view"), "consumer cover, no QR");
  const m = input.market!.metrics.median_sale_price!;
  assert(pages.join(" ").includes(`Median sale price ${money(m.value)} ${changePct(m.mom_pct)} ${changePct(m.yoy_pct)}`), "market metrics");
  assert(pages.join(" ").includes("Not enough comparable sales for a value estimate (2 found)"), "value page says why");
});
