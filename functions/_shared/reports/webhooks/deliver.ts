// One delivery attempt over HTTP: POST the exact body bytes that were
// signed, never follow a redirect (a 3xx is a failure: a receiver that
// moved must be re-registered, and following would let an allowed host
// bounce us to a private one), give up after the timeout, read at most a
// little of the answer, and say what the queue should do next.

export type AttemptOutcome = "delivered" | "failed" | "gone";

export interface AttemptResult {
  outcome: AttemptOutcome;
  status: number | null;
  ms: number;
  error: string | null;
  /** Seconds the receiver asked us to wait (Retry-After on 429 / 503), when it said. */
  retryAfterSeconds: number | null;
}

export interface AttemptRequest {
  url: string;
  headers: Record<string, string>;
  body: Uint8Array<ArrayBuffer>;
  timeoutMs: number;
  fetch: typeof fetch;
  now?: () => number;
}

export const USER_AGENT = "Domus-Webhooks/1.0 (+Standard Webhooks)";
const RETRY_AFTER_STATUSES = new Set([429, 503]);

/** Retry-After as seconds: delta-seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterSeconds(value: string | null, nowMs: number): number | null {
  if (!value) return null;
  const text = value.trim();
  if (/^\d{1,9}$/.test(text)) return Number(text);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

export async function attempt(req: AttemptRequest): Promise<AttemptResult> {
  const now = req.now ?? Date.now;
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException("timeout", "TimeoutError")), req.timeoutMs);
  let res: Response;
  try {
    res = await req.fetch(req.url, {
      method: "POST",
      headers: { ...req.headers, "content-type": "application/json", "user-agent": USER_AGENT },
      body: req.body,
      redirect: "manual",
      signal: controller.signal,
    });
  } catch (error) {
    clearTimeout(timer);
    const message = controller.signal.aborted
      ? `timed out after ${req.timeoutMs} ms`
      : `request failed: ${(error as Error).message ?? String(error)}`.slice(0, 500);
    return { outcome: "failed", status: null, ms: ms(), error: message, retryAfterSeconds: null };
  }
  try {
    // The answer's body is not ours to keep; a peek for the error message only.
    const peek = await readSome(res, 256);
    const status = res.status;
    const elapsed = ms();
    if (status >= 200 && status < 300) return { outcome: "delivered", status, ms: elapsed, error: null, retryAfterSeconds: null };
    if (status === 410) return { outcome: "gone", status, ms: elapsed, error: "410 Gone: the endpoint is disabled", retryAfterSeconds: null };
    const retryAfter = RETRY_AFTER_STATUSES.has(status) ? retryAfterSeconds(res.headers.get("retry-after"), now()) : null;
    const error = status >= 300 && status < 400
      ? `HTTP ${status}: redirect not followed${res.headers.get("location") ? ` (location ${res.headers.get("location")!.slice(0, 200)})` : ""}`
      : `HTTP ${status}${peek ? `: ${peek}` : ""}`;
    return { outcome: "failed", status, ms: elapsed, error, retryAfterSeconds: retryAfter };
  } finally {
    clearTimeout(timer);
  }
}

async function readSome(res: Response, max: number): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body that breaks off (or the timeout) still leaves the status.
  } finally {
    await reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(Math.min(size, max));
  let at = 0;
  for (const c of chunks) {
    const take = c.subarray(0, bytes.byteLength - at);
    bytes.set(take, at);
    at += take.byteLength;
    if (at >= bytes.byteLength) break;
  }
  return new TextDecoder().decode(bytes).replace(/\s+/g, " ").trim().slice(0, 200);
}
