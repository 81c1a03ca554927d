// A small raster toolkit for the local provider, in pure JS (pngjs,
// jpeg-js): decode PNG/JPEG, draw a placeholder room, resize, and the photo
// edit styles as real pixel operations. Images are RGBA, 8 bits per channel.
import { Buffer } from "node:buffer";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { ProviderError } from "./types.ts";

export interface Raster {
  width: number;
  height: number;
  data: Uint8Array;
}

export const MAX_PIXELS = 2048 * 2048;

export function createRaster(width: number, height: number): Raster {
  return { width, height, data: new Uint8Array(width * height * 4) };
}

const isPng = (b: Uint8Array) => b.length > 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
const isJpeg = (b: Uint8Array) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

/** Decodes PNG or JPEG (by signature); anything else is a permanent failure. */
export function decodeImage(bytes: Uint8Array): Raster {
  try {
    if (isPng(bytes)) {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      if (png.width * png.height > MAX_PIXELS * 4) throw new Error("image too large");
      return { width: png.width, height: png.height, data: new Uint8Array(png.data) };
    }
    if (isJpeg(bytes)) {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: 40 });
      return { width: img.width, height: img.height, data: new Uint8Array(img.data) };
    }
  } catch (error) {
    throw new ProviderError(`input image: cannot decode (${(error as Error).message})`, false);
  }
  throw new ProviderError("input image: only PNG and JPEG can be edited locally", false);
}

export function encodePng(r: Raster): Uint8Array {
  const png = new PNG({ width: r.width, height: r.height });
  png.data.set(r.data);
  return new Uint8Array(PNG.sync.write(png, { colorType: 6 }));
}

const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v);

/** Bilinear resize. */
export function resize(src: Raster, width: number, height: number): Raster {
  if (src.width === width && src.height === height) return { ...src, data: src.data.slice() };
  const out = createRaster(width, height);
  const sx = src.width / width;
  const sy = src.height / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.max(0, (y + 0.5) * sy - 0.5);
    const y0 = Math.min(src.height - 1, Math.floor(fy));
    const y1 = Math.min(src.height - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.max(0, (x + 0.5) * sx - 0.5);
      const x0 = Math.min(src.width - 1, Math.floor(fx));
      const x1 = Math.min(src.width - 1, x0 + 1);
      const wx = fx - x0;
      const o = (y * width + x) * 4;
      for (let c = 0; c < 4; c++) {
        const a = src.data[(y0 * src.width + x0) * 4 + c];
        const b = src.data[(y0 * src.width + x1) * 4 + c];
        const d = src.data[(y1 * src.width + x0) * 4 + c];
        const e = src.data[(y1 * src.width + x1) * 4 + c];
        out.data[o + c] = Math.round((a * (1 - wx) + b * wx) * (1 - wy) + (d * (1 - wx) + e * wx) * wy);
      }
    }
  }
  return out;
}

/** Fits inside width x height (keeping the aspect ratio), never above MAX_PIXELS. */
export function fit(src: Raster, width?: number, height?: number): Raster {
  let w = src.width;
  let h = src.height;
  if (width || height) {
    const scale = Math.min(width ? width / w : Infinity, height ? height / h : Infinity);
    w = Math.max(1, Math.round(w * scale));
    h = Math.max(1, Math.round(h * scale));
  }
  if (w * h > MAX_PIXELS) {
    const scale = Math.sqrt(MAX_PIXELS / (w * h));
    w = Math.floor(w * scale);
    h = Math.floor(h * scale);
  }
  return w === src.width && h === src.height ? src : resize(src, w, h);
}

function fillRect(r: Raster, x0: number, y0: number, w: number, h: number, rgb: [number, number, number], alpha = 1) {
  const xa = Math.max(0, Math.floor(x0));
  const ya = Math.max(0, Math.floor(y0));
  const xb = Math.min(r.width, Math.ceil(x0 + w));
  const yb = Math.min(r.height, Math.ceil(y0 + h));
  for (let y = ya; y < yb; y++) {
    for (let x = xa; x < xb; x++) {
      const o = (y * r.width + x) * 4;
      for (let c = 0; c < 3; c++) r.data[o + c] = Math.round(r.data[o + c] * (1 - alpha) + rgb[c] * alpha);
      r.data[o + 3] = 255;
    }
  }
}

/** A deterministic placeholder room (wall, window with sky, floor), a little dim and flat like a phone snapshot. */
export function placeholderRoom(width = 640, height = 480, seed = 1): Raster {
  const r = createRaster(width, height);
  const horizon = Math.round(height * 0.62);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      // Faint per-pixel grain (a hash, so the same seed draws the same room).
      const noise = ((Math.imul(x, 73856093) ^ Math.imul(y, 19349663) ^ Math.imul(seed, 83492791)) >>> 0) % 4;
      if (y < horizon) {
        const shade = 150 + Math.round((x / width) * 20) + noise;
        r.data.set([shade, shade - 8, shade - 22, 255], o);
      } else {
        const plank = Math.floor(x / Math.max(8, width / 12)) % 2 === 0 ? 0 : 10;
        const shade = 110 - Math.round(((y - horizon) / (height - horizon)) * 25) + plank + noise;
        r.data.set([shade + 18, shade - 2, shade - 28, 255], o);
      }
    }
  }
  // A window with a pale sky and a tree line.
  const wx = width * 0.58, wy = height * 0.14, ww = width * 0.3, wh = height * 0.34;
  for (let y = Math.floor(wy); y < wy + wh; y++) {
    for (let x = Math.floor(wx); x < wx + ww; x++) {
      const o = (y * width + x) * 4;
      const t = (y - wy) / wh;
      const tree = t > 0.72 - 0.08 * Math.sin((x - wx) / 9) ? 1 : 0;
      if (tree) r.data.set([96, 124, 84, 255], o);
      else r.data.set([170 + Math.round(30 * t), 190 + Math.round(20 * t), 205, 255], o);
    }
  }
  fillRect(r, wx - 3, wy - 3, ww + 6, 4, [235, 232, 225]);
  fillRect(r, wx - 3, wy + wh - 1, ww + 6, 4, [235, 232, 225]);
  fillRect(r, wx - 3, wy, 4, wh, [235, 232, 225]);
  fillRect(r, wx + ww - 1, wy, 4, wh, [235, 232, 225]);
  fillRect(r, wx + ww / 2 - 1, wy, 3, wh, [235, 232, 225]);
  // Skirting board.
  fillRect(r, 0, horizon - 4, width, 4, [200, 196, 188]);
  return r;
}

// ------------------------------------------------------------------ edits

function percentile(hist: Uint32Array, total: number, p: number): number {
  let acc = 0;
  for (let i = 0; i < 256; i++) {
    acc += hist[i];
    if (acc >= total * p) return i;
  }
  return 255;
}

/** Auto levels per channel (1st-99th percentile), then contrast and saturation. */
export function enhance(src: Raster, contrast = 1.12, saturation = 1.2): Raster {
  const out = { ...src, data: src.data.slice() };
  const n = src.width * src.height;
  const lo: number[] = [];
  const hi: number[] = [];
  for (let c = 0; c < 3; c++) {
    const hist = new Uint32Array(256);
    for (let i = 0; i < n; i++) hist[src.data[i * 4 + c]]++;
    lo.push(percentile(hist, n, 0.01));
    hi.push(Math.max(percentile(hist, n, 0.99), lo[c] + 1));
  }
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    const rgb = [0, 1, 2].map((c) => ((src.data[o + c] - lo[c]) * 255) / (hi[c] - lo[c]));
    const grey = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
    for (let c = 0; c < 3; c++) {
      const sat = grey + (rgb[c] - grey) * saturation;
      out.data[o + c] = clamp(Math.round((sat - 128) * contrast + 128));
    }
  }
  return out;
}

/** Dusk: a blue-violet grade that darkens towards the top, warm glow in the brightest areas. */
export function twilight(src: Raster): Raster {
  const out = { ...src, data: src.data.slice() };
  for (let y = 0; y < src.height; y++) {
    const t = 1 - y / src.height;
    for (let x = 0; x < src.width; x++) {
      const o = (y * src.width + x) * 4;
      const [r, g, b] = [src.data[o], src.data[o + 1], src.data[o + 2]];
      const lum = 0.299 * r + 0.587 * g + 0.114 * b;
      if (lum > 200) {
        out.data[o] = clamp(r * 1.05 + 20);
        out.data[o + 1] = clamp(g * 0.9 + 10);
        out.data[o + 2] = clamp(b * 0.55);
      } else {
        const dark = 0.55 - 0.2 * t;
        out.data[o] = clamp(r * dark + 18 * t);
        out.data[o + 1] = clamp(g * dark + 10 * t);
        out.data[o + 2] = clamp(b * (dark + 0.15) + 60 * t);
      }
    }
  }
  return out;
}

/** Box blur of radius r, then blended back in: smooths away small clutter and texture. */
export function declutter(src: Raster, radius = 3, amount = 0.75): Raster {
  const { width: w, height: h } = src;
  const tmp = new Float32Array(w * h * 3);
  const out = { ...src, data: src.data.slice() };
  for (let y = 0; y < h; y++) {
    for (let c = 0; c < 3; c++) {
      let acc = 0;
      for (let x = -radius; x <= radius; x++) acc += src.data[(y * w + Math.min(w - 1, Math.max(0, x))) * 4 + c];
      for (let x = 0; x < w; x++) {
        tmp[(y * w + x) * 3 + c] = acc / (2 * radius + 1);
        const add = Math.min(w - 1, x + radius + 1);
        const sub = Math.max(0, x - radius);
        acc += src.data[(y * w + add) * 4 + c] - src.data[(y * w + sub) * 4 + c];
      }
    }
  }
  for (let x = 0; x < w; x++) {
    for (let c = 0; c < 3; c++) {
      let acc = 0;
      for (let y = -radius; y <= radius; y++) acc += tmp[(Math.min(h - 1, Math.max(0, y)) * w + x) * 3 + c];
      for (let y = 0; y < h; y++) {
        const o = (y * w + x) * 4 + c;
        out.data[o] = clamp(Math.round(src.data[o] * (1 - amount) + (acc / (2 * radius + 1)) * amount));
        const add = Math.min(h - 1, y + radius + 1);
        const sub = Math.max(0, y - radius);
        acc += tmp[(add * w + x) * 3 + c] - tmp[(sub * w + x) * 3 + c];
      }
    }
  }
  return out;
}

/** Pixels in the upper part that look like sky (bright, low saturation or bluish) become a blue gradient. */
export function skyReplacement(src: Raster): Raster {
  const out = enhance(src, 1.05, 1.1);
  const limit = Math.round(src.height * 0.55);
  for (let y = 0; y < limit; y++) {
    const t = y / limit;
    const sky: [number, number, number] = [Math.round(70 + 90 * t), Math.round(130 + 70 * t), Math.round(220 + 25 * t)];
    for (let x = 0; x < src.width; x++) {
      const o = (y * src.width + x) * 4;
      const [r, g, b] = [src.data[o], src.data[o + 1], src.data[o + 2]];
      const max = Math.max(r, g, b);
      const min = Math.min(r, g, b);
      const skyLike = max > 160 && (max - min < 40 || (b >= r && b >= g));
      if (skyLike) for (let c = 0; c < 3; c++) out.data[o + c] = sky[c];
    }
  }
  return out;
}

/** Enhance, then stage the floor: a rug, a sofa with cushions and a side table, with soft shadows. */
export function virtualStaging(src: Raster): Raster {
  const out = enhance(src);
  const { width: w, height: h } = out;
  const floor = h * 0.62;
  fillRect(out, w * 0.18, floor + h * 0.2, w * 0.56, h * 0.12, [20, 20, 20], 0.25); // shadow
  fillRect(out, w * 0.16, floor + h * 0.17, w * 0.6, h * 0.14, [168, 62, 50], 0.9); // rug
  fillRect(out, w * 0.2, floor - h * 0.1, w * 0.5, h * 0.06, [70, 82, 96]); // sofa back
  fillRect(out, w * 0.2, floor - h * 0.04, w * 0.5, h * 0.12, [84, 98, 114]); // seat
  fillRect(out, w * 0.17, floor - h * 0.07, w * 0.04, h * 0.15, [62, 72, 86]); // arms
  fillRect(out, w * 0.69, floor - h * 0.07, w * 0.04, h * 0.15, [62, 72, 86]);
  fillRect(out, w * 0.25, floor - h * 0.08, w * 0.08, h * 0.05, [228, 200, 120]); // cushions
  fillRect(out, w * 0.57, floor - h * 0.08, w * 0.08, h * 0.05, [228, 200, 120]);
  fillRect(out, w * 0.78, floor - h * 0.02, w * 0.07, h * 0.1, [120, 84, 52]); // side table
  fillRect(out, w * 0.8, floor - h * 0.09, w * 0.03, h * 0.07, [92, 140, 86]); // plant
  return out;
}

export const STYLES = {
  enhance: (r: Raster) => enhance(r),
  virtual_staging: virtualStaging,
  twilight,
  declutter: (r: Raster) => enhance(declutter(r), 1.05, 1.1),
  sky_replacement: skyReplacement,
} as const;

/** Mean absolute difference per channel between two same-sized rasters (0-255). */
export function meanDifference(a: Raster, b: Raster): number {
  if (a.width !== b.width || a.height !== b.height) return 255;
  let sum = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    sum += Math.abs(a.data[i] - b.data[i]) + Math.abs(a.data[i + 1] - b.data[i + 1]) + Math.abs(a.data[i + 2] - b.data[i + 2]);
  }
  return sum / ((a.data.length / 4) * 3);
}
