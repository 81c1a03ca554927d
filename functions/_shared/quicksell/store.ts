// Typed calls to the QuickSell sync functions in Postgres (migrations
// 2026120212*_quicksell_sync_*.sql), all service_role only. Tokens cross
// this boundary as `v1:` ciphertext only (the table refuses anything else).
import type { Sql } from "../db.ts";
import type { MarketplaceName, RemoteRef } from "./marketplaces/types.ts";
import type { SyncAction } from "./sync.ts";

export interface SyncContext {
  job_id: number;
  action: SyncAction;
  copy: {
    id: string;
    listing_id: string;
    marketplace_name: MarketplaceName;
    sync_status: "draft" | "active" | "sold" | "delisted" | "error";
    synced_data: { remote?: Partial<RemoteRef> } | null;
  };
  listing: {
    id: string;
    user_id: string;
    title: string;
    description: string;
    price: string | number;
    currency: string | null;
    condition: string | null;
    category: string | null;
    brand: string | null;
    status: string;
    deleted_at: string | null;
  };
  photos: string[];
  account: {
    id: string;
    user_id: string;
    is_active: boolean;
    marketplace_user_id: string | null;
    access_token: string | null;
    refresh_token: string | null;
    token_expires_at: string | null;
    refresh_token_expires_at: string | null;
    marketplace_data: Record<string, string> | null;
  };
}

export interface ConnectArgs {
  userId: string;
  marketplace: MarketplaceName;
  marketplaceUserId: string;
  accountName: string;
  sellerRating: number | null;
  totalSales: number;
  accessToken: string | null;
  refreshToken: string | null;
  expiresAt: Date | null;
  refreshExpiresAt: Date | null;
  data: Record<string, string>;
}

export interface AccountSummary {
  id: string;
  marketplace_name: string;
  marketplace_user_id: string | null;
  account_name: string | null;
  is_active: boolean;
  auto_sync_enabled: boolean;
  token_expires_at: string | null;
}

export interface SyncStore {
  connect(a: ConnectArgs): Promise<AccountSummary>;
  claim(worker: string, limit: number): Promise<number[]>;
  /** The job's context; {gone} when its copy no longer exists (the job is completed); null without the lease. */
  load(jobId: number, worker: string): Promise<SyncContext | { gone: true } | null>;
  saveTokens(a: { accountId: string; accessToken: string; refreshToken: string | null; expiresAt: Date; refreshExpiresAt: Date | null }): Promise<void>;
  checkpoint(copyId: string, remote: RemoteRef): Promise<void>;
  succeed(a: {
    jobId: number;
    worker: string;
    copyId: string;
    action: SyncAction;
    status: "active" | "delisted" | "sold" | null;
    remote: RemoteRef | null;
    postedPrice: number | null;
  }): Promise<"done" | "lease_lost">;
  fail(a: { jobId: number; worker: string; copyId: string; error: string; retry: boolean; retryAfterSeconds: number | null }): Promise<"retrying" | "failed" | "lease_lost">;
  /** A marketplace says a copy changed (a sale): queue a poll of it. False when no such copy. */
  notify(marketplace: MarketplaceName, marketplaceListingId: string): Promise<boolean>;
}

export const SYNC_QUEUE = "quicksell.sync";

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function syncStore(sql: Sql): SyncStore {
  return {
    async connect(a) {
      const [row] = await sql`
        select private.quicksell_connect_account(
          ${a.userId}::uuid, ${a.marketplace}, ${a.marketplaceUserId}, ${a.accountName}, ${a.sellerRating}::numeric,
          ${a.totalSales}::int, ${a.accessToken}, ${a.refreshToken}, ${iso(a.expiresAt)}::timestamptz,
          ${iso(a.refreshExpiresAt)}::timestamptz, ${JSON.stringify(a.data)}::text::jsonb) as account`;
      return row.account as AccountSummary;
    },
    async claim(worker, limit) {
      const rows = await sql`select id from private.claim_jobs(${SYNC_QUEUE}, ${worker}, ${limit}::int)`;
      return rows.map((r) => Number(r.id));
    },
    async load(jobId, worker) {
      const [row] = await sql`select private.quicksell_sync_load(${jobId}::bigint, ${worker}) as ctx`;
      return (row?.ctx ?? null) as SyncContext | { gone: true } | null;
    },
    async saveTokens(a) {
      await sql`select private.quicksell_store_tokens(${a.accountId}::uuid, ${a.accessToken}, ${a.refreshToken},
        ${iso(a.expiresAt)}::timestamptz, ${iso(a.refreshExpiresAt)}::timestamptz)`;
    },
    async checkpoint(copyId, remote) {
      await sql`select private.quicksell_sync_checkpoint(${copyId}::uuid, ${JSON.stringify(remote)}::text::jsonb)`;
    },
    async succeed(a) {
      const [row] = await sql`
        select private.quicksell_sync_succeed(${a.jobId}::bigint, ${a.worker}, ${a.copyId}::uuid, ${a.action},
          ${a.status}::quicksell.sync_status, ${a.remote ? JSON.stringify(a.remote) : null}::text::jsonb,
          ${a.postedPrice}::numeric) as outcome`;
      return row.outcome;
    },
    async fail(a) {
      const [row] = await sql`
        select private.quicksell_sync_fail(${a.jobId}::bigint, ${a.worker}, ${a.copyId}::uuid, ${a.error.slice(0, 2000)},
          ${a.retry}, ${a.retryAfterSeconds}::int) as outcome`;
      return row.outcome;
    },
    async notify(marketplace, id) {
      const [row] = await sql`select private.quicksell_sync_notify(${marketplace}, ${id}) as found`;
      return row.found as boolean;
    },
  };
}
