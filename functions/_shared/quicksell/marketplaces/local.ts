// QuickSell's own marketplace: the listing page on QuickSell itself. There
// is nothing remote to call, so the adapter works in process; it keeps the
// state of each copy (by SKU) so the sync worker treats it like any other,
// and a sale here arrives through the listing itself, not through status().
import type { MarketplaceAdapter, RemoteRef, RemoteState, TokenSet } from "./types.ts";

export interface LocalMarketplace extends MarketplaceAdapter {
  /** Calls made, by kind (tests count withdraws to prove "exactly once"). */
  readonly calls: Record<"upsert" | "publish" | "update" | "withdraw", number>;
}

const NEVER = new Date("9999-12-31T00:00:00Z");

/** `listingUrl`: where a copy is shown; without one (no QuickSell web app yet) copies have no URL. */
export function localAdapter(opts: { listingUrl?: (sku: string) => string } = {}): LocalMarketplace {
  const states = new Map<string, RemoteState>();
  const calls = { upsert: 0, publish: 0, update: 0, withdraw: 0 };
  const tokens: TokenSet = { accessToken: "local", refreshToken: null, expiresAt: NEVER, refreshExpiresAt: null };
  const withId = (ref: RemoteRef): RemoteRef => ({ ...ref, listingId: `qs-${ref.sku}`, ...(opts.listingUrl ? { url: opts.listingUrl(ref.sku) } : {}) });
  return {
    name: "local",
    mode: "local",
    calls,
    authorizeUrl: () => "",
    simulateConsent: () => Promise.resolve("local"),
    exchangeCode: (_code) =>
      Promise.resolve({ tokens, account: { marketplaceUserId: "quicksell", accountName: "QuickSell", sellerRating: null, totalSales: 0, extra: {} } }),
    refresh: () => Promise.resolve(tokens),
    upsertItem(_s, item, ref) {
      calls.upsert++;
      if (!states.has(item.sku)) states.set(item.sku, "draft");
      return Promise.resolve(withId({ ...ref, sku: item.sku }));
    },
    publish(_s, ref) {
      calls.publish++;
      states.set(ref.sku, "active");
      return Promise.resolve(withId(ref));
    },
    update(_s, item, ref) {
      calls.update++;
      return Promise.resolve(withId({ ...ref, sku: item.sku }));
    },
    withdraw(_s, ref) {
      calls.withdraw++;
      states.set(ref.sku, "delisted");
      return Promise.resolve();
    },
    status(_s, ref) {
      return Promise.resolve({ state: states.get(ref.sku) ?? "active", soldQuantity: 0, ...withId(ref) });
    },
  };
}
