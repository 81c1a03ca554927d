// Session revocation (seed 004 jwt_blacklist): revoked sessions are refused
// by every Data API request and every function from then on.
import { z } from "zod";
import { unwrap } from "./errors.ts";
import type { DomusSupabase } from "./supabase.ts";
import { validate } from "./validate.ts";

export function sessionsApi(supabase: DomusSupabase) {
  return {
    /** Signs out one session: the current one by default. */
    async revoke(sessionId?: string): Promise<void> {
      if (sessionId !== undefined) validate(z.string().uuid(), sessionId);
      unwrap(await supabase.rpc("revoke_session", sessionId ? { session_id: sessionId } : {}));
    },
    /** Signs out everywhere; returns how many sessions were revoked. */
    async revokeAll(): Promise<number> {
      return unwrap(await supabase.rpc("revoke_all_sessions"));
    },
  };
}
