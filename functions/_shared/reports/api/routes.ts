// The route table of the api function: one entry per operation, with its
// scope and zod schemas. The handler matches requests against it and checks
// them with the schemas; openapi.ts publishes the same table as OpenAPI 3.1,
// so the document cannot drift from what is served.
import {
  apiError,
  apiReport,
  apiSchedule,
  type ApiScope,
  createdReport,
  idParams,
  leadList,
  listQuery,
  marketReportInput,
  reportList,
  scheduleInput,
  scheduleList,
  schedulePatch,
} from "@domus/contracts/reports-api.ts";
import type { ZodTypeAny } from "zod";

export type Method = "GET" | "POST" | "PATCH" | "DELETE";

export type Operation =
  | "createReport"
  | "getReport"
  | "listReports"
  | "listLeads"
  | "listSchedules"
  | "createSchedule"
  | "getSchedule"
  | "updateSchedule"
  | "deleteSchedule"
  | "openapi";

export interface Route {
  operation: Operation;
  method: Method;
  /** OpenAPI path template, e.g. /reports/{id}. */
  path: string;
  summary: string;
  /** null: no key needed (the document itself). */
  scope: ApiScope | null;
  params?: ZodTypeAny;
  query?: ZodTypeAny;
  body?: ZodTypeAny;
  status: number;
  response: ZodTypeAny | null;
}

export const routes: Route[] = [
  { operation: "createReport", method: "POST", path: "/reports", scope: "reports:write", body: marketReportInput, status: 202,
    response: createdReport, summary: "Request a market report for the key's account (billed like reports.request_market_report)" },
  { operation: "listReports", method: "GET", path: "/reports", scope: "reports:read", query: listQuery, status: 200,
    response: reportList, summary: "List the account's market reports, newest first, with download links" },
  { operation: "getReport", method: "GET", path: "/reports/{id}", scope: "reports:read", params: idParams, status: 200,
    response: apiReport, summary: "Poll a market report: status, error, download links" },
  { operation: "listLeads", method: "GET", path: "/leads", scope: "leads:read", query: listQuery, status: 200,
    response: leadList, summary: "List the account's leads, newest first" },
  { operation: "listSchedules", method: "GET", path: "/schedules", scope: "schedules:read", status: 200,
    response: scheduleList, summary: "List the account's report schedules" },
  { operation: "createSchedule", method: "POST", path: "/schedules", scope: "schedules:write", body: scheduleInput, status: 201,
    response: apiSchedule, summary: "Create a report schedule" },
  { operation: "getSchedule", method: "GET", path: "/schedules/{id}", scope: "schedules:read", params: idParams, status: 200,
    response: apiSchedule, summary: "Read one report schedule" },
  { operation: "updateSchedule", method: "PATCH", path: "/schedules/{id}", scope: "schedules:write", params: idParams,
    body: schedulePatch, status: 200, response: apiSchedule, summary: "Change a report schedule" },
  { operation: "deleteSchedule", method: "DELETE", path: "/schedules/{id}", scope: "schedules:write", params: idParams,
    status: 204, response: null, summary: "Delete a report schedule" },
  { operation: "openapi", method: "GET", path: "/openapi.json", scope: null, status: 200, response: null,
    summary: "This API's OpenAPI 3.1 document" },
];

export const errorSchema = apiError;

const compiled = routes.map((route) => ({
  route,
  pattern: new RegExp("^" + route.path.replace(/\{(\w+)\}/g, "(?<$1>[^/]+)").replace(/\./g, "\\.") + "$"),
}));

export type Match =
  | { kind: "route"; route: Route; params: Record<string, string> }
  | { kind: "method_not_allowed"; allowed: Method[] }
  | { kind: "not_found" };

/** The route for a method and a path below the function's own (e.g. /reports/1f...). */
export function matchRoute(method: string, path: string): Match {
  const allowed: Method[] = [];
  for (const { route, pattern } of compiled) {
    const m = pattern.exec(path);
    if (!m) continue;
    if (route.method === method) return { kind: "route", route, params: { ...(m.groups ?? {}) } };
    allowed.push(route.method);
  }
  return allowed.length ? { kind: "method_not_allowed", allowed } : { kind: "not_found" };
}
