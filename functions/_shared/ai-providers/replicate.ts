// Replicate through its official npm client (`replicate`), when
// REPLICATE_API_TOKEN is set. Models are run by name; inputs follow each
// model's schema on replicate.com. The output file is downloaded so the
// worker can keep it in our own Storage (Replicate's URLs expire).
import Replicate from "replicate";
import {
  type AiProvider,
  downloadOutput,
  extensionFor,
  type JobSpec,
  photoPrompt,
  type ProviderContext,
  ProviderError,
  type ProviderResult,
  retryableStatus,
  templatePrompt,
  videoPrompt,
} from "./types.ts";

function inputFor(job: JobSpec, ctx: ProviderContext): Record<string, unknown> {
  const image = job.input.image as Parameters<ProviderContext["imageUrl"]>[0] | undefined;
  if (job.type === "photo_edit") {
    return { prompt: photoPrompt(job.input), ...(image ? { input_image: ctx.imageUrl(image) } : {}), output_format: "png" };
  }
  if (job.type === "video") {
    return { prompt: videoPrompt(job.input), ...(image ? { first_frame_image: ctx.imageUrl(image) } : {}) };
  }
  return { prompt: templatePrompt(job.input), aspect_ratio: "1:1", output_format: "png" };
}

/** The first URL in whatever shape the model returned (string, list, object with url). */
function firstUrl(output: unknown): string | null {
  if (typeof output === "string") return output;
  if (Array.isArray(output)) return output.length ? firstUrl(output[0]) : null;
  if (output && typeof output === "object") {
    const o = output as Record<string, unknown>;
    if (typeof o.url === "function") return String((o.url as () => URL)());
    for (const key of ["url", "output", "video", "image"]) if (key in o) return firstUrl(o[key]);
  }
  return null;
}

export function replicateProvider(token: string, options: { fetch?: typeof fetch; baseUrl?: string; pollMs?: number } = {}): AiProvider {
  return {
    service: "replicate",
    mode: "live",
    async run(job, ctx): Promise<ProviderResult> {
      const client = new Replicate({ auth: token, useFileOutput: false, fetch: options.fetch ?? ctx.fetch, ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}) });
      let output: unknown;
      try {
        // Poll rather than block: a blocking call can come back still "processing", without output.
        output = await client.run(job.model as `${string}/${string}`, {
          input: inputFor(job, ctx),
          wait: { mode: "poll", interval: options.pollMs ?? 1_500 },
          signal: ctx.signal,
        });
        if (ctx.signal.aborted) throw ctx.signal.reason ?? new DOMException("aborted", "AbortError");
      } catch (error) {
        const status = (error as { response?: Response }).response?.status;
        const message = (error as Error).message.slice(0, 300);
        if (status !== undefined) throw new ProviderError(`replicate: ${message}`, retryableStatus(status));
        if ((error as Error).name === "AbortError") throw error;
        // "Prediction failed: ..." is the model's answer; a network error is worth a retry.
        throw new ProviderError(`replicate: ${message}`, !/^Prediction (failed|canceled)/.test(message));
      }
      const url = firstUrl(output);
      if (!url) throw new ProviderError("replicate: the model returned no file", false);
      const file = await downloadOutput("replicate", url, ctx);
      return {
        ...file,
        extension: extensionFor(file.contentType, job.type === "video" ? "mp4" : "png"),
        mode: "live",
        provider: `replicate:${job.model}`,
        apiCost: job.apiCostEstimate,
        details: { output_url: url },
      };
    },
  };
}
