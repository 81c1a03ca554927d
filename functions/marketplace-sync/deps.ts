// What the marketplace-sync function needs, injected by build() or by tests.
import type { AuthDeps } from "../_shared/auth.ts";
import type { FakeEbay } from "../_shared/quicksell/marketplaces/fake-ebay.ts";
import type { FakeEtsy } from "../_shared/quicksell/marketplaces/fake-etsy.ts";
import type { AdapterRegistry } from "../_shared/quicksell/marketplaces/index.ts";
import type { SyncStore } from "../_shared/quicksell/store.ts";
import type { TokenCipher } from "../_shared/quicksell/token-crypto.ts";

export interface MarketplaceSyncDeps extends AuthDeps {
  store: SyncStore;
  adapters: AdapterRegistry;
  cipher: TokenCipher;
  /** The local fakes this function serves under /_fake/<name>/ (only those in local mode). */
  fakes: { ebay?: FakeEbay; etsy?: FakeEtsy };
  batchSize: number;
  maxMs: number;
  now?: () => number;
}
