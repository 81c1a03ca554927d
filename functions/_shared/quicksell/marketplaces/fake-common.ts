// What the local marketplace fakes share: a clock tests can move, a
// per-second request window (the rate limit), single-use forced failures,
// random ids in a marketplace's format, and serving a fake on a port.

import { base64Url } from "../../base64.ts";

export interface FakeClock {
  now(): number;
  advance(ms: number): void;
}

/** Real time, moved forward by `advance` (the local stack's fakes). */
export function fakeClock(): FakeClock {
  let offset = 0;
  return { now: () => Date.now() + offset, advance: (ms) => void (offset += ms) };
}

/** A clock that only moves when told (tests of rate limits and expiry). */
export function frozenClock(start = Date.UTC(2026, 11, 2, 12)): FakeClock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/** At most `perSecond` requests in each clock second; answers how long until the next one is allowed. */
export function rateWindow(perSecond: number, clock: FakeClock) {
  let second = -1;
  let used = 0;
  return {
    get limit() {
      return perSecond;
    },
    take(): { ok: true; remaining: number } | { ok: false; retryAfterSeconds: number } {
      const s = Math.floor(clock.now() / 1000);
      if (s !== second) {
        second = s;
        used = 0;
      }
      if (used >= perSecond) return { ok: false, retryAfterSeconds: 1 };
      used++;
      return { ok: true, remaining: perSecond - used };
    },
  };
}

export const randomDigits = (n: number, lead = "") => {
  let s = lead;
  while (s.length < n) s += String(crypto.getRandomValues(new Uint32Array(1))[0] % 10);
  return s;
};

export const randomToken = (bytes = 24) => base64Url(crypto.getRandomValues(new Uint8Array(bytes)));

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { ...(status === 204 ? {} : { "content-type": "application/json" }), ...headers },
  });
}

export async function readForm(req: Request): Promise<Record<string, string>> {
  const type = req.headers.get("content-type") ?? "";
  const text = await req.text();
  if (type.includes("application/json")) {
    try {
      const parsed = JSON.parse(text || "{}");
      return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

export async function readJsonBody(req: Request): Promise<Record<string, unknown> | null> {
  try {
    const value = JSON.parse((await req.text()) || "{}");
    return value && typeof value === "object" && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

export interface ServedFake {
  url: string;
  close(): Promise<void>;
}

/** Serves a fake on 127.0.0.1 on a free port (tests). */
export function serveFake(handler: (req: Request) => Promise<Response> | Response): ServedFake {
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, handler);
  const addr = server.addr as Deno.NetAddr;
  return { url: `http://127.0.0.1:${addr.port}`, close: () => server.shutdown() };
}

/** Forced answers for the next requests matching a path (tests of 5xx, 429, revoked tokens). */
export interface ForcedFailure {
  match: RegExp;
  status: number;
  times: number;
}

export function takeForced(list: ForcedFailure[], path: string): ForcedFailure | null {
  const hit = list.find((f) => f.times > 0 && f.match.test(path));
  if (!hit) return null;
  hit.times--;
  return hit;
}
