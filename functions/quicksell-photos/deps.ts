// What the quicksell-photos function needs, injected by build() or by tests.
import type { AuthDeps } from "../_shared/auth.ts";
import type { MediaStore } from "../_shared/quicksell/store-media.ts";
import type { Storage } from "../_shared/storage.ts";

export interface PhotosDeps extends AuthDeps {
  store: MediaStore;
  storage: Storage;
  /** How long one worker invocation keeps claiming. */
  maxMs: number;
  batchSize: number;
  /** Retention: photos and uploads unattached for this long are removed. */
  retentionDays: number;
}
