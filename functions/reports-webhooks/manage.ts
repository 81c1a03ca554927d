// Owners and admins create an endpoint or rotate its secret (their access
// token, body {"action": "create" | "rotate", ...}). The function makes the
// secret (whsec_ + base64 of 32 random bytes), seals it (secret-box.ts,
// bound to the endpoint's id) and answers it this once; the database keeps
// only the ciphertext. Rotation keeps the replaced secret signing for 24 h.
import {
  type CreateWebhookInput,
  type RotateWebhookSecretInput,
  type WebhookSecretResponse,
  webhooksUserInput,
} from "@domus/contracts/reports-webhooks.ts";
import { type Caller, requireUser } from "../_shared/auth.ts";
import { HttpError, json, parseBody } from "../_shared/http.ts";
import { pgCall } from "../_shared/pg-errors.ts";
import { newWebhookSecret } from "../_shared/reports/webhooks/sign.ts";
import { checkTarget, TargetRefused } from "../_shared/reports/webhooks/ssrf.ts";
import type { WebhookRow } from "../_shared/reports/webhooks/store.ts";
import { secretContext, type WebhooksDeps } from "./deps.ts";

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

function summary(row: WebhookRow): WebhookSecretResponse["webhook"] {
  return {
    id: row.id,
    accountId: row.account_id,
    url: row.url,
    events: row.events as WebhookSecretResponse["webhook"]["events"],
    isActive: row.is_active,
    previousSecretExpiresAt: iso(row.previous_secret_expires_at),
    createdAt: iso(row.created_at)!,
  };
}

async function create(deps: WebhooksDeps, caller: Caller, body: CreateWebhookInput): Promise<Response> {
  try {
    await checkTarget(body.url, { allowPrivate: deps.allowPrivate, resolve: deps.resolve });
  } catch (error) {
    if (error instanceof TargetRefused) throw new HttpError(400, "invalid_request", error.message, "url");
    throw error;
  }
  const id = crypto.randomUUID();
  const secret = newWebhookSecret();
  const sealed = await deps.box.seal(secret, secretContext(id));
  const row = await pgCall(() => deps.store.create(caller.claims, id, body.accountId, body.url, body.events, sealed));
  const answer: WebhookSecretResponse = { webhook: summary(row), secret };
  return json(answer, 201, { "cache-control": "no-store" });
}

async function rotate(deps: WebhooksDeps, caller: Caller, body: RotateWebhookSecretInput): Promise<Response> {
  const secret = newWebhookSecret();
  const sealed = await deps.box.seal(secret, secretContext(body.webhookId));
  const row = await pgCall(() => deps.store.rotate(caller.claims, body.webhookId, sealed));
  const answer: WebhookSecretResponse = { webhook: summary(row), secret };
  return json(answer, 200, { "cache-control": "no-store" });
}

export async function manage(deps: WebhooksDeps, req: Request): Promise<Response> {
  // Who is asking before what they ask: an anonymous caller learns nothing about the body's rules.
  const caller = await requireUser(req, deps);
  const body = await parseBody(req, webhooksUserInput);
  return body.action === "create" ? await create(deps, caller, body) : await rotate(deps, caller, body);
}
