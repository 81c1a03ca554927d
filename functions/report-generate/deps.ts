// What the report-generate function needs, injected by build() or by tests.
import type { AuthDeps } from "../_shared/auth.ts";
import type { ReportsStore } from "../_shared/reports/store.ts";
import type { Storage } from "../_shared/storage.ts";

export const BUCKET = "reports";

export interface ReportGenerateDeps extends AuthDeps {
  store: ReportsStore;
  storage: Storage;
  /** The public landing page of a property report, from its short code (what its QR code encodes). */
  landingUrl: (shortCode: string) => string;
  /** Seconds a signed URL stays valid. */
  signedUrlSeconds: number;
  /** How long one worker invocation keeps claiming. */
  maxMs: number;
  batchSize: number;
  now?: () => Date;
}
