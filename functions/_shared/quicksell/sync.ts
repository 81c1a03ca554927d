// Runs one job of the quicksell.sync queue: publish, update, delist or poll
// one marketplace copy (quicksell.marketplace_listings row) through its
// adapter, with the seller's tokens decrypted only in memory and refreshed
// (re-encrypted, persisted) when due. Every outcome is settled by one
// database call that also completes or fails the queue job, so a copy's
// sync_status and its job never disagree. Failures keep their message on
// the copy (last_error) and retry with backoff; a 429 waits at least as
// long as the marketplace asked.
import { tokenSession } from "./marketplaces/session.ts";
import type { AdapterRegistry } from "./marketplaces/index.ts";
import { type ItemData, MarketplaceError, type RemoteRef, type TokenSet } from "./marketplaces/types.ts";
import type { SyncContext, SyncStore } from "./store.ts";
import { type TokenCipher, TokenCryptoError } from "./token-crypto.ts";

export type SyncAction = "publish" | "update" | "delist" | "poll";

export interface SyncDeps {
  store: SyncStore;
  adapters: AdapterRegistry;
  cipher: TokenCipher;
  now?: () => number;
}

export interface SyncReport {
  jobId: number;
  copyId: string | null;
  action: SyncAction | null;
  marketplace: string | null;
  mode: string | null;
  outcome: "active" | "delisted" | "sold" | "skipped" | "retrying" | "failed" | "lease_lost";
  error?: string;
}

/** Token AAD: binds a ciphertext to its seller, marketplace and column. */
export const tokenContext = (userId: string, marketplace: string, column: "access_token" | "refresh_token") =>
  `quicksell:${userId}:${marketplace}:${column}`;

export const skuFor = (copyId: string) => `QS-${copyId.replace(/-/g, "")}`;

function itemOf(ctx: SyncContext): ItemData {
  const l = ctx.listing;
  return {
    sku: skuFor(ctx.copy.id),
    title: l.title,
    description: l.description,
    price: Number(l.price),
    currency: l.currency ?? "USD",
    condition: l.condition,
    category: l.category,
    brand: l.brand,
    imageUrls: ctx.photos,
    quantity: 1,
  };
}

function remoteOf(ctx: SyncContext): RemoteRef {
  const r = (ctx.copy.synced_data?.remote ?? {}) as Partial<RemoteRef>;
  return { ...r, sku: r.sku ?? skuFor(ctx.copy.id) };
}

async function openSession(deps: SyncDeps, ctx: SyncContext) {
  const a = ctx.account;
  const adapter = deps.adapters(ctx.copy.marketplace_name);
  const ctxOf = (c: "access_token" | "refresh_token") => tokenContext(a.user_id, ctx.copy.marketplace_name, c);
  let tokens: TokenSet;
  if (adapter.name === "local") {
    tokens = (await adapter.exchangeCode("local", "")).tokens;
  } else {
    if (!a.access_token) throw new MarketplaceError(adapter.name, "auth", "the account has no tokens: connect it again");
    tokens = {
      accessToken: await deps.cipher.decrypt(a.access_token, ctxOf("access_token")),
      refreshToken: a.refresh_token ? await deps.cipher.decrypt(a.refresh_token, ctxOf("refresh_token")) : null,
      expiresAt: new Date(a.token_expires_at ?? 0),
      refreshExpiresAt: a.refresh_token_expires_at ? new Date(a.refresh_token_expires_at) : null,
    };
  }
  let storedRefresh = tokens.refreshToken;
  const session = tokenSession({
    adapter,
    account: { marketplaceUserId: a.marketplace_user_id, extra: a.marketplace_data ?? {} },
    tokens,
    now: deps.now,
    persist: async (t) => {
      // An unchanged refresh token (eBay) keeps its stored ciphertext (null: not rewritten).
      const rotated = t.refreshToken && t.refreshToken !== storedRefresh;
      storedRefresh = t.refreshToken;
      await deps.store.saveTokens({
        accountId: a.id,
        accessToken: await deps.cipher.encrypt(t.accessToken, ctxOf("access_token")),
        refreshToken: rotated ? await deps.cipher.encrypt(t.refreshToken!, ctxOf("refresh_token")) : null,
        expiresAt: t.expiresAt,
        refreshExpiresAt: t.refreshExpiresAt,
      });
    },
  });
  return { adapter, session };
}

export async function runSyncJob(deps: SyncDeps, jobId: number, worker: string): Promise<SyncReport> {
  const ctx = await deps.store.load(jobId, worker);
  if (!ctx) return { jobId, copyId: null, action: null, marketplace: null, mode: null, outcome: "lease_lost" };
  if ("gone" in ctx) return { jobId, copyId: null, action: null, marketplace: null, mode: null, outcome: "skipped" };
  const action = ctx.action;
  const mode = deps.adapters(ctx.copy.marketplace_name).mode;
  const base = { jobId, copyId: ctx.copy.id, action, marketplace: ctx.copy.marketplace_name, mode };
  const settle = async (status: "active" | "delisted" | "sold" | null, remote: RemoteRef | null): Promise<SyncReport> => {
    const outcome = await deps.store.succeed({ jobId, worker, copyId: ctx.copy.id, action, status, remote, postedPrice: status === "active" ? Number(ctx.listing.price) : null });
    const settled: SyncReport["outcome"] = outcome === "lease_lost" ? "lease_lost" : (status ?? "skipped");
    return { ...base, outcome: settled };
  };
  try {
    const listingLive = ctx.listing.status === "published" && !ctx.listing.deleted_at;
    const s = ctx.copy.sync_status;
    if (action === "publish") {
      if (!listingLive) return await settle(s === "active" ? null : "delisted", null);
      if (!ctx.account.is_active) throw new MarketplaceError(ctx.copy.marketplace_name as "ebay", "auth", "the marketplace account is switched off (is_active false)");
      const { adapter, session } = await openSession(deps, ctx);
      let ref = await adapter.upsertItem(session, itemOf(ctx), remoteOf(ctx));
      // Checkpoint before going live: a rerun updates this draft instead of creating another.
      await deps.store.checkpoint(ctx.copy.id, ref);
      ref = await adapter.publish(session, ref);
      return await settle("active", ref);
    }
    if (action === "update") {
      if (s !== "active" || !listingLive) return await settle(null, null);
      const { adapter, session } = await openSession(deps, ctx);
      return await settle("active", await adapter.update(session, itemOf(ctx), remoteOf(ctx)));
    }
    if (action === "delist") {
      if (s === "sold" || s === "delisted") return await settle(null, null);
      const ref = remoteOf(ctx);
      if (ref.offerId || ref.listingId) {
        const { adapter, session } = await openSession(deps, ctx);
        await adapter.withdraw(session, ref);
      }
      return await settle("delisted", null);
    }
    // poll: what the marketplace says now (a notification is only a hint, never trusted by itself).
    if (s !== "active") return await settle(null, null);
    const { adapter, session } = await openSession(deps, ctx);
    const st = await adapter.status(session, remoteOf(ctx));
    if (st.state === "sold") return await settle("sold", null);
    if (st.state === "delisted") return await settle("delisted", null);
    return await settle(null, null);
  } catch (error) {
    const retryable = error instanceof MarketplaceError ? error.retryable : !(error instanceof TokenCryptoError);
    const retryAfterMs = error instanceof MarketplaceError ? error.retryAfterMs : null;
    const message = error instanceof TokenCryptoError ? `${ctx.copy.marketplace_name}: stored tokens cannot be read (${error.message}); reconnect the account` : (error as Error).message ?? String(error);
    if (!(error instanceof MarketplaceError) && !(error instanceof TokenCryptoError)) console.error(`marketplace-sync: job ${jobId}:`, error);
    try {
      const outcome = await deps.store.fail({ jobId, worker, copyId: ctx.copy.id, error: message, retry: retryable, retryAfterSeconds: retryAfterMs == null ? null : Math.ceil(retryAfterMs / 1000) });
      return { ...base, outcome, error: message };
    } catch (failError) {
      console.error(`marketplace-sync: cannot record the failure of job ${jobId}:`, failError);
      return { ...base, outcome: "lease_lost", error: message };
    }
  }
}
