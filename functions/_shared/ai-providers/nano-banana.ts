// "Nano banana" is Google's Gemini 2.5 Flash Image, called through the
// Gemini API's documented REST endpoint when GEMINI_API_KEY is set:
//   POST https://generativelanguage.googleapis.com/v1beta/models/{model}:generateContent
//   header x-goog-api-key; parts: the instruction text and, to edit, the
//   photo as inline base64 data. The answer's parts carry the image inline.
import {
  type AiProvider,
  extensionFor,
  httpFailure,
  photoPrompt,
  type ProviderContext,
  ProviderError,
  type ProviderResult,
  templatePrompt,
} from "./types.ts";

export const GEMINI_API = "https://generativelanguage.googleapis.com/v1beta";

function base64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(data: string): Uint8Array {
  const bin = atob(data);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function nanoBananaProvider(apiKey: string, options: { baseUrl?: string } = {}): AiProvider {
  const base = (options.baseUrl ?? GEMINI_API).replace(/\/$/, "");
  return {
    service: "nano_banana",
    mode: "live",
    async run(job, ctx): Promise<ProviderResult> {
      if (job.type === "video") throw new ProviderError("nano_banana: Gemini 2.5 Flash Image makes images, not video", false);
      const ref = job.input.image as Parameters<ProviderContext["loadImage"]>[0] | undefined;
      const parts: Array<Record<string, unknown>> = [{ text: job.type === "photo_edit" ? photoPrompt(job.input) : templatePrompt(job.input) }];
      if (ref) {
        const img = await ctx.loadImage(ref);
        parts.push({ inline_data: { mime_type: img.contentType.split(";")[0], data: base64(img.bytes) } });
      }
      const res = await ctx.fetch(`${base}/models/${encodeURIComponent(job.model)}:generateContent`, {
        method: "POST",
        headers: { "x-goog-api-key": apiKey, "content-type": "application/json" },
        body: JSON.stringify({ contents: [{ role: "user", parts }], generationConfig: { responseModalities: ["IMAGE"] } }),
        signal: ctx.signal,
      });
      if (!res.ok) throw await httpFailure("nano_banana", res);
      const answer = await res.json();
      const out = (answer?.candidates?.[0]?.content?.parts ?? []) as Array<Record<string, { data?: string; mimeType?: string; mime_type?: string }>>;
      const inline = out.map((p) => p.inlineData ?? p.inline_data).find((d) => typeof d?.data === "string");
      if (!inline?.data) {
        const reason = answer?.promptFeedback?.blockReason ?? answer?.candidates?.[0]?.finishReason ?? "no image returned";
        throw new ProviderError(`nano_banana: ${reason}`, false);
      }
      const contentType = inline.mimeType ?? inline.mime_type ?? "image/png";
      return {
        bytes: fromBase64(inline.data),
        contentType,
        extension: extensionFor(contentType, "png"),
        mode: "live",
        provider: `nano_banana:${job.model}`,
        apiCost: job.apiCostEstimate,
        details: { usage: answer?.usageMetadata ?? null },
      };
    },
  };
}
