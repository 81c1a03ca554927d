// Database calls of the valuation worker. The engine itself lives in
// Postgres (private.homes_compute_valuation, migration 20261122002010):
// comparables are a query, and computing next to the data keeps a
// valuation, its comparables, its usage charge and the job's completion in
// one transaction. This module only orchestrates.
import type { Comparable } from "@domus/contracts/homes.ts";
import type { Sql } from "../db.ts";
import type { Completion } from "../worker.ts";

export const QUEUE = "homes.valuation";

export interface Job {
  id: number;
  account_id: string | null;
  payload: Record<string, unknown>;
  attempts: number;
  max_attempts: number;
}

export interface StoredValuation {
  id: string;
  property_id: string;
  estimate: number | null;
  estimate_low: number | null;
  estimate_high: number | null;
  currency: string;
  confidence: number;
  valuation_method: string;
  source: "owner" | "engine";
  comparables_count: number;
  details: Record<string, unknown>;
  listing_id: string | null;
  usage_event_id: number | null;
  created_at: string;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function toValuation(row: Record<string, unknown>): StoredValuation {
  return {
    id: String(row.id),
    property_id: String(row.property_id),
    estimate: num(row.estimate),
    estimate_low: num(row.estimate_low),
    estimate_high: num(row.estimate_high),
    currency: String(row.currency),
    confidence: Number(row.confidence),
    valuation_method: String(row.valuation_method),
    source: row.source as "owner" | "engine",
    comparables_count: Number(row.comparables_count),
    details: (row.details ?? {}) as Record<string, unknown>,
    listing_id: (row.listing_id as string | null) ?? null,
    usage_event_id: num(row.usage_event_id),
    created_at: new Date(row.created_at as string).toISOString(),
  };
}

function toComparable(row: Record<string, unknown>): Comparable {
  return {
    rank: Number(row.rank),
    property_id: (row.property_id as string | null) ?? null,
    city: String(row.city),
    postal_code: String(row.postal_code),
    bedrooms: Number(row.bedrooms),
    bathrooms: Number(row.bathrooms),
    living_area_sqft: Number(row.living_area_sqft),
    lot_size_sqft: num(row.lot_size_sqft),
    year_built: num(row.year_built),
    price: Number(row.price),
    price_kind: row.price_kind as "sold" | "asking",
    price_date: row.price_date instanceof Date ? row.price_date.toISOString().slice(0, 10) : String(row.price_date),
    price_per_sqft: Number(row.price_per_sqft),
    similarity: Number(row.similarity),
    weight: Number(row.weight),
    adjusted_price: Number(row.adjusted_price),
  };
}

export interface ValuationStore {
  claim(worker: string, limit: number): Promise<Job[]>;
  /** Values the property, charges the owner and completes the job, in one transaction. */
  valueForJob(job: Job, worker: string, propertyId: string, listingId: string | null): Promise<StoredValuation>;
  /** Completes a job that produced no valuation (refused, skipped), telling the owner when refused. */
  completeWithout(job: Job, worker: string, result: Record<string, unknown>, refusedPropertyId?: string): Promise<void>;
  /** Completes jobs that need nothing else in one call; resolves to the ids completed (the rest lost their lease). */
  completeMany(worker: string, completions: Completion[]): Promise<Set<number>>;
  fail(job: Job, worker: string, error: string, retry: boolean): Promise<void>;
  /** Is this property the user's own? (read as the database owner; the caller is known) */
  ownerOf(propertyId: string): Promise<string | null>;
  valueNow(propertyId: string, requestKey: string, userId: string): Promise<StoredValuation>;
  comparables(valuationId: string): Promise<Comparable[]>;
  isBillable(usageEventId: number | null): Promise<boolean>;
}

export function valuationStore(sql: Sql): ValuationStore {
  return {
    async claim(worker, limit) {
      const rows = await sql`select id, account_id, payload, attempts, max_attempts from private.claim_jobs(${QUEUE}, ${worker}, ${limit})`;
      return rows.map((r) => ({ ...r, id: Number(r.id) }) as unknown as Job);
    },

    async valueForJob(job, worker, propertyId, listingId) {
      return await sql.begin(async (tx) => {
        const [row] = await tx`select * from private.homes_store_valuation(${propertyId}, ${"job:" + job.id}, null, ${listingId})`;
        const valuation = toValuation(row);
        const result = {
          outcome: valuation.estimate === null ? "insufficient" : "valued",
          valuation_id: valuation.id,
          property_id: propertyId,
          estimate: valuation.estimate,
          confidence: valuation.confidence,
          valuation_method: valuation.valuation_method,
        };
        await tx`select private.complete_job(${job.id}, ${worker}, ${JSON.stringify(result)}::text::jsonb)`;
        return valuation;
      }) as StoredValuation;
    },

    async completeWithout(job, worker, result, refusedPropertyId) {
      await sql.begin(async (tx) => {
        if (refusedPropertyId) {
          await tx`select private.homes_notify_valuation_refused(${refusedPropertyId}, ${String(result.reason ?? "allowance used up")}, ${(result.listing_id as string | undefined) ?? null})`;
        }
        await tx`select private.complete_job(${job.id}, ${worker}, ${JSON.stringify(result)}::text::jsonb)`;
      });
    },

    async completeMany(worker, completions) {
      const ids = completions.map((c) => c.id);
      const results = JSON.stringify(completions.map((c) => c.result));
      const rows = await sql`select private.complete_jobs(${ids}::bigint[], ${worker}, ${results}::text::jsonb) as id`;
      return new Set(rows.map((r) => Number(r.id)));
    },

    async fail(job, worker, error, retry) {
      await sql`select private.fail_job(${job.id}, ${worker}, ${error}, ${retry})`;
    },

    async ownerOf(propertyId) {
      const [row] = await sql`select owner_id from homes.properties where id = ${propertyId}`;
      return row?.owner_id ?? null;
    },

    async valueNow(propertyId, requestKey, userId) {
      const [row] = await sql`select * from private.homes_store_valuation(${propertyId}, ${requestKey}, ${userId}, null)`;
      return toValuation(row);
    },

    async comparables(valuationId) {
      const rows = await sql`select * from homes.valuation_comparables where valuation_id = ${valuationId} order by rank`;
      return rows.map(toComparable);
    },

    async isBillable(usageEventId) {
      if (usageEventId === null) return false;
      const [row] = await sql`select billable from public.usage_events where id = ${usageEventId}`;
      return Boolean(row?.billable);
    },
  };
}
