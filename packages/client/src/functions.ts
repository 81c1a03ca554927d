// Typed calls to the edge functions; responses are checked against the
// shared contracts so a drifted function fails loudly in the client.
import { healthResponse, type HealthResponse } from "@domus/contracts/health.ts";
import { meResponse, type MeResponse } from "@domus/contracts/me.ts";
import { errorNameForStatus } from "@domus/contracts/errors.ts";
import type { ZodType } from "zod";
import { DomusError } from "./errors.ts";
import type { DomusSupabase } from "./supabase.ts";

/** A call's method and body; `headers` for a body that is not JSON (a CSV file sent as text/csv). */
export interface InvokeInit {
  method: "GET" | "POST";
  body?: unknown;
  headers?: Record<string, string>;
}

export type FunctionInvoker = <T>(name: string, schema: ZodType<T, any, any>, init: InvokeInit) => Promise<T>;

export function functionInvoker(supabase: DomusSupabase): FunctionInvoker {
  return (name, schema, init) => invoke(supabase, name, schema, init);
}

async function invoke<T>(supabase: DomusSupabase, name: string, schema: ZodType<T, any, any>, init: InvokeInit): Promise<T> {
  const { data, error } = await supabase.functions.invoke(name, { method: init.method, body: init.body as never, ...(init.headers ? { headers: init.headers } : {}) });
  if (error) {
    const context = (error as { context?: Response }).context;
    let status = 500;
    let code = "function_error";
    let message = error.message;
    let field: string | undefined;
    if (context && typeof context.json === "function") {
      status = context.status;
      // The gateway's own answers (no such function...) carry a numeric code: name them by status.
      code = errorNameForStatus(status);
      const body = await context.json().catch(() => null);
      const detail = body?.error ?? body;
      if (detail?.message) message = detail.message;
      if (typeof detail?.code === "string") code = detail.code;
      if (typeof detail?.field === "string") field = detail.field;
    }
    throw new DomusError(message, code, status, field, status === 503);
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new DomusError(`${name}: unexpected response shape`, "contract_mismatch", 502);
  return parsed.data;
}

export function functionsApi(supabase: DomusSupabase) {
  return {
    health: (): Promise<HealthResponse> => invoke(supabase, "health", healthResponse, { method: "GET" }),
    me: (): Promise<MeResponse> => invoke(supabase, "me", meResponse, { method: "GET" }),
  };
}
