// Where an outgoing webhook may point. Outside the local stack: https only,
// and every address the host resolves to (each A and AAAA record, or the
// literal address) must be a public unicast one — never loopback, private,
// link-local, carrier-grade NAT, documentation, benchmarking, multicast,
// reserved or unspecified, and IPv6 forms that embed an IPv4 address
// (IPv4-mapped, IPv4-compatible, NAT64, 6to4) are judged by that address.
// Checked when an endpoint is created and again before every attempt (DNS
// answers change); on a hosted project the connection itself resolves
// through pinned-fetch.ts, which judges its answers the same way, so a name
// that answers differently to the check and to the connection (DNS
// rebinding) is refused too.

export type Resolve = (host: string, type: "A" | "AAAA") => Promise<string[]>;

export interface TargetPolicy {
  /** The local stack: http and private addresses allowed (receivers on 127.0.0.1). */
  allowPrivate: boolean;
  resolve: Resolve;
}

export class TargetRefused extends Error {}

export const denoResolve: Resolve = async (host, type) => {
  try {
    return await Deno.resolveDns(host, type);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
};

function v4Bytes(text: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? parts : null;
}

function v4Special(b: number[]): string | null {
  const [a, c] = b;
  if (a === 0) return "unspecified / this network";
  if (a === 10) return "private (10/8)";
  if (a === 100 && c >= 64 && c <= 127) return "carrier-grade NAT (100.64/10)";
  if (a === 127) return "loopback";
  if (a === 169 && c === 254) return "link-local";
  if (a === 172 && c >= 16 && c <= 31) return "private (172.16/12)";
  if (a === 192 && c === 0 && b[2] === 0) return "IETF protocol assignments (192.0.0/24)";
  if (a === 192 && c === 0 && b[2] === 2) return "documentation";
  if (a === 192 && c === 88 && b[2] === 99) return "6to4 relay anycast";
  if (a === 192 && c === 168) return "private (192.168/16)";
  if (a === 198 && (c === 18 || c === 19)) return "benchmarking (198.18/15)";
  if (a === 198 && c === 51 && b[2] === 100) return "documentation";
  if (a === 203 && c === 0 && b[2] === 113) return "documentation";
  if (a >= 224 && a <= 239) return "multicast";
  if (a >= 240) return "reserved / broadcast";
  return null;
}

/** The eight 16-bit groups of an IPv6 address (with an embedded dotted IPv4 tail), or null. */
function v6Groups(text: string): number[] | null {
  let t = text.toLowerCase();
  const zone = t.indexOf("%");
  if (zone >= 0) t = t.slice(0, zone);
  const lastColon = t.lastIndexOf(":");
  if (lastColon < 0) return null;
  if (t.slice(lastColon + 1).includes(".")) {
    // A dotted IPv4 tail (::ffff:127.0.0.1) becomes its two groups.
    const v4 = v4Bytes(t.slice(lastColon + 1));
    if (!v4) return null;
    t = `${t.slice(0, lastColon + 1)}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }
  const halves = t.split("::");
  if (halves.length > 2) return null;
  const parse = (s: string) => (s === "" ? [] : s.split(":").map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const head = parse(halves[0]);
  const rest = halves.length === 2 ? parse(halves[1]) : [];
  if ([...head, ...rest].some(Number.isNaN)) return null;
  let groups: number[];
  if (halves.length === 2) {
    const fill = 8 - head.length - rest.length;
    if (fill < 1) return null;
    groups = [...head, ...new Array(fill).fill(0), ...rest];
  } else {
    groups = head;
  }
  return groups.length === 8 ? groups : null;
}

function v6Special(g: number[]): string | null {
  const embedded = (hi: number, lo: number) => v4Special([hi >> 8, hi & 255, lo >> 8, lo & 255]);
  const zeros = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (g.every((x) => x === 0)) return "unspecified";
  if (zeros(7) && g[7] === 1) return "loopback";
  if (zeros(5) && g[5] === 0xffff) return embedded(g[6], g[7]) ?? null; // IPv4-mapped: judged as IPv4
  if (zeros(6)) return embedded(g[6], g[7]) ?? "IPv4-compatible (deprecated)";
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return embedded(g[6], g[7]); // NAT64
  if (g[0] === 0x2002) return embedded(g[1], g[2]); // 6to4
  if (g[0] === 0x0100 && g.slice(1, 4).every((x) => x === 0)) return "discard-only (100::/64)";
  if (g[0] === 0x2001 && g[1] === 0x0db8) return "documentation";
  if (g[0] === 0x2001 && g[1] < 0x0200) return "IETF protocol assignments (2001::/23)";
  if ((g[0] & 0xfe00) === 0xfc00) return "unique local (fc00::/7)";
  if ((g[0] & 0xffc0) === 0xfe80) return "link-local";
  if ((g[0] & 0xffc0) === 0xfec0) return "site-local (deprecated)";
  if ((g[0] & 0xff00) === 0xff00) return "multicast";
  return null;
}

/** Why this literal address may not be a webhook target, or null when it is public; non-addresses are refused too. */
export function specialAddress(address: string): string | null {
  const v4 = v4Bytes(address);
  if (v4) return v4Special(v4);
  const v6 = v6Groups(address.replace(/^\[|\]$/g, ""));
  if (v6) return v6Special(v6);
  return "not an IP address";
}

/**
 * Refuses (TargetRefused, a message naming the url) a webhook URL the
 * policy does not allow; resolves when it may be called.
 */
export async function checkTarget(rawUrl: string, policy: TargetPolicy): Promise<void> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new TargetRefused("url: not a valid URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new TargetRefused("url: must be http(s)");
  if (url.username || url.password) throw new TargetRefused("url: must not carry credentials");
  if (policy.allowPrivate) return;
  if (url.protocol !== "https:") throw new TargetRefused("url: must be https");
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const literal = v4Bytes(host) ?? v6Groups(host);
  let addresses: string[];
  if (literal) {
    addresses = [host];
  } else {
    const name = host.replace(/\.$/, "").toLowerCase();
    if (name === "localhost" || name.endsWith(".localhost") || !name.includes(".")) {
      throw new TargetRefused(`url: ${host} is not a public host name`);
    }
    let a: string[], aaaa: string[];
    try {
      [a, aaaa] = await Promise.all([policy.resolve(name, "A"), policy.resolve(name, "AAAA")]);
    } catch (error) {
      throw new TargetRefused(`url: cannot resolve ${host}: ${(error as Error).message}`);
    }
    addresses = [...a, ...aaaa];
    if (addresses.length === 0) throw new TargetRefused(`url: ${host} does not resolve`);
  }
  for (const address of addresses) {
    const why = specialAddress(address);
    if (why) throw new TargetRefused(`url: ${host} resolves to ${address} (${why}); webhooks go to public addresses only`);
  }
}
