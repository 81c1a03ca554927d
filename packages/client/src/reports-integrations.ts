// Reports part 2, what other programs use: API keys (made and revoked by
// RPC; the key is in the create answer only) and outgoing webhooks (made and
// rotated by the reports-webhooks function, which answers the secret once;
// read, edited and deleted through the Data API; test events and replays by
// RPC). Neither the key hash nor an endpoint's secret is granted to any
// client role, so every select here names its columns (`select=*` is 403).
import {
  apiKeyInput,
  type ApiKeyInput,
  deliveryFilters,
  type DeliveryFilters,
  webhookInput,
  type WebhookInput,
  webhookPatch,
  type WebhookPatch,
} from "@domus/contracts/reports.ts";
import { createdApiKey, type CreatedApiKey } from "@domus/contracts/reports-api.ts";
import { webhookSecretResponse, type WebhookSecretResponse } from "@domus/contracts/reports-webhooks.ts";
import { z } from "zod";
import type { Database } from "./database.types.ts";
import { DomusError, unwrap } from "./errors.ts";
import type { FunctionInvoker } from "./functions.ts";
import type { DomusSupabase } from "./supabase.ts";
import { validate } from "./validate.ts";

type Tables = Database["reports"]["Tables"];
export type ApiKey = Omit<Tables["api_keys"]["Row"], "key_hash">;
export type Webhook = Omit<Tables["webhooks"]["Row"], "secret" | "previous_secret">;
export type WebhookDelivery = Tables["webhook_deliveries"]["Row"];
export type { CreatedApiKey, WebhookSecretResponse };

/** The columns of reports.api_keys granted to members (all but key_hash). */
export const API_KEY_COLUMNS = "id, account_id, key_prefix, name, scopes, rate_limit, is_active, created_at, last_used_at, revoked_at, created_by";
/** The columns of reports.webhooks granted to members (all but the two secrets). */
export const WEBHOOK_COLUMNS = "id, account_id, url, events, is_active, previous_secret_expires_at, failing_since, disabled_reason, disabled_at, created_at, updated_at";

const uuid = z.string().uuid();
const revokedKey = z.object({ id: z.string(), key_prefix: z.string(), is_active: z.boolean(), revoked_at: z.string().nullable() });
export type RevokedApiKey = z.infer<typeof revokedKey>;

// The RPC answers are jsonb: checked so a drifted database fails loudly.
function checked<T>(schema: z.ZodType<T, any, any>, fn: string, data: unknown): T {
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new DomusError(`${fn}: unexpected response shape`, "contract_mismatch", 502);
  return parsed.data;
}

export function reportsIntegrationsApi(supabase: DomusSupabase, invoke: FunctionInvoker) {
  const reports = () => supabase.schema("reports");

  return {
    // ---------------------------------------------------------- API keys

    /** The account's keys, newest first, by their visible prefix (members; never the hash). */
    async apiKeys(accountId: string): Promise<ApiKey[]> {
      validate(uuid, accountId);
      return unwrap(await reports().from("api_keys").select(API_KEY_COLUMNS).eq("account_id", accountId)
        .order("created_at", { ascending: false }).order("id"));
    },

    /**
     * Owners and admins: a key for the `api` function with these scopes and a
     * per-minute limit. `key` in the answer is the only copy there will ever
     * be: show it once, store it in the program that uses it.
     */
    async createApiKey(input: ApiKeyInput): Promise<CreatedApiKey> {
      const k = validate(apiKeyInput, input);
      const args = { p_account_id: k.account_id, p_name: k.name, p_scopes: k.scopes, ...(k.rate_limit === undefined ? {} : { p_rate_limit: k.rate_limit }) };
      return checked(createdApiKey, "create_api_key", unwrap(await reports().rpc("create_api_key", args)));
    },

    /** Owners, admins and platform admins; from the next request on the key is 401. Revoking again changes nothing. */
    async revokeApiKey(keyId: string): Promise<RevokedApiKey> {
      validate(uuid, keyId);
      return checked(revokedKey, "revoke_api_key", unwrap(await reports().rpc("revoke_api_key", { p_id: keyId })));
    },

    // ---------------------------------------------------------- webhooks

    async webhooks(accountId: string): Promise<Webhook[]> {
      validate(uuid, accountId);
      return unwrap(await reports().from("webhooks").select(WEBHOOK_COLUMNS).eq("account_id", accountId).order("created_at").order("id"));
    },

    /**
     * Owners and admins: an endpoint for these events. The answer's `secret`
     * (whsec_...) is shown this once; receivers verify every delivery with it.
     * A private or loopback URL is refused outside the local stack (400 url).
     */
    async createWebhook(input: WebhookInput): Promise<WebhookSecretResponse> {
      const w = validate(webhookInput, input);
      return invoke("reports-webhooks", webhookSecretResponse, {
        method: "POST", body: { action: "create", accountId: w.account_id, url: w.url, events: w.events },
      });
    },

    /** Owners and admins: a new URL, events, or switched off (true again clears the failure state). */
    async updateWebhook(webhookId: string, patch: WebhookPatch): Promise<Webhook> {
      validate(uuid, webhookId);
      const p = validate(webhookPatch, patch);
      return unwrap(await reports().from("webhooks").update(p).eq("id", webhookId).select(WEBHOOK_COLUMNS).single());
    },

    /** A new secret (shown once); the old one keeps signing beside it for 24 hours. */
    async rotateWebhookSecret(webhookId: string): Promise<WebhookSecretResponse> {
      validate(uuid, webhookId);
      return invoke("reports-webhooks", webhookSecretResponse, { method: "POST", body: { action: "rotate", webhookId } });
    },

    async deleteWebhook(webhookId: string): Promise<void> {
      validate(uuid, webhookId);
      unwrap(await reports().from("webhooks").delete().eq("id", webhookId));
    },

    /** Every attempt to an endpoint, newest first: status, HTTP status, milliseconds, attempt number, error. */
    async webhookDeliveries(webhookId: string, filters: DeliveryFilters = {}): Promise<WebhookDelivery[]> {
      validate(uuid, webhookId);
      const f = validate(deliveryFilters, filters);
      let query = reports().from("webhook_deliveries").select("*").eq("webhook_id", webhookId);
      if (typeof f.status === "string") query = query.eq("status", f.status);
      else if (f.status) query = query.in("status", f.status);
      if (f.message_id) query = query.eq("message_id", f.message_id);
      if (f.before) query = query.lt("created_at", f.before);
      return unwrap(await query.order("created_at", { ascending: false }).order("attempt", { ascending: false }).limit(f.limit));
    },

    /** Owners and admins: one `webhook.test` event to this endpoint only. Returns the delivery's id. */
    async sendTestEvent(webhookId: string): Promise<string> {
      validate(uuid, webhookId);
      return unwrap(await reports().rpc("send_test_webhook", { p_webhook_id: webhookId }));
    },

    /** Owners and admins: sends a delivery again (same webhook-id, event and payload; attempt 1 of a new chain). */
    async replayDelivery(deliveryId: string): Promise<string> {
      validate(uuid, deliveryId);
      return unwrap(await reports().rpc("replay_webhook_delivery", { p_delivery_id: deliveryId }));
    },
  };
}

export type ReportsIntegrationsApi = ReturnType<typeof reportsIntegrationsApi>;
