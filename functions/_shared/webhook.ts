// The parts every provider webhook shares: who sent it (the trusted client
// address), reading the body under a size cap with its hash, recording every
// request in public.billing_events (refused ones as 'rejected', with a capped
// payload), applying a genuine event once, and finishing it with its outcome.
// stripe-webhook and payfast-itn map their provider's events; this does the rest.
// Any event log with the same two calls can use it (reports-email-events
// records into reports.email_events through messaging/store.ts).
import { createHash } from "node:crypto";
import type { EventInput, EventOutcome, Provider, RecordedEvent } from "./billing/store.ts";
import { clientAddress } from "./client-address.ts";
import { errorResponse } from "./http.ts";

export { clientAddress };

/** How much of a refused body is stored: enough to see what it was. */
export const STORED_PREFIX_CHARS = 4096;
/** Past this the body is not even read: it is hashed and counted up to here. */
const READ_LIMIT_BYTES = 1024 * 1024;

export interface ReceivedBody {
  /** The body as text (UTF-8), at most `maxBytes` bytes of it when tooLarge. */
  text: string;
  /** Bytes received (up to the read limit). */
  bytes: number;
  /** sha256 hex of the bytes received. */
  sha256: string;
  tooLarge: boolean;
}

/** Reads the body without holding more than `maxBytes` of it in memory. */
export async function readBody(req: Request, maxBytes: number): Promise<ReceivedBody> {
  const hash = createHash("sha256");
  const kept: Uint8Array[] = [];
  let keptBytes = 0;
  let bytes = 0;
  const reader = req.body?.getReader();
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    hash.update(value);
    bytes += value.byteLength;
    if (keptBytes < maxBytes + 1) {
      const take = value.subarray(0, maxBytes + 1 - keptBytes);
      kept.push(take);
      keptBytes += take.byteLength;
    }
    if (bytes >= READ_LIMIT_BYTES) {
      await reader.cancel().catch(() => {});
      break;
    }
  }
  const all = new Uint8Array(keptBytes);
  let at = 0;
  for (const chunk of kept) {
    all.set(chunk, at);
    at += chunk.byteLength;
  }
  const tooLarge = bytes > maxBytes;
  const text = new TextDecoder().decode(tooLarge ? all.subarray(0, maxBytes) : all);
  return { text, bytes, sha256: hash.digest("hex"), tooLarge };
}

// An unpaired UTF-16 surrogate: JSON.stringify writes it as "\ud800", which
// jsonb refuses (22P02), and text columns cannot hold it either.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text as Postgres can store it: NUL dropped (text and jsonb refuse it, 22021 /
 * 22P05), unpaired surrogates replaced by U+FFFD. Anything a sender controls
 * goes through this before it is recorded, or a hostile body would make the
 * insert fail: no row, and a 500 instead of the refusal.
 */
export function storableText(value: string): string {
  return value.replaceAll("\u0000", "").replace(LONE_SURROGATE, "\ufffd");
}

const storableOrNull = (value: string | null | undefined) => (value == null ? value : storableText(value));

/** A value as jsonb accepts it (see storableText), keys included. */
export function storable(value: unknown): unknown {
  if (typeof value === "string") return storableText(value);
  if (Array.isArray(value)) return value.map(storable);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k), storable(v)]));
  }
  return value;
}

/** A refused body as stored: a prefix of the raw text, never the whole of an oversize one. */
export function cappedPayload(body: ReceivedBody): Record<string, unknown> {
  const raw = body.text.slice(0, STORED_PREFIX_CHARS);
  return storable({ raw, truncated: body.tooLarge || body.text.length > raw.length }) as Record<string, unknown>;
}

/** Where received requests are recorded: billing/store.ts, messaging/store.ts. */
export interface EventLog<P extends string = Provider> {
  recordEvent(e: Omit<EventInput, "provider"> & { provider: P }): Promise<RecordedEvent>;
  finishEvent(id: string, outcome: EventOutcome, error?: string | null, accountId?: string | null): Promise<void>;
}

/** What the event claims to be (never trusted: only for finding it in the log). */
export interface Claim {
  eventId?: string | null;
  eventType?: string | null;
  payload?: unknown;
}

export interface Received<P extends string = Provider> {
  provider: P;
  body: ReceivedBody;
  sourceIp: string | null;
}

/** A refused request: recorded as 'rejected' (payload capped), answered with `status`. */
export async function reject<P extends string>(
  store: EventLog<P>,
  received: Received<P>,
  refusal: { status: number; code: string; field: string; message: string },
  claim: Claim = {},
): Promise<Response> {
  await store.recordEvent({
    provider: received.provider,
    eventId: storableOrNull(claim.eventId) ?? null,
    eventType: storableOrNull(claim.eventType) ?? "unknown",
    payload: storable(claim.payload ?? cappedPayload(received.body)),
    signatureValid: false,
    sourceIp: received.sourceIp,
    error: storableText(refusal.message),
    payloadSha256: received.body.sha256,
    payloadBytes: received.body.bytes,
  });
  return errorResponse(refusal.status, refusal.code, refusal.message, refusal.field);
}

/** What applying an event came to. */
export type Outcome =
  | { outcome: "processed"; accountId: string | null }
  | { outcome: "ignored"; reason: string; accountId?: string | null }
  | { outcome: "failed"; error: string; accountId?: string | null };

export const processed = (accountId: string | null): Outcome => ({ outcome: "processed", accountId });
export const ignored = (reason: string, accountId: string | null = null): Outcome => ({ outcome: "ignored", reason, accountId });
export const failed = (error: string, accountId: string | null = null): Outcome => ({ outcome: "failed", error, accountId });

/** Records a genuine event; `shouldApply` says whether this delivery must apply it. */
export function recordGenuine<P extends string>(
  store: EventLog<P>,
  received: Received<P>,
  event: { eventId: string | null; eventType: string; payload: unknown; eventCreatedAt?: Date | null },
): Promise<RecordedEvent> {
  return store.recordEvent({
    provider: received.provider,
    eventId: storableOrNull(event.eventId) ?? null,
    eventType: storableText(event.eventType),
    payload: storable(event.payload),
    signatureValid: true,
    eventCreatedAt: event.eventCreatedAt ?? null,
    sourceIp: received.sourceIp,
    payloadSha256: received.body.sha256,
    payloadBytes: received.body.bytes,
  });
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Applies a recorded event and finishes it: an exception is a 'failed'
 * outcome with its message (the effects are idempotent, so applying again,
 * by a redelivery or a replay, is safe). Rejects only if finishing fails.
 */
export async function applyAndFinish<P extends string>(store: EventLog<P>, billingEventId: string, apply: () => Promise<Outcome>, label: string): Promise<Outcome> {
  let result: Outcome;
  try {
    result = await apply();
  } catch (error) {
    result = failed(message(error));
  }
  if (result.outcome === "failed") console.error(`${label} failed: ${result.error}`);
  const why = result.outcome === "failed" ? result.error : result.outcome === "ignored" ? result.reason : null;
  await store.finishEvent(billingEventId, result.outcome, storableOrNull(why) ?? null, result.accountId ?? null);
  return result;
}

type WaitUntil = (promise: Promise<unknown>) => void;

/**
 * Supabase's edge runtime exposes EdgeRuntime.waitUntil, which keeps the
 * worker alive until the promise settles. Elsewhere (the local gateway, plain
 * Deno) the process outlives the response anyway: the promise just runs, and
 * a rejection (only possible if finishing the event fails) is logged.
 */
export function defaultWaitUntil(): WaitUntil {
  const runtime = (globalThis as { EdgeRuntime?: { waitUntil?: WaitUntil } }).EdgeRuntime;
  const keepAlive = runtime?.waitUntil?.bind(runtime);
  if (keepAlive) return keepAlive;
  return (promise) => {
    promise.catch((error) => console.error("webhook: background processing failed:", error));
  };
}
