// The offline stand-in for every AI service, used when the service's key is
// not set. It does real work and says so (mode "local"):
//   * photo_edit: the input photo (or a generated placeholder room) really
//     edited pixel by pixel in the requested style, as a PNG;
//   * video: an animated GIF "camera push-in" over the photo (Ken Burns);
//   * template: an SVG listing graphic with the given fields (and photo).
import gifenc from "gifenc";
import type { AiService, ImageRef } from "@domus/contracts/studio.ts";
import { decodeImage, encodePng, fit, placeholderRoom, type Raster, resize, STYLES } from "./image.ts";
import type { AiProvider, JobSpec, ProviderContext, ProviderResult } from "./types.ts";

const { GIFEncoder, quantize, applyPalette } = gifenc as unknown as {
  GIFEncoder: () => { writeFrame(index: Uint8Array, w: number, h: number, opts: Record<string, unknown>): void; finish(): void; bytes(): Uint8Array };
  quantize: (rgba: Uint8Array, maxColors: number) => number[][];
  applyPalette: (rgba: Uint8Array, palette: number[][]) => Uint8Array;
};

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

async function sourceImage(job: JobSpec, ctx: ProviderContext, ref: unknown, width: number, height: number): Promise<{ raster: Raster; source: string }> {
  if (ref && typeof ref === "object") {
    const loaded = await ctx.loadImage(ref as ImageRef);
    return { raster: fit(decodeImage(loaded.bytes), num(job.input.width), num(job.input.height)), source: "input" };
  }
  const seed = parseInt(job.aiJobId.replace(/-/g, "").slice(0, 6), 16) || 1;
  return { raster: placeholderRoom(width, height, seed), source: "generated placeholder room" };
}

async function photoEdit(job: JobSpec, ctx: ProviderContext): Promise<ProviderResult> {
  const style = (String(job.input.style ?? "enhance") in STYLES ? String(job.input.style ?? "enhance") : "enhance") as keyof typeof STYLES;
  const { raster, source } = await sourceImage(job, ctx, job.input.image, num(job.input.width) ?? 640, num(job.input.height) ?? 480);
  const edited = STYLES[style](raster);
  return {
    bytes: encodePng(edited),
    contentType: "image/png",
    extension: "png",
    mode: "local",
    provider: `local:${job.service}`,
    apiCost: 0,
    width: edited.width,
    height: edited.height,
    details: { style, source, note: `rendered offline by the local provider (no ${job.service} key set)` },
  };
}

async function video(job: JobSpec, ctx: ProviderContext): Promise<ProviderResult> {
  const width = num(job.input.width) ?? 320;
  const height = num(job.input.height) ?? 240;
  const { raster, source } = await sourceImage(job, ctx, job.input.image, width * 2, height * 2);
  const base = STYLES.enhance(raster);
  const fps = 8;
  const frames = Math.min(40, Math.max(4, (num(job.input.durationSeconds) ?? 3) * fps));
  const outW = Math.min(width, base.width);
  const outH = Math.min(height, base.height);
  const gif = GIFEncoder();
  let palette: number[][] | null = null;
  for (let i = 0; i < frames; i++) {
    // Zoom from the whole picture to 70% of it, drifting right: a slow push-in.
    const t = i / (frames - 1);
    const cropW = Math.round(base.width * (1 - 0.3 * t));
    const cropH = Math.round(base.height * (1 - 0.3 * t));
    const x0 = Math.round((base.width - cropW) * (0.5 + 0.4 * t * 0.5));
    const y0 = Math.round((base.height - cropH) * 0.5);
    const crop: Raster = { width: cropW, height: cropH, data: new Uint8Array(cropW * cropH * 4) };
    for (let y = 0; y < cropH; y++) {
      crop.data.set(base.data.subarray(((y0 + y) * base.width + x0) * 4, ((y0 + y) * base.width + x0 + cropW) * 4), y * cropW * 4);
    }
    const frame = resize(crop, outW, outH);
    palette ??= quantize(frame.data, 256);
    gif.writeFrame(applyPalette(frame.data, palette), outW, outH, { palette, delay: Math.round(1000 / fps), repeat: 0 });
  }
  gif.finish();
  return {
    bytes: gif.bytes(),
    contentType: "image/gif",
    extension: "gif",
    mode: "local",
    provider: `local:${job.service}`,
    apiCost: 0,
    width: outW,
    height: outH,
    details: { frames, fps, source, note: `animated GIF rendered offline by the local provider (no ${job.service} key set)` },
  };
}

const xml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" }[c]!));

function base64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

async function template(job: JobSpec, ctx: ProviderContext): Promise<ProviderResult> {
  const width = num(job.input.width) ?? 1080;
  const height = num(job.input.height) ?? 1080;
  const fields = (job.input.fields ?? {}) as Record<string, string>;
  const headline = fields.headline ?? fields.title ?? (typeof job.input.prompt === "string" ? job.input.prompt : "Just listed");
  const lines = Object.entries(fields)
    .filter(([k]) => k !== "headline" && k !== "title")
    .slice(0, 8)
    .map(([k, v], i) =>
      `<text x="${Math.round(width * 0.08)}" y="${Math.round(height * (0.7 + i * 0.045))}" font-size="${Math.round(height * 0.032)}" fill="#1f2933"><tspan font-weight="700">${xml(k.replace(/_/g, " "))}:</tspan> ${xml(v)}</text>`
    );
  let photo = "";
  if (job.input.image && typeof job.input.image === "object") {
    const { raster } = await sourceImage(job, ctx, job.input.image, width, height);
    const png = encodePng(fit(STYLES.enhance(raster), width, Math.round(height * 0.5)));
    photo = `<image x="0" y="${Math.round(height * 0.12)}" width="${width}" height="${Math.round(height * 0.5)}" preserveAspectRatio="xMidYMid slice" href="data:image/png;base64,${base64(png)}"/>`;
  } else {
    photo = `<rect x="0" y="${Math.round(height * 0.12)}" width="${width}" height="${Math.round(height * 0.5)}" fill="url(#sky)"/>` +
      `<polygon points="${width * 0.25},${height * 0.62} ${width * 0.5},${height * 0.3} ${width * 0.75},${height * 0.62}" fill="#e4e7eb"/>`;
  }
  const svg = `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
  <title>${xml(headline)}</title>
  <desc>Rendered offline by the local provider (no ${xml(job.service)} key set); project ${xml(job.projectId)}</desc>
  <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#7fb3e8"/><stop offset="1" stop-color="#dceefb"/></linearGradient></defs>
  <rect width="100%" height="100%" fill="#f5f7fa"/>
  <rect width="100%" height="${Math.round(height * 0.12)}" fill="#102a43"/>
  <text x="${Math.round(width * 0.08)}" y="${Math.round(height * 0.08)}" font-family="Helvetica, Arial, sans-serif" font-size="${Math.round(height * 0.045)}" font-weight="700" fill="#ffffff">${xml(headline)}</text>
  ${photo}
  <g font-family="Helvetica, Arial, sans-serif">${lines.join("")}</g>
</svg>
`;
  return {
    bytes: new TextEncoder().encode(svg),
    contentType: "image/svg+xml",
    extension: "svg",
    mode: "local",
    provider: `local:${job.service}`,
    apiCost: 0,
    width,
    height,
    details: { fields: Object.keys(fields), note: `SVG rendered offline by the local provider (no ${job.service} key set)` },
  };
}

export function localProvider(service: AiService): AiProvider {
  return {
    service,
    mode: "local",
    run(job, ctx) {
      if (job.type === "photo_edit") return photoEdit(job, ctx);
      if (job.type === "video") return video(job, ctx);
      return template(job, ctx);
    },
  };
}
