// How the client reaches the network, using only supabase-js's public options:
// a fetch that sends function calls to a separate functions origin (the
// Docker-free stack serves them on their own port), and the WebSocket class
// Realtime needs.
import type { SupabaseClientOptions } from "@supabase/supabase-js";

export type RealtimeTransport = NonNullable<NonNullable<SupabaseClientOptions<"public">["realtime"]>["transport"]>;

/** Rewrites `<url>/functions/v1/<name>` to `<functionsUrl>/<name>`; every other request is untouched. */
export function functionsUrlFetch(url: string, functionsUrl: string, inner: typeof fetch): typeof fetch {
  const from = `${url.replace(/\/+$/, "")}/functions/v1`;
  const to = functionsUrl.replace(/\/+$/, "");
  return (input, init) => {
    const target = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (target !== from && !target.startsWith(`${from}/`) && !target.startsWith(`${from}?`)) return inner(input, init);
    const rewritten = to + target.slice(from.length);
    return input instanceof Request ? inner(new Request(rewritten, input), init) : inner(rewritten, init);
  };
}

/**
 * The platform's WebSocket where there is one; on Node 20 the `ws` package, loaded
 * through Node's own require so bundlers for browsers never see it.
 */
export function defaultRealtimeTransport(): RealtimeTransport {
  const native = (globalThis as { WebSocket?: unknown }).WebSocket;
  if (typeof native === "function") return native as RealtimeTransport;
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const nodeModule = proc?.getBuiltinModule?.("node:module") as
    | { createRequire(from: string): (id: string) => { WebSocket?: unknown } & Record<string, unknown> }
    | undefined;
  if (!nodeModule) {
    throw new Error("@domus/client: this runtime has no WebSocket; pass realtimeTransport (e.g. the `ws` package's WebSocket)");
  }
  const ws = nodeModule.createRequire(import.meta.url)("ws");
  return (ws.WebSocket ?? ws) as RealtimeTransport;
}
