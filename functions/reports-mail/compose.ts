// One scheduled report email for one recipient: subject, text and HTML
// bodies, the report's links (signed Storage URLs when the storage layer can
// sign them, else the PDF attached and the members' report page linked), an
// unsubscribe link in the body and the RFC 8058 headers. One message per
// recipient, since every recipient's unsubscribe token is their own.
import type { Attachment, EmailMessage } from "../_shared/messaging/types.ts";
import type { MailContext } from "../_shared/messaging/store.ts";
import { unsubscribeHeaders } from "../_shared/messaging/unsubscribe.ts";

export interface ReportLinks {
  /** Format -> URL anyone holding it may open until it expires. */
  signed: Partial<Record<"html" | "pdf" | "csv" | "json", string>>;
  /** The members' page for the report (signs in; report-generate GET). */
  reportPage: string;
  pdfAttachment: Attachment | null;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export function areaOf(ctx: MailContext): string {
  const parts = [...(ctx.cities ?? []), ...(ctx.zip_codes ?? [])];
  return parts.length ? parts.join(", ") : "your area";
}

export function subjectOf(ctx: MailContext): string {
  const period = ctx.period_start && ctx.period_end ? ` (${ctx.period_start} to ${ctx.period_end})` : "";
  return `Market report: ${areaOf(ctx)}${period}`.replace(/[\r\n]+/g, " ").slice(0, 200);
}

export function composeReportEmail(o: { ctx: MailContext; to: string; from: string; links: ReportLinks; unsubscribeUrl: string }): EmailMessage {
  const { ctx, links } = o;
  const labels: Record<string, string> = { pdf: "PDF", html: "Web page", csv: "Spreadsheet (CSV)", json: "Data (JSON)" };
  const entries = (["pdf", "html", "csv", "json"] as const).flatMap((f) => (links.signed[f] ? [[labels[f], links.signed[f]!] as const] : []));
  const expiry = entries.length ? "These links work for 7 days." : "";
  const textLinks = entries.length
    ? entries.map(([label, url]) => `${label}: ${url}`).join("\n")
    : `${links.pdfAttachment ? "The PDF is attached.\n" : ""}Members of ${ctx.account_name} can open it here: ${links.reportPage}`;
  const text = [
    `Your scheduled market report for ${areaOf(ctx)} is ready.`,
    ctx.period_start && ctx.period_end ? `Period: ${ctx.period_start} to ${ctx.period_end}.` : "",
    "",
    textLinks,
    expiry,
    "",
    `You receive this because ${ctx.account_name} scheduled it for ${o.to}.`,
    `Unsubscribe: ${o.unsubscribeUrl}`,
  ].filter((l, i, all) => l !== "" || (all[i - 1] ?? "") !== "").join("\n");

  const htmlLinks = entries.length
    ? `<ul>${entries.map(([label, url]) => `<li><a href="${escapeHtml(url)}">${escapeHtml(label)}</a></li>`).join("")}</ul><p>${expiry}</p>`
    : `<p>${links.pdfAttachment ? "The PDF is attached. " : ""}Members of ${escapeHtml(ctx.account_name)} can open it <a href="${escapeHtml(links.reportPage)}">here</a>.</p>`;
  const html = `<!doctype html><html><body style="font-family:sans-serif">
<h1 style="font-size:20px">Market report: ${escapeHtml(areaOf(ctx))}</h1>
${ctx.period_start && ctx.period_end ? `<p>Period: ${escapeHtml(ctx.period_start)} to ${escapeHtml(ctx.period_end)}</p>` : ""}
${htmlLinks}
<p style="color:#666;font-size:12px">You receive this because ${escapeHtml(ctx.account_name)} scheduled it for ${escapeHtml(o.to)}.
<a href="${escapeHtml(o.unsubscribeUrl)}">Unsubscribe</a></p>
</body></html>`;

  return {
    from: o.from,
    to: [o.to],
    subject: subjectOf(ctx),
    text,
    html,
    headers: unsubscribeHeaders(o.unsubscribeUrl),
    attachments: links.pdfAttachment ? [links.pdfAttachment] : [],
    tags: { schedule_run_id: ctx.schedule_run_id, report_id: ctx.report_id },
  };
}
