// Qwen on Alibaba Cloud Model Studio (DashScope) over its documented HTTP
// API, when DASHSCOPE_API_KEY is set (there is no official npm client):
//   * qwen-image-edit / qwen-image: POST {base}/services/aigc/multimodal-generation/generation,
//     messages with {image} and {text} parts; the answer's content holds the image URL;
//   * wan2.x image-to-video: POST {base}/services/aigc/video-generation/video-synthesis
//     with X-DashScope-Async: enable, then GET {base}/tasks/{task_id} until it finishes.
// Base URL: DASHSCOPE_BASE_URL, default the international endpoint.
import {
  type AiProvider,
  downloadOutput,
  extensionFor,
  httpFailure,
  type JobSpec,
  photoPrompt,
  type ProviderContext,
  ProviderError,
  type ProviderResult,
  templatePrompt,
  videoPrompt,
} from "./types.ts";

export const DASHSCOPE_INTL = "https://dashscope-intl.aliyuncs.com/api/v1";

interface Options {
  baseUrl?: string;
  /** Between task polls (video). */
  pollMs?: number;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(t);
      reject(signal.reason ?? new DOMException("aborted", "AbortError"));
    }, { once: true });
  });

export function qwenProvider(apiKey: string, options: Options = {}): AiProvider {
  const base = (options.baseUrl ?? DASHSCOPE_INTL).replace(/\/$/, "");
  const headers = { authorization: `Bearer ${apiKey}`, "content-type": "application/json" };

  async function post(ctx: ProviderContext, path: string, body: unknown, extra: Record<string, string> = {}) {
    const res = await ctx.fetch(`${base}${path}`, { method: "POST", headers: { ...headers, ...extra }, body: JSON.stringify(body), signal: ctx.signal });
    if (!res.ok) throw await httpFailure("qwen", res);
    return await res.json();
  }

  async function image(job: JobSpec, ctx: ProviderContext): Promise<string> {
    const ref = job.input.image as Parameters<ProviderContext["imageUrl"]>[0] | undefined;
    if (job.type === "photo_edit" && !ref) throw new ProviderError(`qwen: ${job.model} edits a photo: input.images is required`, false);
    const content = [
      ...(ref ? [{ image: ctx.imageUrl(ref) }] : []),
      { text: job.type === "photo_edit" ? photoPrompt(job.input) : templatePrompt(job.input) },
    ];
    const answer = await post(ctx, "/services/aigc/multimodal-generation/generation", {
      model: job.model,
      input: { messages: [{ role: "user", content }] },
      parameters: { watermark: false, ...(job.type === "template" ? { size: "1328*1328" } : {}) },
    });
    const parts: Array<{ image?: string }> = answer?.output?.choices?.[0]?.message?.content ?? [];
    const url = parts.find((p) => typeof p.image === "string")?.image;
    if (!url) throw new ProviderError(`qwen: no image in the answer (${answer?.code ?? "no code"}: ${answer?.message ?? "no message"})`, false);
    return url;
  }

  async function video(job: JobSpec, ctx: ProviderContext): Promise<string> {
    const ref = job.input.image as Parameters<ProviderContext["imageUrl"]>[0] | undefined;
    if (!ref) throw new ProviderError(`qwen: ${job.model} animates a photo: input.image is required`, false);
    const started = await post(ctx, "/services/aigc/video-generation/video-synthesis", {
      model: job.model,
      input: { prompt: videoPrompt(job.input), img_url: ctx.imageUrl(ref) },
      parameters: { resolution: "480P", duration: Number(job.input.durationSeconds ?? 5) >= 5 ? 5 : 3 },
    }, { "x-dashscope-async": "enable" });
    const taskId = started?.output?.task_id;
    if (!taskId) throw new ProviderError("qwen: no task id in the answer", true);
    for (;;) {
      await sleep(options.pollMs ?? 5_000, ctx.signal);
      const res = await ctx.fetch(`${base}/tasks/${encodeURIComponent(taskId)}`, { headers, signal: ctx.signal });
      if (!res.ok) throw await httpFailure("qwen", res);
      const task = await res.json();
      const status = task?.output?.task_status;
      if (status === "SUCCEEDED") {
        const url = task.output.video_url;
        if (typeof url !== "string") throw new ProviderError("qwen: task succeeded without a video_url", false);
        return url;
      }
      if (status === "FAILED" || status === "CANCELED" || status === "UNKNOWN") {
        throw new ProviderError(`qwen: task ${status}: ${task?.output?.message ?? task?.output?.code ?? "no reason given"}`, false);
      }
    }
  }

  return {
    service: "qwen",
    mode: "live",
    async run(job, ctx): Promise<ProviderResult> {
      const url = job.type === "video" ? await video(job, ctx) : await image(job, ctx);
      const file = await downloadOutput("qwen", url, ctx);
      return {
        ...file,
        extension: extensionFor(file.contentType, job.type === "video" ? "mp4" : "png"),
        mode: "live",
        provider: `qwen:${job.model}`,
        apiCost: job.apiCostEstimate,
        details: { output_url: url },
      };
    },
  };
}
