// GET ?id=<report id> with a member's token: a short-lived signed URL for
// each stored file of the report. Whether the caller may see the report is
// the report tables' RLS (members of its account; platform admins); anyone
// else gets the same 404 as for an id that does not exist.
import { reportFilesQuery, type ReportFilesResponse } from "@domus/contracts/reports-generate.ts";
import { formatZodError } from "@domus/contracts/errors.ts";
import { requireUser } from "../_shared/auth.ts";
import { HttpError, json } from "../_shared/http.ts";
import { BUCKET, type ReportGenerateDeps } from "./deps.ts";

export async function reportFiles(deps: ReportGenerateDeps, req: Request): Promise<Response> {
  const caller = await requireUser(req, deps);
  const parsed = reportFilesQuery.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) {
    const { field, message } = formatZodError(parsed.error);
    throw new HttpError(400, "invalid_request", message, field);
  }
  const { id } = parsed.data;
  const report = await deps.store.visibleReport(caller.claims, id);
  if (!report) throw new HttpError(404, "not_found", "id: no such report", "id");
  const seconds = deps.signedUrlSeconds;
  const files: ReportFilesResponse["files"] = {};
  for (const [format, path] of Object.entries(report.files) as Array<[keyof ReportFilesResponse["files"], string]>) {
    const url = await deps.storage.createSignedUrl(BUCKET, path, seconds);
    if (url) files[format] = url;
  }
  const now = deps.now?.() ?? new Date();
  const body: ReportFilesResponse = {
    id,
    kind: report.kind,
    status: report.status,
    error_message: report.error_message,
    expires_in: seconds,
    expires_at: new Date(now.getTime() + seconds * 1000).toISOString(),
    files,
  };
  return json(body, 200, { "cache-control": "private, no-store" });
}
