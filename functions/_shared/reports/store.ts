// Database calls of the report-generate worker and its signed-URL answer.
// Statistics, the generation lifecycle and billing live in Postgres
// (private.reports_market_stats, private.reports_begin/complete/fail_generation,
// rp-stats); comparables and value estimates come from the Homes valuation
// engine (private.homes_compute_valuation). The worker never loads listing
// rows: it receives finished statistics and at most a few comparables.
import type { Claims } from "../jwt.ts";
import { asUser, type Sql } from "../db.ts";
import type { Agent, Branding, MarketStats } from "./render/types.ts";
import type { CmaComparable, Subject, ValueEstimate } from "./render/property-pdf.ts";

export { REPORTS_QUEUE as QUEUE } from "@domus/contracts/reports-generate.ts";
import { REPORTS_QUEUE as QUEUE } from "@domus/contracts/reports-generate.ts";

export interface ReportJob {
  id: number;
  account_id: string | null;
  payload: Record<string, unknown>;
  attempts: number;
  max_attempts: number;
}

export interface MarketParams {
  cities: string[];
  zip_codes: string[];
  period_start: string;
  period_end: string;
  formats: Array<"html" | "json" | "csv" | "pdf">;
}

export interface GenerationRow {
  id: string;
  account_id: string;
  user_id: string | null;
  status: string;
}

export interface PropertyRow {
  id: string;
  kind: "property" | "consumer";
  account_id: string;
  user_id: string | null;
  status: string;
  theme: number;
  selected_pages: unknown;
  short_code: string | null;
  subject: Subject;
}

export interface Valuation {
  property_id: string | null;
  comparables: CmaComparable[];
  value: ValueEstimate | null;
  reason: string | null;
  /** The subject's facts as the Homes data has them (bedrooms, area...). */
  subject?: Partial<Subject>;
}

/** Which report an id names, as the caller may see it (RLS decides). */
export interface VisibleReport {
  kind: "market" | "property" | "consumer";
  status: "pending" | "processing" | "completed" | "failed";
  error_message: string | null;
  files: Partial<Record<"html" | "json" | "csv" | "pdf" | "qr", string>>;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const json = (v: unknown) => JSON.stringify(v);

export interface ReportsStore {
  claim(worker: string, limit: number): Promise<ReportJob[]>;
  completeJob(job: ReportJob, worker: string, result: Record<string, unknown>): Promise<void>;
  failJob(job: ReportJob, worker: string, error: string, retry: boolean): Promise<void>;
  /** Reports whose job died (attempts used up, lease expired by a crashed worker) are failed, never left processing. */
  failAbandoned(): Promise<number>;

  beginGeneration(id: string): Promise<MarketParams>;
  generation(id: string): Promise<GenerationRow | null>;
  marketStats(p: { cities: string[]; zip_codes: string[]; period_start: string; period_end: string }): Promise<MarketStats>;
  completeGeneration(id: string, urls: Record<string, string>, processingMs: number): Promise<void>;
  failGeneration(id: string, error: string): Promise<void>;

  /** The report's branding and its author's details (docs/reports.md, "Branding"). */
  brandingFor(accountId: string, userId: string | null): Promise<{ branding: Branding; agent: Agent }>;

  /** pending -> processing (a processing row resumes); null when the row is settled (completed, failed) or gone. */
  beginPropertyReport(kind: "property" | "consumer", id: string): Promise<PropertyRow | null>;
  /** The row's status, or null when there is no such report. */
  propertyReportStatus(kind: "property" | "consumer", id: string): Promise<string | null>;
  valuation(subject: Subject): Promise<Valuation>;
  completePropertyReport(
    kind: "property" | "consumer",
    id: string,
    r: { pdf: string; qr: string | null; comparables: CmaComparable[]; value: Valuation; market: MarketStats | null },
  ): Promise<void>;
  failPropertyReport(kind: "property" | "consumer", id: string): Promise<void>;

  /** The report as the caller sees it under RLS; null when it does not exist for them. */
  visibleReport(claims: Claims, id: string): Promise<VisibleReport | null>;
}

export function reportsStore(sql: Sql): ReportsStore {
  let hasBrandingFor: boolean | undefined;
  return {
    async claim(worker, limit) {
      const rows = await sql`select id, account_id, payload, attempts, max_attempts from private.claim_jobs(${QUEUE}, ${worker}, ${limit})`;
      return rows.map((r) => ({ ...r, id: Number(r.id) }) as unknown as ReportJob);
    },

    async completeJob(job, worker, result) {
      await sql`select private.complete_job(${job.id}, ${worker}, ${json(result)}::text::jsonb)`;
    },

    async failJob(job, worker, error, retry) {
      await sql`select private.fail_job(${job.id}, ${worker}, ${error}, ${retry})`;
    },

    async failAbandoned() {
      const [row] = await sql`select private.reports_fail_abandoned() as n`;
      return Number(row.n);
    },

    async beginGeneration(id) {
      const [row] = await sql`select private.reports_begin_generation(${id}) as params`;
      const p = (row.params ?? {}) as Record<string, unknown>;
      const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
      const formats = list(p.formats).filter((f): f is MarketParams["formats"][number] => ["html", "json", "csv", "pdf"].includes(f));
      return {
        cities: list(p.cities),
        zip_codes: list(p.zip_codes),
        period_start: String(p.period_start),
        period_end: String(p.period_end),
        formats: formats.length ? formats : ["html", "json", "csv", "pdf"],
      };
    },

    async generation(id) {
      const [row] = await sql`select id, account_id, user_id, status from reports.report_generations where id = ${id}`;
      return (row as unknown as GenerationRow) ?? null;
    },

    async marketStats(p) {
      const [row] = await sql`
        select private.reports_market_stats(${p.cities}::text[], ${p.zip_codes}::text[], ${p.period_start}::date, ${p.period_end}::date) as stats`;
      return row.stats as MarketStats;
    },

    async completeGeneration(id, urls, processingMs) {
      await sql`select private.reports_complete_generation(${id}, ${json(urls)}::text::jsonb, ${processingMs})`;
    },

    async failGeneration(id, error) {
      await sql`select private.reports_fail_generation(${id}, ${error})`;
    },

    async brandingFor(accountId, userId) {
      // rp-core's private.reports_branding_for when the database has it (the
      // sponsor's affiliate branding, else the account's own); else the same
      // rule in one query here.
      hasBrandingFor ??= (await sql`select to_regprocedure('private.reports_branding_for(uuid,uuid)') is not null as has`)[0].has as boolean;
      const s = (v: unknown) => (typeof v === "string" && v ? v : null);
      if (hasBrandingFor) {
        const [row] = await sql`select private.reports_branding_for(${accountId}, ${userId}) as b`;
        const b = (row?.b ?? {}) as Record<string, unknown>;
        const a = (b.agent ?? {}) as Record<string, unknown>;
        return {
          branding: { brand_display_name: s(b.display_name), logo_url: s(b.logo_url), primary_color: s(b.primary_color), accent_color: s(b.accent_color) },
          agent: { display_name: s(a.name), email: s(a.email), phone: s(a.phone), photo_url: s(a.photo_url), license_number: s(a.license_number) },
        };
      }
      const [b] = await sql`
        select coalesce(sb.brand_display_name, ob.brand_display_name) as brand_display_name,
               coalesce(sb.logo_url, ob.logo_url) as logo_url,
               coalesce(sb.primary_color, ob.primary_color) as primary_color,
               coalesce(sb.accent_color, ob.accent_color) as accent_color
        from public.accounts a
        left join reports.affiliate_branding sb on sb.account_id = a.sponsor_account_id
        left join reports.affiliate_branding ob on ob.account_id = a.id
        where a.id = ${accountId}`;
      const [p] = userId
        ? await sql`
            select coalesce(nullif(btrim(concat_ws(' ', first_name, last_name)), ''), full_name, username) as name,
                   email, phone, avatar_url, license_number
            from public.profiles where id = ${userId} and account_status = 'active'`
        : [];
      return {
        branding: { brand_display_name: s(b?.brand_display_name), logo_url: s(b?.logo_url), primary_color: s(b?.primary_color), accent_color: s(b?.accent_color) },
        agent: { display_name: s(p?.name), email: s(p?.email), phone: s(p?.phone), photo_url: s(p?.avatar_url), license_number: s(p?.license_number) },
      };
    },

    async beginPropertyReport(kind, id) {
      // pending -> processing; a retried job finds its row still processing and resumes.
      const rows = kind === "property"
        ? await sql`
            update reports.property_reports set status = 'processing', updated_at = now()
            where id = ${id} and status in ('pending', 'processing')
            returning id, account_id, user_id, status, theme, selected_pages, short_code,
                      property_address, property_city, property_state, property_zip, apn, sitex_data as data`
        : await sql`
            update reports.consumer_reports set status = 'processing', updated_at = now()
            where id = ${id} and status in ('pending', 'processing')
            returning id, account_id, agent_id as user_id, status, 1 as theme,
                      '["cover", "property", "comparables", "market", "estimate", "agent"]'::jsonb as selected_pages, null::text as short_code,
                      property_address, property_city, property_state, property_zip, null::text as apn, property_data as data`;
      const r = rows[0];
      if (!r) return null;
      const data = (r.data ?? {}) as Record<string, unknown>;
      const n = (k: string) => (typeof data[k] === "number" ? data[k] as number : null);
      return {
        id: r.id,
        kind,
        account_id: r.account_id,
        user_id: r.user_id,
        status: r.status,
        theme: Number(r.theme ?? 1),
        selected_pages: r.selected_pages,
        short_code: r.short_code,
        subject: {
          address: r.property_address,
          city: r.property_city,
          state: r.property_state,
          zip: r.property_zip,
          apn: r.apn,
          bedrooms: n("bedrooms"),
          bathrooms: n("bathrooms"),
          living_area_sqft: n("living_area_sqft"),
          lot_size_sqft: n("lot_size_sqft"),
          year_built: n("year_built"),
        },
      };
    },

    async propertyReportStatus(kind, id) {
      const [row] = kind === "property"
        ? await sql`select status from reports.property_reports where id = ${id}`
        : await sql`select status from reports.consumer_reports where id = ${id}`;
      return row?.status ?? null;
    },

    async valuation(subject) {
      const [row] = await sql`select private.reports_value_subject(${subject.address}, ${subject.city}, ${subject.zip}) as v`;
      const v = (row?.v ?? null) as Record<string, unknown> | null;
      if (!v || v.property_id === null) {
        return { property_id: null, comparables: [], value: null, reason: String(v?.reason ?? "the property is not in the Homes data") };
      }
      const comps = ((v.comparables ?? []) as Array<Record<string, unknown>>).map((c): CmaComparable => ({
        address: (c.address as string | null) ?? null,
        city: String(c.city ?? ""),
        postal_code: String(c.postal_code ?? ""),
        bedrooms: Number(c.bedrooms),
        bathrooms: Number(c.bathrooms),
        living_area_sqft: Number(c.living_area_sqft),
        year_built: num(c.year_built),
        price: Number(c.price),
        price_kind: c.price_kind === "asking" ? "asking" : "sold",
        price_date: String(c.price_date ?? "").slice(0, 10),
        price_per_sqft: Number(c.price_per_sqft),
        similarity: Number(c.similarity),
        adjusted_price: Number(c.adjusted_price),
      }));
      return {
        property_id: String(v.property_id),
        comparables: comps,
        value: {
          estimate: num(v.estimate),
          low: num(v.estimate_low),
          high: num(v.estimate_high),
          confidence: Number(v.confidence ?? 0),
          method: String(v.valuation_method ?? ""),
          comparables_count: comps.length,
          currency: String(v.currency ?? "USD"),
        },
        reason: ((v.details as Record<string, unknown> | undefined)?.reason as string | undefined) ?? null,
        subject: (v.subject ?? {}) as Partial<Subject>,
      };
    },

    async completePropertyReport(kind, id, r) {
      if (kind === "property") {
        await sql`
          update reports.property_reports
          set status = 'completed', pdf_url = ${r.pdf}, qr_code_url = ${r.qr}, comparables = ${json(r.comparables)}::text::jsonb, updated_at = now()
          where id = ${id}`;
      } else {
        await sql`
          update reports.consumer_reports
          set status = 'completed', pdf_url = ${r.pdf}, comparables = ${json(r.comparables)}::text::jsonb,
              market_stats = ${json(r.market)}::text::jsonb,
              value_estimate = ${json(r.value.value ? { ...r.value.value, property_id: r.value.property_id } : { estimate: null, reason: r.value.reason })}::text::jsonb,
              updated_at = now()
          where id = ${id}`;
      }
    },

    async failPropertyReport(kind, id) {
      if (kind === "property") await sql`update reports.property_reports set status = 'failed', updated_at = now() where id = ${id} and status <> 'completed'`;
      else await sql`update reports.consumer_reports set status = 'failed', updated_at = now() where id = ${id} and status <> 'completed'`;
    },

    async visibleReport(claims, id) {
      return await asUser(sql, claims, async (tx) => {
        const [m] = await tx`select status, error_message, html_url, json_url, csv_url, pdf_url from reports.report_generations where id = ${id}`;
        if (m) {
          const files: VisibleReport["files"] = {};
          for (const f of ["html", "json", "csv", "pdf"] as const) if (m[`${f}_url`]) files[f] = m[`${f}_url`];
          return { kind: "market", status: m.status, error_message: m.error_message, files } as VisibleReport;
        }
        const [p] = await tx`select status, pdf_url, qr_code_url from reports.property_reports where id = ${id}`;
        if (p) {
          const files: VisibleReport["files"] = {};
          if (p.pdf_url) files.pdf = p.pdf_url;
          if (p.qr_code_url) files.qr = p.qr_code_url;
          return { kind: "property", status: p.status, error_message: null, files } as VisibleReport;
        }
        const [c] = await tx`select status, pdf_url from reports.consumer_reports where id = ${id}`;
        if (c) return { kind: "consumer", status: c.status, error_message: null, files: c.pdf_url ? { pdf: c.pdf_url } : {} } as VisibleReport;
        return null;
      });
    },
  };
}
