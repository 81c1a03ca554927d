// JSON responses and errors in one shape for every function:
// { error: { code, message, field? } } with a 4xx for anything the caller
// can fix, so a client never has to guess from a 500.
import type { z, ZodTypeAny } from "zod";
import { formatZodError } from "@domus/contracts/errors.ts";

export const corsHeaders: Record<string, string> = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": "authorization, x-client-info, apikey, content-type",
  "access-control-allow-methods": "GET, POST, OPTIONS",
};

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...corsHeaders, ...headers },
  });
}

export function errorResponse(status: number, code: string, message: string, field?: string): Response {
  return json({ error: { code, message, ...(field ? { field } : {}) } }, status);
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/**
 * Parses a JSON body against a schema; bad JSON or a bad field is a 400 naming
 * the field. Returns the schema's output (defaults applied, strings trimmed).
 */
export async function parseBody<S extends ZodTypeAny>(req: Request, schema: S): Promise<z.output<S>> {
  let raw: unknown;
  try {
    const text = await req.text();
    raw = text.length ? JSON.parse(text) : {};
  } catch {
    throw new HttpError(400, "invalid_json", "body: not valid JSON", "body");
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const { field, message } = formatZodError(parsed.error);
    throw new HttpError(400, "invalid_request", message, field);
  }
  return parsed.data;
}

/** Wraps a handler: CORS preflight, HttpError to its status, anything else to a logged 500. */
export function withErrors(handler: (req: Request) => Promise<Response>): (req: Request) => Promise<Response> {
  return async (req) => {
    if (req.method === "OPTIONS") return new Response(null, { status: 204, headers: corsHeaders });
    try {
      return await handler(req);
    } catch (error) {
      if (error instanceof HttpError) return errorResponse(error.status, error.code, error.message, error.field);
      console.error(error);
      return errorResponse(500, "internal_error", "unexpected error; it has been logged");
    }
  };
}
