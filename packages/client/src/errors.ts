// One error type for everything the client returns as a failure: input the
// client refused (status 400, with the field), a PostgREST / Postgres error
// (its SQLSTATE in `code`), or a function's { error: { code, message, field } }.
export class DomusError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
    readonly field?: string,
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

/** Maps SQLSTATEs our functions raise to HTTP-ish statuses. */
const STATUS_BY_SQLSTATE: Record<string, number> = {
  "42501": 403, // insufficient_privilege
  "22023": 400, // invalid_parameter_value
  "23505": 409, // unique_violation
  "23514": 400, // check_violation
  "23503": 409, // foreign_key_violation
  PGRST116: 404, // no rows for .single()
};

export function fromPostgrest(error: PostgrestLikeError): DomusError {
  const code = error.code ?? "unknown";
  const field = /^([a-z_]+): /.exec(error.message)?.[1];
  return new DomusError(error.message, code, STATUS_BY_SQLSTATE[code] ?? 500, field);
}

/** Unwraps a supabase-js result or throws a DomusError. */
export function unwrap<T>(result: { data: T | null; error: PostgrestLikeError | null }): T {
  if (result.error) throw fromPostgrest(result.error);
  return result.data as T;
}
