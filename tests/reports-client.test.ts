// @domus/client Reports API against a recording fetch: what each call sends
// to the Data API (schema `reports` via the Accept-/Content-Profile headers)
// and to the report-generate function, that bad input is refused before any
// request naming the field (as the database would name it), and that the
// database's refusals keep their statuses (PT402 -> 402, PT409 -> 409,
// PT404 -> 404, 42501 -> 403).
import { createDomusClient } from "@domus/client";
import { describe, expect, it } from "vitest";
import { type Captured, ok, only, refusing, recordingFetch } from "./support/recording-fetch.ts";
import { signToken } from "./support/tokens.ts";

const REST = "http://rest.test";
const ACCOUNT = "10000000-0000-4000-8000-000000000001";
const USER = "00000000-0000-4000-8000-000000000001";
const REPORT = "7e1a0c1e-6c1b-4d7e-9a55-3a1f5b1f0c01";
const SCHEDULE = "5c4e0d6a-1f2b-4c3d-8e9f-0a1b2c3d4e5f";
const TOKEN = signToken({ sub: USER, role: "authenticated", aud: "authenticated" }, "test-secret");

function client(respond: (req: Captured) => { status: number; body: unknown }, { anon = false } = {}) {
  const rec = recordingFetch(respond);
  const { reports } = createDomusClient({ url: REST, anonKey: "anon-key", ...(anon ? {} : { accessToken: TOKEN }), fetch: rec.fetch });
  return { rec, reports };
}


const PERIOD = { period_start: "2026-10-01", period_end: "2026-10-31" };

describe("market reports", () => {
  it("requests a report through reports.request_market_report with the params as the database reads them", async () => {
    const { rec, reports } = client(ok(REPORT));
    const id = await reports.requestMarketReport(ACCOUNT, { cities: [" Austin "], ...PERIOD, formats: ["pdf", "csv"], idempotency_key: "retry-1" });
    const req = only(rec);
    expect([req.method, req.url.pathname, req.headers.get("content-profile")]).toEqual(["POST", "/rest/v1/rpc/request_market_report", "reports"]);
    expect(req.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
    expect(req.body).toEqual({
      p_account_id: ACCOUNT,
      p_params: { cities: ["Austin"], zip_codes: [], ...PERIOD, formats: ["pdf", "csv"], idempotency_key: "retry-1" },
    });
    expect(id).toBe(REPORT);
  });

  it("leaves formats and the idempotency key to the database's defaults when not given", async () => {
    const { rec, reports } = client(ok(REPORT));
    await reports.requestMarketReport(ACCOUNT, { zip_codes: ["78704"], ...PERIOD });
    expect((only(rec).body as { p_params: unknown }).p_params).toEqual({ cities: [], zip_codes: ["78704"], ...PERIOD });
  });

  it("keeps the database's refusals: past the allowance 402, a reused idempotency key 409, a non-member 403", async () => {
    const cases: Array<[number, string, string, number]> = [
      [402, "PT402", "quantity: the plan's allowance of reports.market_report is used up", 402],
      [409, "PT409", "idempotency_key: already used for a report with other params", 409],
      [403, "42501", "account_id: only owners, admins and members request reports", 403],
      [400, "22023", "period_start: must not be in the future", 400],
    ];
    for (const [status, code, message, expected] of cases) {
      const { reports } = client(refusing(status, code, message));
      await expect(reports.requestMarketReport(ACCOUNT, { cities: ["Austin"], ...PERIOD })).rejects.toMatchObject({
        status: expected, code, field: message.slice(0, message.indexOf(":")),
      });
    }
  });

  it("polls one report and lists the account's, newest first, by status, paged by created_at", async () => {
    const { rec, reports } = client(ok({ id: REPORT, status: "processing" }));
    expect(await reports.report(REPORT)).toMatchObject({ status: "processing" });
    await reports.reports(ACCOUNT, { status: ["completed", "failed"], before: "2026-11-30T10:00:00Z", limit: 5 });
    const [one, list] = rec.requests;
    expect([one!.url.pathname, one!.url.searchParams.get("id"), one!.headers.get("accept-profile"), one!.headers.get("accept")])
      .toEqual(["/rest/v1/report_generations", `eq.${REPORT}`, "reports", "application/vnd.pgrst.object+json"]);
    const p = list!.url.searchParams;
    expect([p.get("account_id"), p.get("status"), p.get("created_at"), p.get("order"), p.get("limit")]).toEqual([
      `eq.${ACCOUNT}`, "in.(completed,failed)", "lt.2026-11-30T10:00:00Z", "created_at.desc,id.asc", "5",
    ]);
  });

  it("a report of another account (hidden by RLS) is a 404", async () => {
    const { reports } = client(() => ({ status: 406, body: { code: "PGRST116", message: "JSON object requested, multiple (or no) rows returned" } }));
    await expect(reports.report(REPORT)).rejects.toMatchObject({ status: 404 });
  });

  it("gets the signed download links from report-generate (GET ?id=) and checks the answer's shape", async () => {
    const answer = {
      id: REPORT, kind: "market", status: "completed", error_message: null, expires_in: 300, expires_at: "2026-12-01T12:05:00Z",
      files: { pdf: "http://rest.test/storage/v1/object/sign/reports/a/b/report.pdf?token=t" },
    };
    const { rec, reports } = client(ok(answer));
    expect(await reports.files(REPORT)).toEqual(answer);
    const req = only(rec);
    expect([req.method, req.url.pathname, req.url.searchParams.get("id")]).toEqual(["GET", "/functions/v1/report-generate", REPORT]);
    expect(req.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);

    const { reports: drifted } = client(ok({ id: REPORT, files: [] }));
    await expect(drifted.files(REPORT)).rejects.toMatchObject({ status: 502, code: "contract_mismatch" });
    const { reports: stranger } = client(() => ({ status: 404, body: { error: { code: "not_found", message: "id: no such report", field: "id" } } }));
    await expect(stranger.files(REPORT)).rejects.toMatchObject({ status: 404, code: "not_found", field: "id" });
  });
});

describe("schedules", () => {
  it("creates a weekly schedule in a time zone with only the columns clients may write", async () => {
    const { rec, reports } = client(ok({ id: SCHEDULE }));
    await reports.createSchedule({
      account_id: ACCOUNT, city: "Austin", cadence: "weekly", weekly_dow: 1, send_hour: 7, send_minute: 30,
      recipients: [" Boss@Example.com "], time_zone: "America/Chicago", filters: { formats: ["pdf"] },
    });
    const req = only(rec);
    expect([req.method, req.url.pathname, req.headers.get("content-profile"), req.url.searchParams.get("select")])
      .toEqual(["POST", "/rest/v1/schedules", "reports", "*"]);
    expect(req.body).toEqual({
      account_id: ACCOUNT, city: "Austin", cadence: "weekly", weekly_dow: 1, send_hour: 7, send_minute: 30,
      recipients: ["boss@example.com"], time_zone: "America/Chicago", filters: { formats: ["pdf"] },
    });
  });

  it("a new cadence clears the other cadence's day; pausing and deleting name the row", async () => {
    const { rec, reports } = client(ok({ id: SCHEDULE }));
    await reports.updateSchedule(SCHEDULE, { cadence: "monthly", monthly_dom: 31 });
    await reports.updateSchedule(SCHEDULE, { cadence: "daily" });
    await reports.updateSchedule(SCHEDULE, { send_hour: 6 });
    await reports.setScheduleActive(SCHEDULE, false);
    await reports.deleteSchedule(SCHEDULE);
    expect(rec.requests.map((r) => [r.method, r.url.searchParams.get("id"), r.body])).toEqual([
      ["PATCH", `eq.${SCHEDULE}`, { cadence: "monthly", monthly_dom: 31, weekly_dow: null }],
      ["PATCH", `eq.${SCHEDULE}`, { cadence: "daily", weekly_dow: null, monthly_dom: null }],
      ["PATCH", `eq.${SCHEDULE}`, { send_hour: 6 }],
      ["PATCH", `eq.${SCHEDULE}`, { active: false }],
      ["DELETE", `eq.${SCHEDULE}`, undefined],
    ]);
  });

  it("lists the account's schedules and a schedule's runs, newest first", async () => {
    const { rec, reports } = client(ok());
    await reports.schedules(ACCOUNT);
    await reports.scheduleRuns(SCHEDULE, { limit: 3 });
    const [s, r] = rec.requests;
    expect([s!.url.pathname, s!.url.searchParams.get("account_id")]).toEqual(["/rest/v1/schedules", `eq.${ACCOUNT}`]);
    expect([r!.url.pathname, r!.url.searchParams.get("schedule_id"), r!.url.searchParams.get("order"), r!.url.searchParams.get("limit")])
      .toEqual(["/rest/v1/schedule_runs", `eq.${SCHEDULE}`, "started_at.desc,id.asc", "3"]);
  });

  it("a member (not owner or admin) writing a schedule is a 403", async () => {
    const { reports } = client(refusing(403, "42501", 'new row violates row-level security policy for table "schedules"'));
    await expect(reports.createSchedule({ account_id: ACCOUNT, city: "Austin", cadence: "daily", send_hour: 7 })).rejects.toMatchObject({ status: 403, code: "42501" });
  });

  it("refuses the timing the database refuses, naming the field, before any request", async () => {
    const { rec, reports } = client(ok());
    const base = { account_id: ACCOUNT, city: "Austin", send_hour: 7 } as const;
    const refused = async (call: Promise<unknown>, field: string) => expect(call).rejects.toMatchObject({ status: 400, code: "invalid_request", field });
    await refused(reports.createSchedule({ ...base, cadence: "weekly" }), "weekly_dow");
    await refused(reports.createSchedule({ ...base, cadence: "weekly", weekly_dow: 7 }), "weekly_dow");
    await refused(reports.createSchedule({ ...base, cadence: "daily", weekly_dow: 2 }), "weekly_dow");
    await refused(reports.createSchedule({ ...base, cadence: "monthly" }), "monthly_dom");
    await refused(reports.createSchedule({ ...base, cadence: "monthly", monthly_dom: 0 }), "monthly_dom");
    await refused(reports.createSchedule({ ...base, cadence: "monthly", monthly_dom: 32 }), "monthly_dom");
    await refused(reports.createSchedule({ ...base, cadence: "weekly", weekly_dow: 1, monthly_dom: 3 }), "monthly_dom");
    await refused(reports.createSchedule({ ...base, cadence: "daily", send_hour: 24 }), "send_hour");
    await refused(reports.createSchedule({ ...base, cadence: "daily", send_minute: 60 }), "send_minute");
    await refused(reports.createSchedule({ ...base, cadence: "daily", send_minute: 1.5 }), "send_minute");
    // @ts-expect-error: not a cadence
    await refused(reports.createSchedule({ ...base, cadence: "hourly" }), "cadence");
    await refused(reports.createSchedule({ ...base, cadence: "daily", time_zone: "Mars/Olympus_Mons" }), "time_zone");
    await refused(reports.createSchedule({ ...base, cadence: "daily", recipients: ["not-an-address"] }), "recipients.0");
    await refused(reports.createSchedule({ ...base, cadence: "daily", city: null }), "city");
    await refused(reports.createSchedule({ ...base, cadence: "daily", zip_codes: ["7"] }), "zip_codes.0");
    // @ts-expect-error: next_run_at is the database's
    await refused(reports.createSchedule({ ...base, cadence: "daily", next_run_at: "2026-12-01T00:00:00Z" }), "input");
    // @ts-expect-error: neither is consecutive_failures
    await refused(reports.updateSchedule(SCHEDULE, { consecutive_failures: 0 }), "input");
    await refused(reports.updateSchedule(SCHEDULE, { cadence: "weekly" }), "weekly_dow");
    await refused(reports.updateSchedule(SCHEDULE, {}), "patch");
    await refused(reports.updateSchedule("nope", { send_hour: 3 }), "input");
    expect(rec.requests).toHaveLength(0);
  });
});

describe("property reports", () => {
  it("creates one through reports.create_property_report and switches it off or moves its expiry", async () => {
    const { rec, reports } = client(ok(REPORT));
    const id = await reports.createPropertyReport({
      account_id: ACCOUNT, property_address: " 1200  Oak St ", property_city: "Austin", property_state: "TX", property_zip: "78704",
      theme: 3, selected_pages: ["cover", "comparables"],
    });
    expect(id).toBe(REPORT);
    await reports.updatePropertyReport(REPORT, { is_active: false });
    await reports.updatePropertyReport(REPORT, { expires_at: null });
    expect(rec.requests.map((r) => [r.method, r.url.pathname, r.body])).toEqual([
      ["POST", "/rest/v1/rpc/create_property_report", {
        p_account_id: ACCOUNT, p_property_address: "1200  Oak St", p_property_city: "Austin", p_property_state: "TX",
        p_property_zip: "78704", p_theme: 3, p_selected_pages: ["cover", "comparables"],
      }],
      ["PATCH", "/rest/v1/property_reports", { is_active: false }],
      ["PATCH", "/rest/v1/property_reports", { expires_at: null }],
    ]);
    expect(rec.requests.every((r) => r.headers.get("content-profile") === "reports")).toBe(true);
  });

  it("reads one with its counters (total and per day) and lists the account's", async () => {
    const { rec, reports } = client(ok({ id: REPORT, view_count: 3, stats: [{ total_views: 3, unique_views: 2 }], daily: [{ date: "2026-11-30", views: 3 }] }));
    const r = await reports.propertyReport(REPORT);
    expect(r.stats).toEqual({ total_views: 3, unique_views: 2 });
    expect(r.daily).toEqual([{ date: "2026-11-30", views: 3 }]);
    const p = only(rec).url.searchParams;
    expect(p.get("select")).toBe("*,stats:property_report_stats(*),daily:property_report_stats_daily(*)");
    expect(p.get("property_report_stats_daily.order")).toBe("date.desc");
  });

  it("past the allowance is a 402; bad pages and themes never leave the client", async () => {
    const { reports } = client(refusing(402, "PT402", "quantity: the plan's allowance of reports.property_report is used up"));
    await expect(reports.createPropertyReport({ account_id: ACCOUNT, property_address: "1 Main St" })).rejects.toMatchObject({ status: 402, code: "PT402" });

    const { rec, reports: r2 } = client(ok());
    const refused = async (call: Promise<unknown>, field: string) => expect(call).rejects.toMatchObject({ status: 400, field });
    await refused(r2.createPropertyReport({ account_id: ACCOUNT, property_address: "1 Main St", theme: 6 }), "theme");
    // @ts-expect-error: not a page
    await refused(r2.createPropertyReport({ account_id: ACCOUNT, property_address: "1 Main St", selected_pages: ["cover", "gallery"] }), "selected_pages.1");
    await refused(r2.createPropertyReport({ account_id: ACCOUNT, property_address: "1 Main St", selected_pages: ["cover", "cover"] }), "selected_pages");
    await refused(r2.createPropertyReport({ account_id: ACCOUNT, property_address: "1 Main St", selected_pages: [] }), "selected_pages");
    await refused(r2.createPropertyReport({ account_id: ACCOUNT, property_address: "  " }), "property_address");
    await refused(r2.createPropertyReport({ account_id: ACCOUNT, property_address: "1 Main St", property_zip: "!" }), "property_zip");
    // @ts-expect-error: short codes and counters are the database's
    await refused(r2.updatePropertyReport(REPORT, { view_count: 0 }), "input");
    await refused(r2.updatePropertyReport(REPORT, { expires_at: "next week" }), "expires_at");
    expect(rec.requests).toHaveLength(0);
  });
});

describe("public calls (anon)", () => {
  it("opens a landing page by short code as anon, with the session id", async () => {
    const { rec, reports } = client(ok({ short_code: "ACME2345", pdf_available: true }), { anon: true });
    expect(await reports.landing("acme2345", "s-1")).toMatchObject({ pdf_available: true });
    const req = only(rec);
    expect([req.url.pathname, req.body, req.headers.get("authorization")]).toEqual([
      "/rest/v1/rpc/property_report_landing", { p_short_code: "acme2345", p_session_id: "s-1" }, "Bearer anon-key",
    ]);
  });

  it("an unknown, switched-off or expired report is a 404", async () => {
    const { reports } = client(refusing(404, "PT404", "short_code: no such report"), { anon: true });
    await expect(reports.landing("ACME2345")).rejects.toMatchObject({ status: 404, code: "PT404", field: "short_code" });
  });

  it("asks an agent for a consumer report with consent; the phone is sent as E.164", async () => {
    const { rec, reports } = client(ok(REPORT), { anon: true });
    await reports.requestConsumerReport({ agent_code: "DAVE2345", phone: "+1 (512) 555-0100", consent: true, property_address: "9 Elm St", city: "Austin", zip: "78704" });
    expect(only(rec).body).toEqual({
      p_agent_code: "DAVE2345", p_email: null, p_phone: "+15125550100", p_consent: true, p_property_address: "9 Elm St",
      p_city: "Austin", p_state: null, p_zip: "78704",
    });
  });

  it("records events through reports.track_report_event; a 4th request in a day is a 429", async () => {
    const { rec, reports } = client(() => ({ status: 200, body: null }), { anon: true });
    await reports.trackEvent({ report_id: REPORT, event_type: "cta_click", event_data: { cta: "call" }, device_type: "mobile" });
    expect(only(rec).body).toEqual({ p_report_id: REPORT, p_event_type: "cta_click", p_event_data: { cta: "call" }, p_session_id: null, p_device_type: "mobile" });
    const { reports: limited } = client(refusing(429, "PT429", "email: too many requests for this agent today"), { anon: true });
    await expect(limited.requestConsumerReport({ agent_code: "DAVE2345", email: "a@b.co", consent: true, property_address: "9 Elm St" }))
      .rejects.toMatchObject({ status: 429, code: "PT429" });
  });

  it("refuses what the RPCs refuse before sending: no consent, no contact, unknown events, oversized data", async () => {
    const { rec, reports } = client(ok(), { anon: true });
    const refused = async (call: Promise<unknown>, field: string) => expect(call).rejects.toMatchObject({ status: 400, field });
    const ask = { agent_code: "DAVE2345", email: "a@b.co", property_address: "9 Elm St" };
    // @ts-expect-error: consent is required
    await refused(reports.requestConsumerReport(ask), "consent");
    // @ts-expect-error: and must be given
    await refused(reports.requestConsumerReport({ ...ask, consent: false }), "consent");
    await refused(reports.requestConsumerReport({ ...ask, email: undefined, consent: true }), "email");
    await refused(reports.requestConsumerReport({ ...ask, email: "nobody", consent: true }), "email");
    await refused(reports.requestConsumerReport({ ...ask, phone: "555-0100", consent: true }), "phone");
    // @ts-expect-error: not an event type
    await refused(reports.trackEvent({ report_id: REPORT, event_type: "purchase" }), "event_type");
    await refused(reports.trackEvent({ report_id: REPORT, event_type: "open", event_data: { x: "y".repeat(2100) } }), "event_data");
    await refused(reports.trackEvent({ report_id: REPORT, event_type: "open", session_id: "s".repeat(129) }), "session_id");
    await refused(reports.landing("ACME0000"), "short_code");
    await refused(reports.landing("ACME2345", ""), "session_id");
    expect(rec.requests).toHaveLength(0);
  });
});

describe("messaging logs, suppressions, branding, admin metrics", () => {
  it("reads the email log of a schedule run, the SMS log and the suppressions", async () => {
    const { rec, reports } = client(ok());
    await reports.emailLog(ACCOUNT, { schedule_run_id: REPORT, limit: 10 });
    await reports.smsLog(ACCOUNT);
    await reports.suppressions(ACCOUNT);
    expect(rec.requests.map((r) => [r.url.pathname, r.url.search])).toEqual([
      ["/rest/v1/email_log", `?select=*&account_id=eq.${ACCOUNT}&schedule_run_id=eq.${REPORT}&order=created_at.desc%2Cid.asc&limit=10`],
      ["/rest/v1/sms_logs", `?select=*&account_id=eq.${ACCOUNT}&order=created_at.desc%2Cid.asc&limit=50`],
      ["/rest/v1/email_suppressions", `?select=*&account_id=eq.${ACCOUNT}&order=created_at.asc%2Cid.asc`],
    ]);
  });

  it("adds a manual suppression (lower-cased) and removes one; removing what RLS hides is a 404", async () => {
    const { rec, reports } = client(ok([{ id: REPORT }]));
    await reports.addSuppression({ account_id: ACCOUNT, email: " Gone@Example.COM " });
    await reports.removeSuppression(REPORT);
    expect(rec.requests.map((r) => [r.method, r.url.pathname, r.body])).toEqual([
      ["POST", "/rest/v1/email_suppressions", { account_id: ACCOUNT, email: "gone@example.com", reason: "manual" }],
      ["DELETE", "/rest/v1/email_suppressions", undefined],
    ]);
    const { reports: none } = client(ok([]));
    await expect(none.removeSuppression(REPORT)).rejects.toMatchObject({ status: 404, field: "id" });
    const { reports: dup } = client(refusing(409, "23505", "duplicate key value violates unique constraint \"email_suppressions_account_id_email_key\""));
    await expect(dup.addSuppression({ account_id: ACCOUNT, email: "gone@example.com" })).rejects.toMatchObject({ status: 409, code: "23505" });
  });

  it("saves branding: update first, insert when the affiliate has none yet", async () => {
    let calls = 0;
    const { rec, reports } = client(() => ({ status: calls++ === 0 ? 200 : 201, body: calls === 1 ? [] : { account_id: ACCOUNT } }));
    await reports.saveBranding(ACCOUNT, { brand_display_name: "Northwind", primary_color: "#0f766e" });
    expect(rec.requests.map((r) => [r.method, r.url.searchParams.get("account_id"), r.body])).toEqual([
      ["PATCH", `eq.${ACCOUNT}`, { brand_display_name: "Northwind", primary_color: "#0f766e" }],
      ["POST", null, { account_id: ACCOUNT, brand_display_name: "Northwind", primary_color: "#0f766e" }],
    ]);
    const { reports: notAffiliate } = client(refusing(400, "22023", "account_id: branding belongs to an affiliate account"));
    await expect(notAffiliate.saveBranding(ACCOUNT, { primary_color: "#000000" })).rejects.toMatchObject({ status: 400, code: "22023", field: "account_id" });
  });

  it("reads the platform's daily metrics in a range", async () => {
    const { rec, reports } = client(ok());
    await reports.adminDailyMetrics({ from: "2026-11-01", to: "2026-11-30" });
    const req = only(rec);
    expect([req.url.pathname, req.url.search]).toEqual(["/rest/v1/admin_daily_metrics", "?select=*&day=gte.2026-11-01&day=lte.2026-11-30&order=day.desc"]);
  });
});

describe("bad input is refused before sending, naming the field", () => {
  it("market report params are checked as private.reports_market_params checks them", async () => {
    const { rec, reports } = client(ok());
    const refused = async (call: Promise<unknown>, field: string) => expect(call).rejects.toMatchObject({ status: 400, code: "invalid_request", field });
    await refused(reports.requestMarketReport(ACCOUNT, { ...PERIOD }), "cities");
    await refused(reports.requestMarketReport(ACCOUNT, { cities: [""], ...PERIOD }), "cities.0");
    await refused(reports.requestMarketReport(ACCOUNT, { cities: Array.from({ length: 21 }, (_, i) => `C${i}`), ...PERIOD }), "cities");
    await refused(reports.requestMarketReport(ACCOUNT, { zip_codes: ["7"], ...PERIOD }), "zip_codes.0");
    await refused(reports.requestMarketReport(ACCOUNT, { cities: ["Austin"], period_start: "2026-02-30", period_end: "2026-03-31" }), "period_start");
    await refused(reports.requestMarketReport(ACCOUNT, { cities: ["Austin"], period_start: "2026-11-30", period_end: "2026-11-01" }), "period_end");
    await refused(reports.requestMarketReport(ACCOUNT, { cities: ["Austin"], period_start: "2025-01-01", period_end: "2026-01-02" }), "period_end");
    // 366 days is the most a period covers: 2024 is a leap year.
    await reports.requestMarketReport(ACCOUNT, { cities: ["Austin"], period_start: "2024-01-01", period_end: "2024-12-31" }).then(() => rec.requests.pop());
    // @ts-expect-error: not a format
    await refused(reports.requestMarketReport(ACCOUNT, { cities: ["Austin"], ...PERIOD, formats: ["docx"] }), "formats.0");
    await refused(reports.requestMarketReport(ACCOUNT, { cities: ["Austin"], ...PERIOD, formats: [] }), "formats");
    await refused(reports.requestMarketReport(ACCOUNT, { cities: ["Austin"], ...PERIOD, idempotency_key: "k".repeat(101) }), "idempotency_key");
    await refused(reports.requestMarketReport(ACCOUNT, { cities: ["Aus\u0000tin"], ...PERIOD }), "cities.0");
    // @ts-expect-error: not a parameter
    await refused(reports.requestMarketReport(ACCOUNT, { cities: ["Austin"], ...PERIOD, min_sales: 1 }), "input");
    await refused(reports.requestMarketReport("acme", { cities: ["Austin"], ...PERIOD }), "input");
    await refused(reports.files("report-1"), "id");
    await refused(reports.reports(ACCOUNT, { limit: 500 }), "limit");
    await refused(reports.addSuppression({ account_id: ACCOUNT, email: "nope" }), "email");
    await refused(reports.saveBranding(ACCOUNT, { primary_color: "blue" }), "primary_color");
    await refused(reports.saveBranding(ACCOUNT, { logo_url: "http://insecure.example/logo.png" }), "logo_url");
    await refused(reports.adminDailyMetrics({ from: "2026-12-01", to: "2026-11-01" }), "from");
    expect(rec.requests).toHaveLength(0);
  });
});
