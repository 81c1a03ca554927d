// Which adapter runs a job: the live client when the service's key is set
// (REPLICATE_API_TOKEN, DASHSCOPE_API_KEY, GEMINI_API_KEY), the local
// provider otherwise. The worker reports which one ran.
import type { AiService } from "@domus/contracts/studio.ts";
import { localProvider } from "./local.ts";
import { nanoBananaProvider } from "./nano-banana.ts";
import { qwenProvider } from "./qwen.ts";
import { replicateProvider } from "./replicate.ts";
import type { AiProvider } from "./types.ts";

export type ProviderRegistry = (service: AiService) => AiProvider;

export function providersFromEnv(env: (name: string) => string | undefined = (n) => Deno.env.get(n)): ProviderRegistry {
  const replicate = env("REPLICATE_API_TOKEN");
  const dashscope = env("DASHSCOPE_API_KEY");
  const gemini = env("GEMINI_API_KEY") ?? env("GOOGLE_API_KEY");
  const providers: Record<AiService, AiProvider> = {
    replicate: replicate ? replicateProvider(replicate) : localProvider("replicate"),
    qwen: dashscope ? qwenProvider(dashscope, { baseUrl: env("DASHSCOPE_BASE_URL") }) : localProvider("qwen"),
    nano_banana: gemini ? nanoBananaProvider(gemini) : localProvider("nano_banana"),
  };
  return (service) => providers[service];
}

export { localProvider, nanoBananaProvider, qwenProvider, replicateProvider };
export type { AiProvider } from "./types.ts";
