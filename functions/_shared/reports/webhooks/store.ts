// Typed calls to the outgoing-webhook SQL (migrations 20261202330000-0200).
// Creation and rotation check the caller under RLS (their own claims, as
// PostgREST would run them) and store the ciphertext through the
// service-role functions in the SAME transaction, so the check and the
// write cannot be separated by a membership change.
import { asUser, type Sql, type Tx } from "../../db.ts";
import { HttpError } from "../../http.ts";
import type { Claims } from "../../jwt.ts";

export interface WebhookRow {
  id: string;
  account_id: string;
  url: string;
  events: string[];
  is_active: boolean;
  previous_secret_expires_at: Date | null;
  created_at: Date;
}

export interface ClaimedAttempt {
  job_id: number;
  delivery_id: string | null;
  webhook_id: string | null;
  account_id: string | null;
  event: string | null;
  payload: Record<string, unknown> | null;
  message_id: string | null;
  attempt: number | null;
  delivery_status: string | null;
  url: string | null;
  secret: string | null;
  previous_secret: string | null;
  is_active: boolean | null;
}

export interface AttemptRecord {
  jobId: number;
  worker: string;
  deliveryId: string;
  outcome: "delivered" | "failed" | "gone" | "disabled";
  responseStatus: number | null;
  responseMs: number | null;
  error: string | null;
  retryAfterSeconds: number | null;
}

export interface RecordedAttempt {
  status: "delivered" | "failed" | "dead" | "skipped";
  next_attempt_at: string | null;
  next_delivery_id: string | null;
  disabled: string | null;
}

export interface WebhooksStore {
  /** 404 when the caller is no member of the account, 403 when only a member. */
  create(claims: Claims, id: string, accountId: string, url: string, events: string[], sealedSecret: string): Promise<WebhookRow>;
  /** The endpoint the caller may manage (for its account id), or the same 404 / 403. */
  managed(claims: Claims, webhookId: string): Promise<WebhookRow>;
  rotate(claims: Claims, webhookId: string, sealedSecret: string): Promise<WebhookRow>;
  claim(worker: string, limit: number): Promise<ClaimedAttempt[]>;
  record(r: AttemptRecord): Promise<RecordedAttempt>;
}

const COLUMNS = "id, account_id, url, events, is_active, previous_secret_expires_at, created_at";

async function requireAdmin(tx: Tx, accountId: string, field: string, what: string) {
  const [row] = await tx`
    select ${accountId}::uuid in (select private.my_account_ids()) as member,
           ${accountId}::uuid in (select private.my_admin_account_ids()) as admin`;
  if (!row.member) throw new HttpError(404, "not_found", `${field}: no such ${what}`, field);
  if (!row.admin) throw new HttpError(403, "forbidden", `${field}: only the account's owners and admins manage its webhooks`, field);
}

async function asBackend(tx: Tx) {
  await tx`select set_config('role', 'service_role', true), set_config('request.jwt.claims', '{"role":"service_role"}', true)`;
}

async function managedIn(tx: Tx, webhookId: string): Promise<WebhookRow> {
  // Under RLS: a webhook of another account is simply not there.
  const [row] = await tx.unsafe(`select ${COLUMNS} from reports.webhooks where id = $1`, [webhookId]);
  if (!row) throw new HttpError(404, "not_found", "webhookId: no such webhook", "webhookId");
  await requireAdmin(tx, row.account_id, "webhookId", "webhook");
  return row as unknown as WebhookRow;
}

export function webhooksStore(sql: Sql): WebhooksStore {
  return {
    create: (claims, id, accountId, url, events, sealedSecret) =>
      asUser(sql, claims, async (tx) => {
        await requireAdmin(tx, accountId, "accountId", "account");
        await asBackend(tx);
        const [row] = await tx.unsafe(
          `select ${COLUMNS} from private.reports_webhook_create($1, $2, $3, $4::text[], $5)`,
          [id, accountId, url, events as unknown as string, sealedSecret],
        );
        return row as unknown as WebhookRow;
      }),
    managed: (claims, webhookId) => asUser(sql, claims, (tx) => managedIn(tx, webhookId)),
    rotate: (claims, webhookId, sealedSecret) =>
      asUser(sql, claims, async (tx) => {
        await managedIn(tx, webhookId);
        await asBackend(tx);
        const [row] = await tx.unsafe(`select ${COLUMNS} from private.reports_webhook_rotate($1, $2)`, [webhookId, sealedSecret]);
        return row as unknown as WebhookRow;
      }),
    claim: async (worker, limit) =>
      (await sql`select * from private.reports_webhook_claim(${worker}, ${limit})`) as unknown as ClaimedAttempt[],
    record: async (r) => {
      const [row] = await sql`
        select private.reports_webhook_record_attempt(${r.jobId}, ${r.worker}, ${r.deliveryId}, ${r.outcome},
                 ${r.responseStatus}, ${r.responseMs}, ${r.error}, ${r.retryAfterSeconds}) as result`;
      return row.result as RecordedAttempt;
    },
  };
}
