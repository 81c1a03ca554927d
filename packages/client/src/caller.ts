// Who is calling: the modules that filter "my rows" need the caller's id.
import { z } from "zod";
import { DomusError } from "./errors.ts";
import type { DomusSupabase } from "./supabase.ts";

const uuid = z.string().uuid();

/** The `sub` claim of a JWT, unverified (the server verifies; this only picks the caller's rows). */
export function subjectOf(token: string): string | null {
  try {
    const payload = token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/");
    const sub = (JSON.parse(atob(payload.padEnd(Math.ceil(payload.length / 4) * 4, "="))) as { sub?: unknown }).sub;
    return typeof sub === "string" && uuid.safeParse(sub).success ? sub : null;
  } catch {
    return null;
  }
}

/**
 * The caller: the app's own access token when it manages sessions (supabase-js
 * then holds no session to ask), else the signed-in session's user.
 */
export function callerId(supabase: DomusSupabase, accessToken?: string): () => Promise<string> {
  return async () => {
    const fromToken = accessToken ? subjectOf(accessToken) : null;
    if (fromToken) return fromToken;
    const { data } = await supabase.auth.getUser();
    if (!data.user) throw new DomusError("sign in first", "unauthorized", 401);
    return data.user.id;
  };
}
