// QuickSell photo files in pure JS (pngjs, jpeg-js; no native addons, so it
// runs on the edge runtime): what a file really is (type, size, dimensions
// read from its own bytes, never from the uploader), decoding with limits
// checked BEFORE any pixel is allocated (a 100 KB PNG can claim 60,000 x
// 60,000 pixels), EXIF orientation applied so width/height are what a viewer
// shows, and the two renditions a listing serves: a thumbnail and an
// optimized JPEG. Renditions are re-encoded, so they carry no EXIF (no GPS).
import { Buffer } from "node:buffer";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";

export type PhotoMime = "image/jpeg" | "image/png";

export interface Raster {
  width: number;
  height: number;
  /** RGBA, 8 bits per channel, row-major. */
  data: Uint8Array;
}

export interface ImageInfo {
  mimeType: PhotoMime;
  width: number;
  height: number;
  fileSize: number;
}

export interface Rendition extends ImageInfo {
  bytes: Uint8Array;
}

/** Same as the bucket's file_size_limit (supabase/migrations/20261202130100_quicksell_photo_storage.sql). */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
/** 40 megapixels: above every phone camera, below what a worker can hold (160 MB of RGBA). */
export const MAX_PIXELS = 40_000_000;
export const MAX_SIDE = 12_000;
export const THUMB_LONG_SIDE = 320;
export const OPTIMIZED_LONG_SIDE = 1600;
export const OPTIMIZED_QUALITY = 80;
export const THUMB_QUALITY = 75;

/** A file we refuse: never retried, the message names the field ("file: ..."). */
export class ImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ImageError";
  }
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const isPng = (b: Uint8Array) => b.length >= 33 && PNG_SIGNATURE.every((v, i) => b[i] === v);
const isJpeg = (b: Uint8Array) => b.length >= 4 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

const u16 = (b: Uint8Array, o: number, little = false) => little ? b[o] | (b[o + 1] << 8) : (b[o] << 8) | b[o + 1];
const u32 = (b: Uint8Array, o: number, little = false) =>
  little ? (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0 : ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;

/** The type named by the file's magic bytes, or null for anything we do not take. */
export function sniffMime(bytes: Uint8Array): PhotoMime | null {
  return isPng(bytes) ? "image/png" : isJpeg(bytes) ? "image/jpeg" : null;
}

interface Header {
  mimeType: PhotoMime;
  /** As stored (before orientation). */
  storedWidth: number;
  storedHeight: number;
  /** EXIF orientation 1..8 (1 = as stored). */
  orientation: number;
}

/** EXIF Orientation from an APP1 segment body starting at "Exif\0\0"; 1 when absent or unreadable. */
function exifOrientation(b: Uint8Array, start: number, end: number): number {
  if (end - start < 14 || String.fromCharCode(...b.subarray(start, start + 4)) !== "Exif") return 1;
  const tiff = start + 6;
  const little = b[tiff] === 0x49 && b[tiff + 1] === 0x49;
  if (!little && !(b[tiff] === 0x4d && b[tiff + 1] === 0x4d)) return 1;
  const ifd = tiff + u32(b, tiff + 4, little);
  if (ifd + 2 > end) return 1;
  const entries = u16(b, ifd, little);
  for (let i = 0; i < entries; i++) {
    const e = ifd + 2 + i * 12;
    if (e + 12 > end) return 1;
    if (u16(b, e, little) === 0x0112) {
      const v = u16(b, e + 8, little);
      return v >= 1 && v <= 8 ? v : 1;
    }
  }
  return 1;
}

function jpegHeader(b: Uint8Array): Header {
  let o = 2;
  let orientation = 1;
  while (o + 4 <= b.length) {
    if (b[o] !== 0xff) throw new ImageError("file: corrupt JPEG (marker expected)");
    const marker = b[o + 1];
    if (marker === 0xff) { // fill byte
      o++;
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      o += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break; // end of image / start of scan before any frame header
    const length = u16(b, o + 2);
    if (length < 2 || o + 2 + length > b.length) break;
    const body = o + 4;
    if (marker === 0xe1) orientation = exifOrientation(b, body, o + 2 + length);
    // SOF0..SOF15 except DHT (c4), JPG (c8) and DAC (cc).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (length < 7) break;
      return { mimeType: "image/jpeg", storedHeight: u16(b, body + 1), storedWidth: u16(b, body + 3), orientation };
    }
    o += 2 + length;
  }
  throw new ImageError("file: corrupt JPEG (no frame header)");
}

function pngHeader(b: Uint8Array): Header {
  if (String.fromCharCode(...b.subarray(12, 16)) !== "IHDR") throw new ImageError("file: corrupt PNG (no IHDR)");
  return { mimeType: "image/png", storedWidth: u32(b, 16), storedHeight: u32(b, 20), orientation: 1 };
}

function readHeader(bytes: Uint8Array, declaredMime?: string | null): Header {
  if (bytes.byteLength === 0) throw new ImageError("file: empty");
  if (bytes.byteLength > MAX_FILE_BYTES) throw new ImageError(`file: larger than ${MAX_FILE_BYTES / 1024 / 1024} MB`);
  const mime = sniffMime(bytes);
  if (!mime) throw new ImageError("file: only JPEG and PNG photos are accepted");
  const declared = declaredMime?.split(";")[0].trim().toLowerCase();
  if (declared && declared !== mime && !(declared === "image/jpg" && mime === "image/jpeg")) {
    throw new ImageError(`mime_type: the file is ${mime}, not ${declared}`);
  }
  const h = mime === "image/png" ? pngHeader(bytes) : jpegHeader(bytes);
  if (!h.storedWidth || !h.storedHeight) throw new ImageError("file: zero width or height");
  if (h.storedWidth > MAX_SIDE || h.storedHeight > MAX_SIDE || h.storedWidth * h.storedHeight > MAX_PIXELS) {
    throw new ImageError(`file: ${h.storedWidth}x${h.storedHeight} is more than ${MAX_PIXELS / 1e6} megapixels or ${MAX_SIDE} px a side`);
  }
  return h;
}

const swapsAxes = (orientation: number) => orientation >= 5;

/** Type, byte size and displayed dimensions, from the bytes alone (no pixel decode). */
export function inspectImage(bytes: Uint8Array, declaredMime?: string | null): ImageInfo {
  const h = readHeader(bytes, declaredMime);
  const swap = swapsAxes(h.orientation);
  return { mimeType: h.mimeType, width: swap ? h.storedHeight : h.storedWidth, height: swap ? h.storedWidth : h.storedHeight, fileSize: bytes.byteLength };
}

/** Rotates/flips a raster as EXIF orientation says, so pixels are upright. */
export function applyOrientation(src: Raster, orientation: number): Raster {
  if (orientation <= 1 || orientation > 8) return src;
  const { width: w, height: h } = src;
  const swap = swapsAxes(orientation);
  const W = swap ? h : w;
  const H = swap ? w : h;
  const out = new Uint8Array(W * H * 4);
  const s = new Uint32Array(src.data.buffer, src.data.byteOffset, w * h);
  const d = new Uint32Array(out.buffer);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let X: number, Y: number;
      switch (orientation) {
        case 2: X = w - 1 - x; Y = y; break;
        case 3: X = w - 1 - x; Y = h - 1 - y; break;
        case 4: X = x; Y = h - 1 - y; break;
        case 5: X = y; Y = x; break;
        case 6: X = h - 1 - y; Y = x; break;
        case 7: X = h - 1 - y; Y = w - 1 - x; break;
        default: X = y; Y = w - 1 - x; break; // 8
      }
      d[Y * W + X] = s[y * w + x];
    }
  }
  return { width: W, height: H, data: out };
}

/** Decodes a JPEG or PNG (by its magic bytes, checked against declaredMime when given), upright. */
export function decodePhoto(bytes: Uint8Array, declaredMime?: string | null): { raster: Raster; info: ImageInfo } {
  const h = readHeader(bytes, declaredMime);
  let raster: Raster;
  try {
    if (h.mimeType === "image/png") {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      raster = { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
    } else {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_PIXELS / 1e6, maxMemoryUsageInMB: 512 });
      raster = { width: img.width, height: img.height, data: new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength) };
    }
  } catch (error) {
    throw new ImageError(`file: cannot decode ${h.mimeType} (${(error as Error).message})`);
  }
  if (raster.width !== h.storedWidth || raster.height !== h.storedHeight) throw new ImageError("file: header and pixel data disagree");
  if (raster.data.byteOffset % 4 !== 0) raster = { ...raster, data: raster.data.slice() };
  raster = applyOrientation(raster, h.orientation);
  return { raster, info: { mimeType: h.mimeType, width: raster.width, height: raster.height, fileSize: bytes.byteLength } };
}

/** Composites any transparency onto white (JPEG has no alpha; listings show on white). */
export function flattenOnWhite(src: Raster): Raster {
  const out = src.data.slice();
  for (let i = 0; i < out.length; i += 4) {
    const a = out[i + 3];
    if (a === 255) continue;
    const k = a / 255;
    out[i] = Math.round(out[i] * k + 255 * (1 - k));
    out[i + 1] = Math.round(out[i + 1] * k + 255 * (1 - k));
    out[i + 2] = Math.round(out[i + 2] * k + 255 * (1 - k));
    out[i + 3] = 255;
  }
  return { ...src, data: out };
}

/** Contribution of each source index to each destination index: area coverage (a box filter). */
function areaWeights(srcSize: number, dstSize: number): { start: Int32Array; count: Int32Array; weights: Float32Array; stride: number } {
  const scale = srcSize / dstSize;
  const stride = Math.ceil(scale) + 2;
  const start = new Int32Array(dstSize);
  const count = new Int32Array(dstSize);
  const weights = new Float32Array(dstSize * stride);
  for (let d = 0; d < dstSize; d++) {
    const lo = d * scale;
    const hi = lo + scale;
    const first = Math.floor(lo);
    const last = Math.min(srcSize - 1, Math.ceil(hi) - 1);
    start[d] = first;
    count[d] = last - first + 1;
    for (let s = first; s <= last; s++) {
      weights[d * stride + (s - first)] = (Math.min(hi, s + 1) - Math.max(lo, s)) / scale;
    }
  }
  return { start, count, weights, stride };
}

/**
 * Downscales by area averaging (every source pixel counts, so no aliasing
 * however large the factor), separable: rows, then columns. Never enlarges.
 */
export function downscale(src: Raster, width: number, height: number): Raster {
  if (width >= src.width && height >= src.height) return src;
  width = Math.max(1, Math.min(width, src.width));
  height = Math.max(1, Math.min(height, src.height));
  const xw = areaWeights(src.width, width);
  const yw = areaWeights(src.height, height);
  const tmp = new Float32Array(width * src.height * 4);
  for (let y = 0; y < src.height; y++) {
    const row = y * src.width * 4;
    for (let x = 0; x < width; x++) {
      let r = 0, g = 0, b = 0, a = 0;
      const base = x * xw.stride;
      for (let k = 0; k < xw.count[x]; k++) {
        const w = xw.weights[base + k];
        const o = row + (xw.start[x] + k) * 4;
        r += src.data[o] * w;
        g += src.data[o + 1] * w;
        b += src.data[o + 2] * w;
        a += src.data[o + 3] * w;
      }
      const t = (y * width + x) * 4;
      tmp[t] = r;
      tmp[t + 1] = g;
      tmp[t + 2] = b;
      tmp[t + 3] = a;
    }
  }
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const base = y * yw.stride;
    for (let x = 0; x < width; x++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let k = 0; k < yw.count[y]; k++) {
        const w = yw.weights[base + k];
        const t = ((yw.start[y] + k) * width + x) * 4;
        r += tmp[t] * w;
        g += tmp[t + 1] * w;
        b += tmp[t + 2] * w;
        a += tmp[t + 3] * w;
      }
      const o = (y * width + x) * 4;
      out[o] = Math.min(255, Math.round(r));
      out[o + 1] = Math.min(255, Math.round(g));
      out[o + 2] = Math.min(255, Math.round(b));
      out[o + 3] = Math.min(255, Math.round(a));
    }
  }
  return { width, height, data: out };
}

/** Dimensions that fit the long side into `longSide`, keeping the aspect ratio; never larger than the source. */
export function fitLongSide(width: number, height: number, longSide: number): { width: number; height: number } {
  const scale = Math.min(1, longSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

export function encodeJpeg(src: Raster, quality: number): Uint8Array {
  const encoded = jpeg.encode({ data: src.data, width: src.width, height: src.height }, quality);
  return new Uint8Array(encoded.data.buffer, encoded.data.byteOffset, encoded.data.byteLength);
}

export function encodePng(src: Raster): Uint8Array {
  const png = new PNG({ width: src.width, height: src.height });
  png.data.set(src.data);
  return new Uint8Array(PNG.sync.write(png, { colorType: 6 }));
}

function rendition(src: Raster, longSide: number, quality: number): Rendition {
  const size = fitLongSide(src.width, src.height, longSide);
  const scaled = downscale(src, size.width, size.height);
  const bytes = encodeJpeg(scaled, quality);
  return { bytes, mimeType: "image/jpeg", width: scaled.width, height: scaled.height, fileSize: bytes.byteLength };
}

export interface Renditions {
  /** The uploaded file as it really is (displayed dimensions). */
  original: ImageInfo;
  thumb: Rendition;
  optimized: Rendition;
  /** The upright, flattened pixels, for the analysis. */
  raster: Raster;
}

/** Decodes the upload once and makes both renditions (JPEG; the thumbnail from the optimized one is not sharper, so both come from the source). */
export function makeRenditions(bytes: Uint8Array, declaredMime?: string | null): Renditions {
  const { raster, info } = decodePhoto(bytes, declaredMime);
  const flat = flattenOnWhite(raster);
  return {
    original: info,
    optimized: rendition(flat, OPTIMIZED_LONG_SIDE, OPTIMIZED_QUALITY),
    thumb: rendition(flat, THUMB_LONG_SIDE, THUMB_QUALITY),
    raster: flat,
  };
}
