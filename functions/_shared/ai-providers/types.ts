// One interface for every AI provider Studio calls (seed 002 ai_service:
// replicate, qwen, nano_banana). The worker picks the live adapter when the
// provider's key is set and the local one otherwise; either way it gets
// bytes to store, what they are, and what the call cost.
import type { AiService, ImageRef, ProjectType } from "@domus/contracts/studio.ts";

export interface JobSpec {
  aiJobId: string;
  projectId: string;
  userId: string;
  type: ProjectType;
  service: AiService;
  model: string;
  input: Record<string, unknown>;
  attempt: number;
  apiCostEstimate: number;
}

export interface LoadedImage {
  bytes: Uint8Array;
  contentType: string;
}

export interface ProviderContext {
  signal: AbortSignal;
  /** The image's bytes (Storage object or URL); throws ProviderError when it cannot be had. */
  loadImage(ref: ImageRef): Promise<LoadedImage>;
  /** A URL a remote provider can fetch the image from. */
  imageUrl(ref: ImageRef): string;
  fetch: typeof fetch;
}

export interface ProviderResult {
  bytes: Uint8Array;
  contentType: string;
  /** File extension for the stored object, without the dot. */
  extension: string;
  /** 'local' when the offline stand-in did the work. */
  mode: "live" | "local";
  /** What actually ran, e.g. "replicate:black-forest-labs/flux-kontext-pro" or "local:photo_edit". */
  provider: string;
  /** The provider's price for the call in USD (0 locally). */
  apiCost: number;
  width?: number;
  height?: number;
  details?: Record<string, unknown>;
}

export interface AiProvider {
  readonly service: AiService;
  readonly mode: "live" | "local";
  run(job: JobSpec, ctx: ProviderContext): Promise<ProviderResult>;
}

/** A provider failure: retryable ones (rate limits, 5xx, network) requeue the job; others fail it. */
export class ProviderError extends Error {
  constructor(message: string, readonly retryable: boolean) {
    super(message);
    this.name = "ProviderError";
  }
}

/** HTTP status → retryable? 408, 409, 425, 429 and 5xx are worth another attempt. */
export const retryableStatus = (status: number) => status >= 500 || [408, 409, 425, 429].includes(status);

/** Reads a provider's HTTP error, keeping its message short. */
export async function httpFailure(service: string, res: Response): Promise<ProviderError> {
  const text = (await res.text().catch(() => "")).slice(0, 300);
  return new ProviderError(`${service}: HTTP ${res.status}${text ? ` ${text}` : ""}`, retryableStatus(res.status));
}

/** Downloads a provider's output file. */
export async function downloadOutput(service: string, url: string, ctx: ProviderContext): Promise<{ bytes: Uint8Array; contentType: string }> {
  const res = await ctx.fetch(url, { signal: ctx.signal });
  if (!res.ok) throw await httpFailure(`${service} output`, res);
  return { bytes: new Uint8Array(await res.arrayBuffer()), contentType: res.headers.get("content-type") ?? "application/octet-stream" };
}

export function extensionFor(contentType: string, fallback = "bin"): string {
  const type = contentType.split(";")[0].trim().toLowerCase();
  return ({
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "image/gif": "gif",
    "image/svg+xml": "svg",
    "video/mp4": "mp4",
    "video/webm": "webm",
  } as Record<string, string>)[type] ?? fallback;
}

/** The instruction a remote model gets for a photo edit style, plus the user's own words. */
export function photoPrompt(input: Record<string, unknown>): string {
  const style = String(input.style ?? "enhance");
  const base: Record<string, string> = {
    enhance: "Professionally enhance this real-estate photo: balanced exposure, true colours, crisp detail, straight verticals. Keep the room exactly as it is.",
    virtual_staging: "Virtually stage this empty room with tasteful modern furniture, a rug and decor that fit its size and light. Keep walls, windows and floor unchanged.",
    twilight: "Turn this exterior real-estate photo into a twilight shot: deep blue dusk sky, warm glowing windows, soft exterior lights.",
    declutter: "Remove clutter and personal items from this room; keep furniture, walls and lighting unchanged.",
    sky_replacement: "Replace the sky with a clear bright blue sky with a few soft clouds; keep everything else unchanged.",
  };
  const extra = typeof input.prompt === "string" ? ` ${input.prompt}` : "";
  return (base[style] ?? base.enhance) + extra;
}

export function templatePrompt(input: Record<string, unknown>): string {
  const fields = (input.fields ?? {}) as Record<string, string>;
  const facts = Object.entries(fields).map(([k, v]) => `${k.replace(/_/g, " ")}: ${v}`).join("; ");
  const extra = typeof input.prompt === "string" ? input.prompt : "An elegant real-estate listing promotion graphic";
  return `${extra}.${facts ? ` Include: ${facts}.` : ""} Clean layout, legible text, brand-neutral colours.`;
}

export function videoPrompt(input: Record<string, unknown>): string {
  return typeof input.prompt === "string"
    ? input.prompt
    : "Slow cinematic camera push-in through this property, smooth and steady, natural light.";
}
