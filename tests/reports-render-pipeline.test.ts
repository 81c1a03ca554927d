// A market report on the local stack over HTTP, as a new user would make
// one: request it for the demo city (reports.request_market_report), the
// worker runs (the service-role key, as the scheduler calls it), the member
// asks report-generate for the files and opens the PDF from its signed URL
// on the gateway's Storage; a stranger gets 404 and the signed URL stops
// working once it is tampered with.
import { afterAll, describe, expect, it } from "vitest";
import { asRequest, closeDb, createUser, db, userClaims } from "./support/db.ts";
import { stackEnv } from "./support/stack-env.ts";
import { accessToken } from "./support/tokens.ts";

const env = stackEnv();

function lastFullMonth() {
  const now = new Date();
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1) - 86_400_000);
  return { period_start: `${end.toISOString().slice(0, 8)}01`, period_end: end.toISOString().slice(0, 10) };
}

afterAll(closeDb);

describe("report-generate on the local stack", () => {
  it("request -> worker -> signed URLs -> the PDF and CSV open from Storage", async () => {
    const agent = await createUser("rp-pipeline");
    const params = { cities: ["Austin"], zip_codes: [], ...lastFullMonth(), formats: ["pdf", "csv"] };
    const id = await asRequest(userClaims(agent), async (c) =>
      (await c.query("select reports.request_market_report($1, $2::jsonb) as id", [agent.id, JSON.stringify(params)])).rows[0].id as string,
    { commit: true });

    const worker = await fetch(`${env.functionsUrl}/report-generate`, {
      method: "POST",
      headers: { authorization: `Bearer ${env.serviceRoleKey}`, "content-type": "application/json" },
      body: JSON.stringify({ queue: "reports.render" }),
    });
    expect(worker.status).toBe(200);
    const ran = await worker.json() as { jobs: Array<{ report_id: string; outcome: string; error?: string }> };
    expect(ran.jobs.find((j) => j.report_id === id)).toMatchObject({ outcome: "completed" });

    const { rows: [row] } = await db().query("select status, pdf_url, csv_url, html_url from reports.report_generations where id = $1", [id]);
    expect(row).toEqual({ status: "completed", pdf_url: `${agent.id}/${id}/report.pdf`, csv_url: `${agent.id}/${id}/report.csv`, html_url: null });

    const res = await fetch(`${env.functionsUrl}/report-generate?id=${id}`, { headers: { authorization: `Bearer ${accessToken(agent)}` } });
    expect(res.status).toBe(200);
    const answer = await res.json() as { files: Record<string, string>; status: string };
    expect([answer.status, Object.keys(answer.files).sort()]).toEqual(["completed", ["csv", "pdf"]]);
    const pdf = await fetch(answer.files.pdf!);
    expect([pdf.status, pdf.headers.get("content-type")]).toEqual([200, "application/pdf"]);
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe("%PDF-");
    const csv = await (await fetch(answer.files.csv!)).text();
    expect(csv).toContain("cities,Austin\r\n");

    const tampered = answer.files.pdf!.replace(/report\.pdf\?/, "report.csv?");
    expect((await fetch(tampered)).status).toBe(400);
    const stranger = await createUser("rp-pipeline-stranger");
    expect((await fetch(`${env.functionsUrl}/report-generate?id=${id}`, { headers: { authorization: `Bearer ${accessToken(stranger)}` } })).status).toBe(404);
  });
});
