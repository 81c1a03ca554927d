// Who is calling: verifies the bearer token and asks the database whether
// its session was revoked or its account suspended (the same rule PostgREST
// applies through private.check_request), so a signed-out token is refused
// by functions too, not only by the Data API.
import { bearerToken, type Claims, JwtError, verifyJwt } from "./jwt.ts";
import { HttpError } from "./http.ts";

export interface AuthDeps {
  jwtSecret: string;
  /** Returns why the claims must be refused, or null. */
  revocationReason: (claims: Claims) => Promise<string | null>;
}

export interface Caller {
  userId: string;
  role: "authenticated";
  claims: Claims;
}

export async function requireUser(req: Request, deps: AuthDeps): Promise<Caller> {
  const token = bearerToken(req);
  if (!token) throw new HttpError(401, "missing_token", "authorization: a Bearer access token is required", "authorization");
  let claims: Claims;
  try {
    claims = await verifyJwt(token, deps.jwtSecret);
  } catch (error) {
    const reason = error instanceof JwtError ? error.message : "invalid token";
    throw new HttpError(401, "invalid_token", `authorization: ${reason}`, "authorization");
  }
  if (claims.role !== "authenticated" || typeof claims.sub !== "string") {
    throw new HttpError(401, "user_token_required", "authorization: sign in as a user; an API key is not a user", "authorization");
  }
  const reason = await deps.revocationReason(claims);
  if (reason) throw new HttpError(401, "token_revoked", `authorization: ${reason}`, "authorization");
  return { userId: claims.sub, role: "authenticated", claims };
}
