// An API key in two steps: its shape and CRC32 checksum with no database
// call (a typo or a scanned fake is 401 at once), then one database call
// (private.reports_authenticate_api_key) that finds the key, counts the
// request in the key's minute atomically, checks the scope and meters it.
import { apiScope } from "@domus/contracts/reports-api.ts";
import { HttpError } from "../../http.ts";
import { pgCall } from "../../pg-errors.ts";
import { checkKey, sha256Hex } from "./keys.ts";
import type { Route } from "./routes.ts";
import type { ApiAuth, ApiStore } from "./store.ts";

/** Past the key's requests per minute; the handler answers 429 with Retry-After. */
export class RateLimited extends Error {
  constructor(readonly retryAfter: number) {
    super("rate limited");
  }
}

function unauthorized(code: string, message: string): never {
  throw new HttpError(401, code, `authorization: ${message}`, "authorization");
}

/** Verifies the key for the route's scope, or throws the 401 / 403 (HttpError) or RateLimited it answers. */
export async function authenticate(req: Request, route: Route, store: ApiStore): Promise<ApiAuth> {
  const header = req.headers.get("authorization");
  if (!header) unauthorized("missing_api_key", "send Authorization: Bearer <API key>");
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) unauthorized("malformed_api_key", "use the form Bearer <API key>");
  const check = checkKey(m[1]);
  if (!check.ok) {
    if (check.reason === "bad_checksum") unauthorized("invalid_api_key", "the key's checksum does not match (mistyped or not a key)");
    unauthorized("malformed_api_key", "not an API key (trk_ and 36 letters or digits)");
  }
  const auth = await pgCall(async () => await store.authenticate(await sha256Hex(check.key), apiScope.parse(route.scope)));
  if (auth.status === "valid") return auth;
  if (auth.status === "unknown") unauthorized("invalid_api_key", "no such API key");
  if (auth.status === "revoked") unauthorized("revoked_api_key", "this API key was revoked");
  if (auth.status === "rate_limited") throw new RateLimited(auth.retry_after_seconds ?? 60);
  throw new HttpError(403, "forbidden", `authorization: the API key lacks scope ${route.scope}`, "authorization");
}
