// The fetch webhook deliveries use on a hosted project: it connects only to
// addresses it has just checked. checkTarget() judges a URL before each
// attempt, but a global fetch would resolve the name again itself, and a DNS
// server answering a public address to the check and a private one to the
// connection (DNS rebinding) would get us to call inside the network. Here
// the connection's own lookup (node:http / node:https `lookup`) resolves the
// name, refuses it if any answer is not a public unicast address, and hands
// the socket exactly the addresses it judged. TLS still verifies the
// certificate against the host name.
//
// Only what attempt() needs: one request with a body, headers, an abort
// signal; redirects are never followed (node:http does not follow them).
import http from "node:http";
import https from "node:https";
import { type Resolve, specialAddress, TargetRefused } from "./ssrf.ts";

type LookupAddress = { address: string; family: 4 | 6 };
type LookupCallback = (error: Error | null, address: string | LookupAddress[], family?: number) => void;

export interface PinnedFetchOptions {
  resolve: Resolve;
  /** Why an address may not be called, or null; specialAddress by default (tests widen it to reach a local receiver). */
  judge?: (address: string) => string | null;
}

/** The addresses `host` resolves to, all of them allowed, or a TargetRefused naming the one that is not. */
export async function resolveAllowed(host: string, o: PinnedFetchOptions): Promise<LookupAddress[]> {
  const judge = o.judge ?? specialAddress;
  const [a, aaaa] = await Promise.all([o.resolve(host, "A"), o.resolve(host, "AAAA")]);
  const found: LookupAddress[] = [...a.map((address) => ({ address, family: 4 as const })), ...aaaa.map((address) => ({ address, family: 6 as const }))];
  if (found.length === 0) throw new TargetRefused(`url: ${host} does not resolve`);
  for (const { address } of found) {
    const why = judge(address);
    if (why) throw new TargetRefused(`url: ${host} resolves to ${address} (${why}) at connect time; webhooks go to public addresses only`);
  }
  return found;
}

export function pinnedFetch(o: PinnedFetchOptions): typeof fetch {
  const lookup = (host: string, options: { all?: boolean }, cb: LookupCallback) => {
    resolveAllowed(host, o).then(
      (found) => (options.all ? cb(null, found) : cb(null, found[0].address, found[0].family)),
      (error) => cb(error as Error, options.all ? [] : ""),
    );
  };
  return ((input: string | URL | Request, init: RequestInit = {}) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const literal = url.hostname.replace(/^\[|\]$/g, "");
      const special = specialAddress(literal);
      // A literal address is never looked up: judge it here.
      if (special !== "not an IP address") {
        const why = o.judge ? o.judge(literal) : special;
        if (why) return reject(new TargetRefused(`url: ${literal} (${why}); webhooks go to public addresses only`));
      }
      const headers: Record<string, string> = {};
      new Headers(init.headers).forEach((v, k) => (headers[k] = v));
      const body = init.body == null ? null : init.body instanceof Uint8Array ? init.body : new TextEncoder().encode(String(init.body));
      if (body) headers["content-length"] = String(body.byteLength);
      const signal = init.signal ?? undefined;
      const mod = url.protocol === "https:" ? https : http;
      const req = mod.request(url, { method: init.method ?? "GET", headers, lookup: lookup as never }, (res) => {
        const out = new Headers();
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) out.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            res.on("data", (chunk: Uint8Array) => controller.enqueue(new Uint8Array(chunk)));
            res.on("end", () => controller.close());
            res.on("error", (e: Error) => controller.error(e));
          },
          cancel() {
            res.destroy();
          },
        });
        const status = res.statusCode ?? 0;
        resolve(new Response([101, 204, 205, 304].includes(status) ? null : stream, { status, statusText: res.statusMessage, headers: out }));
      });
      const abort = () => req.destroy(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
      if (signal?.aborted) return abort();
      signal?.addEventListener("abort", abort, { once: true });
      req.on("error", (error: Error) => reject(error));
      req.on("close", () => signal?.removeEventListener("abort", abort));
      req.end(body ?? undefined);
    })) as typeof fetch;
}
