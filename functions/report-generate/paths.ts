// Object names in the private `reports` bucket (docs/reports.md, "Rendering
// and files"): one fixed name per report and format, so a retried job
// overwrites its own files and never adds a second set.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function check(id: string, what: string): string {
  if (!UUID.test(id)) throw new Error(`${what}: not a uuid`);
  return id.toLowerCase();
}

export const marketPath = (accountId: string, reportId: string, format: "html" | "json" | "csv" | "pdf") =>
  `${check(accountId, "account_id")}/${check(reportId, "report id")}/report.${format}`;

export const propertyPath = (accountId: string, id: string, file: "report.pdf" | "qr.png") =>
  `${check(accountId, "account_id")}/property/${check(id, "property report id")}/${file}`;

export const consumerPath = (accountId: string, id: string) =>
  `${check(accountId, "account_id")}/consumer/${check(id, "consumer report id")}/report.pdf`;

export const CONTENT_TYPES = {
  html: "text/html; charset=utf-8",
  json: "application/json",
  csv: "text/csv; charset=utf-8",
  pdf: "application/pdf",
  png: "image/png",
} as const;
