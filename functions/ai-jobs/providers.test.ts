// The live adapters without the network: each talks to a fake of its
// provider's documented HTTP API (Replicate through the official npm client,
// DashScope and the Gemini API through fetch), so the requests they make and
// the way they read answers and errors are checked offline.
import { encodePng, placeholderRoom } from "../_shared/ai-providers/image.ts";
import { nanoBananaProvider } from "../_shared/ai-providers/nano-banana.ts";
import { qwenProvider } from "../_shared/ai-providers/qwen.ts";
import { replicateProvider } from "../_shared/ai-providers/replicate.ts";
import { providersFromEnv } from "../_shared/ai-providers/index.ts";
import { type JobSpec, type ProviderContext, ProviderError } from "../_shared/ai-providers/types.ts";
import { assert, assertEquals } from "../_shared/testing.ts";

const PNG = encodePng(placeholderRoom(8, 6));

interface Seen {
  method: string;
  url: string;
  headers: Headers;
  body: unknown;
}

function fakeFetch(route: (req: Seen) => Response | Promise<Response>) {
  const seen: Seen[] = [];
  const f = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = new Request(input, init);
    const text = req.method === "GET" ? "" : await req.text();
    const s = { method: req.method, url: req.url, headers: req.headers, body: text ? JSON.parse(text) : null };
    seen.push(s);
    return await route(s);
  }) as typeof fetch;
  return { fetch: f, seen };
}

const jsonRes = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const pngRes = () => new Response(PNG.slice(), { headers: { "content-type": "image/png" } });

function ctx(f: typeof fetch): ProviderContext {
  return {
    signal: new AbortController().signal,
    fetch: f,
    loadImage: () => Promise.resolve({ bytes: PNG, contentType: "image/png" }),
    imageUrl: (ref) => ("path" in ref ? `https://project.supabase.co/storage/v1/object/public/studio-media/${ref.path}` : ref.url),
  };
}

const job = (over: Partial<JobSpec>): JobSpec => ({
  aiJobId: crypto.randomUUID(),
  projectId: crypto.randomUUID(),
  userId: crypto.randomUUID(),
  type: "photo_edit",
  service: "replicate",
  model: "black-forest-labs/flux-kontext-pro",
  input: { style: "twilight", image: { url: "https://example.com/house.jpg" } },
  attempt: 1,
  apiCostEstimate: 0.04,
  ...over,
});

Deno.test("replicate: runs the model by name through the npm client, polls, downloads the file", async () => {
  const { fetch, seen } = fakeFetch((req) => {
    const path = new URL(req.url).pathname;
    if (req.method === "POST" && path === "/v1/models/black-forest-labs/flux-kontext-pro/predictions") return jsonRes({ id: "p1", status: "starting" }, 201);
    if (path === "/v1/predictions/p1") return jsonRes({ id: "p1", status: "succeeded", output: "https://replicate.delivery/out.png" });
    if (req.url === "https://replicate.delivery/out.png") return pngRes();
    return jsonRes({ detail: "not found" }, 404);
  });
  const result = await replicateProvider("r8_test", { fetch, pollMs: 1 }).run(job({}), ctx(fetch));
  assertEquals([result.mode, result.provider, result.contentType, result.extension, result.apiCost], ["live", "replicate:black-forest-labs/flux-kontext-pro", "image/png", "png", 0.04]);
  assertEquals(result.bytes.byteLength, PNG.byteLength);
  const create = seen[0];
  assertEquals(create.headers.get("authorization"), "Bearer r8_test");
  const input = (create.body as { input: Record<string, string> }).input;
  assertEquals(input.input_image, "https://example.com/house.jpg");
  assert(/twilight/.test(input.prompt), input.prompt);
});

Deno.test("replicate: a failed prediction is permanent, a 429 is retryable", async () => {
  const failed = fakeFetch((req) =>
    req.method === "POST" ? jsonRes({ id: "p2", status: "starting" }, 201) : jsonRes({ id: "p2", status: "failed", error: "NSFW content detected" })
  );
  const e1 = await replicateProvider("r8", { fetch: failed.fetch, pollMs: 1 }).run(job({}), ctx(failed.fetch)).catch((e) => e);
  assert(e1 instanceof ProviderError && !e1.retryable && /NSFW/.test(e1.message), String(e1));
  const limited = fakeFetch(() => jsonRes({ detail: "rate limited" }, 429));
  const e2 = await replicateProvider("r8", { fetch: limited.fetch, pollMs: 1 }).run(job({}), ctx(limited.fetch)).catch((e) => e);
  assert(e2 instanceof ProviderError && e2.retryable, String(e2));
});

Deno.test("qwen: qwen-image-edit through DashScope's multimodal generation API", async () => {
  const { fetch, seen } = fakeFetch((req) => {
    if (req.url.endsWith("/services/aigc/multimodal-generation/generation")) {
      return jsonRes({ output: { choices: [{ message: { role: "assistant", content: [{ image: "https://dashscope-result.oss.example/out.png" }] } }] } });
    }
    if (req.url === "https://dashscope-result.oss.example/out.png") return pngRes();
    return jsonRes({}, 404);
  });
  const result = await qwenProvider("sk-test").run(job({ service: "qwen", model: "qwen-image-edit", input: { style: "enhance", image: { path: "u/uploads/a.png" } } }), ctx(fetch));
  assertEquals([result.provider, result.contentType], ["qwen:qwen-image-edit", "image/png"]);
  assertEquals(seen[0].url, "https://dashscope-intl.aliyuncs.com/api/v1/services/aigc/multimodal-generation/generation");
  assertEquals(seen[0].headers.get("authorization"), "Bearer sk-test");
  const body = seen[0].body as { model: string; input: { messages: Array<{ content: Array<Record<string, string>> }> } };
  assertEquals(body.model, "qwen-image-edit");
  assertEquals(body.input.messages[0].content[0].image, "https://project.supabase.co/storage/v1/object/public/studio-media/u/uploads/a.png");
});

Deno.test("qwen: image-to-video is an asynchronous task, polled until it succeeds or fails", async () => {
  let polls = 0;
  const { fetch, seen } = fakeFetch((req) => {
    if (req.url.endsWith("/video-synthesis")) return jsonRes({ output: { task_id: "t-1", task_status: "PENDING" } });
    if (req.url.endsWith("/tasks/t-1")) {
      polls++;
      return jsonRes({ output: polls < 2 ? { task_status: "RUNNING" } : { task_status: "SUCCEEDED", video_url: "https://dashscope-result.oss.example/v.mp4" } });
    }
    if (req.url.endsWith("/v.mp4")) return new Response(new Uint8Array([0, 0, 0, 24, 102, 116, 121, 112]), { headers: { "content-type": "video/mp4" } });
    return jsonRes({}, 404);
  });
  const result = await qwenProvider("sk", { pollMs: 1 }).run(job({ type: "video", service: "qwen", model: "wan2.2-i2v-flash", input: { image: { url: "https://example.com/a.jpg" } } }), ctx(fetch));
  assertEquals([result.extension, polls], ["mp4", 2]);
  assertEquals(seen[0].headers.get("x-dashscope-async"), "enable");
  const failing = fakeFetch((req) =>
    req.url.endsWith("/video-synthesis") ? jsonRes({ output: { task_id: "t-2" } }) : jsonRes({ output: { task_status: "FAILED", message: "InvalidParameter" } })
  );
  const error = await qwenProvider("sk", { pollMs: 1 }).run(job({ type: "video", service: "qwen", model: "wan2.2-i2v-flash" }), ctx(failing.fetch)).catch((e) => e);
  assert(error instanceof ProviderError && !error.retryable, String(error));
});

Deno.test("nano_banana: Gemini generateContent with the photo inline, the edited image read back inline", async () => {
  const b64 = btoa(String.fromCharCode(...PNG));
  const { fetch, seen } = fakeFetch(() =>
    jsonRes({ candidates: [{ content: { parts: [{ text: "Here it is" }, { inlineData: { mimeType: "image/png", data: b64 } }] } }] })
  );
  const result = await nanoBananaProvider("AIza-test").run(job({ service: "nano_banana", model: "gemini-2.5-flash-image" }), ctx(fetch));
  assertEquals([result.provider, result.bytes.byteLength], ["nano_banana:gemini-2.5-flash-image", PNG.byteLength]);
  assertEquals(seen[0].url, "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash-image:generateContent");
  assertEquals(seen[0].headers.get("x-goog-api-key"), "AIza-test");
  const parts = (seen[0].body as { contents: Array<{ parts: Array<Record<string, { mime_type: string }>> }> }).contents[0].parts;
  assertEquals(parts[1].inline_data.mime_type, "image/png");
  const blocked = fakeFetch(() => jsonRes({ promptFeedback: { blockReason: "SAFETY" } }));
  const error = await nanoBananaProvider("k").run(job({ service: "nano_banana", model: "gemini-2.5-flash-image" }), ctx(blocked.fetch)).catch((e) => e);
  assert(error instanceof ProviderError && !error.retryable && /SAFETY/.test(error.message), String(error));
  const overloaded = fakeFetch(() => jsonRes({ error: { message: "overloaded" } }, 503));
  const e503 = await nanoBananaProvider("k").run(job({ service: "nano_banana", model: "gemini-2.5-flash-image" }), ctx(overloaded.fetch)).catch((e) => e);
  assert(e503 instanceof ProviderError && e503.retryable, String(e503));
});

Deno.test("keys decide: live adapters with a key, the local provider without", () => {
  const none = providersFromEnv(() => undefined);
  assertEquals([none("replicate").mode, none("qwen").mode, none("nano_banana").mode], ["local", "local", "local"]);
  const keys: Record<string, string> = { REPLICATE_API_TOKEN: "r8", DASHSCOPE_API_KEY: "sk", GEMINI_API_KEY: "AIza" };
  const all = providersFromEnv((n) => keys[n]);
  assertEquals([all("replicate").mode, all("qwen").mode, all("nano_banana").mode], ["live", "live", "live"]);
});
