// A small page writer over pdf-lib shared by the market and property PDFs:
// a cursor that moves down the page and starts a new one when the next block
// does not fit, text in the standard fonts (characters they cannot encode
// become "?", so a name in another script never breaks a report), tables,
// and vector drawing of the trend chart from the same geometry as the SVG.
import { type PDFFont, type PDFImage, PDFDocument, type PDFPage, rgb, StandardFonts } from "pdf-lib";
import { chartGeometry, type ChartBox, labelledMonths, monthLabel } from "./chart.ts";
import { hexToRgb01, money } from "./format.ts";
import type { SeriesPoint } from "./types.ts";

export const PAGE = { width: 612, height: 792, margin: 48 };

export type Color = ReturnType<typeof rgb>;
export const color = (hex: string): Color => rgb(...hexToRgb01(hex));
export const GREY = rgb(0.34, 0.38, 0.42);
export const INK = rgb(0.12, 0.14, 0.16);
export const RULE = rgb(0.82, 0.84, 0.87);

export interface Column {
  header: string;
  width: number;
  align?: "left" | "right";
}

export class PdfWriter {
  page!: PDFPage;
  y = 0;
  private charset: Set<number>;
  private onNewPage: (w: PdfWriter) => void = () => {};

  private constructor(readonly doc: PDFDocument, readonly font: PDFFont, readonly bold: PDFFont) {
    this.charset = new Set(font.getCharacterSet());
  }

  static async create(title: string): Promise<PdfWriter> {
    const doc = await PDFDocument.create();
    doc.setTitle(PdfWriter.plain(title));
    doc.setProducer("Domus reports");
    doc.setCreator("Domus report-generate");
    const w = new PdfWriter(doc, await doc.embedFont(StandardFonts.Helvetica), await doc.embedFont(StandardFonts.HelveticaBold));
    return w;
  }

  /** Metadata strings: ASCII printable only. */
  static plain(s: string): string {
    return s.replace(/[^\x20-\x7e]/g, "?");
  }

  /** Text the standard font can draw: unknown characters become "?", control characters spaces. */
  clean(value: unknown): string {
    let out = "";
    for (const ch of String(value ?? "")) {
      const cp = ch.codePointAt(0)!;
      if (cp < 0x20 || cp === 0x7f) out += " ";
      else out += this.charset.has(cp) ? ch : "?";
    }
    return out;
  }

  /** Called on every new page after the first (headers, page bands). */
  setPageDecorator(fn: (w: PdfWriter) => void) {
    this.onNewPage = fn;
  }

  newPage(): PDFPage {
    this.page = this.doc.addPage([PAGE.width, PAGE.height]);
    this.y = PAGE.height - PAGE.margin;
    this.onNewPage(this);
    return this.page;
  }

  /** Makes room for `height` points, starting a new page when needed. */
  ensure(height: number) {
    if (!this.page || this.y - height < PAGE.margin + 20) this.newPage();
  }

  textWidth(s: string, size: number, bold = false) {
    return (bold ? this.bold : this.font).widthOfTextAtSize(this.clean(s), size);
  }

  /** One line at the cursor (or at x), moving the cursor down. */
  line(text: unknown, o: { size?: number; bold?: boolean; color?: Color; x?: number; gap?: number } = {}) {
    const size = o.size ?? 11;
    this.ensure(size + 4);
    this.y -= size;
    this.page.drawText(this.clean(text), { x: o.x ?? PAGE.margin, y: this.y, size, font: o.bold ? this.bold : this.font, color: o.color ?? INK });
    this.y -= o.gap ?? 5;
  }

  /** Text wrapped to the width, line by line. */
  paragraph(text: unknown, o: { size?: number; bold?: boolean; color?: Color; width?: number } = {}) {
    const size = o.size ?? 11;
    const width = o.width ?? PAGE.width - 2 * PAGE.margin;
    for (const l of this.wrap(this.clean(text), size, width, o.bold)) this.line(l, { ...o, size });
  }

  wrap(text: string, size: number, width: number, bold = false): string[] {
    const font = bold ? this.bold : this.font;
    const lines: string[] = [];
    let current = "";
    for (const word of text.split(/\s+/).filter(Boolean)) {
      const next = current ? `${current} ${word}` : word;
      if (font.widthOfTextAtSize(next, size) <= width || !current) current = next;
      else {
        lines.push(current);
        current = word;
      }
      // A single word wider than the line is cut.
      while (font.widthOfTextAtSize(current, size) > width && current.length > 1) {
        let cut = current.length - 1;
        while (cut > 1 && font.widthOfTextAtSize(current.slice(0, cut), size) > width) cut--;
        lines.push(current.slice(0, cut));
        current = current.slice(cut);
      }
    }
    if (current) lines.push(current);
    return lines.length ? lines : [""];
  }

  heading(text: string, accent: Color, primary: Color) {
    this.ensure(40);
    this.y -= 8;
    this.line(text, { size: 15, bold: true, color: primary, gap: 4 });
    this.page.drawLine({ start: { x: PAGE.margin, y: this.y }, end: { x: PAGE.width - PAGE.margin, y: this.y }, thickness: 1.5, color: accent });
    this.y -= 10;
  }

  /** A table; the header repeats on every page the rows run onto. */
  table(columns: Column[], rows: unknown[][], o: { size?: number; headerColor?: Color } = {}) {
    const size = o.size ?? 9.5;
    const rowH = size + 7;
    const header = () => {
      this.ensure(rowH * 2);
      this.drawRow(columns, columns.map((c) => c.header), size, true, o.headerColor ?? INK);
    };
    header();
    for (const row of rows) {
      if (this.y - rowH < PAGE.margin + 20) {
        this.newPage();
        header();
      }
      this.drawRow(columns, row, size, false, INK);
    }
    this.y -= 6;
  }

  private drawRow(columns: Column[], cells: unknown[], size: number, bold: boolean, ink: Color) {
    const rowH = size + 7;
    let x = PAGE.margin;
    this.y -= rowH;
    columns.forEach((c, i) => {
      const font = bold ? this.bold : this.font;
      let text = this.clean(cells[i]);
      while (text.length > 1 && font.widthOfTextAtSize(text, size) > c.width - 6) text = text.slice(0, -2) + "?";
      const w = font.widthOfTextAtSize(text, size);
      const tx = c.align === "right" ? x + c.width - 3 - w : x + 3;
      this.page.drawText(text, { x: tx, y: this.y + 5, size, font, color: ink });
      x += c.width;
    });
    this.page.drawLine({ start: { x: PAGE.margin, y: this.y + 1 }, end: { x, y: this.y + 1 }, thickness: bold ? 1 : 0.5, color: RULE });
  }

  image(img: PDFImage, x: number, yTop: number, w: number, h: number) {
    this.page.drawImage(img, { x, y: yTop - h, width: w, height: h });
  }

  /** "Page n of m" on every page, once all pages exist. */
  numberPages(label: string) {
    const pages = this.doc.getPages();
    pages.forEach((p, i) => {
      const text = this.clean(`${label}  |  Page ${i + 1} of ${pages.length}`);
      p.drawText(text, { x: PAGE.margin, y: 24, size: 8, font: this.font, color: GREY });
    });
  }

  async save(): Promise<Uint8Array> {
    return await this.doc.save({ useObjectStreams: false });
  }
}

/**
 * The trend chart drawn with vector operators at the cursor: one straight
 * line per pair of neighbouring months of the price series, a rectangle
 * per month's closed sales, axis labels as text.
 */
export function drawTrendChart(w: PdfWriter, series: SeriesPoint[], o: { primary: Color; accent: Color; currency: string }) {
  const box: ChartBox = { width: PAGE.width - 2 * PAGE.margin, height: 210, left: 64, right: 36, top: 12, bottom: 34 };
  w.ensure(box.height + 10);
  const g = chartGeometry(series, box);
  const ox = PAGE.margin;
  const top = w.y;
  const X = (x: number) => ox + x;
  const Y = (y: number) => top - y;
  const { plot } = g;
  w.page.drawRectangle({ x: X(plot.x0), y: Y(plot.y1), width: plot.x1 - plot.x0, height: plot.y1 - plot.y0, borderColor: RULE, borderWidth: 0.75 });
  for (const p of g.points) {
    if (p.barHeight <= 0) continue;
    w.page.drawRectangle({ x: X(p.x - g.barWidth / 2), y: Y(p.barY + p.barHeight), width: g.barWidth, height: p.barHeight, color: o.accent, opacity: 0.35 });
  }
  for (const seg of g.segments) {
    for (let i = 1; i < seg.length; i++) {
      w.page.drawLine({ start: { x: X(seg[i - 1].x), y: Y(seg[i - 1].y) }, end: { x: X(seg[i].x), y: Y(seg[i].y) }, thickness: 1.8, color: o.primary });
    }
    if (seg.length === 1) w.page.drawCircle({ x: X(seg[0].x), y: Y(seg[0].y), size: 2.5, color: o.primary });
  }
  const small = { size: 7.5, font: w.font, color: GREY };
  if (g.price) {
    const maxL = w.clean(money(g.price.max, o.currency));
    const minL = w.clean(money(g.price.min, o.currency));
    w.page.drawText(maxL, { ...small, x: X(plot.x0) - 4 - w.font.widthOfTextAtSize(maxL, 7.5), y: Y(plot.y0) - 7 });
    w.page.drawText(minL, { ...small, x: X(plot.x0) - 4 - w.font.widthOfTextAtSize(minL, 7.5), y: Y(plot.y1) });
  }
  w.page.drawText(String(g.salesMax), { ...small, x: X(plot.x1) + 4, y: Y(plot.y0) - 7 });
  w.page.drawText("0", { ...small, x: X(plot.x1) + 4, y: Y(plot.y1) });
  for (const p of labelledMonths(g.points)) {
    const l = monthLabel(p.month);
    w.page.drawText(w.clean(l), { ...small, x: X(p.x) - w.font.widthOfTextAtSize(l, 7.5) / 2, y: Y(plot.y1) - 11 });
  }
  w.page.drawText("Line: median sale price    Bars: closed sales", { ...small, x: X(plot.x0), y: Y(box.height) + 4 });
  w.y = top - box.height - 8;
  return { geometry: g, origin: { x: ox, top } };
}
