// Database calls of the api function, as the service role on behalf of the
// account an API key authenticated: every query names that account, so a key
// reaches its own account's rows only. Key checks, the rate limit and the
// metering are one call to private.reports_authenticate_api_key
// (supabase/migrations/20261202320000_reports_api_keys.sql).
import type { ApiScope, ScheduleInput, SchedulePatch } from "@domus/contracts/reports-api.ts";
import type { Sql } from "../../db.ts";

export type AuthStatus = "valid" | "unknown" | "revoked" | "forbidden" | "rate_limited";

export interface ApiAuth {
  status: AuthStatus;
  account_id: string | null;
  key_id: string | null;
  retry_after_seconds: number | null;
}

export interface ReportRow {
  id: string;
  status: "pending" | "processing" | "completed" | "failed";
  error_message: string | null;
  input_params: Record<string, unknown>;
  billable: boolean;
  created_at: Date;
  generated_at: Date | null;
  html_url: string | null;
  json_url: string | null;
  csv_url: string | null;
  pdf_url: string | null;
}

export type Row = Record<string, unknown>;

export interface ApiStore {
  authenticate(keyHash: string, scope: ApiScope): Promise<ApiAuth>;
  createReport(keyId: string, params: Record<string, unknown>): Promise<{ id: string; status: string }>;
  getReport(accountId: string, id: string): Promise<ReportRow | null>;
  listReports(accountId: string, limit: number, before: string | null): Promise<ReportRow[]>;
  /** null: this build has no reports.leads table yet (the route answers 501). */
  listLeads(accountId: string, limit: number, before: string | null): Promise<Row[]>;
  listSchedules(accountId: string): Promise<Row[]>;
  getSchedule(accountId: string, id: string): Promise<Row | null>;
  createSchedule(accountId: string, input: ScheduleInput): Promise<Row>;
  updateSchedule(accountId: string, id: string, patch: SchedulePatch): Promise<Row | null>;
  deleteSchedule(accountId: string, id: string): Promise<boolean>;
}

const REPORT_COLUMNS = ["id", "status", "error_message", "input_params", "billable", "created_at", "generated_at",
  "html_url", "json_url", "csv_url", "pdf_url"];
const SCHEDULE_COLUMNS = ["id", "report_type", "city", "zip_codes", "cadence", "weekly_dow", "monthly_dom", "send_hour",
  "send_minute", "recipients", "filters", "active", "time_zone", "consecutive_failures", "last_run_at", "next_run_at",
  "created_at", "updated_at"];
// The seed's lead columns a client may read (reports.leads).
const LEAD_COLUMNS = ["id", "property_report_id", "name", "email", "phone", "message", "source", "status", "created_at"];

export function apiStore(sql: Sql): ApiStore {

  const scheduleRow = (input: ScheduleInput | SchedulePatch): Row => {
    const row: Row = { ...input };
    if (input.filters !== undefined) row.filters = sql.json(input.filters as never);
    return row;
  };

  return {
    async authenticate(keyHash, scope) {
      const [row] = await sql`select private.reports_authenticate_api_key(${keyHash}, ${scope}) as auth`;
      return row.auth as ApiAuth;
    },
    async createReport(keyId, params) {
      const [{ id }] = await sql`select private.reports_api_request_report(${keyId}, ${sql.json(params as never)}) as id`;
      // A repeated idempotency_key answers the first report, in whatever state it is now.
      const [row] = await sql`select g.id, g.status from reports.report_generations g where g.id = ${id}`;
      return row as { id: string; status: string };
    },
    async getReport(accountId, id) {
      const [row] = await sql`select ${sql(REPORT_COLUMNS)} from reports.report_generations
        where account_id = ${accountId} and id = ${id} and report_type = 'market'`;
      return (row as ReportRow | undefined) ?? null;
    },
    async listReports(accountId, limit, before) {
      return await sql`select ${sql(REPORT_COLUMNS)} from reports.report_generations
        where account_id = ${accountId} and report_type = 'market'
          and (${before}::timestamptz is null or created_at < ${before}::timestamptz)
        order by created_at desc limit ${limit}` as unknown as ReportRow[];
    },
    async listLeads(accountId, limit, before) {
      return await sql`select ${sql(LEAD_COLUMNS)} from reports.leads
        where account_id = ${accountId} and (${before}::timestamptz is null or created_at < ${before}::timestamptz)
        order by created_at desc limit ${limit}` as unknown as Row[];
    },
    async listSchedules(accountId) {
      return await sql`select ${sql(SCHEDULE_COLUMNS)} from reports.schedules
        where account_id = ${accountId} order by created_at, id` as unknown as Row[];
    },
    async getSchedule(accountId, id) {
      const [row] = await sql`select ${sql(SCHEDULE_COLUMNS)} from reports.schedules where account_id = ${accountId} and id = ${id}`;
      return row ?? null;
    },
    async createSchedule(accountId, input) {
      const row = { ...scheduleRow(input), account_id: accountId };
      const [created] = await sql`insert into reports.schedules ${sql(row as never)} returning ${sql(SCHEDULE_COLUMNS)}`;
      return created;
    },
    async updateSchedule(accountId, id, patch) {
      const [updated] = await sql`update reports.schedules set ${sql(scheduleRow(patch) as never)}
        where account_id = ${accountId} and id = ${id} returning ${sql(SCHEDULE_COLUMNS)}`;
      return updated ?? null;
    },
    async deleteSchedule(accountId, id) {
      const rows = await sql`delete from reports.schedules where account_id = ${accountId} and id = ${id} returning id`;
      return rows.length > 0;
    },
  };
}
