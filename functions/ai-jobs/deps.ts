// What the ai-jobs function needs, injected by build() or by tests.
import type { ProviderRegistry } from "../_shared/ai-providers/index.ts";
import type { AuthDeps } from "../_shared/auth.ts";
import type { Sql } from "../_shared/db.ts";
import type { Storage } from "../_shared/storage.ts";
import type { StudioStore } from "../_shared/studio/store.ts";

export const BUCKET = "studio-media";

export interface AiJobsDeps extends AuthDeps {
  store: StudioStore;
  storage: Storage;
  providers: ProviderRegistry;
  /** Does this studio-media object exist? (input photos are checked before anything is charged) */
  objectExists: (bucket: string, path: string) => Promise<boolean>;
  fetch: typeof fetch;
  /** Per provider call. */
  timeoutMs: number;
  /** How long one worker invocation keeps claiming. */
  maxMs: number;
  batchSize: number;
}

export function objectExistsIn(sql: Sql) {
  return async (bucket: string, path: string) => {
    const [row] = await sql`select exists (select 1 from storage.objects o where o.bucket_id = ${bucket} and o.name = ${path}) as found`;
    return row.found as boolean;
  };
}
