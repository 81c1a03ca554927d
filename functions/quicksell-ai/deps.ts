// What the quicksell-ai function needs, injected by build() or by tests.
import type { DescriptionProvider } from "../_shared/quicksell/describe.ts";
import type { MediaStore } from "../_shared/quicksell/store-media.ts";
import type { Storage } from "../_shared/storage.ts";

export interface AiDeps {
  jwtSecret: string;
  store: MediaStore;
  storage: Storage;
  describer: DescriptionProvider;
  /** Per provider call. */
  timeoutMs: number;
  /** How long one worker invocation keeps claiming. */
  maxMs: number;
  batchSize: number;
}
