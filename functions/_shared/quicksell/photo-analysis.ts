// The local photo analysis: measured from the photo's own pixels, offline,
// deterministic, and reported as local. What it does NOT measure it does
// not guess: contains_faces and contains_hands stay null (that needs a
// detector model; a real provider may fill them).
//
//   background_type    how uniform the outer band of the frame is, and its colour:
//                      'plain_white' | 'plain_dark' | 'plain_color' | 'busy'
//   quality_score      0-1: 60 % sharpness (variance of the Laplacian of the
//                      subject area), 40 % exposure (clipped pixels and how far
//                      the mean brightness is from mid-grey), of the subject only,
//                      so a pure white backdrop is not "over-exposed"
//   object_confidence  0-1: how clearly something stands out in the centre
//                      from a uniform border (centre-vs-border contrast, scaled
//                      by the border's uniformity)
//
// Every photo is first brought to the same analysis size (long side 512),
// so the numbers do not depend on the camera's resolution.
import { downscale, fitLongSide, type Raster } from "./images.ts";

export type BackgroundType = "plain_white" | "plain_dark" | "plain_color" | "busy";

export interface PhotoAnalysis {
  background_type: BackgroundType;
  quality_score: number;
  object_confidence: number;
  contains_faces: null;
  contains_hands: null;
  provider: "local";
  metrics: {
    border_uniformity: number;
    border_rgb: [number, number, number];
    laplacian_variance: number;
    sharpness: number;
    clipped_fraction: number;
    mean_luminance: number;
    exposure: number;
    subject_coverage: number;
    analysis_width: number;
    analysis_height: number;
  };
}

export const ANALYSIS_LONG_SIDE = 512;
/** A border pixel within this (max channel difference) of the border's median colour counts as background. */
const BACKGROUND_TOLERANCE = 24;
/** Border uniformity at or above which the background is "plain". */
const PLAIN_UNIFORMITY = 0.9;
/** Laplacian variance at which sharpness reaches 0.5. */
const SHARPNESS_HALF = 100;

const round2 = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 100) / 100;
const lum = (r: number, g: number, b: number) => 0.299 * r + 0.587 * g + 0.114 * b;

function medianOf(hist: Uint32Array, total: number): number {
  let acc = 0;
  for (let i = 0; i < 256; i++) {
    acc += hist[i];
    if (acc * 2 >= total) return i;
  }
  return 255;
}

export function analyzePhoto(input: Raster): PhotoAnalysis {
  const size = fitLongSide(input.width, input.height, ANALYSIS_LONG_SIDE);
  const img = downscale(input, size.width, size.height);
  const { width: w, height: h, data } = img;
  const L = new Float32Array(w * h);
  for (let i = 0, p = 0; p < L.length; i += 4, p++) L[p] = lum(data[i], data[i + 1], data[i + 2]);

  // --- border: the outer 8 % of the shorter side, all four edges.
  const band = Math.max(1, Math.round(Math.min(w, h) * 0.08));
  const inBorder = (x: number, y: number) => x < band || y < band || x >= w - band || y >= h - band;
  const hist = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
  let borderCount = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!inBorder(x, y)) continue;
      const o = (y * w + x) * 4;
      hist[0][data[o]]++;
      hist[1][data[o + 1]]++;
      hist[2][data[o + 2]]++;
      borderCount++;
    }
  }
  const bg: [number, number, number] = [medianOf(hist[0], borderCount), medianOf(hist[1], borderCount), medianOf(hist[2], borderCount)];
  const nearBackground = (o: number, tolerance: number) =>
    Math.abs(data[o] - bg[0]) <= tolerance && Math.abs(data[o + 1] - bg[1]) <= tolerance && Math.abs(data[o + 2] - bg[2]) <= tolerance;
  let borderAlike = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) if (inBorder(x, y) && nearBackground((y * w + x) * 4, BACKGROUND_TOLERANCE)) borderAlike++;
  }
  const uniformity = borderCount ? borderAlike / borderCount : 0;
  const plain = uniformity >= PLAIN_UNIFORMITY;
  const bgLum = lum(...bg);
  const bgSat = Math.max(...bg) - Math.min(...bg);
  const background_type: BackgroundType = !plain
    ? "busy"
    : bgLum >= 200 && bgSat <= 30
    ? "plain_white"
    : bgLum <= 60
    ? "plain_dark"
    : "plain_color";

  // --- subject: the centre 60 % of each side; on a plain backdrop, minus the backdrop's own colour.
  const x0 = Math.floor(w * 0.2), x1 = Math.ceil(w * 0.8), y0 = Math.floor(h * 0.2), y1 = Math.ceil(h * 0.8);
  let centreCount = 0, subjectCount = 0, clipped = 0, lumSum = 0;
  let cr = 0, cg = 0, cb = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const o = (y * w + x) * 4;
      centreCount++;
      cr += data[o];
      cg += data[o + 1];
      cb += data[o + 2];
      if (plain && nearBackground(o, BACKGROUND_TOLERANCE)) continue;
      subjectCount++;
      const l = L[y * w + x];
      lumSum += l;
      if (isClipped(data, o, l)) clipped++;
    }
  }
  // Nothing but backdrop in the centre: judge exposure on the whole centre.
  if (subjectCount === 0) {
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const l = L[y * w + x];
        lumSum += l;
        if (isClipped(data, (y * w + x) * 4, l)) clipped++;
      }
    }
  }
  const exposureCount = subjectCount || centreCount;
  const clippedFraction = exposureCount ? clipped / exposureCount : 1;
  const meanLum = exposureCount ? lumSum / exposureCount : 0;
  const exposure = Math.max(0, 1 - Math.min(1, clippedFraction * 2)) * (1 - ((meanLum - 128) / 128) ** 2);

  // --- sharpness: variance of the 4-neighbour Laplacian over the centre (the subject's area).
  let n = 0, sum = 0, sumSq = 0;
  for (let y = Math.max(1, y0); y < Math.min(h - 1, y1); y++) {
    for (let x = Math.max(1, x0); x < Math.min(w - 1, x1); x++) {
      const p = y * w + x;
      const v = L[p - 1] + L[p + 1] + L[p - w] + L[p + w] - 4 * L[p];
      sum += v;
      sumSq += v * v;
      n++;
    }
  }
  const lapVar = n ? Math.max(0, sumSq / n - (sum / n) ** 2) : 0;
  const sharpness = lapVar / (lapVar + SHARPNESS_HALF);

  // --- object confidence: how much of the centre differs from the border, and by how much, if the border is uniform.
  const coverage = centreCount ? (plain ? subjectCount : countFar(data, w, x0, x1, y0, y1, bg)) / centreCount : 0;
  const centreMean = centreCount ? [cr / centreCount, cg / centreCount, cb / centreCount] : bg;
  const distance = Math.hypot(centreMean[0] - bg[0], centreMean[1] - bg[1], centreMean[2] - bg[2]) / 120;
  const object_confidence = round2(uniformity ** 2 * (0.6 * Math.min(1, coverage / 0.25) + 0.4 * Math.min(1, distance)));

  return {
    background_type,
    quality_score: round2(0.6 * sharpness + 0.4 * exposure),
    object_confidence,
    contains_faces: null,
    contains_hands: null,
    provider: "local",
    metrics: {
      border_uniformity: Math.round(uniformity * 1000) / 1000,
      border_rgb: bg,
      laplacian_variance: Math.round(lapVar * 10) / 10,
      sharpness: Math.round(sharpness * 1000) / 1000,
      clipped_fraction: Math.round(clippedFraction * 1000) / 1000,
      mean_luminance: Math.round(meanLum * 10) / 10,
      exposure: Math.round(exposure * 1000) / 1000,
      subject_coverage: Math.round(coverage * 1000) / 1000,
      analysis_width: w,
      analysis_height: h,
    },
  };
}

/**
 * Blown or crushed: near-white or near-black, or a bright pixel with a channel
 * at its ceiling (highlights that lost a channel's detail; a saturated but
 * dark colour such as pure red is not counted).
 */
function isClipped(data: Uint8Array, o: number, l: number): boolean {
  return l >= 250 || l <= 5 || (l >= 160 && (data[o] >= 254 || data[o + 1] >= 254 || data[o + 2] >= 254));
}

function countFar(data: Uint8Array, w: number, x0: number, x1: number, y0: number, y1: number, bg: [number, number, number]): number {
  let far = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const o = (y * w + x) * 4;
      if (Math.abs(data[o] - bg[0]) > BACKGROUND_TOLERANCE || Math.abs(data[o + 1] - bg[1]) > BACKGROUND_TOLERANCE || Math.abs(data[o + 2] - bg[2]) > BACKGROUND_TOLERANCE) far++;
    }
  }
  return far;
}
