// QuickSell cross-posting (issue 11, seed 001) contracts shared by the
// marketplace-sync function and @domus/client: connecting a marketplace
// account, a marketplace's sale notification, and the queue worker's answer.
// Cross-posting a listing itself is the RPC quicksell.crosspost_listing.
import { z } from "zod";
import { text } from "./errors.ts";

export const marketplaceName = z.enum(["ebay", "etsy", "local"]);
export type MarketplaceName = z.infer<typeof marketplaceName>;
export const syncStatus = z.enum(["draft", "active", "sold", "delisted", "error"]);
export type SyncStatus = z.infer<typeof syncStatus>;
/** live: the real marketplace API; local: its offline fake (no credentials configured). */
export const adapterMode = z.enum(["live", "local"]);

/**
 * POST /functions/v1/marketplace-sync/connect (a signed-in seller). Live:
 * `code` (and Etsy's PKCE `codeVerifier`) from the marketplace's consent
 * redirect. Local fakes: leave `code` out and the fake consents at once.
 */
export const connectInput = z.object({
  marketplace: marketplaceName,
  code: text().min(1).max(4000).optional(),
  redirectUri: text().url().max(2000).optional(),
  codeVerifier: text().min(43).max(128).regex(/^[A-Za-z0-9._~-]+$/, "must be a PKCE code verifier").optional(),
}).strict();
export type ConnectRequest = z.infer<typeof connectInput>;

export const connectResponse = z.object({
  account: z.object({
    id: text(),
    marketplace_name: marketplaceName,
    marketplace_user_id: text().nullable(),
    account_name: text().nullable(),
    is_active: z.boolean(),
    auto_sync_enabled: z.boolean(),
    token_expires_at: text().nullable(),
  }),
  mode: adapterMode,
});
export type ConnectResponse = z.infer<typeof connectResponse>;

/**
 * POST /functions/v1/marketplace-sync/notify: a marketplace (or its local
 * fake) says a listing changed, e.g. sold. Only a hint: the worker reads the
 * copy's state from the marketplace with the seller's token before acting.
 */
export const notifyInput = z.object({
  marketplace: z.enum(["ebay", "etsy"]),
  listingId: text().min(1).max(100).regex(/^[0-9A-Za-z_-]+$/, "not a marketplace listing id"),
}).strict();

export const workerInput = z.object({
  queue: z.literal("quicksell.sync"),
  batchSize: z.number().int().min(1).max(100).optional(),
  maxMs: z.number().int().min(0).max(600_000).optional(),
}).strict();

export const syncOutcome = z.enum(["active", "delisted", "sold", "skipped", "retrying", "failed", "lease_lost"]);
export const workerResponse = z.object({
  worker: text(),
  claimed: z.number().int(),
  outcomes: z.record(text(), z.number().int()),
  jobs: z.array(z.object({
    jobId: z.number().int(),
    copyId: text().nullable(),
    action: z.enum(["publish", "update", "delist", "poll"]).nullable(),
    marketplace: text().nullable(),
    mode: text().nullable(),
    outcome: syncOutcome,
    error: text().optional(),
  })),
  seconds: z.number(),
});
export type WorkerResponse = z.infer<typeof workerResponse>;
