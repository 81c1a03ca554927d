// /functions/v1/api/* — the Reports API for programs, authenticated by an API
// key (`Authorization: Bearer trk_...`, reports.create_api_key), within the
// key's scopes: market reports (create, poll, list with download links),
// leads (list) and schedules (list, read, create, change, delete). GET
// /openapi.json (no key) is the OpenAPI 3.1 document of the same route table.
// The key is checked in two steps: its shape and CRC32 checksum here, with no
// database call (a typo or a scanned fake is 401 at once), then one database
// call (private.reports_authenticate_api_key) that finds the key, counts the
// request in the key's minute atomically, checks the scope and meters the
// call. Answers: 401 missing / malformed / bad checksum / unknown / revoked,
// 429 past the rate limit (Retry-After), 403 without the route's scope.
import { apiScope } from "@domus/contracts/reports-api.ts";
import { formatZodError } from "@domus/contracts/errors.ts";
import type { ZodTypeAny } from "zod";
import { connect } from "../_shared/db.ts";
import { requireEnv } from "../_shared/env.ts";
import { supabaseStorage } from "../_shared/storage.ts";
import { corsHeaders, HttpError, json, withErrors } from "../_shared/http.ts";
import { pgCall } from "../_shared/pg-errors.ts";
import { checkKey, sha256Hex } from "../_shared/reports/api/keys.ts";
import { openApiDocument } from "../_shared/reports/api/openapi.ts";
import { matchRoute, type Route } from "../_shared/reports/api/routes.ts";
import { type ApiAuth, type ApiStore, apiStore, type ReportRow } from "../_shared/reports/api/store.ts";

export interface ApiDeps {
  store: ApiStore;
  /** A time-limited download URL for an object path in bucket `reports`; null: answer the path only. */
  signUrl: ((path: string) => Promise<string | null>) | null;
  /** The function's public URL, for the document's `servers`. */
  serverUrl?: string | null;
}

const API_HEADERS = { ...corsHeaders, "access-control-allow-methods": "GET, POST, PATCH, DELETE, OPTIONS" };
const FORMATS = ["html", "json", "csv", "pdf"] as const;

/** The path below the function: hosted Supabase passes /api/..., the local gateway /functions/v1/api/... */
export function apiPath(url: URL): string {
  const rest = url.pathname.replace(/^(?:\/functions\/v1)?\/api(?=\/|$)/, "");
  return rest === "" ? "/" : rest.replace(/\/+$/, "") || "/";
}

function unauthorized(code: string, message: string): never {
  throw new HttpError(401, code, `authorization: ${message}`, "authorization");
}

function parse<S extends ZodTypeAny>(schema: S | undefined, value: unknown, where: string) {
  if (!schema) return undefined;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    // A field the caller may not set is named itself, not as "body".
    if (issue.code === "unrecognized_keys") {
      const field = [...issue.path, issue.keys[0]].join(".");
      throw new HttpError(400, "invalid_request", `${field}: not a field of this request`, field);
    }
    const { field, message } = formatZodError(parsed.error, where);
    throw new HttpError(400, "invalid_request", message, field);
  }
  return parsed.data;
}

async function readJson(req: Request): Promise<unknown> {
  const text = await req.text();
  if (text.length > 65_536) throw new HttpError(413, "invalid_request", "body: at most 64 KiB", "body");
  try {
    return text.length ? JSON.parse(text) : {};
  } catch {
    throw new HttpError(400, "invalid_json", "body: not valid JSON", "body");
  }
}

/** Verifies the key for the route's scope, or throws the 401 / 403 / 429 it answers. */
async function authenticate(req: Request, route: Route, store: ApiStore): Promise<ApiAuth> {
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

class RateLimited extends Error {
  constructor(readonly retryAfter: number) {
    super("rate limited");
  }
}

async function reportOut(row: ReportRow, deps: ApiDeps) {
  const files = [];
  for (const format of FORMATS) {
    const path = row[`${format}_url`];
    if (path) files.push({ format, path, url: deps.signUrl ? await deps.signUrl(path) : null });
  }
  return {
    id: row.id,
    status: row.status,
    error: row.error_message,
    params: row.input_params,
    billable: row.billable,
    created_at: row.created_at,
    generated_at: row.generated_at,
    files,
  };
}

const nextBefore = (rows: { created_at: unknown }[], limit: number) =>
  rows.length === limit ? new Date(rows[rows.length - 1].created_at as string | Date).toISOString() : null;

const notFound = (what: string): never => {
  throw new HttpError(404, "not_found", `id: no such ${what} in this key's account`, "id");
};

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
    const account = auth.account_id!;
    const params = parse(route.params, match.params, "path") as { id: string } | undefined;
    const query = parse(route.query, Object.fromEntries(url.searchParams), "query") as
      | { limit: number; before?: string }
      | undefined;
    const body = route.body ? parse(route.body, await readJson(req), "body") : undefined;
    const { store } = deps;
    const ok = (value: unknown, status = route.status) => json(value, status, API_HEADERS);

    return await pgCall(async () => {
      switch (route.operation) {
        case "createReport":
          return ok(await store.createReport(auth.key_id!, body as Record<string, unknown>));
        case "getReport": {
          const row = await store.getReport(account, params!.id);
          return row ? ok(await reportOut(row, deps)) : notFound("report");
        }
        case "listReports": {
          const rows = await store.listReports(account, query!.limit, query!.before ?? null);
          const data = [];
          for (const row of rows) data.push(await reportOut(row, deps));
          return ok({ data, next_before: nextBefore(rows, query!.limit) });
        }
        case "listLeads": {
          const rows = await store.listLeads(account, query!.limit, query!.before ?? null);
          // Seam: reports.leads comes with r2-leads; until it exists here the route says so.
          if (rows === null) throw new HttpError(501, "not_implemented", "leads: not available on this deployment yet");
          return ok({ data: rows, next_before: nextBefore(rows as { created_at: unknown }[], query!.limit) });
        }
        case "listSchedules":
          return ok({ data: await store.listSchedules(account) });
        case "getSchedule":
          return ok((await store.getSchedule(account, params!.id)) ?? notFound("schedule"));
        case "createSchedule":
          return ok(await store.createSchedule(account, body as never));
        case "updateSchedule":
          return ok((await store.updateSchedule(account, params!.id, body as never)) ?? notFound("schedule"));
        case "deleteSchedule":
          if (!(await store.deleteSchedule(account, params!.id))) notFound("schedule");
          return new Response(null, { status: 204, headers: API_HEADERS });
        default:
          throw new HttpError(404, "not_found", "path: no such API route", "path");
      }
    });
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
