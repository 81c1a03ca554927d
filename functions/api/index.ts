// /functions/v1/api/* — the Reports API for programs, authenticated by an API
// key (`Authorization: Bearer trk_...`, reports.create_api_key), within the
// key's scopes: market reports (create, poll, list with download links),
// leads (list) and schedules (list, read, create, change, delete). GET
// /openapi.json (no key) is the OpenAPI 3.1 document of the same route table.
// The key is checked in two steps: its shape and CRC32 checksum here, with no
// database call (a typo or a scanned fake is 401 at once), then one database
// call (private.reports_authenticate_api_key) that finds the key, counts the
// request in the key's minute atomically, checks the scope and meters the
// call (functions/_shared/reports/api/authenticate.ts; the operations are in
// operations.ts, input reading in request.ts). Answers: 401 missing / malformed / bad checksum / unknown / revoked,
// 429 past the rate limit (Retry-After), 403 without the route's scope.
import { connect } from "../_shared/db.ts";
import { requireEnv } from "../_shared/env.ts";
import { corsHeaders, HttpError, json, withErrors } from "../_shared/http.ts";
import { pgCall } from "../_shared/pg-errors.ts";
import { authenticate, RateLimited } from "../_shared/reports/api/authenticate.ts";
import { openApiDocument } from "../_shared/reports/api/openapi.ts";
import { type OperationDeps, runOperation } from "../_shared/reports/api/operations.ts";
import { apiPath, parse, readJson } from "../_shared/reports/api/request.ts";
import { matchRoute } from "../_shared/reports/api/routes.ts";
import { type ApiAuth, apiStore } from "../_shared/reports/api/store.ts";
import { supabaseStorage } from "../_shared/storage.ts";

export { apiPath } from "../_shared/reports/api/request.ts";

export interface ApiDeps extends OperationDeps {
  /** The function's public URL, for the document's `servers`. */
  serverUrl?: string | null;
}

const API_HEADERS = { ...corsHeaders, "access-control-allow-methods": "GET, POST, PATCH, DELETE, OPTIONS" };

export function createHandler(deps: ApiDeps) {
  const handle = withErrors(async (req) => {
    const url = new URL(req.url);
    const match = matchRoute(req.method, apiPath(url));
    if (match.kind === "not_found") throw new HttpError(404, "not_found", "path: no such API route; see /openapi.json", "path");
    if (match.kind === "method_not_allowed") {
      throw new HttpError(405, "method_not_allowed", `method: use ${match.allowed.join(" or ")}`, "method");
    }
    const { route } = match;
    if (route.operation === "openapi") return json(openApiDocument(deps.serverUrl ?? null), 200, API_HEADERS);

    let auth: ApiAuth;
    try {
      auth = await authenticate(req, route, deps.store);
    } catch (error) {
      if (!(error instanceof RateLimited)) throw error;
      return json({ error: { code: "rate_limited", message: "authorization: past this API key's requests per minute; retry later", field: "authorization" } },
        429, { ...API_HEADERS, "retry-after": String(error.retryAfter) });
    }
    const input = {
      params: parse(route.params, match.params, "path") as { id: string } | undefined,
      query: parse(route.query, Object.fromEntries(url.searchParams), "query") as { limit: number; before?: string } | undefined,
      body: route.body ? parse(route.body, await readJson(req), "body") : undefined,
    };
    const result = await pgCall(() => runOperation(route, auth, input, deps));
    return "empty" in result ? new Response(null, { status: 204, headers: API_HEADERS }) : json(result.value, route.status, API_HEADERS);
  });
  return async (req: Request) => {
    const res = await handle(req);
    if (res.status === 401) res.headers.set("www-authenticate", 'Bearer realm="api"');
    return res;
  };
}

export function build() {
  const sql = connect(requireEnv("SUPABASE_DB_URL"), 8);
  const base = Deno.env.get("SUPABASE_URL")?.replace(/\/$/, "");
  const serviceRoleKey = Deno.env.get("SUPABASE_SERVICE_ROLE_KEY");
  const storage = base && serviceRoleKey ? supabaseStorage({ url: base, serviceRoleKey }) : null;
  return createHandler({
    store: apiStore(sql),
    // Download links are short-lived signed URLs of the private `reports` bucket (as report-generate's GET).
    signUrl: storage ? (path: string) => storage.createSignedUrl("reports", path, 3600) : null,
    serverUrl: base ? `${base}/functions/v1/api` : null,
  });
}

if (import.meta.main) Deno.serve(build());
