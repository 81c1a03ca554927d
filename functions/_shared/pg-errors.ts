// Maps the SQLSTATEs our Postgres functions raise to HTTP errors, keeping
// the database's message (which names the field as "field: ...").
import { HttpError } from "./http.ts";

const STATUS: Record<string, [number, string]> = {
  "42501": [403, "forbidden"],
  "22023": [400, "invalid_request"],
  "23505": [409, "conflict"],
  "23514": [400, "invalid_request"],
  "DM402": [402, "payment_required"],
  "55000": [409, "invalid_state"],
};

export function httpErrorFromPg(error: unknown): HttpError | null {
  const code = (error as { code?: string })?.code;
  const message = (error as { message?: string })?.message;
  if (!code || !message || !(code in STATUS)) return null;
  const [status, name] = STATUS[code];
  const field = /^([a-z_.]+): /.exec(message)?.[1];
  return new HttpError(status, name, message, field);
}

/** Runs a database call; a known SQLSTATE becomes its 4xx, anything else propagates. */
export async function pgCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw httpErrorFromPg(error) ?? error;
  }
}
