// Listing descriptions behind one interface: the local provider writes a
// real description from the listing's own fields and its photos' analysis
// (offline, deterministic, says mode "local"); with OPENAI_API_KEY set the
// OpenAI provider asks the Chat Completions API with the same facts.
import type { ListingForAi } from "./store-media.ts";

export interface DescriptionResult {
  text: string;
  provider: string;
  mode: "local" | "live";
}

export interface DescriptionProvider {
  mode: "local" | "live";
  describe(listing: ListingForAi, signal?: AbortSignal): Promise<DescriptionResult>;
}

/** An answer from the outside service that may succeed later (rate limit, 5xx, network). */
export class TransientAiError extends Error {}

const CONDITION: Record<string, string> = {
  new: "brand new and unused",
  like_new: "like new, with no visible wear",
  good: "in good condition, with light signs of use",
  fair: "in fair condition, with visible wear that does not affect use",
  poor: "well used, with clear wear; sold as is",
};

const clean = (s: string | null | undefined) => (s ?? "").replace(/\s+/g, " ").trim();
const money = (v: number, currency: string) => {
  try {
    return new Intl.NumberFormat("en-US", { style: "currency", currency }).format(v);
  } catch {
    return `${v.toFixed(2)} ${currency}`;
  }
};

/** The facts every provider may use, in plain words. */
export function listingFacts(l: ListingForAi): string[] {
  const facts: string[] = [];
  const what = [clean(l.brand), clean(l.model)].filter(Boolean).join(" ");
  if (what) facts.push(`Brand and model: ${what}`);
  facts.push(`Category: ${clean(l.category)}`);
  facts.push(`Condition: ${CONDITION[l.condition] ?? l.condition}`);
  if (clean(l.color)) facts.push(`Colour: ${clean(l.color)}`);
  if (clean(l.size)) facts.push(`Size: ${clean(l.size)}`);
  if (clean(l.dimensions)) facts.push(`Dimensions: ${clean(l.dimensions)}`);
  if (l.weight_kg !== null && l.weight_kg !== undefined) facts.push(`Weight: ${Number(l.weight_kg)} kg`);
  return facts;
}

export function localDescription(l: ListingForAi): string {
  const name = clean(l.title) || [clean(l.brand), clean(l.model)].filter(Boolean).join(" ") || "This item";
  const paragraphs: string[] = [];
  const maker = [clean(l.brand), clean(l.model)].filter(Boolean).join(" ");
  const opening = maker && !name.toLowerCase().includes(maker.toLowerCase()) ? `${name} by ${maker}` : name;
  paragraphs.push(`${opening}, ${CONDITION[l.condition] ?? `condition: ${l.condition}`}.`);
  const details: string[] = [];
  if (clean(l.color)) details.push(`colour ${clean(l.color).toLowerCase()}`);
  if (clean(l.size)) details.push(`size ${clean(l.size)}`);
  if (clean(l.dimensions)) details.push(`measures ${clean(l.dimensions)}`);
  if (l.weight_kg !== null && l.weight_kg !== undefined) details.push(`weighs ${Number(l.weight_kg)} kg`);
  if (details.length) paragraphs.push(`Details: ${details.join(", ")}.`);
  const analysed = l.photos.filter((p) => p.quality_score !== null);
  if (l.photos.length) {
    const plain = analysed.filter((p) => p.background_type && p.background_type !== "busy").length;
    const sharp = analysed.filter((p) => (p.quality_score ?? 0) >= 0.6).length;
    let photoLine = `${l.photos.length} photo${l.photos.length === 1 ? "" : "s"} show${l.photos.length === 1 ? "s" : ""} the item`;
    if (analysed.length && plain === analysed.length) photoLine += " on a plain background";
    if (analysed.length && sharp === analysed.length) photoLine += ", clear and well lit";
    paragraphs.push(`${photoLine}; what you see is what you get.`);
  }
  const delivery: string[] = [];
  if (l.shipping_available) delivery.push("shipping available");
  if (l.local_pickup_available) delivery.push("local pickup welcome");
  if (delivery.length) paragraphs.push(`${delivery.join(", ").replace(/^./, (c) => c.toUpperCase())}.`);
  paragraphs.push(`Asking ${money(Number(l.price), l.currency)} in the ${clean(l.category).toLowerCase()} category. Questions welcome.`);
  return paragraphs.join("\n\n");
}

export function localDescriber(): DescriptionProvider {
  return {
    mode: "local",
    describe: (l) => Promise.resolve({ text: localDescription(l), provider: "local:template", mode: "local" }),
  };
}

export function openAiDescriber(options: { apiKey: string; model?: string; baseUrl?: string; fetch?: typeof fetch }): DescriptionProvider {
  const doFetch = options.fetch ?? fetch;
  const model = options.model ?? "gpt-4o-mini";
  return {
    mode: "live",
    async describe(l, signal) {
      let res: Response;
      try {
        res = await doFetch(`${options.baseUrl ?? "https://api.openai.com/v1"}/chat/completions`, {
          method: "POST",
          signal,
          headers: { authorization: `Bearer ${options.apiKey}`, "content-type": "application/json" },
          body: JSON.stringify({
            model,
            temperature: 0.4,
            max_tokens: 400,
            messages: [
              { role: "system", content: "You write honest, concise resale listing descriptions (under 120 words). Use only the facts given; never invent defects, accessories or specifications." },
              { role: "user", content: `Title: ${clean(l.title)}\n${listingFacts(l).join("\n")}\nPrice: ${money(Number(l.price), l.currency)}` },
            ],
          }),
        });
      } catch (error) {
        if (signal?.aborted) throw error;
        throw new TransientAiError(`openai: ${(error as Error).message}`);
      }
      if (res.status === 429 || res.status >= 500) throw new TransientAiError(`openai: HTTP ${res.status}`);
      if (!res.ok) throw new Error(`openai: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
      const body = await res.json() as { choices?: Array<{ message?: { content?: string } }> };
      const text = clean(body.choices?.[0]?.message?.content);
      if (!text) throw new Error("openai: empty answer");
      return { text, provider: `openai:${model}`, mode: "live" };
    },
  };
}

export function describerFromEnv(env: { get(name: string): string | undefined } = Deno.env): DescriptionProvider {
  const key = env.get("OPENAI_API_KEY");
  return key ? openAiDescriber({ apiKey: key, model: env.get("QUICKSELL_OPENAI_MODEL") }) : localDescriber();
}
