// Generated photos with known properties, for the tests of the image library,
// the analysis and the photo functions: a product on a plain backdrop, pure
// noise, and the operations that should lower a quality score (blur, over-
// exposure). Deterministic (seeded), so a test run is repeatable.
import type { Raster } from "./images.ts";

export function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

/** A flat backdrop of `rgb` with a textured object (checker + grain) filling the middle ~50 %. */
export function productShot(width: number, height: number, backdrop: [number, number, number] = [255, 255, 255], seed = 7): Raster {
  const random = rng(seed);
  const data = new Uint8Array(width * height * 4);
  const cx0 = width * 0.25, cx1 = width * 0.75, cy0 = height * 0.25, cy1 = height * 0.75;
  const cell = Math.max(2, Math.round(Math.min(width, height) / 40));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      if (x >= cx0 && x < cx1 && y >= cy0 && y < cy1) {
        const checker = (Math.floor(x / cell) + Math.floor(y / cell)) % 2 ? 150 : 60;
        const grain = (random() - 0.5) * 40;
        data[o] = clamp(checker + 30 + grain);
        data[o + 1] = clamp(checker - 10 + grain);
        data[o + 2] = clamp(checker - 30 + grain);
      } else {
        data[o] = backdrop[0];
        data[o + 1] = backdrop[1];
        data[o + 2] = backdrop[2];
      }
      data[o + 3] = 255;
    }
  }
  return { width, height, data };
}

/** Every pixel random: no backdrop, no subject. */
export function noise(width: number, height: number, seed = 3): Raster {
  const random = rng(seed);
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i += 4) {
    data[i] = Math.floor(random() * 256);
    data[i + 1] = Math.floor(random() * 256);
    data[i + 2] = Math.floor(random() * 256);
    data[i + 3] = 255;
  }
  return { width, height, data };
}

/** Box blur (radius r, separable), the way an out-of-focus shot loses edges. */
export function blur(src: Raster, r = 4): Raster {
  const { width: w, height: h } = src;
  const pass = (from: Uint8Array, horizontal: boolean) => {
    const out = new Uint8Array(from.length);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const acc = [0, 0, 0];
        let n = 0;
        for (let k = -r; k <= r; k++) {
          const xx = horizontal ? Math.min(w - 1, Math.max(0, x + k)) : x;
          const yy = horizontal ? y : Math.min(h - 1, Math.max(0, y + k));
          const o = (yy * w + xx) * 4;
          acc[0] += from[o];
          acc[1] += from[o + 1];
          acc[2] += from[o + 2];
          n++;
        }
        const o = (y * w + x) * 4;
        out[o] = Math.round(acc[0] / n);
        out[o + 1] = Math.round(acc[1] / n);
        out[o + 2] = Math.round(acc[2] / n);
        out[o + 3] = from[o + 3];
      }
    }
    return out;
  };
  return { width: w, height: h, data: pass(pass(src.data, true), false) };
}

/** Brightness times `gain`, clipped at white: blown highlights. */
export function overExpose(src: Raster, gain = 2.6, lift = 60): Raster {
  const data = src.data.slice();
  for (let i = 0; i < data.length; i += 4) {
    for (let c = 0; c < 3; c++) data[i + c] = clamp(data[i + c] * gain + lift);
  }
  return { ...src, data };
}
