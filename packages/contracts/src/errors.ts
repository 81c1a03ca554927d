// The one error contract of Domus, shared by the edge functions and
// @domus/client: which HTTP status and error name a caller sees for a
// database error (its SQLSTATE), how the field is read from a message, and
// how a zod failure is told. The database chooses codes that PostgREST itself
// answers right (PostgREST's table, REFERENCE.md); this map gives the same
// answers, so a state conflict is 409 whether it came through the Data API, a
// function or the client. supabase/tests/002-error-codes-as-postgrest-answers.sql
// keeps the database to that table.
import { z, type ZodError, type ZodIssue } from "zod";

/** The SQLSTATEs our SQL raises for a caller's mistake (COMMON rule, issue 14 section 1). */
export const sqlstate = {
  stateConflict: "PT409",
  paymentRequired: "PT402",
  notFound: "PT404",
  rateLimited: "PT429",
  forbidden: "42501",
  badInput: "22023",
  uniqueViolation: "23505",
  foreignKeyViolation: "23503",
} as const;

// Codes raised before the move to PTnnn (migrations of 2026-11-22). PostgREST
// answers them 500 / 400, so the database no longer raises them; they are read
// as their successors so a function on an old database still answers right.
const LEGACY: Record<string, string> = { "55000": "PT409", DM402: "PT402", P0002: "PT404" };

export type ErrorName =
  | "invalid_request"
  | "unauthorized"
  | "payment_required"
  | "forbidden"
  | "not_found"
  | "method_not_allowed"
  | "not_acceptable"
  | "conflict"
  | "invalid_state"
  | "rate_limited"
  | "internal_error"
  | "unavailable";

export interface ErrorKind {
  status: number;
  name: ErrorName;
  /** The same request may succeed if sent again (serialization failure, deadlock, connection lost). */
  retryable: boolean;
}

const NAME_BY_STATUS: Record<number, ErrorName> = {
  400: "invalid_request",
  401: "unauthorized",
  402: "payment_required",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  406: "not_acceptable",
  409: "conflict",
  429: "rate_limited",
  500: "internal_error",
  503: "unavailable",
};

/** The error name for an HTTP status (a 4xx without its own name is invalid_request). */
export function errorNameForStatus(status: number): ErrorName {
  return NAME_BY_STATUS[status] ?? (status >= 500 ? "internal_error" : "invalid_request");
}

const kind = (status: number, name = errorNameForStatus(status), retryable = false): ErrorKind => ({ status, name, retryable });

/** The status carried by a `raise sqlstate 'PGRST' using detail = '{"status": N, ...}'`. */
function pgrstStatus(detail: string | null | undefined): number | null {
  if (!detail) return null;
  try {
    const status = (JSON.parse(detail) as { status?: unknown }).status;
    return typeof status === "number" && status >= 100 && status <= 599 ? status : null;
  } catch {
    return null;
  }
}

/**
 * What a caller sees for a SQLSTATE. PostgREST's own table, with two choices of
 * ours where a function answers instead of PostgREST: 40001 / 40P01
 * (serialization failure, deadlock) are 503 and retryable (PostgREST says 500),
 * and PGRST116 (`.single()` found no row) is 404 rather than PostgREST's 406.
 * `anon` picks 401 over 403 for 42501, as PostgREST does for an anonymous request.
 */
export function errorForSqlstate(code: string, options: { anon?: boolean; detail?: string | null } = {}): ErrorKind {
  const c = LEGACY[code] ?? code;
  // Not a SQLSTATE (a driver's ECONNRESET, CONNECTION_CLOSED...): our failure, not the caller's.
  if (!/^[0-9A-Z]{5}$|^PGRST(\d{3})?$/.test(c)) return kind(500);
  if (c === "PGRST") {
    const status = pgrstStatus(options.detail) ?? 500;
    return kind(status);
  }
  if (/^PT\d{3}$/.test(c)) {
    const status = Number(c.slice(2));
    return kind(status, status === 409 ? "invalid_state" : errorNameForStatus(status));
  }
  if (c === "PGRST116") return kind(404);
  if (/^PGRST\d{3}$/.test(c)) return kind(pgrstCodeStatus(c));
  switch (c) {
    case "23503":
    case "23505":
      return kind(409);
    case "25006":
      return kind(405);
    case "42501":
      return kind(options.anon ? 401 : 403);
    case "42883":
    case "42P01":
      return kind(404);
    case "40001":
    case "40P01":
      return kind(503, "unavailable", true);
    case "53400":
      return kind(500);
    case "P0001":
      return kind(400);
  }
  const cls = c.slice(0, 2);
  if (cls === "08") return kind(503, "unavailable", true);
  if (cls === "53") return kind(503, "unavailable");
  if (cls === "28" || cls === "0L" || cls === "0P") return kind(403);
  if (["09", "25", "2D", "38", "39", "3B", "40", "54", "55", "57", "58", "F0", "HV", "P0", "XX"].includes(cls)) return kind(500);
  // Everything else, including 22021 (NUL in text), 22P05 (untranslatable
  // character) and 22P02 (bad text representation): the caller's input.
  return kind(400);
}

// PostgREST's own errors (PGRSTnnn), by group: connection 503, request 400,
// schema cache 404 for a missing function or table, JWT 401.
function pgrstCodeStatus(code: string): number {
  switch (code.charAt(5)) {
    case "0": return 503;
    case "1": return 400;
    case "2": return code === "PGRST202" || code === "PGRST205" ? 404 : 400;
    case "3": return 401;
    default: return 500;
  }
}

/** True when a database error's code (old or new) means the given condition. */
export function isSqlstate(code: string | null | undefined, wanted: (typeof sqlstate)[keyof typeof sqlstate]): boolean {
  return !!code && (code === wanted || LEGACY[code] === wanted);
}

/** The field a message names as "field: ..." (the convention of every raise and every 400). */
export function fieldOf(message: string | null | undefined): string | undefined {
  return message ? /^([a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)*): /i.exec(message)?.[1] : undefined;
}

/** One zod issue as `{ field, message }`, the message starting with "field: ". */
export function formatZodIssue(issue: ZodIssue, fallbackField = "body"): { field: string; message: string } {
  const field = issue.path.length ? issue.path.join(".") : fallbackField;
  return { field, message: `${field}: ${issue.message}` };
}

/** The first issue of a zod error, formatted as `formatZodIssue` does. */
export function formatZodError(error: ZodError, fallbackField = "body"): { field: string; message: string } {
  return formatZodIssue(error.issues[0]!, fallbackField);
}

// ------------------------------------------------------------ text at the boundary

// Whole strings of well-formed UTF-16 without NUL: Postgres refuses NUL in text
// (22021) and a lone surrogate cannot become UTF-8 (22P05 / 22P02), so either
// would reach the database only to come back as an error. JSON.parse turns
// "\ud800" into exactly such a lone surrogate.
const WELL_FORMED_TEXT = /^(?:[^\u0000\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/;
export const TEXT_MESSAGE = "must not contain NUL characters or unpaired surrogates";

/** True when a string can be stored as Postgres text. */
export function isStorableText(value: string): boolean {
  return WELL_FORMED_TEXT.test(value);
}

/**
 * The string every contract uses for a request field: z.string() that refuses
 * NUL and lone surrogates with a 400 naming the field. It stays a ZodString, so
 * `.min()`, `.max()`, `.trim()`, `.regex()`, `.uuid()`... chain as usual.
 */
export function text(): z.ZodString {
  return z.string().regex(WELL_FORMED_TEXT, TEXT_MESSAGE);
}
