// GET /functions/v1/me — the caller's profile and accounts, read under RLS
// as the caller. Refuses revoked sessions and suspended users (401), which
// the platform's JWT check alone would let through.
import type { MeResponse } from "@domus/contracts/me.ts";
import { type AuthDeps, requireUser } from "../_shared/auth.ts";
import { asUser, connect, revocationReason, type Sql } from "../_shared/db.ts";
import { requireEnv } from "../_shared/env.ts";
import { errorResponse, HttpError, json, withErrors } from "../_shared/http.ts";
import type { Claims } from "../_shared/jwt.ts";

export interface MeDeps extends AuthDeps {
  loadMe: (claims: Claims) => Promise<MeResponse | null>;
}

export function createHandler(deps: MeDeps) {
  return withErrors(async (req) => {
    if (req.method !== "GET") return errorResponse(405, "method_not_allowed", "method: use GET");
    const caller = await requireUser(req, deps);
    const me = await deps.loadMe(caller.claims);
    if (!me) throw new HttpError(404, "profile_not_found", "user: no profile for this user");
    return json(me);
  });
}

export function loadMeFrom(sql: Sql) {
  return (claims: Claims) =>
    asUser(sql, claims, async (tx) => {
      const [user] = await tx`
        select p.id, p.email, p.full_name, p.account_status,
               exists (select 1 from public.platform_admins pa where pa.user_id = p.id) as is_platform_admin
        from public.profiles p where p.id = ${claims.sub!}`;
      if (!user) return null;
      const accounts = await tx`
        select a.id, a.name, a.slug, a.account_type, m.role
        from public.account_memberships m
        join public.accounts a on a.id = m.account_id
        where m.user_id = ${claims.sub!}
        order by a.account_type, a.name`;
      return { user, accounts } as unknown as MeResponse;
    });
}

export function build() {
  const sql = connect(requireEnv("SUPABASE_DB_URL"));
  return createHandler({
    jwtSecret: requireEnv("SUPABASE_JWT_SECRET"),
    revocationReason: (claims) => revocationReason(sql, claims),
    loadMe: loadMeFrom(sql),
  });
}

if (import.meta.main) Deno.serve(build());
