// Database errors as HTTP errors, by the one contract in
// packages/contracts/src/errors.ts (the same statuses PostgREST answers), keeping
// the database's message, which names the field as "field: ...".
import { errorForSqlstate, fieldOf } from "@domus/contracts/errors.ts";
import { HttpError } from "./http.ts";

interface PgLikeError {
  code?: unknown;
  message?: unknown;
  detail?: unknown;
}

/**
 * The HttpError a database error answers: any 4xx, and 503 for a retryable
 * failure (serialization failure, deadlock, connection lost). Null for what is
 * our fault (5xx), so it propagates and is logged as a 500.
 */
export function httpErrorFromPg(error: unknown): HttpError | null {
  const { code, message, detail } = (error ?? {}) as PgLikeError;
  if (typeof code !== "string" || typeof message !== "string") return null;
  const kind = errorForSqlstate(code, { detail: typeof detail === "string" ? detail : null });
  if (kind.retryable) return new HttpError(kind.status, kind.name, "the database was busy with a conflicting request; retry");
  if (kind.status >= 500) return null;
  return new HttpError(kind.status, kind.name, message, fieldOf(message));
}

/** Runs a database call; a caller's error becomes its 4xx, anything else propagates. */
export async function pgCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw httpErrorFromPg(error) ?? error;
  }
}
