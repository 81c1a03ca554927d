// What each API route does once its key is verified and its input parsed:
// one store call per operation, always within the key's account (another
// account's id is 404, as a missing one), reports with their download links.
import { HttpError } from "../../http.ts";
import type { Route } from "./routes.ts";
import type { ApiAuth, ApiStore, ReportRow } from "./store.ts";

export interface OperationDeps {
  store: ApiStore;
  /** A time-limited download URL for an object path in bucket `reports`; null: answer the path only. */
  signUrl: ((path: string) => Promise<string | null>) | null;
}

export interface OperationInput {
  params?: { id: string };
  query?: { limit: number; before?: string };
  body?: unknown;
}

/** What to answer: a JSON value with the route's status, or no body (204). */
export type OperationResult = { value: unknown } | { empty: true };

const FORMATS = ["html", "json", "csv", "pdf"] as const;

async function reportOut(row: ReportRow, deps: OperationDeps) {
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

export async function runOperation(route: Route, auth: ApiAuth, input: OperationInput, deps: OperationDeps): Promise<OperationResult> {
  const { store } = deps;
  const account = auth.account_id!;
  const { params, query, body } = input;
  const value = (v: unknown): OperationResult => ({ value: v });
  switch (route.operation) {
    case "createReport":
      return value(await store.createReport(auth.key_id!, body as Record<string, unknown>));
    case "getReport": {
      const row = await store.getReport(account, params!.id);
      return value(row ? await reportOut(row, deps) : notFound("report"));
    }
    case "listReports": {
      const rows = await store.listReports(account, query!.limit, query!.before ?? null);
      const data = [];
      for (const row of rows) data.push(await reportOut(row, deps));
      return value({ data, next_before: nextBefore(rows, query!.limit) });
    }
    case "listLeads": {
      const rows = await store.listLeads(account, query!.limit, query!.before ?? null);
      return value({ data: rows, next_before: nextBefore(rows as { created_at: unknown }[], query!.limit) });
    }
    case "listSchedules":
      return value({ data: await store.listSchedules(account) });
    case "getSchedule":
      return value((await store.getSchedule(account, params!.id)) ?? notFound("schedule"));
    case "createSchedule":
      return value(await store.createSchedule(account, body as never));
    case "updateSchedule":
      return value((await store.updateSchedule(account, params!.id, body as never)) ?? notFound("schedule"));
    case "deleteSchedule":
      if (!(await store.deleteSchedule(account, params!.id))) notFound("schedule");
      return { empty: true };
    default:
      throw new HttpError(404, "not_found", "path: no such API route", "path");
  }
}
