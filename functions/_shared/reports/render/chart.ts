// The trend chart's geometry, computed once and drawn twice: as SVG in the
// HTML report and as vector paths in the PDF. Median sale price is a line on
// the left scale, closed sales are bars on the right scale; a month without
// a median breaks the line instead of inventing a value.
import type { SeriesPoint } from "./types.ts";

export interface ChartBox {
  width: number;
  height: number;
  /** Space for the axis labels. */
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export interface ChartPoint {
  month: string;
  x: number;
  price: number | null;
  /** y of the price line (null: no median that month). */
  priceY: number | null;
  sales: number;
  barY: number;
  barHeight: number;
}

export interface ChartGeometry {
  box: ChartBox;
  plot: { x0: number; x1: number; y0: number; y1: number };
  points: ChartPoint[];
  /** Line segments of the price series (a null month splits the line). */
  segments: Array<Array<{ x: number; y: number }>>;
  price: { min: number; max: number } | null;
  salesMax: number;
  barWidth: number;
}

export const DEFAULT_BOX: ChartBox = { width: 640, height: 260, left: 70, right: 50, top: 20, bottom: 40 };

const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** y grows downwards (SVG); the PDF flips it. */
export function chartGeometry(series: SeriesPoint[], box: ChartBox = DEFAULT_BOX): ChartGeometry {
  const plot = { x0: box.left, x1: box.width - box.right, y0: box.top, y1: box.height - box.bottom };
  const plotW = plot.x1 - plot.x0;
  const plotH = plot.y1 - plot.y0;
  const n = series.length;
  const step = n > 0 ? plotW / n : plotW;
  const prices = series.map((s) => s.median_sale_price).filter(finite);
  let price: ChartGeometry["price"] = null;
  if (prices.length) {
    let min = Math.min(...prices);
    let max = Math.max(...prices);
    if (min === max) {
      // A flat line sits in the middle rather than on an edge.
      const pad = Math.max(1, Math.abs(min) * 0.05);
      min -= pad;
      max += pad;
    }
    price = { min, max };
  }
  const salesMax = Math.max(0, ...series.map((s) => (finite(s.closed_sales) ? s.closed_sales : 0)));
  const barWidth = step * 0.6;
  const points: ChartPoint[] = series.map((s, i) => {
    const x = plot.x0 + step * (i + 0.5);
    const p = finite(s.median_sale_price) ? s.median_sale_price : null;
    const priceY = p === null || price === null ? null : plot.y1 - ((p - price.min) / (price.max - price.min)) * plotH;
    const sales = finite(s.closed_sales) ? s.closed_sales : 0;
    const barHeight = salesMax > 0 ? (sales / salesMax) * plotH : 0;
    return { month: s.month, x, price: p, priceY, sales, barY: plot.y1 - barHeight, barHeight };
  });
  const segments: ChartGeometry["segments"] = [];
  let current: Array<{ x: number; y: number }> = [];
  for (const p of points) {
    if (p.priceY === null) {
      if (current.length) segments.push(current);
      current = [];
    } else current.push({ x: p.x, y: p.priceY });
  }
  if (current.length) segments.push(current);
  return { box, plot, points, segments, price, salesMax, barWidth };
}

/** Short month label: "2026-03" -> "Mar 26". */
export function monthLabel(month: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) return month;
  const names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  return `${names[Number(m[2]) - 1] ?? m[2]} ${m[1].slice(2)}`;
}

/** Months that get an axis label (every other one past 7 months, always the last). */
export function labelledMonths(points: ChartPoint[]): ChartPoint[] {
  const every = points.length > 7 ? 2 : 1;
  return points.filter((_, i) => (points.length - 1 - i) % every === 0);
}
