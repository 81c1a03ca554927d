// What the valuation function needs, injected by build() or by tests.
import type { AuthDeps } from "../_shared/auth.ts";
import type { ValuationStore } from "../_shared/homes/valuation-store.ts";

export interface ValuationDeps extends AuthDeps {
  store: ValuationStore;
  /** Prefix of this worker's names in public.jobs.locked_by (each invocation adds its own suffix). */
  workerId: string;
  /** Jobs claimed per round. */
  batchSize?: number;
  /** Jobs valued at once within a round (each on its own connection). */
  concurrency?: number;
  /** Stop claiming after this long; the next wake-up continues. */
  timeBudgetMs?: number;
}
