// Types of scripts/lib/webhook-receiver.mjs for the TypeScript tests.
export const MAX_BODY_BYTES: number;
export const DEFAULT_RETRY_AFTER_SECONDS: number;
export class UsageError extends Error {}

export interface ReceiverOptions {
  secrets: string[];
  failFirst?: number;
  failRate?: number;
  failStatus?: 500 | 503 | number;
  retryAfter?: number;
  random?: () => number;
}

export interface CliOptions extends Required<Omit<ReceiverOptions, "random">> {
  port: number;
  host: string;
}

export interface ReceiverEntry {
  at: string;
  id: string | null;
  timestamp: number | null;
  /** The how-many-th verified attempt of this webhook-id (null when not verified). */
  attempt: number | null;
  type: string | null;
  /** "valid", "invalid (<reason>)" or "not checked". */
  verdict: string;
  status: number;
  /** This id was answered 2xx before (a replay or a retry after a lost answer). */
  duplicate: boolean;
  /** Why it failed on purpose. */
  reason: string | null;
}

export interface ReceiverAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  entry: ReceiverEntry;
}

export interface Receiver {
  receive(request: { method?: string; headers: Record<string, string | string[] | undefined>; body: string | Buffer }): ReceiverAnswer;
  entries: ReceiverEntry[];
  attempts: Map<string, number>;
  delivered: Set<string>;
}

export function parseArgs(argv: string[], env?: Record<string, string | undefined>): CliOptions;
export function createReceiver(options: ReceiverOptions): Receiver;
export function formatEntry(entry: ReceiverEntry): string;
export interface RawRequest {
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  entry: ReceiverEntry;
}

export function startReceiver(options: ReceiverOptions & {
  port?: number;
  host?: string;
  log?: (line: string) => void;
  onRequest?: (request: RawRequest) => void;
}): Promise<{
  url: string;
  port: number;
  receiver: Receiver;
  close(): Promise<void>;
}>;
