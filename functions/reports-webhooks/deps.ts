// What the reports-webhooks function needs, injected by build() or by tests.
import type { AuthDeps } from "../_shared/auth.ts";
import type { WebhooksStore } from "../_shared/reports/webhooks/store.ts";
import type { Resolve } from "../_shared/reports/webhooks/ssrf.ts";
import type { SecretBox } from "../_shared/secret-box.ts";

export interface WebhooksDeps extends AuthDeps {
  store: WebhooksStore;
  /** Seals and opens endpoint secrets (REPORTS_WEBHOOK_KEY). */
  box: SecretBox;
  fetch: typeof fetch;
  resolve: Resolve;
  /** The local stack: http and private / loopback receivers allowed. Never on a hosted project. */
  allowPrivate: boolean;
  /** Per attempt (Standard Webhooks: 15-30 s). */
  timeoutMs: number;
  /** How long one worker invocation keeps claiming. */
  maxMs: number;
  batchSize: number;
  /** Unix seconds for webhook-timestamp (tests move it). */
  nowSeconds: () => number;
}

/** The AES-GCM context a webhook's secrets are sealed under: a ciphertext moved to another row does not open. */
export const secretContext = (webhookId: string) => `reports.webhooks:${webhookId}`;

/** Local when the project URL is this machine (npm start, npm test); hosted projects are https://<ref>.supabase.co. */
export function isLocalProject(supabaseUrl: string): boolean {
  try {
    const host = new URL(supabaseUrl).hostname;
    return host === "127.0.0.1" || host === "localhost" || host === "[::1]";
  } catch {
    return false;
  }
}
