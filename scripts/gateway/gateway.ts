// Local stand-in for Supabase's edge gateway: routes /functions/v1/<name> to
// each function's build() handler, verifying the JWT (HS256, local secret)
// unless the function sets verify_jwt = false, as the hosted gateway does.
// It also does what Cloudflare does in front of hosted Supabase: the trusted
// client-address header is set from the TCP peer, never taken from the client.
import { DEFAULT_CLIENT_IP_HEADER, withSocketAddress } from "../../functions/_shared/client-address.ts";
import { bearerToken, JwtError, verifyJwt } from "../../functions/_shared/jwt.ts";
import type { FunctionConfig } from "./config.ts";
import { storageError } from "./storage.ts";

export type Handler = (req: Request, info?: Deno.ServeHandlerInfo) => Promise<Response> | Response;
export type LoadedFunctions = Map<string, { config: FunctionConfig; handler: Handler }>;

export const STACK_TOKEN_HEADER = "x-domus-stack-token";

export interface GatewayOptions {
  jwtSecret: string;
  storage?: (req: Request) => Promise<Response>;
  /** Per-start secret echoed on health answers, so `npm start` knows the gateway answering is its own. */
  stackToken?: string;
  /** The one header functions trust for the client address (ADDRESS.md). */
  clientIpHeader?: string;
}

function gatewayError(status: number, message: string, extra: Record<string, unknown> = {}): Response {
  return new Response(JSON.stringify({ code: status, message, ...extra }), {
    status,
    headers: { "content-type": "application/json", "access-control-allow-origin": "*" },
  });
}

// supabase-js reports a 404 from these as a 500; a 501 with a pointer says what is really going on.
const NOT_SERVED = {
  "/rest/v1/": "Data API (PostgREST)",
  "/auth/v1/": "Auth service (GoTrue)",
} as const;

export async function loadFunctions(configs: FunctionConfig[], baseUrl: URL): Promise<LoadedFunctions> {
  const loaded: LoadedFunctions = new Map();
  for (const config of configs) {
    const mod = await import(new URL(config.entrypoint, baseUrl).href);
    if (typeof mod.build !== "function") throw new Error(`${config.name}: entrypoint does not export build()`);
    loaded.set(config.name, { config, handler: mod.build() });
  }
  return loaded;
}

function withHeader(res: Response, name: string, value: string): Response {
  const headers = new Headers(res.headers);
  headers.set(name, value);
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

export function createGateway(functions: LoadedFunctions, options: GatewayOptions) {
  const { jwtSecret, storage, stackToken } = options;
  const clientIpHeader = (options.clientIpHeader || DEFAULT_CLIENT_IP_HEADER).toLowerCase();
  return async (incoming: Request, info?: Deno.ServeHandlerInfo): Promise<Response> => {
    const addr = info?.remoteAddr;
    const req = withSocketAddress(incoming, addr && "hostname" in addr ? addr : undefined, clientIpHeader);
    const url = new URL(req.url);
    for (const [prefix, service] of Object.entries(NOT_SERVED)) {
      if (url.pathname.startsWith(prefix)) {
        return gatewayError(
          501,
          `the Docker-free local stack has no ${service}: use the functions and Storage here, or run \`supabase start\` (Docker) or a hosted Supabase project for ${prefix}*; see packages/client/README.md ("What works where") and docs/architecture.md`,
          { code: "not_available_locally", service: prefix.slice(1, -4) },
        );
      }
    }
    if (url.pathname.startsWith("/storage/v1/")) {
      return storage ? await storage(req) : storageError(404, "not_found", "Storage is not served here (set DOMUS_STORAGE_DIR)");
    }
    const match = /^\/functions\/v1\/([A-Za-z0-9_-]+)(\/.*)?$/.exec(url.pathname);
    if (!match) return gatewayError(404, "not found: functions live under /functions/v1/<name>");
    const fn = functions.get(match[1]);
    if (!fn) return gatewayError(404, `function ${match[1]} not found`);
    if (fn.config.verifyJwt && req.method !== "OPTIONS") {
      const token = bearerToken(req);
      if (!token) return gatewayError(401, "Missing authorization header");
      try {
        await verifyJwt(token, jwtSecret);
      } catch (error) {
        return gatewayError(401, error instanceof JwtError ? `Invalid JWT: ${error.message}` : "Invalid JWT");
      }
    }
    let res: Response;
    try {
      res = await fn.handler(req, info);
    } catch (error) {
      console.error(`${fn.config.name}:`, error);
      return gatewayError(500, "function crashed; see the stack log");
    }
    return stackToken && fn.config.name === "health" ? withHeader(res, STACK_TOKEN_HEADER, stackToken) : res;
  };
}
