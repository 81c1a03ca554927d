// The caller's network address, taken from ONE header named by config
// (TRUSTED_CLIENT_IP_HEADER, default cf-connecting-ip). Hosted Supabase sits
// behind Cloudflare, which sets cf-connecting-ip to the TCP peer it accepted
// and overwrites whatever the client sent; x-forwarded-for is only appended
// to, so its first entry is whatever the client wrote, and is never read
// here. A missing or unparsable value is "unknown" (null): there is no
// fallback to another header. The local gateway (scripts/gateway/gateway.ts)
// sets the same header from the socket, so the local stack behaves alike.
import { isIP } from "node:net";

export const DEFAULT_CLIENT_IP_HEADER = "cf-connecting-ip";

export function trustedClientIpHeader(env: (name: string) => string | undefined = (n) => Deno.env.get(n)): string {
  return env("TRUSTED_CLIENT_IP_HEADER")?.trim().toLowerCase() || DEFAULT_CLIENT_IP_HEADER;
}

/** A bare IPv4 or IPv6 address (brackets and IPv4-mapped IPv6 unwrapped), or null. */
export function parseIp(value: string | null | undefined): string | null {
  if (!value) return null;
  let ip = value.trim().replace(/^\[|\]$/g, "").toLowerCase();
  if (ip.startsWith("::ffff:") && isIP(ip.slice(7)) === 4) ip = ip.slice(7);
  return isIP(ip) ? ip : null;
}

/** The client address from the trusted header only. */
export function clientAddress(req: Request, header = trustedClientIpHeader()): string | null {
  return parseIp(req.headers.get(header));
}

/**
 * For the local gateway: the request with the trusted header overwritten by
 * the socket's peer address (or removed when there is none), as the edge
 * proxy does on hosted Supabase.
 */
export function withSocketAddress(req: Request, remote: { hostname?: string } | undefined, header = trustedClientIpHeader()): Request {
  const headers = new Headers(req.headers);
  const ip = parseIp(remote?.hostname);
  if (ip) headers.set(header, ip);
  else headers.delete(header);
  return new Request(req, { headers });
}
