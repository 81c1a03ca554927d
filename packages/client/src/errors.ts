// One error type for everything the client returns as a failure: input the
// client refused (status 400, with the field), a PostgREST / Postgres error
// (its SQLSTATE in `code`), or a function's { error: { code, message, field } }.
// Statuses come from the shared contract (@domus/contracts/errors.ts), the same
// map the functions answer by, so a state conflict is 409, a credit refusal 402
// and a missing row 404 wherever they came from.
import { errorForSqlstate, fieldOf } from "@domus/contracts/errors.ts";

export class DomusError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
    readonly field?: string,
    /** Sending the same request again may succeed (a serialization failure or deadlock). */
    readonly retryable = false,
  ) {
    super(message);
    this.name = "DomusError";
  }
}

interface PostgrestLikeError {
  message: string;
  code?: string;
  details?: string | null;
  hint?: string | null;
}

/**
 * A PostgREST error as a DomusError. `httpStatus` (what supabase-js returns
 * beside the error) only breaks the one tie the code leaves open: 42501 is 401
 * for an anonymous caller and 403 otherwise.
 */
export function fromPostgrest(error: PostgrestLikeError, httpStatus?: number): DomusError {
  const code = error.code || "unknown";
  const kind = errorForSqlstate(code, { detail: error.details, anon: httpStatus === 401 });
  // Without a database code (a network failure, a proxy's answer) the HTTP status is all there is.
  const isSqlstate = /^[0-9A-Z]{5}$|^PGRST/.test(code);
  const status = !isSqlstate && httpStatus && httpStatus >= 400 ? httpStatus : kind.status;
  return new DomusError(error.message, code, status, fieldOf(error.message), kind.retryable);
}

/** Unwraps a supabase-js result or throws a DomusError. */
export function unwrap<T>(result: { data: T | null; error: PostgrestLikeError | null; status?: number }): T {
  if (result.error) throw fromPostgrest(result.error, result.status);
  return result.data as T;
}
